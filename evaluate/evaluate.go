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

// Evaluate computes all results of the criteria set in force for period p (valid_from ≤
// period end, valid_to open or ≥ period end; the newest valid_from wins), on the unit
// structure in force at the period end, stores them as a new evaluation (one transaction,
// result rows by COPY) and returns its id.
func Evaluate(ctx context.Context, pool *pgxpool.Pool, p ntm.Period) (int64, error) {
	// One repeatable-read transaction: every query sees the same snapshot, and a failure
	// leaves no half-written evaluation behind.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, fmt.Errorf("evaluate period %s: start a transaction: %w", p, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	rs, set, err := compute(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO evaluation (period, set_key) VALUES ($1, $2) RETURNING id`, p.String(), set.Key).Scan(&id); err != nil {
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
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("evaluate period %s: commit: %w", p, err)
	}
	return id, nil
}

// evaluator holds what one evaluation reads and decides.
type evaluator struct {
	p        ntm.Period
	end      time.Time
	fresh    time.Time // data dated before this is stale
	set      *criteriaSet
	st       *structure
	results  []Result
	statuses map[string]map[string]ntm.Status // criterion → unit code → status (subject units only)
}

// compute reads the inputs in tx and returns every result of period p.
func compute(ctx context.Context, tx pgx.Tx, p ntm.Period) ([]Result, *criteriaSet, error) {
	set, err := loadSet(ctx, tx, p)
	if err != nil {
		return nil, nil, err
	}
	st, err := loadUnits(ctx, tx, p)
	if err != nil {
		return nil, nil, err
	}
	e := &evaluator{
		p: p, end: p.End(), fresh: staleBefore(p, set.StaleMonths), set: set, st: st,
		statuses: map[string]map[string]ntm.Status{},
	}
	e.results = make([]Result, 0, len(st.villages)*8+len(st.communes)*4+len(st.districts)*4+len(st.provinces)*len(set.Criteria))
	if err := e.villages(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	e.communes()
	if err := e.indicator95(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	e.provinces()
	return e.results, set, nil
}

// emit records a result for a subject unit of criterion key. The status is always
// remembered (composites and the province counts need it); a row is stored only when
// the set carries the criterion. Informational rows (D95 per commune under a district)
// are stored but not remembered.
func (e *evaluator) emit(u *unit, key string, status ntm.Status, value *Fraction, expl string, detail map[string]any, informational bool) {
	if !informational {
		m := e.statuses[key]
		if m == nil {
			m = map[string]ntm.Status{}
			e.statuses[key] = m
		}
		m[u.Code] = status
	}
	if !e.set.has(key) {
		return
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
		DistrictCode: u.districtCode(), Criterion: key, Status: status, Value: value,
		Threshold: e.set.threshold(key), Explanation: expl, Detail: detail,
	})
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
