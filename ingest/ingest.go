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
// Below the header, these rows are not delivered: blank rows; a column-number
// row right under the header ("(1) (2) (3)", "1 2 3", "A B 1 2"); subtotal
// rows ("Cộng", "Tổng cộng", "Toàn tỉnh" … in one of the first three cells,
// never a name such as "Cộng Hòa"); group rows — a Roman numeral in the STT
// position ("I", "II. Huyện Hữu Lũng") opens an outer group, a row with a
// single text cell ("Xã Quang Lang", "1. Xã Quang Lang") an inner one, and
// groups of unit names nest by level (a district closes the commune before
// it) — whose labels go to Row.Groups of the rows that follow; and signature
// rows ("Người lập biểu", "KT. CHỦ TỊCH", "Lạng Sơn, ngày … tháng … năm …",
// "Ghi chú:") together with the number-less short rows after them. A
// vertically merged data cell (a district merged over its communes) is
// copied into every row it covers.
//
// Memory stays constant per row: a sheet is read as a stream, only the
// header search rows are buffered, and merged ranges are found by scanning
// the sheet's XML without parsing it.
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
}

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
}

// HeaderScorer rates a candidate header: the effective column names of one to
// three combined rows. Higher is better; 0 (or less) means "not a header".
type HeaderScorer func(columns []string) int

// ErrNoHeader is returned (wrapped, naming the file) by ReadFile when no sheet
// of the file has a row the scorer accepts as a header.
var ErrNoHeader = errors.New("no header row with the expected column names was found")

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
	format, err := sniffFormat(path)
	if err != nil {
		return err
	}
	cb := &callbacks{score: score, onTable: onTable, onRow: onRow}
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
		return fmt.Errorf("%s: %w in any sheet (searched the first %d non-empty rows of each): check that the table has its header row", path, ErrNoHeader, lim.HeaderRows)
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
		return 0, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, fmt.Errorf("cannot read %s: %w", path, err)
	}
	head = head[:n]
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return formatXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if cfbKind(path) {
			return 0, fmt.Errorf("%s is a password-protected (encrypted) workbook: open it in Excel, remove the password (File › Info › Protect Workbook) and save it again", path)
		}
		return 0, fmt.Errorf("%s is an old binary .xls workbook (Excel 97–2003), not .xlsx: open it in Excel and save it as .xlsx", path)
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls" || ext == ".ods":
		return 0, fmt.Errorf("%s is not a valid .xlsx workbook (the file is damaged or is another format renamed): open it in Excel and save it as .xlsx", path)
	}
	return formatCSV, nil
}

// callbacks carries the caller's functions and tells a panic in them apart
// from a panic in a reader (only the latter becomes an error).
type callbacks struct {
	score    HeaderScorer
	onTable  func(*Table) error
	onRow    func(*Table, Row) error
	tables   int
	inCaller bool
}

func (c *callbacks) callScore(cols []string) int {
	c.inCaller = true
	s := c.score(cols)
	c.inCaller = false
	return s
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
		*err = fmt.Errorf("%s could not be read (the reader failed: %v): the file is probably damaged; open it in Excel and save it again", path, p)
	}
}
