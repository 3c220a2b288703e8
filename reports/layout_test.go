package reports

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
)

// zipFiles reads every part of a workbook package.
func zipFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out := map[string]string{}
	for _, zf := range z.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[zf.Name] = string(b)
	}
	return out
}

// TestSummaryCharts: three charts on the summary sheet, each reading its series from the sheet's
// tables (excelize cannot read charts back: the package parts are inspected).
func TestSummaryCharts(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	paths := writeAll(t, pool, "")
	for _, path := range paths {
		parts := zipFiles(t, path)
		// The summary is sheet1 of the province's workbook and sheet2 of a recipient's (after the
		// verdict); its drawing holds the three charts.
		rels := parts["xl/worksheets/_rels/sheet1.xml.rels"]
		if !strings.HasPrefix(filepath.Base(path), "20-") {
			rels = parts["xl/worksheets/_rels/sheet2.xml.rels"]
		}
		m := regexp.MustCompile(`Target="\.\./drawings/(drawing\d+\.xml)"`).FindStringSubmatch(rels)
		if m == nil {
			t.Fatalf("%s: the summary has no drawing: %s", path, rels)
		}
		drels := parts["xl/drawings/_rels/"+m[1]+".rels"]
		charts := regexp.MustCompile(`Target="\.\./charts/(chart\d+\.xml)"`).FindAllStringSubmatch(drels, -1)
		if len(charts) != 3 {
			t.Fatalf("%s: %d charts on the summary, want 3", path, len(charts))
		}
		var all []string
		for _, c := range charts {
			all = append(all, html.UnescapeString(parts["xl/charts/"+c[1]]))
		}
		sort.Strings(all)
		joined := strings.Join(all, "\n")
		for _, want := range []string{"Số thôn thông minh theo", "Số thôn đạt từng điều kiện", `<barDir val="bar">`, `<grouping val="stacked">`} {
			if !strings.Contains(joined, want) {
				t.Errorf("%s: no %q in the charts", path, want)
			}
		}
		// Smart villages per unit as bars coloured by criterion 8's status (green met, red not met,
		// read from the table's two status columns) with the threshold as a line, like the dossier
		// chart; a unit without data says so in its category label.
		var smart string
		for _, c := range all {
			if strings.Contains(c, "Số thôn thông minh theo") {
				smart = c
			}
		}
		series := regexp.MustCompile(`(?s)<ser>.*?</ser>`).FindAllString(smart, -1)
		if len(series) != 3 || !strings.Contains(smart, "lineChart>") || !strings.Contains(smart, `<grouping val="stacked">`) {
			t.Fatalf("%s: the smart-village chart is not two stacked status series and a threshold line: %d series", path, len(series))
		}
		cat := regexp.MustCompile(`<cat><strRef><f>'([^']+)'!\$B\$(\d+):\$B\$(\d+)</f>`).FindStringSubmatch(series[0])
		if cat == nil {
			t.Fatalf("%s: the smart-village chart has no categories: %.300s", path, series[0])
		}
		for i, want := range []struct{ col, color string }{{"F", "70AD47"}, {"G", "E06666"}, {"D", "1F1F1F"}} {
			ref := fmt.Sprintf("'%s'!$%s$%s:$%s$%s", cat[1], want.col, cat[2], want.col, cat[3])
			if !strings.Contains(series[i], ref) || !strings.Contains(series[i], want.color) {
				t.Errorf("%s: smart-village series %d is not %s in %s: %.400s", path, i+1, ref, want.color, series[i])
			}
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		hdr, _ := f.GetCellValue(cat[1], "F"+strconv.Itoa(mustAtoi(t, cat[2])-1))
		var labels []string
		for r := mustAtoi(t, cat[2]); r <= mustAtoi(t, cat[3]); r++ {
			v, _ := f.GetCellValue(cat[1], "B"+strconv.Itoa(r))
			labels = append(labels, v)
		}
		f.Close()
		if hdr != "Đạt ngưỡng" {
			t.Errorf("%s: the smart-village series read %q, want the status table", path, hdr)
		}
		if strings.HasSuffix(path, "181-huyen-chi-lang.xlsx") {
			if !slices.Contains(labels, "Thị trấn Đồng Mỏ (Chưa có số liệu)") || !slices.Contains(labels, "Xã Quang Lang") {
				t.Errorf("district: smart-village categories %q", labels)
			}
		}
		if strings.HasSuffix(path, "181-huyen-chi-lang.xlsx") {
			// District: per commune from the summary's commune table; the 9.5 ratios against thresholds.
			// The ratios as bars coloured by status (a stacked pair of series), the thresholds as a
			// line series over them.
			for _, want := range []string{"'Tổng hợp'!$B$", "Chỉ tiêu 9.5: tỷ lệ đạt được so với ngưỡng", "lineChart>", "'Tổng hợp'!$F$", "'Tổng hợp'!$G$"} {
				if !strings.Contains(joined, want) {
					t.Errorf("district: no %q in the charts", want)
				}
			}
		} else {
			for _, want := range []string{"Tỷ lệ hồ sơ xử lý trực tuyến toàn trình theo đơn vị", "lineChart>"} {
				if !strings.Contains(joined, want) {
					t.Errorf("province: no %q in the charts", want)
				}
			}
		}
	}
}

// TestPrintSetupEverySheet: A4 landscape at a fixed legible scale everywhere (never fitted to
// the page width), the page header naming the recipient, the period and page n/N, the title rows
// of every table sheet repeated on each printed page, and the true dimension of every sheet.
func TestPrintSetupEverySheet(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	for _, recipient := range []string{"20", "181"} {
		paths := writeAll(t, pool, recipient)
		f := open(t, paths[0])
		titles := map[string]string{}
		for _, dn := range f.GetDefinedName() {
			if dn.Name == "_xlnm.Print_Titles" {
				titles[dn.Scope] = dn.RefersTo
			}
		}
		want := map[string]string{
			sheetSummary: "", sheetDistricts: "$5:$5", sheetVillages: "$3:$3", sheetAddresses: "$6:$6",
			sheetOCOP: "$6:$6", sheetServices: "$5:$5", sheetQuality: "$1:$2", sheetNotes: "$6:$6",
			sheetVerdict: "", sheetActions: "$4:$4", sheetTasks: "$4:$4",
		}
		for _, sh := range f.GetSheetList() {
			w, ok := want[sh]
			if !ok {
				continue
			}
			if w != "" {
				w = "'" + sh + "'!" + w
			}
			if got := titles[sh]; got != w {
				t.Errorf("%s %s: print titles %q, want %q", recipient, sh, got, w)
			}
			pl, err := f.GetPageLayout(sh)
			if err != nil {
				t.Fatal(err)
			}
			if *pl.Orientation != "landscape" || *pl.Size != 9 || pl.AdjustTo == nil || *pl.AdjustTo < minScale || *pl.AdjustTo > 100 {
				t.Errorf("%s %s: page layout %s/%d scale %v", recipient, sh, *pl.Orientation, *pl.Size, pl.AdjustTo)
			}
			if p, _ := f.GetSheetProps(sh); p.FitToPage != nil && *p.FitToPage {
				t.Errorf("%s %s: fitted to the page", recipient, sh)
			}
			hf, err := f.GetHeaderFooter(sh)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(hf.OddHeader, "Trang &P/&N") || !strings.Contains(hf.OddHeader, "Kỳ tháng 12/2024") ||
				!strings.Contains(hf.OddHeader+hf.OddFooter, map[string]string{"20": "Tỉnh Lạng Sơn", "181": "Huyện Chi Lăng"}[recipient]) {
				t.Errorf("%s %s: header %q footer %q", recipient, sh, hf.OddHeader, hf.OddFooter)
			}
			dim, err := f.GetSheetDimension(sh)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows(sh)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(rows); !strings.HasSuffix(dim, fmt.Sprintf("%d", want)) || dim == "A1" {
				t.Errorf("%s %s: dimension %q, the sheet has %d rows", recipient, sh, dim, want)
			}
		}
		if recipient == "20" {
			p, _ := f.GetDocProps()
			if p.Language != "vi-VN" || p.Keywords != "ntm; 2024-12; 20" || !strings.Contains(p.Title, "Tỉnh Lạng Sơn") {
				t.Errorf("properties = %+v", p)
			}
		}
	}
}

// TestWorkbookBytesDependOnDataOnly: the same data gives the same file, so Deliver never sends an
// unchanged workbook twice; a new evaluation of unchanged data changes nothing either.
func TestWorkbookBytesDependOnDataOnly(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	sum := func() string {
		paths, err := Write(context.Background(), pool, dec2024, Options{OutDir: t.TempDir(), Recipient: "181",
			Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(b))
	}
	first := sum()
	// Several writes: excelize writes some parts in map order, which must not show.
	for i := 0; i < 4; i++ {
		time.Sleep(300 * time.Millisecond)
		if again := sum(); again != first {
			t.Fatal("two writes of the same data differ")
		}
	}
	// A new evaluation of the same data gives the same workbook.
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES (2, '2024-12', 'langson-2021', now())`)
	exec1(t, pool, `INSERT INTO result SELECT 2, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den,
		threshold_num, threshold_den, explanation, detail FROM result WHERE evaluation_id = 1`)
	if again := sum(); again != first {
		t.Error("a re-evaluation of unchanged data changed the workbook")
	}
	// A stray file rejected whole (a README.md given to ntm ingest) holds no data: it is not
	// listed, and the workbook's bytes, hence its deliveries, do not change.
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
		rows_read, rows_loaded, rows_rejected, status, message) VALUES
		(9, 'vpostcode', 'file:///inbox/README.md', 'README.md', 10, 'ffff', '2025-01-07 03:00:00+00', NULL, 0, 0, 0,
		 'rejected', 'Không nhận ra loại dữ liệu')`)
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES (3, '2024-12', 'langson-2021', now())`)
	exec1(t, pool, `INSERT INTO result SELECT 3, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den,
		threshold_num, threshold_den, explanation, detail FROM result WHERE evaluation_id = 1`)
	if again := sum(); again != first {
		t.Error("a file rejected whole changed the workbook")
	}
}

// TestTrendsSincePreviousPeriod: the summary says how each figure moved since the newest
// evaluation of the latest earlier period.
func TestTrendsSincePreviousPeriod(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	// 2024-10 (older) and two evaluations of 2024-11: the newest of 2024-11 is compared with.
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES
		(5, '2024-10', 'langson-2021', '2024-11-05'), (6, '2024-11', 'langson-2021', '2024-12-05'), (7, '2024-11', 'langson-2021', '2024-12-06')`)
	prev := func(eval int, code, level, parent, crit, status string, num, den, thNum, thDen int64) {
		var vn, vd any
		if den > 0 {
			vn, vd = num, den
		}
		exec1(t, pool, `INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status,
			value_num, value_den, threshold_num, threshold_den) VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			eval, code, level, parent, crit, status, vn, vd, thNum, thDen)
	}
	// Evaluation 6 would say 3 smart villages; 7 (the newest of 2024-11) says 0 of 2, 2 not met.
	for _, v := range []string{"06052-001", "06052-002", "06055-001"} {
		prev(6, v, "village", "06052", "SMART_VILLAGE", "met", 6, 1, 6, 1)
	}
	prev(7, "06052-001", "village", "06052", "SMART_VILLAGE", "not_met", 5, 1, 6, 1)
	prev(7, "06052-002", "village", "06052", "SMART_VILLAGE", "not_met", 4, 1, 6, 1)
	prev(7, "06052-001", "village", "06052", "V4_ADDRESS", "not_met", 9, 10, 1, 1)
	prev(7, "06052-002", "village", "06052", "V4_ADDRESS", "not_met", 9, 10, 1, 1)
	prev(7, "181", "district", "20", "D95_DOSSIERS", "not_met", 6000, 10000, 7, 10)
	prev(7, "181", "district", "20", "D95_PROCEDURES", "met", 100, 100, 1, 1)

	paths := writeAll(t, pool, "181")
	f := open(t, paths[0])
	const sh = sheetSummary
	if a4 := raw(t, f, sh, "A4"); !strings.HasSuffix(a4, "; so sánh với kỳ 2024-11") {
		t.Errorf("A4 = %q", a4)
	}
	hdr := findRow(t, f, sh, "A", "Chỉ số")
	wantCell(t, f, sh, "E"+itoa(hdr), "Thay đổi so với kỳ 2024-11")
	for label, want := range map[string]string{
		"Số thôn, tổ dân phố được đánh giá":                      "+1 so với 2024-11",
		"Số thôn thông minh (đạt cả 6 điều kiện) và tỷ lệ":       "+1 so với 2024-11",
		"Số thôn chưa đạt":                                       "−1 so với 2024-11",
		"Số thôn chưa có đủ số liệu để kết luận":                 "+1 so với 2024-11",
		"Số xã đạt tiêu chí 8 (có ít nhất một thôn thông minh)":  "+1 so với 2024-11",
		"Tỷ lệ hồ sơ xử lý trực tuyến toàn trình (ngưỡng ≥ 70%)": "+9,9 điểm % so với 2024-11",
		"Tỷ lệ TTHC cung cấp DVCTT (ngưỡng ≥ 100%)":              "không đổi so với 2024-11",
	} {
		r := itoa(findRow(t, f, sh, "A", label))
		wantCell(t, f, sh, "E"+r, want)
	}
	// Colours: more smart villages is good (green), more villages without data is bad (red).
	st := func(label string) string {
		id, _ := f.GetCellStyle(sh, "E"+itoa(findRow(t, f, sh, "A", label)))
		s, _ := f.GetStyle(id)
		return strings.TrimPrefix(strings.ToUpper(s.Font.Color), "FF")
	}
	if got := st("Số thôn thông minh (đạt cả 6 điều kiện) và tỷ lệ"); got != "006100" {
		t.Errorf("good trend colour = %q", got)
	}
	if got := st("Số thôn chưa có đủ số liệu để kết luận"); got != "9C0006" {
		t.Errorf("bad trend colour = %q", got)
	}
	if got := st("Số thôn chưa đạt"); got != "006100" {
		t.Errorf("fewer villages not met colour = %q", got)
	}
	// The condition coverage moved too: 2 villages meet the address condition now, 0 before.
	cov := itoa(findRow(t, f, sh, "B", "4. Địa chỉ số"))
	wantCell(t, f, sh, "G"+cov, "+2 so với 2024-11")
}

// ocopFixture adds three products of Xã Quang Lang: one on Shopee (and stopped on Voso), one on no
// platform, one expired before the period end.
func ocopFixture(t *testing.T, pool *pgxpool.Pool) {
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, status)
		VALUES (10, 'ocop_products', 'file:///ocop.xlsx', 'ocop.xlsx', 'aa', '2024-12-01', 'loaded'),
		       (11, 'ocop_listings', 'file:///san.xlsx', 'san.xlsx', 'bb', '2024-12-01', 'loaded')`)
	exec1(t, pool, `INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, owner,
		folded_owner, commune_code, decision_no, certified_on, expires_on) VALUES
		(10, 5, 'P1', 'P1', 'Miến dong Quang Lang', 'miến dong quang lang', 4, 'HTX Quang Lang', 'htx quang lang', '06052', '1/QĐ', '2023-01-10', NULL),
		(10, 6, 'P2', 'P2', 'Mật ong bạc hà', 'mật ong bạc hà', 3, 'Hộ ông A', 'hộ ông a', '06052', '2/QĐ', '2023-05-01', NULL),
		(10, 7, 'P3', 'P3', 'Trà hoa vàng', 'trà hoa vàng', 3, 'HTX Trà', 'htx trà', '06052', '3/QĐ', '2020-01-01', '2023-01-01'),
		(10, 8, 'P9', 'P9', 'Sản phẩm huyện khác', 'sản phẩm huyện khác', 5, 'X', 'x', '09999', '9/QĐ', '2023-01-01', NULL)`)
	exec1(t, pool, `INSERT INTO fact_ocop_listing (batch_id, row_no, product_code, product_name, folded_name, platform, url, listed_on, active) VALUES
		(11, 5, 'P1', '', '', 'shopee', 'https://shopee.vn/p1', '2024-02-01', true),
		(11, 6, 'P1', '', '', 'voso', '', '2024-02-01', false)`)
}

func TestAddressesAndOCOPSheets(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	ocopFixture(t, pool)
	paths := writeAll(t, pool, "181")
	f := open(t, paths[0])

	t.Run("summary figures", func(t *testing.T) {
		const sh = sheetSummary
		r := itoa(findRow(t, f, sh, "A", "Hộ gia đình đã có địa chỉ số"))
		wantCell(t, f, sh, "C"+r, "445")
		wantCell(t, f, sh, "D"+r, "0.988") // 445/450 = 98.88…% shown rounded down
		if got := raw(t, f, sh, "F"+r); !strings.HasPrefix(got, "trên tổng số 450 hộ của 3 thôn có số liệu") {
			t.Errorf("F%s = %q", r, got)
		}
		r = itoa(findRow(t, f, sh, "A", "Sản phẩm OCOP còn hiệu lực đã lên sàn TMĐT"))
		wantCell(t, f, sh, "C"+r, "1")
		wantCell(t, f, sh, "D"+r, "0.5")
	})

	t.Run("addresses", func(t *testing.T) {
		const sh = sheetAddresses
		if got := raw(t, f, sh, "A3"); got != "3/3 thôn có số liệu; 445/450 hộ (98,8%) và 5/5 cơ quan, tổ chức (100,0%) đã có địa chỉ số; 2 thôn đạt điều kiện 4 về số liệu." {
			t.Errorf("A3 = %q", got)
		}
		// A STT, B Xã, C Thôn, D Mã, E date, F..I households, J..M organisations, N status, O explanation.
		wantCell(t, f, sh, "B6", "Xã")
		r := itoa(findRow(t, f, sh, "D", "06052-002"))
		for c, want := range map[string]string{"B": "Xã Quang Lang", "C": "Thôn Bản Chu", "E": "45657", "F": "250", "G": "245",
			"H": "5", "I": "0.98", "J": "2", "K": "2", "L": "0", "M": "1", "N": "Chưa đạt"} {
			wantCell(t, f, sh, c+r, want)
		}
		if got := numFmtOf(t, f, sh, "E"+r); got != "dd/mm/yyyy" {
			t.Errorf("date format %q", got)
		}
		if got := numFmtOf(t, f, sh, "I"+r); got != "0.0%" {
			t.Errorf("rate format %q", got)
		}
		if got := fillOf(t, f, sh, "N"+r); got != fillNotMet {
			t.Errorf("status fill %q", got)
		}
		r = itoa(findRow(t, f, sh, "D", "06055-001"))
		wantCell(t, f, sh, "M"+r, "") // no organisations: no rate
		panes, _ := f.GetPanes(sh)
		if !panes.Freeze || panes.YSplit != 6 {
			t.Errorf("panes %+v", panes)
		}
		if dim, _ := f.GetSheetDimension(sh); dim != "A1:O9" {
			t.Errorf("dimension %s", dim)
		}
		if !strings.Contains(sheetXML(t, paths[0], f, sh), `<autoFilter ref="A6:O9"`) {
			t.Error("no filter on the address table")
		}
	})

	t.Run("ocop", func(t *testing.T) {
		const sh = sheetOCOP
		if got := raw(t, f, sh, "A3"); !strings.HasPrefix(got, "3 sản phẩm; 2 còn hiệu lực cuối kỳ, trong đó 1 đã lên sàn TMĐT, 1 chưa lên sàn nào") {
			t.Errorf("A3 = %q", got)
		}
		// A STT, B Xã, C name, D code, E stars, F owner, G decision, H certified, I expires, J state, K count, L platforms, M notes.
		r := itoa(findRow(t, f, sh, "C", "Miến dong Quang Lang"))
		for c, want := range map[string]string{"B": "Xã Quang Lang", "D": "P1", "E": "4", "F": "HTX Quang Lang",
			"I": "46032", "J": "Đã lên sàn", "K": "1", "L": "Shopee", "M": "Ngừng bán trên Voso"} {
			wantCell(t, f, sh, c+r, want)
		}
		if got := fillOf(t, f, sh, "C"+r); got != "" {
			t.Errorf("a listed product stands out: %q", got)
		}
		r = itoa(findRow(t, f, sh, "C", "Mật ong bạc hà"))
		wantCell(t, f, sh, "J"+r, "Chưa lên sàn")
		wantCell(t, f, sh, "K"+r, "0")
		for _, c := range []string{"A", "C", "J", "M"} {
			if got := fillOf(t, f, sh, c+r); got != fillNotMet {
				t.Errorf("unlisted product: fill of %s = %q", c, got)
			}
		}
		r = itoa(findRow(t, f, sh, "C", "Trà hoa vàng"))
		wantCell(t, f, sh, "J"+r, "Hết hạn")
		if got := fillOf(t, f, sh, "C"+r); got != fillAmber {
			t.Errorf("expired product fill %q", got)
		}
		if got := numFmtOf(t, f, sh, "I"+r); got != "dd/mm/yyyy" {
			t.Errorf("expiry format %q", got)
		}
		rows, _ := f.GetRows(sh)
		for _, row := range rows {
			if strings.Contains(strings.Join(row, "|"), "Sản phẩm huyện khác") {
				t.Error("another district's product is listed")
			}
		}
		if !strings.Contains(sheetXML(t, paths[0], f, sh), `<autoFilter ref="A6:M9"`) {
			t.Error("no filter on the product table")
		}
	})
}

// TestWorkbooksConvertWithLibreOffice converts a district workbook, the province workbook
// and a filled template to PDF, when LibreOffice is installed.
func TestWorkbooksConvertWithLibreOffice(t *testing.T) {
	bin := sofficeBin(t)
	pool := fixture(t)
	ocopFixture(t, pool)
	paths := writeAll(t, pool, "")
	tpl := writeTemplate(t, unitsDB(t), ntm.DatasetOCOPListings, "187")
	convertPDF(t, bin, append(paths, tpl)...)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
