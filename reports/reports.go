package reports

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db"
	"ntm/evaluate"
	"ntm/fold"
)

// Options says where and for whom workbooks are written.
type Options struct {
	OutDir    string // workbooks go to OutDir/<period>/
	Recipient string // a recipient's or a province's unit code; "" = every recipient and province
	// Now is not used any more: a workbook shows and stores the time its newest source file was
	// received, so its bytes depend on the data only and an unchanged workbook is never delivered
	// twice (Deliver dedupes by file hash). Kept so existing callers compile.
	Now func() time.Time
	// MissingSources name the sources a run could not read (msg.MissingSource phrases): the
	// workbook's notes say its figures lack them. Empty = every source arrived.
	MissingSources []string
}

// Sheet names (the order in a workbook is the order of writeWorkbook).
const (
	sheetSummary   = "Tổng hợp"
	sheetDistricts = "Các huyện"
	sheetVillages  = "Thôn thông minh"
	sheetAddresses = "Địa chỉ số"
	sheetOCOP      = "Sản phẩm OCOP"
	sheetServices  = "Dịch vụ công trực tuyến"
	sheetQuality   = "Chất lượng dữ liệu"
	sheetNotes     = "Ghi chú"
	sheetVerdict   = "Kết luận"
	sheetActions   = "Việc cần làm"
	sheetTasks     = "Giao việc theo xã"
	sheetRanking   = "Xếp hạng"
)

// scope is what one workbook covers.
type scope struct {
	unit       *unit
	province   bool
	districts  []*unit           // the districts covered (the recipient itself for a district)
	communes   []*unit           // communes in display order (by district, then code)
	districtOf map[string]*unit  // commune code → its district, when there are districts
	villages   *provinceVillages // the province's villages, shared by its workbooks; nil = the scope reads its own
}

// provinceCode is the province the scope lies in: a recipient is ranked among its province's
// recipients only, also when one run writes the workbooks of several provinces.
func (s *scope) provinceCode() string {
	if s.province {
		return s.unit.Code
	}
	return s.unit.Parent
}

// withDistricts tells whether tables need a district column (province workbooks with districts).
func (s *scope) withDistricts() bool { return s.province && len(s.districts) > 0 }

// communeOrder maps each commune code to its display position, passed to queries as a jsonb object.
// Queries select the scope's village results one commune at a time: `jsonb_object_keys($n) AS
// sc(code) CROSS JOIN LATERAL (SELECT … WHERE … r.parent_code = sc.code OFFSET 0)`, an equality
// on every column of the (evaluation_id, level, parent_code) index for each commune, whatever the
// statistics say. `parent_code = ANY (ARRAY(SELECT jsonb_object_keys($n)))` was planned on a
// table never analysed (a fresh national demo's: the server may run without autovacuum) as a scan
// of the period's every village result, each compared with the whole array: 2.1 s for Hà Nội's
// 579 communes in a 32-province database against 54 ms now, and a quarter of that run's wall time.
func (s *scope) communeOrder() map[string]int {
	m := make(map[string]int, len(s.communes))
	for i, c := range s.communes {
		m[c.Code] = i
	}
	return m
}

// Write writes <OutDir>/<period>/<code>-<slug>.xlsx for each recipient (a district; a commune where
// the province has no districts at the period end) and for each province, from the newest evaluation
// of the period, and returns the paths of the run's workbooks (recipients by code, then the
// provinces), those left as they were included (see WriteAll).
func Write(ctx context.Context, q db.Querier, period ntm.Period, opts Options) ([]string, error) {
	w, err := WriteAll(ctx, q, period, opts)
	return w.Paths, err
}

// Written is what a report run did.
type Written struct {
	Paths     []string // every workbook of the run, recipients by code, then the provinces
	Unchanged []string // those not written again: their inputs and file are as when last written
}

// Workers is how many workbooks are built at once when q is a pool, each on a connection of its
// own: two, the cores of the machine ntm is sized for (building a workbook is CPU work, its
// queries take a fraction of it). Memory grows with it: each worker holds one workbook.
const Workers = 2

// WriteAll is Write, telling which workbooks were not written again. A workbook whose inputs
// did not change since it was written (inputs.go), and whose file is still the one written then,
// is not rebuilt: its file stays, with the same bytes, so it is never delivered twice either.
func WriteAll(ctx context.Context, q db.Querier, period ntm.Period, opts Options) (Written, error) {
	if opts.OutDir == "" {
		return Written{}, fmt.Errorf("no output folder given for the reports of period %s", period)
	}
	d, err := load(ctx, q, period)
	if err != nil {
		return Written{}, err
	}
	d.missingSources = opts.MissingSources
	scopes := d.scopes()
	if len(scopes) == 0 {
		return Written{}, fmt.Errorf("không có tỉnh nào trong danh mục đơn vị hành chính còn hiệu lực ngày %s: nạp danh mục bằng ntm units import",
			period.End().Format("02/01/2006"))
	}
	if opts.Recipient != "" {
		var only []*scope
		for _, s := range scopes {
			if s.unit.Code == opts.Recipient {
				only = append(only, s)
			}
		}
		if len(only) == 0 {
			var codes []string
			for _, s := range scopes {
				codes = append(codes, s.unit.Code)
			}
			if len(codes) > 20 {
				codes = append(codes[:20], "…")
			}
			return Written{}, fmt.Errorf("không có đơn vị nhận báo cáo mã %q trong kỳ %s: dùng một trong các mã %s",
				opts.Recipient, period, strings.Join(codes, ", "))
		}
		scopes = only
	}
	dir := filepath.Join(opts.OutDir, period.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Written{}, fmt.Errorf("create the report folder %s: %w", dir, err)
	}
	generated := d.dataAt
	if generated.IsZero() {
		generated = d.eval.At
	}
	run, err := runKey(ctx, q, d)
	if err != nil {
		return Written{}, err
	}
	jobs := make([]reportJob, len(scopes))
	keys := make([]string, len(scopes))
	for i, s := range scopes {
		name := fold.Slug(s.unit.Name)
		if name == "" {
			name = "don-vi"
		}
		path := filepath.Join(dir, s.unit.Code+"-"+name+".xlsx")
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		jobs[i] = reportJob{sc: s, path: path, abs: abs, key: d.scopeKey(run, s)}
		keys[i] = abs
	}
	stored, err := readStoredInputs(ctx, q, keys)
	if err != nil {
		return Written{}, err
	}
	var w Written
	var todo []*reportJob
	for i := range jobs {
		j := &jobs[i]
		s, ok := stored[j.abs]
		if unchanged(j.path, j.key, s, ok) {
			j.done, j.unchanged = true, true
			continue
		}
		todo = append(todo, j)
	}
	// Each province's recipients, then the province's own workbook: the province's villages are
	// read once for them all (provinceVillages) and dropped after the last. A province's workbook
	// lists every village of the province (Hà Nội's 5,000) and holds several times a district's
	// memory: those are built one at a time (jobQueue), beside the next provinces' recipients.
	byProvince := map[*provinceVillages][]*reportJob{}
	var ordered []*reportJob
	for _, j := range todo {
		if pv := j.sc.villages; pv != nil {
			pv.users.Add(1)
			byProvince[pv] = append(byProvince[pv], j)
		} else {
			ordered = append(ordered, j)
		}
	}
	for _, s := range d.scopes() { // all of them: a recipient filter leaves its province out of scopes
		if s.province {
			js := byProvince[s.villages]
			sort.SliceStable(js, func(a, b int) bool { return !js[a].sc.province && js[b].sc.province })
			ordered = append(ordered, js...)
		}
	}
	_, pooled := q.(*pgxpool.Pool)
	rec := newInputRecorder(ctx, q, pooled && len(ordered) > 1, len(ordered))
	write := func(q db.Querier, j *reportJob) error {
		defer j.sc.villages.release()
		if err := writeWorkbook(ctx, q, d, j.sc, j.path, generated); err != nil {
			return fmt.Errorf("write the report %s: %w", j.path, err)
		}
		return rec.record(q, j.path, j.abs, period.String(), j.sc.unit.Code, j.key)
	}
	err = writeJobs(ctx, q, ordered, Workers, write)
	if rerr := rec.close(); err == nil {
		err = rerr
	}
	for _, j := range jobs {
		if j.done {
			w.Paths = append(w.Paths, j.path)
			if j.unchanged {
				w.Unchanged = append(w.Unchanged, j.path)
			}
		}
	}
	return w, err
}

// reportJob is one workbook of a run.
type reportJob struct {
	sc              *scope
	path, key       string
	abs             string // path made absolute: the workbook's row in report_input
	done, unchanged bool
}

// writeJobs runs write for every job, workers at a time when q is a pool (each worker on a
// connection of its own), one after the other otherwise (a transaction is one connection). The
// first error stops the others after their current workbook and is returned.
func writeJobs(ctx context.Context, q db.Querier, jobs []*reportJob, workers int, write func(db.Querier, *reportJob) error) error {
	pool, ok := q.(*pgxpool.Pool)
	if !ok || len(jobs) < 2 || workers < 2 {
		for _, j := range jobs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := write(q, j); err != nil {
				return err
			}
			j.done = true
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := newJobQueue(jobs)
	stop := context.AfterFunc(ctx, queue.close)
	defer stop()
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				errs <- err
				cancel()
				return
			}
			defer conn.Release()
			for j := queue.next(); j != nil; j = queue.next() {
				err := write(conn, j)
				queue.finish(j)
				if err != nil {
					errs <- err
					cancel()
					return
				}
				j.done = true
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// jobQueue hands out jobs in their order, except that a province's workbook waits while another
// is being built (each holds a whole province's villages): a worker meanwhile takes the next
// recipient's instead of waiting, from at most maxOpenProvinces provinces at once (each keeps its
// villages in memory until its last workbook is written).
type jobQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []*reportJob
	big    bool                      // a province's workbook is being built
	left   map[*provinceVillages]int // workbooks of a province not finished yet
	open   map[*provinceVillages]bool
	closed bool
}

const maxOpenProvinces = 3

func newJobQueue(jobs []*reportJob) *jobQueue {
	q := &jobQueue{jobs: append([]*reportJob(nil), jobs...), left: map[*provinceVillages]int{}, open: map[*provinceVillages]bool{}}
	q.cond = sync.NewCond(&q.mu)
	for _, j := range jobs {
		q.left[j.sc.villages]++
	}
	return q
}

// next is the next job a worker may build, nil when none is left or the queue was closed.
func (q *jobQueue) next() *reportJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && len(q.jobs) > 0 {
		for i, j := range q.jobs {
			pv := j.sc.villages
			if j.sc.province && q.big || pv != nil && !q.open[pv] && len(q.open) >= maxOpenProvinces {
				continue
			}
			q.jobs = append(q.jobs[:i], q.jobs[i+1:]...)
			if j.sc.province {
				q.big = true
			}
			if pv != nil {
				q.open[pv] = true
			}
			return j
		}
		q.cond.Wait() // what is left waits for a province's workbook to be finished
	}
	return nil
}

// finish tells that j was built (or failed).
func (q *jobQueue) finish(j *reportJob) {
	q.mu.Lock()
	if j.sc.province {
		q.big = false
	}
	pv := j.sc.villages
	if q.left[pv]--; q.left[pv] == 0 {
		delete(q.open, pv)
	}
	q.mu.Unlock()
	q.cond.Broadcast()
}

// close hands out no more jobs.
func (q *jobQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// scopes lists the recipients' workbooks, then the provinces' (built once per run: the national
// list is 762 scopes, and every workbook's ranking reads it). Callers must not change them.
func (d *data) scopes() []*scope {
	d.scopesOnce.Do(func() { d.scopeList = d.buildScopes() })
	return d.scopeList
}

func (d *data) buildScopes() []*scope {
	var provinces []*unit
	for _, u := range d.units {
		if u.Level == string(ntm.LevelProvince) {
			provinces = append(provinces, u)
		}
	}
	sort.Slice(provinces, func(i, j int) bool { return provinces[i].Code < provinces[j].Code })
	var recipients, tops []*scope
	for _, p := range provinces {
		pv := &provinceVillages{hist: &historyCache{provinces: []string{p.Code}}, ocop: &ocopPlaces{}}
		ps := &scope{unit: p, province: true, districtOf: map[string]*unit{}, villages: pv}
		for _, c := range d.children[p.Code] {
			if c.Level == string(ntm.LevelDistrict) {
				ps.districts = append(ps.districts, c)
			}
		}
		for _, dist := range ps.districts {
			rs := &scope{unit: dist, districts: []*unit{dist}, districtOf: map[string]*unit{}, villages: pv}
			for _, c := range d.children[dist.Code] {
				if c.Level == string(ntm.LevelCommune) {
					rs.communes = append(rs.communes, c)
					rs.districtOf[c.Code] = dist
					ps.communes = append(ps.communes, c)
					ps.districtOf[c.Code] = dist
				}
			}
			recipients = append(recipients, rs)
		}
		// Communes right under the province: the two-tier structure (each is a recipient) or a mix.
		for _, c := range d.children[p.Code] {
			if c.Level == string(ntm.LevelCommune) {
				ps.communes = append(ps.communes, c)
				if len(ps.districts) == 0 {
					recipients = append(recipients, &scope{unit: c, communes: []*unit{c}, districtOf: map[string]*unit{}, villages: pv})
				}
			}
		}
		pv.communes = ps.communeOrder()
		pv.above = d.above[p.Code]
		tops = append(tops, ps)
	}
	sort.SliceStable(recipients, func(i, j int) bool { return recipients[i].unit.Code < recipients[j].unit.Code })
	return append(recipients, tops...)
}

// workbook is one file being written.
type workbook struct {
	f     *excelize.File
	st    *styles
	d     *data
	sc    *scope
	now   time.Time
	q     db.Querier
	sheet int // sheets added so far

	// Print layout, per sheet: column widths, print scale, the heights rows need for their wrapped
	// text (normal sheets: set at the end unless fixed), row heights written, the used extent
	// (normal sheets' dimension), and which sheets were streamed.
	widths   map[string][]float64
	scale    map[string]uint
	wrapped  map[string][]wrappedCell   // normal sheets: the styled cells, sized when the sheet is finished
	spans    map[string]map[[2]int]int  // normal sheets: merged spans, (row, first column) → last column
	fixed    map[string]map[int]float64 // normal sheets: rows whose height is set, not estimated
	keep     map[string]map[int]int     // normal sheets: rows to print on one page, first row → how many
	cuts     map[string]map[int]bool    // normal sheets: rows that start a printed page
	titles   map[string][2]int          // the print titles' first and last rows
	used     map[string][2]int
	streamed map[string]bool
	// streamedWriters are the stream writers by sheet (a title row finds its sheet's widths).
	streamedWriters map[string]*excelize.StreamWriter
	breaks          map[string][]int    // streamed sheets: the rows after which a printed page ends
	trace           *tracer             // files and rejected rows behind missing data, read once per workbook
	own             *provinceVillages   // the scope's villages when it has no province's (scope.villages)
	ownHist         *historyCache       // the scope's unit history when it has no province's (histCache)
	ownOCOP         *ocopPlaces         // the scope's OCOP products when it has no province's (placesCache)
	lineMemo        map[lineKey]float64 // the heights of the workbook's wrapped texts
	todos           *[]villageTodo      // the villages not smart yet and their steps, read once
	rowCells        []excelize.Cell     // a streamed row's cells, reused (rowValues)
	rowVals         []any
}

// newWorkbook is a workbook over f with empty layout records.
func newWorkbook(f *excelize.File, st *styles) *workbook {
	return &workbook{f: f, st: st,
		widths: map[string][]float64{}, scale: map[string]uint{}, wrapped: map[string][]wrappedCell{},
		spans: map[string]map[[2]int]int{}, fixed: map[string]map[int]float64{},
		keep: map[string]map[int]int{}, cuts: map[string]map[int]bool{}, titles: map[string][2]int{}, used: map[string][2]int{},
		streamed: map[string]bool{}, breaks: map[string][]int{}, streamedWriters: map[string]*excelize.StreamWriter{}}
}

// buildWorkbook makes a new workbook with ntm's styles, lets fill write it, and saves it to path
// atomically. A panic inside the excel library becomes an error, and the file is always closed
// (an unclosed one leaves its temporary files behind).
func buildWorkbook(path string, fill func(f *excelize.File, st *styles) error) (err error) {
	f := excelize.NewFile()
	f.SetZipWriter(fastZip)
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("excel library failed: %v", p)
		}
	}()
	// Arial (Liberation Sans where it is missing has the same metrics) prints the same width in
	// Excel and LibreOffice, so a table sized for the page fits it on either.
	if err := f.SetDefaultFont(reportFont); err != nil {
		return err
	}
	// …at 10 pt: the default font's size sets the width of a column's character (excelize has
	// no setter for it).
	if s := f.Styles; s != nil && s.Fonts != nil && len(s.Fonts.Font) > 0 && s.Fonts.Font[0].Sz != nil {
		pt := bodyPt
		s.Fonts.Font[0].Sz.Val = &pt
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := fill(f, st); err != nil {
		return err
	}
	return saveAtomically(f, path)
}

// fastZip compresses a workbook's parts at deflate's fastest level: the sheets' XML is very
// repetitive, so the file is about a third larger than at the default level, for a fraction of
// the compression's CPU (at national scale the 762 workbooks hold about 770 MB of XML).
// Its compressors are pooled, as archive/zip's own are: a new one allocates about 1 MB, and a
// workbook has 25 parts.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw, ok := flateWriters.Get().(*flate.Writer); ok {
			fw.Reset(out)
			return pooledFlate{fw}, nil
		}
		fw, err := flate.NewWriter(out, flate.BestSpeed)
		return pooledFlate{fw}, err
	})
	return zw
}

var flateWriters sync.Pool

// pooledFlate returns its compressor to the pool when closed.
type pooledFlate struct{ *flate.Writer }

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	flateWriters.Put(p.Writer)
	return err
}

func writeWorkbook(ctx context.Context, q db.Querier, d *data, sc *scope, path string, now time.Time) error {
	if err := d.readProvinceResults(ctx, q, sc); err != nil {
		return err
	}
	return buildWorkbook(path, func(f *excelize.File, st *styles) error {
		w := newWorkbook(f, st)
		w.d, w.sc, w.now, w.q = d, sc, now, q
		return fillWorkbook(ctx, w)
	})
}

func fillWorkbook(ctx context.Context, w *workbook) error {
	f, d, sc, now := w.f, w.d, w.sc, w.now
	type sheetFn struct {
		name  string
		write func(context.Context) error
	}
	var sheets []sheetFn
	if !sc.province {
		sheets = append(sheets, sheetFn{sheetVerdict, w.writeVerdict})
	}
	sheets = append(sheets, sheetFn{sheetSummary, w.writeSummary})
	if sc.province {
		sheets = append(sheets, sheetFn{sheetRanking, w.writeRanking})
	}
	if sc.withDistricts() {
		sheets = append(sheets, sheetFn{sheetDistricts, w.writeDistricts})
	}
	if !sc.province {
		sheets = append(sheets, sheetFn{sheetActions, w.writeActions}, sheetFn{sheetTasks, w.writeTasks})
	}
	sheets = append(sheets,
		sheetFn{sheetVillages, w.writeVillages},
		sheetFn{sheetAddresses, w.writeAddresses},
		sheetFn{sheetOCOP, w.writeOCOP},
		sheetFn{sheetServices, w.writeServices},
		sheetFn{sheetQuality, w.writeQuality},
		sheetFn{sheetNotes, w.writeNotes},
	)
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		if err := s.write(ctx); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
		if !w.streamed[s.name] {
			if err := w.finishSheet(s.name); err != nil {
				return fmt.Errorf("sheet %s: %w", s.name, err)
			}
		}
	}
	created := now.UTC().Format("2006-01-02T15:04:05Z")
	return f.SetDocProps(&excelize.DocProperties{
		Title:          fmt.Sprintf("Báo cáo đánh giá kỳ %s – %s", d.period, sc.unit.Name),
		Subject:        "Thôn thông minh, tiêu chí 8 xã NTM kiểu mẫu, chỉ tiêu 9.5 huyện NTM nâng cao",
		Creator:        "ntm",
		LastModifiedBy: "ntm",
		Created:        created,
		Modified:       created,
		Language:       "vi-VN",
		Keywords:       "ntm; " + d.period.String() + "; " + sc.unit.Code,
	})
}

// cell is a value with its style (0 = none); a nil value leaves the cell empty.
type cell struct {
	v any
	s int
}

func (w *workbook) txt(s string) cell   { return cell{s, w.st.text} }
func (w *workbook) wrap(s string) cell  { return cell{s, w.st.wrap} }
func (w *workbook) num(n int) cell      { return cell{n, w.st.integer} }
func (w *workbook) num64(n int64) cell  { return cell{n, w.st.integer} }
func (w *workbook) hdr(s string) cell   { return cell{s, w.st.header} }
func (w *workbook) bold(s string) cell  { return cell{s, w.st.bold} }
func (w *workbook) plain(s string) cell { return cell{s, 0} }

// statusCell is a coloured status; it wraps in a narrow column ("Chưa có số liệu").
func (w *workbook) statusCell(st ntm.Status) cell { return cell{st.Label(), w.st.statusWrap(st)} }

// resultStatus is the coloured status of a result, an empty bordered cell when there is none.
func (w *workbook) resultStatus(r *result) cell {
	if r == nil {
		return cell{"", w.st.text}
	}
	return w.statusCell(r.Status)
}

// resultValue is a result's value: Có/Không, a truncated percentage or a count.
func (w *workbook) resultValue(r *result) cell {
	if r == nil || !r.HasValue {
		return cell{"", w.st.text}
	}
	switch w.d.valueKind(r.Criterion) {
	case evaluate.ValueYesNo:
		if r.Num != 0 {
			return w.txt("Có")
		}
		return w.txt("Không")
	case evaluate.ValueRatio:
		return w.pct(r.Num, r.Den)
	}
	if r.Den == 1 {
		return cell{r.Num, w.st.integer}
	}
	return w.pct(r.Num, r.Den)
}

func (w *workbook) pct(num, den int64) cell {
	if den == 0 {
		return cell{"", w.st.text}
	}
	return cell{truncPercent(num, den), w.st.percent}
}

// put writes a row of cells in a normal-mode sheet, starting at column 1.
func (w *workbook) put(sheet string, row int, cells ...cell) error {
	return w.putAt(sheet, row, 1, cells...)
}

func (w *workbook) putAt(sheet string, row, col int, cells ...cell) error {
	if style, span, h, ok := w.asBanner(sheet, col, cells); ok {
		c := cell{cells[0].v, style}
		if err := w.putAt(sheet, row, 1, c); err != nil {
			return err
		}
		if err := w.merge(sheet, row, 1, span); err != nil {
			return err
		}
		return w.setRowHeight(sheet, row, h)
	}
	for i, c := range cells {
		if w.wrapped != nil && c.v != nil && c.s != 0 {
			w.wrapped[sheet] = append(w.wrapped[sheet], wrappedCell{row, col + i, c})
		}
		ref, err := excelize.CoordinatesToCellName(col+i, row)
		if err != nil {
			return err
		}
		if c.v != nil {
			if err := w.f.SetCellValue(sheet, ref, c.v); err != nil {
				return err
			}
		}
		if c.v != nil || c.s != 0 {
			w.noteUsed(sheet, col+i, row)
		}
		if c.s != 0 {
			if err := w.f.SetCellStyle(sheet, ref, ref, c.s); err != nil {
				return err
			}
		}
	}
	return nil
}

// setWidths sets column widths of a normal-mode sheet, column 1 first.
func (w *workbook) setWidths(sheet string, widths ...float64) error {
	if w.widths != nil { // a report sheet: it must fit the page's width
		widths = fitWidths(append([]float64(nil), widths...))
		w.widths[sheet] = widths
	}
	for i, wd := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := w.f.SetColWidth(sheet, c, c, wd); err != nil {
			return err
		}
	}
	return nil
}

// printSetup makes a sheet print on A4 landscape, fitted to the page width; for a streamed sheet it
// must run before the stream starts (the sheet properties are written first).
func (w *workbook) printSetup(sheet string, headerRows string) error {
	if w.widths != nil { // a report sheet: a fixed legible scale, header and footer
		return w.pageSetup(sheet, headerRows, w.widths[sheet])
	}
	landscape, a4, one, auto := "landscape", 9, 1, 0
	if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}); err != nil {
		return err
	}
	if err := w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &auto,
	}); err != nil {
		return err
	}
	if headerRows != "" {
		return w.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!%s", sheet, headerRows),
			Scope:    sheet,
		})
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

// freeze freezes the rows above row and the columns left of col (1-based: col 1 = no column).
// streamSheet opens a sheet for a StreamWriter with everything that must precede its first row:
// the dimension (readers that trust it, such as openpyxl and pandas, otherwise see one cell), the
// A4 print setup repeating titleRows, the column widths and, when freeze is not nil, frozen panes.
func (w *workbook) streamSheet(sh string, lastRow int, widths []float64, titleRows string, freeze *excelize.Panes) (*excelize.StreamWriter, error) {
	if err := w.f.SetSheetDimension(sh, rangeRef(1, 1, len(widths), lastRow)); err != nil {
		return nil, err
	}
	widths = fitWidths(append([]float64(nil), widths...))
	w.widths[sh] = widths
	w.streamed[sh] = true
	if err := w.pageSetup(sh, titleRows, widths); err != nil {
		return nil, err
	}
	if err := w.pageBreaks(sh, w.breaks[sh]); err != nil {
		return nil, err
	}
	sw, err := w.f.NewStreamWriter(sh)
	if err != nil {
		return nil, err
	}
	w.streamedWriters[sh] = sw
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if freeze != nil {
		if err := sw.SetPanes(freeze); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// streamTitle writes a streamed table's title block (one cell a row, from row 1) and its header
// row cols at row top.
func (w *workbook) streamTitle(sw *excelize.StreamWriter, head []cell, top int, cols []string) error {
	sh := ""
	for name, ws := range w.streamedWriters {
		if ws == sw {
			sh = name
		}
	}
	for i, c := range head {
		if err := w.streamRowOf(sw, sh, i+1, c); err != nil {
			return err
		}
	}
	return w.streamRowOf(sw, sh, top, hdrCells(w, cols)...)
}

func freezePanes(row, col int) *excelize.Panes {
	tl, _ := excelize.CoordinatesToCellName(col, row)
	return &excelize.Panes{Freeze: true, XSplit: col - 1, YSplit: row - 1, TopLeftCell: tl, ActivePane: activePane(row, col)}
}

func activePane(row, col int) string {
	switch {
	case row > 1 && col > 1:
		return "bottomRight"
	case row > 1:
		return "bottomLeft"
	}
	return "topRight"
}

// rangeRef is "A<r1>:<lastCol><r2>".
func rangeRef(c1, r1, c2, r2 int) string {
	a, _ := excelize.CoordinatesToCellName(c1, r1)
	b, _ := excelize.CoordinatesToCellName(c2, r2)
	return a + ":" + b
}

// recipientLabel is "Huyện Chi Lăng (mã 181)".
func recipientLabel(u *unit) string { return fmt.Sprintf("%s (mã %s)", u.Name, u.Code) }
