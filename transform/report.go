package transform

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"ntm"
)

// What a load or a check says about one file: its report and its rejected rows.

// Reject is one row that was not loaded.
type Reject struct {
	Sheet  string
	Row    int
	Column string // the header of the column at fault, "" for the whole row
	Reason string // Vietnamese, for the office
	Raw    string // the row's cells, joined with " | "
	// Cells are the row's cells as read (storable), for the rejected-rows workbook.
	Cells []string
}

// String is the full message: `Trang "Data", dòng 14, cột "Tên xã": không tìm thấy …`.
func (r Reject) String() string {
	var parts []string
	if r.Sheet != "" {
		parts = append(parts, fmt.Sprintf("Trang %q", r.Sheet))
	}
	if r.Row > 0 {
		w := "dòng"
		if len(parts) == 0 {
			w = "Dòng"
		}
		parts = append(parts, fmt.Sprintf("%s %d", w, r.Row))
	}
	if r.Column != "" {
		parts = append(parts, fmt.Sprintf("cột %q", r.Column))
	}
	if len(parts) == 0 {
		return r.Reason
	}
	return strings.Join(parts, ", ") + ": " + r.Reason
}

// FileReport says what happened to one file.
type FileReport struct {
	File          string
	Dataset       ntm.Dataset
	Shape         string // "" or the variant read ("procedure_list")
	BatchID       int64  // the batch written (or found, when AlreadyLoaded); 0 for a check
	AlreadyLoaded bool   // the same bytes were loaded before for this dataset: nothing changed
	AsOf          time.Time
	// RowsRead counts every row read from the sheets that hold the table (see account.go):
	// RowsRead = RowsLoaded + RowsRejected + RowsSkipped for a loaded file or a check. For a
	// file rejected whole RowsLoaded is 0, and the rows that were fine are in none of the three.
	RowsRead     int
	RowsLoaded   int
	RowsRejected int
	RowsSkipped  int // titles, headers, column numbers, groups, subtotals, signatures, blank rows
	FactsWritten int // facts stored (a product row with platform columns also yields listings)
	Rejects      []Reject
	// Skipped lists the rows skipped as not data, in runs (the first SkippedKept runs).
	Skipped []SkippedRows
	// SkippedSheets are the sheets not read at all (hidden, without a header, another dataset).
	SkippedSheets []SkippedSheet
	// Replaced is the batch this load replaced (LoadOptions.Replace), 0 for none.
	Replaced int64
	Rejected bool   // the file was rejected whole (nothing loaded)
	Message  string // Vietnamese: why the file was rejected, or that it was already loaded
	Notes    []string

	monthProof string // set with errMonthFirst: the value proving the month comes first
}

// conserved checks the guarantee rows read = loaded + rejected + skipped: a file for which it
// does not hold is not loaded (a bug of ntm, which must never lose a row silently).
func (r FileReport) conserved() error {
	if r.RowsRead == r.RowsLoaded+r.RowsRejected+r.RowsSkipped {
		return nil
	}
	return ntm.Wrap(ntm.CodeInternal, fmt.Errorf("%s: rows read %d ≠ loaded %d + rejected %d + skipped %d", r.File, r.RowsRead, r.RowsLoaded, r.RowsRejected, r.RowsSkipped),
		"Lỗi nội bộ của ntm khi nạp tệp %s: số dòng đọc được không khớp số dòng đã nạp, bị loại và bỏ qua, nên tệp không được nạp; báo cho người quản trị kèm tệp này.", filepath.Base(r.File))
}

// DataRows is the number of rows that were data: loaded or rejected.
func (r FileReport) DataRows() int { return r.RowsLoaded + r.RowsRejected }
