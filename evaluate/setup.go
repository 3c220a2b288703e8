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

func loadUnits(ctx context.Context, q db.Querier, p ntm.Period) (*structure, error) {
	rows, err := q.Query(ctx, query("units"), p.End())
	if err != nil {
		return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
	}
	defer rows.Close()
	st := &structure{byCode: map[string]*unit{}}
	for rows.Next() {
		u := &unit{}
		var level string
		if err := rows.Scan(&u.Code, &level, &u.Kind, &u.Name, &u.Parent); err != nil {
			return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
		}
		u.Level = ntm.Level(level)
		st.byCode[u.Code] = u
		st.all = append(st.all, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the units in force on %s: %w", vnfmt.Date(p.End()), err)
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
