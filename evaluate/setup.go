package evaluate

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

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

// villageConditions are the six smart-village conditions in their order.
var villageConditions = []string{KeyTeam, KeyPlatform, KeyWifi, KeyAddress, KeyOCOP, KeyModel}

// known lists every computable criterion with the threshold used when a set does not carry
// it (the values of the built-in set); its level and wording are in the registry.
var known = map[string]Fraction{
	KeyTeam: Count(1), KeyPlatform: Count(1), KeyWifi: Count(1), KeyAddress: Count(1), KeyOCOP: Count(1),
	KeyModel: Count(1), KeySmartVillage: Count(6), KeyC8: Count(1), KeyProcedures: Count(1),
	KeyDossiers: Frac(7, 10), KeyD95: Count(2),
}

type criterion struct {
	Key, Name string
	Level     ntm.Level
	Threshold Fraction
	Position  int
}

type criteriaSet struct {
	Key, Name     string
	ValidFrom     time.Time
	StaleMonths   int
	OCOPLocality  string // "commune" or "village"
	DossierWindow string // "year", "quarter" or "month"
	Criteria      []criterion
	byKey         map[string]criterion
}

// has reports whether the set carries criterion key.
func (s *criteriaSet) has(key string) bool { _, ok := s.byKey[key]; return ok }

// threshold is the set's threshold for key, else the built-in default.
func (s *criteriaSet) threshold(key string) Fraction {
	if c, ok := s.byKey[key]; ok {
		return c.Threshold
	}
	return known[key]
}

// loadSet reads the criteria set in force at the period end.
func loadSet(ctx context.Context, q db.Querier, p ntm.Period) (*criteriaSet, error) {
	end := p.End()
	s := &criteriaSet{byKey: map[string]criterion{}}
	err := q.QueryRow(ctx, query("criteria_set"), end).Scan(&s.Key, &s.Name, &s.ValidFrom, &s.StaleMonths, &s.OCOPLocality, &s.DossierWindow)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("no criteria set is in force on %s (period %s): add one to the criteria_set table or run ntm migrate", vnfmt.Date(end), p)
	}
	if err != nil {
		return nil, fmt.Errorf("read the criteria set for period %s: %w", p, err)
	}
	rows, err := q.Query(ctx, query("criteria"), s.Key)
	if err != nil {
		return nil, fmt.Errorf("read the criteria of set %s: %w", s.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c criterion
		var setLevel string // informational: the level follows from the key
		if err := rows.Scan(&c.Key, &c.Name, &setLevel, &c.Threshold.Num, &c.Threshold.Den, &c.Position); err != nil {
			return nil, fmt.Errorf("read the criteria of set %s: %w", s.Key, err)
		}
		_, ok := known[c.Key]
		def, _ := DefinitionOf(c.Key)
		if !ok {
			return nil, fmt.Errorf("criteria set %s has criterion %s, which ntm cannot compute: remove it or use one of V1_TEAM…V6_DXMODEL, SMART_VILLAGE, C8_SMART_VILLAGE, D95_PROCEDURES, D95_DOSSIERS, D95", s.Key, c.Key)
		}
		if c.Threshold.Den <= 0 || c.Threshold.Num < 0 {
			return nil, fmt.Errorf("criterion %s of set %s has threshold %d/%d: the denominator must be positive and the numerator non-negative", c.Key, s.Key, c.Threshold.Num, c.Threshold.Den)
		}
		c.Level = def.Level
		s.Criteria = append(s.Criteria, c)
		s.byKey[c.Key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the criteria of set %s: %w", s.Key, err)
	}
	if s.StaleMonths <= 0 {
		s.StaleMonths = 12
	}
	return s, nil
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
	return st, nil
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

// staleBefore is the first date whose data still counts: the period end moved back by
// months, clamped to a month end (2024-02-29 − 12 months = 2023-02-28).
func staleBefore(p ntm.Period, months int) time.Time {
	n := p.Year*12 + int(p.Month) - 1 - months
	return ntm.Period{Year: n / 12, Month: time.Month(n%12 + 1)}.End()
}
