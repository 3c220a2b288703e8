package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
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
)

// colPixels is the printed width of a column of w characters, in pixels at 96 dpi: Excel gives
// a character of 10 pt Arial 7 pixels, LibreOffice 5.55 pt (7.4 pixels, measured); the wider is
// assumed.
func colPixels(w float64) float64 { return math.Ceil(w * 7.4) }

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
		var a, b int
		if _, err := fmt.Sscanf(titleRows, "$%d:$%d", &a, &b); err == nil && w.titles != nil {
			w.titles[sheet] = [2]int{a, b}
		}
		return w.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!%s", sheet, titleRows),
			Scope:    sheet,
		})
	}
	return nil
}

// fontSpec is the font of a cell style: its size in points and whether it is bold (every
// report style is Arial).
type fontSpec struct {
	size float64
	bold bool
}

// bodyFont is the font of a cell without a style: the workbook's default, Arial 10.
var bodyFont = fontSpec{size: bodyPt}

// arialWidths are the advance widths of Arial and of its metric twin Liberation Sans, in 1/2048
// em, for the printable ASCII characters (32–126): regular, then bold.
var arialWidths = [2][95]uint16{
	{569, 569, 727, 1139, 1139, 1821, 1366, 391, 682, 682, 797, 1196, 569, 682, 569, 569, 1139, 1139, 1139, 1139,
		1139, 1139, 1139, 1139, 1139, 1139, 569, 569, 1196, 1196, 1196, 1139, 2079, 1366, 1366, 1479, 1479, 1366,
		1251, 1593, 1479, 569, 1024, 1366, 1139, 1706, 1479, 1593, 1366, 1593, 1479, 1366, 1251, 1479, 1366, 1933,
		1366, 1366, 1251, 569, 569, 569, 961, 1139, 682, 1139, 1139, 1024, 1139, 1139, 569, 1139, 1139, 455, 455,
		1024, 455, 1706, 1139, 1139, 1139, 1139, 682, 1024, 569, 1139, 1024, 1479, 1024, 1024, 1024, 684, 532, 684, 1196},
	{569, 682, 971, 1139, 1139, 1821, 1479, 487, 682, 682, 797, 1196, 569, 682, 569, 569, 1139, 1139, 1139, 1139,
		1139, 1139, 1139, 1139, 1139, 1139, 682, 682, 1196, 1196, 1196, 1251, 1997, 1479, 1479, 1479, 1479, 1366,
		1251, 1593, 1479, 569, 1139, 1479, 1251, 1706, 1479, 1593, 1366, 1593, 1479, 1366, 1251, 1479, 1366, 1933,
		1366, 1366, 1251, 682, 569, 682, 1196, 1139, 682, 1139, 1251, 1139, 1251, 1139, 682, 1251, 1251, 569, 569,
		1139, 569, 1821, 1251, 1251, 1251, 1251, 797, 1139, 682, 1251, 1139, 1593, 1139, 1139, 1024, 797, 573, 797, 1196},
}

// runeWidth is the advance width of r in 1/2048 em. A Vietnamese letter is as wide as its base
// letter (its marks sit above or below it), except the horned ơ and ư, which are wider, and ì, í,
// ĩ, whose mark replaces the dot (text decomposed into letters and combining marks, as some
// spreadsheets store it, is composed first by textWidthPt).
//
// Runes below U+2000 (ASCII, Latin-1 and the Latin extensions, Vietnamese letters among them)
// are looked up in a table computed once from runeWidthOf: decomposing a letter for every
// character measured was a sixth of a national report run's CPU.
func runeWidth(r rune, bold bool) float64 {
	if r >= 0 && r < runeTableSize {
		runeTableOnce.Do(fillRuneTable)
		b := 0
		if bold {
			b = 1
		}
		return float64(runeTable[b][r])
	}
	return runeWidthOf(r, bold)
}

const runeTableSize = 0x2000

var (
	runeTableOnce sync.Once
	runeTable     [2][runeTableSize]uint16 // runeWidthOf of every rune below runeTableSize, regular then bold
)

func fillRuneTable() {
	for b, bold := range []bool{false, true} {
		for r := rune(0); r < runeTableSize; r++ {
			runeTable[b][r] = uint16(runeWidthOf(r, bold))
		}
	}
}

// runeWidthOf is runeWidth computed (every width is a whole number of 1/2048 em below 65,536).
func runeWidthOf(r rune, bold bool) float64 {
	b := 0
	if bold {
		b = 1
	}
	switch {
	case r >= 32 && r < 127:
		return float64(arialWidths[b][r-32])
	case unicode.Is(unicode.Mn, r):
		return 0
	}
	switch r {
	case 'đ':
		return float64(arialWidths[b]['d'-32])
	case 'Đ':
		return 1479
	case '–', '≥', '≤':
		return 1139
	case '—', '…', '→':
		return 2048
	case '“', '”':
		return [2]float64{682, 1024}[b]
	case '‘', '’':
		return [2]float64{455, 569}[b]
	case '•':
		return 717
	case '×':
		return 1196
	}
	d := norm.NFD.String(string(r))
	base, size := utf8.DecodeRuneInString(d)
	if size == len(d) || base >= 127 {
		if unicode.IsUpper(r) {
			return 1479
		}
		return 1139 // another letter or sign: as wide as a digit
	}
	horn := strings.ContainsRune(d[size:], '\u031B')
	switch {
	case horn && base == 'o':
		return [2]float64{1343, 1456}[b]
	case horn && base == 'u':
		return [2]float64{1371, 1483}[b]
	case horn && base == 'O':
		return [2]float64{1756, 1747}[b]
	case horn && base == 'U':
		return [2]float64{1749, 1699}[b]
	case base == 'i' && !bold && !strings.ContainsRune(d[size:], '\u0323') && !strings.ContainsRune(d[size:], '\u0309'):
		return 569 // ì í ĩ lose the dot, and their mark is wider than it
	}
	return float64(arialWidths[b][base-32])
}

// textWidthPt is the printed width in points of a line of text in Arial of that font.
func textWidthPt(s string, f fontSpec) float64 {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s) // a letter and its marks as one (ư, not u and a horn)
	}
	return composedWidthPt(s, f)
}

// composedWidthPt is textWidthPt of a text already composed (NFC).
func composedWidthPt(s string, f fontSpec) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r, f.bold)
	}
	return w * f.size / 2048
}

// cellRoomPt is the width a column of w characters leaves to its text, in points at 100%, as
// the text is measured here (Arial's widths): LibreOffice gives a character of the default font
// (Arial 10) 5.55 pt and keeps about 2 for the cell's padding (measured); Excel gives it 7 pixels
// and keeps 5, but draws the glyphs on whole pixels too (a digit 7 pixels, not 7.4), which comes
// to about the same room; 4 pt are kept, the larger padding.
func cellRoomPt(w float64) float64 { return max(1, 5.55*w-4) }

// lineHeight is the height of one line of wrapped text in a font: Excel's 12.75 pt a line of
// Arial 10 (LibreOffice needs 11.2), in proportion for other sizes.
func lineHeight(f fontSpec) float64 { return math.Ceil(12.75*f.size/10/0.75) * 0.75 }

// textLines is the number of lines a wrapped text takes in a column (or merged span) of the given
// width in characters, in that font: explicit line breaks are kept, lines break at spaces, and a
// word longer than the column breaks anywhere (as both programs do).
func textLines(s string, width float64, f fontSpec) int {
	if s == "" || width <= 0 {
		return 1
	}
	room := cellRoomPt(width)
	space := textWidthPt(" ", f)
	// A composed text's words are composed (a space composes with no mark): checked once, not per
	// word. Words are iterated, not split into slices.
	width1 := textWidthPt
	if norm.NFC.IsNormalString(s) {
		width1 = composedWidthPt
	}
	lines := 0
	for para := range strings.SplitSeq(s, "\n") {
		n, used := 1, 0.0
		for word := range strings.FieldsSeq(para) {
			lw := width1(word, f)
			switch {
			case used == 0:
				used = lw
			case used+space+lw <= room:
				used += space + lw
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

// textHeight is the row height a wrapped text needs in a column of the given width: its lines,
// capped at Excel's limit of 409 pt.
func textHeight(s string, width float64, f fontSpec) float64 {
	return min(409, float64(textLines(s, width, f))*lineHeight(f))
}

// cellHeight is the height a cell needs in a span of the given width: what its text takes when
// its style wraps, else one line of its font.
func (w *workbook) cellHeight(c cell, width float64) float64 {
	f := w.st.font(c.s)
	s, ok := c.v.(string)
	if !ok || !w.st.wraps[c.s] {
		return lineHeight(f)
	}
	// Remembered per workbook: a sheet repeats its texts (a status, a commune's name, an action)
	// on thousands of rows, and every wrapped cell's height is estimated.
	k := lineKey{s, width, f}
	if h, ok := w.lineMemo[k]; ok {
		return h
	}
	h := textHeight(s, width, f)
	if w.lineMemo == nil {
		w.lineMemo = map[lineKey]float64{}
	}
	w.lineMemo[k] = h
	return h
}

// lineKey is a wrapped text in a width and a font, whose height a workbook remembers.
type lineKey struct {
	s     string
	width float64
	f     fontSpec
}

// rowHeight is the height a row of cells needs when the cells styled to wrap are wrapped in their
// columns' widths; 0 when one line of body text is enough (the default height is kept).
func (w *workbook) rowHeight(widths []float64, col int, cells []cell) float64 {
	h := 0.0
	for i, c := range cells {
		if c.s == 0 || i+col-1 >= len(widths) {
			continue
		}
		h = max(h, w.cellHeight(c, widths[i+col-1]))
	}
	if h <= lineHeight(bodyFont) {
		return 0
	}
	return h
}

// chunkHeightPt is the tallest a row of one long text is made: a third of a page at the
// smallest scale, so a long text continues on the rows under it instead of being cut at the
// row's limit or leaving most of a page empty before it.
const chunkHeightPt = 200.0

// textChunks splits a long text at its line breaks into pieces that each need no more than
// chunkHeightPt in a column of the given width and style, the lines of a piece joined by sep ("\n"
// keeps them; "; " runs them on, denser in a wide span). One piece when it fits; a single line
// taller than that stays whole.
func (w *workbook) textChunks(s string, width float64, style int, sep string) []string {
	f := w.st.font(style)
	lines := strings.Split(s, "\n")
	if whole := strings.Join(lines, sep); textHeight(whole, width, f) <= chunkHeightPt {
		return []string{whole}
	}
	var out []string
	cur := ""
	for _, line := range lines {
		next := line
		if cur != "" {
			next = cur + sep + line
		}
		if cur != "" && textHeight(next, width, f) > chunkHeightPt {
			out = append(out, cur)
			next = line
		}
		cur = next
	}
	return append(out, cur)
}

// streamRowOf writes a row of a streamed sheet whose column widths were given to streamSheet,
// with the height its wrapped cells need (a one-cell title or note longer than the table spans it
// and wraps).
func (w *workbook) streamRowOf(sw *excelize.StreamWriter, sheet string, row int, cells ...cell) error {
	if style, span, h, ok := w.asBanner(sheet, 1, cells); ok {
		row1 := append(w.rowCells[:0], excelize.Cell{StyleID: style, Value: cells[0].v})
		for i := 1; i < span; i++ {
			row1 = append(row1, excelize.Cell{StyleID: style})
		}
		if err := sw.SetRow(cellName(1, row), w.rowValues(row1), excelize.RowOpts{Height: h}); err != nil {
			return err
		}
		return sw.MergeCell(cellName(1, row), cellName(span, row))
	}
	return w.streamRowSpans(sw, sheet, row, cells, nil)
}

// rowValues is the row of a stream's SetRow over row1, whose backing array the workbook keeps for
// its next row (SetRow keeps neither): a pointer to each cell, so that neither the cells nor the
// row are allocated again for every streamed row (a *Cell is written as a Cell is).
func (w *workbook) rowValues(row1 []excelize.Cell) []any {
	w.rowCells = row1
	vals := w.rowVals[:0]
	for i := range row1 {
		vals = append(vals, &row1[i])
	}
	w.rowVals = vals
	return vals
}

// spanHeight is the height a row of cells needs, a cell spanning the columns from its own to
// spans[its column] (1-based) wrapped in their summed widths; 0 when one line of body text is
// enough.
func (w *workbook) spanHeight(widths []float64, col int, cells []cell, spans map[int]int) float64 {
	h := 0.0
	for _, c := range cells {
		last := col
		if l, ok := spans[col]; ok {
			last = l
		}
		width := 0.0
		for k := col; k <= last && k <= len(widths); k++ {
			width += widths[k-1]
		}
		if c.s != 0 && width > 0 {
			h = max(h, w.cellHeight(c, width))
		}
		col = last + 1
	}
	if h <= lineHeight(bodyFont) {
		return 0
	}
	return h
}

// noteUsed records that a normal sheet holds a cell at (col, row), for its dimension.
func (w *workbook) noteUsed(sheet string, col, row int) {
	if w.used == nil {
		return
	}
	u := w.used[sheet]
	w.used[sheet] = [2]int{max(u[0], col), max(u[1], row)}
}

// wrappedCell is a cell of a normal sheet whose style wraps, kept until the sheet is finished
// (its merged span may be declared after it is written).
type wrappedCell struct {
	row, col int
	c        cell
}

// finishSheet gives a normal-mode sheet its true dimension (excelize leaves "A1" otherwise, and
// readers that trust it see one cell) and the heights of the rows whose cells need more than one
// line, each cell wrapped in the width of its merged span (neither Excel nor LibreOffice grows a
// row on opening a file). A row whose height was fixed keeps it.
func (w *workbook) finishSheet(sheet string) error {
	widths := w.widths[sheet]
	need := map[int]float64{}
	for _, p := range w.wrapped[sheet] {
		last := p.col
		if l, ok := w.spans[sheet][[2]int{p.row, p.col}]; ok {
			last = l
		}
		width := 0.0
		for k := p.col; k <= last && k <= len(widths); k++ {
			width += widths[k-1]
		}
		if width > 0 {
			need[p.row] = max(need[p.row], w.cellHeight(p.c, width))
		}
	}
	rows := make([]int, 0, len(need))
	for r := range need {
		rows = append(rows, r)
	}
	sort.Ints(rows)
	for _, row := range rows {
		if h := need[row]; h > lineHeight(bodyFont) {
			if _, fixed := w.fixed[sheet][row]; !fixed {
				if err := w.f.SetRowHeight(sheet, row, h); err != nil {
					return err
				}
			}
		}
	}
	if err := w.keepOnPage(sheet, need); err != nil {
		return err
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
			m = map[int]float64{}
			w.fixed[sheet] = m
		}
		m[row] = h
	}
	return w.f.SetRowHeight(sheet, row, h)
}

// keepTogether asks that n rows of a normal sheet from row on print on one page — a section's
// title, its header and its first rows —: when the sheet is finished, the page is broken before
// row if they would not fit in what is left of it (a heading never ends a page).
func (w *workbook) keepTogether(sheet string, row, n int) {
	m := w.keep[sheet]
	if m == nil {
		m = map[int]int{}
		w.keep[sheet] = m
	}
	m[row] = n
}

// breakBefore starts a printed page with row (a normal sheet).
func (w *workbook) breakBefore(sheet string, row int) error {
	m := w.cuts[sheet]
	if m == nil {
		m = map[int]bool{}
		w.cuts[sheet] = m
	}
	m[row] = true
	return w.f.InsertPageBreak(sheet, cellName(1, row))
}

// keepOnPage breaks a normal sheet's pages before the blocks of rows kept together that would not
// fit in what is left of their page, following the rows' printed heights (need: the estimated
// ones; rows with a fixed height keep it, the others print at the sheet's default of 15 pt) at
// the sheet's scale, as the spreadsheet paginates; a page after the print titles' own starts
// with them.
func (w *workbook) keepOnPage(sheet string, need map[int]float64) error {
	keep := w.keep[sheet]
	if len(keep) == 0 {
		return nil
	}
	height := func(r int) float64 {
		if h, ok := w.fixed[sheet][r]; ok {
			return h
		}
		return max(15, need[r])
	}
	room := pageHeightPt(w.scale[sheet])
	titles := w.titles[sheet]
	top := 0.0 // the print titles' height, at the top of every page after theirs
	for r := titles[0]; r > 0 && r <= titles[1]; r++ {
		top += height(r)
	}
	pageStart := func(r int) float64 {
		if r > titles[1] {
			return top
		}
		return 0
	}
	used := 0.0
	for r := 1; r <= w.used[sheet][1]; r++ {
		if w.cuts[sheet][r] {
			used = pageStart(r)
		}
		if n := keep[r]; n > 0 && used > pageStart(r) {
			block := 0.0
			for k := r; k < r+n; k++ {
				block += height(k)
			}
			// Only when the row itself would fit: otherwise the page breaks before it anyway.
			if block+pageStart(r) <= room && used+block > room && used+height(r) <= room {
				if err := w.breakBefore(sheet, r); err != nil {
					return err
				}
				used = pageStart(r)
			}
		}
		if used+height(r) > room {
			used = pageStart(r) // the spreadsheet starts a page with this row
		}
		used += height(r)
	}
	return nil
}

// rowHeightOr is the height a row of cells prints at: what its wrapped text needs, else one line.
func (w *workbook) rowHeightOr(widths []float64, cells []cell) float64 {
	if h := w.rowHeight(widths, 1, cells); h > 0 {
		return h
	}
	return lineHeight(bodyFont)
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
	row1 := w.rowCells[:0]
	col := 1
	for _, c := range cells {
		last := col
		if l, ok := spans[col]; ok {
			last = l
		}
		row1 = append(row1, excelize.Cell{StyleID: c.s, Value: c.v})
		for k := col + 1; k <= last; k++ {
			row1 = append(row1, excelize.Cell{StyleID: c.s})
		}
		col = last + 1
	}
	vals := w.rowValues(row1)
	ref, _ := excelize.CoordinatesToCellName(1, row)
	var err error
	if h := w.spanHeight(w.widths[sheet], 1, cells, spans); h > 0 {
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

// putSpans writes a row of a normal sheet from column col in which some cells span several
// columns (spans as for streamRowSpans): the spans are merged, and the row gets the height its
// wrapped text needs in the spanned widths when the sheet is finished.
func (w *workbook) putSpans(sheet string, row, col int, cells []cell, spans map[int]int) error {
	c := col
	for _, cl := range cells {
		last := c
		if l, ok := spans[c]; ok {
			last = l
		}
		if err := w.putAt(sheet, row, c, cl); err != nil {
			return err
		}
		for k := c + 1; k <= last; k++ {
			if err := w.putAt(sheet, row, k, cell{nil, cl.s}); err != nil {
				return err
			}
		}
		if last > c {
			if err := w.merge(sheet, row, c, last); err != nil {
				return err
			}
		}
		c = last + 1
	}
	return nil
}

// merge merges columns c1..c2 of a row of a normal sheet; a wrapped text in c1 then gets the
// height it needs in the merged width (neither Excel nor LibreOffice sizes a merged cell's row).
func (w *workbook) merge(sheet string, row, c1, c2 int) error {
	if w.spans != nil {
		m := w.spans[sheet]
		if m == nil {
			m = map[[2]int]int{}
			w.spans[sheet] = m
		}
		m[[2]int{row, c1}] = c2
	}
	return w.f.MergeCell(sheet, cellName(c1, row), cellName(c2, row))
}

// screenNote is said on the province workbook's long detail sheets (villages, addresses, OCOP
// products, online services), which the office filters on screen and which print their heading
// only, without the table's header (screenOnly): on paper the office reads the province's
// summary and ranking, and each recipient's workbook prints its own part in full.
const screenNote = "Bảng chi tiết này để lọc trên máy và không in: bản in của từng đơn vị có trong báo cáo gửi đơn vị đó; số liệu toàn tỉnh theo đơn vị xem trang " +
	sheetSummary + " và " + sheetRanking + "."

// screenOnly makes a sheet print its heading only, the rows above its table's header (a header
// printed without its rows reads as an empty table).
func (w *workbook) screenOnly(sheet string, lastCol, headerRow int) error {
	return w.printOnly(sheet, lastCol, headerRow-1)
}

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
	f := w.st.font(cells[0].s)
	if textWidthPt(text, f) <= cellRoomPt(total) {
		return 0, 0, 0, false // it fits on one line
	}
	return wrapped, len(widths), textHeight(text, total, f), true
}

// pager follows a normal sheet's printed pages while its rows are written, so that a table
// running over several pages can start each with its header row and a group of rows can move to
// the next page whole (print titles repeat one block of rows per sheet; a sheet of several
// tables needs each table's header written again where a page breaks). Heights are those
// keepOnPage follows (what wrapped text needs, at least one line), against a page a little shorter
// than the sheet's (pagerSlack), so the spreadsheet's own breaks never come first.
type pager struct {
	w    *workbook
	sh   string
	room float64 // the page's body height at the sheet's scale, in points
	used float64 // the height printed so far on the current page
	top  float64 // the height of the rows every page starts with (print titles)
}

// pagerSlack is the part of a page the pager uses: rows print at their stored heights, the others
// at the default, and 2% is left for the programs' rounding.
const pagerSlack = 0.98

// oneLinePt is the height a row without a stored height prints at: the sheet's default row height
// (LibreOffice prints the summary's one-line rows 37 to a page of 587 pt).
const oneLinePt = 15.0

// newPager follows sheet's pages from a page start; its column widths must be set.
func (w *workbook) newPager(sh string) *pager {
	return &pager{w: w, sh: sh, room: pagerSlack * pageHeightPt(printScale(w.widths[sh]))}
}

// height is the printed height of a row of cells from column 1 (a cell spanning columns as spans
// says, see streamRowSpans).
func (p *pager) height(cells []cell, spans map[int]int) float64 {
	if style, _, h, ok := p.w.asBanner(p.sh, 1, cells); ok && style != 0 {
		return max(oneLinePt, h)
	}
	return max(oneLinePt, p.w.spanHeight(p.w.widths[p.sh], 1, cells, spans))
}

// fits says whether rows of these heights fit in what is left of the current page.
func (p *pager) fits(hs ...float64) bool {
	sum := 0.0
	for _, h := range hs {
		sum += h
	}
	return p.used+sum <= p.room
}

// onePage says whether rows of these heights fit on one page.
func (p *pager) onePage(hs ...float64) bool {
	sum := p.top
	for _, h := range hs {
		sum += h
	}
	return sum <= p.room
}

// breakAt starts a page with row.
func (p *pager) breakAt(row int) error {
	p.used = p.top
	return p.w.breakBefore(p.sh, row)
}

// add counts a row of height h written on the page (a row taller than what is left starts the
// next page, as the spreadsheet breaks it).
func (p *pager) add(h float64) {
	if p.used+h > p.room && p.used > p.top {
		p.used = p.top
	}
	p.used += h
}

// keep starts a page at row when the rows of these heights from row (a title, a header and the
// first rows under them) do not fit in what is left of the current page but fit on one.
func (p *pager) keep(row int, hs ...float64) error {
	if p.used > p.top && !p.fits(hs...) && p.onePage(hs...) {
		return p.breakAt(row)
	}
	return nil
}

// table writes a table from row: its header row, then its rows, the header written again at the
// top of every page the table continues on (each time after a page break). The title row, when
// given, is kept on the page of the header and the first rows. It returns the rows holding the
// table's data (for charts: the header rows repeated are not data) and the next free row.
func (p *pager) table(row int, title *cell, hdr []cell, rows [][]cell) (data []int, next int, err error) {
	w, sh := p.w, p.sh
	hh := p.height(hdr, nil)
	block := []float64{hh}
	if title != nil {
		block = append([]float64{p.height([]cell{*title}, nil)}, block...)
	}
	for _, r := range rows[:min(len(rows), 5)] {
		block = append(block, p.height(r, nil))
	}
	if err := p.keep(row, block...); err != nil {
		return nil, 0, err
	}
	if title != nil {
		if err := w.put(sh, row, *title); err != nil {
			return nil, 0, err
		}
		p.add(block[0])
		row++
	}
	if err := w.put(sh, row, hdr...); err != nil {
		return nil, 0, err
	}
	p.add(hh)
	row++
	for _, r := range rows {
		h := p.height(r, nil)
		if !p.fits(h) {
			if err := p.breakAt(row); err != nil {
				return nil, 0, err
			}
			if err := w.put(sh, row, hdr...); err != nil {
				return nil, 0, err
			}
			p.add(hh)
			row++
		}
		if err := w.put(sh, row, r...); err != nil {
			return nil, 0, err
		}
		p.add(h)
		data = append(data, row)
		row++
	}
	return data, row, nil
}

// rowsRange is the reference of one column over the rows given (in order), for a chart's
// series: "'Sheet'!$B$5:$B$9", or the runs of consecutive rows joined,
// "('Sheet'!$B$5:$B$30,'Sheet'!$B$32:$B$70)", when a table's header is repeated among them.
func rowsRange(sheet string, col int, rows []int) string {
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		parts = append(parts, absRange(sheet, col, rows[i], rows[j]))
		i = j + 1
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ",") + ")"
}
