package reports

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"sync"

	"ntm"
	"ntm/db"
)

// The results above the villages (a province's, its districts' and communes': a few per commune)
// are read per province, when the province's first workbook is built, and dropped with its
// villages after its last (provinceVillages.release): kept for the whole run, the nation's
// results were a fixed share of the workbooks' live heap that grew with the provinces. What the
// run needs of every unit is read once at its start and kept small: the digest of each unit's
// results (the workbooks' input keys, computed before the first is built) and the two figures a
// province's ranking reads of each recipient (peerFigures).

// provinceResults are the results of one province's units above the villages.
type provinceResults struct {
	codes []string // the province's units in force (the key set of the query)
	mu    sync.Mutex
	rs    map[string]map[string]*result // unit code → criterion → result; nil = not read (or dropped)
}

// peerFigures are what the rankings read of a recipient's results (buildPeers).
type peerFigures struct {
	dossNum, dossDen int64
	hasDossier       bool
	d95              ntm.Status
	d95Known         bool
}

// provinceOf is the province a unit in force lies in ("" for a code outside the structure).
func (d *data) provinceOf(code string) string {
	u := d.units[code]
	for i := 0; u != nil && i < 4; i++ {
		if u.Level == string(ntm.LevelProvince) {
			return u.Code
		}
		u = d.units[u.Parent]
	}
	return ""
}

// loadResults reads every result above the villages once, in one query through the primary key's
// order, for what the run needs of each unit (digests, peer figures); results of units outside
// the structure in force, which no province reads, are kept as they are (orphans).
func (d *data) loadResults(ctx context.Context, q db.Querier) error {
	d.above, d.orphans = map[string]*provinceResults{}, map[string]map[string]*result{}
	d.digests, d.figures = map[string][sha256.Size]byte{}, map[string]peerFigures{}
	for code := range d.units {
		if p := d.provinceOf(code); p != "" {
			pr := d.above[p]
			if pr == nil {
				pr = &provinceResults{}
				d.above[p] = pr
			}
			pr.codes = append(pr.codes, code)
		}
	}
	rows, err := q.Query(ctx, `SELECT `+resultColumns+` FROM result
		WHERE evaluation_id = $1 AND level IN ('province', 'district', 'commune')
		ORDER BY unit_code, criterion`, d.eval.ID)
	if err != nil {
		return fmt.Errorf("read the results of period %s: %w", d.period, err)
	}
	defer rows.Close()
	var sc resultScanner
	h, cur := sha256.New(), ""
	flush := func() {
		if cur != "" {
			var sum [sha256.Size]byte
			copy(sum[:], h.Sum(nil))
			d.digests[cur] = sum
		}
	}
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return fmt.Errorf("read the results of period %s: %w", d.period, err)
		}
		if r.UnitCode != cur {
			flush()
			h.Reset()
			cur = r.UnitCode
		}
		writeResult(h, r)
		switch r.Criterion {
		case keyD95Dossiers:
			f := d.figures[r.UnitCode]
			if r.HasValue {
				f.dossNum, f.dossDen, f.hasDossier = r.Num, r.Den, true
			}
			d.figures[r.UnitCode] = f
		case keyD95:
			f := d.figures[r.UnitCode]
			f.d95, f.d95Known = r.Status, true
			d.figures[r.UnitCode] = f
		}
		if d.provinceOf(r.UnitCode) == "" {
			m := d.orphans[r.UnitCode]
			if m == nil {
				m = map[string]*result{}
				d.orphans[r.UnitCode] = m
			}
			m[r.Criterion] = r
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the results of period %s: %w", d.period, err)
	}
	flush()
	return nil
}

// writeResult writes a result to its unit's digest: every field, the detail as the jsonb's text
// (canonical).
func writeResult(h hash.Hash, r *result) {
	x := *r
	x.detail = nil
	fmt.Fprintf(h, "\x00r %+v %d ", x, len(r.detail))
	h.Write(r.detail)
}

// provinceResultsSQL reads the results of a province's units, one unit at a time through the
// primary key whatever the statistics (as communeOrder's queries do).
const provinceResultsSQL = `SELECT ` + resultColumns + `
	FROM unnest($2::text[]) AS sc(code)
	CROSS JOIN LATERAL (SELECT * FROM result r
	     WHERE r.evaluation_id = $1 AND r.unit_code = sc.code AND r.level IN ('province', 'district', 'commune') OFFSET 0) r`

// read reads the province's results unless they are in memory.
func (pr *provinceResults) read(ctx context.Context, q db.Querier, evalID int64) (map[string]map[string]*result, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.rs != nil {
		return pr.rs, nil
	}
	rows, err := q.Query(ctx, provinceResultsSQL, evalID, pr.codes)
	if err != nil {
		return nil, fmt.Errorf("read the results of the province's units: %w", err)
	}
	defer rows.Close()
	rs := map[string]map[string]*result{}
	var sc resultScanner
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read the results of the province's units: %w", err)
		}
		m := rs[r.UnitCode]
		if m == nil {
			m = map[string]*result{}
			rs[r.UnitCode] = m
		}
		m[r.Criterion] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the results of the province's units: %w", err)
	}
	pr.rs = rs
	return rs, nil
}

// drop forgets the province's results (its last workbook is written).
func (pr *provinceResults) drop() {
	if pr != nil {
		pr.mu.Lock()
		pr.rs = nil
		pr.mu.Unlock()
	}
}

// readProvinceResults reads the results of the scope's province before its workbook is built, on
// the workbook's connection.
func (d *data) readProvinceResults(ctx context.Context, q db.Querier, sc *scope) error {
	if pr := d.above[sc.provinceCode()]; pr != nil {
		_, err := pr.read(ctx, q, d.eval.ID)
		return err
	}
	return nil
}

// resultsOf are a unit's results by criterion (shared: read only), nil when it has none. A
// province's results are read when its first workbook is built (readProvinceResults); a unit of
// another province, which no workbook asks for, is read here on the run's querier, and a failure
// there ends the workbook (buildWorkbook's recover).
func (d *data) resultsOf(code string) map[string]*result {
	if m, ok := d.orphans[code]; ok {
		return m
	}
	pr := d.above[d.provinceOf(code)]
	if pr == nil {
		return nil
	}
	rs, err := pr.read(d.ctx, d.q, d.eval.ID)
	if err != nil {
		panic(err)
	}
	return rs[code]
}

// res returns the result of a unit for a criterion, nil when there is none.
func (d *data) res(unitCode, crit string) *result {
	return d.resultsOf(unitCode)[crit]
}
