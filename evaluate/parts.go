package evaluate

import (
	"context"
	"fmt"
	"time"

	"ntm"
	"ntm/db"
	"ntm/units"
)

// partFacts is what one part of the structure (a province with everything in it) reads: the
// unit history of its lineage and the facts recorded under those codes. It is dropped when the
// part's results are computed, so that what an evaluation holds is one or two provinces' facts
// (the next one is read while this one is computed and stored), not the nation's.
type partFacts struct {
	lin     *lineage
	procs   *byVersion[*procedureRow]
	doss    *byVersion[*unitDossiers]
	surveys *byVersion[*surveyRow]
	addrs   *byVersion[*addressRow]
	ocop    map[string]*ocopOutcome
}

// readPart reads part st's inputs on q. It reads only what prepare left in e (the set, the
// period, the products, the record counts), so that it runs beside the computation of another
// part.
func (e *evaluator) readPart(ctx context.Context, q db.Querier, st *structure) (*partFacts, error) {
	if err := partVillages(ctx, q, e.p, st); err != nil {
		return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
	}
	codes, links, err := e.partCodes(ctx, q, st)
	if err != nil {
		return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
	}
	// The part's lineage: every version of those codes and every link between them. Each
	// fact is put under the version of its code at its unit date by a map lookup.
	h, err := e.partHistory(ctx, q, codes, links)
	if err != nil {
		return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
	}
	pf := &partFacts{lin: &lineage{h: h, end: e.end}}
	villageCodes, unitCodes := byLevel(h, codes)
	if len(st.villages) > 0 {
		if e.need.surveys {
			if pf.surveys, err = loadSurveys(ctx, q, pf.lin, e.end, villageCodes); err != nil {
				return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
			}
		}
		if e.need.addresses {
			if pf.addrs, err = loadAddresses(ctx, q, pf.lin, e.end, villageCodes); err != nil {
				return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
			}
		}
		if e.need.ocop {
			pf.ocop = e.ocopByLocality(pf.lin, e.haveList, e.partProducts(codes))
		}
	}
	if e.need.procedures {
		if pf.procs, err = loadProcedures(ctx, q, pf.lin, e.end, unitCodes); err != nil {
			return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
		}
	}
	if e.need.dossiers {
		if pf.doss, err = loadDossiers(ctx, q, pf.lin, e.wfrom, e.end, unitCodes, e.records); err != nil {
			return nil, fmt.Errorf("evaluate period %s: %w", e.p, err)
		}
	}
	return pf, nil
}

// byLevel splits a part's codes by the facts they can carry that a unit reaches: villages'
// (the surveys, the digital addresses) are recorded under villages' codes, the public services'
// under the codes of units above them, and a unit's lineage never crosses from one level to the
// other. A code with versions of both kinds, or none, is in both lists. Each code is looked up
// in a fact table's index once per part, so a commune-level table is not probed with the
// province's thousands of village codes.
func byLevel(h *units.History, codes []string) (villages, above []string) {
	for _, c := range codes {
		village, other := false, false
		for _, v := range h.Versions(c) {
			if v.Level == ntm.LevelVillage {
				village = true
			} else {
				other = true
			}
		}
		if village || !other {
			villages = append(villages, c)
		}
		if other || !village {
			above = append(above, c)
		}
	}
	return villages, above
}

// partCodes lists the codes whose versions and facts part st needs: the codes of its units in
// force, and every code linked to or from one of them by successor links, transitively in
// both directions (the predecessors whose facts stand for a unit, across provinces too, and
// the successors a located fact is carried to), with the villages the current OCOP products
// of its communes name (a product belongs where its village's successors are). A code too
// many costs a few rows read and never reached; a code too few would change a result, so
// the closure follows every link in force.
func (e *evaluator) partCodes(ctx context.Context, q db.Querier, st *structure) ([]string, []*units.Link, error) {
	seen := make(map[string]bool, len(st.all)+len(st.villages))
	codes := make([]string, 0, len(st.all)+len(st.villages))
	var fresh []string
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			codes = append(codes, c)
			fresh = append(fresh, c)
		}
	}
	for _, u := range st.all {
		add(u.Code)
	}
	for _, u := range st.villages {
		add(u.Code)
	}
	var links []*units.Link
	rounds := 0
	for len(fresh) > 0 {
		for len(fresh) > 0 {
			var err error
			batch := fresh
			fresh = nil
			if links, err = partLinks(ctx, q, batch); err != nil {
				return nil, nil, err
			}
			rounds++
			for _, l := range links {
				add(l.Old)
				add(l.New)
			}
		}
		if e.need.ocop && len(st.villages) > 0 {
			for _, p := range e.products {
				if seen[p.commune] {
					add(p.village)
				}
			}
		}
	}
	if rounds > 1 {
		// Every link touching the codes, in the order units.Load reads them.
		var err error
		if links, err = partLinks(ctx, q, codes); err != nil {
			return nil, nil, err
		}
	}
	return codes, links, nil
}

// partLinks reads the successor links in force from or to codes.
func partLinks(ctx context.Context, q db.Querier, codes []string) ([]*units.Link, error) {
	rows, err := q.Query(ctx, query("part_links"), codes)
	if err != nil {
		return nil, fmt.Errorf("read successor links: %w", err)
	}
	defer rows.Close()
	var out []*units.Link
	for rows.Next() {
		l := &units.Link{}
		var kind string
		if err := rows.Scan(&l.ID, &l.Old, &l.New, &l.From, &kind); err != nil {
			return nil, fmt.Errorf("read successor links: %w", err)
		}
		l.Partial = kind == "partial"
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read successor links: %w", err)
	}
	return out, nil
}

// partHistory builds the unit history of a part's lineage: every version of codes (villages
// only when a village criterion needs them) and links, the links between them (partCodes: every
// link from or to one of the codes, both of whose ends are then among them).
func (e *evaluator) partHistory(ctx context.Context, q db.Querier, codes []string, links []*units.Link) (*units.History, error) {
	rows, err := q.Query(ctx, query("part_versions"), e.need.villages, codes)
	if err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	defer rows.Close()
	var vs []*units.Version
	for rows.Next() {
		v := &units.Version{}
		var level string
		var to *time.Time
		if err := rows.Scan(&v.ID, &v.Code, &level, &v.Kind, &v.Name, &v.Parent, &v.From, &to); err != nil {
			return nil, fmt.Errorf("read unit versions: %w", err)
		}
		v.Level = ntm.Level(level)
		if to != nil {
			v.To = *to
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unit versions: %w", err)
	}
	return units.New(vs, links), nil
}

// partProducts are the products whose commune or village is among codes: every product that
// can belong to a locality of the part (partCodes holds the villages its communes' products
// name, and everything linked to them).
func (e *evaluator) partProducts(codes []string) []*product {
	in := make(map[string]bool, len(codes))
	for _, c := range codes {
		in[c] = true
	}
	var out []*product
	for _, p := range e.products {
		if in[p.commune] || (p.village != "" && in[p.village]) {
			out = append(out, p)
		}
	}
	return out
}
