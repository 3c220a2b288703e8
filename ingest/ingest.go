// Package ingest owns the first stage of the pipeline: bytes → rows. It
// streams .xlsx workbooks (every sheet, raw cell values) and .csv files
// (UTF-8 with or without BOM, or UTF-16 with BOM; "," ";" or tab), finds each
// sheet's header with the caller's scorer, and delivers the data rows below
// it. Every row keeps its sheet and spreadsheet row number so that a reject
// can point at the exact cell.
//
// Header: among the first Limits.HeaderRows non-empty rows, every row is
// tried as the bottom of a header one to Limits.HeaderDepth rows deep; the
// caller's scorer picks (ties: the earlier bottom, then the shallower). Rows
// are combined per column, top first: merged ranges (from the sheet's merge
// list) are filled with their top-left value, and where an exporter did not
// merge, a group header is carried right over empty cells while the row
// below has sub-headers there ("Hộ gia đình" over "Tổng số" | "Đã gắn địa
// chỉ số" → "Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số"). Texts
// above the header become Table.Preamble.
//
// Below the header, these rows are not delivered but reported to Reader.OnSkip with why:
// blank rows; a column-number row right under the header ("(1) (2) (3)", "1 2 3", "A B 1 2");
// the header repeated further down (page breaks of an export), with the column-number row
// under it; subtotal rows ("Cộng", "Tổng cộng", "Toàn tỉnh" … in one of the first three
// cells, never a name such as "Cộng Hòa"); group rows — a Roman numeral in the STT position
// ("I", "II. Huyện Hữu Lũng") opens an outer group, a row with a single text cell ("Xã
// Quang Lang", "1. Xã Quang Lang") an inner one, and groups of unit names nest by level (a
// district closes the commune before it) — whose labels go to Row.Groups of the rows that
// follow; and signature rows ("Người lập biểu", "KT. CHỦ TỊCH", "Lạng Sơn, ngày … tháng …
// năm …", "Ghi chú:") together with the number-less short rows after them. The rows above
// the header (titles) and the header rows are reported too, so that every row of a table's
// sheet is either delivered or reported.
//
// A skip never hides data. When the caller says which columns hold what (Table.Roles, set in
// onTable), a row that looks like a group, subtotal or signature row but carries data is
// delivered: a value in a data column together with a value in a key column that is not the
// row's label ("X. Vân An | 12 | 10" under a commune column, a dossier id "IV-2024-17"), or a
// label that names a unit of the rows' own level (Table.RowUnitRank) or below. A group row
// with numbers whose label names a higher level ("I | Huyện Chi Lăng | 5000 | 4000" over
// villages) is the group's subtotal and is skipped. A vertically merged cell is copied into
// the rows it covers in a key column (a district merged over its communes); in a data column
// it is not (12 organisations merged over three villages belong to none of them alone): each
// covered row is delivered with a Flaw saying so.
//
// Hidden and very hidden sheets are not read (Reader.OnSheetSkipped is told).
//
// Memory stays constant per row: a sheet is read as a stream, only the
// header search rows are buffered, and merged ranges are found by scanning
// the sheet's XML without parsing it (a big sheet's before its rows, in a pass
// of their own, or beside them for a caller that can read again:
// Reader.ReadAgain).
//
// Workbooks are read by the package's own code (xlsx.go, xmlscan.go):
// archive/zip and a small XML tokenizer built for the sheet's shape, which
// gives the same raw values as excelize's Rows() iterator (a differential
// test holds it to that) at several times the speed; the tokenizer runs on a
// goroutine of its own, a batch of rows ahead of the caller. excelize is
// still used for writing.
//
// Hostile and strange files end in one clear sentence, never a panic or a
// hang: sizes are bounded by Limits (total unzipped size, bytes in one cell,
// columns, shared strings); a DTD is refused outright, so entity-expansion
// bombs cannot start, and only the predefined and numeric entities are
// decoded; the tokenizer keeps no element stack, so deep nesting costs
// nothing; a formula without a cached value, an encrypted workbook, an old
// .xls and an .ods renamed to .xlsx are each named. CSV files that are not
// UTF-8 are recognised as UTF-16 (with or without a byte-order mark) or as
// a legacy Vietnamese encoding: Windows-1258 and TCVN3 are converted (the
// table says so in Table.Encoding), VNI is named and refused.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ntm"
	"ntm/faults"
)

// Row is one data row of a table.
type Row struct {
	Sheet string   // sheet name; "" for CSV
	Num   int      // 1-based row number in the sheet (CSV: line number where the record starts)
	Cells []string // raw values: numbers as written in the XML ("1234.5", "45291"), text as is; trailing empty cells dropped
	// Groups are the labels of the group rows above this row, outermost
	// first ("I. Huyện Chi Lăng", "Xã Quang Lang"). Rows share the slice
	// until the groups change: do not modify it.
	Groups []string
	// Flaws are problems the reader found in cells of this row; a row with
	// flaws cannot be trusted and the caller rejects it.
	Flaws []Flaw
	// Cut: the row is a CSV's last line and the file ends inside it, without a line break: the
	// file may be cut short there. The reader delivers such a row even when it looks like a
	// group, subtotal, column-number or header row, so that the caller never skips what may be
	// the start of a data row (transform rejects it when it carries no data).
	Cut bool
}

// Flaw is a problem in one cell of a delivered row.
type Flaw struct {
	Col  int      // cell index
	Kind FlawKind // what is wrong
	Ref  string   // FlawMergedCell: the merged range, e.g. "E5:E7"
}

// FlawKind names a cell problem.
type FlawKind int

const (
	// FlawUnclosedQuote: a CSV field opened with a quote that is never properly closed (a
	// stray quote); the line was read with the quote as an ordinary character.
	FlawUnclosedQuote FlawKind = iota + 1
	// FlawMergedCell: a data cell merged down over several rows; its value belongs to no one row.
	FlawMergedCell
)

// SkipReason says why a row of a table's sheet is not data.
type SkipReason string

// The reasons the reader gives (the caller may add its own).
const (
	SkipTitle          SkipReason = "title"           // above the header: titles, "Số liệu đến ngày …"
	SkipHeader         SkipReason = "header"          // the header rows
	SkipColumnNumbers  SkipReason = "column_numbers"  // "(1) (2) (3)" under the header
	SkipRepeatedHeader SkipReason = "repeated_header" // the header again, further down
	SkipGroup          SkipReason = "group"           // "I. Huyện Chi Lăng", "1. Xã Quang Lang"
	SkipSubtotal       SkipReason = "subtotal"        // "Cộng", "Tổng cộng", "Toàn tỉnh"
	SkipSignature      SkipReason = "signature"       // signature block and notes under the table
	SkipBlank          SkipReason = "blank"           // no value in any cell
)

// Skip is one row that was read and is not data.
type Skip struct {
	Sheet  string
	Row    int
	Reason SkipReason
	Cells  []string // the row as read (nil for a blank row); do not modify
}

// SheetSkip says why a whole sheet was not read.
type SheetSkip string

const (
	SheetHidden     SheetSkip = "hidden"      // hidden in Excel (Format › Hide)
	SheetVeryHidden SheetSkip = "very_hidden" // hidden so that Excel's menu cannot show it
	SheetNoHeader   SheetSkip = "no_header"   // no row the scorer accepts as a header
)

// ColumnRole says what the caller reads in a column, so that skip rules never hide data.
type ColumnRole uint8

const (
	ColumnOther ColumnRole = iota // not read, or read for context only (STT, notes, rates)
	ColumnKey                     // names what a row is about: a unit's name or code, a record id
	ColumnData                    // a value the row carries (a count, a date, an answer)
)

// Table describes the header of one sheet.
type Table struct {
	File                    string
	Sheet                   string   // "" for CSV
	HeaderTop, HeaderBottom int      // row numbers of the first and last header rows
	Columns                 []string // effective header of each cell index: group + " " + sub-header, "" if none
	Preamble                []string // non-empty texts above the header, in reading order (titles, "Số liệu đến ngày 30/11/2024")
	Date1904                bool     // the workbook's date system (false for CSV)
	// Encoding names the encoding a CSV was converted from when it was not
	// UTF-8 ("UTF-16LE", "Windows-1258", "TCVN3 (ABC, phông .VnTime)"); "" for UTF-8.
	Encoding string
	// HeaderRows are the header rows as read, top first (merged cells not filled).
	HeaderRows [][]string

	// Set by the caller's onTable, read while the rows below are classified.
	//
	// Roles says what each cell index holds (missing entries: ColumnOther). Nil keeps the
	// shape rules alone (every group-looking row is a group).
	Roles []ColumnRole
	// RowUnitRank is the level of the units the data rows name, on the scale of group
	// labels: 1 province, 2 district, 3 commune, 4 village; 0 when rows are records (a
	// dossier), whose key column never holds a group label.
	RowUnitRank int
}

// Unit ranks for Table.RowUnitRank.
const (
	RankRecords  = 0
	RankProvince = 1
	RankDistrict = 2
	RankCommune  = 3
	RankVillage  = 4
)

// role is the role of cell index i.
func (t *Table) role(i int) ColumnRole {
	if i < 0 || i >= len(t.Roles) {
		return ColumnOther
	}
	return t.Roles[i]
}

// HeaderScorer rates a candidate header: the effective column names of one to
// three combined rows. Higher is better; 0 (or less) means "not a header".
type HeaderScorer func(columns []string) int

// HeaderFilter spares the header search the candidates its scorer would give 0, without
// building their columns: most of a sheet's first rows are data, and a search tries each at one
// to three depths. Cell gives the marks of one cleaned header cell (cleanText: NFC, spaces
// collapsed); Possible says whether a candidate whose cells, merged ranges filled, carry the
// union of marks u may score above 0. It must never refuse a candidate the scorer accepts: the
// header found is the same with or without the filter, only sooner.
type HeaderFilter struct {
	Cell     func(text string) uint64
	Possible func(u uint64) bool
}

// ErrNoHeader is returned (wrapped in an *ntm.Error naming the file) by ReadFile
// when no sheet of the file has a row the scorer accepts as a header.
var ErrNoHeader = errors.New("no header row with the expected column names was found")

// Errors: a fault of the file itself is an *ntm.Error of code CodeInvalid whose message (in
// Vietnamese, for the office) names the file, sheet, row and cell where there is one and says
// what to do, with the English detail as its cause; a fault of the machine (the file cannot
// be read from disk, permissions) is classified by package faults.

// bad is a fault of the file itself.
func bad(cause error, format string, args ...any) error {
	return ntm.Wrap(ntm.CodeInvalid, cause, format, args...)
}

// ReadError is an error opening or reading path from disk: the file is missing, or the
// machine failed (permissions, I/O), or else the file cannot be read.
func ReadError(path string, err error) error { return readFault(path, err) }

// readFault is an error reading path from disk: missing, or the machine's fault.
func readFault(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return ntm.Wrap(ntm.CodeNotFound, err, "Không tìm thấy tệp %s: kiểm tra đường dẫn.", path)
	}
	if e := faults.OS(err, "đọc tệp %s", path); e != nil {
		return e
	}
	return bad(err, "Không đọc được tệp %s: tệp có thể bị hỏng; mở lại bằng Excel và lưu lại.", path)
}

// ErrSkipSheet may be returned by an onTable callback to skip the rest of that
// sheet (for example a summary sheet); ReadFile then goes on with the next.
var ErrSkipSheet = errors.New("skip this sheet")

// Limits bound what a file may cost. Zero fields take the defaults.
type Limits struct {
	// UnzipSize caps the total uncompressed size of an .xlsx (default 2 GiB).
	UnzipSize int64
	// UnzipXMLSize is the size above which a worksheet's XML is streamed
	// (decompressed twice: once to find its merged ranges, once for the rows)
	// instead of being held in memory (default 16 MiB).
	UnzipXMLSize int64
	// TmpDir is kept for compatibility: the reader writes no temporary files.
	TmpDir string
	// HeaderRows is how many non-empty rows at the top of a sheet are
	// searched for the header (default 50).
	HeaderRows int
	// HeaderDepth is the most rows one header may span (default 3).
	HeaderDepth int
	// MaxMerges caps the merged ranges read per sheet (default 100000);
	// merges beyond it are ignored.
	MaxMerges int
	// MaxCellSize caps the bytes of one cell's value as stored in the XML
	// (default 1 MiB; Excel itself holds at most 32,767 characters a cell).
	MaxCellSize int
	// MaxColumns is the rightmost column a value may sit in (default 1024;
	// Excel's own limit is 16,384).
	MaxColumns int
	// SharedStrings caps the text of a workbook's shared strings table,
	// which is held in memory while the workbook is read (default 256 MiB).
	SharedStrings int64
}

// DefaultLimits returns the limits ReadFile uses.
func DefaultLimits() Limits {
	return Limits{
		UnzipSize:     2 << 30,
		UnzipXMLSize:  16 << 20,
		HeaderRows:    50,
		HeaderDepth:   3,
		MaxMerges:     100000,
		MaxCellSize:   1 << 20,
		MaxColumns:    1024,
		SharedStrings: 256 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.UnzipSize, d.UnzipSize)
	orDefault(&l.UnzipXMLSize, d.UnzipXMLSize)
	l.UnzipXMLSize = min(l.UnzipXMLSize, l.UnzipSize)
	orDefault(&l.HeaderRows, d.HeaderRows)
	orDefault(&l.HeaderDepth, d.HeaderDepth)
	orDefault(&l.MaxMerges, d.MaxMerges)
	orDefault(&l.MaxCellSize, d.MaxCellSize)
	orDefault(&l.MaxColumns, d.MaxColumns)
	orDefault(&l.SharedStrings, d.SharedStrings)
	return l
}

// orDefault sets a limit left at zero (or negative) to its default.
func orDefault[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Reader reads files with the given limits; the zero Reader uses
// DefaultLimits.
type Reader struct {
	Limits Limits
	// OnSkip, when set, is told of every row of a table's sheet that is not delivered as
	// data (titles and header included), in reading order with the delivered rows. An
	// error stops the read and is returned.
	OnSkip func(t *Table, s Skip) error
	// OnSheetSkipped, when set, is told of each sheet that is not read at all.
	OnSheetSkipped func(sheet string, why SheetSkip)
	// ReadAgain says the caller can undo everything a read gave it (a load in a transaction):
	// a worksheet bigger than Limits.UnzipXMLSize is then decompressed once instead of twice,
	// its rows delivered before its merged ranges (stored after them) are known. When the sheet
	// turns out to have merged ranges, ReadFile ends with ErrReadAgain; the caller undoes and
	// calls ReadFile again on the same file, which reads it with its ranges, and gives exactly
	// what a read without ReadAgain gives (xlsxagain.go).
	ReadAgain bool
	// HeaderFilter, when set, spares the header search candidates the scorer would refuse.
	HeaderFilter *HeaderFilter
}

// ReadFile streams an .xlsx (every sheet) or .csv file with DefaultLimits.
// For each sheet whose header scorer accepts some row, it calls onTable once
// and then onRow for every data row below the header. An error returned by a
// callback stops the read and is returned as is (except ErrSkipSheet from
// onTable). When no sheet has a header the error wraps ErrNoHeader.
func ReadFile(ctx context.Context, path string, score HeaderScorer, onTable func(*Table) error, onRow func(*Table, Row) error) error {
	return Reader{}.ReadFile(ctx, path, score, onTable, onRow)
}

// ReadFile is the package-level ReadFile with r's limits.
func (r Reader) ReadFile(ctx context.Context, path string, score HeaderScorer, onTable func(*Table) error, onRow func(*Table, Row) error) error {
	lim := r.Limits.withDefaults()
	if err := CheckRegular(path); err != nil {
		return err
	}
	format, err := sniffFormat(path)
	if err != nil {
		return err
	}
	cb := &callbacks{score: score, filter: r.HeaderFilter, onTable: onTable, onRow: onRow, onSkip: r.OnSkip, onSheetSkipped: r.OnSheetSkipped,
		readAgain: r.ReadAgain}
	switch format {
	case formatXLSX:
		err = readXLSX(ctx, path, lim, cb)
	default:
		err = readCSV(ctx, path, lim, cb)
	}
	if err != nil {
		return err
	}
	if cb.tables == 0 {
		return bad(fmt.Errorf("%s: %w in any sheet (searched the first %d non-empty rows of each)", path, ErrNoHeader, lim.HeaderRows),
			"Tệp %s: không trang nào có dòng tiêu đề với các tên cột cần có (đã tìm trong %d dòng có chữ đầu tiên của mỗi trang): kiểm tra bảng có dòng tiêu đề.", path, lim.HeaderRows)
	}
	return nil
}

// CheckRegular refuses what is not a regular file — a FIFO, a device such as /dev/zero, a
// folder — before anything opens it (opening a FIFO blocks, reading /dev/zero never ends).
func CheckRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return readFault(path, err)
	}
	if !st.Mode().IsRegular() {
		what := "không phải tệp thông thường"
		switch {
		case st.IsDir():
			what = "là một thư mục"
		case st.Mode()&os.ModeNamedPipe != 0:
			what = "là một đường ống (FIFO)"
		case st.Mode()&os.ModeDevice != 0:
			what = "là một thiết bị"
		case st.Mode()&os.ModeSocket != 0:
			what = "là một socket"
		}
		return ntm.Wrap(ntm.CodeInvalid, fmt.Errorf("%s is not a regular file (mode %s)", path, st.Mode()),
			"%s %s, không phải tệp dữ liệu: chỉ nạp tệp .xlsx hoặc .csv.", path, what)
	}
	return nil
}

type fileFormat int

const (
	formatCSV fileFormat = iota
	formatXLSX
)

// sniffFormat decides by content first (a zip is a workbook whatever its
// name), then by extension, and explains the formats it cannot read.
func sniffFormat(path string) (fileFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, readFault(path, err)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, readFault(path, err)
	}
	head = head[:n]
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return formatXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if cfbKind(path) {
			return 0, encryptedError(path)
		}
		return 0, bad(fmt.Errorf("%s is an old binary .xls workbook (Excel 97–2003), not .xlsx", path),
			"Tệp %s là sổ tính .xls cũ (Excel 97–2003), không phải .xlsx: mở bằng Excel và lưu lại dạng .xlsx.", path)
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls" || ext == ".ods":
		return 0, bad(fmt.Errorf("%s is not a valid .xlsx workbook (no zip signature)", path),
			"Tệp %s không phải sổ tính .xlsx hợp lệ (tệp hỏng, hoặc là định dạng khác bị đổi tên): mở bằng Excel và lưu lại dạng .xlsx.", path)
	}
	return formatCSV, nil
}

func encryptedError(path string) error {
	return bad(fmt.Errorf("%s is a password-protected (encrypted) workbook", path),
		"Tệp %s là sổ tính có mật khẩu (đã mã hóa): mở bằng Excel, bỏ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc) rồi lưu lại.", path)
}

// callbacks carries the caller's functions and tells a panic in them apart
// from a panic in a reader (only the latter becomes an error).
type callbacks struct {
	score          HeaderScorer
	filter         *HeaderFilter
	onTable        func(*Table) error
	onRow          func(*Table, Row) error
	onSkip         func(*Table, Skip) error
	onSheetSkipped func(string, SheetSkip)
	readAgain      bool
	tables         int
	inCaller       bool
}

func (c *callbacks) callSkip(t *Table, s Skip) error {
	if c.onSkip == nil {
		return nil
	}
	c.inCaller = true
	err := c.onSkip(t, s)
	c.inCaller = false
	return err
}

func (c *callbacks) sheetSkipped(sheet string, why SheetSkip) {
	if c.onSheetSkipped != nil {
		c.inCaller = true
		c.onSheetSkipped(sheet, why)
		c.inCaller = false
	}
}

func (c *callbacks) callScore(cols []string) int {
	c.inCaller = true
	s := c.score(cols)
	c.inCaller = false
	return s
}

func (c *callbacks) callCellMarks(text string) uint64 {
	c.inCaller = true
	m := c.filter.Cell(text)
	c.inCaller = false
	return m
}

func (c *callbacks) callPossible(u uint64) bool {
	c.inCaller = true
	ok := c.filter.Possible(u)
	c.inCaller = false
	return ok
}

func (c *callbacks) callTable(t *Table) error {
	c.inCaller = true
	err := c.onTable(t)
	c.inCaller = false
	return err
}

func (c *callbacks) callRow(t *Table, r Row) error {
	c.inCaller = true
	err := c.onRow(t, r)
	c.inCaller = false
	return err
}

// recoverReader turns a panic inside a reader into an error naming the file;
// a panic inside the caller's callbacks is re-raised untouched.
func recoverReader(path string, cb *callbacks, err *error) {
	if p := recover(); p != nil {
		if cb.inCaller {
			panic(p)
		}
		*err = bad(fmt.Errorf("%s could not be read (the reader panicked: %v)", path, p),
			"Không đọc được tệp %s (trình đọc gặp lỗi): tệp có thể bị hỏng; mở bằng Excel và lưu lại.", path)
	}
}
