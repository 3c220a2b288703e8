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
}

type addressRow struct {
	asOf              time.Time
	batch             int64
	sheet             string
	row               int
	hhTotal, hhWith   int64
	orgTotal, orgWith int64
}

type product struct {
	key, code, name, owner string
	stars                  int
	commune, village       string
	decision               string
	certified, expires     *time.Time
	valid                  bool
	platforms              []string
}

func loadSurveys(ctx context.Context, q db.Querier, end time.Time) (map[string]*surveyRow, error) {
	rows, err := q.Query(ctx, query("village_survey"), end)
	if err != nil {
		return nil, fmt.Errorf("read village surveys: %w", err)
	}
	defer rows.Close()
	out := map[string]*surveyRow{}
	for rows.Next() {
		var code string
		s := &surveyRow{}
		if err := rows.Scan(&code, &s.asOf, &s.batch, &s.sheet, &s.row, &s.team, &s.teamDecision,
			&s.platform, &s.platName, &s.wifi, &s.models, &s.modelFields); err != nil {
			return nil, fmt.Errorf("read village surveys: %w", err)
		}
		out[code] = s
	}
	return out, rows.Err()
}

func loadAddresses(ctx context.Context, q db.Querier, end time.Time) (map[string]*addressRow, error) {
	rows, err := q.Query(ctx, query("vpostcode"), end)
	if err != nil {
		return nil, fmt.Errorf("read digital-address coverage: %w", err)
	}
	defer rows.Close()
	out := map[string]*addressRow{}
	for rows.Next() {
		var code string
		a := &addressRow{}
		if err := rows.Scan(&code, &a.asOf, &a.batch, &a.sheet, &a.row, &a.hhTotal, &a.hhWith, &a.orgTotal, &a.orgWith); err != nil {
			return nil, fmt.Errorf("read digital-address coverage: %w", err)
		}
		out[code] = a
	}
	return out, rows.Err()
}

// ocopValidityMonths is how long a certificate holds when the list gives no expiry (DESIGN §4).
const ocopValidityMonths = 36

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
	for rows.Next() {
		p := &product{}
		if err := rows.Scan(&p.key, &p.code, &p.name, &p.owner, &p.stars, &p.commune, &p.village,
			&p.decision, &p.certified, &p.expires, &p.valid, &p.platforms); err != nil {
			return false, nil, fmt.Errorf("read OCOP products: %w", err)
		}
		out = append(out, p)
	}
	return true, out, rows.Err()
}

// villages computes V1–V6 and SMART_VILLAGE for every village.
func (e *evaluator) villages(ctx context.Context, q db.Querier) error {
	if len(e.st.villages) == 0 {
		return nil
	}
	surveys, err := loadSurveys(ctx, q, e.end)
	if err != nil {
		return err
	}
	addrs, err := loadAddresses(ctx, q, e.end)
	if err != nil {
		return err
	}
	haveList, products, err := loadProducts(ctx, q, e.end)
	if err != nil {
		return err
	}
	ocop := e.ocopByLocality(haveList, products)
	for _, v := range e.st.villages {
		e.survey(v, surveys[v.Code])
		e.address(v, addrs[v.Code])
		locality := v.Parent
		if e.set.OCOPLocality == "village" {
			locality = v.Code
		}
		o := ocop[locality]
		if o == nil {
			o = ocop[""]
		}
		e.emit(v, KeyOCOP, o.status, o.value, o.expl, o.detail(locality), false)
		e.smartVillage(v)
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

func (e *evaluator) survey(v *unit, s *surveyRow) {
	keys := []string{KeyTeam, KeyPlatform, KeyWifi, KeyModel}
	if s == nil {
		for _, k := range keys {
			e.emit(v, k, ntm.StatusNoData, nil, "Chưa có phiếu tự đánh giá của thôn", nil, false)
		}
		return
	}
	if s.asOf.Before(e.fresh) {
		d := sourceDetail(s.asOf, s.batch, s.sheet, s.row)
		d["stale"] = true
		for _, k := range keys {
			e.emit(v, k, ntm.StatusNoData, nil, e.staleText(s.asOf)+" (phiếu tự đánh giá)", d, false)
		}
		return
	}
	// One detail map for the four survey rows of a village: stored once as JSON.
	d := sourceDetail(s.asOf, s.batch, s.sheet, s.row)
	yesNo := func(key string, b *bool, label, note string) {
		if b == nil {
			e.emit(v, key, ntm.StatusNoData, nil,
				fmt.Sprintf("Phiếu tự đánh giá ngày %s để trống mục “%s”", vnfmt.Date(s.asOf), label), d, false)
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
		st := ntm.StatusNotMet
		if val.AtLeast(e.set.threshold(key)) {
			st = ntm.StatusMet
		}
		e.emit(v, key, st, ptr(val), label+": "+answer, d, false)
	}
	dec := strings.TrimSpace(s.teamDecision)
	if dec != "" && !strings.HasPrefix(strings.ToLower(dec), "qđ") && !strings.HasPrefix(strings.ToLower(dec), "quyết định") {
		dec = "QĐ " + dec
	}
	yesNo(KeyTeam, s.team, "Tổ công nghệ số", dec)
	yesNo(KeyPlatform, s.platform, "Nền tảng số", s.platName)
	yesNo(KeyWifi, s.wifi, "WiFi miễn phí tại nhà văn hóa", "")

	switch {
	case s.models == nil:
		e.emit(v, KeyModel, ntm.StatusNoData, nil,
			fmt.Sprintf("Phiếu tự đánh giá ngày %s để trống mục “Mô hình chuyển đổi số”", vnfmt.Date(s.asOf)), d, false)
	default:
		n := *s.models
		st := ntm.StatusNotMet
		if Count(n).AtLeast(e.set.threshold(KeyModel)) {
			st = ntm.StatusMet
		}
		expl := "Chưa có mô hình chuyển đổi số"
		if n > 0 {
			expl = fmt.Sprintf("Có %s mô hình chuyển đổi số", vnfmt.Int(n))
			if f := strings.TrimSpace(s.modelFields); f != "" {
				expl += " (" + f + ")"
			}
		}
		e.emit(v, KeyModel, st, ptr(Count(n)), expl, d, false)
	}
}

func (e *evaluator) address(v *unit, a *addressRow) {
	if a == nil {
		e.emit(v, KeyAddress, ntm.StatusNoData, nil, "Chưa có số liệu địa chỉ số (Vpostcode) của thôn", nil, false)
		return
	}
	d := sourceDetail(a.asOf, a.batch, a.sheet, a.row)
	d["households_total"], d["households_with"] = a.hhTotal, a.hhWith
	d["orgs_total"], d["orgs_with"] = a.orgTotal, a.orgWith
	if a.asOf.Before(e.fresh) {
		d["stale"] = true
		e.emit(v, KeyAddress, ntm.StatusNoData, nil, e.staleText(a.asOf)+" (địa chỉ số)", d, false)
		return
	}
	if a.hhTotal <= 0 {
		// Every village has households: a zero total is a data error, not 100% coverage.
		e.emit(v, KeyAddress, ntm.StatusNoData, nil,
			fmt.Sprintf("Số liệu ngày %s ghi tổng số hộ bằng 0: cần kiểm tra lại", vnfmt.Date(a.asOf)), d, false)
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
	st := ntm.StatusNotMet
	if value.AtLeast(e.set.threshold(KeyAddress)) {
		st = ntm.StatusMet
	}
	e.emit(v, KeyAddress, st, ptr(value), b.String(), d, false)
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
	noList   bool // no product list counts at the period end
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
	return d
}

// ocopByLocality computes V5 once per locality; the key "" holds the outcome for a
// locality without products.
func (e *evaluator) ocopByLocality(haveList bool, products []*product) map[string]*ocopOutcome {
	where := "Xã"
	if e.set.OCOPLocality == "village" {
		where = "Thôn"
	}
	if !haveList {
		return map[string]*ocopOutcome{"": {status: ntm.StatusNoData, expl: "Chưa có danh sách sản phẩm OCOP", noList: true}}
	}
	type acc struct {
		valid, expired []*product
	}
	by := map[string]*acc{}
	for _, p := range products {
		loc := p.commune
		if e.set.OCOPLocality == "village" {
			loc = p.village
			if loc == "" {
				continue // a product without a village belongs to no village
			}
		}
		a := by[loc]
		if a == nil {
			a = &acc{}
			by[loc] = a
		}
		if p.valid {
			a.valid = append(a.valid, p)
		} else {
			a.expired = append(a.expired, p)
		}
	}
	out := map[string]*ocopOutcome{"": {status: ntm.StatusMet, expl: where + " không có sản phẩm OCOP còn hiệu lực"}}
	threshold := e.set.threshold(KeyOCOP)
	for loc, a := range by {
		o := &ocopOutcome{valid: len(a.valid), expired: len(a.expired)}
		out[loc] = o
		if len(a.valid) == 0 {
			o.status = ntm.StatusMet
			o.expl = fmt.Sprintf("%s không có sản phẩm OCOP còn hiệu lực (%d sản phẩm đã hết hạn chứng nhận)", where, len(a.expired))
			continue
		}
		for _, p := range a.valid {
			if len(p.platforms) > 0 {
				o.listed++
			} else {
				o.unlisted = append(o.unlisted, p.name)
			}
		}
		o.value = ptr(Frac(int64(o.listed), int64(o.valid)))
		o.status = ntm.StatusNotMet
		if o.value.AtLeast(threshold) {
			o.status = ntm.StatusMet
		}
		o.expl = fmt.Sprintf("%d/%d sản phẩm OCOP còn hiệu lực của %s đã lên sàn TMĐT", o.listed, o.valid, strings.ToLower(where))
		if len(o.unlisted) > 0 {
			o.expl += "; chưa lên sàn: " + firstNames(o.unlisted, 3)
		}
	}
	return out
}

// smartVillage applies the count rule over the six conditions (those the set carries;
// all six when it carries none).
func (e *evaluator) smartVillage(v *unit) {
	conds := make([]string, 0, 6)
	for _, k := range villageConditions {
		if e.set.has(k) {
			conds = append(conds, k)
		}
	}
	if len(conds) == 0 {
		conds = villageConditions
	}
	var met, notMet, noData []string
	for _, k := range conds {
		switch e.status(k, v.Code) {
		case ntm.StatusMet:
			met = append(met, k)
		case ntm.StatusNotMet:
			notMet = append(notMet, k)
		default:
			noData = append(noData, k)
		}
	}
	k := Count(int64(len(conds))) // all conditions, unless the set says otherwise
	if e.set.has(KeySmartVillage) {
		k = e.set.threshold(KeySmartVillage)
	}
	st := countRule(int64(len(met)), int64(len(noData)), k)
	short := func(keys []string) string {
		s := make([]string, len(keys))
		for i, k := range keys {
			s[i] = definitionOf[k].Short
		}
		return strings.Join(s, ", ")
	}
	expl := fmt.Sprintf("Đạt %d/%d điều kiện", len(met), len(conds))
	if len(notMet) > 0 {
		expl += "; chưa đạt: " + short(notMet)
	}
	if len(noData) > 0 {
		expl += "; chưa có số liệu: " + short(noData)
	}
	d := map[string]any{"met": orEmpty(met), "not_met": orEmpty(notMet), "no_data": orEmpty(noData)}
	e.emit(v, KeySmartVillage, st, ptr(Count(int64(len(met)))), expl, d, false)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
