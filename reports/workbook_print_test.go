package reports

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkbooksPrintLegibly: a district's and the province's workbooks, printed by LibreOffice,
// show no text below 8 pt on any sheet, no page holding only pieces of columns to the right of a
// table and no words printed over others (rows high enough for their wrapped text, texts that fit
// their cells), every sheet's recorded dimension shows openpyxl (read-only) all its rows, the
// summary's charts print on a page of their own, and every page carries the recipient, the period
// and its number.
func TestWorkbooksPrintLegibly(t *testing.T) {
	if testing.Short() {
		t.Skip("prints workbooks with LibreOffice")
	}
	pool := fixture(t)
	ocopFixture(t, pool)
	for _, p := range writeAll(t, pool, "") {
		name := filepath.Base(p)
		assertDimensionsTrue(t, p)
		rep := printWorkbook(t, p)
		t.Logf("%s: %s", name, rep)
		assertLegible(t, rep, minPrintPt)
		assertPrintsWhole(t, rep)
		who := "Huyện Chi Lăng"
		if strings.HasPrefix(name, "20-") {
			who = "Tỉnh Lạng Sơn"
		}
		for _, s := range rep.Sheets {
			for i, text := range s.PageText {
				if !strings.Contains(text, who) || !strings.Contains(text, "Kỳ tháng 12/2024") || !strings.Contains(text, "Trang") {
					t.Errorf("%s, sheet %q, page %d: no recipient, period or page number in %.120q", name, s.Name, i+1, text)
				}
			}
		}
		if strings.HasPrefix(name, "20-") {
			// The province's long detail sheets are for filtering on screen: they print their
			// heading only (each recipient's workbook prints its part).
			f := open(t, p)
			areas := map[string]string{}
			for _, dn := range f.GetDefinedName() {
				if dn.Name == "_xlnm.Print_Area" {
					areas[dn.Scope] = dn.RefersTo
				}
			}
			for _, sh := range []string{sheetVillages, sheetAddresses, sheetQuality, sheetOCOP, sheetServices} {
				if areas[sh] == "" {
					t.Errorf("%s: no print area on %s", name, sh)
				}
			}
			for _, sh := range []string{sheetVillages, sheetOCOP, sheetServices} {
				if s := rep.sheet(t, sh); s.Pages != 1 {
					t.Errorf("%s: the province's %s sheet prints %d pages", name, sh, s.Pages)
				}
			}
		}
		sum := rep.sheet(t, sheetSummary)
		charts := -1
		for i, text := range sum.PageText {
			if strings.Contains(text, "BIỂU ĐỒ") {
				charts = i
			}
		}
		switch {
		case charts < 0:
			t.Errorf("%s: no page of charts on the summary", name)
		case charts != 1:
			// The key figures fit one page (rows as high as their text, not more): the charts,
			// which start a page, are on the second.
			t.Errorf("%s: the summary's key figures print on %d pages", name, charts)
		}
		if charts >= 0 && (strings.Contains(sum.PageText[charts], "CÁC SỐ LIỆU CHÍNH") || strings.Contains(sum.PageText[charts], "III. MỨC ĐỘ")) {
			t.Errorf("%s: the charts share their page with a table: %.200q", name, sum.PageText[charts])
		}
	}
}

// TestVerdictSheet: a recipient's first sheet is its one-page verdict, headed as an administrative
// report of the Department of Science and Technology, with its figures, its rank among its peers
// and what is left to do.
func TestVerdictSheet(t *testing.T) {
	pool := fixture(t)
	ocopFixture(t, pool)
	paths := writeAll(t, pool, "181")
	f := open(t, paths[0])
	if got := f.GetSheetList()[0]; got != sheetVerdict {
		t.Fatalf("first sheet = %q", got)
	}
	const sh = sheetVerdict
	wantCell(t, f, sh, "A1", "UBND TỈNH LẠNG SƠN")
	wantCell(t, f, sh, "A2", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
	wantCell(t, f, sh, "E1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	if got := raw(t, f, sh, "A3"); !strings.HasPrefix(got, "Số:") || !strings.HasSuffix(got, "/BC-SKHCN") {
		t.Errorf("number line = %q", got)
	}
	if got := raw(t, f, sh, "E3"); !strings.HasPrefix(got, "Lạng Sơn, ngày ") {
		t.Errorf("date line = %q", got)
	}
	wantCell(t, f, sh, "A5", "BÁO CÁO")
	wantCell(t, f, sh, "A7", "Kính gửi: Ủy ban nhân dân huyện Chi Lăng")
	top := findRow(t, f, sh, "A", "TT")
	wantCell(t, f, sh, "F"+itoa(top), "Còn phải làm để đạt")
	if got := raw(t, f, sh, "C"+itoa(top+1)); got != "1/3 thôn" {
		t.Errorf("smart villages = %q", got)
	}
	if got := raw(t, f, sh, "G"+itoa(top+1)); !strings.Contains(got, "Thứ 1/1 huyện") {
		t.Errorf("rank = %q", got)
	}
	findRow(t, f, sh, "A", "Nơi nhận:")
	// One printed page.
	rep := printWorkbook(t, paths[0])
	if s := rep.sheet(t, sh); s.Pages != 1 {
		t.Errorf("the verdict prints on %d pages", s.Pages)
	}
}
