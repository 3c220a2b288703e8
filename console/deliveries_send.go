package console

import (
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"ntm"
	"ntm/msg"
)

// deliveriesSend delivers a period's workbooks now (Runner.SendPeriod, as ntm deliveries send P
// does): what a run held back because sources were missing. Workbooks already sent to an
// address are not sent again.
func (c *Console) deliveriesSend(w http.ResponseWriter, r *http.Request) {
	reason, err := reasonForm(w, r)
	period := strings.TrimSpace(r.PostForm.Get("period"))
	var p ntm.Period
	if err == nil {
		if p, err = ntm.ParsePeriod(period); err != nil {
			err = ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(period))
		}
	}
	dl, ok := c.d.Jobs.(Deliverer)
	if err == nil && !ok {
		err = ntm.Errorf(ntm.CodeConflict, "%s", msg.NoEmail)
	}
	if err == nil {
		rep, serr := dl.SendPeriod(r.Context(), p, who(r).who(), reason)
		if serr == nil {
			c.log.Info("period delivered by hand", zap.String("period", p.String()), zap.Int("sent", rep.Sent),
				zap.Int("failed", rep.Failed), zap.String("by", who(r).who()))
			text := fmt.Sprintf("Đã gửi báo cáo kỳ %s: %d thư đã gửi, %d thư đã gửi từ trước, %d thư không gửi được.", p, rep.Sent, rep.Already, rep.Failed)
			c.renderDeliveries(w, r, http.StatusOK, p.String(), text, rep.Failed > 0)
			return
		}
		err = serr
	}
	c.logError(r, err)
	c.renderDeliveries(w, r, httpStatus(err), period, ntm.ErrorMessage(err), true)
}
