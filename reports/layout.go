package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Paper: every sheet prints on A4 landscape at a fixed scale chosen from its column widths, never
// fitted to the page width (a wide table fitted to one page prints at 4 pt). Text is 10 pt Arial,
// so a scale of at least minScale keeps it at 8 pt or more on paper; a table wider than the page
// at that scale continues on the next page (columns), which the layouts avoid.
const (
	reportFont  = "Arial"
	bodyPt      = 10.0
	minPrintPt  = 8.0
	minScale    = 82 // 10 pt × 82% = 8.2 pt
	marginSide  = 0.4
	marginTop   = 0.75
	marginBelow = 0.7
	// printableWidthPx is the width between the side margins of A4 landscape (297 mm) in pixels at
	// 96 dpi; printableHeightPt the height between the top and bottom margins in points.
	printableWidthPx  = (11.69 - 2*marginSide) * 96
	printableHeightPt = (8.27-marginTop-marginBelow)*72 - 4
	lineHeightPt      = 13.0 // one line of 10 pt text with its leading
)

// colPixels is the printed width of a column of w characters: Excel gives 10 pt Arial 7 pixels a
// character plus 5 of padding, LibreOffice (Liberation Sans) about 7.5; the wider is assumed.
func colPixels(w float64) float64 { return math.Trunc(w*7.5 + 5) }

// printScale is the largest scale (≤ 100%, ≥ minScale) at which columns of these widths fit
// between the margins.
func printScale(widths []float64) uint {
	total := 0.0
	for _, w := range widths {
		total += colPixels(w)
	}
	if total <= 0 {
		return 100
	}
	s := int(math.Floor(100 * printableWidthPx / total))
	return uint(min(100, max(minScale, s)))
}

// fitWidths narrows the widest columns, one character at a time, until the sheet fits between
// the margins at minScale (wrapped text then takes more lines, whose heights the rows get): a
// table wider than the page would otherwise print its last columns on pages of their own. The
// slice is changed in place and returned.
func fitWidths(widths []float64) []float64 {
	budget := printableWidthPx * 100 / minScale
	total := func() float64 {
		t := 0.0
		for _, w := range widths {
			t += colPixels(w)
		}
		return t
	}
	for total() > budget {
		widest := -1
		for i, w := range widths {
			if w > 8 && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // nothing left to narrow: the sheet continues on a second page
		}
		widths[widest] = math.Max(8, math.Floor(widths[widest]-1))
	}
	return widths
}

// pageHeightPt is the height in points of one printed page's body at scale (the rows that fit).
func pageHeightPt(scale uint) float64 { return printableHeightPt * 100 / float64(scale) }

// headerFooter is the page header and footer of every printed sheet: the recipient and what
// the workbook is on the left, the period in the middle, page n/N on the right; the sheet name
// and the data time in the footer. Texts are escaped for the header/footer codes.
func (w *workbook) headerFooter() *excelize.HeaderFooterOptions {
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	who, period := "", ""
	if w.sc != nil && w.sc.unit != nil {
		who = w.sc.unit.Name
	}
	if w.d != nil {
		period = fmt.Sprintf("Kỳ tháng %d/%d", int(w.d.period.Month), w.d.period.Year)
	}
	scaleDoc := false
	return &excelize.HeaderFooterOptions{
		ScaleWithDoc: &scaleDoc,
		OddHeader:    fmt.Sprintf("&L&10%s&C&10%s&R&10Trang &P/&N", esc(who), esc(period)),
		OddFooter:    fmt.Sprintf("&L&10%s – &A&R&10Thôn thông minh, tiêu chí 8, chỉ tiêu 9.5", esc(who)),
	}
}

// pageSetup makes a sheet print on A4 landscape at the scale its widths allow (never fitted to
// the page width), with the header and footer, the margins, and titleRows ("$2:$3", or "")
// repeated at the top of every page. For a streamed sheet it must run before the stream starts.
func (w *workbook) pageSetup(sheet string, titleRows string, widths []float64) error {
	landscape, a4 := "landscape", 9
	scale := printScale(widths)
	w.scale[sheet] = scale
	if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(false)}); err != nil {
		return err
	}
	if err := w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: &landscape, Size: &a4, AdjustTo: &scale,
	}); err != nil {
		return err
	}
	side, top, bottom, hf, center := marginSide, marginTop, marginBelow, 0.3, true
	if err := w.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &top, Bottom: &bottom, Header: &hf, Footer: &hf, Horizontally: &center,
	}); err != nil {
		return err
	}
	if err := w.f.SetHeaderFooter(sheet, w.headerFooter()); err != nil {
		return err
	}
	if titleRows != "" {
		return w.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!%s", sheet, titleRows),
			Scope:    sheet,
		})
	}
	return nil
}

// textLines estimates the lines a wrapped text takes in a column of the given width (in
// characters of the 11 pt font): words are not split, explicit line breaks are kept, and the
// printed font (LibreOffice substitutes a wider one for Calibri) is allowed for.
func textLines(s string, width int) int {
	if s == "" || width <= 0 {
		return 1
	}
	room := float64(width) * 0.95
	lines := 0
	for _, para := range strings.Split(s, "\n") {
		n, used := 1, 0.0
		for _, word := range strings.Fields(para) {
			lw := float64(utf8.RuneCountInString(word)) * charWidth(word)
			switch {
			case used == 0:
				used = lw
			case used+1+lw <= room:
				used += 1 + lw
			default:
				n++
				used = lw
			}
			for used > room { // a word longer than the column breaks anywhere
				n++
				used -= room
			}
		}
		lines += n
	}
	return max(1, lines)
}

// textLines is textLines, remembered per workbook: a sheet repeats its texts (a status, a
// commune's name, an action) on thousands of rows, and every wrapped cell's height is estimated.
func (w *workbook) textLines(s string, width int) int {
	k := lineKey{s, width}
	if n, ok := w.lineMemo[k]; ok {
		return n
	}
	n := textLines(s, width)
	if w.lineMemo == nil {
		w.lineMemo = map[lineKey]int{}
	}
	w.lineMemo[k] = n
	return n
}

type lineKey struct {
	s     string
	width int
}

// charWidth is the average width of a word's characters relative to the column unit: capitals
// and digits are wider than lower-case letters.
func charWidth(word string) float64 {
	upper := 0
	for _, r := range word {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127 && unicode.ToUpper(r) == r && unicode.ToLower(r) != r {
			upper++
		}
	}
	n := utf8.RuneCountInString(word)
	if n == 0 {
		return 1
	}
	return 0.74 + 0.3*float64(upper)/float64(n)
}

// rowHeight is the height a row of cells needs when the cells styled to wrap are wrapped in their
// columns' widths; 0 when one line is enough (the default height is kept).
func (w *workbook) rowHeight(widths []float64, col int, cells []cell) float64 {
	lines := 1
	for i, c := range cells {
		if c.s == 0 || !w.st.wraps[c.s] {
			continue
		}
		s, ok := c.v.(string)
		if !ok || i+col-1 >= len(widths) {
			continue
		}
		lines = max(lines, w.textLines(s, int(widths[i+col-1])))
	}
	if lines <= 1 {
		return 0
	}
	return min(409, float64(lines)*lineHeightPt) // Excel's limit
}

// streamRowOf writes a row of a streamed sheet whose column widths were given to streamSheet,
// with the height its wrapped cells need.
func (w *workbook) streamRowOf(sw *excelize.StreamWriter, sheet string, row int, cells ...cell) error {
	if style, span, h, ok := w.asBanner(sheet, 1, cells); ok {
		vals := make([]any, span)
		vals[0] = excelize.Cell{StyleID: style, Value: cells[0].v}
		for i := 1; i < span; i++ {
			vals[i] = excelize.Cell{StyleID: style}
		}
		w.noteHeight(sheet, row, h)
		if err := sw.SetRow(cellName(1, row), vals, excelize.RowOpts{Height: h}); err != nil {
			return err
		}
		return sw.MergeCell(cellName(1, row), cellName(span, row))
	}
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = excelize.Cell{StyleID: c.s, Value: c.v}
	}
	ref, _ := excelize.CoordinatesToCellName(1, row)
	if h := w.rowHeight(w.widths[sheet], 1, cells); h > 0 {
		w.noteHeight(sheet, row, h)
		return sw.SetRow(ref, vals, excelize.RowOpts{Height: h})
	}
	w.noteHeight(sheet, row, lineHeightPt)
	return sw.SetRow(ref, vals)
}

// noteHeight records a row's height and the sheet's extent.
func (w *workbook) noteHeight(sheet string, row int, h float64) {
	if w.heights == nil {
		return
	}
	m := w.heights[sheet]
	if m == nil {
		m = map[int]float64{}
		w.heights[sheet] = m
	}
	m[row] = max(m[row], h)
}

// noteUsed records that a normal sheet holds a cell at (col, row), for its dimension.
func (w *workbook) noteUsed(sheet string, col, row int) {
	if w.used == nil {
		return
	}
	u := w.used[sheet]
	w.used[sheet] = [2]int{max(u[0], col), max(u[1], row)}
}

// finishSheet gives a normal-mode sheet its true dimension (excelize leaves "A1" otherwise, and
// readers that trust it see one cell) and the heights of the rows whose wrapped cells need more
// than one line (neither Excel nor LibreOffice grows a row on opening a file).
func (w *workbook) finishSheet(sheet string) error {
	for row, h := range w.pending[sheet] {
		if h > lineHeightPt && !w.fixed[sheet][row] {
			if err := w.f.SetRowHeight(sheet, row, h); err != nil {
				return err
			}
		}
	}
	u := w.used[sheet]
	if u[0] == 0 {
		u = [2]int{1, 1}
	}
	return w.f.SetSheetDimension(sheet, rangeRef(1, 1, u[0], u[1]))
}

// setRowHeight fixes a normal sheet's row height (the wrapped-text estimate does not replace it).
func (w *workbook) setRowHeight(sheet string, row int, h float64) error {
	if w.fixed != nil {
		m := w.fixed[sheet]
		if m == nil {
			m = map[int]bool{}
			w.fixed[sheet] = m
		}
		m[row] = true
	}
	return w.f.SetRowHeight(sheet, row, h)
}

// rowHeightOr is the height a row of cells prints at: what its wrapped text needs, else one line.
func (w *workbook) rowHeightOr(widths []float64, cells []cell) float64 {
	if h := w.rowHeight(widths, 1, cells); h > 0 {
		return h
	}
	return lineHeightPt
}

// pageBreaks ends a printed page after each of the rows given (before a stream starts: the
// breaks follow the rows in the file, but a stream writes the sheet's other parts as they are
// when it starts).
func (w *workbook) pageBreaks(sheet string, after []int) error {
	for _, r := range after {
		if r < 1 {
			continue
		}
		if err := w.f.InsertPageBreak(sheet, cellName(1, r+1)); err != nil {
			return err
		}
	}
	return nil
}

// streamRowSpans writes a row of a streamed sheet in which some cells span several columns:
// spans maps a cell's first column to its last (1-based). The row gets the height its wrapped
// text needs in the spanned widths, and the spans are merged.
func (w *workbook) streamRowSpans(sw *excelize.StreamWriter, sheet string, row int, cells []cell, spans map[int]int) error {
	widths := w.widths[sheet]
	vals := make([]any, 0, len(cells))
	lines := 1
	col := 1
	for _, c := range cells {
		last := col
		if l, ok := spans[col]; ok {
			last = l
		}
		width := 0.0
		for k := col; k <= last && k <= len(widths); k++ {
			width += widths[k-1]
		}
		if s, ok := c.v.(string); ok && w.st.wraps[c.s] {
			lines = max(lines, w.textLines(s, int(width)))
		}
		vals = append(vals, excelize.Cell{StyleID: c.s, Value: c.v})
		for k := col + 1; k <= last; k++ {
			vals = append(vals, excelize.Cell{StyleID: c.s})
		}
		col = last + 1
	}
	ref, _ := excelize.CoordinatesToCellName(1, row)
	h := min(409, float64(lines)*lineHeightPt)
	w.noteHeight(sheet, row, h)
	var err error
	if lines > 1 {
		err = sw.SetRow(ref, vals, excelize.RowOpts{Height: h})
	} else {
		err = sw.SetRow(ref, vals)
	}
	if err != nil {
		return err
	}
	firsts := make([]int, 0, len(spans))
	for first := range spans {
		firsts = append(firsts, first)
	}
	sort.Ints(firsts) // the file's bytes depend on the data only
	for _, first := range firsts {
		if last := spans[first]; last > first {
			if err := sw.MergeCell(cellName(first, row), cellName(last, row)); err != nil {
				return err
			}
		}
	}
	return nil
}

// screenNote is said on the province workbook's long detail sheets, which print only their
// heading: the office filters them on screen, and each recipient's workbook prints its part.
const screenNote = "Trong báo cáo toàn tỉnh, trang này để lọc trên máy (bản in chỉ có phần đầu); bản in đầy đủ theo từng đơn vị có trong báo cáo của đơn vị đó."

// printOnly limits what a sheet prints to its first rows and columns (_xlnm.Print_Area).
func (w *workbook) printOnly(sheet string, lastCol, lastRow int) error {
	c, _ := excelize.ColumnNumberToName(lastCol)
	return w.f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Area",
		RefersTo: fmt.Sprintf("'%s'!$A$1:$%s$%d", sheet, c, lastRow),
		Scope:    sheet,
	})
}

// asBanner turns a row of one long text (a title, a note) into one that spans the table and
// wraps: an unwrapped text wider than the table prints on pages of its own to the right. It
// returns the wrapped style, the number of columns to span and the row height; ok is false for
// any other row.
func (w *workbook) asBanner(sheet string, col int, cells []cell) (style, span int, height float64, ok bool) {
	widths := w.widths[sheet]
	if len(cells) != 1 || col != 1 || len(widths) < 2 || w.st == nil || w.st.banners == nil {
		return 0, 0, 0, false
	}
	text, isText := cells[0].v.(string)
	wrapped, known := w.st.banners[cells[0].s]
	if !isText || !known {
		return 0, 0, 0, false
	}
	total := 0.0
	for _, wd := range widths {
		total += wd
	}
	scale := 1.0
	if cells[0].s == w.st.title {
		scale = 1.45 // 14 pt against 10
	}
	if float64(utf8.RuneCountInString(text))*scale*0.8 <= total {
		return 0, 0, 0, false // it fits on one line
	}
	lines := textLines(text, int(total/scale))
	return wrapped, len(widths), min(409, float64(lines)*lineHeightPt*scale), true
}
