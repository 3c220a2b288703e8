package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/fold"
	"ntm/units"
)

// step is one thing a village (or a commune, a district) must do for one criterion: an action
// from the criteria registry, and for missing data its cause in words a commune understands.
type step struct {
	Key    string
	Status ntm.Status
	Stale  bool
	Action string // "Gắn địa chỉ số cho 5 hộ còn thiếu", "Gửi lại phiếu khảo sát"
	Cause  string // no data only: why (no form, blank answer, rejected row, data too old)
}

// evalResult is a stored result as evaluate's registry reads it.
func evalResult(r *result) evaluate.Result {
	er := evaluate.Result{UnitCode: r.UnitCode, UnitName: r.UnitName, Level: ntm.Level(r.Level), Criterion: r.Criterion,
		Status: r.Status, Threshold: evaluate.Frac(r.ThNum, r.ThDen), Explanation: r.Explanation, Detail: r.details()}
	if r.HasValue {
		v := evaluate.Frac(r.Num, r.Den)
		er.Value = &v
	}
	return er
}

// criterionDataset is the dataset a village criterion reads (to trace a rejected row).
func (d *data) criterionDataset(key string) string {
	switch d.def(key).Measure {
	case evaluate.MeasureTeam, evaluate.MeasurePlatform, evaluate.MeasureWifi, evaluate.MeasureModels:
		return string(ntm.DatasetVillageSurvey)
	case evaluate.MeasureAddress:
		return string(ntm.DatasetVpostcode)
	case evaluate.MeasureOCOP:
		return string(ntm.DatasetOCOPProducts)
	}
	return ""
}

// tracer finds the file behind a result (its batch) and the rejected rows that name a village.
type tracer struct {
	files   map[int64]string     // batch id → file name
	rejects []rejectInfo         // the rejected rows of the workbook's scope
	folded  []string             // their raw text, ASCII-folded words, lower case, space-padded
	h       *units.History       // to name a village as the rows may: by an old code or name
	end     time.Time            // the period end: the structure the villages are of
	tokens  map[[2]string]string // nameToken's, by name and folded name: a commune's is asked for each of its villages
}

func (w *workbook) newTracer(ctx context.Context) (*tracer, error) {
	if w.trace != nil {
		return w.trace, nil
	}
	src, err := w.d.sources(ctx, w.q)
	if err != nil {
		return nil, err
	}
	t := &tracer{files: src.files, end: w.d.period.End()}
	if t.rejects, t.folded, _, err = w.scopeRejects(ctx, src.batches); err != nil {
		return nil, err
	}
	if len(t.rejects) > 0 {
		if t.h, err = w.history(ctx); err != nil {
			return nil, err
		}
	}
	w.trace = t
	return t, nil
}

// villageName is one way a rejected row can name a village: a version of the village or of one
// of its full predecessors — its code, for a row dated while the code meant that village (the
// reform gave old codes to other villages), or its name within its commune's name.
type villageName struct {
	code          string    // space-padded folded words ("06481 007")
	from, to      time.Time // when the code meant this village (to zero: still does)
	first         bool      // the code's first version (a row dated before it belongs to it)
	name, commune string    // space-padded folded names, kind left out ("nam ngoa", "lien son")
}

// nameToken is how a file names a unit, folded: its name without the kind ("Thôn", "Xã"), which
// exports abbreviate or leave out ("X. Liên Sơn", "Nặm Ngòa"), unless that leaves a number
// ("Tổ dân phố 1" stays whole).
func nameToken(name, folded string) string {
	if folded == "" || strings.ContainsAny(folded, "0123456789") {
		folded = name
	}
	return " " + strings.ToLower(words(fold.ASCII(folded))) + " "
}

// nameToken is nameToken(name, folded), remembered for the workbook.
func (t *tracer) nameToken(name, folded string) string {
	k := [2]string{name, folded}
	if tok, ok := t.tokens[k]; ok {
		return tok
	}
	if t.tokens == nil {
		t.tokens = map[[2]string]string{}
	}
	tok := nameToken(name, folded)
	t.tokens[k] = tok
	return tok
}

// namesOf lists the ways rows can name the village code in force at the period end (name and
// commune name: its own when the history does not hold it).
func (t *tracer) namesOf(code, name, communeName, communeFolded string) []villageName {
	var v *units.Version
	if t.h != nil {
		v = t.h.At(code, t.end)
	}
	if v == nil {
		return []villageName{{code: " " + strings.ToLower(words(code)) + " ", first: true,
			name: t.nameToken(name, ""), commune: t.nameToken(communeName, communeFolded)}}
	}
	vs := []*units.Version{v}
	for _, a := range t.h.Predecessors(v) {
		if !a.Partial && a.Version.Level == ntm.LevelVillage {
			vs = append(vs, a.Version)
		}
	}
	out := make([]villageName, 0, len(vs))
	for _, x := range vs {
		at := x.To
		if at.IsZero() {
			at = t.end
		}
		n := villageName{code: " " + strings.ToLower(words(x.Code)) + " ", from: x.From, to: x.To,
			first: len(t.h.Versions(x.Code)) > 0 && t.h.Versions(x.Code)[0] == x, name: t.nameToken(x.Name, x.Folded)}
		if p := t.h.Parent(x, at); p != nil {
			n.commune = t.nameToken(p.Name, p.Folded)
		}
		out = append(out, n)
	}
	return out
}

// names reports whether a rejected row (its folded text, its date) names the village.
func (n villageName) names(text string, date time.Time) bool {
	if strings.Contains(text, n.code) && (n.first || !date.Before(n.from)) && (n.to.IsZero() || !date.After(n.to)) {
		return true
	}
	return n.commune != "" && strings.Contains(text, n.name) && strings.Contains(text, n.commune)
}

// rejectedRow is the first rejected row of dataset that names the village (by one of its names,
// see namesOf) and is dated after since (zero: any date), nil when none does.
func (t *tracer) rejectedRow(dataset string, names []villageName, since time.Time) *rejectInfo {
	for i, r := range t.rejects {
		if dataset != "" && r.Dataset != dataset || !since.IsZero() && !r.Date.After(since) {
			continue
		}
		for _, n := range names {
			if n.names(t.folded[i], r.Date) {
				return &t.rejects[i]
			}
		}
	}
	return nil
}

func detailNum(r *result, k string) int64 {
	n, _ := detailInt(r, k)
	return n
}

func detailDate(r *result, k string) string {
	s, _ := r.details()[k].(string)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("02/01/2006")
	}
	return ""
}

// fileRow is "tệp vpostcode-2024-11.xlsx, trang Chi Lăng, dòng 65".
func fileRow(file, sheet string, row int) string {
	s := "tệp " + file
	if sheet != "" {
		s += ", trang " + sheet
	}
	if row > 0 {
		s += fmt.Sprintf(", dòng %d", row)
	}
	return s
}

// rejectedText is a rejected row told for a commune: where it is and why it was not read.
func rejectedText(r *rejectInfo) string {
	s := fileRow(r.FileName, r.Sheet, r.Row)
	if r.Col != "" {
		s += ", cột “" + r.Col + "”"
	}
	return s + " bị loại: " + r.Reason
}

// steps lists what a village must do for each condition it does not meet, in the set's order,
// each missing value with its cause.
func (w *workbook) steps(t *tracer, keys []string, code, name, commune string, rs map[string]*result) []step {
	d := w.d
	var names []villageName
	var out []step
	for _, k := range keys {
		r := rs[k]
		def := d.def(k)
		if r == nil {
			out = append(out, step{Key: k, Status: ntm.StatusNoData, Action: def.DataAction, Cause: "Chưa được đánh giá"})
			continue
		}
		if r.Status == ntm.StatusMet {
			continue
		}
		s := step{Key: k, Status: r.Status, Action: def.ActionFor(evalResult(r))}
		if r.Status == ntm.StatusNoData {
			if names == nil {
				names = w.villageNames(t, code, name, commune)
			}
			var rej *rejectInfo
			s.Stale = stale(r)
			s.Cause, rej = w.cause(t, r, names)
			if rej != nil {
				s.Action = "Sửa và gửi lại " + fileRow(rej.FileName, rej.Sheet, rej.Row) + " (" + rej.Reason + ")"
			} else if s.Stale {
				s.Action = def.DataAction + " (số liệu hiện có đã cũ)"
			}
		}
		out = append(out, s)
	}
	return out
}

// villageNames are the ways rows can name a village of the scope (see tracer.namesOf).
func (w *workbook) villageNames(t *tracer, code, name, commune string) []villageName {
	communeName, communeFolded := commune, ""
	if u := w.d.units[commune]; u != nil {
		communeName, communeFolded = u.Name, u.Folded
	}
	return t.namesOf(code, name, communeName, communeFolded)
}

// cause is why a village has no data for a criterion, told for a commune: the evaluation's
// explanation, the file and row it read (data too old), and a rejected row that names the
// village — newer than the stale data when there is some — with its file, row and reason; rej is
// that row (to correct and send again), nil when none.
func (w *workbook) cause(t *tracer, r *result, names []villageName) (cause string, rej *rejectInfo) {
	cause = r.Explanation
	if id := detailNum(r, "batch_id"); id > 0 && t.files[id] != "" {
		sheet, _ := r.details()["sheet"].(string)
		cause += " (" + fileRow(t.files[id], sheet, int(detailNum(r, "row"))) + ")"
	}
	var since time.Time
	if s, _ := r.details()["as_of"].(string); s != "" {
		since, _ = time.Parse("2006-01-02", s)
		if !stale(r) {
			since = since.AddDate(0, 0, -1) // a blank answer's own file counts
		}
	}
	if rej = t.rejectedRow(w.d.criterionDataset(r.Criterion), names, since); rej == nil {
		return cause, nil
	}
	if stale(r) {
		return cause + "; số liệu mới hơn ở " + rejectedText(rej), rej
	}
	return cause + "; " + rejectedText(rej), rej
}

// actionText is a village's steps as lines: one action a line, actions repeated by several
// conditions (one survey answers four) told once with their conditions.
func (d *data) actionText(steps []step) string {
	type line struct {
		action string
		keys   []string
	}
	var lines []*line
	byAction := map[string]*line{}
	for _, s := range steps {
		if s.Action == "" {
			continue
		}
		l := byAction[s.Action]
		if l == nil {
			l = &line{action: s.Action}
			byAction[s.Action] = l
			lines = append(lines, l)
		}
		l.keys = append(l.keys, d.def(s.Key).Short)
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		t := "• " + l.action
		if len(l.keys) > 1 {
			t += " (" + strings.Join(l.keys, ", ") + ")"
		}
		out = append(out, t)
	}
	return strings.Join(out, "\n")
}

// causeText lists the causes of a village's missing data, one a line.
func (d *data) causeText(steps []step) string {
	var out []string
	seen := map[string]bool{}
	for _, s := range steps {
		if s.Cause == "" || seen[s.Cause] {
			continue
		}
		seen[s.Cause] = true
		out = append(out, d.def(s.Key).Short+": "+s.Cause)
	}
	return strings.Join(out, "\n")
}

// sortSteps orders villages nearest to smart first: fewest conditions left, then fewest not met.
func sortByDistance[T any](xs []T, steps func(T) []step) {
	sort.SliceStable(xs, func(i, j int) bool {
		a, b := steps(xs[i]), steps(xs[j])
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return countNotMet(a) < countNotMet(b)
	})
}

func countNotMet(ss []step) int {
	n := 0
	for _, s := range ss {
		if s.Status == ntm.StatusNotMet {
			n++
		}
	}
	return n
}
