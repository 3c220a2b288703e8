package reports

import (
	"context"
	"fmt"
	"strings"

	"ntm"
)

// villageRows streams the results of the scope's villages, ordered by commune (in scope order) and
// village code, calling fn once per village with its results by criterion.
func (w *workbook) villageRows(ctx context.Context, where string, fn func(code, name, commune string, rs map[string]*result) error) error {
	rows, err := w.q.Query(ctx, `
		SELECT `+resultColumns+`
		FROM result r
		WHERE r.evaluation_id = $1 AND r.level = 'village' AND r.parent_code = ANY (ARRAY(SELECT jsonb_object_keys($2::jsonb))) `+where+`
		ORDER BY ($2::jsonb ->> r.parent_code)::int, r.unit_code, r.criterion`, w.d.eval.ID, w.sc.communeOrder())
	if err != nil {
		return fmt.Errorf("read the village results: %w", err)
	}
	defer rows.Close()
	var cur *result
	rs := map[string]*result{}
	flush := func() error {
		if cur == nil {
			return nil
		}
		err := fn(cur.UnitCode, cur.UnitName, cur.Parent, rs)
		rs = map[string]*result{}
		return err
	}
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			return fmt.Errorf("read the village results: %w", err)
		}
		if cur != nil && r.UnitCode != cur.UnitCode {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = r
		rs[r.Criterion] = r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the village results: %w", err)
	}
	return flush()
}

// countVillages counts the scope's villages that have results (the streamed sheet's size is
// written before its rows).
func (w *workbook) countVillages(ctx context.Context, where string) (int, error) {
	var n int
	err := w.q.QueryRow(ctx, `
		SELECT count(DISTINCT unit_code) FROM result r
		WHERE r.evaluation_id = $1 AND r.level = 'village' AND r.parent_code = ANY (ARRAY(SELECT jsonb_object_keys($2::jsonb))) `+where,
		w.d.eval.ID, w.sc.communeOrder()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the villages: %w", err)
	}
	return n, nil
}

// writeVillages writes one row per village: where it is, each condition's status and value, the
// smart-village result and what is missing. Streamed: a province holds thousands of villages.
func (w *workbook) writeVillages(ctx context.Context) error {
	const sh = sheetVillages
	d, sc, st := w.d, w.sc, w.st
	keys := d.villageCriteria()
	n, err := w.countVillages(ctx, "")
	if err != nil {
		return err
	}
	fixed := []string{"STT"}
	widths := []float64{6}
	if sc.withDistricts() {
		fixed = append(fixed, "Huyện")
		widths = append(widths, 20)
	}
	fixed = append(fixed, "Xã", "Thôn", "Mã thôn")
	widths = append(widths, 20, 22, 11)
	for range keys {
		widths = append(widths, 13, 10)
	}
	widths = append(widths, 14, 10, 60)
	ncols := len(widths)

	sw, err := w.streamSheet(sh, max(2, n+2), widths, "$1:$2", freezePanes(3, len(fixed)+1))
	if err != nil {
		return err
	}

	// Two header rows: condition names over their (status, value) pairs, then the column names.
	group := make([]cell, ncols)
	names := make([]cell, 0, ncols)
	for i := range group {
		group[i] = cell{nil, st.group}
	}
	for _, f := range fixed {
		names = append(names, w.hdr(f))
	}
	col := len(fixed) + 1
	for _, k := range keys {
		group[col-1] = cell{d.shortName(k), st.group}
		if err := sw.MergeCell(cellName(col, 1), cellName(col+1, 1)); err != nil {
			return err
		}
		names = append(names, w.hdr("Đánh giá"), w.hdr("Giá trị"))
		col += 2
	}
	group[col-1] = cell{"Kết quả", st.group}
	if err := sw.MergeCell(cellName(col, 1), cellName(col+1, 1)); err != nil {
		return err
	}
	names = append(names, w.hdr("Thôn thông minh"), w.hdr("Số điều kiện đạt"), w.hdr("Còn thiếu gì"))
	if err := streamRow(sw, 1, group...); err != nil {
		return err
	}
	if err := streamRow(sw, 2, names...); err != nil {
		return err
	}

	row := 3
	err = w.villageRows(ctx, "", func(code, name, commune string, rs map[string]*result) error {
		cells := make([]cell, 0, ncols)
		cells = append(cells, w.num(row-2))
		if sc.withDistricts() {
			dn := ""
			if dist := sc.districtOf[commune]; dist != nil {
				dn = dist.Name
			}
			cells = append(cells, w.txt(dn))
		}
		cn := commune
		if u := d.units[commune]; u != nil {
			cn = u.Name
		}
		cells = append(cells, w.txt(cn), w.txt(name), w.txt(code))
		for _, k := range keys {
			r := rs[k]
			cells = append(cells, w.resultStatus(r), w.resultValue(r))
		}
		sv := rs[keySmartVillage]
		cells = append(cells, w.resultStatus(sv), w.resultValue(sv), w.wrap(d.stillMissing(keys, rs)))
		if err := streamRow(sw, row, cells...); err != nil {
			return err
		}
		row++
		return nil
	})
	if err != nil {
		return err
	}
	if row > 3 {
		if err := w.f.AutoFilter(sh, rangeRef(1, 2, ncols, row-1), nil); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// stillMissing is what a village must still do, in a few words: the conditions not met with their
// explanation, then the conditions without (or with stale) data. Empty for a smart village.
func (d *data) stillMissing(keys []string, rs map[string]*result) string {
	word := func(k string) string { return d.def(k).Short }
	var notMet, noData, old []string
	for _, k := range keys {
		r := rs[k]
		switch {
		case r == nil || r.Status == ntm.StatusNoData && !stale(r):
			noData = append(noData, word(k))
		case r.Status == ntm.StatusNoData:
			old = append(old, word(k))
		case r.Status == ntm.StatusNotMet && r.Explanation != "":
			notMet = append(notMet, word(k)+" ("+r.Explanation+")")
		case r.Status == ntm.StatusNotMet:
			notMet = append(notMet, word(k))
		}
	}
	var parts []string
	if len(notMet) > 0 {
		parts = append(parts, "Chưa đạt: "+strings.Join(notMet, "; "))
	}
	if len(noData) > 0 {
		parts = append(parts, "Thiếu số liệu: "+strings.Join(noData, ", "))
	}
	if len(old) > 0 {
		parts = append(parts, "Số liệu cũ: "+strings.Join(old, ", "))
	}
	return strings.Join(parts, ". ")
}
