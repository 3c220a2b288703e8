package console

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"ntm"
	"ntm/msg"
)

// deliveryResend sends one recorded e-mail again now (Runner.Resend, as ntm deliveries resend
// N does), recorded with who asked and the reason given.
func (c *Console) deliveryResend(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r)
		return
	}
	reason, err := reasonForm(w, r)
	period := r.PostForm.Get("period")
	dl, ok := c.d.Jobs.(Deliverer)
	if err == nil && !ok {
		err = ntm.Errorf(ntm.CodeConflict, "%s", msg.NoEmail)
	}
	if err == nil {
		got, rerr := dl.Resend(r.Context(), id, who(r).who(), reason)
		if rerr == nil {
			c.log.Info("delivery resent", zap.Int64("delivery", id), zap.String("outcome", got.Outcome), zap.String("by", who(r).who()))
			if got.Outcome == "sent" {
				c.renderDeliveries(w, r, http.StatusOK, period, fmt.Sprintf("Đã gửi lại lần gửi số %d tới %s.", id, got.Address), false)
				return
			}
			c.renderDeliveries(w, r, http.StatusBadGateway, period, fmt.Sprintf("Gửi lại lần gửi số %d tới %s không được: %s", id, got.Address, got.Error), true)
			return
		}
		err = rerr
	}
	c.logError(r, err)
	c.renderDeliveries(w, r, httpStatus(err), period, ntm.ErrorMessage(err), true)
}
