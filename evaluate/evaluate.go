package evaluate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db"
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
// evaluation and returns its id. The evaluation records the exact version of the set it used
// (SetOf) and the loaded batches it saw.
//
// It works on two connections of pool at once when it can have them (see evaluateOnTwo): the
// inputs are read on both in one snapshot, and the results stored by a COPY on each. Either
// way the evaluation is all or nothing: its row in table evaluation, through which every
// reader finds results, commits last, after every result row, and a failure anywhere before
// leaves neither the evaluation nor any of its results.
func Evaluate(ctx context.Context, pool *pgxpool.Pool, p ntm.Period) (int64, error) {
	// One repeatable-read transaction: every query sees the same snapshot, and a failure
	// leaves no half-written evaluation behind.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, fmt.Errorf("evaluate period %s: start a transaction: %w", p, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if second := secondConn(ctx, pool); second != nil {
		defer second.Release()
		return evaluateOnTwo(ctx, tx, second, p)
	}
	id, err := EvaluateTx(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("evaluate period %s: commit: %w", p, err)
	}
	return id, nil
}

// secondConn is a second connection of pool for the evaluation, nil when the pool cannot give
// one soon (a pool of one connection, or every other one busy): then it runs on one.
func secondConn(ctx context.Context, pool *pgxpool.Pool) *pgxpool.Conn {
	if pool.Config().MaxConns < 2 {
		return nil
	}
	actx, cancel := context.WithTimeout(ctx, secondConnWait)
	defer cancel()
	c, err := pool.Acquire(actx)
	if err != nil {
		return nil
	}
	return c
}

// secondConnWait is how long Evaluate waits for a second connection before working on one.
const secondConnWait = 2 * time.Second

// evaluateOnTwo is Evaluate on tx and a second connection: tx exports its snapshot, the second
// connection's transaction imports it, and the inputs are read half on each at once; the
// results are then stored by a COPY on each at once (the parts shared out as they are
// computed). The second transaction commits first, then tx with the evaluation's row: until
// then no reader can reach the second's rows (every reader goes through the evaluation's id,
// which tx alone holds). Should tx's commit fail after the second's, the second's rows are
// deleted again.
func evaluateOnTwo(ctx context.Context, tx pgx.Tx, second *pgxpool.Conn, p ntm.Period) (int64, error) {
	fail := func(what string, err error) (int64, error) {
		return 0, fmt.Errorf("evaluate period %s: %s: %w", p, what, err)
	}
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return fail("export the snapshot", err)
	}
	tx2, err := second.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return fail("start a second transaction", err)
	}
	defer tx2.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := tx2.Exec(ctx, `SET TRANSACTION SNAPSHOT `+quoteLiteral(snapshot)); err != nil {
		return fail("share the snapshot", err)
	}
	id, err := evaluateOn(ctx, p, tx, tx2)
	if err != nil {
		return 0, err
	}
	if err := tx2.Commit(ctx); err != nil {
		return fail("commit", err)
	}
	if err := tx.Commit(ctx); err != nil {
		// The second transaction's rows name an evaluation that will never exist: take them back.
		if _, derr := second.Exec(context.WithoutCancel(ctx), `DELETE FROM result WHERE evaluation_id = $1`, id); derr != nil {
			return 0, fmt.Errorf("evaluate period %s: commit: %w (and delete the results stored beside it: %v)", p, err, derr)
		}
		return fail("commit", err)
	}
	return id, nil
}

// quoteLiteral quotes s as an SQL string literal (a snapshot name: SET TRANSACTION SNAPSHOT
// takes no parameter).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// EvaluateTx is Evaluate in the caller's transaction tx, without committing: what tx has loaded
// (transform.LoadFileTx) is evaluated, and the caller commits or rolls back both at once. For
// one snapshot across the evaluation's queries, begin tx as repeatable read. Everything runs
// on tx's connection.
//
// The inputs are read one province at a time (with the old units whose facts stand for its
// units), its results computed while the COPY sends the previous province's, so that what is
// held is a province's facts and a few provinces' results, not the nation's.
func EvaluateTx(ctx context.Context, tx pgx.Tx, p ntm.Period) (int64, error) {
	return evaluateOn(ctx, p, tx, nil)
}

// evaluateOn reads the inputs (on tx, and on tx2 beside it when there is one), records the
// evaluation on tx and stores its results by a COPY on each; committing is the caller's.
func evaluateOn(ctx context.Context, p ntm.Period, tx, tx2 pgx.Tx) (int64, error) {
	txs := []pgx.Tx{tx}
	if tx2 != nil {
		txs = append(txs, tx2)
	}
	// No JIT compilation for the evaluation's queries: a province's queries read a few
	// thousand rows, but a database never analysed since its loads estimates millions and
	// PostgreSQL then spends 0.1–0.4 s compiling each (by EXPLAIN ANALYZE on the national
	// bench's database), more than the query. As it was again afterwards, on the caller's tx.
	for _, t := range txs {
		var was string
		if err := t.QueryRow(ctx, `SELECT current_setting('jit'), set_config('jit', 'off', true)`).Scan(&was, new(string)); err != nil {
			return 0, fmt.Errorf("evaluate period %s: %w", p, err)
		}
		if t == tx && was != "off" {
			defer func() {
				_, _ = tx.Exec(context.WithoutCancel(ctx), `SELECT set_config('jit', $1, true)`, was)
			}()
		}
	}
	e, err := prepare(ctx, tx, tx2, p)
	if err != nil {
		return 0, err
	}
	id, err := record(ctx, tx, e)
	if err != nil {
		return 0, err
	}
	if err := store(ctx, e, id, txs...); err != nil {
		return 0, err
	}
	return id, nil
}

// record stores the evaluation's row (the set's version, the loaded batches) and returns its id.
func record(ctx context.Context, tx pgx.Tx, e *evaluator) (int64, error) {
	digest, err := rememberSource(ctx, tx, e.set)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO evaluation (period, set_key, set_sha256, batch_ids)
		VALUES ($1, $2, $3, ARRAY(SELECT id FROM batch WHERE status = 'loaded' ORDER BY id)) RETURNING id`,
		e.p.String(), e.set.Key, digest).Scan(&id); err != nil {
		return 0, fmt.Errorf("evaluate period %s: record the evaluation: %w", e.p, err)
	}
	return id, nil
}

// evaluator holds what one evaluation reads and decides. What it holds for the whole country
// is the structure in force and a few small tables (the commune groups, the OCOP products, the
// dossier-record counts per unit); the unit history and the facts are read one part (a
// province) at a time (readPart) and dropped with it.
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
	flush    func([]Result) ([]Result, bool)  // hands results on to be stored, returns a slice for the next (false: stopped)
	statuses map[string]map[string]ntm.Status // criterion → unit code → status (subject units only, of the part)
	need     needs                            // which facts the set's criteria read
	wfrom    time.Time                        // the dossier window's first day
	haveList bool                             // some OCOP product list counts at the period end
	products []*product                       // the current OCOP products of the country (need.ocop)
	records  map[string][]recordPiece         // the dossier records' counts in the window, by unit code (need.dossiers)

	// The part being evaluated's inputs (readPart), set by next.
	lin     *lineage                  // which unit version each fact belongs to
	procs   *byVersion[*procedureRow] // when a procedure ratio is decided
	doss    *byVersion[*unitDossiers] // when a dossier ratio is decided
	surveys *byVersion[*surveyRow]    // when a village criterion needs them
	addrs   *byVersion[*addressRow]
	ocop    map[string]*ocopOutcome
}

// needs says which facts the set's criteria read.
type needs struct {
	villages                 bool // the unit history with villages (a village criterion)
	surveys, addresses, ocop bool
	procedures, dossiers     bool
}

// prepare reads what the evaluation of period p needs for the whole country, in tx: the set, the
// structure in force, the commune groups; with q2 (a second transaction in tx's snapshot) not
// nil, at the same time on q2 the OCOP products and the dossier records' counts per unit (one
// query over every record, grouped: the records have no index a province could use, and the
// counts are a few per commune). The unit history and the other facts are read per part
// (readPart), beside the computation and the COPY of the parts before.
func prepare(ctx context.Context, tx pgx.Tx, q2 db.Querier, p ntm.Period) (*evaluator, error) {
	set, err := SetInForce(ctx, tx, p.End())
	if err != nil {
		return nil, err
	}
	order := set.ordered()
	e := &evaluator{
		p: p, end: p.End(), fresh: staleBefore(p, set.StaleMonths), set: set, order: order,
		statuses: map[string]map[string]ntm.Status{},
	}
	for _, c := range order[ntm.LevelVillage] {
		e.need.villages = true
		switch c.Measure {
		case MeasureTeam, MeasurePlatform, MeasureWifi, MeasureModels:
			e.need.surveys = true
		case MeasureAddress:
			e.need.addresses = true
		case MeasureOCOP:
			e.need.ocop = true
		}
	}
	for _, l := range []ntm.Level{ntm.LevelCommune, ntm.LevelDistrict, ntm.LevelProvince} {
		for _, c := range order[l] {
			switch c.Measure {
			case MeasureProcedureRatio:
				e.need.procedures = true
			case MeasureDossierRatio:
				e.need.dossiers = true
			}
		}
	}
	if e.need.dossiers {
		e.wfrom = e.window()
	}
	err = inTurnOrAtOnce(q2 != nil, func() error {
		st, err := loadUnits(ctx, tx, p)
		if err != nil {
			return err
		}
		e.whole, e.parts = st, st.byProvince()
		if err := e.orphanVillages(ctx, tx); err != nil {
			return err
		}
		for _, c := range set.Criteria {
			if c.PerGroup() {
				if e.groups, err = GroupsAt(ctx, tx, e.end); err != nil {
					return fmt.Errorf("evaluate period %s: %w", p, err)
				}
				break
			}
		}
		return nil
	}, func() error {
		var q db.Querier = tx
		if q2 != nil {
			q = q2
		}
		var err error
		if e.need.ocop {
			if e.haveList, e.products, err = loadProducts(ctx, q, e.end); err != nil {
				return fmt.Errorf("evaluate period %s: %w", p, err)
			}
		}
		if e.need.dossiers {
			if e.records, err = loadRecordCounts(ctx, q, e.wfrom, e.end); err != nil {
				return fmt.Errorf("evaluate period %s: %w", p, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// inTurnOrAtOnce runs first and then second, or both at once when atOnce; the error is the
// first one's, else the second's (the same as in turn, had both failed). In turn, second does
// not run after first failed. The two must touch different state.
func inTurnOrAtOnce(atOnce bool, first, second func() error) error {
	if !atOnce {
		if err := first(); err != nil {
			return err
		}
		return second()
	}
	done := make(chan error, 1)
	go func() { done <- second() }()
	err1 := first()
	err2 := <-done
	if err1 != nil {
		return err1
	}
	return err2
}

// compute computes the results of part st, whose inputs pf has read, into e.results. A
// part's results depend only on its own units' statuses: a commune's on its villages', a
// district's on its communes', a province's on the units inside it.
func (e *evaluator) compute(st *structure, pf *partFacts) error {
	e.st = st
	e.lin, e.procs, e.doss, e.surveys, e.addrs, e.ocop = pf.lin, pf.procs, pf.doss, pf.surveys, pf.addrs, pf.ocop
	defer func() {
		// The part's inputs go with it.
		detachVillages(st)
		e.st, e.lin, e.procs, e.doss, e.surveys, e.addrs, e.ocop = nil, nil, nil, nil, nil, nil, nil
	}()
	for _, m := range e.statuses {
		clear(m)
	}
	if err := e.villages(e.order[ntm.LevelVillage]); err != nil {
		return fmt.Errorf("evaluate period %s: %w", e.p, err)
	}
	for _, l := range []ntm.Level{ntm.LevelCommune, ntm.LevelDistrict, ntm.LevelProvince} {
		for _, c := range e.order[l] {
			if err := e.unitCriterion(c); err != nil {
				return fmt.Errorf("evaluate period %s: %w", e.p, err)
			}
			if err := e.spill(resultChunk); err != nil {
				return err
			}
		}
	}
	e.provinces()
	return nil
}

// spill hands the part's results so far on to be stored (flush) once there are at least min
// of them; errStopped when the evaluation stopped.
func (e *evaluator) spill(min int) error {
	if e.flush == nil || len(e.results) == 0 || len(e.results) < min {
		return nil
	}
	rs, ok := e.flush(e.results)
	if !ok {
		return errStopped
	}
	e.results = rs
	return nil
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
