package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"ntm"
	"ntm/evaluate"
	"ntm/vnfmt"
)

// The verdict: one printed page per recipient, set out as a Vietnamese administrative report
// (issuing agency and the national motto side by side, the number and date lines, the title, the
// recipients, the signature block): where the recipient stands, its rank among its peers, what is
// left to do to reach each threshold, and what changed since the last period — progress told
// apart from data that merely arrived or expired.

const (
	issuerParent = "UBND TỈNH LẠNG SƠN"
	issuer       = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
	issuerShort  = "SKHCN"
)

// peer is one recipient of the province, for the ranking.
type peer struct {
	code, name        string
	villages, smart   int
	dossNum, dossDen  int64
	hasDossier        bool
	d95               ntm.Status
	d95Known, smartOK bool
	hhWith, hhTotal   int64 // households with a digital address, of the counted villages
}

// peers are the recipients of one province (districts, or communes without districts).
func (d *data) peers(province string) []peer { return d.peersByProvince()[province] }

// peersByProvince is every province's peers, by province code; built once per run.
func (d *data) peersByProvince() map[string][]peer {
	d.peersOnce.Do(func() { d.peerMap = d.buildPeers() })
	return d.peerMap
}

func (d *data) buildPeers() map[string][]peer {
	out := map[string][]peer{}
	for _, s := range d.scopes() {
		if s.province {
			continue
		}
		p := peer{code: s.unit.Code, name: s.unit.Name}
		var v villageCounts
		for _, c := range s.communes {
			v.add(d.villages[c.Code])
		}
		p.villages, p.smart = v.Villages, v.Smart
		// Every province's peers at once, from the figures kept of every unit (its results are
		// read per province).
		if f, ok := d.figures[s.unit.Code]; ok {
			p.dossNum, p.dossDen, p.hasDossier = f.dossNum, f.dossDen, f.hasDossier
			p.d95, p.d95Known = f.d95, f.d95Known
		}
		out[s.provinceCode()] = append(out[s.provinceCode()], p)
	}
	return out
}

// ranking is peers sorted once by a key (larger first; ties share a rank), for the ranks of many
// of them: sorting for each rank asked made a province's ranking sheet, which asks every peer's,
// quadratic in the peers.
type ranking struct {
	ranked  []peer
	pos     map[string]int // code → its first position in ranked
	greater func(a, b peer) bool
}

func newRanking(ps []peer, has func(peer) bool, greater func(a, b peer) bool) *ranking {
	r := &ranking{greater: greater, pos: map[string]int{}}
	for _, p := range ps {
		if has(p) {
			r.ranked = append(r.ranked, p)
		}
	}
	sort.SliceStable(r.ranked, func(i, j int) bool { return greater(r.ranked[i], r.ranked[j]) })
	for i, p := range r.ranked {
		if _, ok := r.pos[p.code]; !ok {
			r.pos[p.code] = i
		}
	}
	return r
}

// rankingsByProvince ranks each province's peers apart.
func rankingsByProvince(byProvince map[string][]peer, has func(peer) bool, greater func(a, b peer) bool) map[string]*ranking {
	m := make(map[string]*ranking, len(byProvince))
	for province, ps := range byProvince {
		m[province] = newRanking(ps, has, greater)
	}
	return m
}

// rankingIn is the province's ranking of m; an empty one (nobody ranked) for a province without peers.
func rankingIn(m map[string]*ranking, province string) *ranking {
	if r := m[province]; r != nil {
		return r
	}
	return &ranking{pos: map[string]int{}}
}

// of is code's rank (0 when it is not ranked) and how many are ranked.
func (r *ranking) of(code string) (int, int) {
	i, ok := r.pos[code]
	if !ok {
		return 0, len(r.ranked)
	}
	p := r.ranked[i]
	rank := i + 1
	for rank > 1 && !r.greater(r.ranked[rank-2], p) {
		rank--
	}
	return rank, len(r.ranked)
}

// smartRanking ranks a province's peers by their share of smart villages, dossierRanking by their
// share of fully-online dossiers; each built once per run.
func (d *data) smartRanking(province string) *ranking {
	d.rankOnce.Do(d.buildRankings)
	return rankingIn(d.bySmart, province)
}

func (d *data) dossierRanking(province string) *ranking {
	d.rankOnce.Do(d.buildRankings)
	return rankingIn(d.byDossier, province)
}

func (d *data) buildRankings() {
	d.bySmart = rankingsByProvince(d.peersByProvince(), func(p peer) bool { return p.villages > 0 },
		func(a, b peer) bool { return int64(a.smart)*int64(b.villages) > int64(b.smart)*int64(a.villages) })
	d.byDossier = rankingsByProvince(d.peersByProvince(), func(p peer) bool { return p.hasDossier },
		func(a, b peer) bool { return a.dossNum*b.dossDen > b.dossNum*a.dossDen })
}

// villageChanges counts the scope's villages by how their smart-village status moved since the
// previous evaluation: progress and setbacks between decided statuses, data that arrived (no data
// → decided) and data that expired or went missing (decided → no data).
type villageChanges struct{ Became, Lost, Arrived, ArrivedSmart, Expired, ExpiredSmart int }

func (w *workbook) villageChanges(ctx context.Context) (villageChanges, error) {
	var c villageChanges
	if w.d.prev == nil {
		return c, nil
	}
	rows, err := w.q.Query(ctx, `
		SELECT cur.status, COALESCE(prev.status, 'no_data'), count(*)
		FROM jsonb_object_keys($2::jsonb) AS sc(code)
		CROSS JOIN LATERAL (SELECT * FROM result r
		     WHERE r.evaluation_id = $1 AND r.level = 'village' AND r.parent_code = sc.code AND r.criterion = $4 OFFSET 0) cur
		LEFT JOIN result prev ON prev.evaluation_id = $3 AND prev.level = 'village'
		     AND prev.unit_code = cur.unit_code AND prev.criterion = cur.criterion
		GROUP BY 1, 2`, w.d.eval.ID, w.sc.communeOrder(), w.d.prev.EvalID, keySmartVillage)
	if err != nil {
		return c, fmt.Errorf("compare the villages with the previous period: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var now, before string
		var n int
		if err := rows.Scan(&now, &before, &n); err != nil {
			return c, fmt.Errorf("compare the villages with the previous period: %w", err)
		}
		switch {
		case now == before:
		case before == string(ntm.StatusNoData):
			c.Arrived += n
			if now == string(ntm.StatusMet) {
				c.ArrivedSmart += n
			}
		case now == string(ntm.StatusNoData):
			c.Expired += n
			if before == string(ntm.StatusMet) {
				c.ExpiredSmart += n
			}
		case now == string(ntm.StatusMet):
			c.Became += n
		default:
			c.Lost += n
		}
	}
	return c, rows.Err()
}

// changeText says what moved the smart villages since the previous period, in words.
func (c villageChanges) text(prev string) string {
	var parts []string
	if c.Became > 0 {
		parts = append(parts, fmt.Sprintf("%d thôn hoàn thành đủ điều kiện", c.Became))
	}
	if c.Lost > 0 {
		parts = append(parts, fmt.Sprintf("%d thôn không còn đạt", c.Lost))
	}
	if c.Arrived > 0 {
		parts = append(parts, fmt.Sprintf("%d thôn mới có số liệu (%d trong số đó đạt): do số liệu mới gửi, không phải do tiến bộ", c.Arrived, c.ArrivedSmart))
	}
	if c.Expired > 0 {
		parts = append(parts, fmt.Sprintf("%d thôn thành chưa có số liệu (số liệu đã cũ hoặc chưa gửi lại; %d trong số đó kỳ trước đạt)", c.Expired, c.ExpiredSmart))
	}
	if len(parts) == 0 {
		return "Không thay đổi so với kỳ " + prev
	}
	return "So với kỳ " + prev + ": " + strings.Join(parts, "; ")
}

// writeVerdict writes the one-page verdict sheet of a recipient.
func (w *workbook) writeVerdict(ctx context.Context) error {
	const sh = sheetVerdict
	d, sc, st := w.d, w.sc, w.st
	widths := []float64{5, 36, 14, 12, 12, 44, 40}
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	ncols := len(widths)
	merge := func(row, c1, c2 int) error { return w.merge(sh, row, c1, c2) }
	center := func(row, c1, c2 int, c cell) error { return w.putSpans(sh, row, c1, []cell{c}, map[int]int{c1: c2}) }
	day := d.dataAt
	if day.IsZero() {
		day = d.eval.At
	}
	day = day.In(vietnam)
	// Heading: the issuing agency on the left, the national motto on the right.
	heads := [][2]cell{
		{{issuerParent, st.headCenter}, {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.headCenterBold}},
		{{issuer, st.headCenterBold}, {"Độc lập - Tự do - Hạnh phúc", st.headCenterBold}},
		{{fmt.Sprintf("Số:        /BC-%s", issuerShort), st.headCenter}, {fmt.Sprintf("Lạng Sơn, ngày %02d tháng %02d năm %d", day.Day(), int(day.Month()), day.Year()), st.headCenterItalic}},
	}
	row := 1
	for _, h := range heads {
		if err := center(row, 1, 3, h[0]); err != nil {
			return err
		}
		if err := center(row, 5, ncols, h[1]); err != nil {
			return err
		}
		row++
	}
	row++
	if err := center(row, 1, ncols, cell{"BÁO CÁO", st.headTitle}); err != nil {
		return err
	}
	row++
	subject := fmt.Sprintf("Kết quả đánh giá thôn thông minh, tiêu chí 8 và chỉ tiêu 9.5 tháng %d/%d – %s", int(d.period.Month), d.period.Year, sc.unit.Name)
	if err := center(row, 1, ncols, cell{subject, st.headCenterBold}); err != nil {
		return err
	}
	row++
	if err := center(row, 1, ncols, cell{"Kính gửi: Ủy ban nhân dân " + lowerFirst(sc.unit.Name), st.headCenter}); err != nil {
		return err
	}
	row += 2
	basis := fmt.Sprintf("Căn cứ %s; số liệu đến ngày %s", d.eval.SetName, d.period.End().Format("02/01/2006"))
	if d.eval.Set != nil && d.eval.Set.BasisText() != "" {
		basis += " (" + d.eval.Set.BasisText() + ")"
	}
	if err := center(row, 1, ncols, w.wrapPlain(basis+". Sở Khoa học và Công nghệ thông báo kết quả như sau:")); err != nil {
		return err
	}
	row += 2

	// The figures: what, the result, the threshold, the status, the rank, what is left to do, the change.
	if err := w.put(sh, row, w.hdr("TT"), w.hdr("Nội dung"), w.hdr("Kết quả"), w.hdr("Ngưỡng"), w.hdr("Đánh giá"),
		w.hdr("Còn phải làm để đạt"), w.hdr("Xếp hạng và thay đổi")); err != nil {
		return err
	}
	row++
	peerWord := "huyện"
	if sc.unit.Level == string(ntm.LevelCommune) {
		peerWord = "xã"
	}
	v, c8 := d.communeTotals(sc.communes)
	changes, err := w.villageChanges(ctx)
	if err != nil {
		return err
	}
	n := 0
	line := func(what string, result, threshold, status cell, todo, rank string) error {
		n++
		// A result or threshold in words ("8 thôn thông minh") wraps in its column rather than
		// run under the next one.
		for _, c := range []*cell{&result, &threshold} {
			if c.s == w.st.text {
				c.s = w.st.wrap
			}
		}
		err := w.put(sh, row, w.num(n), w.wrap(what), result, threshold, status, w.wrap(todo), w.wrap(rank))
		row++
		return err
	}
	// 1. Smart villages.
	smartRank, ranked := d.smartRanking(sc.provinceCode()).of(sc.unit.Code)
	rankText := ""
	if smartRank > 0 {
		rankText = fmt.Sprintf("Thứ %d/%d %s về tỷ lệ thôn thông minh", smartRank, ranked, peerWord)
	}
	if d.prev != nil {
		rankText = joinLines(rankText, changes.text(d.prev.Period))
	}
	todo := ""
	if v.NotMet+v.NoData > 0 {
		todo = fmt.Sprintf("%d thôn chưa đạt, %d thôn chưa có đủ số liệu: xem trang %s", v.NotMet, v.NoData, sheetActions)
	}
	smartCell := w.txt(fmt.Sprintf("%d/%d thôn", v.Smart, v.Villages))
	if err := line(fmt.Sprintf("Thôn thông minh (đạt cả %d điều kiện); %d thôn đã có đủ số liệu để kết luận", len(d.villageCriteria()), v.Villages-v.NoData),
		smartCell, w.txt(""), w.txt(""), todo, rankText); err != nil {
		return err
	}
	// 2. Criterion 8.
	if sc.unit.Level == string(ntm.LevelCommune) {
		r := d.res(sc.unit.Code, keyC8)
		if r != nil {
			todo := d.def(keyC8).ActionFor(evalResult(r))
			value := w.txt(ntm.StatusNoData.Label())
			if r.HasValue && r.Den > 0 {
				value = w.txt(fmt.Sprintf("%d thôn thông minh", r.Num/r.Den))
			}
			if err := line("Tiêu chí 8 xã nông thôn mới kiểu mẫu (có ít nhất một thôn thông minh)", value,
				w.txt(d.thresholdText(keyC8, r.ThNum, r.ThDen)+" thôn"), w.statusCell(r.Status), todo, ""); err != nil {
				return err
			}
		}
	} else {
		xa := 0
		for _, c := range sc.communes {
			if d.res(c.Code, keyC8) != nil {
				xa++
			}
		}
		todo := ""
		if xa > c8 {
			todo = fmt.Sprintf("%d xã cần có ít nhất một thôn thông minh", xa-c8)
		}
		if err := line("Số xã đạt tiêu chí 8 (có ít nhất một thôn thông minh)", w.txt(fmt.Sprintf("%d/%d xã", c8, xa)), w.txt(""), w.txt(""), todo, ""); err != nil {
			return err
		}
	}
	// 3–5. Indicator 9.5 and its two ratios.
	for _, k := range []string{keyD95Proc, keyD95Dossiers, keyD95} {
		r := d.res(sc.unit.Code, k)
		if r == nil {
			continue
		}
		todo := d.def(k).ActionFor(evalResult(r))
		if r.Status == ntm.StatusNoData && r.Explanation != "" {
			todo = joinLines(todo, r.Explanation)
		}
		rank := ""
		if k == keyD95Dossiers {
			if p, of := d.dossierRanking(sc.provinceCode()).of(sc.unit.Code); p > 0 {
				rank = fmt.Sprintf("Thứ %d/%d %s", p, of, peerWord)
			}
		}
		if d.prev != nil {
			rank = joinLines(rank, w.ratioChange(sc.unit, k, r))
		}
		value := w.resultValueText(r)
		th := w.txt(d.thresholdText(k, r.ThNum, r.ThDen))
		if k == keyD95 {
			th = w.txt("Cả hai tỷ lệ")
			if r.HasValue && r.Den > 0 && r.ThDen > 0 {
				value = w.txt(fmt.Sprintf("Đạt %d/%d tỷ lệ", r.Num/r.Den, r.ThNum/r.ThDen))
			}
		}
		if err := line(d.criterionName(k), value, th, w.statusCell(r.Status), todo, rank); err != nil {
			return err
		}
	}
	// 6. Digital addresses (counted data only).
	at, err := w.addressTotals(ctx)
	if err != nil {
		return err
	}
	todo = ""
	if miss := at.HouseTotal - at.HouseWith; miss > 0 {
		todo = "Còn " + vnfmt.Int(miss) + " hộ chưa gắn địa chỉ số"
	}
	if miss := at.OrgTotal - at.OrgWith; miss > 0 {
		todo = joinLines(todo, "Còn "+vnfmt.Int(miss)+" cơ quan, tổ chức chưa gắn địa chỉ số")
	}
	if noAddr := at.Villages - at.WithData; noAddr > 0 {
		todo = joinLines(todo, fmt.Sprintf("%d thôn chưa có số liệu địa chỉ số còn hiệu lực", noAddr))
	}
	// Their change: the rate, and apart from it how many villages' figures count now and then
	// (figures that arrived or expired move the rate without any household being addressed).
	var prevCommunes []*unit
	comparable := true
	var pat addressTotals
	var pvalid, plisted int
	if d.prev != nil {
		prevCommunes, comparable = d.prev.unitsBefore(sc.communes)
		pw := *w
		pw.sc = &scope{unit: sc.unit, province: sc.province, communes: prevCommunes}
		if pat, err = pw.addressTotalsOf(ctx, d.prev.EvalID); err != nil {
			return err
		}
		pp, err := ntm.ParsePeriod(d.prev.Period)
		if err != nil {
			return err
		}
		pps, err := w.currentProducts(ctx, prevCommunes, pp.End())
		if err != nil {
			return err
		}
		pvalid, plisted = ocopCounts(pps, pp.End())
	}
	change := func(num, den, pnum, pden int64, n, pn int, what, why string) string {
		if d.prev == nil {
			return ""
		}
		if !comparable {
			return notComparable
		}
		out := cellText(w.trendRatio(num, den, pnum, pden, den > 0, pden > 0))
		if n != pn {
			out = joinLines(out, fmt.Sprintf("%s: %s (kỳ %s: %s) – %s, không phải do tiến bộ",
				what, vnfmt.Int(int64(n)), d.prev.Period, vnfmt.Int(int64(pn)), why))
		}
		return out
	}
	addrRank := ""
	byAddress, err := w.addressRanking(ctx)
	if err != nil {
		return err
	}
	if p, of := byAddress.of(sc.unit.Code); p > 0 {
		addrRank = fmt.Sprintf("Thứ %d/%d %s về tỷ lệ hộ có địa chỉ số", p, of, peerWord)
	}
	if err := line(fmt.Sprintf("Hộ gia đình đã gắn địa chỉ số (%d thôn có số liệu còn hiệu lực)", at.WithData),
		w.txt(orDash(percentText(at.HouseWith, at.HouseTotal, false))), w.txt("100%"), w.txt(""), todo,
		joinLines(addrRank, change(at.HouseWith, at.HouseTotal, pat.HouseWith, pat.HouseTotal, at.WithData, pat.WithData, "Số thôn có số liệu còn hiệu lực", "số liệu mới gửi hoặc đã cũ"))); err != nil {
		return err
	}
	// 7. OCOP products listed.
	ps, err := w.currentProducts(ctx, sc.communes, d.period.End())
	if err != nil {
		return err
	}
	valid, listed := ocopCounts(ps, d.period.End())
	todo = ""
	if valid > listed {
		todo = fmt.Sprintf("Còn %d sản phẩm OCOP chưa lên sàn TMĐT: xem trang %s", valid-listed, sheetOCOP)
	}
	if err := line("Sản phẩm OCOP còn hiệu lực đã lên sàn thương mại điện tử", w.txt(fmt.Sprintf("%d/%d sản phẩm", listed, valid)),
		w.txt("100%"), w.txt(""), todo,
		change(int64(listed), int64(valid), int64(plisted), int64(pvalid), valid, pvalid, "Số sản phẩm còn hiệu lực", "sản phẩm mới vào danh sách hoặc hết hạn")); err != nil {
		return err
	}
	row++

	// Recipients and signature.
	sign := []struct{ left, right cell }{
		{cell{"Nơi nhận:", st.headLeftBoldItalic}, cell{"KT. GIÁM ĐỐC", st.headCenterBold}},
		{w.plain("- " + "UBND " + lowerFirst(sc.unit.Name) + ";"), cell{"PHÓ GIÁM ĐỐC", st.headCenterBold}},
		{w.plain("- Ban Chỉ đạo chuyển đổi số tỉnh (b/c);"), w.plain("")},
		{w.plain("- Lưu: VT, CĐS."), w.plain("")},
	}
	for _, s := range sign {
		if err := w.putAt(sh, row, 1, s.left); err != nil {
			return err
		}
		if err := merge(row, 1, 3); err != nil {
			return err
		}
		if err := center(row, 6, ncols, s.right); err != nil {
			return err
		}
		row++
	}
	return w.printSetup(sh, "")
}

// resultValueText is a result's value as text (a percentage rounded down, Có / Không, a count),
// "Chưa có số liệu" when there is none: text reads the same under any regional settings.
func (w *workbook) resultValueText(r *result) cell {
	if r == nil || !r.HasValue {
		return w.txt(ntm.StatusNoData.Label())
	}
	switch w.d.valueKind(r.Criterion) {
	case evaluate.ValueYesNo:
		if r.Num != 0 {
			return w.txt("Có")
		}
		return w.txt("Không")
	case evaluate.ValueRatio:
		return w.txt(percentText(r.Num, r.Den, false))
	}
	if r.Den == 1 {
		return w.txt(vnfmt.Int(r.Num))
	}
	return w.txt(percentText(r.Num, r.Den, false))
}

func (w *workbook) wrapPlain(s string) cell { return cell{s, w.st.wrapPlain} }

func joinLines(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// lowerFirst is a unit's name inside a sentence: "Ủy ban nhân dân huyện Chi Lăng".
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// ratioChange tells what changed in one of the 9.5 figures since the previous evaluated period,
// progress apart from data that arrived or expired: the change in points ("−5,8 điểm % so với
// 2025-09") and a change of status; "Kỳ 2025-09 chưa có số liệu: nay có số liệu mới, không phải
// do tiến bộ" when the figure is new; the previous figure when it is now missing; "không so sánh
// được" across a change of structure that split a unit.
func (w *workbook) ratioChange(u *unit, key string, r *result) string {
	p := w.d.prev
	pr, ok := p.resultBefore(u, key)
	if !ok && !p.Changed.IsZero() {
		if _, comparable := p.unitsBefore([]*unit{u}); !comparable {
			return notComparable
		}
	}
	if pr == nil {
		return "" // not evaluated for these units then (9.5 was the districts' before the reform)
	}
	status := ""
	if pr != nil && pr.Status != "" && pr.Status != r.Status {
		status = fmt.Sprintf("; kỳ %s: %s", p.Period, strings.ToLower(pr.Status.Label()))
	}
	now := r.HasValue && r.Den > 0
	before := pr != nil && pr.HasValue && pr.Den > 0
	switch {
	case now && before:
		if key == keyD95 {
			return strings.TrimPrefix(status, "; ")
		}
		return cellText(w.trendRatio(r.Num, r.Den, pr.Num, pr.Den, true, true)) + status
	case now:
		return fmt.Sprintf("Kỳ %s chưa có số liệu: nay có số liệu mới, không phải do tiến bộ", p.Period)
	case before:
		prevText := cellText(w.resultValueText(pr))
		if key == keyD95 && pr.ThDen > 0 {
			prevText = fmt.Sprintf("đạt %d/%d tỷ lệ", pr.Num/pr.Den, pr.ThNum/pr.ThDen)
		}
		return fmt.Sprintf("Kỳ %s: %s; nay chưa có số liệu (số liệu đã cũ hoặc chưa gửi)", p.Period, prevText)
	}
	return ""
}
