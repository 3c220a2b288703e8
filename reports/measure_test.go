package reports

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// TestTextMeasure: the row-height estimate measures Vietnamese text as Arial prints it — a letter
// as wide as its base letter (decomposed or not), ơ and ư wider, bold and larger fonts wider — and
// wraps it in the room of its column, so the summary's label of 33 characters takes one line in
// its merged 40-character span and several in a 6-character column.
func TestTextMeasure(t *testing.T) {
	body, bold, title := bodyFont, fontSpec{size: 10, bold: true}, fontSpec{size: 14, bold: true}
	if a, b := textWidthPt("Thôn thông minh", body), textWidthPt("Thon thong minh", body); a != b {
		t.Errorf("marks change the width: %.2f against %.2f", a, b)
	}
	nfc := "Số thôn, tổ dân phố được đánh giá"
	if a, b := textWidthPt(nfc, body), textWidthPt(norm.NFD.String(nfc), body); a != b {
		t.Errorf("decomposed text measures %.2f, composed %.2f", b, a)
	}
	if textWidthPt("ư", body) <= textWidthPt("u", body) || textWidthPt("Ơ", body) <= textWidthPt("O", body) {
		t.Error("the horned letters are not wider than their base")
	}
	if textWidthPt("Chưa đạt", bold) <= textWidthPt("Chưa đạt", body) {
		t.Error("bold is not wider")
	}
	if a, b := textWidthPt("BIỂU ĐỒ", title), textWidthPt("BIỂU ĐỒ", fontSpec{size: 10, bold: true}); a < 1.39*b || a > 1.41*b {
		t.Errorf("14 pt against 10 pt: %.2f against %.2f", a, b)
	}
	// 10 pt digits are 5.56 pt wide, a space 2.78: twelve and a space (69.5 pt) fit in a column of
	// 14 characters (73.7 pt of room), not in one of 12 (62.6).
	if n := textLines("000000 000000", 14, body); n != 1 {
		t.Errorf("12 digits in 14 characters: %d lines", n)
	}
	if n := textLines("000000 000000", 12, body); n != 2 {
		t.Errorf("12 digits in 12 characters: %d lines", n)
	}
	if n := textLines(nfc, 40, body); n != 1 {
		t.Errorf("the summary's label in its merged span: %d lines", n)
	}
	if n := textLines(nfc, 6, body); n < 5 {
		t.Errorf("the summary's label in 6 characters: %d lines", n)
	}
	if n := textLines("a\nb\n\nc", 20, body); n != 4 {
		t.Errorf("explicit line breaks: %d lines", n)
	}
	if h := textHeight(strings.Repeat("từ ", 2000), 10, body); h != 409 {
		t.Errorf("a very long text: %.1f pt, want Excel's limit 409", h)
	}
}

// TestTextChunks: a message too tall for one row is split at its line breaks into rows that each
// fit chunkHeightPt, losing nothing.
func TestTextChunks(t *testing.T) {
	w := scratchWorkbook(t)
	st := w.st
	var lines []string
	for i := 0; i < 120; i++ {
		lines = append(lines, "đơn vị cũ: Xã Tân Thành (cũ, 06442) → Xã Tân Thành (06445)")
	}
	msg := strings.Join(lines, "\n")
	if got := w.textChunks("ngắn", 30, st.wrap, "\n"); len(got) != 1 || got[0] != "ngắn" {
		t.Errorf("a short text: %q", got)
	}
	for _, sep := range []string{"\n", "; "} {
		chunks := w.textChunks(msg, 40, st.wrap, sep)
		if len(chunks) < 3 {
			t.Errorf("sep %q: %d chunks", sep, len(chunks))
		}
		for i, c := range chunks {
			if h := textHeight(c, 40, st.font(st.wrap)); h > chunkHeightPt {
				t.Errorf("sep %q: chunk %d is %.0f pt high", sep, i, h)
			}
		}
		if got := strings.Join(chunks, sep); got != strings.Join(lines, sep) {
			t.Errorf("sep %q: the chunks lose text", sep)
		}
	}
}

// TestKeepTogether: a block of rows kept together moves to the next page when it would not fit
// in what is left of the current one (rows of 15 pt at 100%: 32 rows a page), and stays where it
// is when it fits or starts a page.
func TestKeepTogether(t *testing.T) {
	w := scratchWorkbook(t)
	const sh = "Sheet1"
	w.scale[sh] = 100
	w.used[sh] = [2]int{3, 120}
	w.keepTogether(sh, 10, 5) // rows 10–14 fit on page 1
	w.keepTogether(sh, 30, 5) // rows 30–34 do not: the page breaks before 30
	w.keepTogether(sh, 62, 3) // page 2 holds rows 30–61: 62–64 start page 3 anyway
	if err := w.breakBefore(sh, 90); err != nil {
		t.Fatal(err)
	}
	w.keepTogether(sh, 90, 5) // starts a page already
	if err := w.keepOnPage(sh, map[int]float64{}); err != nil {
		t.Fatal(err)
	}
	var cuts []int
	for r := 1; r <= 120; r++ {
		if w.cuts[sh][r] {
			cuts = append(cuts, r)
		}
	}
	if got := itoaAll(cuts); got != "30,90" {
		t.Errorf("page breaks before rows %s, want 30,90", got)
	}
}

func itoaAll(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, itoa(n))
	}
	return strings.Join(s, ",")
}

// scratchWorkbook is an empty workbook with ntm's styles, for the layout helpers' tests.
func scratchWorkbook(t *testing.T) *workbook {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	st, err := newStyles(f)
	if err != nil {
		t.Fatal(err)
	}
	return newWorkbook(f, st)
}

// TestPagerRepeatsTheHeader: a table written through the pager breaks its pages before the rows
// that would not fit and writes its header again there (rows of 15 pt at 100%: a page of 487 pt
// less the pager's 2%, 477 pt), keeps its title (15.75 pt) with its header and first rows, and the
// chart reference over its data rows leaves the repeated headers out.
func TestPagerRepeatsTheHeader(t *testing.T) {
	w := scratchWorkbook(t)
	const sh = "Sheet1"
	w.widths[sh] = []float64{6, 30}
	p := w.newPager(sh)
	p.room = pagerSlack * pageHeightPt(100) // the sheet's scale: 100%
	title := cell{"TIÊU ĐỀ", w.st.section}
	hdr := []cell{w.hdr("STT"), w.hdr("Tên")}
	var rows [][]cell
	for i := 1; i <= 40; i++ {
		rows = append(rows, []cell{w.num(i), w.txt(fmt.Sprintf("Dòng %d", i))})
	}
	// 24 rows used already (360 pt): the title, header and first 5 rows still fit (105.75 pt).
	for i := 0; i < 24; i++ {
		p.add(15)
	}
	data, next, err := p.table(26, &title, hdr, rows)
	if err != nil {
		t.Fatal(err)
	}
	var cuts []int
	for r := 1; r <= next; r++ {
		if w.cuts[sh][r] {
			cuts = append(cuts, r)
		}
	}
	// Page 1: title 26, header 27, rows 1–5 (28–32); page 2: header 33, rows 6–35 (34–63); page
	// 3: header 64, rows 36–40.
	if got := itoaAll(cuts); got != "33,64" {
		t.Errorf("page breaks before rows %s, want 33,64", got)
	}
	for ref, want := range map[string]string{"A33": "STT", "A64": "STT", "B34": "Dòng 6", "B69": "Dòng 40"} {
		if v, _ := w.f.GetCellValue(sh, ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
	}
	if len(data) != 40 || next != 70 {
		t.Errorf("%d data rows, next row %d", len(data), next)
	}
	if got, want := rowsRange(sh, 2, data), "('Sheet1'!$B$28:$B$32,'Sheet1'!$B$34:$B$63,'Sheet1'!$B$65:$B$69)"; got != want {
		t.Errorf("rowsRange = %s, want %s", got, want)
	}
	// A title, header and first rows that would not fit move to the next page together.
	if _, err := w.f.NewSheet("Sheet2"); err != nil {
		t.Fatal(err)
	}
	w.widths["Sheet2"] = []float64{6, 30}
	q := w.newPager("Sheet2")
	q.room = pagerSlack * pageHeightPt(100)
	for i := 0; i < 28; i++ { // 420 pt: 75.75 more do not fit
		q.add(15)
	}
	if _, _, err := q.table(29, &title, hdr, rows[:3]); err != nil {
		t.Fatal(err)
	}
	if !w.cuts["Sheet2"][29] {
		t.Errorf("the table's title was left at the foot of the page (breaks %v)", w.cuts["Sheet2"])
	}
}
