package evaluate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ntm"
	"ntm/db"
	"ntm/vnfmt"
)

type surveyRow struct {
	asOf                   time.Time
	batch                  int64
	sheet                  string
	row                    int
	team, platform, wifi   *bool
	teamDecision, platName string
	models                 *int64
	modelFields            string
	detail, staleDetail    map[string]any // shared by the village's survey rows
	// Set when the row combines (or stands for) predecessors' surveys: via qualifies every
	// explanation, blank names the survey that left an item empty, differ the items the
	// predecessors answered differently (no data: the village's own survey is needed).
	via    string
	blank  map[string]string // item → the predecessor whose survey left it empty
	differ map[string]bool
	from   []map[string]any // the predecessors' rows (detail "predecessors")
}

type addressRow struct {
	asOf              time.Time
	batch             int64
	sheet             string
	row               int
	hhTotal, hhWith   int64
	orgTotal, orgWith int64
	via               string           // set when the row sums (or stands for) predecessors' rows
	from              []map[string]any // the predecessors' rows (detail "predecessors")
}

// product is a current OCOP product as V5 counts it: held for the whole country while the
// parts are evaluated, so only what V5 reads.
type product struct {
	dedupe           string // the product's identity across lists: its code, else folded name and owner
	name             string
	commune, village string
	valid            bool
	listed           bool      // counts as listed on some platform
	unitDate         time.Time // the list's reference date: which units its codes name
}

// loadSurveys reads the surveys recorded under codes (a part's lineage) as of end.
func loadSurveys(ctx context.Context, q db.Querier, l *lineage, end time.Time, codes []string) (*byVersion[*surveyRow], error) {
	rows, err := q.Query(ctx, query("village_survey"), end, codes)
	if err != nil {
		return nil, fmt.Errorf("read village surveys: %w", err)
	}
	defer rows.Close()
	out := newByVersion[*surveyRow]()
	for rows.Next() {
		var code string
		s := &surveyRow{}
		if err := rows.Scan(&code, &s.asOf, &s.batch, &s.sheet, &s.row, &s.team, &s.teamDecision,
			&s.platform, &s.platName, &s.wifi, &s.models, &s.modelFields); err != nil {
			return nil, fmt.Errorf("read village surveys: %w", err)
		}
		out.put(l, code, s.asOf, s)
	}
	return out, rows.Err()
}

// loadAddresses reads the digital-address coverage recorded under codes as of end.
func loadAddresses(ctx context.Context, q db.Querier, l *lineage, end time.Time, codes []string) (*byVersion[*addressRow], error) {
	rows, err := q.Query(ctx, query("vpostcode"), end, codes)
	if err != nil {
		return nil, fmt.Errorf("read digital-address coverage: %w", err)
	}
	defer rows.Close()
	out := newByVersion[*addressRow]()
	for rows.Next() {
		var code string
		a := &addressRow{}
		if err := rows.Scan(&code, &a.asOf, &a.batch, &a.sheet, &a.row, &a.hhTotal, &a.hhWith, &a.orgTotal, &a.orgWith); err != nil {
			return nil, fmt.Errorf("read digital-address coverage: %w", err)
		}
		out.put(l, code, a.asOf, a)
	}
	return out, rows.Err()
}

// ocopValidityMonths is how long a certificate holds when the list gives no expiry (docs/datasets.md).
const ocopValidityMonths = 36

// loadProducts reads the country's current OCOP products at end (a few per commune: each part
// takes those of its lineage, partProducts); false when no product list counts.
func loadProducts(ctx context.Context, q db.Querier, end time.Time) (bool, []*product, error) {
	var haveAny bool
	if err := q.QueryRow(ctx, query("ocop_any"), end).Scan(&haveAny); err != nil {
		return false, nil, fmt.Errorf("read OCOP product lists: %w", err)
	}
	if !haveAny {
		return false, nil, nil
	}
	rows, err := q.Query(ctx, query("ocop_products"), end, ocopValidityMonths)
	if err != nil {
		return false, nil, fmt.Errorf("read OCOP products: %w", err)
	}
	defer rows.Close()
	var out []*product
	var key, code, owner, decision, foldedName, foldedOwner string
	var stars int
	var certified, expires *time.Time
	var platforms []string
	for rows.Next() {
		p := &product{}
		if err := rows.Scan(&key, &code, &p.name, &owner, &stars, &p.commune, &p.village,
			&decision, &certified, &expires, &p.valid, &platforms, &foldedName, &foldedOwner, &p.unitDate); err != nil {
			return false, nil, fmt.Errorf("read OCOP products: %w", err)
		}
		p.dedupe, p.listed = code, len(platforms) > 0
		if code == "" {
			p.dedupe = foldedName + "|" + foldedOwner
		}
		out = append(out, p)
	}
	return true, out, rows.Err()
}

// villages computes the set's village criteria for every village of the part, in dependency
// order, one village at a time (so that rows sharing a detail map are stored next to each other).
func (e *evaluator) villages(crits []*SetCriterion) error {
	if len(e.st.villages) == 0 || len(crits) == 0 {
		return nil
	}
	surveys, addrs, ocop := e.surveys, e.addrs, e.ocop
	for _, v := range e.st.villages {
		var survey *surveyRow
		var noSurvey string
		if surveys != nil {
			survey, noSurvey = e.surveyOf(v, surveys)
		}
		var addr *addressRow
		var noAddr string
		if addrs != nil {
			addr, noAddr = e.addressOf(v, addrs)
		}
		for _, c := range crits {
			if !c.AppliesTo(v.Kind) {
				continue
			}
			t, ok := e.threshold(c, v)
			if !ok {
				continue
			}
			switch c.Measure {
			case MeasureTeam, MeasurePlatform, MeasureWifi, MeasureModels:
				e.survey(v, c, t, survey, noSurvey)
			case MeasureAddress:
				e.address(v, c, t, addr, noAddr)
			case MeasureOCOP:
				locality := v.Parent
				if e.set.OCOPLocality == "village" {
					locality = v.Code
				}
				o := ocop[locality]
				if o == nil {
					o = ocop[""]
				}
				st := o.status
				if o.value != nil {
					st = decided(*o.value, t)
				}
				e.emit(v, c, t, st, o.value, o.expl, o.detail(locality), false)
			case MeasureAllOf, MeasureAtLeastOf:
				e.composite(v, c, t)
			default:
				return fmt.Errorf("criterion %s: measure %s cannot decide a village", c.Key, c.Measure)
			}
		}
		if survey != nil {
			// A survey row of its own is this village's alone: its detail maps, now held by
			// the village's results, need not outlive them.
			survey.detail, survey.staleDetail = nil, nil
		}
		// Stored while the next villages are computed (a chunk ends between villages, so
		// that rows sharing a detail map stay together).
		if err := e.spill(resultChunk); err != nil {
			return err
		}
	}
	return nil
}

// sourceDetail records where a fact came from, so that any result can be traced.
func sourceDetail(asOf time.Time, batch int64, sheet string, row int) map[string]any {
	return map[string]any{"as_of": isoDate(asOf), "batch_id": batch, "sheet": sheet, "row": row}
}

func (e *evaluator) staleText(asOf time.Time) string {
	return fmt.Sprintf("Số liệu ngày %s đã quá %d tháng", vnfmt.Date(asOf), e.set.StaleMonths)
}

// survey decides one survey answer (team, platform, WiFi, models) from the village's latest
// self-assessment. The rows of one village share one detail map (stored once as JSON).
func (e *evaluator) survey(v *unit, c *SetCriterion, t Fraction, s *surveyRow, none string) {
	if s == nil {
		if none == "" {
			none = "Chưa có phiếu tự đánh giá của thôn"
		}
		e.emit(v, c, t, ntm.StatusNoData, nil, none, nil, false)
		return
	}
	if s.asOf.Before(e.fresh) {
		if s.staleDetail == nil {
			s.staleDetail = sourceDetail(s.asOf, s.batch, s.sheet, s.row)
			s.staleDetail["stale"] = true
		}
		e.emit(v, c, t, ntm.StatusNoData, nil, e.staleText(s.asOf)+" (phiếu tự đánh giá)"+s.via, s.staleDetail, false)
		return
	}
	if s.detail == nil {
		s.detail = sourceDetail(s.asOf, s.batch, s.sheet, s.row)
		if s.from != nil {
			s.detail["predecessors"] = s.from
		}
	}
	d := s.detail
	blank := func(label string) string {
		switch {
		case s.differ[label]:
			return fmt.Sprintf("Các thôn trước sắp xếp trả lời khác nhau mục “%s”: cần phiếu tự đánh giá của chính thôn%s", label, s.via)
		case s.blank[label] != "":
			return fmt.Sprintf("Phiếu tự đánh giá của %s để trống mục “%s”%s", s.blank[label], label, s.via)
		}
		return fmt.Sprintf("Phiếu tự đánh giá ngày %s để trống mục “%s”", vnfmt.Date(s.asOf), label)
	}
	yesNo := func(b *bool, label, note string) {
		if b == nil {
			e.emit(v, c, t, ntm.StatusNoData, nil, blank(label), d, false)
			return
		}
		val := Count(0)
		answer := "Không"
		if *b {
			val, answer = Count(1), "Có"
			if note = strings.TrimSpace(note); note != "" {
				answer += " (" + note + ")"
			}
		}
		e.emit(v, c, t, decided(val, t), ptr(val), label+": "+answer+s.via, d, false)
	}
	switch c.Measure {
	case MeasureTeam:
		dec := strings.TrimSpace(s.teamDecision)
		if dec != "" && !strings.HasPrefix(strings.ToLower(dec), "qđ") && !strings.HasPrefix(strings.ToLower(dec), "quyết định") {
			dec = "QĐ " + dec
		}
		yesNo(s.team, labelTeam, dec)
	case MeasurePlatform:
		yesNo(s.platform, labelPlatform, s.platName)
	case MeasureWifi:
		yesNo(s.wifi, labelWifi, "")
	case MeasureModels:
		if s.models == nil {
			e.emit(v, c, t, ntm.StatusNoData, nil, blank(labelModels), d, false)
			return
		}
		n := *s.models
		expl := "Chưa có mô hình chuyển đổi số"
		if n > 0 {
			expl = fmt.Sprintf("Có %s mô hình chuyển đổi số", vnfmt.Int(n))
			if f := strings.TrimSpace(s.modelFields); f != "" {
				expl += " (" + f + ")"
			}
		}
		e.emit(v, c, t, decided(Count(n), t), ptr(Count(n)), expl+s.via, d, false)
	}
}

func (e *evaluator) address(v *unit, c *SetCriterion, t Fraction, a *addressRow, none string) {
	if a == nil {
		if none == "" {
			none = "Chưa có số liệu địa chỉ số (Vpostcode) của thôn"
		}
		e.emit(v, c, t, ntm.StatusNoData, nil, none, nil, false)
		return
	}
	d := sourceDetail(a.asOf, a.batch, a.sheet, a.row)
	if a.from != nil {
		d["predecessors"] = a.from
	}
	d["households_total"], d["households_with"] = a.hhTotal, a.hhWith
	d["orgs_total"], d["orgs_with"] = a.orgTotal, a.orgWith
	if a.asOf.Before(e.fresh) {
		d["stale"] = true
		e.emit(v, c, t, ntm.StatusNoData, nil, e.staleText(a.asOf)+" (địa chỉ số)"+a.via, d, false)
		return
	}
	if a.hhTotal <= 0 {
		// Every village has households: a zero total is a data error, not 100% coverage.
		e.emit(v, c, t, ntm.StatusNoData, nil,
			fmt.Sprintf("Số liệu ngày %s ghi tổng số hộ bằng 0: cần kiểm tra lại%s", vnfmt.Date(a.asOf), a.via), d, false)
		return
	}
	hh := Frac(a.hhWith, a.hhTotal)
	org := Count(1) // no organisations: that half holds
	if a.orgTotal > 0 {
		org = Frac(a.orgWith, a.orgTotal)
	}
	value := hh
	if org.Less(hh) {
		value = org
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s hộ đã gắn địa chỉ số", vnfmt.Int(a.hhWith), vnfmt.Int(a.hhTotal))
	if a.hhWith < a.hhTotal {
		fmt.Fprintf(&b, "; còn thiếu %s", vnfmt.Int(a.hhTotal-a.hhWith))
	}
	if a.orgTotal > 0 {
		fmt.Fprintf(&b, "; %s/%s cơ quan, tổ chức", vnfmt.Int(a.orgWith), vnfmt.Int(a.orgTotal))
		if a.orgWith < a.orgTotal {
			fmt.Fprintf(&b, " (còn thiếu %s)", vnfmt.Int(a.orgTotal-a.orgWith))
		}
	} else {
		b.WriteString("; không có cơ quan, tổ chức")
	}
	b.WriteString(a.via)
	e.emit(v, c, t, decided(value, t), ptr(value), b.String(), d, false)
}

// ocopOutcome is V5 for one locality (a commune, or a village when the set says so).
type ocopOutcome struct {
	status   ntm.Status
	value    *Fraction
	expl     string
	valid    int
	listed   int
	expired  int
	unlisted []string
	shared   []string // products of a split commune, counted for each of its successors
	noList   bool     // no product list counts at the period end
}

func (o *ocopOutcome) detail(locality string) map[string]any {
	if o.noList {
		return map[string]any{"locality": locality, "product_list": false}
	}
	d := map[string]any{"locality": locality, "valid": o.valid, "listed": o.listed, "expired": o.expired}
	if len(o.unlisted) > 0 {
		u := o.unlisted
		if len(u) > 20 {
			u = u[:20]
		}
		d["unlisted"] = u
	}
	if len(o.shared) > 0 {
		d["shared"] = o.shared
	}
	return d
}

// ocopByLocality computes V5 once per locality of products, placed by lineage l; the key ""
// holds the outcome for a locality without products. It reads only the set of e (it runs
// beside the computation of another part).
func (e *evaluator) ocopByLocality(l *lineage, haveList bool, products []*product) map[string]*ocopOutcome {
	where := "Xã"
	if e.set.OCOPLocality == "village" {
		where = "Thôn"
	}
	if !haveList {
		return map[string]*ocopOutcome{"": {status: ntm.StatusNoData, expl: "Chưa có danh sách sản phẩm OCOP", noList: true}}
	}
	type acc struct {
		valid, expired []*product
		shared         []string
	}
	type placedAt struct {
		keys []string // dedupe keys in the order first placed
		by   map[string]placed
	}
	placedBy := map[string]*placedAt{}
	var locs []string
	for _, pl := range e.placeProducts(l, products) {
		pa := placedBy[pl.loc]
		if pa == nil {
			pa = &placedAt{by: map[string]placed{}}
			placedBy[pl.loc] = pa
			locs = append(locs, pl.loc)
		}
		// One product reaching a unit twice (listed under an old commune, and again under its
		// successor): the newer list's row counts.
		if old, ok := pa.by[pl.dedupe]; ok {
			if !pl.p.unitDate.After(old.p.unitDate) {
				continue
			}
		} else {
			pa.keys = append(pa.keys, pl.dedupe)
		}
		pa.by[pl.dedupe] = pl
	}
	by := map[string]*acc{}
	for _, loc := range locs {
		pa := placedBy[loc]
		a := &acc{}
		by[loc] = a
		for _, k := range pa.keys {
			pl := pa.by[k]
			if pl.p.valid {
				a.valid = append(a.valid, pl.p)
				if pl.shared {
					a.shared = append(a.shared, pl.p.name)
				}
			} else {
				a.expired = append(a.expired, pl.p)
			}
		}
	}
	out := map[string]*ocopOutcome{"": {status: ntm.StatusMet, expl: where + " không có sản phẩm OCOP còn hiệu lực"}}
	for loc, a := range by {
		o := &ocopOutcome{valid: len(a.valid), expired: len(a.expired)}
		out[loc] = o
		if len(a.valid) == 0 {
			o.status = ntm.StatusMet
			o.expl = fmt.Sprintf("%s không có sản phẩm OCOP còn hiệu lực (%d sản phẩm đã hết hạn chứng nhận)", where, len(a.expired))
			continue
		}
		for _, p := range a.valid {
			if p.listed {
				o.listed++
			} else {
				o.unlisted = append(o.unlisted, p.name)
			}
		}
		o.value = ptr(Frac(int64(o.listed), int64(o.valid))) // the status is decided per village's threshold
		o.expl = fmt.Sprintf("%d/%d sản phẩm OCOP còn hiệu lực của %s đã lên sàn TMĐT", o.listed, o.valid, strings.ToLower(where))
		if len(o.unlisted) > 0 {
			o.expl += "; chưa lên sàn: " + firstNames(o.unlisted, 3)
		}
		if len(a.shared) > 0 {
			o.shared = a.shared
			o.expl += fmt.Sprintf("; gồm %d sản phẩm của xã cũ đã chia cho nhiều xã, tính cho mỗi xã kế tiếp: %s",
				len(a.shared), firstNames(a.shared, 3))
		}
	}
	return out
}

// composite applies the count rule over the criterion's parts for unit u, k = the threshold
// (all parts for all_of). The noun says what the parts are: conditions of a village, ratios,
// or criteria.
func (e *evaluator) composite(u *unit, c *SetCriterion, k Fraction) {
	var met, notMet, noData []string
	ratios := true
	for _, key := range c.Parts {
		ratios = ratios && e.set.byKey[key].Value == ValueRatio
		switch e.status(key, u.Code) {
		case ntm.StatusMet:
			met = append(met, key)
		case ntm.StatusNotMet:
			notMet = append(notMet, key)
		default:
			noData = append(noData, key)
		}
	}
	noun := "tiêu chí"
	switch {
	case c.Level == ntm.LevelVillage:
		noun = "điều kiện"
	case ratios:
		noun = "tỷ lệ"
	}
	short := func(keys []string) string {
		s := make([]string, len(keys))
		for i, k := range keys {
			s[i] = e.set.byKey[k].Short
		}
		return strings.Join(s, ", ")
	}
	expl := fmt.Sprintf("Đạt %d/%d %s", len(met), len(c.Parts), noun)
	if c.Measure == MeasureAtLeastOf {
		expl += fmt.Sprintf(" (cần %s)", k.String())
	}
	if len(notMet) > 0 {
		expl += "; chưa đạt: " + short(notMet)
	}
	if len(noData) > 0 {
		expl += "; chưa có số liệu: " + short(noData)
	}
	d := map[string]any{"met": orEmpty(met), "not_met": orEmpty(notMet), "no_data": orEmpty(noData)}
	e.emit(u, c, k, countRule(int64(len(met)), int64(len(noData)), k), ptr(Count(int64(len(met)))), expl, d, false)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
