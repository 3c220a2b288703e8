package evaluate

import (
	"context"
	"embed"
	"fmt"
	"sort"
	"time"

	"ntm"
	"ntm/db"
	"ntm/vnfmt"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// query returns the embedded SQL file sql/<name>.sql; a missing file is a programming error.
func query(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic("evaluate: missing embedded query " + name)
	}
	return string(b)
}

// unit is one administrative unit of the structure in force at the period end.
type unit struct {
	Code, Kind, Name, Parent string
	Level                    ntm.Level
	parent                   *unit
	children                 []*unit // sorted by code
}

type structure struct {
	byCode    map[string]*unit
	all       []*unit // sorted by code
	provinces []*unit
	districts []*unit
	communes  []*unit
	villages  []*unit
}

// loadUnits reads the structure in force at the period end above the villages (the villages
// are read with their province, partVillages; those in no province by orphanVillages).
func loadUnits(ctx context.Context, q db.Querier, p ntm.Period) (*structure, error) {
	st := &structure{byCode: map[string]*unit{}}
	all, err := scanUnits(ctx, q, p, query("units"), p.End())
	if err != nil {
		return nil, err
	}
	st.all = all
	for _, u := range st.all {
		st.byCode[u.Code] = u
	}
	if len(st.all) == 0 {
		return nil, fmt.Errorf("no administrative units are in force on %s (period %s): run ntm units import FILE first", vnfmt.Date(p.End()), p)
	}
	sort.Slice(st.all, func(i, j int) bool { return st.all[i].Code < st.all[j].Code })
	for _, u := range st.all {
		if par, ok := st.byCode[u.Parent]; ok && par != u {
			u.parent = par
			par.children = append(par.children, u)
		}
		st.addByLevel(u)
	}
	return st, nil
}

// scanUnits reads units (code, level, kind, name, parent code) by query sql.
func scanUnits(ctx context.Context, q db.Querier, p ntm.Period, sql string, args ...any) ([]*unit, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
	}
	defer rows.Close()
	var out []*unit
	for rows.Next() {
		u := &unit{}
		var level string
		if err := rows.Scan(&u.Code, &level, &u.Kind, &u.Name, &u.Parent); err != nil {
			return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
		}
		u.Level = ntm.Level(level)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
	}
	return out, nil
}

// partVillages reads the villages in force under part st's units (every unit above the
// villages lies in exactly one part) and hangs them under their parents, in code order after
// the villages already there (the units in no province hold the orphans, orphanVillages).
// detachVillages undoes it once the part is computed.
func partVillages(ctx context.Context, q db.Querier, p ntm.Period, st *structure) error {
	codes := make([]string, len(st.all))
	for i, u := range st.all {
		codes[i] = u.Code
	}
	vs, err := scanUnits(ctx, q, p, query("part_villages"), p.End(), codes)
	if err != nil {
		return err
	}
	vs = append(vs, st.villages...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].Code < vs[j].Code })
	st.villages = vs
	var touched []*unit
	for _, v := range vs {
		if par, ok := st.byCode[v.Parent]; ok {
			v.parent = par
			if len(par.children) == 0 || par.children[len(par.children)-1].Level != ntm.LevelVillage {
				touched = append(touched, par)
			}
			par.children = append(par.children, v)
		}
	}
	for _, par := range touched {
		sort.SliceStable(par.children, func(i, j int) bool { return par.children[i].Code < par.children[j].Code })
	}
	return nil
}

// detachVillages takes part st's villages off their parents and the part.
func detachVillages(st *structure) {
	for _, v := range st.villages {
		if par := v.parent; par != nil && len(par.children) > 0 {
			kept := par.children[:0]
			for _, c := range par.children {
				if c.Level != ntm.LevelVillage {
					kept = append(kept, c)
				}
			}
			clear(par.children[len(kept):])
			par.children = kept
		}
	}
	st.villages = nil
}

// orphanVillages adds the villages in force whose parent is no unit above the villages in
// force to the part of the units in no province (made when there is none).
func (e *evaluator) orphanVillages(ctx context.Context, q db.Querier) error {
	vs, err := scanUnits(ctx, q, e.p, query("orphan_villages"), e.end)
	if err != nil || len(vs) == 0 {
		return err
	}
	var none *structure
	if n := len(e.parts); n > 0 && (len(e.parts[n-1].provinces) == 0) {
		none = e.parts[n-1]
	} else {
		none = &structure{byCode: e.whole.byCode}
		e.parts = append(e.parts, none)
	}
	none.villages = vs
	return nil
}

// addByLevel adds u to the list of its level.
func (st *structure) addByLevel(u *unit) {
	switch u.Level {
	case ntm.LevelProvince:
		st.provinces = append(st.provinces, u)
	case ntm.LevelDistrict:
		st.districts = append(st.districts, u)
	case ntm.LevelCommune:
		st.communes = append(st.communes, u)
	case ntm.LevelVillage:
		st.villages = append(st.villages, u)
	}
}

// byProvince splits the structure into one part per province (in code order), each with every
// unit inside it, and a last part with the units in no province (a broken chain of parents),
// when there are any. Each part lists its units in code order, like the whole.
func (st *structure) byProvince() []*structure {
	parts := make([]*structure, 0, len(st.provinces)+1)
	of := make(map[*unit]*structure, len(st.provinces))
	for _, p := range st.provinces {
		part := &structure{byCode: st.byCode}
		of[p] = part
		parts = append(parts, part)
	}
	var none *structure
	for _, u := range st.all {
		part := of[u.province()]
		if part == nil {
			if none == nil {
				none = &structure{byCode: st.byCode}
			}
			part = none
		}
		part.all = append(part.all, u)
		part.addByLevel(u)
	}
	if none != nil {
		parts = append(parts, none)
	}
	return parts
}

// province returns the province a unit lies in, or nil when its chain of parents is broken.
func (u *unit) province() *unit {
	for x, n := u, 0; x != nil && n < 8; x, n = x.parent, n+1 {
		if x.Level == ntm.LevelProvince {
			return x
		}
	}
	return nil
}

// districtCode is the code of the district a unit lies in ("" when there is none).
func (u *unit) districtCode() string {
	for x, n := u, 0; x != nil && n < 8; x, n = x.parent, n+1 {
		if x.Level == ntm.LevelDistrict {
			return x.Code
		}
	}
	return ""
}

// childrenAt lists the unit's children of one level.
func (u *unit) childrenAt(l ntm.Level) []*unit {
	var out []*unit
	for _, c := range u.children {
		if c.Level == l {
			out = append(out, c)
		}
	}
	return out
}

// StaleBefore is the first date whose data still counts for period p under a set's staleness
// limit of months: data dated before it is no data (the templates' pre-filled answers say so).
func StaleBefore(p ntm.Period, months int) time.Time { return staleBefore(p, months) }

// staleBefore is the first date whose data still counts: the period end moved back by
// months, clamped to a month end (2024-02-29 − 12 months = 2023-02-28).
func staleBefore(p ntm.Period, months int) time.Time {
	n := p.Year*12 + int(p.Month) - 1 - months
	return ntm.Period{Year: n / 12, Month: time.Month(n%12 + 1)}.End()
}
