package reports

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db"
	"ntm/evaluate"
	"ntm/units"
)

// evaluation is the newest evaluation of the period and the criteria set it was computed with
// (evaluate.SetOf: the version it used, whatever was imported since).
type evaluation struct {
	ID          int64
	SetKey      string
	SetName     string
	At          time.Time
	StaleMonths int
	Set         *evaluate.Set
	// Batches are the loaded batches the evaluation's snapshot counted (nil for evaluations
	// recorded before they were stored): a file loaded while it ran, committed after its
	// snapshot, is not one of its sources even when it was received before evaluated_at.
	Batches []int64
}

// unit is a province, district or commune in force at the period end.
type unit struct {
	Code, Level, Kind, Name, Folded, Parent string
}

// result is one stored result row. Its detail stays the stored jsonb's text and is decoded when
// a sheet reads it (details): decoded into maps, the details of the results a run keeps (every
// unit above the villages, a province's villages) were about half of the workbooks' live heap.
type result struct {
	UnitCode, UnitName, Level, Parent, Criterion string
	Status                                       ntm.Status
	HasValue                                     bool
	Num, Den                                     int64
	ThNum, ThDen                                 int64
	Explanation                                  string
	detail                                       []byte // the jsonb's text; nil = SQL NULL
}

// villageCounts summarises the SMART_VILLAGE results of one commune's villages.
type villageCounts struct {
	Villages, Smart, NotMet, NoData int
}

func (c *villageCounts) add(o villageCounts) {
	c.Villages += o.Villages
	c.Smart += o.Smart
	c.NotMet += o.NotMet
	c.NoData += o.NoData
}

// data is everything about a period that every workbook shares; villages stay in the database and
// are streamed per workbook.
type data struct {
	period         ntm.Period
	missingSources []string // Options.MissingSources
	eval           evaluation
	criteria       []*evaluate.SetCriterion // the set's, in its order
	units          map[string]*unit
	children       map[string][]*unit            // parent code → children ordered by code
	above          map[string]*provinceResults   // province code → its units' results above the villages, read per province
	orphans        map[string]map[string]*result // results of units outside the structure in force (no province reads them)
	digests        map[string][sha256.Size]byte  // unit code → the digest of its results (scopeKey)
	figures        map[string]peerFigures        // unit code → what the rankings read of its results
	ctx            context.Context               // the run's, with q: for a province's results asked before its workbook read them
	q              db.Querier
	villages       map[string]villageCounts // commune code → counts
	coverage       *coverage                // village condition and commune → counts
	prev           *previous                // the evaluation compared with; nil = none
	dataAt         time.Time                // the newest source file's receipt (zero = none)
	ocop           *ocopCache               // the country's OCOP products by day, read once per run (placed per province)
	src            *runSources              // the source files and their rejected rows, read once per run
	addrByCommune  *communeAddressCache     // counted digital addresses per commune and their ranking, read once per run

	scopesOnce, peersOnce sync.Once // scopes and peers, built once per run
	scopeList             []*scope
	peerMap               map[string][]peer // province code → its recipients, for the rankings
	rankOnce              sync.Once         // the peers' rankings, built once per run
	bySmart, byDossier    map[string]*ranking
}

// errNoEvaluation is wrapped by Write when the period was never evaluated.
var errNoEvaluation = errors.New("no evaluation")

func load(ctx context.Context, q db.Querier, period ntm.Period) (*data, error) {
	d := &data{
		ctx:           ctx,
		q:             q,
		period:        period,
		units:         map[string]*unit{},
		children:      map[string][]*unit{},
		villages:      map[string]villageCounts{},
		src:           &runSources{},
		addrByCommune: &communeAddressCache{},
	}
	d.ocop = &ocopCache{}
	err := q.QueryRow(ctx, `
		SELECT e.id, e.set_key, e.evaluated_at, e.batch_ids
		FROM evaluation e
		WHERE e.period = $1 ORDER BY e.id DESC LIMIT 1`, period.String()).
		Scan(&d.eval.ID, &d.eval.SetKey, &d.eval.At, &d.eval.Batches)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("chưa có kết quả đánh giá kỳ %s: chạy ntm evaluate --period %s: %w", period, period, errNoEvaluation)
	}
	if err != nil {
		return nil, fmt.Errorf("read the evaluation of period %s: %w", period, err)
	}
	if d.eval.Set, err = evaluate.SetOf(ctx, q, d.eval.ID); err != nil {
		return nil, err
	}
	d.eval.SetName, d.eval.StaleMonths = d.eval.Set.Name, d.eval.Set.StaleMonths
	d.criteria = d.eval.Set.Criteria
	// The two counts over every village result run on connections of their own while this one
	// reads the units and the results above the villages (on a pool; one after the other on a
	// transaction): the run's first workbook waits for all of them.
	counts := func() error { return d.loadVillageCounts(ctx, q) }
	coverage := func() (err error) { d.coverage, err = coverageOf(ctx, q, d.eval.ID); return err }
	waitCounts, waitCoverage := start(q, counts), start(q, coverage)
	err = d.loadUnitsAt(ctx, q, period.End())
	if err == nil {
		err = d.loadResults(ctx, q)
	}
	for _, wait := range []func() error{waitCounts, waitCoverage} {
		if werr := wait(); err == nil {
			err = werr
		}
	}
	if err != nil {
		return nil, err
	}
	if d.prev, err = loadPrevious(ctx, q, period); err != nil {
		return nil, err
	}
	if d.dataAt, err = dataTime(ctx, q, d.eval); err != nil {
		return nil, err
	}
	return d, nil
}

// start runs fn on a goroutine of its own when q is a pool (each query then takes a connection
// of its own), at once otherwise; the function it returns waits for fn's error.
func start(q db.Querier, fn func() error) func() error {
	if _, ok := q.(*pgxpool.Pool); !ok {
		err := fn()
		return func() error { return err }
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return func() error { return <-done }
}

// loadUnitsAt reads the provinces, districts and communes in force on day (the period end: the
// structure a period is evaluated on). Villages are many and come with their results instead.
func (d *data) loadUnitsAt(ctx context.Context, q db.Querier, day time.Time) error {
	rows, err := q.Query(ctx, `
		SELECT code, level, kind, name, folded_name, COALESCE(parent_code, '')
		FROM unit
		WHERE level <> 'village' AND valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)
		ORDER BY code, valid_from DESC`, day)
	if err != nil {
		return fmt.Errorf("read the administrative units in force on %s: %w", day.Format("2006-01-02"), err)
	}
	defer rows.Close()
	for rows.Next() {
		var u unit
		if err := rows.Scan(&u.Code, &u.Level, &u.Kind, &u.Name, &u.Folded, &u.Parent); err != nil {
			return fmt.Errorf("read the administrative units: %w", err)
		}
		if _, seen := d.units[u.Code]; seen {
			continue // two versions overlap: the newest valid_from wins
		}
		uu := u
		d.units[u.Code] = &uu
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the administrative units: %w", err)
	}
	for _, u := range d.units {
		if u.Parent != "" {
			d.children[u.Parent] = append(d.children[u.Parent], u)
		}
	}
	for _, cs := range d.children {
		sort.Slice(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code })
	}
	return nil
}

// resultColumns are evaluate's (evaluate.ScanResult reads the same); resultScanner reads them as
// the workbooks keep a result: the detail undecoded, and the texts every result of a unit or a
// commune repeats (level, criterion, status, the unit's code and name, its parent) shared with
// the row before or a constant instead of a string of their own per row.
const resultColumns = evaluate.ResultColumns

// resultScanner scans the rows of one query; prev is the row before (nil before the first).
type resultScanner struct {
	prev                    *result
	unitCode, unitName      string
	level, parent, crit, st string
	vn, vd                  *int64
}

func (s *resultScanner) scan(rows pgx.Rows) (*result, error) {
	r := &result{}
	if err := rows.Scan(&s.unitCode, &s.unitName, &s.level, &s.parent, &s.crit, &s.st,
		&s.vn, &s.vd, &r.ThNum, &r.ThDen, &r.Explanation, &r.detail); err != nil {
		return nil, err
	}
	r.UnitCode, r.UnitName, r.Parent = s.unitCode, s.unitName, s.parent
	if p := s.prev; p != nil {
		if r.UnitCode == p.UnitCode {
			r.UnitCode = p.UnitCode
		}
		if r.UnitName == p.UnitName {
			r.UnitName = p.UnitName
		}
		if r.Parent == p.Parent {
			r.Parent = p.Parent
		}
	}
	r.Level, r.Criterion, r.Status = intern(s.level), intern(s.crit), ntm.Status(intern(s.st))
	if s.vn != nil && s.vd != nil && *s.vd != 0 {
		r.HasValue, r.Num, r.Den = true, *s.vn, *s.vd
	}
	s.prev = r
	return r, nil
}

// interned are the texts of results that take few values (levels, statuses, criterion keys):
// scanned, each row's copy is garbage and the one here is kept.
var interned sync.Map

func intern(s string) string {
	if v, ok := interned.Load(s); ok {
		return v.(string)
	}
	if len(s) > 64 {
		return s
	}
	v, _ := interned.LoadOrStore(s, s)
	return v.(string)
}

// details is the result's detail decoded as evaluate stores and reads it (json.Unmarshal into
// a map, as pgx scans jsonb); nil when there is none. Each call decodes unless the result was
// decoded lately (detailMemo): a sheet reads several keys of one result in a row.
func (r *result) details() map[string]any {
	if r == nil || r.detail == nil {
		return nil
	}
	return detailMemo.get(r)
}

// detailMemo holds the decoded details of the results read lately, a few hundred at most (a
// slot per hash of the result's address, the newest wins): shared and read only.
var detailMemo = &detailCache{}

type detailCache struct {
	mu    sync.Mutex
	slots [512]struct {
		r *result
		m map[string]any
	}
}

func (c *detailCache) get(r *result) map[string]any {
	i := (uintptr(unsafe.Pointer(r)) >> 4) % uintptr(len(c.slots))
	c.mu.Lock()
	if s := &c.slots[i]; s.r == r {
		m := s.m
		c.mu.Unlock()
		return m
	}
	c.mu.Unlock()
	var m map[string]any
	if err := json.Unmarshal(r.detail, &m); err != nil {
		return nil // evaluate wrote it: it is JSON
	}
	c.mu.Lock()
	c.slots[i].r, c.slots[i].m = r, m
	c.mu.Unlock()
	return m
}

func (d *data) loadVillageCounts(ctx context.Context, q db.Querier) error {
	rows, err := q.Query(ctx, `
		SELECT COALESCE(parent_code, ''), count(*),
		       count(*) FILTER (WHERE status = 'met'),
		       count(*) FILTER (WHERE status = 'not_met'),
		       count(*) FILTER (WHERE status = 'no_data')
		FROM result
		WHERE evaluation_id = $1 AND level = 'village' AND criterion = $2
		GROUP BY 1`, d.eval.ID, keySmartVillage)
	if err != nil {
		return fmt.Errorf("count the villages of evaluation %d: %w", d.eval.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var c villageCounts
		if err := rows.Scan(&code, &c.Villages, &c.Smart, &c.NotMet, &c.NoData); err != nil {
			return fmt.Errorf("count the villages of evaluation %d: %w", d.eval.ID, err)
		}
		d.villages[code] = c
	}
	return rows.Err()
}

// villageCriteria are the conditions of a smart village in the set's order (the columns of the
// village sheet): its village criteria that are not composites.
func (d *data) villageCriteria() []string {
	var keys []string
	for _, c := range d.criteria {
		if c.Level == ntm.LevelVillage && !c.Composite {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// def is the registry's definition of a criterion as the set uses it (evaluate.Describe for a
// key the set does not carry).
func (d *data) def(key string) evaluate.Definition {
	if c := d.eval.Set.Criterion(key); c != nil {
		return c.Definition
	}
	if def, ok := evaluate.DefinitionOf(key); ok {
		return def
	}
	return evaluate.Describe(key, "", key, "", evaluate.ValueCount)
}

// criterionName is the Vietnamese name of a criterion, its key when the set does not know it.
func (d *data) criterionName(key string) string {
	if c := d.eval.Set.Criterion(key); c != nil {
		return c.Name
	}
	return key
}

// shortName is the column label of a criterion.
func (d *data) shortName(key string) string { return d.def(key).Column }

// composite tells a criterion that only combines others (its no data repeats its parts').
func (d *data) composite(key string) bool { return d.def(key).Composite }

// setComposite tells a criterion the set marks composite: missing-data listings leave those out
// (their no data repeats their parts').
func (d *data) setComposite(key string) bool {
	for _, c := range d.criteria {
		if c.Key == key {
			return c.Composite
		}
	}
	return false
}

// valueKind is how a criterion's value is shown.
func (d *data) valueKind(key string) evaluate.ValueKind { return d.def(key).Value }

// thresholdText shows a result's threshold the way the office writes it ("≥ 70%").
func (d *data) thresholdText(key string, num, den int64) string {
	return d.valueKind(key).ThresholdText(evaluate.Frac(num, den))
}

// criterionLess sorts criterion keys by their position in the set, unknown keys last by key.
func (d *data) criterionLess(a, b string) bool {
	ca, cb := d.eval.Set.Criterion(a), d.eval.Set.Criterion(b)
	switch {
	case ca != nil && cb != nil && ca.Position != cb.Position:
		return ca.Position < cb.Position
	case ca != nil && cb == nil:
		return true
	case ca == nil && cb != nil:
		return false
	}
	return a < b
}

// stale tells whether a no_data result is due to data older than the staleness limit.
func stale(r *result) bool {
	if v, ok := r.details()["stale"].(bool); ok {
		return v
	}
	// evaluate marks village facts with "stale"; aggregated 9.5 figures only say so in words
	// ("Số liệu ngày 01/10/2023 đã quá 12 tháng"). Not "cũ": explanations name old units so
	// ("Xã Bính Xá (cũ, 06622) đã chia …"), which is not stale data.
	e := strings.ToLower(r.Explanation)
	return strings.Contains(e, "đã quá") || strings.Contains(e, "quá hạn")
}

// historyCache is the unit structure's history (villages included) of one province's workbooks,
// read when the first of them needs it — to tell which village a rejected row names after a
// change of structure, to name the old units in the files' notes, to place the OCOP products —
// and dropped with the province's villages after its last (provinceVillages.release). It holds
// what the province's units ever were and every unit linked to them (units.LoadOptions.Provinces:
// across provinces too), which is all the workbooks ask of it: kept for the whole run, the
// country's history was 25–40 MB of the workbooks' live heap whatever the province.
type historyCache struct {
	mu        sync.Mutex
	provinces []string // nil = the whole country
	h         *units.History
}

func (c *historyCache) get(ctx context.Context, q db.Querier) (*units.History, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h == nil {
		h, err := units.Load(ctx, q, units.LoadOptions{Provinces: c.provinces})
		if err != nil {
			return nil, err
		}
		c.h = h
	}
	return c.h, nil
}

// drop forgets the history (the province's last workbook is written).
func (c *historyCache) drop() {
	if c != nil {
		c.mu.Lock()
		c.h = nil
		c.mu.Unlock()
	}
}

// histCache is the history of the workbook's province: its province's (shared by its workbooks)
// or, for a scope outside the provinces' workbooks, one of its own (the country's when the scope
// lies in no province).
func (w *workbook) histCache() *historyCache {
	if pv := w.sc.villages; pv != nil && pv.hist != nil {
		return pv.hist
	}
	if w.ownHist == nil {
		w.ownHist = &historyCache{}
		if p := w.sc.provinceCode(); p != "" {
			if u := w.d.units[p]; u != nil && u.Level == string(ntm.LevelProvince) {
				w.ownHist.provinces = []string{p}
			}
		}
	}
	return w.ownHist
}

// history is the workbook's province's unit history (histCache), read on first use.
func (w *workbook) history(ctx context.Context) (*units.History, error) {
	return w.histCache().get(ctx, w.q)
}

// communeAddressCache holds workbook.communeAddresses.
type communeAddressCache struct {
	once    sync.Once
	m       map[string][2]int64
	ranking map[string]*ranking // province code → its peers by their households' rate
	err     error
}
