package reports

import (
	"context"
	"fmt"
	"sort"

	"ntm"
)

// writeRanking writes the province workbook's ranking: every recipient (district, or commune where
// there are no districts) side by side, ranked by its share of smart villages, with its rank for
// fully-online dossiers, criterion 8, the two 9.5 ratios, 9.5 and what is left to do for the
// dossiers. Filtered: the office sorts and filters it on screen.
func (w *workbook) writeRanking(_ context.Context) error {
	const sh = sheetRanking
	d, st := w.d, w.st
	province := w.sc.provinceCode()
	peers := d.peers(province)
	byCode := map[string]*scope{}
	for _, s := range d.scopes() {
		if !s.province {
			byCode[s.unit.Code] = s
		}
	}
	ranked := append([]peer(nil), peers...)
	smartGreater := func(a, b peer) bool { return int64(a.smart)*int64(b.villages) > int64(b.smart)*int64(a.villages) }
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if (a.villages > 0) != (b.villages > 0) {
			return a.villages > 0
		}
		if smartGreater(a, b) || smartGreater(b, a) {
			return smartGreater(a, b)
		}
		return a.code < b.code
	})
	word := "huyện"
	if len(ranked) > 0 {
		if s := byCode[ranked[0].code]; s != nil && s.unit.Level == string(ntm.LevelCommune) {
			word = "xã"
		}
	}
	widths := []float64{6, 22, 8, 8, 10, 9, 12, 10, 10, 8, 10, 36}
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	if err := w.put(sh, 1, cell{fmt.Sprintf("XẾP HẠNG CÁC %s – %s", map[string]string{"huyện": "HUYỆN", "xã": "XÃ"}[word], w.sc.unit.Name), st.title}); err != nil {
		return err
	}
	if err := w.put(sh, 2, w.plain(periodText(d.period)+fmt.Sprintf(". Xếp theo tỷ lệ thôn thông minh; %s cùng tỷ lệ cùng hạng.", word))); err != nil {
		return err
	}
	const top = 4
	if err := w.put(sh, top, w.hdr("Hạng"), w.hdr("Đơn vị"), w.hdr("Mã"), w.hdr("Số thôn"), w.hdr("Số thôn thông minh"),
		w.hdr("Tỷ lệ thôn thông minh"), w.hdr("Tiêu chí 8"), w.hdr("Tỷ lệ TTHC trực tuyến"), w.hdr("Tỷ lệ hồ sơ toàn trình"),
		w.hdr("Hạng hồ sơ"), w.hdr("Chỉ tiêu 9.5"), w.hdr("Còn phải làm (dịch vụ công)")); err != nil {
		return err
	}
	row := top + 1
	for _, p := range ranked {
		s := byCode[p.code]
		rank, _ := d.smartRanking(province).of(p.code)
		dossRank, _ := d.dossierRanking(province).of(p.code)
		rankCell := func(n int) cell {
			if n == 0 {
				return w.txt("")
			}
			return w.num(n)
		}
		share := w.txt("")
		if p.villages > 0 {
			share = w.pct(int64(p.smart), int64(p.villages))
		}
		c8 := w.txt("")
		if s != nil && s.unit.Level == string(ntm.LevelCommune) {
			c8 = w.resultStatus(d.res(p.code, keyC8))
		} else if s != nil {
			_, met := d.communeTotals(s.communes)
			xa := 0
			for _, c := range s.communes {
				if d.res(c.Code, keyC8) != nil {
					xa++
				}
			}
			c8 = w.txt(fmt.Sprintf("%d/%d xã", met, xa))
		}
		rp, rd := d.res(p.code, keyD95Proc), d.res(p.code, keyD95Dossiers)
		todo := ""
		for _, r := range []*result{rp, rd} {
			if r != nil {
				todo = joinLines(todo, d.def(r.Criterion).ActionFor(evalResult(r)))
			}
		}
		if err := w.put(sh, row, rankCell(rank), w.wrap(p.name), w.txt(p.code), w.num(p.villages), w.num(p.smart), share, c8,
			w.resultValue(rp), w.resultValue(rd), rankCell(dossRank), w.resultStatus(d.res(p.code, keyD95)), w.wrap(todo)); err != nil {
			return err
		}
		row++
	}
	if row > top+1 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, len(widths), row-1), nil); err != nil {
			return err
		}
	}
	if err := w.f.SetPanes(sh, freezePanes(top+1, 3)); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("$%d:$%d", top, top))
}
