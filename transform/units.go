package transform

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/fold"
	"ntm/ingest"
	"ntm/units"
)

// UnitsOptions tunes a units import (docs/structure-changes.md §2).
type UnitsOptions struct {
	// ValidFrom is the day the file's structure (or mapping) starts, for files without a
	// valid_from column; zero = the file's column, else units.Beginning (a first import).
	ValidFrom time.Time
	// Add only adds and updates units: nothing the file leaves out is closed.
	Add bool
	// CloseVillages closes the villages of the communes the file closes, when the file lists
	// no villages, instead of refusing it.
	CloseVillages bool
	SourceURI     string
	Who           string // recorded on the links the import makes; "" = "ntm"
	// MaxFileSize refuses a bigger file before it is read (config max_file_mb); 0 = DefaultMaxFileSize.
	MaxFileSize int64
}

// DefaultValidFrom is the start of validity of units whose file gives none.
var DefaultValidFrom = units.Beginning

// UnitsReport says what a units import did: the file's report, and what it changed in the
// structure (a units list) or in the successor links (a mapping).
type UnitsReport struct {
	FileReport
	Structure *units.Result     // a units list was imported
	Links     *units.LinkResult // a successor mapping was imported
}

// unitsLayout is what a units file turned out to be.
type unitsLayout int

const (
	layoutUnits   unitsLayout = iota // canonical or GSO list: a structure
	layoutMapping                    // old → new successor pairs
)

// ImportUnits imports a units file: a structure — the canonical layout (province_code,
// province_name, district_code, district_name, commune_code, commune_name, village_code,
// village_name, village_kind, valid_from, valid_to; district columns may be empty; optional
// previous_codes and commune_group) or the GSO lists (…, district_kind, commune_kind; the 2025 one without
// districts and with merged_from_codes) — or a successor mapping (old_commune_code,
// new_commune_code, merge_type; needs ValidFrom). A structure states the whole structure of
// its provinces from its date (units.Import). The import is one batch of dataset 'units'
// (the same bytes import once) and all or nothing: a row error or a refusal rejects the file
// whole, recorded as a rejected batch, and nothing changes.
func ImportUnits(ctx context.Context, pool *pgxpool.Pool, path string, opts UnitsOptions) (UnitsReport, error) {
	size, sum, err := fileInfo(path, opts.MaxFileSize)
	if err != nil {
		return UnitsReport{FileReport: FileReport{File: path, Dataset: ntm.DatasetUnits}}, err
	}
	if id, err := findLoaded(ctx, pool, ntm.DatasetUnits, sum); err != nil || id != 0 {
		return UnitsReport{FileReport: alreadyReport(path, ntm.DatasetUnits, id)}, err
	}
	f, err := readUnits(ctx, path, opts)
	if err != nil {
		return UnitsReport{FileReport: f.rep}, err
	}
	source := opts.SourceURI
	if source == "" {
		if abs, err := filepath.Abs(path); err == nil {
			source = abs
		} else {
			source = path
		}
	}
	rep := UnitsReport{FileReport: f.rep}
	if !rep.Rejected {
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, insertBatchSQL, string(ntm.DatasetUnits), source, filepath.Base(path), size, sum, nil, "loaded").Scan(&rep.BatchID); err != nil {
				return err
			}
			if err := f.apply(ctx, tx, rep.BatchID, &rep); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, finishBatchSQL, rep.BatchID, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, nil, strings.Join(rep.Notes, "\n"))
			return err
		})
		var ue *ntm.Error
		switch {
		case errors.As(err, &ue) && ue.Code != ntm.CodeInternal:
			rep.Rejected, rep.Message, rep.BatchID = true, ue.Message, 0
			rep.Structure, rep.Links = nil, nil
		case err != nil:
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				if id, ferr := findLoaded(ctx, pool, ntm.DatasetUnits, sum); ferr == nil && id != 0 {
					return UnitsReport{FileReport: alreadyReport(path, ntm.DatasetUnits, id)}, nil
				}
			}
			return rep, fmt.Errorf("import units from %s: %w", path, err)
		default:
			return rep, nil
		}
	}
	// Rejected whole: record the batch (so the office sees it) with its first row errors.
	rep.RowsLoaded = 0
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertBatchSQL, string(ntm.DatasetUnits), source, filepath.Base(path), size, sum, nil, "rejected").Scan(&rep.BatchID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, finishBatchSQL, rep.BatchID, rep.RowsRead, 0, rep.RowsRejected, nil, rep.Message); err != nil {
			return err
		}
		return copyRejects(ctx, tx, rep.BatchID, rep.Rejects)
	})
	if err != nil {
		return rep, fmt.Errorf("record the rejected units file %s: %w", path, err)
	}
	return rep, nil
}

// CheckUnits reads a units file and applies it in a transaction that is rolled back: the
// report says what the import would change, or why it would be refused.
func CheckUnits(ctx context.Context, pool *pgxpool.Pool, path string, opts UnitsOptions) (UnitsReport, error) {
	if err := checkFileSize(path, opts.MaxFileSize); err != nil {
		return UnitsReport{FileReport: FileReport{File: path, Dataset: ntm.DatasetUnits}}, err
	}
	f, err := readUnits(ctx, path, opts)
	rep := UnitsReport{FileReport: f.rep}
	if err != nil || rep.Rejected || pool == nil {
		return rep, err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return rep, fmt.Errorf("check units file %s: %w", path, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a check never commits
	var ue *ntm.Error
	if err := f.apply(ctx, tx, 0, &rep); errors.As(err, &ue) && ue.Code != ntm.CodeInternal {
		rep.Rejected, rep.Message = true, ue.Message
		rep.Structure, rep.Links = nil, nil
	} else if err != nil {
		return rep, fmt.Errorf("check units file %s: %w", path, err)
	}
	return rep, nil
}

// unitsFile is a units file read into a statement.
type unitsFile struct {
	rep     FileReport
	layout  unitsLayout
	st      *units.Statement
	links   *units.LinkStatement
	village bool
}

func (f *unitsFile) apply(ctx context.Context, tx pgx.Tx, batchID int64, rep *UnitsReport) error {
	switch f.layout {
	case layoutMapping:
		f.links.BatchID = batchID
		res, err := units.ImportLinks(ctx, tx, f.links)
		if err != nil {
			return err
		}
		rep.Links, rep.FactsWritten = res, res.Links
	default:
		f.st.BatchID = batchID
		res, err := units.Import(ctx, tx, f.st)
		if err != nil {
			return err
		}
		rep.Structure = res
		rep.FactsWritten = res.Links
		for _, m := range []map[ntm.Level]int{res.Opened, res.Renamed, res.Moved, res.Corrected, res.Closed} {
			for _, n := range m {
				rep.FactsWritten += n
			}
		}
	}
	return nil
}

// unitsSpec and mappingSpec are the two shapes of dataset 'units'.
func unitsSpec() *Spec { return SpecsFor(ntm.DatasetUnits)[0] }

func mappingSpec() *Spec {
	for _, s := range SpecsFor(ntm.DatasetUnits) {
		if s.Shape == shapeMapping {
			return s
		}
	}
	panic("transform: no successor mapping spec")
}

const shapeMapping = "successor_mapping"

// where names a row for messages: "Dòng 12", `Trang "DM", dòng 12`.
func where(sheet string, row int) string {
	return strings.TrimSuffix(Reject{Sheet: sheet, Row: row, Reason: "x"}.String(), ": x")
}

// readUnits parses a units file. Row errors are collected as rejects; any of them rejects the
// file (a structure is all or nothing).
func readUnits(ctx context.Context, path string, opts UnitsOptions) (*unitsFile, error) {
	f := &unitsFile{rep: FileReport{File: path, Dataset: ntm.DatasetUnits}}
	var match *HeaderMatch
	var b *statementBuilder
	var lb *mappingBuilder
	specs := []*Spec{unitsSpec(), mappingSpec()}
	err := readRecovered(ctx, path, specs, func(t *ingest.Table) error {
		if match != nil {
			return nil // the first table holds the units
		}
		// A mapping is recognised first: its old_/new_ columns would also pass for a list's.
		if m := mappingSpec().Match(t.Columns); m.Complete() {
			match, f.layout = m, layoutMapping
			f.rep.Shape = shapeMapping
			lb = &mappingBuilder{}
			return nil
		}
		m := unitsSpec().Match(t.Columns)
		if !m.Complete() {
			return rejectFile("thiếu cột bắt buộc của danh mục đơn vị: %s (các cột cần có: %s; hoặc, với bảng chuyển đổi đơn vị cũ → mới: %s)",
				strings.Join(m.Missing, ", "), strings.Join(unitsSpec().RequiredLabels(), ", "), strings.Join(mappingSpec().RequiredLabels(), ", "))
		}
		match = m
		b = newStatementBuilder(m)
		b.file = filepath.Base(path)
		return nil
	}, func(t *ingest.Table, row ingest.Row) error {
		if match == nil || t.Columns == nil {
			return nil
		}
		p := &rowParser{tc: &tableCtx{table: t, match: match, spec: match.Spec}, row: row}
		if blankRow(row.Cells) {
			return nil
		}
		f.rep.RowsRead++
		var rerr *rowError
		if lb != nil {
			rerr = lb.row(p)
		} else {
			rerr = b.row(p)
		}
		if rerr != nil {
			f.rep.RowsRejected++
			rej := Reject{Sheet: row.Sheet, Row: row.Num, Reason: rerr.reason, Raw: rawRow(row.Cells)}
			if rerr.field != "" {
				rej.Column = p.label(rerr.field)
			}
			if len(f.rep.Rejects) < RejectsKept {
				f.rep.Rejects = append(f.rep.Rejects, rej)
			}
			return nil
		}
		f.rep.RowsLoaded++
		return ctx.Err()
	})
	reason, rejected := rejectedReason(err)
	switch {
	case rejected:
		f.rep.Rejected, f.rep.Message = true, reason
		return f, nil
	case err != nil && ctx.Err() != nil:
		return f, fmt.Errorf("units import of %s cancelled: %w", path, ctx.Err())
	case errors.Is(err, ingest.ErrNoHeader) || err == nil && match == nil:
		f.rep.Rejected = true
		f.rep.Message = "không tìm thấy dòng tiêu đề của danh mục đơn vị; " + expectedColumns([]*Spec{unitsSpec()})
		return f, nil
	case err != nil && ntm.ErrorCode(err) == ntm.CodeInvalid:
		// The file's own fault, said by the reader in one Vietnamese sentence.
		f.rep.Rejected, f.rep.Message = true, ntm.ErrorMessage(err)
		return f, nil
	case err != nil:
		return f, err // the machine's fault or a bug: classified by the caller, not the file's
	}
	reject := func(msg string) *unitsFile {
		f.rep.Rejected, f.rep.Message = true, msg
		return f
	}
	if f.rep.RowsRejected > 0 {
		return reject(fmt.Sprintf("%d/%d dòng có lỗi, tệp không được nhập (danh mục đơn vị được nhập cả tệp hoặc không gì cả); lỗi đầu tiên: %s",
			f.rep.RowsRejected, f.rep.RowsRead, f.rep.Rejects[0].String())), nil
	}
	if f.rep.RowsRead == 0 {
		return reject("không có dòng dữ liệu nào dưới dòng tiêu đề; " + expectedColumns([]*Spec{unitsSpec()})), nil
	}
	if lb != nil {
		if opts.ValidFrom.IsZero() {
			return reject("bảng chuyển đổi đơn vị cũ → mới không ghi ngày: chạy lại với --valid-from dd/mm/yyyy (ngày các đơn vị mới bắt đầu có hiệu lực)"), nil
		}
		f.links = &units.LinkStatement{From: opts.ValidFrom, Links: lb.links, Source: units.SourceMapping, Who: opts.Who}
		f.rep.AsOf = opts.ValidFrom
		return f, nil
	}
	st, msg := b.statement(opts)
	if msg != "" {
		return reject(msg), nil
	}
	f.st = st
	f.rep.AsOf = st.From
	return f, nil
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// kindLabel is the display form of a folded kind ("thị trấn" → "Thị trấn").
func kindLabel(k string) string {
	k = foldTextMemo.Get(k, fold.Text)
	if k == "" {
		return ""
	}
	r := []rune(k)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// statementBuilder collects a structure file's rows into a statement.
type statementBuilder struct {
	match    *HeaderMatch
	source   string // link source of the predecessor column
	units    []units.StatedUnit
	byCode   map[string]int // code → index in units
	from     time.Time      // the file's valid_from, when it has one
	fromRow  string
	villages bool
	file     string // the file's name: the source of the commune groups it states
}

func newStatementBuilder(m *HeaderMatch) *statementBuilder {
	b := &statementBuilder{match: m, byCode: map[string]int{}, source: units.SourcePreviousCodes}
	if _, ok := m.Col["merged_from_codes"]; ok {
		b.source = units.SourceMergedFrom
	}
	return b
}

// row reads one row: up to four units (province, district, commune, village). The most
// specific of them takes the row's valid_to and predecessor codes.
func (b *statementBuilder) row(p *rowParser) *rowError {
	from, rerr := p.date("valid_from")
	if rerr != nil {
		return rerr
	}
	if !from.IsZero() {
		if b.from.IsZero() {
			b.from, b.fromRow = from, where(p.row.Sheet, p.row.Num)
		} else if !from.Equal(b.from) {
			return p.errf("valid_from", "ngày hiệu lực %s khác ngày %s của %s: mỗi tệp là cơ cấu đơn vị từ một ngày, hãy tách tệp theo ngày hiệu lực",
				from.Format("02/01/2006"), b.from.Format("02/01/2006"), strings.ToLower(b.fromRow[:1])+b.fromRow[1:])
		}
	}
	to, rerr := p.date("valid_to")
	if rerr != nil {
		return rerr
	}
	if !to.IsZero() && !from.IsZero() && to.Before(from) {
		return p.errf("valid_to", "valid_to %s trước valid_from %s", to.Format("02/01/2006"), from.Format("02/01/2006"))
	}
	mk := func(level ntm.Level, codeF, nameF, kindF, parent string) (*units.StatedUnit, *rowError) {
		code := normaliseCode(p.text(codeF), []string{string(level)})
		name := p.text(nameF)
		if code == "" && name == "" {
			return nil, nil
		}
		if code == "" {
			return nil, p.errf(codeF, "thiếu mã %s của %q", levelWord(string(level)), name)
		}
		if name == "" {
			return nil, p.errf(nameF, "thiếu tên %s mã %s", levelWord(string(level)), code)
		}
		// Memoised: a canonical file repeats its province, district and commune on every row.
		folded, kind := foldUnitNameMemo(name)
		if kindF != "" && p.text(kindF) != "" {
			kind = foldTextMemo.Get(p.text(kindF), fold.Text)
		}
		return &units.StatedUnit{Code: code, Level: level, Kind: kindLabel(kind), Name: name, Folded: folded, Parent: parent,
			Where: where(p.row.Sheet, p.row.Num)}, nil
	}
	provCode := normaliseCode(p.text("province_code"), []string{"province"})
	if provCode == "" {
		return p.errf("province_code", "thiếu mã tỉnh")
	}
	var row []*units.StatedUnit
	prov, rerr := mk(ntm.LevelProvince, "province_code", "province_name", "", "")
	if rerr != nil {
		return rerr
	}
	if prov != nil {
		row = append(row, prov)
	}
	parent := provCode
	dist, rerr := mk(ntm.LevelDistrict, "district_code", "district_name", "district_kind", provCode)
	if rerr != nil {
		return rerr
	}
	if dist != nil {
		row = append(row, dist)
		parent = dist.Code
	}
	com, rerr := mk(ntm.LevelCommune, "commune_code", "commune_name", "commune_kind", parent)
	if rerr != nil {
		return rerr
	}
	if com == nil && dist == nil {
		return p.errf("commune_code", "thiếu mã và tên xã")
	}
	if g := p.text("commune_group"); g != "" {
		if com == nil {
			return p.errf("commune_group", "nhóm xã %q cần mã xã trên cùng dòng", g)
		}
		n, ok := units.ParseGroup(g)
		if !ok {
			return p.errf("commune_group", "nhóm xã %q của %s phải là 1, 2 hoặc 3", g, com.Name)
		}
		com.Group = n
	}
	if com != nil {
		row = append(row, com)
		vil, rerr := mk(ntm.LevelVillage, "village_code", "village_name", "village_kind", com.Code)
		if rerr != nil {
			return rerr
		}
		if vil != nil {
			row = append(row, vil)
			b.villages = true
		}
	} else if strings.TrimSpace(p.cell("village_code")) != "" {
		return p.errf("commune_code", "thôn %q cần mã xã", p.text("village_name"))
	}
	last := row[len(row)-1]
	last.To = to
	prevF := "previous_codes"
	if b.source == units.SourceMergedFrom {
		prevF = "merged_from_codes"
	}
	if _, ok := b.match.Col[prevF]; ok {
		prev, stated, rerr := previousCodes(p, prevF, last.Level)
		if rerr != nil {
			return rerr
		}
		last.Previous, last.PreviousStated = prev, stated
	}
	for _, u := range row {
		if i, seen := b.byCode[u.Code]; seen {
			o := &b.units[i]
			if o.Name != u.Name || o.Parent != u.Parent || o.Level != u.Level || (o.Kind != u.Kind && u.Kind != "" && o.Kind != "") {
				return p.errf("", "mã %s đã có ở %s với tên hoặc đơn vị cấp trên khác (%s, thuộc %s; dòng này: %s, thuộc %s)",
					u.Code, strings.ToLower(o.Where[:1])+o.Where[1:], o.Name, orNone(o.Parent), u.Name, orNone(u.Parent))
			}
			if u.Group != 0 && o.Group != 0 && u.Group != o.Group {
				return p.errf("commune_group", "%s (%s) đã có nhóm xã %d ở %s, dòng này ghi nhóm %d", u.Name, u.Code, o.Group,
					strings.ToLower(o.Where[:1])+o.Where[1:], u.Group)
			}
			if u.Group != 0 {
				o.Group = u.Group
			}
			if u == last && (u.PreviousStated || !u.To.IsZero()) {
				if o.PreviousStated && u.PreviousStated && !samePrevious(o.Previous, u.Previous) {
					return p.errf(prevF, "mã %s đã có ở %s với mã cũ khác", u.Code, strings.ToLower(o.Where[:1])+o.Where[1:])
				}
				if u.PreviousStated {
					o.Previous, o.PreviousStated = u.Previous, true
				}
				if !u.To.IsZero() {
					o.To = u.To
				}
			}
			continue
		}
		b.byCode[u.Code] = len(b.units)
		b.units = append(b.units, *u)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "không có"
	}
	return s
}

// isNewUnitMark reports whether a predecessor cell says "no predecessor": "-" or "mới".
func isNewUnitMark(s string) bool {
	return strings.TrimSpace(s) == "-" || fold.Text(s) == fold.Text("mới")
}

func samePrevious(a, b []units.PreviousCode) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// previousCodes reads a predecessor column: codes separated by ";" (or ","), each with an
// optional "(partial)" or "(một phần)" mark. An empty cell states nothing (a unit whose code
// continues is its own predecessor, docs/structure-changes.md §3); "-" or "mới" states that the
// unit is new, with no predecessor, even where its code was another unit's.
func previousCodes(p *rowParser, f string, level ntm.Level) (_ []units.PreviousCode, stated bool, _ *rowError) {
	switch t := p.text(f); {
	case strings.TrimSpace(t) == "":
		return nil, false, nil
	case isNewUnitMark(t):
		return nil, true, nil
	}
	var out []units.PreviousCode
	for _, item := range strings.FieldsFunc(p.text(f), func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		pc := units.PreviousCode{}
		if i := strings.IndexByte(item, '('); i >= 0 {
			mark := fold.Text(strings.Trim(item[i:], "() "))
			if mark != "partial" && mark != fold.Text("một phần") {
				return nil, false, p.errf(f, "không hiểu %q: sau mã chỉ có thể ghi (partial) hoặc (một phần)", item)
			}
			pc.Partial = true
			item = strings.TrimSpace(item[:i])
		}
		pc.Code = normaliseCode(item, []string{string(level)})
		if pc.Code == "" {
			return nil, false, p.errf(f, "thiếu mã trong %q", p.text(f))
		}
		for _, o := range out {
			if o.Code == pc.Code {
				return nil, false, p.errf(f, "mã %s ghi hai lần", pc.Code)
			}
		}
		out = append(out, pc)
	}
	return out, len(out) > 0, nil
}

// statement finishes the statement: its date is the file's valid_from, else --valid-from,
// else the Beginning; a flag that disagrees with the file is an error.
func (b *statementBuilder) statement(opts UnitsOptions) (*units.Statement, string) {
	st := &units.Statement{Add: opts.Add, CloseOrphans: opts.CloseVillages, Villages: b.villages, Units: b.units,
		Source: b.source, Who: opts.Who, File: b.file}
	switch {
	case !b.from.IsZero() && !opts.ValidFrom.IsZero() && !b.from.Equal(opts.ValidFrom):
		return nil, fmt.Sprintf("cột valid_from ghi %s (%s) nhưng --valid-from là %s: bỏ một trong hai, hoặc sửa cho khớp",
			b.from.Format("02/01/2006"), strings.ToLower(b.fromRow[:1])+b.fromRow[1:], opts.ValidFrom.Format("02/01/2006"))
	case !b.from.IsZero():
		st.From, st.DateGiven = b.from, true
	case !opts.ValidFrom.IsZero():
		st.From, st.DateGiven = opts.ValidFrom, true
	default:
		st.From = units.Beginning
	}
	for i := range st.Units {
		if u := st.Units[i]; !u.To.IsZero() && u.To.Before(st.From) {
			return nil, fmt.Sprintf("%s: valid_to %s trước ngày hiệu lực %s", u.Where, u.To.Format("02/01/2006"), st.From.Format("02/01/2006"))
		}
	}
	return st, ""
}

// mappingBuilder collects a successor mapping's rows.
type mappingBuilder struct {
	links []units.StatedLink
}

func (b *mappingBuilder) row(p *rowParser) *rowError {
	old := normaliseCode(p.text("old_commune_code"), []string{"commune"})
	nu := normaliseCode(p.text("new_commune_code"), []string{"commune"})
	if old == "" {
		return p.errf("old_commune_code", "thiếu mã đơn vị cũ")
	}
	if nu == "" {
		return p.errf("new_commune_code", "thiếu mã đơn vị mới")
	}
	partial := false
	switch t := fold.Text(p.text("merge_type")); t {
	case "", "full", fold.Text("toàn bộ"), fold.Text("nguyên trạng"):
	case "partial", fold.Text("một phần"):
		partial = true
	default:
		return p.errf("merge_type", "không hiểu %q: ghi full (toàn bộ) hoặc partial (một phần)", p.text("merge_type"))
	}
	for _, l := range b.links {
		if l.Old == old && l.New == nu {
			return p.errf("new_commune_code", "cặp %s → %s đã có ở %s", old, nu, strings.ToLower(l.Where[:1])+l.Where[1:])
		}
	}
	b.links = append(b.links, units.StatedLink{Old: old, New: nu, Partial: partial, Where: where(p.row.Sheet, p.row.Num)})
	return nil
}
