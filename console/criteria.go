package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/msg"
	"ntm/vnfmt"
)

// criteriaPage is the criteria sets: which is in force on a day (and for the month it ends),
// every loaded set with its validity, and the criteria of the set shown — all read from the
// set files through evaluate (nothing about a criterion is written here).
type criteriaPage struct {
	Date, DateLabel string
	Sets            []criteriaSetRow
	Shown           *criteriaSetView // nil: no set in force on the day and none asked for
	NoSet           string           // why nothing is in force on the day
}

type criteriaSetRow struct {
	Key, Name, Validity string
	InForce, Shown      bool
	URL                 string
}

type criteriaSetView struct {
	Key, Name, Validity, Basis string
	Builtin, InForce           bool
	Stale, Window, Locality    string
	Warning                    string // the built-in 2021–2025 set deciding a later month
	Criteria                   []criteriaRow
	PerGroup                   bool
	Groups                     string // the communes per group on the day, when the set has per-group thresholds
}

type criteriaRow struct {
	Position                int
	Key, Name, Level, Kinds string
	Threshold               []string
	How, Measure, Todo      string
}

// criteriaShow serves GET /criteria?date=D&key=K: the set in force on D (default today), or set K.
func (c *Console) criteriaShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := c.now().In(c.d.Location)
	on := ntm.Date(now.Year(), now.Month(), now.Day())
	if d := q.Get("date"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			c.pageError(w, r, ntm.Wrap(ntm.CodeInvalid, err, "Ngày %q không hợp lệ: chọn ngày trong ô \"Ngày\".", d))
			return
		}
		on = t
	}
	page, err := c.criteriaPageData(r.Context(), on, q.Get("key"))
	if err != nil && ntm.ErrorCode(err) != ntm.CodeNotFound {
		err = ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if err != nil {
		c.pageError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "criteria", layoutData{Title: "Bộ tiêu chí", Nav: "criteria", Page: page})
}

func (c *Console) criteriaPageData(ctx context.Context, on time.Time, key string) (*criteriaPage, error) {
	p := &criteriaPage{Date: on.Format("2006-01-02"), DateLabel: vnfmt.Date(on)}
	inForce, err := evaluate.SetInForce(ctx, c.d.Pool, on)
	switch {
	case ntm.ErrorCode(err) == ntm.CodeNotFound:
		p.NoSet, inForce = ntm.ErrorMessage(err), nil
	case err != nil:
		return nil, err
	}
	shown := inForce
	if key != "" {
		if shown, err = evaluate.LoadSet(ctx, c.d.Pool, key); err != nil {
			return nil, err
		}
	}
	sets, err := evaluate.Sets(ctx, c.d.Pool)
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		p.Sets = append(p.Sets, criteriaSetRow{Key: s.Key, Name: s.Name, Validity: s.Validity(),
			InForce: inForce != nil && s.Key == inForce.Key, Shown: shown != nil && s.Key == shown.Key,
			URL: "/criteria?date=" + p.Date + "&key=" + s.Key})
	}
	if shown == nil {
		return p, nil
	}
	v := &criteriaSetView{Key: shown.Key, Name: shown.Name, Validity: shown.Validity(), Basis: shown.BasisText(),
		Builtin: shown.Builtin, InForce: inForce != nil && shown.Key == inForce.Key,
		Stale:    fmt.Sprintf("%d tháng trước ngày cuối kỳ", shown.StaleMonths),
		Window:   map[string]string{"year": "từ 01/01 đến cuối kỳ", "quarter": "từ đầu quý đến cuối kỳ", "month": "trong tháng của kỳ"}[shown.DossierWindow],
		Locality: map[string]string{"commune": "sản phẩm của xã", "village": "sản phẩm của thôn"}[shown.OCOPLocality]}
	if v.InForce {
		v.Warning = evaluate.SetWarning(shown, ntm.PeriodOf(on))
	}
	for _, sc := range shown.Criteria {
		kinds := "mọi đơn vị"
		if len(sc.Kinds) > 0 {
			kinds = strings.Join(sc.Kinds, ", ")
		}
		v.PerGroup = v.PerGroup || sc.PerGroup()
		v.Criteria = append(v.Criteria, criteriaRow{Position: sc.Position, Key: sc.Key, Name: sc.Name, Level: sc.Level.Label(),
			Kinds: kinds, Threshold: sc.ThresholdLines(), How: sc.HowText(), Measure: sc.Measure, Todo: sc.Action})
	}
	if v.PerGroup {
		if v.Groups, err = groupCounts(ctx, c, on); err != nil {
			return nil, err
		}
	}
	p.Shown = v
	return p, nil
}

// groupCounts says how many communes in force on day are in each group, and how many have none
// (their per-group criteria are no data until a group file is loaded).
func groupCounts(ctx context.Context, c *Console, day time.Time) (string, error) {
	gs, err := evaluate.ListGroups(ctx, c.d.Pool, day)
	if err != nil {
		return "", err
	}
	n := map[int]int{}
	for _, g := range gs {
		n[g.Group]++
	}
	parts := make([]string, 0, len(evaluate.Groups)+1)
	for _, g := range evaluate.Groups {
		parts = append(parts, fmt.Sprintf("nhóm %d: %s xã", g, vnfmt.Int(int64(n[g]))))
	}
	parts = append(parts, fmt.Sprintf("chưa xếp nhóm: %s xã", vnfmt.Int(int64(n[0]))))
	return strings.Join(parts, "; "), nil
}
