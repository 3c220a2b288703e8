package transform

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ntm"
	"ntm/dataset"
	"ntm/db"
	"ntm/ingest"
	"ntm/msg"
)

// run is one pass over a file.
type run struct {
	l    *Loader
	path string
	opts LoadOptions
	// keys collects the key hashes of a record-level export, checked for duplicates at the end.
	keys *keySpill
	// sheets are the file's table sheets in reading order; sheetIndex is each one's place there.
	sheets     []string
	sheetIndex map[string]int32
	// fileSheets are all the file's sheets as read (tables and sheets not read), for batch_sheet.
	fileSheets []sheetRecord
	// units reads the unit index once the first table's dataset is known (see onTable).
	units db.Querier
	idx   *UnitIndex
	// generation is the unit structure's generation the load's begin read (0: not read).
	generation int64
	sink       sink
	report     FileReport
	// begin is called once, when the dataset and file as-of date are known.
	begin  func(ctx context.Context, d ntm.Dataset, asOf time.Time) error
	begun  bool
	tables map[*ingest.Table]*tableCtx
	aggs   []*procedureAggregate
	seen   map[uint64]rowRef
	merged mergedRows // rows of old units one successor carries (merged.go)
	seed   maphash.Seed
	hash   maphash.Hash // seeded with seed; reused for every row key
	// firstMiss remembers why the first table that was skipped did not fit.
	firstMiss string
	// Row accounting (account.go): the run of skipped rows being built, a counter of rows
	// handled, and, for a load, every rejected and skipped row on its way to the batch.
	skips       skipRun
	seq         int
	rejectSpill *copySpill
	skipSpill   *copySpill
	// skipMem holds the skipped runs too while they are few (skipMemRuns, skipMemBytes): they are
	// then inserted with the batch's last statements instead of by a COPY of their own (one
	// round trip less for a small file); nil once there are more, and the spill is copied.
	skipMem      []SkippedRows
	skipMemBytes int
	skipMemOver  bool
	// dates decides the order of day and month for the whole file (dateorder.go).
	dates dateOrder
	// products are the current OCOP products, for a listings file (listing_match.go).
	products *productKeys
	// progressAt is the row count last told to opts.Progress.
	progressAt int
	// unmatched counts the OCOP listings that match no loaded product; unmatchedRows names
	// the first ones.
	unmatched     int
	unmatchedRows []string
	// parser is the row parser of the row being read (onRow): nothing keeps it past its row.
	parser rowParser
}

type rowRef struct {
	sheet int32
	row   int32
}

// sheetRecord is one sheet of the file and how it was read.
type sheetRecord struct {
	sheet  string
	readAs string // table, hidden, very_hidden, no_header, not_matched
	note   string
	table  *ingest.Table
	fields []string // the field read from each cell index
}

func (l *Loader) newRun(path string, opts LoadOptions, units db.Querier, s sink) *run {
	seed := maphash.MakeSeed()
	r := &run{l: l, path: path, opts: opts, units: units, sink: s, report: FileReport{File: path, Dataset: opts.Dataset},
		tables: map[*ingest.Table]*tableCtx{}, seen: map[uint64]rowRef{}, seed: seed, sheetIndex: map[string]int32{}}
	r.hash.SetSeed(seed)
	r.dates.monthFirst, r.dates.monthProof = opts.monthFirst, opts.monthProof
	return r
}

// keepRows makes the run keep every rejected and skipped row for the batch (a load; a check
// only counts them).
func (r *run) keepRows() {
	r.rejectSpill = newCopySpill("rejected_row", "sheet", "row_no", "col", "reason", "raw", "cells")
	r.skipSpill = newCopySpill("skipped_row", "sheet", "row_from", "row_to", "rows", "reason", "raw")
}

// close removes what the run keeps on disk.
func (r *run) close() {
	if r.keys != nil {
		r.keys.close()
	}
	if r.rejectSpill != nil {
		r.rejectSpill.close()
		r.skipSpill.close()
	}
}

func (r *run) sourceURI() string {
	if r.opts.SourceURI != "" {
		return r.opts.SourceURI
	}
	if abs, err := filepath.Abs(r.path); err == nil {
		return abs
	}
	return r.path
}

func (r *run) candidateSpecs() []*Spec {
	if r.report.Dataset != "" {
		return SpecsFor(r.report.Dataset)
	}
	var ss []*Spec
	for _, s := range specs {
		if s.Dataset != ntm.DatasetUnits {
			ss = append(ss, s)
		}
	}
	return ss
}

// read streams the file through the row parsers into the sink.
func (r *run) read(ctx context.Context) error {
	ss := r.candidateSpecs()
	if len(ss) == 0 {
		return fmt.Errorf("dataset %q has no spec", r.opts.Dataset)
	}
	// ReadAgain: a load runs in a transaction it can roll back (and a check writes nothing),
	// so a big sheet is decompressed once; one with merged ranges asks for a second reading.
	reader := ingest.Reader{Limits: r.l.Limits, HeaderFilter: headerFilterFor(ss), ReadAgain: true,
		OnSkip: func(t *ingest.Table, s ingest.Skip) error {
			if r.tables[t] == nil {
				return nil // a sheet that did not fit: not read
			}
			return r.skip(ctx, s.Sheet, s.Row, s.Reason, s.Cells)
		},
		OnSheetSkipped: func(sheet string, why ingest.SheetSkip) {
			note := msg.SheetSkip(string(why), sheet)
			r.fileSheets = append(r.fileSheets, sheetRecord{sheet: sheet, readAs: string(why), note: note})
			r.report.SkippedSheets = append(r.report.SkippedSheets, SkippedSheet{Sheet: sheet, ReadAs: string(why), Note: note})
			if why != ingest.SheetNoHeader {
				r.report.Notes = append(r.report.Notes, note)
			}
		}}
	err := readWith(ctx, reader, r.path, scorerFor(ss), func(t *ingest.Table) error {
		return r.onTable(ctx, t)
	}, func(t *ingest.Table, row ingest.Row) error {
		tc := r.tables[t]
		if tc == nil {
			return nil // a sheet that did not fit is skipped
		}
		return r.onRow(ctx, tc, row, r.sheetIndex[t.Sheet])
	})
	if err == nil {
		err = r.endSkipRun(ctx)
	}
	if err != nil {
		switch {
		case errors.Is(err, errFileRejected), errors.Is(err, errAlreadyLoaded), errors.Is(err, errMonthFirst), errors.Is(err, ingest.ErrReadAgain):
			return err
		case ctx.Err() != nil:
			return fmt.Errorf("load of %s cancelled: %w", r.path, ctx.Err())
		case errors.Is(err, ingest.ErrNoHeader):
			return rejectFile("%s", r.noTableMessage())
		case ntm.ErrorCode(err) == ntm.CodeInvalid:
			// The file's own fault, said by the reader in one Vietnamese sentence.
			return rejectFile("%s", ntm.ErrorMessage(err))
		}
		return err // the machine's fault (classified by the reader or the spills), or a bug
	}
	if !r.begun {
		if r.firstMiss != "" {
			return rejectFile("%s", r.firstMiss)
		}
		return rejectFile("%s", r.noTableMessage())
	}
	if r.unmatched > 0 {
		r.report.Notes = append(r.report.Notes, unmatchedNote(r.unmatched, r.unmatchedRows, r.products.any))
	}
	// Rows that named old units: one note per old unit and its successor, and the flows of
	// several old units summed into their successor.
	if r.idx != nil {
		r.report.Notes = append(r.report.Notes, r.idx.Notes()...)
	}
	notes, err := r.merged.emit(ctx, r.sink)
	if err != nil {
		return err
	}
	r.report.Notes = append(r.report.Notes, notes...)
	// Aggregated shapes emit their facts at the end.
	for _, a := range r.aggs {
		for _, f := range a.facts() {
			if err := r.sink.fact(ctx, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// noTableMessage is the whole-file reject when no sheet holds a table: the expected columns,
// and the hidden sheets that were not read.
func (r *run) noTableMessage() string {
	m := "không tìm thấy dòng tiêu đề của bảng: " + expectedColumns(r.candidateSpecs())
	var hidden []string
	for _, s := range r.report.SkippedSheets {
		if s.ReadAs == string(ingest.SheetHidden) || s.ReadAs == string(ingest.SheetVeryHidden) {
			hidden = append(hidden, fmt.Sprintf("%q", s.Sheet))
		}
	}
	if len(hidden) > 0 {
		m += "; các trang ẩn không được đọc: " + strings.Join(hidden, ", ") + " (hiện trang trong Excel nếu đó là dữ liệu cần nạp)"
	}
	return m
}

// readRecovered is readWith the default reader and the header search of ss (the units import).
func readRecovered(ctx context.Context, path string, ss []*Spec, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) error {
	return readWith(ctx, ingest.Reader{HeaderFilter: headerFilterFor(ss)}, path, scorerFor(ss), onTable, onRow)
}

// readWith calls the reader, turning a panic in the loader's own callbacks into an error (the
// reader turns its own panics into a file reject): a malformed file must never crash the
// pipeline, and a bug must not be taken for the file's fault.
func readWith(ctx context.Context, rd ingest.Reader, path string, score ingest.HeaderScorer, onTable func(*ingest.Table) error,
	onRow func(*ingest.Table, ingest.Row) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ntm.Wrap(ntm.CodeInternal, fmt.Errorf("load of %s panicked: %v", path, p),
				"Lỗi nội bộ của ntm khi đọc tệp %s: không có gì được nạp từ tệp; hãy gửi tệp này cho người quản trị.", filepath.Base(path))
		}
	}()
	return rd.ReadFile(ctx, path, score, onTable, onRow)
}

func (r *run) onTable(ctx context.Context, t *ingest.Table) error {
	if t.Encoding != "" && !strings.HasPrefix(t.Encoding, "UTF-16") {
		r.report.Notes = append(r.report.Notes, fmt.Sprintf("tệp dùng bảng mã cũ %s, đã được chuyển sang Unicode", t.Encoding))
	}
	var m *HeaderMatch
	notMatched := func(why string) error {
		r.fileSheets = append(r.fileSheets, sheetRecord{sheet: t.Sheet, readAs: "not_matched", note: why, table: t})
		r.report.SkippedSheets = append(r.report.SkippedSheets, SkippedSheet{Sheet: t.Sheet, ReadAs: "not_matched", Note: why})
		r.report.Notes = append(r.report.Notes, why)
		return ingest.ErrSkipSheet
	}
	if r.begun {
		// Later sheets must hold the dataset chosen by the first.
		ms, err := DetectDataset(t.Columns, SpecsFor(r.report.Dataset))
		if err != nil {
			return notMatched(fmt.Sprintf("bỏ qua trang %q: %v", t.Sheet, err))
		}
		m = ms
	} else {
		ms, err := DetectDataset(t.Columns, r.candidateSpecs())
		if err != nil {
			msg := err.Error()
			if t.Sheet != "" {
				msg = fmt.Sprintf("trang %q: %s", t.Sheet, msg)
			}
			if r.firstMiss == "" {
				r.firstMiss = msg
			}
			return notMatched("bỏ qua " + msg)
		}
		m = ms
	}
	tc := &tableCtx{table: t, match: m, spec: m.Spec}
	if !r.begun {
		r.report.Dataset, r.report.Shape = m.Spec.Dataset, m.Spec.Shape
	}
	ref := r.l.Now().UTC()
	ref = ntm.Date(ref.Year(), ref.Month(), ref.Day())
	// As-of date: column, else title, else --as-of, else the end of --period.
	tc.fileAsOf = preambleAsOf(t.Preamble)
	if tc.fileAsOf.IsZero() {
		tc.fileAsOf = r.opts.AsOf
	}
	if tc.fileAsOf.IsZero() && r.opts.Period.Year != 0 {
		tc.fileAsOf = r.opts.Period.End()
	}
	if !tc.fileAsOf.IsZero() {
		ref = tc.fileAsOf
	}
	tc.refDate = ref
	if datasetNeedsAsOf(m.Spec.Dataset) {
		if _, ok := m.Col["as_of"]; !ok && tc.fileAsOf.IsZero() {
			return rejectFile("không xác định được ngày số liệu: thêm cột \"Ngày số liệu\", dòng tiêu đề \"Số liệu đến ngày dd/mm/yyyy\", hoặc chạy lại với --as-of dd/mm/yyyy (hoặc --period)")
		}
	}
	if m.Spec.Dataset == ntm.DatasetDVCDossiers {
		tc.periodFrom, tc.periodTo, tc.periodLabel = preamblePeriod(t.Preamble)
		if tc.periodFrom.IsZero() && r.opts.Period.Year != 0 {
			tc.periodFrom, tc.periodTo, tc.periodLabel = r.opts.Period.Start(), r.opts.Period.End(),
				fmt.Sprintf("Tháng %d/%d", int(r.opts.Period.Month), r.opts.Period.Year)
		}
		_, hasLabel := m.Col["period_label"]
		_, hasFrom := m.Col["period_from"]
		if !hasLabel && !hasFrom && tc.periodFrom.IsZero() {
			return rejectFile("không xác định được kỳ báo cáo: thêm cột \"Kỳ báo cáo\" (hoặc \"Từ ngày\" và \"Đến ngày\"), ghi kỳ trong tiêu đề (ví dụ \"Quý III/2026\"), hoặc chạy lại với --period YYYY-MM")
		}
	}
	// The batch begins before the unit index is read: a load's begin also reads the structure's
	// generation (one round trip less), and a file loaded before needs no index.
	if !r.begun {
		r.report.AsOf = tc.fileAsOf
		if err := r.begin(ctx, m.Spec.Dataset, tc.fileAsOf); err != nil {
			return err
		}
		r.begun = true
	}
	if r.idx == nil {
		idx, err := r.l.unitIndex(ctx, r.units, datasetNamesVillages(m.Spec.Dataset), r.generation)
		if err != nil {
			return err
		}
		r.idx = idx
	}
	if m.Spec.Dataset == ntm.DatasetOCOPListings && r.products == nil {
		ps, err := loadProductKeys(ctx, r.units)
		if err != nil {
			return err
		}
		r.products = ps
	}
	tc.province, tc.district, tc.commune = contextFromPreamble(r.idx, append(slicesClone(t.Preamble), t.File), ref)
	if m.Spec.Shape == "procedure_list" {
		tc.agg = &procedureAggregate{byKey: map[string]*procedureCounts{}}
		r.aggs = append(r.aggs, tc.agg)
	}
	tableRoles(t, m)
	r.tables[t] = tc
	if _, ok := r.sheetIndex[t.Sheet]; !ok {
		r.sheetIndex[t.Sheet] = int32(len(r.sheets))
		r.sheets = append(r.sheets, t.Sheet)
	}
	fields := make([]string, len(t.Roles))
	for f, i := range m.Col {
		if i < len(fields) {
			fields[i] = f
		}
	}
	r.fileSheets = append(r.fileSheets, sheetRecord{sheet: t.Sheet, readAs: "table", table: t, fields: fields})
	return nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// subtotalWords are row labels that mark totals the reader may have let through.
var subtotalWords = map[string]bool{"cộng": true, "tổng cộng": true, "toàn tỉnh": true, "tổng": true, "tổng số": true,
	"cộng toàn tỉnh": true, "tổng toàn tỉnh": true}

// isSubtotal reports whether a unit cell is a total label; cheap for ordinary names.
func isSubtotal(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 40 || !strings.ContainsRune("cCtT", rune(s[0])) {
		return false
	}
	return subtotalWords[headerWords(s)]
}

// identityFields only say which unit a row is about; a row with nothing else carries no data.
var identityFields = map[string]bool{
	"district": true, "district_code": true, "commune": true, "commune_code": true,
	"village": true, "village_code": true, "unit": true, "unit_code": true, "stt": true,
}

func (r *run) onRow(ctx context.Context, tc *tableCtx, row ingest.Row, sheet int32) error {
	if err := r.endSkipRun(ctx); err != nil {
		return err
	}
	r.seq++
	if len(row.Flaws) > 0 {
		f := row.Flaws[0]
		return r.rejectRow(ctx, row, columnLabel(tc.table, f.Col), flawReason(f))
	}
	p := &r.parser // one for every row: a record-level export's million were each an allocation
	*p = rowParser{tc: tc, row: row, idx: r.idx, unitDate: tc.refDate, dates: &r.dates, products: r.products}
	// A row with nothing in any recognised column is not data; nor is one that only names its
	// unit (a pre-listed row of a fill-in template the district left blank): its unit simply has
	// no data, which evaluation reports as such, instead of a reject that could fail the file.
	empty, subtotal := true, false
	if tc.cols == nil {
		for f, i := range tc.match.Col {
			tc.cols = append(tc.cols, fieldCol{field: f, col: i, identity: identityFields[f],
				unitField: f == "unit" || f == "commune" || f == "village" || f == "district"})
		}
		slices.SortFunc(tc.cols, func(a, b fieldCol) int { return cmp.Compare(a.col, b.col) })
	}
	faultCol, fault := "", ""
	for _, fc := range tc.cols {
		i := fc.col
		if i >= 0 && i < len(row.Cells) && strings.TrimSpace(row.Cells[i]) != "" {
			if !fc.identity {
				empty = false
			}
			if fc.unitField && isSubtotal(row.Cells[i]) {
				subtotal = true
			}
			if fault == "" {
				if f := cellFault(row.Cells[i]); f != "" {
					faultCol, fault = p.label(fc.field), f
				}
			}
		}
	}
	switch {
	case isExampleRow(row.Cells):
		return r.skipData(ctx, row, SkipExample)
	case fault != "":
		return r.rejectRow(ctx, row, faultCol, fault)
	case row.Cut && (subtotal || empty):
		// Never skip what may be the start of a data row cut short (ingest.Row.Cut).
		return r.rejectRow(ctx, row, "", msg.CutLastLine)
	case subtotal:
		return r.skipData(ctx, row, ingest.SkipSubtotal)
	case empty && r.hasIdentity(tc, row):
		return r.skipData(ctx, row, SkipUnitOnly)
	case empty:
		return r.skipData(ctx, row, SkipNoData)
	}
	r.report.RowsRead++
	res, rerr := safeParse(tc.spec.parse, p)
	held := false // the row's fact waits for the end of the file (merged.go)
	if errors.Is(r.dates.err, errMonthFirst) {
		return errMonthFirst
	}
	if r.dates.mixed != "" {
		return rejectFile("%s", r.dates.mixed)
	}
	if rerr == nil && res.key != "" {
		r.hash.Reset()
		r.hash.WriteString(string(tc.spec.Dataset))
		r.hash.WriteByte(0)
		r.hash.WriteString(res.key)
		h := r.hash.Sum64()
		if spilledKeyTables[tc.spec.Dataset] != nil {
			if r.keys == nil {
				r.keys = &keySpill{}
			}
			if err := r.keys.add(h, uint32(sheet), row.Num); err != nil {
				return err
			}
		} else {
			first, dup := r.seen[h]
			if !dup {
				r.seen[h] = rowRef{sheet: sheet, row: int32(row.Num)}
			}
			var why string
			var err error
			if held, why, err = r.merged.add(h, p, &res, !dup); err != nil {
				var ve *valueError
				if !errors.As(err, &ve) {
					return err
				}
				rerr = &rowError{field: ve.field, reason: fmt.Sprintf("giá trị không lưu được: %v", ve.err)}
			} else if dup && !held && why != "" { // rows of old units of one successor (merged.go)
				rerr = &rowError{reason: duplicateOf(tc.spec.Dataset, int(first.row), r.sheetName(first.sheet, sheet)) + ": " + why}
			} else if dup && !held {
				rerr = &rowError{reason: duplicateReason(tc.spec.Dataset, int(first.row), r.sheetName(first.sheet, sheet))}
			}
		}
	}
	if rerr == nil && !held {
		for i, f := range res.facts {
			if err := r.sink.fact(ctx, f); err != nil {
				var ve *valueError
				if i == 0 && errors.As(err, &ve) {
					// Nothing of the row was sent: the database would refuse the value.
					rerr = &rowError{field: ve.field, reason: fmt.Sprintf("giá trị không lưu được: %v", ve.err)}
					break
				}
				return err
			}
		}
	}
	if rerr != nil {
		r.report.RowsRead-- // counted again by rejectRow
		col := ""
		if rerr.field != "" {
			col = p.label(rerr.field)
		}
		return r.rejectRow(ctx, row, col, rerr.reason)
	}
	r.report.RowsLoaded++
	if res.apply != nil {
		res.apply()
	}
	if res.unmatched {
		r.unmatched++
		if len(r.unmatchedRows) < 5 {
			r.unmatchedRows = append(r.unmatchedRows, fmt.Sprintf("%s (%s)", rowPlace(row.Sheet, row.Num), rawRow(row.Cells)))
		}
	}
	if tc.fileAsOf.IsZero() && res.date.After(r.report.AsOf) {
		r.report.AsOf = res.date
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// hasIdentity reports whether a row names its unit in one of the identity columns.
func (r *run) hasIdentity(tc *tableCtx, row ingest.Row) bool {
	for _, fc := range tc.cols {
		if fc.identity && fc.col < len(row.Cells) && strings.TrimSpace(row.Cells[fc.col]) != "" {
			return true
		}
	}
	return false
}

// skipData accounts for a delivered row that is not data after all.
func (r *run) skipData(ctx context.Context, row ingest.Row, why SkipReason) error {
	r.seq-- // skip counts the row itself
	if err := r.skip(ctx, row.Sheet, row.Num, why, row.Cells); err != nil {
		return err
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// rejectRow accounts for a data row that is not loaded, with its reason.
func (r *run) rejectRow(ctx context.Context, row ingest.Row, col, reason string) error {
	r.report.RowsRead++
	r.report.RowsRejected++
	rej := Reject{Sheet: row.Sheet, Row: row.Num, Column: col, Reason: reason, Raw: rawRow(row.Cells)}
	if len(r.report.Rejects) < RejectsKept {
		rej.Cells = storableAll(row.Cells)
		r.report.Rejects = append(r.report.Rejects, rej)
	}
	if err := r.keepReject(rej, row.Cells); err != nil {
		return err
	}
	r.rowDone(ctx)
	return ctx.Err()
}

// keepReject writes a reject to the batch's spill (a load only).
func (r *run) keepReject(rej Reject, cells []string) error {
	if r.rejectSpill == nil {
		return nil
	}
	if rej.Cells == nil && cells != nil {
		rej.Cells = storableAll(cells)
	}
	if rej.Cells == nil {
		rej.Cells = []string{}
	}
	return r.rejectSpill.add(storable(rej.Sheet), rej.Row, storable(rej.Column), rej.Reason, rej.Raw, rej.Cells)
}

func (r *run) rowDone(ctx context.Context) {
	if r.l.afterRow != nil {
		r.l.afterRow(ctx, r.report.RowsRead)
	}
	if r.opts.Progress != nil && r.report.RowsRead-r.progressAt >= ProgressEvery {
		r.progressAt = r.report.RowsRead
		r.opts.Progress(r.report.RowsRead)
	}
}

// rowPlace is `trang "X", dòng 5` (`dòng 5` for a CSV).
func rowPlace(sheet string, row int) string {
	if sheet == "" {
		return fmt.Sprintf("dòng %d", row)
	}
	return fmt.Sprintf("trang %q, dòng %d", sheet, row)
}

// sheetName names the sheet of an earlier row for a duplicate reject when it is not the row's
// own ("" when it is).
func (r *run) sheetName(first, cur int32) string {
	if first == cur {
		return ""
	}
	if n := r.sheets[first]; n != "" {
		return n
	}
	return " "
}

// safeParse runs a row parser, turning a panic (a bug, or input nobody foresaw) into a
// row reject instead of a crash.
func safeParse(f rowParseFunc, p *rowParser) (res parsed, rerr *rowError) {
	defer func() {
		if x := recover(); x != nil {
			res, rerr = parsed{}, &rowError{reason: fmt.Sprintf("không đọc được dòng (lỗi nội bộ: %v)", x)}
		}
	}()
	return f(p)
}

// duplicateReason says a row repeats the key of row firstRow (of sheet firstSheet when that
// is another sheet; "" for the same one).
func duplicateReason(d ntm.Dataset, firstRow int, firstSheet string) string {
	return duplicateOf(d, firstRow, firstSheet) + "; dòng đọc trước được giữ"
}

// duplicateOf names the earlier row whose key a row repeats, and the key.
func duplicateOf(d ntm.Dataset, firstRow int, firstSheet string) string {
	where := fmt.Sprintf("dòng %d", firstRow)
	if firstSheet != "" {
		where = fmt.Sprintf("dòng %d của trang %q", firstRow, strings.TrimSpace(firstSheet))
	}
	return fmt.Sprintf("trùng khóa với %s (%s)", where, describeKey(d))
}

// spilledKeyTables are the datasets whose duplicate keys are checked with keySpill (memory
// bounded) instead of an in-memory set, with the table their rows' one fact each goes to:
// record-level exports, the one dataset whose files run to millions of rows.
var spilledKeyTables = map[ntm.Dataset]*factTable{ntm.DatasetDVCDossierRecords: tRecords}

// rejectDuplicates, after the whole file was read, turns the rows that repeat an earlier row's
// key into rejects, as the in-memory check does while reading: the earliest row is kept.
func (r *run) rejectDuplicates(ctx context.Context) error {
	if r.keys == nil {
		return nil
	}
	d := r.report.Dataset
	var chunk []duplicateRow
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		raw, err := r.sink.dropRows(ctx, spilledKeyTables[d], r.sheets, chunk)
		if err != nil {
			return err
		}
		for _, dup := range chunk {
			r.report.RowsLoaded--
			r.report.RowsRejected++
			sheet := r.sheets[dup.sheet]
			rej := Reject{Sheet: sheet, Row: dup.row, Reason: duplicateReason(d, dup.firstRow, r.sheetName(int32(dup.firstSheet), int32(dup.sheet))),
				Raw: raw[sheetRow{sheet, dup.row}]}
			rej.Cells = []string{rej.Raw} // the facts' values: the row's own cells are not kept
			if len(r.report.Rejects) < RejectsKept {
				r.report.Rejects = append(r.report.Rejects, rej)
			}
			if err := r.keepReject(rej, nil); err != nil {
				return err
			}
		}
		chunk = chunk[:0]
		return nil
	}
	err := r.keys.duplicates(func(dup duplicateRow) error {
		chunk = append(chunk, dup)
		if len(chunk) >= copyChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	// Duplicates come out in key order; the report lists rejects in file order.
	slices.SortStableFunc(r.report.Rejects, func(a, b Reject) int {
		if c := cmp.Compare(r.sheetIndex[a.Sheet], r.sheetIndex[b.Sheet]); c != 0 {
			return c
		}
		return cmp.Compare(a.Row, b.Row)
	})
	return nil
}

// describeKey says which rows count as the same fact (the dataset's declaration).
func describeKey(d ntm.Dataset) string {
	if decl := dataset.Of(d); decl != nil {
		return decl.KeyText
	}
	return "cùng khóa"
}

// rawRow is a row's cells for people (storable, at most 500 bytes).
func rawRow(cells []string) string {
	s := storable(strings.Join(cells, " | "))
	if len(s) > 500 {
		s = s[:500]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// checkShare returns the whole-file reject message when too many rows were rejected.
func (r *run) checkShare() string {
	rep := &r.report
	share := r.opts.MaxRejectShare
	if share <= 0 {
		share = DefaultMaxRejectShare
	}
	if rep.DataRows() == 0 {
		return fmt.Sprintf("không có dòng dữ liệu nào dưới dòng tiêu đề; %s", expectedColumns(SpecsFor(rep.Dataset)))
	}
	if float64(rep.RowsRejected) > share*float64(rep.DataRows()) {
		first := ""
		if len(rep.Rejects) > 0 {
			first = "; lỗi đầu tiên: " + rep.Rejects[0].String()
		}
		return fmt.Sprintf("%d/%d dòng bị loại (quá %d%%), tệp không được nạp; kiểm tra các cột %s%s",
			rep.RowsRejected, rep.DataRows(), int(share*100+0.5), strings.Join(SpecsFor(rep.Dataset)[0].RequiredLabels(), ", "), first)
	}
	return ""
}
