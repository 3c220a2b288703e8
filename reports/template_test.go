package reports

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db/dbtest"
	"ntm/testkit"
	"ntm/transform"
	"ntm/transform/value"
)

// unitsDB holds the shared units fixture (package testkit): two communes named "Xã Chi Lăng" in
// two districts, so a commune picked by name in a filled template resolves by the template's title.
func unitsDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	rep, err := transform.ImportUnits(context.Background(), pool, testkit.UnitsCSV(t), transform.UnitsOptions{})
	if err != nil || rep.Rejected || rep.RowsRejected > 0 {
		t.Fatalf("units not imported: %+v, %v", rep, err)
	}
	return pool
}

var (
	templateDay    = ntm.Date(2024, time.December, 1)
	templatePeriod = ntm.Period{Year: 2024, Month: time.December}
)

func writeTemplate(t *testing.T, pool *pgxpool.Pool, ds ntm.Dataset, recipient string) string {
	t.Helper()
	return writeTemplateWith(t, pool, ds, TemplateOptions{Recipient: recipient})
}

// writeTemplateWith writes a template on templateDay for templatePeriod with 20 blank rows,
// unless opts says otherwise.
func writeTemplateWith(t *testing.T, pool *pgxpool.Pool, ds ntm.Dataset, opts TemplateOptions) string {
	t.Helper()
	if opts.Date.IsZero() {
		opts.Date = templateDay
	}
	if opts.Period.Year == 0 {
		opts.Period = templatePeriod
	}
	if opts.BlankRows == 0 {
		opts.BlankRows = 20
	}
	path := filepath.Join(t.TempDir(), "sub", string(ds)+".xlsx")
	if err := WriteTemplate(context.Background(), pool, ds, path, opts); err != nil {
		t.Fatal(err)
	}
	return path
}

// headerRow finds the template's header row (the row whose first cell is STT).
func headerRow(t *testing.T, f *excelize.File) (int, []string) {
	t.Helper()
	rows, err := f.GetRows(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == "STT" {
			return i + 1, r
		}
	}
	t.Fatal("no header row")
	return 0, nil
}

func colOf(t *testing.T, hdr []string, name string) string {
	t.Helper()
	for i, h := range hdr {
		if h == name {
			c, _ := excelize.ColumnNumberToName(i + 1)
			return c
		}
	}
	t.Fatalf("no column %q in %v", name, hdr)
	return ""
}

func set(t *testing.T, f *excelize.File, ref string, v any) {
	t.Helper()
	if err := f.SetCellValue(templateSheet, ref, v); err != nil {
		t.Fatal(err)
	}
}

func loadFile(t *testing.T, pool *pgxpool.Pool, path string) transform.FileReport {
	t.Helper()
	rep, err := transform.NewLoader(pool, nil).LoadFile(context.Background(), path, transform.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected || rep.RowsRejected > 0 {
		t.Fatalf("the filled template did not load cleanly: %+v", rep)
	}
	return rep
}

// TestTemplateHeadersAreCanonical: every column of a template is a canonical header of the
// loader's spec, and the header is complete for its dataset.
func TestTemplateHeadersAreCanonical(t *testing.T) {
	t.Parallel()
	for _, ds := range TemplateDatasets {
		spec := transform.SpecsFor(ds)[0]
		var headers []string
		for _, c := range templateSpecs[ds].cols {
			headers = append(headers, c.header)
			if c.header == "STT" {
				continue
			}
			found := false
			for _, fd := range spec.Fields {
				found = found || fd.Label == c.header
			}
			if !found {
				t.Errorf("%s: %q is not a canonical header of the loader", ds, c.header)
			}
		}
		m := spec.Match(headers)
		if !m.Complete() || m.Recognised != len(headers)-1 {
			t.Errorf("%s: header %v: missing %v, recognised %d", ds, headers, m.Missing, m.Recognised)
		}
	}
}

// checkTemplateHead checks the title rows: the title with the period, the recipient with the
// period's days, the date rule, and the example row right under the header.
func checkTemplateHead(t *testing.T, f *excelize.File, title, recipient string) {
	t.Helper()
	wantCell(t, f, templateSheet, "A1", title+" – KỲ THÁNG 12/2024")
	wantCell(t, f, templateSheet, "A2", recipient+". Kỳ báo cáo: tháng 12/2024 (01/12/2024 – 31/12/2024).")
	if a3 := raw(t, f, templateSheet, "A3"); !strings.HasPrefix(a3, "Cách ghi ngày: ngày/tháng/năm, đủ 2 chữ số ngày") {
		t.Errorf("A3 = %q", a3)
	}
	rows, _ := f.GetRows(templateSheet)
	var headText []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "STT" {
			break
		}
		if len(r) > 0 {
			headText = append(headText, r[0])
		}
	}
	all := strings.Join(headText, " ")
	for _, want := range []string{templateDateRule, "Ô ngày là ô chữ: gõ đúng như vậy, máy tính cài đặt ngôn ngữ, vùng nào cũng được.", "HƯỚNG DẪN:",
		"Dòng “Ví dụ” ngay dưới tên cột chỉ để xem cách ghi, không được nạp."} {
		if !strings.Contains(all, want) {
			t.Errorf("the title rows do not say %q:\n%s", want, strings.Join(headText, "\n"))
		}
	}
	// Title lines fit the table's width: none longer than the sum of the column widths.
	cols, _ := f.GetCols(templateSheet)
	width := 0.0
	for i := range cols {
		c, _ := excelize.ColumnNumberToName(i + 1)
		w, _ := f.GetColWidth(templateSheet, c)
		width += w
	}
	for _, l := range headText {
		if float64(len([]rune(l))) > width {
			t.Errorf("title line of %d characters over a table %v wide: %q", len([]rune(l)), width, l)
		}
	}
	top, _ := headerRow(t, f)
	wantCell(t, f, templateSheet, "A"+itoa(top+1), "Ví dụ")
}

// dvByCol indexes a sheet's validations by their first column.
func dvByCol(t *testing.T, f *excelize.File) map[string]*excelize.DataValidation {
	t.Helper()
	dvs, err := f.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	byCol := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		byCol[strings.TrimRight(strings.Split(dv.Sqref, ":")[0], "0123456789")] = dv
	}
	return byCol
}

// lockedOf says whether a cell is locked (a cell without a protection setting is).
func lockedOf(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Protection == nil || st.Protection.Locked
}

// checkProtected: the sheet is protected (no password); only unlocked cells take input, and
// filtering and resizing stay allowed.
func checkProtected(t *testing.T, path string, f *excelize.File, sheet string) {
	t.Helper()
	p, err := f.GetSheetProtection(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !p.SelectLockedCells || !p.SelectUnlockedCells || !p.AutoFilter || !p.FormatColumns || !p.FormatRows ||
		p.FormatCells || p.InsertRows || p.DeleteRows || p.InsertColumns || p.DeleteColumns || p.Sort {
		t.Errorf("%s: protection %+v", sheet, p)
	}
	if x := sheetXML(t, path, f, sheet); !strings.Contains(x, `<sheetProtection`) || strings.Contains(x, `password=`) {
		t.Errorf("%s: not protected, or protected with a password", sheet)
	}
}

func TestVillageSurveyTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	pool := unitsDB(t)
	ctx := context.Background()
	path := writeTemplate(t, pool, ntm.DatasetVillageSurvey, "187")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != templateSheet+"|"+templateLists {
		t.Fatalf("sheets = %v", got)
	}
	if v, _ := f.GetSheetVisible(templateLists); v {
		t.Error("the list sheet is visible")
	}
	checkTemplateHead(t, f, "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH", "Huyện Chi Lăng (mã 187)")
	top, hdr := headerRow(t, f)
	first := top + 2
	// The example row: the first village's codes, answers as they are written, the period's last day.
	ex, _ := f.GetRows(templateSheet)
	if got := strings.Join(ex[top], "|"); got != "Ví dụ|06466|Thị trấn Chi Lăng|06466-001|Khối Phố Mới|31/12/2024|Có|12/QĐ-UBND|Có|Zalo Khối Phố Mới|Không|2|Nông nghiệp; Du lịch" {
		t.Errorf("example row = %s", got)
	}
	// The villages of the district, by commune code then village code, with their codes as text.
	want := [][]string{
		{"1", "06466", "Thị trấn Chi Lăng", "06466-001", "Khối Phố Mới"},
		{"2", "06469", "Xã Vân An", "06469-001", "Thôn Nà Sla"},
		{"3", "06469", "Xã Vân An", "06469-002", "Thôn Hòa Bình"},
		{"4", "06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống"},
		{"5", "06523", "Xã Chi Lăng", "06523-002", "Thôn Bản Chắt"},
	}
	for i, w := range want {
		for j, v := range w {
			c, _ := excelize.ColumnNumberToName(j + 1)
			wantCell(t, f, templateSheet, c+itoa(first+i), v)
		}
	}
	wantCell(t, f, templateSheet, "A"+itoa(first+5), "")
	// Validations: yes/no drop-downs, dates as typed text, whole numbers ≥ 0; from the first
	// village to the last, not on the example row.
	byCol := dvByCol(t, f)
	team, date, models := colOf(t, hdr, "Tổ công nghệ số cộng đồng"), colOf(t, hdr, "Ngày số liệu"), colOf(t, hdr, "Số mô hình chuyển đổi số")
	if dv := byCol[team]; dv == nil || dv.Type != "list" || dv.Formula1 != `"Có,Không"` || dv.Sqref != team+itoa(first)+":"+team+itoa(first+4) {
		t.Errorf("yes/no validation = %+v", dv)
	}
	if dv := byCol[date]; dv == nil || dv.Type != "custom" || dv.Formula1 != dateValidation(date+itoa(first)) || dv.ErrorStyle == nil ||
		*dv.ErrorStyle != "stop" || dv.Prompt == nil || !strings.Contains(*dv.Prompt, "ví dụ 05/12/2024") {
		t.Errorf("date validation = %+v", dv)
	}
	if n := len(dateValidation("AB1000")); n > 255 {
		t.Errorf("the date validation formula has %d characters, Excel takes 255", n)
	}
	if dv := byCol[models]; dv == nil || dv.Type != "whole" || dv.Formula1 != "0" {
		t.Errorf("count validation = %+v", dv)
	}
	// Date cells are text: what is typed stays as typed.
	if id, _ := f.GetCellStyle(templateSheet, date+itoa(first)); true {
		st, _ := f.GetStyle(id)
		if st.NumFmt != 49 {
			t.Errorf("date cells: number format %d, want 49 (text)", st.NumFmt)
		}
	}
	panes, _ := f.GetPanes(templateSheet)
	if !panes.Freeze || panes.YSplit != top+1 {
		t.Errorf("panes = %+v", panes)
	}
	checkPrintTitles(t, f, templateSheet, top)
	// Column widths in ascending order, as Excel wants them.
	var mins []int
	for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(sheetXML(t, path, f, templateSheet), -1) {
		n, _ := strconv.Atoi(m[1])
		mins = append(mins, n)
	}
	if len(mins) != len(hdr) || !slices.IsSorted(mins) {
		t.Errorf("<col> elements by min: %v", mins)
	}
	// Protection: codes, names and STT locked; answers and the date unlocked; the example locked.
	checkProtected(t, path, f, templateSheet)
	for _, c := range []string{"A", "B", "C", "D", "E"} {
		if !lockedOf(t, f, templateSheet, c+itoa(first)) {
			t.Errorf("%s%d (a given column) is not locked", c, first)
		}
	}
	for _, h := range hdr[5:] {
		if c := colOf(t, hdr, h); lockedOf(t, f, templateSheet, c+itoa(first+4)) {
			t.Errorf("%s%d (%s) is locked", c, first+4, h)
		}
		if c := colOf(t, hdr, h); !lockedOf(t, f, templateSheet, c+itoa(top+1)) {
			t.Errorf("the example row's %s is not locked", h)
		}
	}

	// Fill it as a commune official would, typing dates as text, and load it unchanged.
	answers := map[int][]any{ // date, team, decision, platform, group, wifi, models, fields
		0: {"30/11/2024", "Có", "12/QĐ-UBND", "Có", "Zalo Khối Phố Mới", "Có", 2, "Nông nghiệp; Du lịch"},
		1: {"05/12/2024", "Không", nil, "Có", nil, "Không", 0, nil}, // 5 December (en-US would read 12 May)
		2: {"30/11/2024", nil, nil, nil, nil, nil, nil, nil},        // not known yet: blank is unknown, not no
		3: {"30/11/2024", "Có", nil, "Không", nil, "Có", 1, "Giáo dục"},
		4: {"30/11/2024", "Có", nil, "Có", nil, "Có", 3, nil},
	}
	cols := []string{"Ngày số liệu", "Tổ công nghệ số cộng đồng", "Số quyết định thành lập tổ", "Sử dụng nền tảng số", "Nhóm Zalo/Facebook",
		"WiFi miễn phí tại nhà văn hóa", "Số mô hình chuyển đổi số", "Lĩnh vực"}
	for i, a := range answers {
		for j, v := range a {
			if v != nil {
				set(t, f, colOf(t, hdr, cols[j])+itoa(first+i), v)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	rep := loadFile(t, pool, path)
	if rep.Dataset != ntm.DatasetVillageSurvey || rep.RowsLoaded != 5 {
		t.Fatalf("report = %+v", rep)
	}
	if !strings.Contains(fmt.Sprint(rep.Skipped), "dòng "+itoa(top+1)+": dòng ví dụ của biểu mẫu") {
		t.Errorf("the example row is not skipped as such: %v", rep.Skipped)
	}
	got := surveyFacts(t, pool)
	wantFacts := []string{
		"06466-001 2024-11-30 y y y 2 12/QĐ-UBND Zalo Khối Phố Mới Nông nghiệp; Du lịch",
		"06469-001 2024-12-05 n y n 0   ",
		"06469-002 2024-11-30 ? ? ? ?   ",
		"06523-001 2024-11-30 y n y 1   Giáo dục",
		"06523-002 2024-11-30 y y y 3   ",
	}
	if strings.Join(got, "\n") != strings.Join(wantFacts, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantFacts, "\n"))
	}
	_ = ctx
}

// surveyFacts lists the survey facts loaded, one line per fact: village, date, team, platform,
// wifi (y, n, ? for unknown), models, decision, group, fields.
func surveyFacts(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT village_code, as_of, team, platform, wifi, models, team_decision, platform_name, model_fields
		FROM fact_village_survey ORDER BY village_code, as_of, batch_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var code, dec, group, fields string
		var day time.Time
		var team, platform, wifi *bool
		var models *int
		if err := rows.Scan(&code, &day, &team, &platform, &wifi, &models, &dec, &group, &fields); err != nil {
			t.Fatal(err)
		}
		b := func(p *bool) string {
			if p == nil {
				return "?"
			}
			if *p {
				return "y"
			}
			return "n"
		}
		m := "?"
		if models != nil {
			m = itoa(*models)
		}
		got = append(got, strings.Join([]string{code, day.Format("2006-01-02"), b(team), b(platform), b(wifi), m, dec, group, fields}, " "))
	}
	return got
}

func checkPrintTitles(t *testing.T, f *excelize.File, sheet string, row int) {
	t.Helper()
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			if want := "'" + sheet + "'!$" + itoa(row) + ":$" + itoa(row); dn.RefersTo != want {
				t.Errorf("%s: print titles %q, want %q", sheet, dn.RefersTo, want)
			}
			pl, _ := f.GetPageLayout(sheet)
			if *pl.Orientation != "landscape" || *pl.Size != 9 || *pl.FitToWidth != 1 {
				t.Errorf("%s: page layout %+v", sheet, pl)
			}
			hf, _ := f.GetHeaderFooter(sheet)
			if hf == nil || !strings.Contains(hf.OddFooter, "Trang &P/&N") || !strings.Contains(hf.OddFooter, "kỳ tháng 12/2024") {
				t.Errorf("%s: footer %+v", sheet, hf)
			}
			return
		}
	}
	t.Errorf("%s: no print titles", sheet)
}

func TestVpostcodeTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	pool := unitsDB(t)
	path := writeTemplate(t, pool, ntm.DatasetVpostcode, "06469") // a commune
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkTemplateHead(t, f, "SỐ LIỆU GẮN ĐỊA CHỈ SỐ (VPOSTCODE) THEO THÔN", "Xã Vân An (mã 06469)")
	top, hdr := headerRow(t, f)
	first := top + 2
	wantCell(t, f, templateSheet, "D"+itoa(first), "06469-001")
	wantCell(t, f, templateSheet, "D"+itoa(first+1), "06469-002")
	wantCell(t, f, templateSheet, "D"+itoa(first+2), "")
	// "With address" is bounded by the total to its left.
	hw := colOf(t, hdr, "Số hộ đã gắn địa chỉ số")
	ht := colOf(t, hdr, "Tổng số hộ")
	if dv := dvByCol(t, f)[hw]; dv == nil || dv.Type != "whole" || dv.Formula1 != "0" || dv.Formula2 != ht+itoa(first) {
		t.Errorf("no 0…total validation on %s: %+v", hw, dv)
	}
	checkProtected(t, path, f, templateSheet)
	fill := [][]any{{120, 120, 3, 3}, {250, 245, 0, 0}}
	for i, r := range fill {
		set(t, f, colOf(t, hdr, "Ngày số liệu")+itoa(first+i), "15/12/2024")
		for j, name := range []string{"Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"} {
			set(t, f, colOf(t, hdr, name)+itoa(first+i), r[j])
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	rep := loadFile(t, pool, path)
	if rep.Dataset != ntm.DatasetVpostcode || rep.RowsLoaded != 2 {
		t.Fatalf("report = %+v", rep)
	}
	var n, hh int
	if err := pool.QueryRow(context.Background(), `SELECT count(*), sum(households_with) FROM fact_vpostcode
		WHERE as_of = '2024-12-15' AND village_code LIKE '06469-%'`).Scan(&n, &hh); err != nil || n != 2 || hh != 365 {
		t.Errorf("facts: %d rows, %d households with an address (%v)", n, hh, err)
	}
}

func TestOCOPTemplatesRoundTrip(t *testing.T) {
	t.Parallel()
	pool := unitsDB(t)
	ctx := context.Background()
	// 1. An empty product list: blank validated rows, communes as a drop-down from the hidden sheet.
	path := writeTemplate(t, pool, ntm.DatasetOCOPProducts, "187")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkTemplateHead(t, f, "DANH SÁCH SẢN PHẨM OCOP", "Huyện Chi Lăng (mã 187)")
	top, hdr := headerRow(t, f)
	first := top + 2
	commune := colOf(t, hdr, "Xã")
	dvs, _ := f.GetDataValidations(templateSheet)
	var lists []string
	for _, dv := range dvs {
		if dv.Type == "list" {
			lists = append(lists, dv.Sqref+"="+dv.Formula1)
		}
	}
	wantLists := []string{
		colOf(t, hdr, "Hạng sao") + itoa(first) + ":" + colOf(t, hdr, "Hạng sao") + itoa(first+19) + `="3,4,5"`,
		commune + itoa(first) + ":" + commune + itoa(first+19) + "='" + templateLists + "'!$A$2:$A$4",
	}
	if strings.Join(lists, " ") != strings.Join(wantLists, " ") {
		t.Errorf("lists = %v, want %v", lists, wantLists)
	}
	if got, _ := f.GetCellValue(templateLists, "A4"); got != "Xã Chi Lăng" {
		t.Errorf("commune list ends with %q", got)
	}
	// Blank rows: everything but STT takes input.
	checkProtected(t, path, f, templateSheet)
	if !lockedOf(t, f, templateSheet, "A"+itoa(first)) || lockedOf(t, f, templateSheet, "B"+itoa(first)) || lockedOf(t, f, templateSheet, "J"+itoa(first+19)) {
		t.Error("blank product rows: STT should be locked, the rest not")
	}
	products := [][]any{
		{"", "Miến dong Chi Lăng", 4, "Thực phẩm", "HTX Miến dong Chi Lăng", "Xã Chi Lăng", "123/QĐ-UBND", "01/03/2023", nil},
		{"OCOP-187-02", "Na Chi Lăng sấy dẻo", 3, "Thực phẩm", "HTX Na Chi Lăng", "Thị trấn Chi Lăng", "45/QĐ-UBND", "10/06/2022", "10/06/2025"},
	}
	names := []string{"Mã sản phẩm", "Tên sản phẩm", "Hạng sao", "Nhóm sản phẩm", "Chủ thể", "Xã", "Số quyết định", "Ngày công nhận", "Ngày hết hạn"}
	for i, p := range products {
		for j, v := range p {
			if v != nil && v != "" {
				set(t, f, colOf(t, hdr, names[j])+itoa(first+i), v)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if rep := loadFile(t, pool, path); rep.Dataset != ntm.DatasetOCOPProducts || rep.RowsLoaded != 2 {
		t.Fatalf("products: %+v", rep)
	}
	// "Xã Chi Lăng" is the one of Huyện Chi Lăng (named in the template's title), not Tràng Định's.
	var communes string
	if err := pool.QueryRow(ctx, `SELECT string_agg(commune_code || ':' || stars || ':' || expires_on, ' ' ORDER BY name) FROM fact_ocop_product`).Scan(&communes); err != nil {
		t.Fatal(err)
	}
	if communes != "06523:4:2026-03-01 06466:3:2025-06-10" {
		t.Errorf("products = %s", communes)
	}

	// 2. The listing template: no listing yet, both products on the reference sheet.
	path = writeTemplate(t, pool, ntm.DatasetOCOPListings, "187")
	f, err = excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); strings.Join(got, "|") != templateSheet+"|"+templateLists+"|"+templateRef {
		t.Fatalf("sheets = %v", got)
	}
	findRow(t, f, templateRef, "C", "Miến dong Chi Lăng")
	findRow(t, f, templateRef, "C", "Na Chi Lăng sấy dẻo")
	checkPrintTitles(t, f, templateRef, 4)
	top, hdr = headerRow(t, f)
	first = top + 2
	for j, v := range []any{"", "Miến dong Chi Lăng", "HTX Miến dong Chi Lăng", "Shopee", "https://shopee.vn/mien-dong", "02/05/2024", "Đang bán"} {
		name := []string{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"}[j]
		if v != "" {
			set(t, f, colOf(t, hdr, name)+itoa(first), v)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if rep := loadFile(t, pool, path); rep.Dataset != ntm.DatasetOCOPListings || rep.RowsLoaded != 1 {
		t.Fatalf("listings: %+v", rep)
	}

	// 3. Written again, the templates pre-list what is known (dates as the text they ask for,
	// product codes locked), and load back unchanged.
	path = writeTemplate(t, pool, ntm.DatasetOCOPListings, "187")
	f, _ = excelize.OpenFile(path)
	top, hdr = headerRow(t, f)
	first = top + 2
	wantCell(t, f, templateSheet, colOf(t, hdr, "Sàn TMĐT")+itoa(first), "Shopee")
	wantCell(t, f, templateSheet, colOf(t, hdr, "Trạng thái")+itoa(first), "Đang bán")
	wantCell(t, f, templateSheet, colOf(t, hdr, "Ngày đăng")+itoa(first), "02/05/2024")
	findRow(t, f, templateRef, "C", "Na Chi Lăng sấy dẻo")
	f.Close()
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 1 {
		t.Fatalf("pre-listed listings: %+v", rep)
	}
	path = writeTemplate(t, pool, ntm.DatasetOCOPProducts, "187")
	f, _ = excelize.OpenFile(path)
	top, hdr = headerRow(t, f)
	first = top + 2
	wantCell(t, f, templateSheet, colOf(t, hdr, "Tên sản phẩm")+itoa(first), "Na Chi Lăng sấy dẻo") // Thị trấn first
	wantCell(t, f, templateSheet, colOf(t, hdr, "Ngày công nhận")+itoa(first), "10/06/2022")
	wantCell(t, f, templateSheet, colOf(t, hdr, "Xã")+itoa(first+1), "Xã Chi Lăng")
	code := colOf(t, hdr, "Mã sản phẩm")
	if !lockedOf(t, f, templateSheet, code+itoa(first)) || lockedOf(t, f, templateSheet, code+itoa(first+1)) {
		t.Error("a pre-listed product's code should be locked, and an empty code open")
	}
	if lockedOf(t, f, templateSheet, colOf(t, hdr, "Tên sản phẩm")+itoa(first)) {
		t.Error("a pre-listed product's name should be open to correction")
	}
	f.Close()
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 2 {
		t.Fatalf("pre-listed products: %+v", rep)
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	pool := unitsDB(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "x.xlsx")
	err := WriteTemplate(ctx, pool, ntm.DatasetDVCDossiers, out, TemplateOptions{})
	if err == nil || !strings.Contains(err.Error(), "village_survey, vpostcode, ocop_products, ocop_listings") {
		t.Errorf("unsupported dataset: %v", err)
	}
	err = WriteTemplate(ctx, pool, ntm.DatasetVillageSurvey, out, TemplateOptions{Recipient: "999", Date: templateDay})
	if err == nil || !strings.Contains(err.Error(), `mã "999"`) {
		t.Errorf("unknown recipient: %v", err)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Error("a file was written after an error")
	}
	// The whole province when no recipient is given; the period is the structure day's month
	// when none is given.
	if err := WriteTemplate(ctx, pool, ntm.DatasetVillageSurvey, out, TemplateOptions{Date: ntm.Date(2024, time.November, 20)}); err != nil {
		t.Fatal(err)
	}
	f := open(t, out)
	wantCell(t, f, templateSheet, "A1", "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH – KỲ THÁNG 11/2024")
	top, _ := headerRow(t, f)
	wantCell(t, f, templateSheet, "D"+itoa(top+2), "06034-001") // Tràng Định (180) first
	wantCell(t, f, templateSheet, "D"+itoa(top+3), "06325-001") // then Bắc Sơn (185), then Chi Lăng (187)
	wantCell(t, f, templateSheet, "D"+itoa(top+10), "06523-002")
}

// TestPartlyFilledTemplateLoadsWhatWasFilled: a commune that answers for one village and leaves
// the other pre-listed rows untouched gets that one village loaded; the untouched rows are not
// rejects (they would make the file fail the 20% rule), their villages simply have no data.
func TestPartlyFilledTemplateLoadsWhatWasFilled(t *testing.T) {
	t.Parallel()
	pool := unitsDB(t)
	path := writeTemplate(t, pool, ntm.DatasetVillageSurvey, "187")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	top, hdr := headerRow(t, f)
	set(t, f, colOf(t, hdr, "Ngày số liệu")+itoa(top+3), "30/11/2024")
	set(t, f, colOf(t, hdr, "Tổ công nghệ số cộng đồng")+itoa(top+3), "Có")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep := loadFile(t, pool, path)
	if rep.Rejected || rep.RowsLoaded != 1 || rep.RowsRejected != 0 {
		t.Fatalf("report = %+v", rep)
	}
	var code string
	if err := pool.QueryRow(context.Background(), `SELECT village_code FROM fact_village_survey`).Scan(&code); err != nil || code != "06469-001" {
		t.Fatalf("loaded village %q, %v; want 06469-001", code, err)
	}
}

// TestTemplatesPrintAndRead: every template prints on A4 landscape with no text under 8 pt, its
// data sheet first on one page wide, and openpyxl in read-only mode sees every row of every sheet.
func TestTemplatesPrintAndRead(t *testing.T) {
	pool := unitsDB(t)
	ocopFixtureTemplates(t, pool)
	for _, ds := range TemplateDatasets {
		t.Run(string(ds), func(t *testing.T) {
			path := writeTemplateWith(t, pool, ds, TemplateOptions{Recipient: "187", Prefill: true})
			rep := printWorkbook(t, path)
			t.Logf("%s", rep)
			if d := os.Getenv("NTM_KEEP_PDF"); d != "" {
				copyFile(rep.PDF, filepath.Join(d, string(ds)+".pdf"))
				copyFile(path, filepath.Join(d, string(ds)+".xlsx"))
			}
			assertLegible(t, rep, 8)
			data := rep.sheet(t, templateSheet)
			if data.Pages < 1 || !strings.Contains(data.PageText[0], "KỲ THÁNG 12/2024") || !strings.Contains(data.PageText[0], "Ví dụ") ||
				!strings.Contains(data.PageText[len(data.PageText)-1], "Trang "+itoa(data.Pages)+"/"+itoa(data.Pages)) {
				t.Errorf("the data sheet prints %d pages: %q", data.Pages, data.PageText)
			}
			if s := rep.sheet(t, templateLists); !s.Hidden {
				t.Error("the list sheet prints")
			}
			for _, s := range assertDimensionsTrue(t, path) {
				if s.Title == templateSheet && len(s.Rows) != s.LastCellRow {
					t.Errorf("openpyxl sees %d rows of %d", len(s.Rows), s.LastCellRow)
				}
			}
		})
	}
}

// ocopFixtureTemplates loads two products, one listed, through a filled product template and a
// listing template, so the OCOP templates have rows to pre-list.
func ocopFixtureTemplates(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	path := writeTemplate(t, pool, ntm.DatasetOCOPProducts, "187")
	f := open(t, path)
	top, hdr := headerRow(t, f)
	for i, p := range [][]any{
		{"OCOP-187-01", "Miến dong Chi Lăng", 4, "Thực phẩm", "HTX Miến dong Chi Lăng", "Xã Chi Lăng", "123/QĐ-UBND", "01/03/2023"},
		{"", "Na Chi Lăng sấy dẻo", 3, "Thực phẩm", "HTX Na Chi Lăng", "Thị trấn Chi Lăng", "45/QĐ-UBND", "10/06/2024"},
	} {
		for j, v := range p {
			name := []string{"Mã sản phẩm", "Tên sản phẩm", "Hạng sao", "Nhóm sản phẩm", "Chủ thể", "Xã", "Số quyết định", "Ngày công nhận"}[j]
			if v != "" {
				set(t, f, colOf(t, hdr, name)+itoa(top+2+i), v)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	loadFile(t, pool, path)
	path = writeTemplate(t, pool, ntm.DatasetOCOPListings, "187")
	f = open(t, path)
	top, hdr = headerRow(t, f)
	for j, v := range []string{"OCOP-187-01", "Miến dong Chi Lăng", "HTX Miến dong Chi Lăng", "Shopee", "https://shopee.vn/mien-dong-chi-lang", "02/05/2024", "Đang bán"} {
		set(t, f, colOf(t, hdr, []string{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"}[j])+itoa(top+2), v)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	loadFile(t, pool, path)
}

// TestTemplateDateValidation: the date columns' validation, computed by LibreOffice on typed text,
// accepts dd/mm/yyyy days that exist and nothing else; every date it accepts the loader reads as
// the same day, day first.
func TestTemplateDateValidation(t *testing.T) {
	accepted := map[string]time.Time{
		"30/11/2024": ntm.Date(2024, time.November, 30), "05/12/2024": ntm.Date(2024, time.December, 5),
		"29/02/2024": ntm.Date(2024, time.February, 29), "01/01/2000": ntm.Date(2000, time.January, 1),
		"31/12/2100": ntm.Date(2100, time.December, 31), "31/12/2026": ntm.Date(2026, time.December, 31),
	}
	rejected := []string{"12/31/2026", "11/30/2024", "31/11/2024", "29/02/2023", "5/12/2024", "05/13/2024", "00/12/2024", "05/00/2024",
		"30-11-2024", "2024-11-30", "3O/11/2024", "05/12/1999", "01/01/2101", "ngày 5"}
	path := filepath.Join(t.TempDir(), "dates.xlsx")
	f := excelize.NewFile()
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	inputs := append(slices.Sorted(maps.Keys(accepted)), rejected...)
	for i, in := range inputs {
		a := cellName(1, i+1)
		if err := f.SetCellStr("Sheet1", a, in); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("Sheet1", a, a, text); err != nil {
			t.Fatal(err)
		}
		// IFERROR: an error is a rejection, as in a validation.
		if err := f.SetCellFormula("Sheet1", cellName(2, i+1), `IFERROR(IF(`+dateValidation(a)+`,"OK","NO"),"NO")&"|"&`+a); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetColWidth("Sheet1", "B", "B", 40); err != nil {
		t.Fatal(err)
	}
	if err := f.SetColVisible("Sheet1", "A", false); err != nil { // only the verdicts print
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	rep := printWorkbook(t, path)
	words := strings.Fields(strings.Join(rep.sheet(t, "Sheet1").PageText, " "))
	seen := 0
	for _, w := range words {
		verdict, in, ok := strings.Cut(w, "|")
		if !ok || (verdict != "OK" && verdict != "NO") || in == "ngày" {
			continue
		}
		seen++
		if _, ok := accepted[in]; ok != (verdict == "OK") {
			t.Errorf("%q: LibreOffice says %s", in, verdict)
		}
	}
	if seen != len(inputs)-1 { // "ngày 5" prints as two words
		t.Errorf("read %d verdicts of %d: %v", seen, len(inputs), words)
	}
	for in, want := range accepted {
		if got, err := value.ParseDate(in, false); err != nil || !got.Equal(want) {
			t.Errorf("the loader reads %q as %v (%v), want %v", in, got, err, want)
		}
	}
}

// TestTemplatePrefill: --prefill writes each village's last loaded answers as of the period's end,
// shaded, with their date; a returned template with some rows checked and some untouched loads
// the expected facts.
func TestTemplatePrefill(t *testing.T) {
	pool := unitsDB(t)
	ctx := context.Background()
	// Earlier answers: three villages by the end of December 2024, one only in January 2025.
	path := writeTemplate(t, pool, ntm.DatasetVillageSurvey, "187")
	f := open(t, path)
	top, hdr := headerRow(t, f)
	first := top + 2
	cols := []string{"Ngày số liệu", "Tổ công nghệ số cộng đồng", "Số quyết định thành lập tổ", "Sử dụng nền tảng số", "Nhóm Zalo/Facebook",
		"WiFi miễn phí tại nhà văn hóa", "Số mô hình chuyển đổi số", "Lĩnh vực"}
	fill := func(f *excelize.File, i int, vs ...any) {
		for j, v := range vs {
			if v != nil {
				set(t, f, colOf(t, hdr, cols[j])+itoa(first+i), v)
			}
		}
	}
	fill(f, 0, "30/11/2024", "Có", "12/QĐ-UBND", "Có", "Zalo Khối Phố Mới", "Có", 2, "Nông nghiệp; Du lịch")
	fill(f, 1, "15/10/2024", "Không", nil, "Không", nil, "Không", 0)
	fill(f, 3, "01/12/2024", "Có")
	fill(f, 4, "10/01/2025", "Có", nil, "Có", nil, "Có", 1)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 4 {
		t.Fatalf("first load: %+v", rep)
	}

	path = writeTemplateWith(t, pool, ntm.DatasetVillageSurvey, TemplateOptions{Recipient: "187", Prefill: true})
	f = open(t, path)
	top, hdr = headerRow(t, f)
	first = top + 2
	rows, _ := f.GetRows(templateSheet)
	row := func(i int) string { return strings.Join(rows[first-1+i], "|") }
	for i, want := range []string{
		"1|06466|Thị trấn Chi Lăng|06466-001|Khối Phố Mới|30/11/2024|Có|12/QĐ-UBND|Có|Zalo Khối Phố Mới|Có|2|Nông nghiệp; Du lịch",
		"2|06469|Xã Vân An|06469-001|Thôn Nà Sla|15/10/2024|Không||Không||Không|0",
		"3|06469|Xã Vân An|06469-002|Thôn Hòa Bình",
		"4|06523|Xã Chi Lăng|06523-001|Thôn Làng Cống|01/12/2024|Có",
		"5|06523|Xã Chi Lăng|06523-002|Thôn Bản Chắt", // its answers are of January 2025, after the period
	} {
		if got := row(i); got != want {
			t.Errorf("row %d = %s\nwant %s", i+1, got, want)
		}
	}
	date, team := colOf(t, hdr, "Ngày số liệu"), colOf(t, hdr, "Tổ công nghệ số cộng đồng")
	if fillOf(t, f, templateSheet, date+itoa(first)) != "FFF2CC" || fillOf(t, f, templateSheet, team+itoa(first+3)) != "FFF2CC" ||
		fillOf(t, f, templateSheet, date+itoa(first+2)) != "" || fillOf(t, f, templateSheet, colOf(t, hdr, "Sử dụng nền tảng số")+itoa(first+3)) != "" {
		t.Error("the last answers are not shaded, or blank cells are")
	}
	if lockedOf(t, f, templateSheet, date+itoa(first)) || lockedOf(t, f, templateSheet, team+itoa(first)) {
		t.Error("pre-filled answers are locked")
	}
	if !strings.Contains(strings.Join(rows[findRow(t, f, templateSheet, "A", "HƯỚNG DẪN:")], " "), "1. Các ô tô vàng là câu trả lời đã nạp lần trước của 3 thôn") {
		t.Errorf("no instruction on the pre-filled answers: %v", rows[findRow(t, f, templateSheet, "A", "HƯỚNG DẪN:")])
	}
	// Checked again: Nà Sla now uses a platform (a new date), Bản Chắt answered for December;
	// Khối Phố Mới and Làng Cống left as they were.
	set(t, f, date+itoa(first+1), "20/12/2024")
	set(t, f, colOf(t, hdr, "Sử dụng nền tảng số")+itoa(first+1), "Có")
	fill(f, 4, "28/12/2024", "Không")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 4 || rep.RowsSkipped == 0 {
		t.Fatalf("second load: %+v", rep)
	}
	last, err := lastAnswers(ctx, pool, ntm.DatasetVillageSurvey, []string{"06466-001", "06469-001", "06469-002", "06523-001", "06523-002"}, templatePeriod.End(), templatePeriod.End(), staleness{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, code := range slices.Sorted(maps.Keys(last)) {
		got = append(got, code+" "+fmt.Sprint(last[code].cells))
	}
	want := []string{
		"06466-001 [30/11/2024 Có 12/QĐ-UBND Có Zalo Khối Phố Mới Có 2 Nông nghiệp; Du lịch]",
		"06469-001 [20/12/2024 Không <nil> Có <nil> Không 0 <nil>]",
		"06523-001 [01/12/2024 Có <nil> <nil> <nil> <nil> <nil> <nil>]",
		"06523-002 [28/12/2024 Không <nil> <nil> <nil> <nil> <nil> <nil>]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the villages' last answers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	f.Close()

	// Digital addresses: the last counts pre-filled load back as they were.
	path = writeTemplate(t, pool, ntm.DatasetVpostcode, "06469")
	f = open(t, path)
	top, hdr = headerRow(t, f)
	for j, v := range []any{"15/12/2024", 120, 118, 3, 3} {
		set(t, f, colOf(t, hdr, []string{"Ngày số liệu", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"}[j])+itoa(top+2), v)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	loadFile(t, pool, path)
	path = writeTemplateWith(t, pool, ntm.DatasetVpostcode, TemplateOptions{Recipient: "06469", Prefill: true})
	f = open(t, path)
	top, _ = headerRow(t, f)
	rows, _ = f.GetRows(templateSheet)
	if got := strings.Join(rows[top+1], "|"); got != "1|06469|Xã Vân An|06469-001|Thôn Nà Sla|15/12/2024|120|118|3|3" {
		t.Errorf("pre-filled digital addresses: %s", got)
	}
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 1 {
		t.Errorf("the pre-filled template loads %+v", rep)
	}
}
