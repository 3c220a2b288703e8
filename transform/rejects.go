package transform

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db"
	"ntm/fold"
)

// The rejected-rows workbook: every rejected row of a batch, to send back to whoever must
// correct it. Each sheet of the file that had rejected rows becomes a sheet of the workbook in
// the file's own layout — its header as read (the columns stored with the batch), then the rows
// as read — with three columns added on the right: the row in the original file, the column at
// fault and the reason. Corrected and saved, it can be loaded again (the added columns are not
// read). `ntm batch rejects N --out FILE` writes it; WriteRejects streams it to a console
// download.

//go:embed sql/rejected_counts.sql
var rejectedCountsSQL string

// Headers of the added columns.
const (
	rejectsRowHeader    = "Dòng trong tệp gốc"
	rejectsColumnHeader = "Cột có lỗi"
	rejectsReasonHeader = "Lý do bị loại"
)

// RejectsFileName is the name to give batch b's rejected-rows workbook: the file's name with
// "-dong-bi-loai.xlsx".
func RejectsFileName(b Batch) string {
	base := strings.TrimSuffix(b.FileName, filepath.Ext(b.FileName))
	if base == "" {
		base = fmt.Sprintf("lo-%d", b.ID)
	}
	return fold.Slug(base) + "-dong-bi-loai.xlsx"
}

// WriteRejects writes the rejected-rows workbook of batch batchID to w and returns the number
// of rows written. A batch without rejected rows is an *ntm.Error of code CodeNotFound; an
// unknown batch too.
func WriteRejects(ctx context.Context, q db.Querier, batchID int64, w io.Writer) (int, error) {
	b, err := GetBatch(ctx, q, batchID)
	if err != nil {
		return 0, err
	}
	sheets, err := BatchSheets(ctx, q, batchID)
	if err != nil {
		return 0, err
	}
	layout := map[string]BatchSheet{}
	for _, s := range sheets {
		if s.ReadAs == "table" {
			layout[s.Sheet] = s
		}
	}
	counts, err := rejectedCounts(ctx, q, batchID)
	if err != nil {
		return 0, err
	}
	if len(counts) == 0 {
		return 0, ntm.Errorf(ntm.CodeNotFound, "Lô số %d (%s) không có dòng nào bị loại.", b.ID, b.FileName)
	}
	f := excelize.NewFile()
	defer f.Close()
	rw := &rejectsWriter{f: f, layout: layout, counts: counts, used: map[string]bool{}}
	if rw.textStyle, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return 0, err
	}
	if rw.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")}); err != nil {
		return 0, err
	}
	if rw.headStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}); err != nil {
		return 0, err
	}
	n := 0
	err = eachRejectedRow(ctx, q, batchID, 0, 1<<31-1, func(r Reject) error {
		n++
		return rw.row(r)
	})
	if err != nil {
		return 0, err
	}
	if err := rw.flush(); err != nil {
		return 0, err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return 0, fmt.Errorf("write the rejected rows of batch %d: %w", batchID, err)
	}
	return n, nil
}

func ptr[T any](v T) *T { return &v }

// rejectedCounts counts the rejected rows of each sheet of a batch.
func rejectedCounts(ctx context.Context, q db.Querier, batchID int64) (map[string]int, error) {
	rows, err := q.Query(ctx, rejectedCountsSQL, batchID)
	if err != nil {
		return nil, fmt.Errorf("count the rejected rows of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// rejectsWriter streams one workbook sheet per source sheet (rows come sheet by sheet).
type rejectsWriter struct {
	f                               *excelize.File
	layout                          map[string]BatchSheet
	counts                          map[string]int
	used                            map[string]bool
	sheet                           string
	open                            bool
	sw                              *excelize.StreamWriter
	cols                            []string // the source header
	fields                          []string
	width                           int // columns of the source layout
	next                            int // next row to write
	textStyle, dateStyle, headStyle int
}

func (w *rejectsWriter) row(r Reject) error {
	if !w.open || r.Sheet != w.sheet {
		if err := w.start(r.Sheet); err != nil {
			return err
		}
	}
	cells := r.Cells
	if len(cells) == 0 && r.Raw != "" {
		cells = []string{r.Raw} // rejected before cells were kept, or a repeated key found after the read
	}
	out := make([]any, w.width+3)
	for i := 0; i < w.width; i++ {
		if i < len(cells) {
			out[i] = w.value(i, cells[i])
		}
	}
	out[w.width] = r.Row
	out[w.width+1] = r.Column
	out[w.width+2] = r.Reason
	cell, _ := excelize.CoordinatesToCellName(1, w.next)
	w.next++
	return w.sw.SetRow(cell, out)
}

// value is a cell as the source had it: numbers as numbers (dates in a date column with the
// date format), codes with leading zeros and all other text as text.
func (w *rejectsWriter) value(i int, raw string) any {
	if raw == "" {
		return nil
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil && plainNumber(raw) {
		if i < len(w.fields) && dateFields[w.fields[i]] && f > 0 && f < 2958466 {
			return excelize.Cell{StyleID: w.dateStyle, Value: f}
		}
		return f
	}
	return excelize.Cell{StyleID: w.textStyle, Value: raw}
}

// plainNumber: a number as a spreadsheet stores one (no leading zero that a code would lose,
// no thousands separators, no exponent).
func plainNumber(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if len(s) > 1 && s[0] == '0' && s[1] != '.' {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return s != ""
}

var dateFields = map[string]bool{"as_of": true, "certified_on": true, "expires_on": true, "listed_on": true,
	"period_from": true, "period_to": true, "received_on": true}

func (w *rejectsWriter) start(sheet string) error {
	if err := w.flush(); err != nil {
		return err
	}
	l, ok := w.layout[sheet]
	w.cols, w.fields = l.Columns, l.Fields
	if !ok {
		w.cols, w.fields = nil, nil
	}
	w.width = max(len(w.cols), 1)
	name := w.sheetName(sheet)
	if len(w.used) == 1 {
		// The first sheet takes the place of the new workbook's own.
		if err := w.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	rows := w.counts[sheet] + 1
	last, _ := excelize.CoordinatesToCellName(w.width+3, rows)
	if err := w.f.SetSheetDimension(name, "A1:"+last); err != nil {
		return err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i := 1; i <= w.width; i++ {
		sw.SetColWidth(i, i, 16)
	}
	sw.SetColWidth(w.width+1, w.width+2, 14)
	sw.SetColWidth(w.width+3, w.width+3, 70)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, w.width+3)
	for i := 0; i < w.width; i++ {
		h := ""
		if i < len(w.cols) {
			h = w.cols[i]
		}
		head[i] = excelize.Cell{StyleID: w.headStyle, Value: h}
	}
	for i, h := range []string{rejectsRowHeader, rejectsColumnHeader, rejectsReasonHeader} {
		head[w.width+i] = excelize.Cell{StyleID: w.headStyle, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	w.sw, w.sheet, w.open, w.next = sw, sheet, true, 2
	return nil
}

func (w *rejectsWriter) flush() error {
	if !w.open {
		return nil
	}
	w.open = false
	return w.sw.Flush()
}

// sheetName is the source sheet's name as Excel allows one (31 characters, none of []:*?/\),
// once in the workbook.
func (w *rejectsWriter) sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		s = "Dữ liệu"
	}
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	base := s
	for i := 2; w.used[strings.ToLower(s)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		r := []rune(base)
		s = string(r[:min(len(r), 31-len(suffix))]) + suffix
	}
	w.used[strings.ToLower(s)] = true
	return s
}
