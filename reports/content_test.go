package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/evaluate"
	"ntm/transform"
)

// addressDetail is the detail evaluation stores with a V4_ADDRESS result: the figures it read
// (batch 1, as of 31/12/2024), which the digital-address sheet and the totals show.
func addressDetail(row, hhTotal, hhWith, orgTotal, orgWith int) string {
	return fmt.Sprintf(`{"as_of": "2024-12-31", "batch_id": 1, "sheet": "Sheet1", "row": %d, "households_total": %d, "households_with": %d, "orgs_total": %d, "orgs_with": %d}`,
		row, hhTotal, hhWith, orgTotal, orgWith)
}

// The smart-villages chart prints each bar's number (data labels), and the status column a bar
// is not in stays empty, so no second "0" label is drawn over it.
func TestSmartVillageChartPrintsItsValues(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	for _, path := range writeAll(t, pool, "") {
		parts := zipFiles(t, path)
		var smart string
		for name, x := range parts {
			if strings.HasPrefix(name, "xl/charts/chart") && strings.Contains(x, "Số thôn thông minh theo") {
				smart = x
			}
		}
		bar := regexp.MustCompile(`(?s)<barChart>.*</barChart>`).FindString(smart)
		if bar == "" {
			t.Fatalf("%s: no smart-village bar chart", path)
		}
		if !regexp.MustCompile(`<dLbls>.*<showVal val="1">`).MatchString(strings.ReplaceAll(bar, "\n", "")) {
			t.Errorf("%s: the smart-village bars carry no value labels:\n%.1500s", path, bar)
		}
		line := regexp.MustCompile(`(?s)<lineChart>.*</lineChart>`).FindString(smart)
		if strings.Contains(line, `<showVal val="1">`) {
			t.Errorf("%s: the threshold line is labelled too", path)
		}
		if !strings.HasSuffix(path, "181-huyen-chi-lang.xlsx") {
			continue
		}
		f := open(t, path)
		sh := sheetSummary
		r := itoa(rowStarting(t, f, sh, "B", "Xã Quang Lang"))
		// Xã Quang Lang meets criterion 8 with 1 smart village: the bar is in F, G holds nothing.
		wantCell(t, f, sh, "F"+r, "1")
		if typ, _ := f.GetCellType(sh, "G"+r); typ != 0 || raw(t, f, sh, "G"+r) != "" {
			t.Errorf("G%s holds a value (type %v): the chart would label it", r, typ)
		}
	}
}

// reformAddresses adds to twoStructures the November 2024 digital addresses of two villages whose
// code the reform moved: before 1/7/2025 06463-001 was Khu Hòa Bình (now 06463-002); now it is
// Thôn Làng Cang (before: 06523-001).
func reformAddresses(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, as_of, status) VALUES
		(5, 'vpostcode', 'file:///in/vpostcode-2024-11.xlsx', 'vpostcode-2024-11.xlsx', 'a5', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded')`)
	exec1(t, pool, `INSERT INTO fact_vpostcode (batch_id, sheet, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with) VALUES
		(5, 'Chi Lăng', 10, '06463-001', '2024-11-30', 50, 40, 0, 0),
		(5, 'Chi Lăng', 11, '06523-001', '2024-11-30', 80, 80, 2, 2)`)
}

// After a change of structure the digital-address sheet and its totals show the figures the
// evaluation decided on — a village's predecessors' — never the facts of another village that
// had the same code before the reform.
func TestAddressSheetFollowsTheLineage(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	reformAddresses(t, pool)
	if _, err := evaluate.Evaluate(ctx, pool, ntm.Period{Year: 2025, Month: time.September}); err != nil {
		t.Fatal(err)
	}
	paths, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "06463"})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, paths[0])
	sh := sheetAddresses
	// A STT, B Xã, C Thôn, D Mã, E date, F..I households, J..M organisations, N status.
	r := itoa(findRow(t, f, sh, "D", "06463-001"))
	for c, want := range map[string]string{"C": "Thôn Làng Cang", "F": "80", "G": "80", "H": "0", "J": "2", "N": "Đạt"} {
		wantCell(t, f, sh, c+r, want)
	}
	r = itoa(findRow(t, f, sh, "D", "06463-002"))
	for c, want := range map[string]string{"C": "Khu Hòa Bình", "F": "50", "G": "40", "H": "10", "N": "Chưa đạt"} {
		wantCell(t, f, sh, c+r, want)
	}
	if got := raw(t, f, sh, "A3"); !strings.HasPrefix(got, "2/2 thôn có số liệu; 120/130 hộ (92,3%)") {
		t.Errorf("the totals line: %q", got)
	}
	sum := sheetSummary
	r = itoa(findRow(t, f, sum, "A", "Hộ gia đình đã có địa chỉ số"))
	wantCell(t, f, sum, "C"+r, "120")
	if got := raw(t, f, sum, "F"+r); !strings.HasPrefix(got, "trên tổng số 130 hộ của 2 thôn có số liệu") {
		t.Errorf("summary: %q", got)
	}
}

// A rejected row is linked to the village it names — by an old name, abbreviated, in an export
// of before the reform — where the village shows no data: the cause names the file, row and bad
// value and the action is to correct it; a code the reform gave to another village does not
// link that village to the old village's row.
func TestRejectedRowsLinkToTheVillageAcrossTheReform(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, as_of, status) VALUES
		(6, 'vpostcode', 'file:///in/vpostcode-2024-11.xlsx', 'vpostcode-2024-11.xlsx', 'a6', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded')`)
	// Old Khu Hòa Bình (06463-001 of Thị trấn Đồng Mỏ, now 06463-002 of Xã Chi Lăng), named as
	// the district's export names it; the second row names its old code.
	exec1(t, pool, `INSERT INTO rejected_row (batch_id, sheet, row_no, col, reason, raw) VALUES
		(6, 'Chi Lăng', 65, 'Hộ gia đình Tổng số', '"5O" không phải số nguyên không âm', '7 | TT. Đồng Mỏ | Hòa Bình | Huyện Chi Lăng | 5O | 53'),
		(6, 'Chi Lăng', 66, 'Tổ chức Tổng số', '"x" không phải số nguyên không âm', '8 | 06463-001 | x | 2')`)
	for _, p := range []ntm.Period{{Year: 2024, Month: time.December}, {Year: 2025, Month: time.September}} {
		if _, err := evaluate.Evaluate(ctx, pool, p); err != nil { // the file in the evaluation's snapshot
			t.Fatal(err)
		}
	}
	for _, p := range []ntm.Period{{Year: 2024, Month: time.December}, {Year: 2025, Month: time.September}} {
		recipient, village := "187", "06463-001" // 2024: Khu Hòa Bình still has its old code
		if p.Year == 2025 {
			recipient, village = "06463", "06463-002"
		}
		paths, err := Write(ctx, pool, p, Options{OutDir: t.TempDir(), Recipient: recipient})
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, paths[0])
		// The village sheet: its action is to correct row 65.
		sh := sheetVillages
		r := itoa(findRow(t, f, sh, "D", village))
		if got := sheetRowText(t, f, sh, r); !strings.Contains(got, "Sửa và gửi lại tệp vpostcode-2024-11.xlsx, trang Chi Lăng, dòng 65 (\"5O\" không phải số nguyên không âm)") {
			t.Errorf("%s: village %s: %s", p, village, got)
		}
		// The action list and the data-quality sheet give the cause with file, row and value.
		want := "tệp vpostcode-2024-11.xlsx, trang Chi Lăng, dòng 65, cột “Hộ gia đình Tổng số” bị loại: \"5O\" không phải số nguyên không âm"
		for _, sh := range []string{sheetActions, sheetQuality} {
			txt := sheetText(t, f, sh)
			line := ""
			for _, l := range strings.Split(txt, "\n") {
				if strings.Contains(l, village) && strings.Contains(l, "Địa chỉ số") {
					line = l
				}
			}
			if sh == sheetActions {
				// The action list names the village on its first row only: find its block.
				i := strings.Index(txt, village)
				if i < 0 {
					t.Fatalf("%s: %s not on %s", p, village, sh)
				}
				line = txt[i:min(len(txt), i+1500)]
			}
			if !strings.Contains(line, want) {
				t.Errorf("%s: %s: %s lacks the rejected row:\n%s", p, sh, village, line)
			}
		}
	}
	// 2025-09: today's 06463-001 is Thôn Làng Cang: neither row concerns it.
	paths, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "06463"})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, paths[0])
	r := itoa(findRow(t, f, sheetVillages, "D", "06463-001"))
	if got := sheetRowText(t, f, sheetVillages, r); strings.Contains(got, "dòng 65") || strings.Contains(got, "dòng 66") {
		t.Errorf("Thôn Làng Cang is linked to old Khu Hòa Bình's rows: %s", got)
	}
}

// sheetRowText is one row's cells, joined.
func sheetRowText(t *testing.T, f *excelize.File, sheet, row string) string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	n := mustAtoi(t, row)
	if n > len(rows) {
		return ""
	}
	return strings.Join(rows[n-1], " | ")
}

// A district's action list starts with the villages one condition away across its communes,
// then lists every village under a row naming its commune and its counts, nearest to smart
// first; the filter covers that full list.
func TestActionListGroupedByCommune(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	paths := writeAll(t, pool, "181")
	f := open(t, paths[0])
	sh := sheetActions
	if got := raw(t, f, sh, "A2"); !strings.Contains(got, "2 thôn chưa là thôn thông minh ở 2 xã; 1 thôn chỉ còn thiếu 1 điều kiện.") {
		t.Errorf("A2 = %q", got)
	}
	wantCell(t, f, sh, "B4", "Xã chịu trách nhiệm")
	wantCell(t, f, sh, "A5", "A. ƯU TIÊN: 1 THÔN CHỈ CÒN THIẾU 1 ĐIỀU KIỆN")
	for c, want := range map[string]string{"B": "Xã Quang Lang", "C": "Thôn Bản Chu (06052-002)", "D": "1", "E": "4. Địa chỉ số", "F": "Gắn địa chỉ số cho 5 hộ còn thiếu"} {
		wantCell(t, f, sh, c+"6", want)
	}
	b := findRow(t, f, sh, "A", "B. THEO TỪNG XÃ (mỗi thôn chưa đạt, thôn gần đạt nhất trước)")
	wantCell(t, f, sh, "B"+itoa(b+1), "Xã chịu trách nhiệm") // the full list's own header, for its filter
	ql := findRow(t, f, sh, "A", "Xã Quang Lang: 1/2 thôn chưa là thôn thông minh, 1 thôn chỉ còn thiếu 1 điều kiện")
	dm := findRow(t, f, sh, "A", "Thị trấn Đồng Mỏ: 1/1 thôn chưa là thôn thông minh, 0 thôn chỉ còn thiếu 1 điều kiện")
	if !(b+1 < ql && ql < dm) {
		t.Errorf("part B rows: B at %d, Xã Quang Lang at %d, Thị trấn Đồng Mỏ at %d", b, ql, dm)
	}
	wantCell(t, f, sh, "C"+itoa(ql+1), "Thôn Bản Chu (06052-002)")
	wantCell(t, f, sh, "C"+itoa(dm+1), "Khối Hòa Bình (06055-001)")
	wantCell(t, f, sh, "B"+itoa(dm+1), "Thị trấn Đồng Mỏ")
	if fill := fillOf(t, f, sh, "A"+itoa(ql)); fill == "" {
		t.Error("the commune's row is not shaded")
	}
	if x := sheetXML(t, paths[0], f, sh); !strings.Contains(x, `<autoFilter ref="A`+itoa(b+1)+`:G`) {
		t.Errorf("the filter does not start at part B's header (row %d)", b+1)
	}
	// A commune's own workbook has one commune: no part A, its heading row, its villages.
	cp, err := Write(context.Background(), twoStructures(t), ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "06463"})
	if err != nil {
		t.Fatal(err)
	}
	g := open(t, cp[0])
	if txt := sheetText(t, g, sh); strings.Contains(txt, "A. ƯU TIÊN") || !strings.Contains(txt, "thôn chưa là thôn thông minh") {
		t.Errorf("a commune's action list:\n%s", txt)
	}
}

// The verdict tells what changed in each 9.5 figure since the previous evaluated period: the
// change in points and of status, a figure that is new as data that arrived (not progress), and
// reads its results as things ("Đạt 1/2 tỷ lệ"), not bare numbers.
func TestVerdictTellsWhatChanged(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key, evaluated_at) VALUES (7, '2024-11', 'langson-2021', '2024-12-06')`)
	exec1(t, pool, `INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status,
		value_num, value_den, threshold_num, threshold_den) VALUES
		(7, '181', 'Huyện Chi Lăng', 'district', '20', 'D95_DOSSIERS', 'met', 7100, 10000, 7, 10),
		(7, '181', 'Huyện Chi Lăng', 'district', '20', 'D95_PROCEDURES', 'no_data', NULL, NULL, 1, 1),
		(7, '181', 'Huyện Chi Lăng', 'district', '20', 'D95', 'no_data', NULL, NULL, 2, 1)`)
	paths := writeAll(t, pool, "181")
	f := open(t, paths[0])
	sh := sheetVerdict
	row := func(prefix string) string { return itoa(rowStarting(t, f, sh, "B", prefix)) }
	r := row("Tỷ lệ hồ sơ xử lý trực tuyến toàn trình")
	if got := raw(t, f, sh, "G"+r); !strings.Contains(got, "Thứ 1/1 huyện\n−1 điểm % so với 2024-11; kỳ 2024-11: đạt") {
		t.Errorf("dossiers: change %q", got)
	}
	r = row("Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến")
	if got := raw(t, f, sh, "G"+r); got != "Kỳ 2024-11 chưa có số liệu: nay có số liệu mới, không phải do tiến bộ" {
		t.Errorf("procedures: change %q", got)
	}
	r = row("Chỉ tiêu 9.5")
	wantCell(t, f, sh, "C"+r, "Đạt 1/2 tỷ lệ")
	wantCell(t, f, sh, "G"+r, "Kỳ 2024-11 chưa có số liệu: nay có số liệu mới, không phải do tiến bộ")
	// 2024-11 counted no village's digital addresses: the rate is not compared, the arrival said.
	r = row("Hộ gia đình đã gắn địa chỉ số")
	wantCell(t, f, sh, "G"+r, "Thứ 1/1 huyện về tỷ lệ hộ có địa chỉ số\nSố thôn có số liệu còn hiệu lực: 3 (kỳ 2024-11: 0) – số liệu mới gửi hoặc đã cũ, không phải do tiến bộ")
}

// --prefill after the reform: a village without answers of its own gets those of the village it
// was formed from — never those of the village that had its code before — and when a row of its
// code at that date would be that other village's, the date is left for the commune to write,
// so a row returned untouched cannot load as the old village's.
func TestTemplatePrefillFollowsTheLineage(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	reformAddresses(t, pool)
	path := filepath.Join(t.TempDir(), "vpostcode.xlsx")
	opts := TemplateOptions{Recipient: "06463", Prefill: true, Date: ntm.Date(2025, time.September, 30), Period: ntm.Period{Year: 2025, Month: time.September}}
	if err := WriteTemplate(ctx, pool, ntm.DatasetVpostcode, path, opts); err != nil {
		t.Fatal(err)
	}
	f := open(t, path)
	top, _ := headerRow(t, f)
	rows, _ := f.GetRows(templateSheet)
	for i, want := range []string{
		// Thôn Làng Cang (06463-001, formed from 06523-001): the 06523-001 figures; the date left
		// empty, as 06463-001 on 30/11/2024 was Khu Hòa Bình.
		"1|06463|Xã Chi Lăng|06463-001|Thôn Làng Cang||80|80|2|2",
		// Khu Hòa Bình (06463-002, formed from old 06463-001): its own old figures, dated.
		"2|06463|Xã Chi Lăng|06463-002|Khu Hòa Bình|30/11/2024|50|40|0|0",
	} {
		if got := strings.Join(rows[top+1+i], "|"); got != want {
			t.Errorf("row %d = %s\nwant %s", i+1, got, want)
		}
	}
	if txt := strings.Join(rows[findRow(t, f, templateSheet, "A", "HƯỚNG DẪN:")], " "); !strings.Contains(strings.Join(flat(rows), " "), "2 thôn được sắp xếp lại chưa có số liệu của chính thôn") ||
		!strings.Contains(strings.Join(flat(rows), " "), "1 dòng trong số đó để trống “Ngày số liệu”") {
		t.Errorf("no instruction on the answers of the former villages: %s", txt)
	}
	// Returned untouched: Khu Hòa Bình's row loads; Làng Cang's, without a date, does not load
	// as old Khu Hòa Bình's figures.
	exec1(t, pool, `SELECT setval(pg_get_serial_sequence('batch', 'id'), 100)`) // the fixture's batches have fixed ids
	rep, err := transform.NewLoader(pool, nil).LoadFile(ctx, path, transform.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fact_vpostcode WHERE village_code = '06463-001' AND households_total = 80`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 || rep.RowsRejected != 1 || !strings.Contains(fmt.Sprint(rep.Rejects), "thiếu ngày số liệu") {
		t.Errorf("%d facts of Làng Cang's figures under 06463-001; rejects %v; %s", n, rep.Rejects, rep.Message)
	}
	// The commune writes the day it checked: the row loads, and 2025-09 counts it for Làng Cang.
	set(t, f, "F23", "20/09/2025")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if rep, err = transform.NewLoader(pool, nil).LoadFile(ctx, path, transform.LoadOptions{}); err != nil || rep.RowsRejected != 0 {
		t.Fatalf("dated: %+v, %v", rep, err)
	}
	if _, err := evaluate.Evaluate(ctx, pool, ntm.Period{Year: 2025, Month: time.September}); err != nil {
		t.Fatal(err)
	}
	var detail string
	if err := pool.QueryRow(ctx, `SELECT r.detail->>'households_total' FROM result r WHERE r.unit_code = '06463-001' AND r.criterion = 'V4_ADDRESS'
		AND r.evaluation_id = (SELECT max(id) FROM evaluation WHERE period = '2025-09')`).Scan(&detail); err != nil || detail != "80" {
		t.Errorf("Thôn Làng Cang's households after the load: %q, %v", detail, err)
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// A criterion the set gives the province itself (its own target) is shown in section II with
// the province's figure, the target and a status; the rows that count units show none.
func TestProvinceOwnTargetInSectionII(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	src := strings.NewReplacer("key: langson-2021", "key: langson-own", "valid_from: 2021-01-01", "valid_from: 2024-12-01").
		Replace(string(evaluate.Builtin().Source))
	src = strings.Replace(src, "  - key: D95\n", `  - key: P_DOSSIERS
    name: Tỷ lệ hồ sơ xử lý trực tuyến toàn trình của toàn tỉnh ≥ 75%
    level: province
    measure: dossier_ratio
    threshold: 75%
  - key: D95
`, 1)
	if !strings.Contains(src, "key: P_DOSSIERS") {
		t.Fatalf("the built-in file changed shape:\n%s", evaluate.Builtin().Source)
	}
	if _, _, err := evaluate.ImportSet(context.Background(), pool, "own.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	exec1(t, pool, `UPDATE evaluation SET set_key = 'langson-own' WHERE id = 1`)
	res(t, pool, "20", "Tỉnh Lạng Sơn", "province", "", "P_DOSSIERS", "not_met", 6999, 10000, 3, 4, "6.999/10.000 hồ sơ (69,9%)", "")
	f := open(t, writeAll(t, pool, "20")[0])
	sh := sheetSummary
	r := itoa(findRow(t, f, sh, "B", "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình của toàn tỉnh ≥ 75%"))
	wantCell(t, f, sh, "C"+r, "0.699")
	wantCell(t, f, sh, "G"+r, "≥ 75%")
	wantCell(t, f, sh, "H"+r, "Chưa đạt")
	if got := fillOf(t, f, sh, "H"+r); got != fillNotMet {
		t.Errorf("the province's own target's status is not red: %q", got)
	}
	r = itoa(findRow(t, f, sh, "B", "Thôn thông minh (đạt cả 6 điều kiện)"))
	wantCell(t, f, sh, "G"+r, "Không đặt mục tiêu cấp tỉnh")
	wantCell(t, f, sh, "H"+r, "")
}

// A run that writes the workbooks of several provinces ranks each recipient among its own
// province's recipients: a district of another province, however well it does, is neither counted
// in "Thứ 1/1 huyện" nor listed on the province's ranking sheet.
func TestRankingStaysInsideTheProvince(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	for _, u := range [][]string{
		{"99", "province", "Tỉnh", "Tỉnh Khác", "khác", ""},
		{"991", "district", "Huyện", "Huyện Tỉnh Khác", "huyện tỉnh khác", "99"},
		{"99101", "commune", "Xã", "Xã Tỉnh Khác", "xã tỉnh khác", "991"},
	} {
		exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ($1,$2,$3,$4,$5,NULLIF($6, ''))`,
			u[0], u[1], u[2], u[3], u[4], u[5])
	}
	res(t, pool, "99101-001", "Thôn Khác", "village", "99101", "SMART_VILLAGE", "met", 6, 1, 6, 1, "Đạt cả 6 điều kiện", "")
	res(t, pool, "99101-001", "Thôn Khác", "village", "99101", "V4_ADDRESS", "met", 1, 1, 1, 1, "100/100 hộ", addressDetail(5, 100, 100, 1, 1))
	res(t, pool, "991", "Huyện Tỉnh Khác", "district", "99", "D95_DOSSIERS", "met", 9900, 10000, 7, 10, "", "")

	f := open(t, writeAll(t, pool, "181")[0])
	top := findRow(t, f, sheetVerdict, "A", "TT")
	for r := top + 1; r <= top+8; r++ {
		if got := raw(t, f, sheetVerdict, "G"+itoa(r)); strings.Contains(got, "/2 huyện") {
			t.Errorf("verdict row %d ranks among another province's districts: %q", r, got)
		}
	}
	if got := raw(t, f, sheetVerdict, "G"+itoa(top+1)); !strings.Contains(got, "Thứ 1/1 huyện") {
		t.Errorf("smart-villages rank = %q, want Thứ 1/1 huyện", got)
	}
	prov := open(t, writeAll(t, pool, "20")[0])
	rows, err := prov.GetRows(sheetRanking)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if strings.Contains(strings.Join(r, "|"), "Tỉnh Khác") {
			t.Errorf("Lạng Sơn's ranking lists another province's district: %q", r)
		}
	}
}

// commentsOf maps a sheet's cell notes (comments) by cell.
func commentsOf(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		out[c.Cell] = text
	}
	return out
}

// A pre-filled answer older than the staleness limit is not passed off as current: its date is
// left empty with a note giving the old date, the instructions say why, and the template
// returned untouched loads nothing for it. A village formed from two whose answers differ has
// the answer left empty with a note saying which former village answered what.
func TestTemplatePrefillMarksStaleAndDisagreeingAnswers(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	// Old Thôn Nà Lạn (06625-002) merged with old Thôn Khe Mò into today's Thôn Khe Mò
	// (06625-001); Nà Lạn has no free WiFi where Khe Mò has.
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to) VALUES
		('06625-002', 'village', 'Thôn', 'Thôn Nà Lạn', 'nà lạn', '06625', '1900-01-01', '2025-06-30')`)
	exec1(t, pool, `INSERT INTO unit_successor (old_code, new_code, from_date, kind, source) VALUES ('06625-002', '06625-001', '2025-07-01', 'full', 'previous_codes')`)
	exec1(t, pool, `INSERT INTO fact_village_survey (batch_id, row_no, village_code, as_of, team, platform, wifi, models)
		VALUES (1, 2, '06625-002', '2024-11-30', true, true, false, 1)`)

	// 2025-09: the answers of 30/11/2024 still count; Khe Mò's WiFi is asked again.
	path := filepath.Join(t.TempDir(), "survey.xlsx")
	per := ntm.Period{Year: 2025, Month: time.September}
	if err := WriteTemplate(ctx, pool, ntm.DatasetVillageSurvey, path, TemplateOptions{Recipient: "06625", Prefill: true, Date: per.End(), Period: per}); err != nil {
		t.Fatal(err)
	}
	f := open(t, path)
	top, hdr := headerRow(t, f)
	rows, _ := f.GetRows(templateSheet)
	r := itoa(top + 2)
	if got := strings.Join(rows[top+1], "|"); got != "1|06625|Xã Kiên Mộc|06625-001|Thôn Khe Mò|30/11/2024|Có||Có|||1" {
		t.Errorf("Khe Mò's row: %s", got)
	}
	wifi := colOf(t, hdr, "WiFi miễn phí tại nhà văn hóa")
	notes := commentsOf(t, f, templateSheet)
	if got := notes[wifi+r]; !strings.Contains(got, "Các thôn cũ hợp thành thôn này trả lời khác nhau — Thôn Khe Mò (cũ, 06625-001): Có; Thôn Nà Lạn (cũ, 06625-002): Không") {
		t.Errorf("the WiFi cell's note: %q (notes %v)", got, notes)
	}
	if len(notes) != 1 {
		t.Errorf("notes: %v", notes)
	}
	if !strings.Contains(strings.Join(flat(rows), " "), "1 thôn có câu trả lời khác nhau giữa các thôn cũ") {
		t.Error("the instructions do not mention the disagreeing answers")
	}
	f.Close()

	// 2026-01: the answers of 30/11/2024 are more than 12 months old.
	path = filepath.Join(t.TempDir(), "survey-2026.xlsx")
	per = ntm.Period{Year: 2026, Month: time.January}
	if err := WriteTemplate(ctx, pool, ntm.DatasetVillageSurvey, path, TemplateOptions{Recipient: "06463", Prefill: true, Date: per.End(), Period: per}); err != nil {
		t.Fatal(err)
	}
	f = open(t, path)
	top, hdr = headerRow(t, f)
	rows, _ = f.GetRows(templateSheet)
	date := colOf(t, hdr, "Ngày số liệu")
	notes = commentsOf(t, f, templateSheet)
	for i, code := range []string{"06463-001", "06463-002"} {
		row := rows[top+1+i]
		if row[3] != code || row[5] != "" || row[6] != "Có" {
			t.Errorf("%s: %v, want the date empty and the answers pre-filled", code, row)
		}
		if got := notes[date+itoa(top+2+i)]; !strings.HasPrefix(got, "Trả lời kỳ trước, ngày 30/11/2024: đã quá 12 tháng nên không còn được tính.") {
			t.Errorf("%s: the date's note %q", code, got)
		}
	}
	if !strings.Contains(strings.Join(flat(rows), " "), "2 thôn có câu trả lời lần trước đã quá 12 tháng, không còn được tính") {
		t.Error("the instructions do not mention the stale answers")
	}
	f.Close()
	exec1(t, pool, `SELECT setval(pg_get_serial_sequence('batch', 'id'), 100)`) // the fixture's batches have fixed ids
	rep, err := transform.NewLoader(pool, nil).LoadFile(ctx, path, transform.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsLoaded != 0 || rep.RowsRejected != 2 {
		t.Errorf("returned untouched: %d loaded, %d rejected, want 0 and 2 (%v)", rep.RowsLoaded, rep.RowsRejected, rep.Rejects)
	}
}

// A commune's smart-villages chart has one bar: a line through one point draws nothing, so its
// threshold is a dash across the bar; a chart of several units keeps the line.
func TestOneBarChartShowsItsThreshold(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	threshold := func(path string) string {
		for name, x := range zipFiles(t, path) {
			if strings.HasPrefix(name, "xl/charts/chart") && strings.Contains(x, "Số thôn thông minh theo") {
				return regexp.MustCompile(`(?s)<lineChart>.*</lineChart>`).FindString(x)
			}
		}
		t.Fatalf("%s: no smart-village chart", path)
		return ""
	}
	sep, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if l := threshold(sep[0]); !strings.Contains(l, `<symbol val="dash"`) {
		t.Errorf("%s: the one bar's threshold is not a dash:\n%.800s", filepath.Base(sep[0]), l)
	}
	for _, path := range writeAll(t, fixture(t), "") {
		if strings.HasSuffix(path, "181-huyen-chi-lang.xlsx") { // its communes, several bars
			if l := threshold(path); !strings.Contains(l, `<symbol val="none"`) || strings.Contains(l, "<a:noFill>") {
				t.Errorf("%s: several bars' threshold is not a line:\n%.800s", filepath.Base(path), l)
			}
		}
	}
}

// A run that writes every workbook of several provinces (each province's results read when its
// first workbook is built and dropped after its last) writes each workbook with the same bytes as
// a run of that recipient alone.
func TestEveryWorkbookAsWhenWrittenAlone(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	for _, u := range [][]string{
		{"99", "province", "Tỉnh", "Tỉnh Khác", "khác", ""},
		{"991", "district", "Huyện", "Huyện Tỉnh Khác", "huyện tỉnh khác", "99"},
		{"99101", "commune", "Xã", "Xã Tỉnh Khác", "xã tỉnh khác", "991"},
	} {
		exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ($1,$2,$3,$4,$5,NULLIF($6, ''))`,
			u[0], u[1], u[2], u[3], u[4], u[5])
	}
	res(t, pool, "99101-001", "Thôn Khác", "village", "99101", "SMART_VILLAGE", "met", 6, 1, 6, 1, "Đạt cả 6 điều kiện", "")
	res(t, pool, "99101-001", "Thôn Khác", "village", "99101", "V4_ADDRESS", "met", 1, 1, 1, 1, "100/100 hộ", addressDetail(5, 100, 100, 1, 1))
	res(t, pool, "991", "Huyện Tỉnh Khác", "district", "99", "D95_DOSSIERS", "met", 9900, 10000, 7, 10, "", "")

	all := writeAll(t, pool, "")
	if len(all) != 4 {
		t.Fatalf("%d workbooks, want 4 (two districts, two provinces): %v", len(all), all)
	}
	for _, p := range all {
		code := strings.SplitN(filepath.Base(p), "-", 2)[0]
		alone := writeAll(t, pool, code)
		a, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(alone[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the workbook of the whole run differs from the one written alone", filepath.Base(p))
		}
	}
}
