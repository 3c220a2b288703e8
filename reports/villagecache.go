package reports

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"ntm"
)

// provinceVillages are the village results and digital-address rows of one province's communes,
// read once per run and shared by the province's workbooks (its recipients' and its own): a
// workbook's village sheet, action list, quality sheet and summaries used to read its villages from
// the database four to six times each. A scope outside any province (a summary's previous-period
// scope) reads its own.
type provinceVillages struct {
	communes map[string]int   // the province's communes (the key set of the query)
	above    *provinceResults // the province's results above the villages, dropped with its villages
	hist     *historyCache    // the province's unit history, dropped with its villages
	ocop     *ocopPlaces      // the OCOP products placed in its units, dropped with its villages
	once     sync.Once
	err      error
	results  map[string][]villageResults // commune code → its villages in code order
	address  map[string][]addressRow     // commune code → its villages' V4_ADDRESS rows, in code order
	users    atomic.Int32                // workbooks of the run still to read it: at 0 it is dropped
}

// villageResults is one village with its results by criterion (shared: read only).
type villageResults struct {
	code, name string
	rs         map[string]*result
}

// addressRow is a village's V4_ADDRESS result and the digital-address figures it decided on
// (addressScopeSQL: counted, stale).
type addressRow struct {
	code, name, commune, status, expl string
	asOf                              *time.Time
	ht, hw, ot, ow                    *int64
	counted, stale                    bool
}

// villages is the workbook's province's village data, read on first use.
func (w *workbook) villages(ctx context.Context) (*provinceVillages, error) {
	pv := w.sc.villages
	if pv == nil {
		if w.own == nil {
			w.own = &provinceVillages{communes: w.sc.communeOrder()}
		}
		pv = w.own
	}
	pv.once.Do(func() { pv.err = pv.read(ctx, w) })
	return pv, pv.err
}

// release tells that one workbook is done with the province's villages.
func (pv *provinceVillages) release() {
	if pv != nil && pv.users.Add(-1) == 0 {
		pv.results, pv.address = nil, nil
		pv.above.drop()
		pv.hist.drop()
		pv.ocop.drop()
	}
}

func (pv *provinceVillages) read(ctx context.Context, w *workbook) error {
	d := w.d
	pv.results = map[string][]villageResults{}
	rows, err := w.q.Query(ctx, `
		SELECT `+resultColumns+`
		FROM jsonb_object_keys($2::jsonb) AS sc(code)
		CROSS JOIN LATERAL (SELECT * FROM result r
		     WHERE r.evaluation_id = $1 AND r.level = 'village' AND r.parent_code = sc.code OFFSET 0) r
		ORDER BY r.parent_code, r.unit_code, r.criterion`, d.eval.ID, pv.communes)
	if err != nil {
		return fmt.Errorf("read the village results: %w", err)
	}
	var cur *villageResults
	parent := ""
	var sc resultScanner
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read the village results: %w", err)
		}
		if cur == nil || r.Parent != parent || r.UnitCode != cur.code {
			vs := append(pv.results[r.Parent], villageResults{code: r.UnitCode, rs: map[string]*result{}})
			pv.results[r.Parent] = vs
			cur, parent = &vs[len(vs)-1], r.Parent
		}
		cur.name = r.UnitName // the last row's, as the workbooks always took it
		cur.rs[r.Criterion] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the village results: %w", err)
	}

	pv.address = map[string][]addressRow{}
	rows, err = w.q.Query(ctx, addressScopeSQL+`
		SELECT unit_code, unit_name, parent_code, status, explanation,
		       as_of, households_total, households_with, orgs_total, orgs_with,
		       coalesce(counted, false), coalesce(stale, false)
		FROM vf
		ORDER BY parent_code, unit_code`, d.eval.ID, pv.communes)
	if err != nil {
		return fmt.Errorf("read the digital addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a addressRow
		if err := rows.Scan(&a.code, &a.name, &a.commune, &a.status, &a.expl, &a.asOf, &a.ht, &a.hw, &a.ot, &a.ow, &a.counted, &a.stale); err != nil {
			return fmt.Errorf("read the digital addresses: %w", err)
		}
		pv.address[a.commune] = append(pv.address[a.commune], a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the digital addresses: %w", err)
	}
	return nil
}

// villageRows calls fn once per village of the scope, by commune (in scope order) and village
// code, with its results by criterion that keep accepts (all when keep is nil); a village with
// none kept is left out. The map is shared: fn must not change it.
func (w *workbook) villageRows(ctx context.Context, keep func(*result) bool, fn func(code, name, commune string, rs map[string]*result) error) error {
	return w.eachCommune(ctx, func(pv *provinceVillages, commune string) error {
		for _, v := range pv.results[commune] {
			rs := v.rs
			if keep != nil {
				rs = map[string]*result{}
				for k, r := range v.rs {
					if keep(r) {
						rs[k] = r
					}
				}
				if len(rs) == 0 {
					continue
				}
			}
			if err := fn(v.code, v.name, commune, rs); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachCommune calls fn with the scope's province's villages (read on first use) for each of the
// scope's communes, once each, in scope order.
func (w *workbook) eachCommune(ctx context.Context, fn func(pv *provinceVillages, commune string) error) error {
	pv, err := w.villages(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, c := range w.sc.communes {
		if seen[c.Code] {
			continue
		}
		seen[c.Code] = true
		if err := fn(pv, c.Code); err != nil {
			return err
		}
	}
	return nil
}

// missingVillageData keeps a village's results without data, composites left out (their no data
// repeats their parts').
func (w *workbook) missingVillageData(r *result) bool {
	return r.Status == ntm.StatusNoData && !w.d.setComposite(r.Criterion)
}

// countVillages counts the scope's villages that have results (the streamed sheet's size is
// written before its rows).
func (w *workbook) countVillages(ctx context.Context) (int, error) {
	n := 0
	err := w.villageRows(ctx, nil, func(string, string, string, map[string]*result) error { n++; return nil })
	return n, err
}

// countMissingVillages counts the scope's village results without data, composites left out.
func (w *workbook) countMissingVillages(ctx context.Context) (int, error) {
	n := 0
	err := w.villageRows(ctx, w.missingVillageData, func(_, _, _ string, rs map[string]*result) error { n += len(rs); return nil })
	return n, err
}

// addressRows calls fn with the scope's villages' digital-address rows, by commune (in scope order)
// and village code.
func (w *workbook) addressRows(ctx context.Context, fn func(a *addressRow) error) error {
	return w.eachCommune(ctx, func(pv *provinceVillages, commune string) error {
		as := pv.address[commune]
		for i := range as {
			if err := fn(&as[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
