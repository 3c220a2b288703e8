package evaluate

import (
	"context"
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
//
// Every input is read first (one set-based query per dataset for the whole structure); the
// results are then computed one province at a time while the COPY sends the previous
// province's, so that what is held is one province's results, not the nation's.
func EvaluateTx(ctx context.Context, tx pgx.Tx, p ntm.Period) (int64, error) {
	e, err := prepare(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	digest, err := rememberSource(ctx, tx, e.set)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO evaluation (period, set_key, set_sha256, batch_ids)
		VALUES ($1, $2, $3, ARRAY(SELECT id FROM batch WHERE status = 'loaded' ORDER BY id)) RETURNING id`,
		p.String(), e.set.Key, digest).Scan(&id); err != nil {
		return 0, fmt.Errorf("evaluate period %s: record the evaluation: %w", p, err)
	}
	cols := []string{"evaluation_id", "unit_code", "unit_name", "level", "parent_code", "criterion", "status",
		"value_num", "value_den", "threshold_num", "threshold_den", "explanation", "detail"}
	src := &resultSource{e: e, id: id}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"result"}, cols, src); err != nil {
		if src.err != nil {
			return 0, src.err // a computation's error, as it was reported
		}
		return 0, fmt.Errorf("evaluate period %s: store %d results: %w", p, src.n, err)
	}
	return id, nil
}

// resultSource computes the results province by province as the COPY asks for rows: the
// rows of one province are computed, sent, and dropped before the next province's.
type resultSource struct {
	e        *evaluator
	id       int64
	i, n     int // the next row of e.results; rows sent so far
	err      error
	row      []any
	vn, vd   int64
	parent   string
	lastMap  map[string]any
	lastJSON []byte
	buf      []byte // lastJSON's memory, reused: the COPY copies each row before asking for the next
}

func (s *resultSource) Next() bool {
	if s.err != nil {
		return false
	}
	for s.i >= len(s.e.results) {
		clear(s.e.results) // the sent rows' texts and details can go
		s.e.results, s.i, s.lastMap = s.e.results[:0], 0, nil
		more, err := s.e.next()
		if err != nil {
			s.err = err
			return false
		}
		if !more {
			return false
		}
	}
	s.i++
	s.n++
	return true
}

func (s *resultSource) Values() ([]any, error) {
	r := &s.e.results[s.i-1]
	if s.row == nil {
		s.row = make([]any, 13)
		s.row[0] = s.id
	}
	s.row[1], s.row[2], s.row[3] = r.UnitCode, r.UnitName, string(r.Level)
	s.row[4] = nil
	if r.ParentCode != "" {
		s.parent = r.ParentCode
		s.row[4] = &s.parent
	}
	s.row[5], s.row[6] = r.Criterion, string(r.Status)
	s.row[7], s.row[8] = nil, nil
	if r.Value != nil {
		s.vn, s.vd = r.Value.Num, r.Value.Den
		s.row[7], s.row[8] = &s.vn, &s.vd
	}
	s.row[9], s.row[10], s.row[11] = r.Threshold.Num, r.Threshold.Den, r.Explanation
	// Rows of one village often share one detail map: marshal it once.
	if r.Detail == nil {
		s.lastJSON, s.lastMap = []byte("{}"), nil
	} else if s.lastMap == nil || reflect.ValueOf(r.Detail).UnsafePointer() != reflect.ValueOf(s.lastMap).UnsafePointer() {
		b, err := appendDetail(s.buf[:0], r.Detail)
		if err != nil {
			s.err = fmt.Errorf("result detail of %s %s: %w", r.UnitCode, r.Criterion, err)
			return nil, s.err
		}
		s.buf = b
		s.lastJSON, s.lastMap = b, r.Detail
	}
	s.row[12] = s.lastJSON
	return s.row, nil
}

func (s *resultSource) Err() error { return s.err }

// evaluator holds what one evaluation reads and decides.
type evaluator struct {
	p        ntm.Period
	end      time.Time
	fresh    time.Time // data dated before this is stale
	set      *Set
	order    map[ntm.Level][]*SetCriterion
	whole    *structure                       // the structure in force at the period end
	parts    []*structure                     // whole split by province (then the units in none), evaluated in turn
	st       *structure                       // the part being evaluated
	groups   map[string]int                   // commune code → commune group at the period end (per-group thresholds)
	results  []Result                         // the part's results, until they are sent
	statuses map[string]map[string]ntm.Status // criterion → unit code → status (subject units only, of the part)
	lin      *lineage                         // which unit version each fact belongs to
	procs    *byVersion[*procedureRow]        // read once when a procedure ratio is decided
	doss     *byVersion[*unitDossiers]        // read once when a dossier ratio is decided
	wfrom    time.Time                        // the dossier window's first day
	surveys  *byVersion[*surveyRow]           // read once when a village criterion needs them
	addrs    *byVersion[*addressRow]
	ocop     map[string]*ocopOutcome
}

// prepare reads every input of period p in tx: the set, the structure, and the facts its
// criteria need. What follows (next) is computation only: it runs while the COPY holds tx.
func prepare(ctx context.Context, tx pgx.Tx, p ntm.Period) (*evaluator, error) {
	set, err := SetInForce(ctx, tx, p.End())
	if err != nil {
		return nil, err
	}
	st, err := loadUnits(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	order := set.ordered()
	// The whole structure over time, once per evaluation: facts are attributed to unit versions
	// by map lookups (villages only when a village criterion reads village facts).
	h, err := units.Load(ctx, tx, units.LoadOptions{NoVillages: len(order[ntm.LevelVillage]) == 0})
	if err != nil {
		return nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	e := &evaluator{
		p: p, end: p.End(), fresh: staleBefore(p, set.StaleMonths), set: set, order: order, whole: st, parts: st.byProvince(),
		statuses: map[string]map[string]ntm.Status{}, lin: &lineage{h: h, end: p.End()},
	}
	for _, c := range set.Criteria {
		if c.PerGroup() {
			if e.groups, err = GroupsAt(ctx, tx, e.end); err != nil {
				return nil, fmt.Errorf("evaluate period %s: %w", p, err)
			}
			break
		}
	}
	if err := e.loadVillageFacts(ctx, tx, order[ntm.LevelVillage]); err != nil {
		return nil, fmt.Errorf("evaluate period %s: %w", p, err)
	}
	for _, l := range []ntm.Level{ntm.LevelCommune, ntm.LevelDistrict, ntm.LevelProvince} {
		for _, c := range order[l] {
			if err := e.loadServices(ctx, tx, c.Measure); err != nil {
				return nil, fmt.Errorf("evaluate period %s: %w", p, err)
			}
		}
	}
	return e, nil
}

// next computes the results of the next part of the structure (a province with everything in
// it; last, the units in no province) into e.results; false when every part is done. A part's
// results depend only on its own units' statuses: a commune's on its villages', a district's
// on its communes', a province's on the units inside it.
func (e *evaluator) next() (bool, error) {
	if len(e.parts) == 0 {
		return false, nil
	}
	e.st, e.parts = e.parts[0], e.parts[1:]
	for _, m := range e.statuses {
		clear(m)
	}
	if err := e.villages(e.order[ntm.LevelVillage]); err != nil {
		return false, fmt.Errorf("evaluate period %s: %w", e.p, err)
	}
	for _, l := range []ntm.Level{ntm.LevelCommune, ntm.LevelDistrict, ntm.LevelProvince} {
		for _, c := range e.order[l] {
			if err := e.unitCriterion(c); err != nil {
				return false, fmt.Errorf("evaluate period %s: %w", e.p, err)
			}
		}
	}
	e.provinces()
	e.st = nil
	return true, nil
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
