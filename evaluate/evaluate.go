package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/units"
	"ntm/vnfmt"
)

// Result is one criterion's outcome for one unit and period.
type Result struct {
	Period        ntm.Period
	UnitCode      string
	UnitName      string
	Level         ntm.Level
	ParentCode    string
	DistrictCode  string // the district the unit lies in ("" without a district level); a district's own code
	Criterion     string
	CriterionName string // the set's Vietnamese name of the criterion (filled by Results)
	Status        ntm.Status
	Value         *Fraction // nil = no value
	Threshold     Fraction
	Explanation   string
	Detail        map[string]any
}

// Evaluate computes all results of the criteria set in force at the end of period p (see
// SetInForce), on the unit structure in force at the period end, stores them as a new
// evaluation (one transaction, result rows by COPY) and returns its id. The evaluation records
// the exact version of the set it used (SetOf reads it back) and the loaded batches it saw.
func Evaluate(ctx context.Context, pool *pgxpool.Pool, p ntm.Period) (int64, error) {
	// One repeatable-read transaction: every query sees the same snapshot, and a failure
	// leaves no half-written evaluation behind.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, fmt.Errorf("evaluate period %s: start a transaction: %w", p, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	id, err := EvaluateTx(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("evaluate period %s: commit: %w", p, err)
	}
	return id, nil
}

// EvaluateTx is Evaluate in the caller's transaction tx, without committing: what tx has loaded
// (transform.LoadFileTx) is evaluated, and the caller commits or rolls back both at once. For
// one snapshot across the evaluation's queries, begin tx as repeatable read.
func EvaluateTx(ctx context.Context, tx pgx.Tx, p ntm.Period) (int64, error) {
	rs, set, err := compute(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	digest, err := rememberSource(ctx, tx, set)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO evaluation (period, set_key, set_sha256, batch_ids)
		VALUES ($1, $2, $3, ARRAY(SELECT id FROM batch WHERE status = 'loaded' ORDER BY id)) RETURNING id`,
		p.String(), set.Key, digest).Scan(&id); err != nil {
		return 0, fmt.Errorf("evaluate period %s: record the evaluation: %w", p, err)
	}
	cols := []string{"evaluation_id", "unit_code", "unit_name", "level", "parent_code", "criterion", "status",
		"value_num", "value_den", "threshold_num", "threshold_den", "explanation", "detail"}
	i := 0
	var lastMap map[string]any
	var lastJSON []byte
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= len(rs) {
			return nil, nil
		}
		r := rs[i]
		i++
		var vn, vd *int64
		if r.Value != nil {
			vn, vd = &r.Value.Num, &r.Value.Den
		}
		var parent *string
		if r.ParentCode != "" {
			parent = &r.ParentCode
		}
		// Rows of one village often share one detail map: marshal it once.
		if r.Detail == nil {
			lastJSON, lastMap = []byte("{}"), nil
		} else if lastMap == nil || reflect.ValueOf(r.Detail).UnsafePointer() != reflect.ValueOf(lastMap).UnsafePointer() {
			b, err := json.Marshal(r.Detail)
			if err != nil {
				return nil, fmt.Errorf("result detail of %s %s: %w", r.UnitCode, r.Criterion, err)
			}
			lastJSON, lastMap = b, r.Detail
		}
		detail := lastJSON
		return []any{id, r.UnitCode, r.UnitName, string(r.Level), parent, r.Criterion, string(r.Status),
			vn, vd, r.Threshold.Num, r.Threshold.Den, r.Explanation, detail}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"result"}, cols, src); err != nil {
		return 0, fmt.Errorf("evaluate period %s: store %d results: %w", p, len(rs), err)
	}
	return id, nil
}

// evaluator holds what one evaluation reads and decides.
type evaluator struct {
	p        ntm.Period
	end      time.Time
	fresh    time.Time // data dated before this is stale
	set      *Set
	st       *structure
	groups   map[string]int // commune code → commune group at the period end (per-group thresholds)
	results  []Result
	statuses map[string]map[string]ntm.Status // criterion → unit code → status (subject units only)
	lin      *lineage                         // which unit version each fact belongs to
	procs    *byVersion[*procedureRow]        // read once when a procedure ratio is decided
	doss     *byVersion[*unitDossiers]        // read once when a dossier ratio is decided
	wfrom    time.Time                        // the dossier window's first day
}

// compute reads the inputs in tx and returns every result of period p.
func compute(ctx context.Context, tx pgx.Tx, p ntm.Period) ([]Result, *Set, error) {
	set, err := SetInForce(ctx, tx, p.End())
	if err != nil {
		return nil, nil, err
	}
	st, err := loadUnits(ctx, tx, p)
	if err != nil {
		return nil, nil, err
	}
	order := set.ordered()
	// The whole structure over time, once per evaluation: facts are attributed to unit versions
	// by map lookups (villages only when a village criterion reads village facts).
	h, err := units.Load(ctx, tx, units.LoadOptions{NoVillages: len(order[ntm.LevelVillage]) == 0})
	if err != nil {
		return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	e := &evaluator{
		p: p, end: p.End(), fresh: staleBefore(p, set.StaleMonths), set: set, st: st,
		statuses: map[string]map[string]ntm.Status{}, lin: &lineage{h: h, end: p.End()},
	}
	for _, c := range set.Criteria {
		if c.PerGroup() {
			if e.groups, err = GroupsAt(ctx, tx, e.end); err != nil {
				return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
			}
			break
		}
	}
	e.results = make([]Result, 0, len(st.villages)*8+len(st.communes)*4+len(st.districts)*4+len(st.provinces)*len(set.Criteria))
	if err := e.villages(ctx, tx, order[ntm.LevelVillage]); err != nil {
		return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	for _, c := range order[ntm.LevelCommune] {
		if err := e.unitCriterion(ctx, tx, c); err != nil {
			return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
		}
	}
	for _, c := range order[ntm.LevelDistrict] {
		if err := e.unitCriterion(ctx, tx, c); err != nil {
			return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
		}
	}
	for _, c := range order[ntm.LevelProvince] {
		if err := e.unitCriterion(ctx, tx, c); err != nil {
			return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
		}
	}
	e.provinces()
	return e.results, set, nil
}

// ordered groups the set's criteria by level, each level's in an order where every criterion
// comes after those it combines (the file's order otherwise).
func (s *Set) ordered() map[ntm.Level][]*SetCriterion {
	out := map[ntm.Level][]*SetCriterion{}
	done := map[string]bool{}
	var visit func(c *SetCriterion)
	visit = func(c *SetCriterion) {
		if done[c.Key] {
			return
		}
		done[c.Key] = true // the file check refuses cycles
		for _, k := range c.deps() {
			if o := s.byKey[k]; o != nil {
				visit(o)
			}
		}
		out[c.Level] = append(out[c.Level], c)
	}
	for _, c := range s.Criteria {
		visit(c)
	}
	return out
}

// emit records a result of criterion c for unit u. The status is remembered (composites and
// the province counts need it) unless the row is informational (the 9.5 ratios of a commune
// under a district), which is stored but counted nowhere.
func (e *evaluator) emit(u *unit, c *SetCriterion, threshold Fraction, status ntm.Status, value *Fraction, expl string, detail map[string]any, informational bool) {
	if !informational {
		m := e.statuses[c.Key]
		if m == nil {
			m = map[string]ntm.Status{}
			e.statuses[c.Key] = m
		}
		m[u.Code] = status
	}
	if detail == nil {
		detail = map[string]any{}
	}
	if informational {
		detail["informational"] = true
		expl = "Tham khảo: " + expl
	}
	dc := u.districtCode()
	if dc != "" && u.Level != ntm.LevelDistrict {
		detail["district_code"] = dc // so that readers can group villages by district
	}
	e.results = append(e.results, Result{
		Period: e.p, UnitCode: u.Code, UnitName: u.Name, Level: u.Level, ParentCode: u.Parent,
		DistrictCode: dc, Criterion: c.Key, Status: status, Value: value,
		Threshold: threshold, Explanation: expl, Detail: detail,
	})
}

// decided is the status met when value reaches threshold, else not met.
func decided(value, threshold Fraction) ntm.Status {
	if value.AtLeast(threshold) {
		return ntm.StatusMet
	}
	return ntm.StatusNotMet
}

// threshold is criterion c's threshold for unit u: the set's, or its commune group's. ok is
// false when the threshold is per group and u has no group in force; then a no-data result
// naming the missing group has been emitted.
func (e *evaluator) threshold(c *SetCriterion, u *unit) (Fraction, bool) {
	if !c.PerGroup() {
		return c.Threshold, true
	}
	commune := u
	if u.Level == ntm.LevelVillage && u.parent != nil {
		commune = u.parent
	}
	if g, ok := e.groups[commune.Code]; ok && commune.Level == ntm.LevelCommune {
		return c.ByGroup[g], true
	}
	var expl string
	if commune.Level == ntm.LevelCommune {
		expl = fmt.Sprintf("%s chưa được xếp nhóm xã (nhóm 1, 2 hoặc 3) có hiệu lực ngày %s, mà ngưỡng của tiêu chí này theo nhóm xã: nạp danh sách nhóm xã bằng ntm criteria groups import FILE",
			commune.Name, vnfmt.Date(e.end))
	} else {
		expl = fmt.Sprintf("Ngưỡng của tiêu chí này theo nhóm xã, mà %s không phải là xã nên không có nhóm xã", u.Name)
	}
	e.emit(u, c, Fraction{}, ntm.StatusNoData, nil, expl, map[string]any{"missing_group": commune.Code}, false)
	return Fraction{}, false
}

// status returns the remembered status of criterion key for a unit (no data if none).
func (e *evaluator) status(key, code string) ntm.Status {
	if s, ok := e.statuses[key][code]; ok {
		return s
	}
	return ntm.StatusNoData
}

// countRule decides a composite from how many of its parts are met, not met and undecided,
// against the threshold k (a whole number of parts): met when at least k parts are met; not
// met when even counting every undecided part as met would stay below k; otherwise no data.
// With k = all parts this is "met if all are met, not met if any is not met"; with k = 1 it
// is "met if one is met, not met if none is and all are decided".
func countRule(met, undecided int64, k Fraction) ntm.Status {
	switch {
	case Count(met).AtLeast(k):
		return ntm.StatusMet
	case !Count(met + undecided).AtLeast(k):
		return ntm.StatusNotMet
	}
	return ntm.StatusNoData
}

func ptr(f Fraction) *Fraction { return &f }
