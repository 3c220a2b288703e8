package reports

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm/db/dbtest"
)

// TestWorkbooksPrintLegibly: a district's and the province's workbooks, printed by LibreOffice,
// show no text below 8 pt on any sheet, no page holding only pieces of columns to the right of a
// table, no page starting mid-table or table printed without rows (assertTablesWhole) and no words
// printed over others (rows high enough for their wrapped text, texts that fit
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
		assertTablesWhole(t, open(t, p), rep)
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

// communesScale fills a province of 65 communes without districts (today's Lạng Sơn) with the
// results of one evaluation: four villages a commune, and Xã Số 1 with 12 villages lacking data on
// every condition, each for a long reason, so its action list runs over several pages with
// villages split across them.
func communesScale(tb testing.TB) *pgxpool.Pool {
	pool := dbtest.New(tb)
	stmts := []string{
		`INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ('20', 'province', 'Tỉnh', 'Tỉnh Lạng Sơn', 'lạng sơn', NULL)`,
		`INSERT INTO unit (code, level, kind, name, folded_name, parent_code)
		 SELECT lpad(c::text, 5, '0'), 'commune', 'Xã', 'Xã Số ' || c, 'số ' || c, '20' FROM generate_series(1, 65) c`,
		`INSERT INTO evaluation (id, period, set_key) VALUES (1, '2024-12', 'langson-2021')`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den, explanation)
		 SELECT 1, u.code || '-' || lpad(v::text, 3, '0'), 'Thôn ' || v, 'village', u.code, k.key,
		        CASE WHEN u.code = '00001' THEN 'no_data' ELSE (ARRAY['met', 'not_met', 'no_data'])[1 + (v + k.n) % 3] END,
		        CASE WHEN u.code = '00001' OR (v + k.n) % 3 = 2 THEN NULL ELSE 1 END,
		        CASE WHEN u.code = '00001' OR (v + k.n) % 3 = 2 THEN NULL ELSE 1 END, 1, 1,
		        CASE WHEN u.code = '00001' THEN 'Chưa có số liệu: phiếu tự đánh giá của thôn chưa gửi, hoặc gửi nhưng để trống mục này, hoặc dòng của thôn trong tệp bị loại vì sai định dạng; xem trang Chất lượng dữ liệu' ELSE 'Giải thích ' || k.key END
		 FROM unit u, generate_series(1, 12) v,
		      (VALUES ('V1_TEAM', 1), ('V2_PLATFORM', 2), ('V3_WIFI', 3), ('V4_ADDRESS', 4), ('V5_OCOP', 5), ('V6_DXMODEL', 6), ('SMART_VILLAGE', 7)) k(key, n)
		 WHERE u.level = 'commune' AND (u.code = '00001' OR v <= 4)`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den)
		 SELECT 1, code, name, 'commune', parent_code, 'C8_SMART_VILLAGE', CASE WHEN code = '00001' THEN 'no_data' ELSE 'met' END,
		        CASE WHEN code = '00001' THEN NULL ELSE 2 END, CASE WHEN code = '00001' THEN NULL ELSE 1 END, 1, 1
		 FROM unit WHERE level = 'commune'`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den)
		 SELECT 1, code, name, 'commune', parent_code, k.key, CASE WHEN right(code, 1) IN ('3', '7') THEN 'not_met' ELSE 'met' END,
		        CASE WHEN right(code, 1) IN ('3', '7') THEN 60 ELSE 80 END, 100, k.th, 100
		 FROM unit, (VALUES ('D95_PROCEDURES', 100), ('D95_DOSSIERS', 70)) k(key, th) WHERE level = 'commune'`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den)
		 SELECT 1, code, name, 'commune', parent_code, 'D95', CASE WHEN right(code, 1) IN ('3', '7') THEN 'not_met' ELSE 'met' END, 1, 1, 2, 1
		 FROM unit WHERE level = 'commune'`,
	}
	return seeded(tb, pool, stmts)
}

// TestTablesOnEveryPage: a table that runs over several pages prints its header at the top of
// each (the province's 65-row tables of its summary), a village's rows continued on the next page
// of the action list name the commune and the village again, no printed table stops at its
// header (the province's detail sheets print their heading and say why there is no table), and
// the criteria notes end with their criteria, not on a page of their own. Each workbook is
// converted once.
func TestTablesOnEveryPage(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("prints workbooks with LibreOffice")
	}
	pool := communesScale(t)
	for _, code := range []string{"20", "00001"} {
		paths := writeAll(t, pool, code)
		p := paths[0]
		f := open(t, p)
		rep := printWorkbook(t, p)
		t.Logf("%s: %s", filepath.Base(p), rep)
		assertTablesWhole(t, f, rep)
		if code == "00001" {
			if acts := rep.sheet(t, sheetActions); acts.Pages < 3 {
				t.Errorf("the action list prints %d pages: the fixture should run it over several", acts.Pages)
			}
		} else {
			sum := rep.sheet(t, sheetSummary)
			if sum.Pages < 5 {
				t.Errorf("the province's summary prints %d pages: its 65-row tables should run over several", sum.Pages)
			}
			for _, sh := range []string{sheetVillages, sheetAddresses, sheetOCOP, sheetServices} {
				if s := rep.sheet(t, sh); s.Pages != 1 || !strings.Contains(s.PageText[0], "để lọc trên máy") {
					t.Errorf("%s: the province's %s sheet prints %d pages: %.300q", code, sh, s.Pages, s.PageText)
				}
			}
		}
		// The notes' closing block is not alone on its page: criteria precede it.
		notes := rep.sheet(t, sheetNotes)
		last := notes.Layout[len(notes.Layout)-1]
		if ls := last.lines(); notes.Pages > 1 && len(ls) > 1 && !strings.Contains(strings.Join(strings.Fields(notes.PageText[len(notes.PageText)-1]), " "), "Ngưỡng") {
			t.Errorf("%s: the notes' last page: %.200q", code, notes.PageText[len(notes.PageText)-1])
		}
	}
}
