package ingest

import (
	"errors"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// mergeRange is one merged block: rows are 1-based spreadsheet rows, columns
// 0-based cell indexes, both inclusive.
type mergeRange struct {
	top, left, bottom, right int
}

// bufRow is a non-empty row held while the header is sought.
type bufRow struct {
	num    int
	cells  []string
	header []string // cells with merged ranges filled in, built on demand
}

// sheetReader is the per-sheet state machine shared by the CSV and xlsx
// readers: feed it rows in order with add, then call end.
type sheetReader struct {
	cb     *callbacks
	lim    Limits
	file   string
	sheet  string
	d1904  bool
	merges []mergeRange // sorted by top
	// encoding is the legacy encoding a CSV was converted from ("" for UTF-8).
	encoding string

	buf      []bufRow
	bufWidth int // widest buffered row
	table    *Table
	skip     bool // no header, or the caller skipped the sheet

	// data phase
	firstData  bool // the next non-blank row is the first below the header
	inFooter   bool
	groups     []group
	labels     []string
	nextMerge  int
	activeFill []activeMerge
}

type group struct {
	rank  int
	label string
}

type activeMerge struct {
	col, bottom int
	value       string
}

func newSheetReader(cb *callbacks, lim Limits, file, sheet string, d1904 bool, merges []mergeRange) *sheetReader {
	sort.SliceStable(merges, func(i, j int) bool { return merges[i].top < merges[j].top })
	return &sheetReader{cb: cb, lim: lim, file: file, sheet: sheet, d1904: d1904, merges: merges}
}

// add feeds one spreadsheet row. done reports that the rest of the sheet is
// of no interest (no header, or skipped by the caller).
func (s *sheetReader) add(num int, cells []string) (done bool, err error) {
	if s.skip {
		return true, nil
	}
	cells = trimTrailingEmpty(cells)
	if len(cells) == 0 {
		return false, nil
	}
	if s.table == nil {
		s.buf = append(s.buf, bufRow{num: num, cells: cells})
		s.bufWidth = max(s.bufWidth, len(cells))
		if len(s.buf) < s.lim.HeaderRows {
			return false, nil
		}
		if err := s.detect(); err != nil {
			return true, err
		}
		return s.skip, nil
	}
	return false, s.data(num, cells)
}

// end finishes the sheet: a short sheet is searched for its header here.
func (s *sheetReader) end() error {
	if s.table == nil && !s.skip && len(s.buf) > 0 {
		return s.detect()
	}
	return nil
}

// trimTrailingEmpty drops trailing cells that hold only spaces; a row of
// nothing but spaces becomes empty.
func trimTrailingEmpty(cells []string) []string {
	n := len(cells)
	for n > 0 && isBlank(cells[n-1]) {
		n--
	}
	return cells[:n]
}

func isBlank(s string) bool {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '\u200b', '\ufeff', '\u3000', '\u2007', '\u202f':
		default:
			return false
		}
	}
	return true
}

// detect chooses the header among the buffered rows, announces the table
// and replays the buffered rows below it as data.
func (s *sheetReader) detect() error {
	bestScore, bestBottom, bestDepth := 0, -1, 0
	var bestCols []string
	for bottom := range s.buf {
		for depth := 1; depth <= s.lim.HeaderDepth && depth <= bottom+1; depth++ {
			cols := s.columns(bottom-depth+1, bottom)
			if sc := s.cb.callScore(cols); sc > bestScore {
				bestScore, bestBottom, bestDepth, bestCols = sc, bottom, depth, cols
			}
		}
	}
	if bestBottom < 0 {
		s.skip, s.buf = true, nil
		return nil
	}
	top := bestBottom - bestDepth + 1
	t := &Table{
		File:         s.file,
		Sheet:        s.sheet,
		HeaderTop:    s.buf[top].num,
		HeaderBottom: s.buf[bestBottom].num,
		Columns:      bestCols,
		Date1904:     s.d1904,
		Encoding:     s.encoding,
	}
	for _, r := range s.buf[:top] {
		for _, c := range r.cells {
			if !isBlank(c) {
				t.Preamble = append(t.Preamble, cleanText(c))
			}
		}
	}
	if err := s.cb.callTable(t); err != nil {
		s.skip, s.buf = true, nil
		if errors.Is(err, ErrSkipSheet) {
			s.cb.tables++
			return nil
		}
		return err
	}
	s.cb.tables++
	s.table = t
	s.firstData = true
	// Merges inside the header do not spill into data rows.
	for s.nextMerge < len(s.merges) && s.merges[s.nextMerge].top <= t.HeaderBottom {
		s.nextMerge++
	}
	rest := s.buf[bestBottom+1:]
	s.buf = nil
	for _, r := range rest {
		if err := s.data(r.num, r.cells); err != nil {
			return err
		}
	}
	return nil
}

// cleanText is how header and preamble texts are shown: NFC, whitespace
// (including line breaks inside a cell) collapsed to single spaces.
func cleanText(s string) string {
	return norm.NFC.String(strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " "))
}

// headerCells returns buffered row i with every merged range that covers it
// filled with the range's top-left value.
func (s *sheetReader) headerCells(i int) []string {
	r := &s.buf[i]
	if r.header != nil {
		return r.header
	}
	cells := r.cells
	copied := false
	for _, m := range s.merges {
		if m.top > r.num {
			break
		}
		if m.bottom < r.num {
			continue
		}
		v := s.bufValue(m.top, m.left)
		if v == "" {
			continue
		}
		// A merge may run far past the table ("A1:XFD1"): only columns some
		// buffered row uses can carry a header.
		for c := m.left; c <= m.right && c < s.bufWidth; c++ {
			if c < len(cells) && !isBlank(cells[c]) {
				continue
			}
			if !copied {
				cells = append([]string(nil), cells...)
				copied = true
			}
			for len(cells) <= c {
				cells = append(cells, "")
			}
			cells[c] = v
		}
	}
	r.header = cells
	return cells
}

// bufValue returns the original value of a buffered cell, "" when absent.
func (s *sheetReader) bufValue(num, col int) string {
	i := sort.Search(len(s.buf), func(i int) bool { return s.buf[i].num >= num })
	if i < len(s.buf) && s.buf[i].num == num && col < len(s.buf[i].cells) {
		return s.buf[i].cells[col]
	}
	return ""
}

// columns builds the effective column names of buffered rows top..bottom.
// Merged ranges are already filled; where an exporter did not merge, a group
// header is carried right over empty cells while the row below has
// sub-headers there.
func (s *sheetReader) columns(top, bottom int) []string {
	rows := make([][]string, 0, bottom-top+1)
	width := 0
	for i := top; i <= bottom; i++ {
		cells := s.headerCells(i)
		rows = append(rows, cells)
		width = max(width, len(cells))
	}
	return combineHeader(rows, width)
}

// combineHeader joins header rows (top first) into one name per column.
func combineHeader(rows [][]string, width int) []string {
	cell := func(r []string, c int) string {
		if c < len(r) && !isBlank(r[c]) {
			return r[c]
		}
		return ""
	}
	// Fill groups bottom-up so a three-level header fills its middle row
	// before the top row looks at it.
	filled := make([][]string, len(rows))
	filled[len(rows)-1] = rows[len(rows)-1]
	for i := len(rows) - 2; i >= 0; i-- {
		row, below := rows[i], filled[i+1]
		var out []string
		for c := 0; c < width; c++ {
			v := cell(row, c)
			if v == "" || cell(below, c) == "" {
				continue
			}
			for c2 := c + 1; c2 < width && cell(row, c2) == "" && cell(below, c2) != ""; c2++ {
				if out == nil {
					out = make([]string, width)
					copy(out, row)
				}
				out[c2] = v
			}
		}
		if out == nil {
			out = row
		}
		filled[i] = out
	}
	cols := make([]string, width)
	var parts []string
	for c := 0; c < width; c++ {
		parts = parts[:0]
		prev := ""
		for _, r := range filled {
			v := cell(r, c)
			if v == "" {
				continue
			}
			v = cleanText(v)
			if k := headerKey(v); k != prev {
				parts = append(parts, v)
				prev = k
			}
		}
		cols[c] = strings.Join(parts, " ")
	}
	return cols
}

// data classifies one non-blank row below the header and delivers it when
// it is a data row.
func (s *sheetReader) data(num int, cells []string) error {
	cells = s.fillVertical(num, cells)
	if s.firstData {
		s.firstData = false
		if isColumnNumberRow(cells) {
			return nil
		}
	}
	// Signature blocks are short rows of words; a row with a number or
	// with many filled cells is a table row, and ends a signature block.
	tableLike := hasNumber(cells) || nonBlank(cells) > maxFooterCells
	if s.inFooter {
		if !tableLike {
			return nil
		}
		s.inFooter = false
	}
	if !tableLike && isFooterRow(cells) {
		s.inFooter = true
		return nil
	}
	if isSubtotalRow(cells) {
		return nil
	}
	if label, ok := romanGroup(cells); ok {
		s.setGroup(0, label)
		return nil
	}
	if label, ok := labelGroup(cells); ok {
		s.setGroup(groupRank(label), label)
		return nil
	}
	return s.cb.callRow(s.table, Row{Sheet: s.sheet, Num: num, Cells: cells, Groups: s.labels})
}

// setGroup opens a group: it closes every open group of the same or an
// inner rank and nests under the rest.
func (s *sheetReader) setGroup(rank int, label string) {
	n := len(s.groups)
	for n > 0 && s.groups[n-1].rank >= rank {
		n--
	}
	s.groups = append(s.groups[:n], group{rank, label})
	labels := make([]string, len(s.groups))
	for i, g := range s.groups {
		labels[i] = g.label
	}
	s.labels = labels
}

// fillVertical copies the value of a vertically merged data cell (a
// district name merged over its communes' rows) into the rows below its
// top-left cell. Horizontal spans are left alone: a label merged across a
// row stays one cell, as a group row should.
func (s *sheetReader) fillVertical(num int, cells []string) []string {
	if len(s.merges) == 0 {
		return cells
	}
	// Forget finished merges, fill the running ones.
	live := s.activeFill[:0]
	for _, a := range s.activeFill {
		if a.bottom < num {
			continue
		}
		live = append(live, a)
		if a.col < len(cells) && !isBlank(cells[a.col]) {
			continue
		}
		for len(cells) <= a.col {
			cells = append(cells, "")
		}
		cells[a.col] = a.value
	}
	s.activeFill = live
	for s.nextMerge < len(s.merges) && s.merges[s.nextMerge].top <= num {
		m := s.merges[s.nextMerge]
		s.nextMerge++
		if m.top == num && m.bottom > m.top && m.left < len(cells) && !isBlank(cells[m.left]) {
			s.activeFill = append(s.activeFill, activeMerge{col: m.left, bottom: m.bottom, value: cells[m.left]})
		}
	}
	return cells
}
