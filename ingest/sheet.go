package ingest

import (
	"errors"
	"fmt"
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
	// marks is the union of the HeaderFilter's marks of header's cells, set when marked is.
	marks  uint64
	marked bool
	flaws  []Flaw // the reader's flaws (CSV quotes), for when the row turns out to be data
	cut    bool   // Row.Cut
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
	// blanks are the blank rows met while the header is sought, each with the number of
	// buffered rows before it, so that they are reported in order once the header is found.
	blanks   []blankRow
	table    *Table
	skip     bool // no header, or the caller skipped the sheet
	rowsSeen bool // some row was read (a sheet with none is not reported as lacking a header)

	// flaws are the next row's reader flaws (CSV quotes), set by the caller of add; cut says
	// the next row ends the file without a line break (Row.Cut).
	flaws []Flaw
	cut   bool

	// data phase
	columnsNext bool // the next non-blank row may be the column-number row (under a header)
	// columnNumbers is the column-number row found under the header (nil when none): a form
	// printed on several pages repeats it at the top of each, with or without the header.
	columnNumbers []string
	inFooter      bool
	groups        []group
	labels        []string
	nextMerge     int
	activeFill    []activeMerge
	headerFirst   []headerStart // the first cell of each header row, for repeated headers
}

type blankRow struct{ num, before int }

// headerStart is where a header row's text begins: its first non-blank cell, as written.
type headerStart struct {
	col  int
	text string
}

type group struct {
	rank  int
	label string
}

type activeMerge struct {
	col, bottom int
	value       string
	flaw        *Flaw // set for a data column: the covered rows are flawed, not filled
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
	s.rowsSeen = true
	cells = trimTrailingEmpty(cells)
	if len(cells) == 0 {
		if s.table == nil {
			s.blanks = append(s.blanks, blankRow{num: num, before: len(s.buf)})
			return false, nil
		}
		return false, s.skipRow(num, SkipBlank, nil)
	}
	if s.table == nil {
		var flaws []Flaw
		if len(s.flaws) > 0 {
			flaws = append(flaws, s.flaws...)
		}
		s.buf = append(s.buf, bufRow{num: num, cells: cells, flaws: flaws, cut: s.cut})
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
	if s.table == nil && !s.skip && s.rowsSeen {
		s.cb.sheetSkipped(s.sheet, SheetNoHeader)
	}
	return nil
}

// skipRow reports a row of the table's sheet that is not data.
func (s *sheetReader) skipRow(num int, why SkipReason, cells []string) error {
	return s.cb.callSkip(s.table, Skip{Sheet: s.sheet, Row: num, Reason: why, Cells: cells})
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
			if s.cb.filter != nil && !s.mayScore(bottom-depth+1, bottom) {
				continue
			}
			cols := s.columns(bottom-depth+1, bottom)
			if sc := s.cb.callScore(cols); sc > bestScore {
				bestScore, bestBottom, bestDepth, bestCols = sc, bottom, depth, cols
			}
		}
	}
	if bestBottom < 0 {
		s.skip, s.buf, s.blanks = true, nil, nil
		s.cb.sheetSkipped(s.sheet, SheetNoHeader)
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
	for _, r := range s.buf[top : bestBottom+1] {
		t.HeaderRows = append(t.HeaderRows, r.cells)
		if i, text := firstNonBlank(r.cells); i >= 0 {
			s.headerFirst = append(s.headerFirst, headerStart{col: i, text: text})
		}
	}
	if err := s.cb.callTable(t); err != nil {
		s.skip, s.buf, s.blanks = true, nil, nil
		if errors.Is(err, ErrSkipSheet) {
			s.cb.tables++
			return nil
		}
		return err
	}
	s.cb.tables++
	s.table = t
	s.columnsNext = true
	// Merges inside the header do not spill into data rows.
	for s.nextMerge < len(s.merges) && s.merges[s.nextMerge].top <= t.HeaderBottom {
		s.nextMerge++
	}
	buf, blanks := s.buf, s.blanks
	s.buf, s.blanks = nil, nil
	// Report (or, below the header, classify) the buffered rows in their order, blank ones
	// among them.
	b := 0
	for i := 0; i <= len(buf); i++ {
		for ; b < len(blanks) && blanks[b].before == i; b++ {
			if err := s.skipRow(blanks[b].num, SkipBlank, nil); err != nil {
				return err
			}
		}
		if i == len(buf) {
			break
		}
		r := buf[i]
		var err error
		switch {
		case i < top:
			err = s.skipRow(r.num, SkipTitle, r.cells)
		case i <= bestBottom:
			err = s.skipRow(r.num, SkipHeader, r.cells)
		default:
			s.flaws, s.cut = r.flaws, r.cut
			err = s.data(r.num, r.cells)
			s.flaws, s.cut = nil, false
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mayScore asks the HeaderFilter whether the candidate header of buffered rows top..bottom may
// score: every text its columns can hold is a cell of those rows with merged ranges filled
// (combineHeader only copies a row's cells to its other columns and drops repeats), so the
// union of their cells' marks stands for all of it.
func (s *sheetReader) mayScore(top, bottom int) bool {
	var u uint64
	for i := top; i <= bottom; i++ {
		r := &s.buf[i]
		if !r.marked {
			for _, c := range s.headerCells(i) {
				if !isBlank(c) {
					r.marks |= s.cb.callCellMarks(cleanText(c))
				}
			}
			r.marked = true
		}
		u |= r.marks
	}
	return s.cb.callPossible(u)
}

// cleanText is how header and preamble texts are shown: NFC, whitespace
// (including line breaks inside a cell) collapsed to single spaces.
//
// The header search cleans every cell of the first rows of a sheet for each candidate header,
// and those cells ("Thôn 3", "100", the headers) come back on every file: short texts are
// remembered.
func cleanText(s string) string {
	if len(s) > 64 {
		return cleanTextOf(s)
	}
	return cleanTexts.Get(s, cleanTextOf)
}

func cleanTextOf(s string) string {
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
// it is a data row; the other rows are reported as skipped, with why.
func (s *sheetReader) data(num int, cells []string) error {
	cells, mflaws := s.fillVertical(num, cells)
	flaws := s.flaws
	if len(mflaws) > 0 {
		flaws = append(append([]Flaw(nil), flaws...), mflaws...)
	}
	if len(flaws) > 0 {
		// A row the reader could not read cleanly is data: it is delivered with its flaws, to
		// be rejected with them, whatever it looks like.
		s.columnsNext, s.inFooter = false, false
		return s.cb.callRow(s.table, Row{Sheet: s.sheet, Num: num, Cells: cells, Groups: s.labels, Flaws: append([]Flaw(nil), flaws...)})
	}
	if s.cut && !s.inFooter && footerCell(cells) < 0 {
		// What may be a cut data row is delivered, whatever it looks like (Row.Cut).
		return s.cb.callRow(s.table, Row{Sheet: s.sheet, Num: num, Cells: cells, Groups: s.labels, Cut: true})
	}
	if s.columnsNext {
		s.columnsNext = false
		if isColumnNumberRow(cells) {
			if s.columnNumbers == nil {
				s.columnNumbers = append([]string(nil), cells...)
			}
			return s.skipRow(num, SkipColumnNumbers, cells)
		}
	}
	if s.columnNumbers != nil && sameNonBlank(cells, s.columnNumbers) {
		return s.skipRow(num, SkipColumnNumbers, cells)
	}
	if s.isRepeatedHeader(cells) {
		s.columnsNext = true
		return s.skipRow(num, SkipRepeatedHeader, cells)
	}
	// Signature blocks are short rows of words; a row with a number or
	// with many filled cells is a table row, and ends a signature block.
	tableLike := hasNumber(cells) || nonBlank(cells) > maxFooterCells
	if s.inFooter {
		if !tableLike && !s.footerCarriesData(cells, -1) {
			return s.skipRow(num, SkipSignature, cells)
		}
		s.inFooter = false
	}
	if !tableLike {
		if i := footerCell(cells); i >= 0 && !s.footerCarriesData(cells, i) {
			s.inFooter = true
			return s.skipRow(num, SkipSignature, cells)
		}
	}
	if i := subtotalCell(cells); i >= 0 && s.table.role(i) != ColumnData {
		return s.skipRow(num, SkipSubtotal, cells)
	}
	if g, ok := romanGroupAt(cells); ok && !s.groupCarriesData(cells, g) {
		s.setGroup(0, g.label)
		return s.skipRow(num, SkipGroup, cells)
	}
	if g, ok := labelGroupAt(cells); ok && s.table.role(g.labelCol) != ColumnData {
		s.setGroup(g.rank, g.label)
		return s.skipRow(num, SkipGroup, cells)
	}
	return s.cb.callRow(s.table, Row{Sheet: s.sheet, Num: num, Cells: cells, Groups: s.labels})
}

// isRepeatedHeader recognises one of the header rows again further down (an export's page
// breaks): every non-blank cell equal to the header row's cell there, two cells at least.
func (s *sheetReader) isRepeatedHeader(cells []string) bool {
	i, text := firstNonBlank(cells)
	for h, hs := range s.headerFirst {
		if hs.col != i || !strings.EqualFold(hs.text, text) { // (the cheap test first: this runs on every row)
			continue
		}
		hrow := s.table.HeaderRows[h]
		n := 0
		same := true
		for c, v := range cells {
			if isBlank(v) {
				continue
			}
			n++
			if c >= len(hrow) || headerKey(v) != headerKey(hrow[c]) {
				same = false
				break
			}
		}
		if same && n >= 2 {
			return true
		}
	}
	return false
}

// sameNonBlank reports whether row holds, cell for cell, the non-blank values of ref and
// nothing else (two values at least).
func sameNonBlank(row, ref []string) bool {
	n := 0
	for c := 0; c < max(len(row), len(ref)); c++ {
		a, b := "", ""
		if c < len(row) {
			a = strings.TrimSpace(row[c])
		}
		if c < len(ref) {
			b = strings.TrimSpace(ref[c])
		}
		if isBlank(a) != isBlank(b) || !isBlank(a) && a != b {
			return false
		}
		if !isBlank(a) {
			n++
		}
	}
	return n >= 2
}

// hasRole reports whether a cell of role r, other than cell except, holds a value.
func (s *sheetReader) hasRole(cells []string, r ColumnRole, except int) bool {
	for i, c := range cells {
		if i != except && s.table.role(i) == r && !isBlank(c) {
			return true
		}
	}
	return false
}

// groupCarriesData decides, for a row shaped like a group row, whether it is a data row after
// all (see the package doc): a label in a data column; or a value in a data column together
// with a key value besides the label, or with a label in a key column that names a unit of the
// data rows' own level or below (or any label, when rows are records).
func (s *sheetReader) groupCarriesData(cells []string, g groupRow) bool {
	t := s.table
	if t.Roles == nil {
		return false
	}
	if t.role(g.labelCol) == ColumnData {
		return true
	}
	if !s.hasRole(cells, ColumnData, g.labelCol) {
		return false
	}
	if s.hasRole(cells, ColumnKey, g.labelCol) {
		return true
	}
	if t.role(g.labelCol) == ColumnKey {
		return t.RowUnitRank == RankRecords || g.rank >= t.RowUnitRank
	}
	return false
}

// footerCarriesData decides, for a row shaped like a signature row (label: the signature
// text's cell, -1 for a row inside a signature block), whether it is a data row after all: a
// key value that is not a signature text, and values in two data columns at least (signers'
// names stand side by side, one of them often above a data column: "Hoàng Thị Lan | … |
// Nguyễn Văn Hùng" is no village).
func (s *sheetReader) footerCarriesData(cells []string, label int) bool {
	if s.table.Roles == nil {
		return false
	}
	key, data := false, 0
	for i, c := range cells {
		if i == label || isBlank(c) || isFooterText(c) {
			continue
		}
		switch s.table.role(i) {
		case ColumnKey:
			key = true
		case ColumnData:
			data++
		}
	}
	return key && data >= 2
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

// fillVertical copies the value of a vertically merged cell (a district name merged over its
// communes' rows) into the rows below its top-left cell. In a data column (Table.Roles) it does
// not: the value is the group's, so every row the merge covers is flawed instead. Horizontal
// spans are left alone: a label merged across a row stays one cell, as a group row should.
func (s *sheetReader) fillVertical(num int, cells []string) ([]string, []Flaw) {
	if len(s.merges) == 0 {
		return cells, nil
	}
	var flaws []Flaw
	// Forget finished merges, fill the running ones.
	live := s.activeFill[:0]
	for _, a := range s.activeFill {
		if a.bottom < num {
			continue
		}
		live = append(live, a)
		if a.flaw != nil {
			flaws = append(flaws, *a.flaw)
			continue
		}
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
		if m.top != num || m.bottom <= m.top {
			continue
		}
		data := false
		for c := m.left; c <= m.right; c++ {
			if s.table.role(c) == ColumnData {
				data = true
			}
		}
		if data {
			f := &Flaw{Col: m.left, Kind: FlawMergedCell, Ref: fmt.Sprintf("%s%d:%s%d", colName(m.left+1), m.top, colName(m.right+1), m.bottom)}
			flaws = append(flaws, *f)
			s.activeFill = append(s.activeFill, activeMerge{col: m.left, bottom: m.bottom, flaw: f})
			continue
		}
		if m.left < len(cells) && !isBlank(cells[m.left]) {
			s.activeFill = append(s.activeFill, activeMerge{col: m.left, bottom: m.bottom, value: cells[m.left]})
		}
	}
	return cells, flaws
}
