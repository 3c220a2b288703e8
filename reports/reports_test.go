package reports

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db/dbtest"
)

var (
	dec2024  = ntm.Period{Year: 2024, Month: time.December}
	fixedNow = time.Date(2025, 1, 15, 1, 30, 0, 0, time.UTC) // 08:30 in Vietnam
)

func exec1(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// res inserts one result row of evaluation 1; num/den < 0 means no value.
func res(t *testing.T, pool *pgxpool.Pool, code, name, level, parent, crit, status string, num, den, thNum, thDen int64, expl, detail string) {
	t.Helper()
	var vn, vd any
	if den > 0 {
		vn, vd = num, den
	}
	if detail == "" {
		detail = "{}"
	}
	var p any
	if parent != "" {
		p = parent
	}
	exec1(t, pool, `INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status,
		value_num, value_den, threshold_num, threshold_den, explanation, detail)
		VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		code, name, level, p, crit, status, vn, vd, thNum, thDen, expl, detail)
}

// fixture: Tỉnh Lạng Sơn → Huyện Chi Lăng → Xã Quang Lang (2 villages), Thị trấn Đồng Mỏ (1 village);
// two source files with one rejected row each, a few facts, and an evaluation of 2024-12.
func fixture(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	units := [][]string{
		{"20", "province", "Tỉnh", "Tỉnh Lạng Sơn", "lạng sơn", ""},
		{"181", "district", "Huyện", "Huyện Chi Lăng", "chi lăng", "20"},
		{"06052", "commune", "Xã", "Xã Quang Lang", "quang lang", "181"},
		{"06055", "commune", "Thị trấn", "Thị trấn Đồng Mỏ", "đồng mỏ", "181"},
		{"06052-001", "village", "Thôn", "Thôn Nà Lừa", "nà lừa", "06052"},
		{"06052-002", "village", "Thôn", "Thôn Bản Chu", "bản chu", "06052"},
		{"06055-001", "village", "Khối", "Khối Hòa Bình", "hoà bình", "06055"},
	}
	for _, u := range units {
		var parent any
		if u[5] != "" {
			parent = u[5]
		}
		exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ($1,$2,$3,$4,$5,$6)`,
			u[0], u[1], u[2], u[3], u[4], parent)
	}
	// A unit that no longer exists at the period end must not appear.
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to)
		VALUES ('06058', 'commune', 'Xã', 'Xã Đã Sáp Nhập', 'da sap nhap', '181', '2020-01-01', '2024-06-30')`)

	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
		rows_read, rows_loaded, rows_rejected, status) VALUES
		(1, 'vpostcode', 'file:///inbox/vpostcode_t12.xlsx', 'vpostcode_t12.xlsx', 1000,
		 'abcdef0123456789abcdef', '2025-01-05 03:00:00+00', '2024-12-31', 4, 3, 1, 'loaded'),
		(2, 'village_survey', 'file:///inbox/phieu_thon.xlsx', 'phieu_thon.xlsx', 2000,
		 '9999888877776666', '2025-01-06 03:00:00+00', '2024-12-20', 3, 2, 1, 'loaded'),
		(3, 'vpostcode', 'file:///inbox/old.xlsx', 'old.xlsx', 10, '1111', '2022-01-01 00:00:00+00', '2022-01-01', 1, 1, 0, 'loaded')`)
	exec1(t, pool, `INSERT INTO rejected_row (batch_id, sheet, row_no, col, reason, raw) VALUES
		(1, 'Sheet1', 9, 'Số hộ đã gắn địa chỉ số', 'Số hộ đã gắn địa chỉ số (260) lớn hơn tổng số hộ (250)', 'Xã Quang Lang | Thôn Bản Chu | 250 | 260'),
		(2, 'Phiếu', 12, 'Thôn', 'Không tìm thấy thôn "Nà Pò" trong xã Hữu Lũng', 'Hữu Lũng | Nà Pò | Có | Có')`)
	exec1(t, pool, `INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		VALUES (1, 5, '06052-001', '2024-12-31', 120, 120, 3, 3), (1, 6, '06052-002', '2024-12-31', 250, 245, 2, 2),
		       (1, 7, '06055-001', '2024-12-31', 80, 80, 0, 0)`)
	exec1(t, pool, `INSERT INTO fact_village_survey (batch_id, row_no, village_code, as_of, team, platform, wifi, models)
		VALUES (2, 5, '06052-001', '2024-12-20', true, true, true, 2), (2, 6, '06052-002', '2024-12-20', true, true, true, 1)`)

	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES (1, '2024-12', 'langson-2021', '2025-01-10 02:00:00+00')`)
	stale := `{"stale": true, "as_of": "2023-10-01"}`
	staleText := "Số liệu ngày 01/10/2023 đã quá 12 tháng (phiếu tự đánh giá)"
	for _, v := range []struct{ code, name, commune string }{
		{"06052-001", "Thôn Nà Lừa", "06052"}, {"06052-002", "Thôn Bản Chu", "06052"}, {"06055-001", "Khối Hòa Bình", "06055"},
	} {
		r := func(crit, status string, num, den, th int64, expl, detail string) {
			res(t, pool, v.code, v.name, "village", v.commune, crit, status, num, den, th, 1, expl, detail)
		}
		switch v.code {
		case "06052-001":
			r("V1_TEAM", "met", 1, 1, 1, "Có Tổ công nghệ số cộng đồng", "")
			r("V2_PLATFORM", "met", 1, 1, 1, "Có sử dụng nền tảng số", "")
			r("V3_WIFI", "met", 1, 1, 1, "Có WiFi miễn phí", "")
			r("V4_ADDRESS", "met", 1, 1, 1, "120/120 hộ, 3/3 cơ quan đã gắn địa chỉ số", addressDetail(5, 120, 120, 3, 3))
			r("V5_OCOP", "met", 2, 2, 1, "2/2 sản phẩm OCOP đã lên sàn", "")
			r("V6_DXMODEL", "met", 2, 1, 1, "2 mô hình chuyển đổi số", "")
			r("SMART_VILLAGE", "met", 6, 1, 6, "Đạt cả 6 điều kiện", "")
		case "06052-002":
			r("V1_TEAM", "met", 1, 1, 1, "Có Tổ công nghệ số cộng đồng", "")
			r("V2_PLATFORM", "met", 1, 1, 1, "Có sử dụng nền tảng số", "")
			r("V3_WIFI", "met", 1, 1, 1, "Có WiFi miễn phí", "")
			r("V4_ADDRESS", "not_met", 245, 250, 1, "245/250 hộ đã gắn địa chỉ số; còn thiếu 5", addressDetail(6, 250, 245, 2, 2))
			r("V5_OCOP", "met", 2, 2, 1, "2/2 sản phẩm OCOP đã lên sàn", "")
			r("V6_DXMODEL", "met", 1, 1, 1, "1 mô hình chuyển đổi số", "")
			r("SMART_VILLAGE", "not_met", 5, 1, 6, "Chưa đạt: địa chỉ số", "")
		case "06055-001":
			r("V1_TEAM", "no_data", 0, 0, 1, staleText, stale)
			r("V2_PLATFORM", "no_data", 0, 0, 1, staleText, stale)
			r("V3_WIFI", "no_data", 0, 0, 1, staleText, stale)
			r("V4_ADDRESS", "met", 1, 1, 1, "80/80 hộ đã gắn địa chỉ số; không có cơ quan, tổ chức", addressDetail(7, 80, 80, 0, 0))
			r("V5_OCOP", "met", 0, 0, 1, "Thị trấn Đồng Mỏ không có sản phẩm OCOP còn hiệu lực", "")
			r("V6_DXMODEL", "no_data", 0, 0, 1, "Chưa có phiếu tự đánh giá của thôn", "")
			r("SMART_VILLAGE", "no_data", 2, 1, 6, "Chưa đủ số liệu", "")
		}
	}
	res(t, pool, "06052", "Xã Quang Lang", "commune", "181", "C8_SMART_VILLAGE", "met", 1, 1, 1, 1, "1/2 thôn là thôn thông minh", "")
	res(t, pool, "06052", "Xã Quang Lang", "commune", "181", "D95_PROCEDURES", "met", 60, 60, 1, 1, "60/60 TTHC", `{"eligible": 60, "online": 60}`)
	res(t, pool, "06052", "Xã Quang Lang", "commune", "181", "D95_DOSSIERS", "met", 3000, 4000, 7, 10, "3.000/4.000 hồ sơ", `{"received": 4000, "full_online": 3000}`)
	res(t, pool, "06055", "Thị trấn Đồng Mỏ", "commune", "181", "C8_SMART_VILLAGE", "no_data", 0, 1, 1, 1, "Chưa đủ số liệu để kết luận", "")
	res(t, pool, "06055", "Thị trấn Đồng Mỏ", "commune", "181", "D95_PROCEDURES", "no_data", 0, 0, 1, 1, "Chưa có số liệu TTHC", "")
	res(t, pool, "181", "Huyện Chi Lăng", "district", "20", "D95_PROCEDURES", "met", 120, 120, 1, 1,
		"120/120 TTHC đủ điều kiện đã cung cấp DVCTT", `{"eligible": 120, "online": 120, "full_online": 80, "partial_online": 40}`)
	res(t, pool, "181", "Huyện Chi Lăng", "district", "20", "D95_DOSSIERS", "not_met", 6999, 10000, 7, 10,
		"6.999/10.000 hồ sơ xử lý trực tuyến toàn trình (69,9%)",
		`{"received": 10000, "full_online": 6999, "window_from": "2024-01-01", "window_to": "2024-12-31",
		  "units": [{"code": "181", "source": "aggregates", "periods": ["Năm 2024"], "gaps": []},
		            {"code": "06052", "source": "records"}]}`)
	res(t, pool, "181", "Huyện Chi Lăng", "district", "20", "D95", "not_met", 1, 1, 2, 1, "Đạt 1/2 tỷ lệ", "")
	res(t, pool, "20", "Tỉnh Lạng Sơn", "province", "", "SMART_VILLAGE", "not_met", 1, 1, 3, 1, "1/3 thôn đạt (33,3%); 1 chưa đạt; 1 chưa có số liệu", "")
	res(t, pool, "20", "Tỉnh Lạng Sơn", "province", "", "C8_SMART_VILLAGE", "no_data", 1, 1, 2, 1, "1/2 xã đạt (50%)", "")
	return pool
}

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func raw(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantCell(t *testing.T, f *excelize.File, sheet, ref, want string) {
	t.Helper()
	if got := raw(t, f, sheet, ref); got != want {
		t.Errorf("%s!%s = %q, want %q", sheet, ref, got, want)
	}
}

// findRow returns the first row whose cell in column col equals text, 0 when none.
func findRow(t *testing.T, f *excelize.File, sheet, col, text string) int {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := excelize.ColumnNameToNumber(col)
	for i, r := range rows {
		if len(r) >= c && r[c-1] == text {
			return i + 1
		}
	}
	t.Fatalf("%s: no row with %q in column %s", sheet, text, col)
	return 0
}

func fillOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(st.Fill.Color[0])
	if len(c) == 8 {
		c = c[2:] // ARGB
	}
	return c
}

func numFmtOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, _ := f.GetCellStyle(sheet, ref)
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	if st.NumFmt == 3 {
		return "#,##0"
	}
	return ""
}

// sheetXML returns the XML of a sheet straight from the package, to see what a streamed sheet holds.
func sheetXML(t *testing.T, path string, f *excelize.File, sheet string) string {
	t.Helper()
	idx, err := f.GetSheetIndex(sheet)
	if err != nil || idx < 0 {
		t.Fatalf("no sheet %s", sheet)
	}
	// excelize names sheet files by creation order, which is the workbook order here.
	name := "xl/worksheets/sheet" + itoa(idx+1) + ".xml"
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, zf := range z.File {
		if zf.Name == name {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			return strings.ReplaceAll(string(b), "$", "") // excelize writes absolute refs ($A$2:$S$5)
		}
	}
	t.Fatalf("no %s in %s", name, path)
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeAll(t *testing.T, pool *pgxpool.Pool, recipient string) []string {
	t.Helper()
	paths, err := Write(context.Background(), pool, dec2024, Options{OutDir: t.TempDir(), Recipient: recipient, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestWriteDistrictWorkbook(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	paths := writeAll(t, pool, "")
	if len(paths) != 2 {
		t.Fatalf("paths = %v, want the district's and the province's", paths)
	}
	for i, want := range []string{"181-huyen-chi-lang.xlsx", "20-tinh-lang-son.xlsx"} {
		if filepath.Base(paths[i]) != want || filepath.Base(filepath.Dir(paths[i])) != "2024-12" {
			t.Errorf("path %d = %s, want 2024-12/%s", i, paths[i], want)
		}
	}
	f := open(t, paths[0])

	wantSheets := []string{"Kết luận", "Tổng hợp", "Việc cần làm", "Giao việc theo xã", "Thôn thông minh", "Địa chỉ số", "Sản phẩm OCOP", "Dịch vụ công trực tuyến", "Chất lượng dữ liệu", "Ghi chú"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(wantSheets, "|") {
		t.Fatalf("sheets = %v, want %v", got, wantSheets)
	}

	t.Run("summary", func(t *testing.T) {
		const sh = "Tổng hợp"
		wantCell(t, f, sh, "A2", "Đơn vị nhận báo cáo: Huyện Chi Lăng (mã 181)")
		wantCell(t, f, sh, "A3", "Kỳ đánh giá: tháng 12/2024, số liệu đến 31/12/2024")
		// The workbook shows when its newest source file arrived, not when it was written: its
		// bytes depend on the data only (see Deliver).
		if a4 := raw(t, f, sh, "A4"); !strings.HasSuffix(a4, "; số liệu nhận đến 06/01/2025 10:00") {
			t.Errorf("A4 = %q", a4)
		}
		figures := map[string]string{
			"Số thôn, tổ dân phố được đánh giá":                     "3",
			"Số thôn thông minh (đạt cả 6 điều kiện) và tỷ lệ":      "1",
			"Số thôn chưa đạt":                                      "1",
			"Số thôn chưa có đủ số liệu để kết luận":                "1",
			"Số xã, phường, thị trấn":                               "2",
			"Số xã đạt tiêu chí 8 (có ít nhất một thôn thông minh)": "1",
			"Chỉ tiêu 9.5 (đạt cả hai tỷ lệ)":                       "1",
		}
		for label, want := range figures {
			r := findRow(t, f, sh, "A", label)
			wantCell(t, f, sh, "C"+itoa(r), want)
		}
		r := findRow(t, f, sh, "A", "Số thôn thông minh (đạt cả 6 điều kiện) và tỷ lệ")
		wantCell(t, f, sh, "D"+itoa(r), "0.333") // 1/3 truncated to 33.3%
		r = findRow(t, f, sh, "A", "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình (ngưỡng ≥ 70%)")
		wantCell(t, f, sh, "C"+itoa(r), "0.699") // 69.99% never shows as 70.0%
		if got := numFmtOf(t, f, sh, "C"+itoa(r)); got != "0.0%" {
			t.Errorf("ratio format = %q", got)
		}
		wantCell(t, f, sh, "D"+itoa(r), "Chưa đạt")
		if got := fillOf(t, f, sh, "D"+itoa(r)); got != fillNotMet {
			t.Errorf("not met fill = %q", got)
		}
		r = findRow(t, f, sh, "A", "Chỉ tiêu 9.5 (đạt cả hai tỷ lệ)")
		wantCell(t, f, sh, "D"+itoa(r), "Chưa đạt")
		// No earlier period was evaluated: no trend.
		wantCell(t, f, sh, "E"+itoa(r), "")
		// The coverage of each condition: 3 villages.
		cov := findRow(t, f, sh, "B", "4. Địa chỉ số")
		for c, want := range map[string]string{"C": "2", "D": "1", "E": "0", "F": "0.666"} {
			wantCell(t, f, sh, c+itoa(cov), want)
		}
		if got := fillOf(t, f, sh, "C"+itoa(cov)); got != fillMet {
			t.Errorf("coverage met fill = %q", got)
		}
		// The two 9.5 ratios against their thresholds.
		rr := findRow(t, f, sh, "B", "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình")
		wantCell(t, f, sh, "C"+itoa(rr), "0.699")
		wantCell(t, f, sh, "D"+itoa(rr), "0.7")
		// The commune table and its filter.
		top := findRow(t, f, sh, "A", "TÌNH HÌNH THEO XÃ") + 1
		for i, h := range []string{"STT", "Xã", "Mã xã", "Số thôn", "Số thôn thông minh", "Tiêu chí 8"} {
			c, _ := excelize.ColumnNumberToName(i + 1)
			wantCell(t, f, sh, c+itoa(top), h)
		}
		row := itoa(top + 1)
		wantCell(t, f, sh, "B"+row, "Xã Quang Lang")
		wantCell(t, f, sh, "D"+row, "2")
		wantCell(t, f, sh, "E"+row, "1")
		wantCell(t, f, sh, "F"+row, "Đạt")
		wantCell(t, f, sh, "G"+row, "1")
		wantCell(t, f, sh, "H"+row, "0.75")
		row = itoa(top + 2)
		wantCell(t, f, sh, "B"+row, "Thị trấn Đồng Mỏ")
		wantCell(t, f, sh, "F"+row, "Chưa có số liệu")
		if got := fillOf(t, f, sh, "F"+row); got != fillNoData {
			t.Errorf("no data fill = %q", got)
		}
		if !strings.Contains(sheetXML(t, paths[0], f, sh), `<autoFilter ref="A`+itoa(top)+`:H`+itoa(top+2)+`"`) {
			t.Errorf("summary: no autofilter on the commune table A%d:H%d", top, top+2)
		}
		r = findRow(t, f, sh, "B", "Đạt")
		if got := fillOf(t, f, sh, "B"+itoa(r)); got != fillMet {
			t.Errorf("legend: met fill = %q", got)
		}
	})

	t.Run("villages", func(t *testing.T) {
		const sh = "Thôn thông minh"
		// A title row, a legend row, the header (row 3), then each commune's heading and villages.
		// Columns: A STT, B Xã, C Thôn, D Mã thôn, E..J the six conditions, K SMART, L count, M actions.
		if got := raw(t, f, sh, "A1"); !strings.Contains(got, "THÔN THÔNG MINH") || !strings.Contains(got, "Huyện Chi Lăng") {
			t.Errorf("A1 = %q", got)
		}
		wantCell(t, f, sh, "E3", "1. Tổ công nghệ số cộng đồng")
		wantCell(t, f, sh, "M3", "Việc cần làm")
		wantCell(t, f, sh, "A4", "Xã Quang Lang: 2 thôn, 1 thôn thông minh, 1 chưa đạt, 0 chưa có đủ số liệu")
		rows := map[string][]string{
			"5": {"1", "Xã Quang Lang", "Thôn Nà Lừa", "06052-001", "Có", "Có", "Có", "100%", "100%", "2", "Đạt", "6", ""},
			"6": {"2", "Xã Quang Lang", "Thôn Bản Chu", "06052-002", "Có", "Có", "Có", "98%", "100%", "1", "Chưa đạt", "5",
				"• Gắn địa chỉ số cho 5 hộ còn thiếu"}, // the fixture's result has no figures in its detail
			"8": {"3", "Thị trấn Đồng Mỏ", "Khối Hòa Bình", "06055-001", "Số liệu cũ", "Số liệu cũ", "Số liệu cũ",
				"100%", "Không có sản phẩm", "Chưa có số liệu", "Chưa có số liệu", "2", ""},
		}
		for r, want := range rows {
			for i, w := range want {
				c, _ := excelize.ColumnNumberToName(i + 1)
				if c == "M" && r == "8" {
					got := raw(t, f, sh, "M8")
					if !strings.Contains(got, "Gửi lại phiếu khảo sát") {
						t.Errorf("M8 = %q", got)
					}
					continue
				}
				wantCell(t, f, sh, c+r, w)
			}
		}
		for ref, want := range map[string]string{"E5": fillMet, "H6": fillNotMet, "E8": fillNoData, "K5": fillMet, "K6": fillNotMet, "K8": fillNoData} {
			if got := fillOf(t, f, sh, ref); got != want {
				t.Errorf("fill of %s = %q, want %q", ref, got, want)
			}
		}
		panes, err := f.GetPanes(sh)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
			t.Errorf("panes = %+v, want frozen at A4", panes)
		}
		if dim, _ := f.GetSheetDimension(sh); dim != "A1:M8" {
			t.Errorf("dimension = %q, want A1:M8", dim)
		}
		if !strings.Contains(sheetXML(t, paths[0], f, sh), `<autoFilter ref="A3:M8"`) {
			t.Error("village sheet: no autofilter A3:M8")
		}
		// The header's wrapped names get the height of their lines.
		if h, _ := f.GetRowHeight(sh, 3); h < 2*lineHeight(bodyFont) {
			t.Errorf("header row height = %v", h)
		}
	})

	t.Run("services", func(t *testing.T) {
		const sh = "Dịch vụ công trực tuyến"
		top := findRow(t, f, sh, "A", "STT")
		d := itoa(top + 1)
		// A STT, B Đơn vị, C eligible, D offered, E ratio, F status, G received, H full, I ratio, J status, K D95, L periods, M to do
		for c, want := range map[string]string{"B": "Toàn huyện Chi Lăng (UBND huyện và các xã)", "C": "120", "D": "120", "E": "1",
			"F": "Đạt", "G": "10000", "H": "6999", "I": "0.699", "J": "Chưa đạt", "K": "Chưa đạt",
			"L": "Từ 01/01/2024 đến 31/12/2024"} {
			wantCell(t, f, sh, c+d, want)
		}
		if got := raw(t, f, sh, "M"+d); !strings.Contains(got, "hồ sơ") {
			t.Errorf("to do of the district = %q", got)
		}
		if got := numFmtOf(t, f, sh, "G"+d); got != "#,##0" {
			t.Errorf("count format = %q", got)
		}
		// The district office's own figures, when the detail has them, come next; then the communes.
		c1 := itoa(findRow(t, f, sh, "B", "Xã Quang Lang (tham khảo)"))
		for c, want := range map[string]string{"C": "60", "E": "1", "G": "4000", "I": "0.75", "J": "Đạt", "K": ""} {
			wantCell(t, f, sh, c+c1, want)
		}
		c2 := itoa(findRow(t, f, sh, "B", "Thị trấn Đồng Mỏ (tham khảo)"))
		wantCell(t, f, sh, "C"+c2, "")
		wantCell(t, f, sh, "F"+c2, "Chưa có số liệu")
		panes, _ := f.GetPanes(sh)
		if !panes.Freeze || panes.YSplit != top {
			t.Errorf("panes = %+v", panes)
		}
	})

	t.Run("quality", func(t *testing.T) {
		const sh = "Chất lượng dữ liệu"
		r := findRow(t, f, sh, "B", "vpostcode_t12.xlsx")
		for c, want := range map[string]string{"C": "Địa chỉ số (Vpostcode)", "D": "05/01/2025 10:00", "E": "31/12/2024",
			"F": "4", "G": "3", "H": "1", "I": "Đã nạp"} {
			wantCell(t, f, sh, c+itoa(r), want)
		}
		findRow(t, f, sh, "B", "phieu_thon.xlsx")
		rows, _ := f.GetRows(sh)
		all := ""
		for _, row := range rows {
			all += strings.Join(row, "|") + "\n"
		}
		if strings.Contains(all, "old.xlsx") {
			t.Error("a file older than the staleness window is listed as a source")
		}
		if !strings.Contains(all, "Chưa có tệp nào của bộ dữ liệu “Sản phẩm OCOP”") {
			t.Error("missing datasets are not listed")
		}
		// Only the reject that names a unit of the district.
		// A recipient sees the file, the place and the reason, not the batch number, the hash or the raw row.
		rr := findRow(t, f, sh, "G", "Số hộ đã gắn địa chỉ số (260) lớn hơn tổng số hộ (250)")
		for c, want := range map[string]string{"B": "vpostcode_t12.xlsx", "D": "Sheet1", "E": "9", "F": "Số hộ đã gắn địa chỉ số"} {
			wantCell(t, f, sh, c+itoa(rr), want)
		}
		if strings.Contains(all, "abcdef012345") || strings.Contains(all, "Xã Quang Lang | Thôn Bản Chu | 250 | 260") {
			t.Error("a recipient's quality sheet shows hashes or raw rows")
		}
		if strings.Contains(all, "Hữu Lũng") {
			t.Error("a reject of another district is listed in the district's workbook")
		}
		// Missing data: the stale survey answers of Khối Hòa Bình and the commune's procedures.
		m := findRow(t, f, sh, "A", "STT") // first header: sources
		_ = m
		if !strings.Contains(all, "Khối Hòa Bình|Thôn|06055-001|Thị trấn Đồng Mỏ|1. Tổ công nghệ số cộng đồng||Số liệu cũ|Số liệu ngày 01/10/2023") {
			t.Errorf("stale village data not listed:\n%s", all)
		}
		if !strings.Contains(all, "Khối Hòa Bình|Thôn|06055-001|Thị trấn Đồng Mỏ|6. Mô hình chuyển đổi số||Thiếu số liệu|") {
			t.Error("missing village data not listed")
		}
		if !strings.Contains(all, "Thị trấn Đồng Mỏ|Xã|06055|Huyện Chi Lăng|Tỷ lệ TTHC cung cấp DVCTT||Thiếu số liệu|Chưa có số liệu TTHC") {
			t.Error("missing commune data not listed")
		}
		if strings.Contains(all, "|Thôn thông minh|") {
			t.Error("composite criteria are listed as missing data")
		}
		xml := sheetXML(t, paths[0], f, sh)
		if !strings.Contains(xml, "<autoFilter ref=") {
			t.Error("quality sheet: no autofilter")
		}
		dim, _ := f.GetSheetDimension(sh)
		if dim != "A1:J"+itoa(len(rows)) {
			t.Errorf("dimension = %s, rows = %d", dim, len(rows))
		}
	})

	t.Run("notes", func(t *testing.T) {
		const sh = "Ghi chú"
		r := findRow(t, f, sh, "B", "D95_DOSSIERS")
		wantCell(t, f, sh, "C"+itoa(r), "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình ≥ 70%")
		wantCell(t, f, sh, "D"+itoa(r), "Huyện")
		wantCell(t, f, sh, "E"+itoa(r), "≥ 70%")
		r = findRow(t, f, sh, "B", "V1_TEAM")
		wantCell(t, f, sh, "E"+itoa(r), "Có")
		r = findRow(t, f, sh, "B", "SMART_VILLAGE")
		wantCell(t, f, sh, "E"+itoa(r), "≥ 6")
		// The set and its legal basis head the sheet; criterion 8 concerns xã only.
		wantCell(t, f, sh, "A2", "Bộ tiêu chí: Bộ tiêu chí thôn thông minh và chỉ tiêu 9.5 tỉnh Lạng Sơn giai đoạn 2021–2025 (mã langson-2021)")
		if got := raw(t, f, sh, "A3"); !strings.HasPrefix(got, "Căn cứ: Quyết định số 1127/QĐ-BTTTT") {
			t.Errorf("A3 = %q", got)
		}
		wantCell(t, f, sh, "A4", "Hiệu lực: từ 01/01/2021")
		r = findRow(t, f, sh, "B", "C8_SMART_VILLAGE")
		wantCell(t, f, sh, "F"+itoa(r), "Xã")
		wantCell(t, f, sh, "F"+itoa(findRow(t, f, sh, "B", "V1_TEAM")), "Mọi đơn vị")
	})

	t.Run("print and properties", func(t *testing.T) {
		for _, sh := range f.GetSheetList() {
			pl, err := f.GetPageLayout(sh)
			if err != nil {
				t.Fatal(err)
			}
			// A fixed scale that keeps 10 pt text at 8 pt or more, never fitted to the page width.
			if *pl.Orientation != "landscape" || *pl.Size != 9 || pl.AdjustTo == nil || *pl.AdjustTo < minScale {
				t.Errorf("%s: page layout %s size %d scale %v", sh, *pl.Orientation, *pl.Size, pl.AdjustTo)
			}
			props, _ := f.GetSheetProps(sh)
			if props.FitToPage != nil && *props.FitToPage {
				t.Errorf("%s: fitted to the page", sh)
			}
		}
		p, err := f.GetDocProps()
		if err != nil {
			t.Fatal(err)
		}
		if p.Creator != "ntm" || p.Created != "2025-01-06T03:00:00Z" || !strings.Contains(p.Title, "Huyện Chi Lăng") {
			t.Errorf("properties = %+v", p)
		}
	})
}

func TestWriteProvinceWorkbook(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	paths := writeAll(t, pool, "20")
	if len(paths) != 1 || filepath.Base(paths[0]) != "20-tinh-lang-son.xlsx" {
		t.Fatalf("paths = %v", paths)
	}
	f := open(t, paths[0])
	want := []string{"Tổng hợp", "Xếp hạng", "Các huyện", "Thôn thông minh", "Địa chỉ số", "Sản phẩm OCOP", "Dịch vụ công trực tuyến", "Chất lượng dữ liệu", "Ghi chú"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %v", got)
	}
	// Districts side by side.
	const ds = "Các huyện"
	r := itoa(findRow(t, f, ds, "B", "Huyện Chi Lăng"))
	for c, w := range map[string]string{"C": "181", "D": "2", "E": "3", "F": "1", "G": "0.333", "H": "1", "I": "1", "J": "Đạt", "K": "0.699", "L": "Chưa đạt", "M": "Chưa đạt"} {
		wantCell(t, f, ds, c+r, w)
	}
	tot := itoa(findRow(t, f, ds, "B", "Toàn tỉnh"))
	wantCell(t, f, ds, "E"+tot, "3")
	wantCell(t, f, ds, "M"+tot, "0/1 huyện đạt")

	// The village sheet has a district column.
	wantCell(t, f, "Thôn thông minh", "B3", "Huyện")
	wantCell(t, f, "Thôn thông minh", "B4", "Huyện Chi Lăng")
	wantCell(t, f, "Thôn thông minh", "E6", "06055-001")

	// The province's own rows, whatever they are.
	sh := "Tổng hợp"
	pr := itoa(findRow(t, f, sh, "B", "Thôn thông minh (đạt cả 6 điều kiện)"))
	wantCell(t, f, sh, "C"+pr, "1")
	wantCell(t, f, sh, "D"+pr, "3")
	wantCell(t, f, sh, "E"+pr, "0.333")
	// Every recipient side by side, ranked by its share of smart villages.
	rk := findRow(t, f, "Xếp hạng", "B", "Huyện Chi Lăng")
	wantCell(t, f, "Xếp hạng", "A"+itoa(rk), "1")
	wantCell(t, f, "Xếp hạng", "C"+itoa(rk), "181")
	// No red "Chưa đạt" because not every unit meets it: the province sets no target of its own here.
	wantCell(t, f, sh, "G"+pr, "Không đặt mục tiêu cấp tỉnh")
	wantCell(t, f, sh, "H"+pr, "")
	r = itoa(findRow(t, f, sh, "A", "Số huyện đạt chỉ tiêu 9.5"))
	wantCell(t, f, sh, "C"+r, "0")

	// Every reject is listed.
	findRow(t, f, "Chất lượng dữ liệu", "G", "Số hộ đã gắn địa chỉ số (260) lớn hơn tổng số hộ (250)")
	findRow(t, f, "Chất lượng dữ liệu", "G", `Không tìm thấy thôn "Nà Pò" trong xã Hữu Lũng`)
	// The office's workbook keeps the batch numbers, hashes and raw rows.
	findRow(t, f, "Chất lượng dữ liệu", "J", "Xã Quang Lang | Thôn Bản Chu | 250 | 260")
}

func TestWriteRecipientFilterAndErrors(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	ctx := context.Background()
	out := t.TempDir()
	paths, err := Write(ctx, pool, dec2024, Options{OutDir: out, Recipient: "181", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "2024-12"))
	if len(paths) != 1 || len(entries) != 1 || entries[0].Name() != "181-huyen-chi-lang.xlsx" {
		t.Fatalf("paths = %v, files = %v: want only the district's", paths, entries)
	}

	_, err = Write(ctx, pool, dec2024, Options{OutDir: out, Recipient: "999"})
	if err == nil || !strings.Contains(err.Error(), `không có đơn vị nhận báo cáo mã "999" trong kỳ 2024-12`) || !strings.Contains(err.Error(), "181, 20") {
		t.Errorf("unknown recipient: err = %v", err)
	}

	_, err = Write(ctx, pool, ntm.Period{Year: 2024, Month: time.November}, Options{OutDir: out})
	if err == nil || !strings.HasPrefix(err.Error(), "chưa có kết quả đánh giá kỳ 2024-11: chạy ntm evaluate --period 2024-11") {
		t.Errorf("no evaluation: err = %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(out, "2024-11")); !os.IsNotExist(statErr) {
		t.Error("a folder was created for a period without results")
	}

	// The newest evaluation wins.
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES (2, '2024-12', 'langson-2021', '2025-01-11 02:00:00+00')`)
	paths, err = Write(ctx, pool, dec2024, Options{OutDir: t.TempDir(), Recipient: "181"})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, paths[0])
	r := findRow(t, f, "Tổng hợp", "A", "Số thôn, tổ dân phố được đánh giá")
	wantCell(t, f, "Tổng hợp", "C"+itoa(r), "0")
}

func TestTwoTierRecipientsAreCommunes(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES
		('20', 'province', 'Tỉnh', 'Tỉnh Lạng Sơn', 'lạng sơn', NULL),
		('06052', 'commune', 'Xã', 'Xã Quang Lang', 'quang lang', '20'),
		('06055', 'commune', 'Xã', 'Xã Đồng Mỏ', 'đồng mỏ', '20')`)
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key) VALUES (1, '2025-09', 'langson-2021')`)
	res(t, pool, "06052", "Xã Quang Lang", "commune", "20", "C8_SMART_VILLAGE", "not_met", 0, 1, 1, 1, "Không thôn nào đạt", "")
	paths, err := Write(context.Background(), pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if strings.Join(names, " ") != "06052-xa-quang-lang.xlsx 06055-xa-dong-mo.xlsx 20-tinh-lang-son.xlsx" {
		t.Fatalf("files = %v", names)
	}
	f := open(t, paths[0])
	r := findRow(t, f, "Tổng hợp", "A", "Tiêu chí 8 của xã")
	wantCell(t, f, "Tổng hợp", "C"+itoa(r), "0")
	wantCell(t, f, "Tổng hợp", "D"+itoa(r), "Chưa đạt")
	if got := strings.Join(f.GetSheetList(), "|"); got != "Kết luận|Tổng hợp|Việc cần làm|Giao việc theo xã|Thôn thông minh|Địa chỉ số|Sản phẩm OCOP|Dịch vụ công trực tuyến|Chất lượng dữ liệu|Ghi chú" {
		t.Errorf("sheets = %v", got)
	}
}

// sofficeBin is LibreOffice's soffice, or the test is skipped when it is not installed.
func sofficeBin(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("LibreOffice (soffice) is not installed: the PDF conversion check needs it (apt-get install libreoffice-calc-nogui)")
	return ""
}

// convertPDF converts workbooks to PDF with LibreOffice, failing when one does not convert.
func convertPDF(t *testing.T, bin string, paths ...string) {
	t.Helper()
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "-env:UserInstallation=file://" + t.TempDir(), "--convert-to", "pdf", "--outdir", out}, paths...)
	if b, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	for _, p := range paths {
		pdf := filepath.Join(out, strings.TrimSuffix(filepath.Base(p), ".xlsx")+".pdf")
		st, err := os.Stat(pdf)
		if err != nil || st.Size() < 1000 {
			t.Errorf("%s: no PDF written (%v)", p, err)
		}
	}
}

// A file loaded while the evaluation ran, committed after its snapshot, was received before
// evaluated_at but gave nothing to the figures: the data-quality sheet names only the batches
// the evaluation counted (evaluation.batch_ids), and the workbook's data time is theirs.
func TestQualitySheetNamesOnlyBatchesTheEvaluationCounted(t *testing.T) {
	pool := fixture(t)
	exec1(t, pool, `UPDATE evaluation SET batch_ids = '{1,3}' WHERE id = 1`) // batch 2 committed after the snapshot
	paths := writeAll(t, pool, "")
	f := open(t, paths[0])
	const sh = "Chất lượng dữ liệu"
	findRow(t, f, sh, "B", "vpostcode_t12.xlsx")
	rows, _ := f.GetRows(sh)
	for _, r := range rows {
		if strings.Contains(strings.Join(r, "|"), "phieu_thon.xlsx") {
			t.Errorf("a batch the evaluation did not count is listed: %q", r)
		}
	}
	all := ""
	summary, _ := f.GetRows("Tổng hợp")
	for _, row := range summary {
		all += strings.Join(row, "|") + "\n"
	}
	if !strings.Contains(all, "số liệu nhận đến 05/01/2025 10:00") {
		t.Errorf("the data time is not batch 1's (05/01/2025 10:00):\n%s", all)
	}
}

// A workbook writer killed outright leaves its ".<name>.ntm-report-<pid>-….raw" beside the
// workbooks; the next one writing there removes it (a live writer's stays).
func TestNextWriterRemovesAKilledWritersTemporaries(t *testing.T) {
	pool := fixture(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	dir := filepath.Join(out, "2024-12")
	os.MkdirAll(dir, 0o755)
	stale := filepath.Join(dir, ".181-huyen-chi-lang.xlsx.ntm-report-"+strconv.Itoa(cmd.Process.Pid)+"-7.raw")
	live := filepath.Join(dir, ".20-tinh-lang-son.xlsx.ntm-report-"+strconv.Itoa(os.Getppid())+"-8.raw")
	os.WriteFile(stale, []byte("PK"), 0o600)
	os.WriteFile(live, []byte("PK"), 0o600)
	if _, err := Write(context.Background(), pool, dec2024, Options{OutDir: out, Now: func() time.Time { return fixedNow }}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a dead writer's temporary is still there (%v)", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's temporary was removed: %v", err)
	}
}
