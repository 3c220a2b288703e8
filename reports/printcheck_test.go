package reports

// Print and reader checks shared by the workbook tests: a workbook is opened the way its
// recipients open it, in a real spreadsheet program (LibreOffice, printed to PDF and read back with
// poppler) and by a reader that trusts the recorded dimension (openpyxl in read-only mode, as
// pandas-style readers do).
//
//   printWorkbook(t, path) printReport
//       Prints every sheet to PDF with LibreOffice headless and reports, per sheet, its pages, the
//       text of each page and the smallest font size of any word printed on it. Page counts per
//       sheet: for each visible sheet a copy of the workbook is made in which every other sheet is
//       hidden (only workbook.xml changes; LibreOffice prints no hidden sheet), and all the copies
//       are converted in one soffice run; the workbook as a whole is converted too
//       (printReport.Pages, printReport.PDF). A sheet hidden in the workbook is not printed by a
//       recipient either: it is reported with Hidden set and no pages.
//   assertLegible(t, rep, minPt)
//       Fails for every visible sheet that prints nothing, or prints a word smaller than minPt.
//   assertPrintsWhole(t, rep)
//       Fails for every visible sheet that prints a page of column fragments (fragmentPages: a
//       page whose text lies in a band narrower than a third of the sheet's widest page, or starts
//       a quarter of the page right of the sheet's first page — a table wider than the page, or an
//       unwrapped text running past the last column, which LibreOffice prints on pages of its own),
//       or words over other words (overlaps: the glyphs' bodies of two words intersect — a row too
//       low for its wrapped text prints its last lines over the next row, a text longer than its
//       cell runs under its neighbour's). Both read `pdftotext -bbox-layout`, without the page
//       header and footer (printedSheet.Layout).
//   openpyxlRead(t, path) []openpyxlSheet
//       What openpyxl (read-only) sees on each sheet: the recorded dimension, the rows it yields
//       trusting it, and (after reset_dimensions) the last row and column holding a cell or a value.
//   assertDimensionsTrue(t, path)
//       Fails for every sheet whose recorded dimension hides a value from openpyxl, or claims rows
//       or columns beyond the last cell written.
//
// Font size method (documented because it is derived, not read): `pdftotext -bbox` gives each
// word's box; poppler computes a word's height as (ascent − descent) × the font size in device
// space (after the text matrix and the CTM, so a page scaled to fit prints smaller words).
// LibreOffice writes Ascent 0 and Descent 0 in the font descriptors of its embedded subsets, for
// which poppler uses its defaults 0.95 and −0.35: height = 1.3 × size. pdfFontRatio reads every
// FontDescriptor of the PDF and takes the largest (ascent − descent) among them (the defaults for
// zeros), so the size derived from a box is never larger than the true size of any font in the file
// (a lower bound when fonts differ; exact for LibreOffice's output). Calibrated in
// TestPrintCheckHelpers: cells of 7.5, 8 and 14 pt print as 7.5, 8 and 14 pt. LibreOffice rounds
// font sizes to its internal unit (8 pt is written as 7.994 pt), so sizes are compared with a
// tolerance of 0.05 pt (fontTolerance). Text turned 90° has its box's height along the text and is
// not measured small; words in charts (titles, axes, legends) are measured like any other.
//
// soffice (libreoffice-calc-nogui), pdftotext/pdfinfo (poppler-utils) and python3-openpyxl are
// installed by .ci/run; a test using these helpers is skipped, saying which, only when one is
// absent. Each soffice run has its own profile (-env:UserInstallation), so parallel tests do not
// collide.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"ntm"
)

// fontTolerance absorbs LibreOffice's rounding of font sizes (8 pt prints as 7.994 pt).
const fontTolerance = 0.05

// printedSheet is one sheet as LibreOffice prints it.
type printedSheet struct {
	Name      string
	Hidden    bool      // hidden in the workbook: a recipient does not print it
	Pages     int       // pages the sheet prints on
	PageText  []string  // the words of each page, space-separated, in reading order
	MinFontPt float64   // smallest font size of any word printed (0 when nothing is printed)
	MinWord   string    // a word printed at that size
	PDF       string    // the PDF of this sheet alone
	Layout    []pdfPage // the words of each page and where they are printed
}

// printReport is a workbook as LibreOffice prints it.
type printReport struct {
	Sheets    []printedSheet // in workbook order
	Pages     int            // pages of the whole workbook printed at once
	MinFontPt float64        // smallest over the printed sheets
	PDF       string         // the PDF of the whole workbook
}

// sheet returns the printed sheet of that name, failing the test when there is none.
func (r printReport) sheet(t testing.TB, name string) printedSheet {
	t.Helper()
	for _, s := range r.Sheets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sheet %q printed (sheets: %v)", name, r.names())
	return printedSheet{}
}

func (r printReport) names() []string {
	var n []string
	for _, s := range r.Sheets {
		n = append(n, s.Name)
	}
	return n
}

// String is one line per sheet, for test logs.
func (r printReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d pages, smallest text %.2f pt", r.Pages, r.MinFontPt)
	for _, s := range r.Sheets {
		if s.Hidden {
			fmt.Fprintf(&b, "\n  %s: hidden, not printed", s.Name)
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %d pages, smallest text %.2f pt (%q)", s.Name, s.Pages, s.MinFontPt, s.MinWord)
	}
	return b.String()
}

// needTool skips the test when a program the print checks need is not installed.
func needTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed: the print checks need it (apt-get install %s; .ci/run installs it)", name, pkg)
	}
	return p
}

// sofficeConvert converts workbooks to PDF into outdir in one LibreOffice run with a private profile.
func sofficeConvert(t testing.TB, outdir string, paths ...string) {
	t.Helper()
	var bin string
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("LibreOffice (soffice) is not installed: the print checks need it (apt-get install libreoffice-calc-nogui; .ci/run installs it)")
	}
	profile, err := os.MkdirTemp("", "ntm-soffice-profile-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=file://" + profile,
		"--convert-to", "pdf", "--outdir", outdir}, paths...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+profile) // nothing of the user's LibreOffice is read or written
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	for _, p := range paths {
		pdf := filepath.Join(outdir, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))+".pdf")
		if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
			t.Fatalf("soffice wrote no PDF for %s (%v)", p, err)
		}
	}
}

// workbookSheet is a <sheet> of xl/workbook.xml.
type workbookSheet struct {
	name   string
	hidden bool
}

var (
	reSheetElem = regexp.MustCompile(`<sheet\b[^>]*?/?>`)
	reAttr      = regexp.MustCompile(`\s([A-Za-z:]+)="([^"]*)"`)
	reStateAttr = regexp.MustCompile(`\sstate="[^"]*"`)
	reWbView    = regexp.MustCompile(`<workbookView\b[^>]*?/?>`)
	reActiveTab = regexp.MustCompile(`\s(activeTab|firstSheet)="[^"]*"`)
	// A sheet's print area: LibreOffice prints a hidden sheet that has one, so the copies keep
	// only the visible sheet's.
	rePrintArea   = regexp.MustCompile(`<definedName\b[^>]*\blocalSheetId="(\d+)"[^>]*\bname="_xlnm\.Print_Area"[^>]*>[^<]*</definedName>|<definedName\b[^>]*\bname="_xlnm\.Print_Area"[^>]*\blocalSheetId="(\d+)"[^>]*>[^<]*</definedName>`)
	reFontDescAsc = regexp.MustCompile(`/Ascent\s+(-?[0-9.]+)`)
	reFontDescDes = regexp.MustCompile(`/Descent\s+(-?[0-9.]+)`)
)

func xmlUnescape(s string) string {
	var out string
	if err := xml.Unmarshal([]byte("<x>"+s+"</x>"), &out); err != nil {
		return s
	}
	return out
}

// readWorkbookXML returns the workbook part and its sheets in order.
func readWorkbookXML(t testing.TB, path string) (string, []workbookSheet) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		var sheets []workbookSheet
		for _, el := range reSheetElem.FindAllString(string(b), -1) {
			var s workbookSheet
			for _, a := range reAttr.FindAllStringSubmatch(el, -1) {
				switch a[1] {
				case "name":
					s.name = xmlUnescape(a[2])
				case "state":
					s.hidden = a[2] == "hidden" || a[2] == "veryHidden"
				}
			}
			sheets = append(sheets, s)
		}
		return string(b), sheets
	}
	t.Fatalf("%s: no xl/workbook.xml", path)
	return "", nil
}

// withOnlySheet writes a copy of the workbook at src to dst in which only sheet k is visible
// (and active); every other part is copied byte for byte.
func withOnlySheet(t testing.TB, src, dst, wbXML string, k int) {
	t.Helper()
	i := 0
	out := reSheetElem.ReplaceAllStringFunc(wbXML, func(el string) string {
		el = reStateAttr.ReplaceAllString(el, "")
		if i != k {
			el = strings.Replace(el, "<sheet ", `<sheet state="hidden" `, 1)
		}
		i++
		return el
	})
	out = rePrintArea.ReplaceAllStringFunc(out, func(el string) string {
		m := rePrintArea.FindStringSubmatch(el)
		if m[1] == fmt.Sprint(k) || m[2] == fmt.Sprint(k) {
			return el
		}
		return ""
	})
	out = reWbView.ReplaceAllStringFunc(out, func(el string) string {
		el = reActiveTab.ReplaceAllString(el, "")
		return strings.Replace(el, "<workbookView", fmt.Sprintf(`<workbookView activeTab="%d" firstSheet="%d"`, k, k), 1)
	})
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	fh, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zw := zip.NewWriter(fh)
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, out); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// pdfFontRatio is the largest (ascent − descent) over the font descriptors of a PDF, with
// poppler's defaults (0.95, −0.35) for the zeros LibreOffice writes: a word box's height divided
// by it is a lower bound of the word's font size (exact when every font has the same ratio).
func pdfFontRatio(t testing.TB, pdf string) float64 {
	t.Helper()
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	ratio := 0.0
	for _, part := range bytes.Split(b, []byte("/FontDescriptor"))[1:] {
		end := bytes.Index(part, []byte(">>"))
		if end < 0 {
			continue
		}
		d := part[:end]
		asc, des := 0.95, -0.35
		if m := reFontDescAsc.FindSubmatch(d); m != nil {
			if v, _ := strconv.ParseFloat(string(m[1]), 64); v != 0 && math.Abs(v) < 3000 {
				asc = math.Abs(v) / 1000
			}
		}
		if m := reFontDescDes.FindSubmatch(d); m != nil {
			if v, _ := strconv.ParseFloat(string(m[1]), 64); v != 0 && math.Abs(v) < 3000 {
				des = v / 1000
				if des > 0 {
					des = -des
				}
			}
		}
		ratio = math.Max(ratio, asc-des)
	}
	if ratio == 0 {
		ratio = 1.3 // no descriptor readable (object streams): poppler's defaults
	}
	return ratio
}

// pdfWord is one word as `pdftotext -bbox-layout` places it, with the text line it belongs to.
type pdfWord struct {
	XMin, YMin, XMax, YMax float64
	Line                   int // the line's number on its page (words of one line share it)
	Block                  int // the text block's (paragraph's) number: the lines of one cell's wrapped text share it
	Text                   string
}

// pdfPage is one printed page: its size and its words.
type pdfPage struct {
	Width, Height float64
	Words         []pdfWord
}

// readLayout reads the pages of a PDF with `pdftotext -bbox-layout`.
func readLayout(t testing.TB, pdf string) []pdfPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox-layout %s: %v", pdf, err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	attr := func(e xml.StartElement, name string) float64 {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				v, _ := strconv.ParseFloat(a.Value, 64)
				return v
			}
		}
		return 0
	}
	var pages []pdfPage
	line, block := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("pdftotext -bbox-layout %s: %v", pdf, err)
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch e.Name.Local {
		case "page":
			pages = append(pages, pdfPage{Width: attr(e, "width"), Height: attr(e, "height")})
		case "line":
			line++
		case "block":
			block++
		case "word":
			var text string
			if err := dec.DecodeElement(&text, &e); err != nil {
				t.Fatalf("pdftotext -bbox-layout %s: %v", pdf, err)
			}
			if len(pages) == 0 {
				continue
			}
			p := &pages[len(pages)-1]
			p.Words = append(p.Words, pdfWord{XMin: attr(e, "xMin"), YMin: attr(e, "yMin"), XMax: attr(e, "xMax"), YMax: attr(e, "yMax"),
				Line: line, Block: block, Text: text})
		}
	}
	return pages
}

// readPDF returns the page count, the text of each page, the smallest font size of a PDF and
// the pages' words.
func readPDF(t testing.TB, pdf string) (pages int, text []string, minPt float64, minWord string, layout []pdfPage) {
	t.Helper()
	needTool(t, "pdftotext", "poppler-utils")
	needTool(t, "pdfinfo", "poppler-utils")
	info, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", pdf, err, info)
	}
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info); m != nil {
		pages, _ = strconv.Atoi(string(m[1]))
	}
	layout = readLayout(t, pdf)
	if len(layout) != pages {
		t.Fatalf("%s: pdfinfo says %d pages, pdftotext read %d", pdf, pages, len(layout))
	}
	ratio := pdfFontRatio(t, pdf)
	for _, p := range layout {
		var words []string
		upright := uprightLines(p)
		for _, w := range p.Words {
			words = append(words, w.Text)
			if strings.TrimSpace(w.Text) == "" {
				continue
			}
			h := w.YMax - w.YMin
			if upright[w.Line] {
				h = w.XMax - w.XMin // turned 90° (a chart's names): the box's width is the line's height
			}
			if pt := h / ratio; minPt == 0 || pt < minPt {
				minPt, minWord = pt, w.Text
			}
		}
		text = append(text, strings.Join(words, " "))
	}
	return pages, text, math.Round(minPt*1000) / 1000, minWord, layout
}

// uprightLines are the lines of a page printed turned 90° (a chart's category names): lines of
// two words or more stacked one above the other in one column, where a line's words run side
// by side.
func uprightLines(p pdfPage) map[int]bool {
	byLine := map[int][]pdfWord{}
	for _, w := range p.Words {
		byLine[w.Line] = append(byLine[w.Line], w)
	}
	out := map[int]bool{}
	for l, ws := range byLine {
		if len(ws) < 2 {
			continue
		}
		up := true
		for i := 1; i < len(ws) && up; i++ {
			a, b := ws[i-1], ws[i]
			sameColumn := math.Abs(a.XMin-b.XMin) < 1 && math.Abs(a.XMax-b.XMax) < 1
			stacked := a.YMax <= b.YMin+0.5 || b.YMax <= a.YMin+0.5
			up = sameColumn && stacked
		}
		out[l] = up
	}
	return out
}

// printWorkbook prints a workbook with LibreOffice, whole and sheet by sheet (see the top of the file).
func printWorkbook(t testing.TB, path string) printReport {
	t.Helper()
	needTool(t, "pdftotext", "poppler-utils")
	needTool(t, "pdfinfo", "poppler-utils")
	dir := t.TempDir()
	wbXML, sheets := readWorkbookXML(t, path)
	whole := filepath.Join(dir, "whole.xlsx")
	if err := copyFile(path, whole); err != nil {
		t.Fatal(err)
	}
	inputs := []string{whole}
	for k, s := range sheets {
		if !s.hidden {
			p := filepath.Join(dir, fmt.Sprintf("sheet%02d.xlsx", k+1))
			withOnlySheet(t, path, p, wbXML, k)
			inputs = append(inputs, p)
		}
	}
	sofficeConvert(t, dir, inputs...)
	rep := printReport{PDF: filepath.Join(dir, "whole.pdf")}
	rep.Pages, _, rep.MinFontPt, _, _ = readPDF(t, rep.PDF)
	for k, s := range sheets {
		ps := printedSheet{Name: s.name, Hidden: s.hidden}
		if !s.hidden {
			ps.PDF = filepath.Join(dir, fmt.Sprintf("sheet%02d.pdf", k+1))
			ps.Pages, ps.PageText, ps.MinFontPt, ps.MinWord, ps.Layout = readPDF(t, ps.PDF)
		}
		rep.Sheets = append(rep.Sheets, ps)
	}
	return rep
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// assertLegible fails for every visible sheet that prints nothing or prints text below minPt.
func assertLegible(t testing.TB, rep printReport, minPt float64) {
	t.Helper()
	for _, s := range rep.Sheets {
		switch {
		case s.Hidden:
		case s.Pages == 0 || s.MinFontPt == 0:
			t.Errorf("sheet %q prints nothing", s.Name)
		case s.MinFontPt < minPt-fontTolerance:
			t.Errorf("sheet %q prints %q at %.2f pt, below %.0f pt", s.Name, s.MinWord, s.MinFontPt, minPt)
		}
	}
}

// hfZone is how far from a page's top and bottom edges its header and footer print (0.3" from
// the edge, one line of 10 pt): words there are not the sheet's body.
const hfZone = 40.0

// bodyWords are a page's words between its header and its footer.
func (p pdfPage) bodyWords() []pdfWord {
	var out []pdfWord
	for _, w := range p.Words {
		if w.YMin >= hfZone && w.YMax <= p.Height-hfZone && strings.TrimSpace(w.Text) != "" {
			out = append(out, w)
		}
	}
	return out
}

// band is the horizontal extent of a page's body text; ok is false on a page without any.
func (p pdfPage) band() (x0, x1 float64, ok bool) {
	for i, w := range p.bodyWords() {
		if i == 0 || w.XMin < x0 {
			x0 = w.XMin
		}
		if i == 0 || w.XMax > x1 {
			x1 = w.XMax
		}
		ok = true
	}
	return x0, x1, ok
}

// fragmentPages describes the pages of a printed sheet that hold only pieces of columns to the
// right of its table — what a sheet wider than the page, or a text running past its last column,
// prints after the table's own pages: a page whose body text lies in a band narrower than a
// third of the sheet's widest page, or that starts more than a quarter of the page's printable
// width (A4 less 0.4" margins) to the right of where the sheet's first page starts (a centred
// sheet centres such a page's few columns).
func fragmentPages(s printedSheet) []string {
	type band struct{ x0, x1 float64 }
	bands := make([]*band, len(s.Layout))
	widest := 0.0
	for i, p := range s.Layout {
		if x0, x1, ok := p.band(); ok {
			bands[i] = &band{x0, x1}
			widest = max(widest, x1-x0)
		}
	}
	var out []string
	first := -1.0
	for i, b := range bands {
		if b == nil {
			continue
		}
		if first < 0 {
			first = b.x0
			continue
		}
		printable := s.Layout[i].Width - 2*0.4*72
		switch {
		case b.x1-b.x0 < widest/3:
			out = append(out, fmt.Sprintf("page %d holds text only between x=%.0f and x=%.0f pt (%.0f%% of the sheet's widest page): %.80q",
				i+1, b.x0, b.x1, 100*(b.x1-b.x0)/widest, s.PageText[i]))
		case b.x0 > first+printable/4:
			out = append(out, fmt.Sprintf("page %d starts at x=%.0f pt, the sheet's first page at x=%.0f pt: columns printed on a page of their own: %.80q",
				i+1, b.x0, first, s.PageText[i]))
		}
	}
	return out
}

// overlaps describes the words of a printed sheet drawn over other words: a row too low for its
// wrapped text prints its last lines over the next row's, and a text longer than its cell runs
// under its neighbour's. A word's box from poppler is (ascent − descent) × its size high (see the
// top of the file); the part compared is the glyphs' body, from the baseline up to 0.65 of the
// size, so the lines of one wrapped paragraph (1.12 × the size apart) never touch, while lines
// printed over each other do. Boxes must share more than 1 pt each way.
func overlaps(s printedSheet, ratio float64) []string {
	type box struct {
		x0, x1, y0, y1 float64
		w              pdfWord
	}
	var out []string
	for i, p := range s.Layout {
		var boxes []box
		for _, w := range p.bodyWords() {
			h := w.YMax - w.YMin
			if h <= 0 || (utf8.RuneCountInString(w.Text) > 1 && w.XMax-w.XMin < h/2) {
				continue // turned text
			}
			size := h / ratio
			base := w.YMax - 0.35*size
			boxes = append(boxes, box{w.XMin, w.XMax, base - 0.65*size, base, w})
		}
		sort.Slice(boxes, func(a, b int) bool { return boxes[a].y0 < boxes[b].y0 })
		found := 0
		for a := range boxes {
			for b := a + 1; b < len(boxes) && boxes[b].y0 < boxes[a].y1-1; b++ {
				A, B := boxes[a], boxes[b]
				if min(A.x1, B.x1)-max(A.x0, B.x0) > 1 && min(A.y1, B.y1)-max(A.y0, B.y0) > 1 {
					found++
					if found <= 3 {
						out = append(out, fmt.Sprintf("page %d: %q (x=%.0f, y=%.0f) and %q (x=%.0f, y=%.0f) are printed over each other",
							i+1, A.w.Text, A.x0, A.y1, B.w.Text, B.x0, B.y1))
					}
				}
			}
		}
		if found > 3 {
			out = append(out, fmt.Sprintf("page %d: %d words in all printed over others", i+1, found))
		}
	}
	return out
}

// assertPrintsWhole fails for every visible sheet that prints a page of column fragments (it is
// wider than one page, or a text runs past its last column) or words over other words (a row too
// low for its wrapped text, a text longer than its cell).
func assertPrintsWhole(t testing.TB, rep printReport) {
	t.Helper()
	for _, s := range rep.Sheets {
		if s.Hidden || s.PDF == "" {
			continue
		}
		for _, f := range fragmentPages(s) {
			t.Errorf("sheet %q: %s", s.Name, f)
		}
		for _, o := range overlaps(s, pdfFontRatio(t, s.PDF)) {
			t.Errorf("sheet %q: %s", s.Name, o)
		}
	}
}

// openpyxlSheet is what openpyxl in read-only mode sees on one sheet.
type openpyxlSheet struct {
	Title     string     `json:"title"`
	Dimension string     `json:"dimension"` // as recorded ("A1:K40"; "" when none)
	MaxRow    int        `json:"max_row"`   // from the recorded dimension
	MaxCol    int        `json:"max_col"`
	Rows      [][]string `json:"rows"` // the rows it yields trusting the dimension; "" for no value
	// After reset_dimensions (every row of the sheet's XML read): the last row and column with a
	// cell element (styled or not), and with a value.
	LastCellRow  int `json:"last_cell_row"`
	LastCellCol  int `json:"last_cell_col"`
	LastValueRow int `json:"last_value_row"`
	LastValueCol int `json:"last_value_col"`
}

const openpyxlScript = `
import json, sys, datetime
from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell
from openpyxl.utils import range_boundaries

def text(v):
    if v is None:
        return ""
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    return str(v)

out = []
wb = load_workbook(sys.argv[1], read_only=True, data_only=True)
for ws in wb.worksheets:
    s = {"title": ws.title, "dimension": "", "max_row": 0, "max_col": 0, "rows": [],
         "last_cell_row": 0, "last_cell_col": 0, "last_value_row": 0, "last_value_col": 0}
    try:
        s["dimension"] = ws.calculate_dimension()
    except ValueError:
        pass
    s["max_row"] = ws.max_row or 0
    s["max_col"] = ws.max_column or 0
    for row in ws.iter_rows(values_only=True):
        s["rows"].append([text(v) for v in row])
    ws.reset_dimensions()
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c, EmptyCell):
                continue
            s["last_cell_row"] = max(s["last_cell_row"], c.row)
            s["last_cell_col"] = max(s["last_cell_col"], c.column)
            if c.value is not None and c.value != "":
                s["last_value_row"] = max(s["last_value_row"], c.row)
                s["last_value_col"] = max(s["last_value_col"], c.column)
    out.append(s)
wb.close()
json.dump(out, sys.stdout)
`

// openpyxlRead runs openpyxl (read-only, data_only) on a workbook; see openpyxlSheet.
func openpyxlRead(t testing.TB, path string) []openpyxlSheet {
	t.Helper()
	py := "/usr/bin/python3"
	if b, err := exec.Command(py, "-c", "import openpyxl").CombinedOutput(); err != nil {
		t.Skipf("openpyxl is not installed for %s: the reader check needs it (apt-get install python3-openpyxl; .ci/run installs it): %v %s", py, err, b)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(py, "-c", openpyxlScript, path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl on %s: %v\n%s", path, err, stderr.String())
	}
	var sheets []openpyxlSheet
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl on %s: %v", path, err)
	}
	return sheets
}

// assertDimensionsTrue fails for every sheet whose recorded dimension hides a value from a reader
// that trusts it, or claims rows or columns beyond the last cell written.
func assertDimensionsTrue(t testing.TB, path string) []openpyxlSheet {
	t.Helper()
	sheets := openpyxlRead(t, path)
	for _, s := range sheets {
		if s.MaxRow < s.LastValueRow || s.MaxCol < s.LastValueCol {
			t.Errorf("%s, sheet %q: dimension %q hides values up to row %d, column %d from openpyxl (it sees %d rows)",
				filepath.Base(path), s.Title, s.Dimension, s.LastValueRow, s.LastValueCol, len(s.Rows))
		}
		if s.MaxRow > s.LastCellRow || s.MaxCol > s.LastCellCol {
			t.Errorf("%s, sheet %q: dimension %q goes beyond the last cell written (row %d, column %d)",
				filepath.Base(path), s.Title, s.Dimension, s.LastCellRow, s.LastCellCol)
		}
	}
	return sheets
}

// TestPrintCheckHelpers proves the helpers above: on a workbook of known font sizes, page counts,
// a hidden sheet, a one-cell dimension, a text running past the page and a row too low for its
// text, and on the workbooks and a template as written now.
func TestPrintCheckHelpers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calibration.xlsx")
	f := excelize.NewFile()
	style := func(pt float64) int {
		id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: pt}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// "Lớn": 14 pt and 8 pt, one page.
	must(f.SetSheetName("Sheet1", "Lớn"))
	must(f.SetCellValue("Lớn", "A1", "Tiêu đề lớn"))
	must(f.SetCellStyle("Lớn", "A1", "A1", style(14)))
	must(f.SetCellValue("Lớn", "A2", "Chữ tám điểm"))
	must(f.SetCellStyle("Lớn", "A2", "A2", style(8)))
	// "Nhỏ": 7.5 pt, and 150 rows of 11 pt text on A4 portrait: more than one page.
	_, err := f.NewSheet("Nhỏ")
	must(err)
	must(f.SetCellValue("Nhỏ", "A1", "Chữ bảy rưỡi"))
	must(f.SetCellStyle("Nhỏ", "A1", "A1", style(7.5)))
	for r := 2; r <= 150; r++ {
		must(f.SetCellValue("Nhỏ", cellName(1, r), fmt.Sprintf("Dòng %d", r)))
	}
	must(f.SetSheetDimension("Nhỏ", "A1:A150")) // excelize records A1 unless told
	// "Ẩn": hidden, never printed.
	_, err = f.NewSheet("Ẩn")
	must(err)
	must(f.SetCellValue("Ẩn", "A1", "không in"))
	must(f.SetSheetVisible("Ẩn", false))
	// "Luồng": streamed without a dimension: excelize records A1, openpyxl sees one cell.
	_, err = f.NewSheet("Luồng")
	must(err)
	sw, err := f.NewStreamWriter("Luồng")
	must(err)
	for r := 1; r <= 5; r++ {
		must(sw.SetRow(cellName(1, r), []any{"x", r}))
	}
	must(sw.Flush())
	// "Tràn": a table just narrower than the page (centred, as the reports print), whose last
	// column holds a text running past it: LibreOffice prints the text's end on a page of its own.
	_, err = f.NewSheet("Tràn")
	must(err)
	must(f.SetColWidth("Tràn", "A", "D", 15)) // 7 pt a character in this workbook's default font
	must(f.SetColWidth("Tràn", "E", "E", 8))
	for c := 'A'; c <= 'D'; c++ {
		must(f.SetCellValue("Tràn", string(c)+"1", "Cột "+string(c)))
	}
	must(f.SetCellValue("Tràn", "E1", "Ghi chú chạy quá lề phải"))
	center := true
	must(f.SetPageMargins("Tràn", &excelize.PageLayoutMarginsOptions{Horizontally: &center}))
	// "Chồng": a wrapped text in a row one line high prints its lines over the next row's text.
	_, err = f.NewSheet("Chồng")
	must(err)
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	must(err)
	must(f.SetColWidth("Chồng", "A", "A", 20))
	must(f.SetCellValue("Chồng", "A1", "Giải thích dài được xuống dòng trong một ô hẹp nhưng dòng của nó chỉ cao một dòng chữ"))
	must(f.SetCellStyle("Chồng", "A1", "A1", wrap))
	must(f.SetRowHeight("Chồng", 1, 13))
	must(f.SetCellValue("Chồng", "A2", "Dòng tiếp theo"))
	must(f.SetCellValue("Chồng", "A3", "Dòng thứ ba"))
	// "Hẹp": a sentence wrapped in a column five characters wide prints one word a line.
	_, err = f.NewSheet("Hẹp")
	must(err)
	must(f.SetColWidth("Hẹp", "A", "A", 5))
	must(f.SetColWidth("Hẹp", "B", "B", 30))
	must(f.SetCellValue("Hẹp", "A1", "Các tệp này còn ghi thôn xã theo tên hoặc mã cũ trước khi sắp xếp đơn vị"))
	must(f.SetCellStyle("Hẹp", "A1", "A1", wrap))
	must(f.SetRowHeight("Hẹp", 1, 300))
	must(f.SetCellValue("Hẹp", "B1", "Bảng bên cạnh"))
	must(f.SaveAs(path))
	must(f.Close())

	rep := printWorkbook(t, path)
	t.Logf("calibration workbook: %s", rep)
	big, small, hidden, stream := rep.sheet(t, "Lớn"), rep.sheet(t, "Nhỏ"), rep.sheet(t, "Ẩn"), rep.sheet(t, "Luồng")
	if big.Pages != 1 || math.Abs(big.MinFontPt-8) > fontTolerance || !strings.Contains(big.PageText[0], "Tiêu đề lớn") {
		t.Errorf("Lớn: %+v", big)
	}
	if small.Pages < 2 || math.Abs(small.MinFontPt-7.5) > fontTolerance || strings.Contains(small.PageText[0], "Tiêu đề") {
		t.Errorf("Nhỏ: %d pages, %.3f pt", small.Pages, small.MinFontPt)
	}
	if !hidden.Hidden || hidden.Pages != 0 {
		t.Errorf("Ẩn: %+v", hidden)
	}
	if stream.Pages != 1 {
		t.Errorf("Luồng: %+v", stream)
	}
	// The print-whole checks: the spilled text's page and the overlapping lines are found, and
	// nothing on the sheets printed as they should.
	spill, over := rep.sheet(t, "Tràn"), rep.sheet(t, "Chồng")
	if fr := fragmentPages(spill); spill.Pages != 2 || len(fr) != 1 || !strings.HasPrefix(fr[0], "page 2 ") {
		t.Errorf("Tràn: %d pages, fragments %q", spill.Pages, fr)
	}
	if ov := overlaps(over, pdfFontRatio(t, over.PDF)); len(ov) == 0 || !strings.Contains(strings.Join(ov, " "), "tiếp") {
		t.Errorf("Chồng: overlaps %q", ov)
	}
	narrow := rep.sheet(t, "Hẹp")
	if wc := wordColumns(narrow); len(wc) != 1 || !strings.Contains(wc[0], "tệp này còn") {
		t.Errorf("Hẹp: word columns %q", wc)
	}
	for _, s := range []printedSheet{big, small, stream, spill, over} {
		if wc := wordColumns(s); len(wc) > 0 {
			t.Errorf("%s: word columns %q", s.Name, wc)
		}
	}
	for _, s := range []printedSheet{big, small, stream} {
		if fr, ov := fragmentPages(s), overlaps(s, pdfFontRatio(t, s.PDF)); len(fr)+len(ov) > 0 {
			t.Errorf("%s: fragments %q, overlaps %q", s.Name, fr, ov)
		}
	}
	if rep.Pages != big.Pages+small.Pages+stream.Pages+spill.Pages+over.Pages+narrow.Pages || math.Abs(rep.MinFontPt-7.5) > fontTolerance {
		t.Errorf("whole workbook: %d pages, %.3f pt", rep.Pages, rep.MinFontPt)
	}
	// The 14 pt title alone: the derived size is the cell's size.
	_, _, pt, _, _ := readPDF(t, big.PDF)
	if math.Abs(pt-8) > fontTolerance {
		t.Errorf("Lớn alone: %.3f pt", pt)
	}
	// The sheets below 8 pt, as assertLegible would name them.
	var msgs []string
	for _, s := range rep.Sheets {
		if !s.Hidden && s.MinFontPt < 8-fontTolerance {
			msgs = append(msgs, s.Name)
		}
	}
	if strings.Join(msgs, ",") != "Nhỏ" {
		t.Errorf("below 8 pt: %v", msgs)
	}

	sheets := openpyxlRead(t, path)
	byTitle := map[string]openpyxlSheet{}
	for _, s := range sheets {
		byTitle[s.Title] = s
	}
	if s := byTitle["Luồng"]; s.Dimension != "A1:A1" && s.Dimension != "A1" || len(s.Rows) != 1 || s.LastValueRow != 5 || s.LastValueCol != 2 {
		t.Errorf("Luồng as openpyxl sees it: %+v", s)
	}
	if s := byTitle["Nhỏ"]; s.MaxRow != 150 || len(s.Rows) != 150 || s.Rows[149][0] != "Dòng 150" {
		t.Errorf("Nhỏ as openpyxl sees it: dimension %q, %d rows", s.Dimension, len(s.Rows))
	}

	// The workbooks as written now, and a template: logged, for the streams that rebuild them.
	pool := fixture(t)
	ocopFixture(t, pool)
	for _, p := range append(writeAll(t, pool, ""), writeTemplate(t, unitsDB(t), ntm.DatasetVillageSurvey, "187")) {
		rep := printWorkbook(t, p)
		sum := 0
		for _, s := range rep.Sheets {
			sum += s.Pages
		}
		if sum != rep.Pages {
			t.Errorf("%s: the sheets print %d pages one by one, %d together", filepath.Base(p), sum, rep.Pages)
		}
		var dims []string
		for _, s := range openpyxlRead(t, p) {
			dims = append(dims, fmt.Sprintf("%s %s (%d rows seen, values to row %d)", s.Title, s.Dimension, len(s.Rows), s.LastValueRow))
		}
		t.Logf("%s: %s\n  openpyxl: %s", filepath.Base(p), rep, strings.Join(dims, "; "))
	}
}

// Table checks, on the words of each printed page (without its header and footer). Every table
// of the reports begins with an "STT" column, which anchors them: a table's header row is the
// row holding the word "STT" at its left, its data rows are the words below it.

// sectionTitle is a line that may start a printed page instead of a table's header: a section's
// title ("II. CHỈ SỐ TOÀN TỈNH", "A. ƯU TIÊN", "CHÚ THÍCH", "Quy ước", "BIỂU ĐỒ"), or the
// sheet's own title (its first page).
var sectionTitle = regexp.MustCompile(`^([IVX]+\.|[A-Z]\.|[0-9]+\.) |^(CHÚ THÍCH|BIỂU ĐỒ|TÌNH HÌNH|Quy ước)`)

// lines are a page's body words grouped by the lines pdftotext finds, top to bottom.
func (p pdfPage) lines() [][]pdfWord {
	var out [][]pdfWord
	idx := map[int]int{}
	for _, w := range p.bodyWords() {
		k, ok := idx[w.Line]
		if !ok {
			k = len(out)
			idx[w.Line] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], w)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a][0].YMin < out[b][0].YMin })
	return out
}

func lineText(l []pdfWord) string {
	var s []string
	for _, w := range l {
		s = append(s, w.Text)
	}
	return strings.Join(s, " ")
}

// sttWords are a page's "STT" words (or "Hạng", the ranking's first column): the first column
// of each table header printed on it.
func (p pdfPage) sttWords() []pdfWord {
	var out []pdfWord
	for _, w := range p.bodyWords() {
		if w.Text == "STT" || w.Text == "Hạng" {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].YMin < out[b].YMin })
	return out
}

// headerBandPt is how far a wrapped header cell's lines reach above or below the "STT" of its
// row (a header of five lines of 10 pt, centred).
const headerBandPt = 40.0

// headerlessPages describes the pages of a printed sheet, after its first, that begin in the
// middle of a table: the first line of body text is neither a section title nor part of a table
// header (a header's "STT" within headerBandPt of the top of the page).
func headerlessPages(s printedSheet) []string {
	var out []string
	for i, p := range s.Layout {
		if i == 0 {
			continue
		}
		ls := p.lines()
		if len(ls) == 0 {
			continue
		}
		top := ls[0]
		if sectionTitle.MatchString(lineText(top)) {
			continue
		}
		stt := p.sttWords()
		if len(stt) > 0 && stt[0].YMin-top[0].YMin < headerBandPt {
			continue
		}
		out = append(out, fmt.Sprintf("page %d begins without its table's header: %.100q", i+1, s.PageText[i]))
	}
	return out
}

// tableBelow is the words of the table whose header holds stt, on its page, under the header:
// from the first line below the "STT" holding a word that is not a header word (header: the
// words of the sheet's header rows; a wrapped header cell prints some of them under the "STT")
// to the next table's header or the page's end. None when the table has no row on the page.
func tableBelow(p pdfPage, stt pdfWord, header map[string]bool) []pdfWord {
	end := p.Height
	for _, o := range p.sttWords() {
		if o.YMin > stt.YMax+headerBandPt {
			end = min(end, o.YMin-headerBandPt)
		}
	}
	first := end
	for _, w := range p.bodyWords() {
		if w.YMin > stt.YMin+1 && w.YMin < end && !header[w.Text] {
			first = min(first, w.YMin)
		}
	}
	var out []pdfWord
	for _, w := range p.bodyWords() {
		if w.YMin >= first-1 && w.YMin < end {
			out = append(out, w)
		}
	}
	return out
}

// emptyTables describes the tables a printed sheet prints with a header and no row: no word
// under the header (header: the words of the sheet's header rows) before the next table or the
// page's end.
func emptyTables(s printedSheet, header map[string]bool) []string {
	var out []string
	for i, p := range s.Layout {
		for _, stt := range p.sttWords() {
			if len(tableBelow(p, stt, header)) == 0 {
				out = append(out, fmt.Sprintf("page %d prints a table's header and no row under it: %.120q", i+1, s.PageText[i]))
			}
		}
	}
	return out
}

// blankIdentityPages describes the pages of a printed sheet whose first row under the table's
// header leaves the identity columns blank (a village's rows continued from the page before,
// without its commune and name): no word of that row starts left of the header word next, the
// first word of the first column that is not an identity column. header holds the header row's
// words.
func blankIdentityPages(s printedSheet, header map[string]bool, next string) []string {
	var out []string
	for i, p := range s.Layout {
		stt := p.sttWords()
		if len(stt) == 0 {
			continue
		}
		nextX := -1.0
		for _, w := range p.bodyWords() {
			if w.Text == next && math.Abs(w.YMin-stt[0].YMin) < headerBandPt {
				nextX = w.XMin
				break
			}
		}
		if nextX < 0 {
			continue
		}
		rows := tableBelow(p, stt[0], header)
		if len(rows) == 0 {
			continue
		}
		first := rows[0].YMin
		for _, w := range rows {
			first = min(first, w.YMin)
		}
		ok := false
		var line []string
		for _, w := range rows {
			if w.YMin < first+3 {
				line = append(line, w.Text)
				if w.XMin < nextX {
					ok = true
				}
			}
		}
		if !ok {
			out = append(out, fmt.Sprintf("page %d starts with a row whose identity columns are blank: %.100q", i+1, strings.Join(line, " ")))
		}
	}
	return out
}

// headerWords are the words of a sheet's table headers, for the checks above: its rows whose
// first cell is "STT" (or "Hạng").
func headerWords(t testing.TB, f *excelize.File, sheet string) map[string]bool {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	out := map[string]bool{}
	for _, r := range rows {
		if len(r) == 0 || (r[0] != "STT" && r[0] != "Hạng") {
			continue
		}
		for _, c := range r {
			for _, w := range strings.Fields(c) {
				out[w] = true
			}
		}
	}
	return out
}

// wordColumns finds text printed one word a line down a narrow column — a sentence written in a
// cell too narrow for it (a note in the STT column): six or more lines of one text block in a row,
// each of one word, starting at one left edge, at least five of them different words with letters
// (a column repeating "Thôn" or numbering rows is not one, nor the last words of a row of wrapped
// header cells).
func wordColumns(s printedSheet) []string {
	var out []string
	for i, p := range s.Layout {
		lines := map[int][]pdfWord{}
		var order []int
		for _, w := range p.Words {
			if _, ok := lines[w.Line]; !ok {
				order = append(order, w.Line)
			}
			lines[w.Line] = append(lines[w.Line], w)
		}
		run, block, left := []string{}, -1, 0.0
		flush := func() {
			distinct := map[string]bool{}
			for _, w := range run {
				if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
					distinct[w] = true
				}
			}
			if len(run) >= 6 && len(distinct) >= 5 {
				out = append(out, fmt.Sprintf("page %d prints a text one word a line down a narrow column: %q", i+1, strings.Join(run, " ")))
			}
			run = run[:0]
		}
		for _, l := range order {
			ws := lines[l]
			if len(ws) != 1 || ws[0].Block != block || math.Abs(ws[0].XMin-left) > 3 {
				flush()
			}
			block = ws[0].Block
			if len(ws) == 1 {
				if len(run) == 0 {
					left = ws[0].XMin
				}
				run = append(run, ws[0].Text)
			}
		}
		flush()
	}
	return out
}

// assertTablesWhole fails for every visible sheet of a printed workbook (f, read back) with a page
// that starts in the middle of a table or prints a table's header with no row under it, and for
// the action list, a page starting with a village's row whose commune and village are blank.
func assertTablesWhole(t testing.TB, f *excelize.File, rep printReport) {
	t.Helper()
	for _, s := range rep.Sheets {
		if s.Hidden {
			continue
		}
		hdr := headerWords(t, f, s.Name)
		for _, m := range headerlessPages(s) {
			t.Errorf("sheet %q: %s", s.Name, m)
		}
		for _, m := range wordColumns(s) {
			t.Errorf("sheet %q: %s", s.Name, m)
		}
		for _, m := range emptyTables(s, hdr) {
			t.Errorf("sheet %q: %s", s.Name, m)
		}
		if s.Name == sheetActions {
			for _, m := range blankIdentityPages(s, hdr, "Còn") {
				t.Errorf("sheet %q: %s", s.Name, m)
			}
		}
	}
}
