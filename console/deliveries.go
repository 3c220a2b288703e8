package console

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"ntm"
	"ntm/actions"
	"ntm/msg"
	"ntm/reports"
)

// Deliverer sends workbooks on the office's request: one recorded e-mail again, or a period's
// workbooks that a run held back (sources missing). *jobs.Runner satisfies it; without one the
// delivery log is read-only.
type Deliverer interface {
	Resend(ctx context.Context, id int64, by, reason string) (*reports.Delivery, error)
	SendPeriod(ctx context.Context, p ntm.Period, by, reason string) (reports.DeliveryReport, error)
}

type deliveriesPage struct {
	Period     string // filter ("" = every period)
	Periods    []string
	Rows       []deliveryView // the page's
	Pager      pager
	Failed     int
	CanSend    bool
	Message    string // the answer to the last action
	MessageErr bool
	Actions    []actions.Action // the periods sent by hand
}

type deliveryView struct {
	reports.Delivery
	File         string
	OutcomeLabel string
	CanResend    bool
}

// deliveriesPerPage is how many deliveries a page of the log shows, newest first.
const deliveriesPerPage = 100

// deliveriesList shows the delivery log: which workbook went to whom (by e-mail, or into the
// report folder), which sends failed and why, with "Gửi lại" on each e-mail and "Gửi báo cáo kỳ
// này" for a period whose run held its workbooks back.
func (c *Console) deliveriesList(w http.ResponseWriter, r *http.Request) {
	c.renderDeliveries(w, r, http.StatusOK, r.URL.Query().Get("period"), "", false)
}

// deliveriesURL is the delivery log's page of a period ("" = every period).
func deliveriesURL(period string, page int) string {
	v := url.Values{}
	if period != "" {
		v.Set("period", period)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/deliveries"
	}
	return "/deliveries?" + v.Encode()
}

func (c *Console) renderDeliveries(w http.ResponseWriter, r *http.Request, status int, period, message string, isErr bool) {
	var p ntm.Period
	if period = strings.TrimSpace(period); period != "" {
		var err error
		if p, err = ntm.ParsePeriod(period); err != nil {
			c.pageError(w, r, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(period)))
			return
		}
	}
	list, err := reports.DeliveryStatus(r.Context(), c.d.Pool, p)
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	_, canSend := c.d.Jobs.(Deliverer)
	page := deliveriesPage{Period: period, CanSend: canSend, Message: message, MessageErr: isErr}
	seen := map[string]bool{}
	for _, d := range list {
		if !seen[d.Period] {
			seen[d.Period] = true
			page.Periods = append(page.Periods, d.Period)
		}
		if d.Outcome == "failed" {
			page.Failed++
		}
	}
	page.Pager = newPager(len(list), deliveriesPerPage, atoiDefault(r.URL.Query().Get("page"), 1),
		func(n int) string { return deliveriesURL(period, n) })
	for _, d := range list[page.Pager.From:page.Pager.To] {
		page.Rows = append(page.Rows, deliveryView{Delivery: d, File: filepath.Base(d.FilePath), OutcomeLabel: d.OutcomeLabel(),
			CanResend: canSend && d.Channel == "email" && d.Outcome != "superseded"})
	}
	if page.Actions, err = actions.Of(r.Context(), c.d.Pool, []string{actions.KindDeliverPeriod}, 0); err != nil {
		c.logError(r, err)
	}
	c.render(w, r, status, "deliveries", layoutData{Title: "Gửi báo cáo", Nav: "reports", Page: page})
}
