package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"ntm"
	"ntm/msg"
	"ntm/units"
	"ntm/vnfmt"
)

// unitsPage is the structure over time: what is in force on a day, the changes, the successor
// links (with forms to add and remove them) and the aliases (the same).
type unitsPage struct {
	Date          string // the day shown, yyyy-mm-dd
	DateLabel     string
	Counts        string
	Changes       []unitsChange
	From          string // links from this day on, yyyy-mm-dd ("" = all)
	Links         []unitsLink
	Continuations int
	Closed        []unitsClosed
	Aliases       []unitsAlias
	Message       string // the outcome of the last form, shown once
	Error         string
	Form          url4 // what the office typed, kept when a form is refused
}

// url4 holds the fields of a refused form, to show them again.
type url4 struct{ Old, New, From, Note, Name, Unit, Parent string }

type unitsChange struct{ Day, Counts string }

type unitsLink struct {
	From, FromISO, Old, OldCode, New, NewCode, Kind, Source string
	Partial, Invalid                                        bool
}

type unitsClosed struct{ Label, Closed, Hint string }

type unitsAlias struct {
	ID                                 int64
	Name, Unit, Parent, Note, By, When string
}

// unitsMessages are the outcomes of the forms, by the key a redirect carries (PRG: a reload
// of the page does not post again).
var unitsMessages = map[string]string{
	"link-added":    "Đã ghi đơn vị kế tiếp.",
	"link-removed":  "Đã bỏ liên kết (vẫn lưu trong lịch sử, ghi người bỏ).",
	"alias-added":   "Đã thêm tên khác; các tệp nạp từ nay nhận tên này.",
	"alias-removed": "Đã bỏ tên khác.",
}

// unitsShow serves GET /units?date=D&from=D.
func (c *Console) unitsShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c.renderUnits(w, r, http.StatusOK, q.Get("date"), q.Get("from"), unitsMessages[q.Get("done")], "", url4{})
}

func (c *Console) renderUnits(w http.ResponseWriter, r *http.Request, status int, date, from, message, errMsg string, form url4) {
	loc := c.d.Location
	now := c.now().In(loc)
	on := ntm.Date(now.Year(), now.Month(), now.Day())
	if date != "" {
		t, err := time.Parse("2006-01-02", date)
		if err != nil {
			c.pageError(w, r, ntm.Errorf(ntm.CodeInvalid, "Ngày %q không hợp lệ: chọn ngày trong ô \"Ngày\".", date))
			return
		}
		on = t
	}
	var since time.Time
	if from != "" {
		t, err := time.Parse("2006-01-02", from)
		if err != nil {
			c.pageError(w, r, ntm.Errorf(ntm.CodeInvalid, "Ngày %q không hợp lệ: chọn ngày trong ô \"Liên kết từ ngày\".", from))
			return
		}
		since = t
	}
	page, err := c.unitsPageData(r.Context(), on, since)
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	page.Message, page.Error, page.Form = message, errMsg, form
	page.From = from
	c.render(w, r, status, "units", layoutData{Title: "Đơn vị hành chính", Nav: "units", Page: page})
}

func (c *Console) unitsPageData(ctx context.Context, on, since time.Time) (*unitsPage, error) {
	h, err := units.Load(ctx, c.d.Pool, units.LoadOptions{})
	if err != nil {
		return nil, err
	}
	p := &unitsPage{Date: on.Format("2006-01-02"), DateLabel: vnfmt.Date(on), Counts: units.CountText(h.Count(on))}
	first := units.Beginning
	if vs := h.All(); len(vs) > 0 {
		first = vs[0].From
		for _, v := range vs {
			if v.From.Before(first) {
				first = v.From
			}
		}
	}
	days := append([]time.Time{first}, h.Changes()...)
	for i, d := range days {
		if i > 0 && d.Equal(days[i-1]) {
			continue
		}
		label := "Từ " + vnfmt.Date(d)
		if !d.After(units.Beginning) {
			label = "Ban đầu"
		}
		p.Changes = append(p.Changes, unitsChange{Day: label, Counts: units.CountText(h.Count(d))})
	}
	for _, l := range h.LinksFrom(since) {
		if l.Old == l.New && l.Source == units.SourceContinuation {
			p.Continuations++
			continue
		}
		src := units.SourceLabel(l.Source)
		if l.BatchID != 0 {
			src += fmt.Sprintf(", lô %d", l.BatchID)
		}
		if l.Source == units.SourceOffice {
			src += " (" + l.Who + ")"
		}
		if l.Note != "" {
			src += ": " + l.Note
		}
		p.Links = append(p.Links, unitsLink{From: vnfmt.Date(l.From), FromISO: l.From.Format("2006-01-02"),
			Old: end(l.OldVersion, l.Old), OldCode: l.Old, New: end(l.NewVersion, l.New), NewCode: l.New,
			Kind: l.KindLabel(), Source: src, Partial: l.Partial, Invalid: !l.Valid()})
	}
	for _, d := range h.Changes() {
		if d.Before(since) {
			continue
		}
		for _, v := range h.ClosedWithoutSuccessor(d) {
			if v.Level == ntm.LevelDistrict && h.Count(d)[ntm.LevelDistrict] == 0 {
				continue // the district level was abolished: no successor by nature
			}
			p.Closed = append(p.Closed, unitsClosed{Label: v.Label(), Closed: vnfmt.Date(d),
				Hint: fmt.Sprintf("ntm units successors add %s MÃ_MỚI --from %s", v.Code, vnfmt.Date(d))})
		}
	}
	aliases, err := units.Aliases(ctx, c.d.Pool)
	if err != nil {
		return nil, err
	}
	for _, a := range aliases {
		ua := unitsAlias{ID: a.ID, Name: a.Name, Note: a.Note, By: a.Who, When: c.formatTime(a.Added), Unit: unitLabel(h, a.Code)}
		if a.Parent != "" {
			ua.Parent = unitLabel(h, a.Parent)
		}
		p.Aliases = append(p.Aliases, ua)
	}
	return p, nil
}

// end names one end of a link.
func end(v *units.Version, code string) string {
	if v == nil {
		return code + " (không có hiệu lực ngày đó)"
	}
	return v.Label()
}

// unitLabel names a code by its newest version.
func unitLabel(h *units.History, code string) string {
	vs := h.Versions(code)
	if len(vs) == 0 {
		return code + " (không có trong danh mục)"
	}
	return vs[len(vs)-1].Label()
}

// unitsDate reads a date field of a units form: yyyy-mm-dd (the date input) or dd/mm/yyyy.
func unitsDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// unitsRefused shows the page again with the office's error (an ntm.Error's message and
// status) and what it typed.
func (c *Console) unitsRefused(w http.ResponseWriter, r *http.Request, err error, form url4) {
	status := ntm.ErrorCode(err).HTTPStatus()
	if ntm.ErrorCode(err) == ntm.CodeInternal {
		c.log.Error("units form", zap.Error(err))
	}
	c.renderUnits(w, r, status, "", "", "", ntm.ErrorMessage(err), form)
}
