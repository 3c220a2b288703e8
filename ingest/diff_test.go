package ingest

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ntm/sample"
)

// The differential test: our reader must give, for every row of every
// sheet, the same raw cell values as excelize's Rows() iterator with
// RawCellValue — and the same merged ranges and date system — on every
// workbook the tests and the sample generator produce, and on files written
// by LibreOffice and by hand in openpyxl's style.

type rawRow struct {
	Num   int
	Cells []string
}

type rawSheet struct {
	Name   string
	Rows   []rawRow
	Merges []string
}

type recorder struct {
	sh *rawSheet
}

func (r *recorder) add(num int, cells []string) (bool, error) {
	cells = trimTrailingExact(cells)
	if len(cells) > 0 {
		r.sh.Rows = append(r.sh.Rows, rawRow{num, append([]string(nil), cells...)})
	}
	return false, nil
}
func (r *recorder) end() error { return nil }

func trimTrailingExact(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

func mergeNames(ms []mergeRange) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s%d:%s%d", colName(m.left+1), m.top, colName(m.right+1), m.bottom))
	}
	sort.Strings(out)
	return out
}

// oursRaw reads every sheet with our reader.
func oursRaw(t *testing.T, path string, lim Limits) ([]rawSheet, bool) {
	t.Helper()
	wb, err := openWorkbook(path, lim.withDefaults())
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer wb.zr.Close()
	var out []rawSheet
	wb.sink = func(sheet string, merges []mergeRange) rowSink {
		out = append(out, rawSheet{Name: sheet, Merges: mergeNames(merges)})
		return &recorder{sh: &out[len(out)-1]}
	}
	for _, sh := range wb.sheets {
		if err := wb.readSheet(context.Background(), sh, nil); err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
	}
	return out, wb.date1904
}

// excelizeRaw reads every sheet with excelize's iterator.
func excelizeRaw(t *testing.T, path string) ([]rawSheet, bool) {
	t.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("excelize open %s: %v", path, err)
	}
	defer f.Close()
	d1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		d1904 = *p.Date1904
	}
	var out []rawSheet
	for _, name := range f.GetSheetList() {
		sh := rawSheet{Name: name}
		rows, err := f.Rows(name)
		if err != nil {
			continue
		}
		num := 0
		for rows.Next() {
			num++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatalf("excelize %s row %d: %v", path, num, err)
			}
			if cells = trimTrailingExact(cells); len(cells) > 0 {
				sh.Rows = append(sh.Rows, rawRow{num, cells})
			}
		}
		rows.Close()
		mcs, err := f.GetMergeCells(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mcs {
			c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
			if r1 == r2 && c1 == c2 {
				continue
			}
			sh.Merges = append(sh.Merges, fmt.Sprintf("%s%d:%s%d", colName(c1), r1, colName(c2), r2))
		}
		sort.Strings(sh.Merges)
		out = append(out, sh)
	}
	return out, d1904
}

// assertSameAsExcelize compares both readers on one file, through the
// in-memory path and the streamed (big sheet) path.
func assertSameAsExcelize(t *testing.T, path string) {
	t.Helper()
	want, w1904 := excelizeRaw(t, path)
	for _, lim := range []Limits{{}, {UnzipXMLSize: 1}} {
		got, g1904 := oursRaw(t, path, lim)
		if g1904 != w1904 {
			t.Errorf("%s: date1904 = %v, excelize %v", path, g1904, w1904)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d sheets, excelize %d", path, len(got), len(want))
		}
		for i := range want {
			if got[i].Name != want[i].Name {
				t.Errorf("%s: sheet %d is %q, excelize %q", path, i, got[i].Name, want[i].Name)
			}
			if !reflect.DeepEqual(got[i].Merges, want[i].Merges) {
				t.Errorf("%s sheet %q: merges %v, excelize %v", path, want[i].Name, got[i].Merges, want[i].Merges)
			}
			if len(got[i].Rows) != len(want[i].Rows) {
				t.Errorf("%s sheet %q: %d non-empty rows, excelize %d", path, want[i].Name, len(got[i].Rows), len(want[i].Rows))
			}
			for j := range min(len(got[i].Rows), len(want[i].Rows)) {
				if !reflect.DeepEqual(got[i].Rows[j], want[i].Rows[j]) {
					t.Fatalf("%s sheet %q:\n ours     %d %q\n excelize %d %q", path, want[i].Name,
						got[i].Rows[j].Num, got[i].Rows[j].Cells, want[i].Rows[j].Num, want[i].Rows[j].Cells)
				}
			}
		}
	}
}

// richWorkbook writes a workbook with every kind of cell excelize writes.
func richWorkbook(t *testing.T, dir string, date1904 bool) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "Dữ liệu & <số liệu>"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", s))
	if date1904 {
		yes := true
		must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	}
	vals := map[string]any{
		"A1": "Tên thôn", "B1": "Số hộ", "C1": "Ngày", "D1": "Có WiFi", "E1": "Tỷ lệ",
		"A2": "Bản Chắt", "B2": 1234, "C2": time.Date(2024, 11, 30, 0, 0, 0, 0, time.UTC), "D2": true, "E2": 0.9792,
		"A3": "Ba\u0300n Na\u0300 (NFD)", "B3": -3.5, "C3": time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), "D3": false, "E3": 1e20,
		"A4": "  dấu cách  ", "B4": "1.234", "C4": "30/11/2024", "D4": "x", "E4": 0.1 + 0.2,
		"A5": "A&B <c> \"q\" 'a'", "B5": int64(9007199254740993), "E5": float32(1.1),
		"A6": "dòng 1\ndòng 2\r\ndòng 3", "B6": "_x000D_ literal", "F6": "xa bên phải",
		"A9": "sau hàng trống", "Z9": "cột Z",
		"A1000": "hàng xa",
	}
	for ref, v := range vals {
		must(f.SetCellValue(s, ref, v))
	}
	must(f.SetCellRichText(s, "C5", []excelize.RichTextRun{
		{Text: "Đậm ", Font: &excelize.Font{Bold: true}}, {Text: "và thường"},
	}))
	must(f.MergeCell(s, "A7", "C8"))
	must(f.SetCellValue(s, "A7", "gộp"))
	must(f.MergeCell(s, "F1", "H1"))
	// A second, hidden sheet streamed with gaps (rows 1, 3 and 50).
	_, err := f.NewSheet("Ẩn")
	must(err)
	sw, err := f.NewStreamWriter("Ẩn")
	must(err)
	must(sw.SetRow("A1", []any{"STT", "Tên", nil, "Ghi chú"}))
	must(sw.SetRow("A3", []any{1, "một", 2.5, true}))
	must(sw.SetRow("B50", []any{"lệch", excelize.Cell{Value: "ô"}, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}))
	must(sw.MergeCell("A5", "B6"))
	must(sw.Flush())
	must(f.SetSheetVisible("Ẩn", false))
	name := "rich.xlsx"
	if date1904 {
		name = "rich1904.xlsx"
	}
	path := filepath.Join(dir, name)
	must(f.SaveAs(path))
	return path
}

// handWritten is an openpyxl-style package: inline strings, no dimension,
// prefixed namespaces in one sheet, cells and rows without r attributes,
// errors, booleans, ISO dates, formulas with cached values, CDATA,
// character references, a shared strings table with rich and phonetic runs
// and "_xHHHH_" escapes, and the 1904 flag.
func handWritten(t testing.TB, dir string) string {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="Trang &amp; 1" sheetId="1" r:id="rId1"/><sheet name="Hai" sheetId="2" r:id="rId2"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/sharedStrings.xml":       `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Xã</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">Thôn </t></r><r><t>Bản</t></r></si><si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si><si><t>a_x000D_b_x005F_x000D_c</t></si><si/></sst>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> H36&#x2D;001 </t></is></c><c r="B2" t="n"><v>45291</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c><c r="E2" t="str"><f>A2&amp;"x"</f><v>H36-001x</v></c><c r="F2" t="d"><v>2024-11-30T00:00:00</v></c></row>
<row r="4" spans="1:3" s="2" customFormat="1"><c r="A4" t="inlineStr"><is><r><t>giàu </t></r><r><rPr><i/></rPr><t>chữ</t></r></is></c><c r="C4"><v>1.5E-3</v></c><c r="D4" t="e"><v>#DIV/0!</v></c><c r="E4" s="3"/><c r="F4" t="s"><v>3</v></c></row>
<row r="5"><c r="A5" t="inlineStr"><is><t><![CDATA[<b>&amp;</b>]]></t></is></c><c r="B5"><f>1+1</f><v>2</v></c><c r="C5" t="inlineStr"><is><t>&#7841;&#x1EA1;&lt;&gt;&quot;&apos;</t></is></c></row>
<row r="6"><c r="B6" t="s"><v>4</v></c><c r="C6" t="inlineStr"><is><t></t></is></c></row>
<row><c t="inlineStr"><is><t>không r</t></is></c><c><v>7</v></c><c r="E7"><v>8</v></c><c><v>9</v></c></row>
<row r="9" hidden="1"><c r="A9" t="inlineStr"><is><t>dòng
hai&#13;&#10;ba</t></is></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A2:A4"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`,
		"xl/worksheets/sheet2.xml": `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>tiền tố</x:t></x:is></x:c><x:c r="B1"><x:v>42</x:v></x:c></x:row></x:sheetData><x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>`,
	}
	return writeZip(t, filepath.Join(dir, "handwritten.xlsx"), parts)
}

func writeZip(t testing.TB, path string, parts map[string]string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSameValuesAsExcelize(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		richWorkbook(t, dir, false),
		richWorkbook(t, dir, true),
		handWritten(t, dir),
		writeXLSX(t, "messy.xlsx", messyReport()),
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) { assertSameAsExcelize(t, p) })
	}
}

// Every workbook the sample generator writes (the demo's inputs).
func TestSameValuesAsExcelizeOnSample(t *testing.T) {
	if testing.Short() {
		t.Skip("writes the whole Lạng Sơn sample")
	}
	dir := t.TempDir()
	m, err := sample.LangSon(sample.Options{Dir: dir, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range m.Files {
		if strings.HasSuffix(f.Path, ".xlsx") {
			n++
			t.Run(filepath.Base(f.Path), func(t *testing.T) { assertSameAsExcelize(t, f.Path) })
		}
	}
	if n == 0 {
		t.Fatal("the sample wrote no workbooks")
	}
}

// Files written by LibreOffice: a CSV and our rich workbook converted
// headless. Skipped where soffice is not installed.
func TestSameValuesAsExcelizeOnLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed")
	}
	src, out := t.TempDir(), t.TempDir()
	csvPath := filepath.Join(src, "lo.csv")
	if err := os.WriteFile(csvPath, []byte("Tên thôn,Số hộ,Ngày,Tỷ lệ\nBản Chắt,1234,30/11/2024,97.5%\n\"Nà, Pò\",12,2024-01-02,0.5\n,,,\nthưa,,,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rich := richWorkbook(t, src, false)
	home := t.TempDir() // a private profile: parallel runs of soffice share nothing
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+home, "--headless", "--convert-to", "xlsx", "--outdir", out, csvPath, rich)
	cmd.Env = append(os.Environ(), "HOME="+home)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice could not convert the test files: %v\n%s", err, b)
	}
	for _, name := range []string{"lo.xlsx", "rich.xlsx"} {
		p := filepath.Join(out, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("soffice wrote no %s", name)
		}
		t.Run(name, func(t *testing.T) { assertSameAsExcelize(t, p) })
	}
}
