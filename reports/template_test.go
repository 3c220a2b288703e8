package reports

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db/dbtest"
	"ntm/transform"
)

// unitsFixture has two communes named "Xã Chi Lăng" in two districts: a template's title names its
// district, so a commune picked by name in a filled template resolves to the right one.
var unitsFixture = [][]string{
	{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to"},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06466", "Thị trấn Chi Lăng", "06466-001", "Khối Phố Mới", "Khối", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-002", "Thôn Bản Chắt", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06469", "Xã Vân An", "06469-001", "Thôn Nà Sla", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06469", "Xã Vân An", "06469-002", "Thôn Hòa Bình", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "180", "Huyện Tràng Định", "06034", "Xã Chi Lăng", "06034-001", "Thôn Nà Pồng", "Thôn", "", ""},
}

func unitsDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	path := filepath.Join(t.TempDir(), "units.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := csv.NewWriter(fh).WriteAll(unitsFixture); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	rep, err := transform.ImportUnits(context.Background(), pool, path, transform.UnitsOptions{})
	if err != nil || rep.Rejected || rep.RowsRejected > 0 {
		t.Fatalf("units not imported: %+v, %v", rep, err)
	}
	return pool
}

var templateDay = ntm.Date(2024, time.December, 1)

func writeTemplate(t *testing.T, pool *pgxpool.Pool, ds ntm.Dataset, recipient string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", string(ds)+".xlsx")
	if err := WriteTemplate(context.Background(), pool, ds, path, TemplateOptions{Recipient: recipient, Date: templateDay, BlankRows: 20}); err != nil {
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

func TestVillageSurveyTemplateRoundTrip(t *testing.T) {
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
	wantCell(t, f, templateSheet, "A1", "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH – Huyện Chi Lăng (mã 187)")
	wantCell(t, f, templateSheet, "A3", "HƯỚNG DẪN:")
	if a4 := raw(t, f, templateSheet, "A4"); !strings.HasPrefix(a4, "1. Mỗi dòng là một thôn") {
		t.Errorf("A4 = %q", a4)
	}
	top, hdr := headerRow(t, f)
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
			wantCell(t, f, templateSheet, c+itoa(top+1+i), v)
		}
	}
	wantCell(t, f, templateSheet, "A"+itoa(top+6), "")
	// Validations: yes/no drop-downs, dates, whole numbers ≥ 0.
	dvs, err := f.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	byCol := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		byCol[strings.TrimRight(strings.Split(dv.Sqref, ":")[0], "0123456789")] = dv
	}
	team, date, models := colOf(t, hdr, "Tổ công nghệ số cộng đồng"), colOf(t, hdr, "Ngày số liệu"), colOf(t, hdr, "Số mô hình chuyển đổi số")
	if dv := byCol[team]; dv == nil || dv.Type != "list" || dv.Formula1 != `"Có,Không"` || dv.Sqref != team+itoa(top+1)+":"+team+itoa(top+5) {
		t.Errorf("yes/no validation = %+v", dv)
	}
	if dv := byCol[date]; dv == nil || dv.Type != "date" || dv.Operator != "between" || dv.ErrorStyle == nil {
		t.Errorf("date validation = %+v", dv)
	}
	if dv := byCol[models]; dv == nil || dv.Type != "whole" || dv.Formula1 != "0" {
		t.Errorf("count validation = %+v", dv)
	}
	if got := numFmtOf(t, f, templateSheet, date+itoa(top+1)); got != "dd/mm/yyyy" {
		t.Errorf("date format = %q", got)
	}
	panes, _ := f.GetPanes(templateSheet)
	if !panes.Freeze || panes.YSplit != top {
		t.Errorf("panes = %+v", panes)
	}
	checkPrintTitles(t, f, templateSheet, top)

	// Fill it as a commune official would, and load it unchanged.
	asOf := ntm.Date(2024, time.November, 30)
	answers := map[int][]any{ // team, decision, platform, group, wifi, models, fields
		0: {"Có", "12/QĐ-UBND", "Có", "Zalo Khối Phố Mới", "Có", 2, "Nông nghiệp; Du lịch"},
		1: {"Không", nil, "Có", nil, "Không", 0, nil},
		2: {nil, nil, nil, nil, nil, nil, nil}, // not known yet: blank is unknown, not no
		3: {"Có", nil, "Không", nil, "Có", 1, "Giáo dục"},
		4: {"Có", nil, "Có", nil, "Có", 3, nil},
	}
	cols := []string{"Tổ công nghệ số cộng đồng", "Số quyết định thành lập tổ", "Sử dụng nền tảng số", "Nhóm Zalo/Facebook",
		"WiFi miễn phí tại nhà văn hóa", "Số mô hình chuyển đổi số", "Lĩnh vực"}
	for i, a := range answers {
		set(t, f, date+itoa(top+1+i), asOf)
		for j, v := range a {
			if v != nil {
				set(t, f, colOf(t, hdr, cols[j])+itoa(top+1+i), v)
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
	rows, err := pool.Query(ctx, `SELECT village_code, as_of, team, platform, wifi, models, team_decision, platform_name, model_fields
		FROM fact_village_survey ORDER BY village_code`)
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
	wantFacts := []string{
		"06466-001 2024-11-30 y y y 2 12/QĐ-UBND Zalo Khối Phố Mới Nông nghiệp; Du lịch",
		"06469-001 2024-11-30 n y n 0   ",
		"06469-002 2024-11-30 ? ? ? ?   ",
		"06523-001 2024-11-30 y n y 1   Giáo dục",
		"06523-002 2024-11-30 y y y 3   ",
	}
	if strings.Join(got, "\n") != strings.Join(wantFacts, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantFacts, "\n"))
	}
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
			return
		}
	}
	t.Errorf("%s: no print titles", sheet)
}

func TestVpostcodeTemplateRoundTrip(t *testing.T) {
	pool := unitsDB(t)
	path := writeTemplate(t, pool, ntm.DatasetVpostcode, "06469") // a commune
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	top, hdr := headerRow(t, f)
	wantCell(t, f, templateSheet, "D"+itoa(top+1), "06469-001")
	wantCell(t, f, templateSheet, "D"+itoa(top+2), "06469-002")
	wantCell(t, f, templateSheet, "D"+itoa(top+3), "")
	// "With address" is bounded by the total to its left.
	hw := colOf(t, hdr, "Số hộ đã gắn địa chỉ số")
	ht := colOf(t, hdr, "Tổng số hộ")
	dvs, _ := f.GetDataValidations(templateSheet)
	ok := false
	for _, dv := range dvs {
		if strings.HasPrefix(dv.Sqref, hw) {
			ok = dv.Type == "whole" && dv.Formula1 == "0" && dv.Formula2 == ht+itoa(top+1)
		}
	}
	if !ok {
		t.Errorf("no 0…total validation on %s: %+v", hw, dvs)
	}
	fill := [][]any{{120, 120, 3, 3}, {250, 245, 0, 0}}
	for i, r := range fill {
		set(t, f, colOf(t, hdr, "Ngày số liệu")+itoa(top+1+i), ntm.Date(2024, time.December, 15))
		for j, name := range []string{"Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"} {
			set(t, f, colOf(t, hdr, name)+itoa(top+1+i), r[j])
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
	pool := unitsDB(t)
	ctx := context.Background()
	// 1. An empty product list: blank validated rows, communes as a drop-down from the hidden sheet.
	path := writeTemplate(t, pool, ntm.DatasetOCOPProducts, "187")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	top, hdr := headerRow(t, f)
	commune := colOf(t, hdr, "Xã")
	dvs, _ := f.GetDataValidations(templateSheet)
	var lists []string
	for _, dv := range dvs {
		if dv.Type == "list" {
			lists = append(lists, dv.Sqref+"="+dv.Formula1)
		}
	}
	wantLists := []string{
		colOf(t, hdr, "Hạng sao") + itoa(top+1) + ":" + colOf(t, hdr, "Hạng sao") + itoa(top+20) + `="3,4,5"`,
		commune + itoa(top+1) + ":" + commune + itoa(top+20) + "='" + templateLists + "'!$A$2:$A$4",
	}
	if strings.Join(lists, " ") != strings.Join(wantLists, " ") {
		t.Errorf("lists = %v, want %v", lists, wantLists)
	}
	if got, _ := f.GetCellValue(templateLists, "A4"); got != "Xã Chi Lăng" {
		t.Errorf("commune list ends with %q", got)
	}
	products := [][]any{
		{"", "Miến dong Chi Lăng", 4, "Thực phẩm", "HTX Miến dong Chi Lăng", "Xã Chi Lăng", "123/QĐ-UBND", ntm.Date(2023, time.March, 1), nil},
		{"OCOP-187-02", "Na Chi Lăng sấy dẻo", 3, "Thực phẩm", "HTX Na Chi Lăng", "Thị trấn Chi Lăng", "45/QĐ-UBND", ntm.Date(2022, time.June, 10), ntm.Date(2025, time.June, 10)},
	}
	names := []string{"Mã sản phẩm", "Tên sản phẩm", "Hạng sao", "Nhóm sản phẩm", "Chủ thể", "Xã", "Số quyết định", "Ngày công nhận", "Ngày hết hạn"}
	for i, p := range products {
		for j, v := range p {
			if v != nil && v != "" {
				set(t, f, colOf(t, hdr, names[j])+itoa(top+1+i), v)
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
	top, hdr = headerRow(t, f)
	for j, v := range []any{"", "Miến dong Chi Lăng", "HTX Miến dong Chi Lăng", "Shopee", "https://shopee.vn/mien-dong", ntm.Date(2024, time.May, 2), "Đang bán"} {
		name := []string{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"}[j]
		if v != "" {
			set(t, f, colOf(t, hdr, name)+itoa(top+1), v)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if rep := loadFile(t, pool, path); rep.Dataset != ntm.DatasetOCOPListings || rep.RowsLoaded != 1 {
		t.Fatalf("listings: %+v", rep)
	}

	// 3. Written again, the templates pre-list what is known, and load back unchanged.
	path = writeTemplate(t, pool, ntm.DatasetOCOPListings, "187")
	f, _ = excelize.OpenFile(path)
	top, hdr = headerRow(t, f)
	wantCell(t, f, templateSheet, colOf(t, hdr, "Sàn TMĐT")+itoa(top+1), "Shopee")
	wantCell(t, f, templateSheet, colOf(t, hdr, "Trạng thái")+itoa(top+1), "Đang bán")
	findRow(t, f, templateRef, "C", "Na Chi Lăng sấy dẻo")
	f.Close()
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 1 {
		t.Fatalf("pre-listed listings: %+v", rep)
	}
	path = writeTemplate(t, pool, ntm.DatasetOCOPProducts, "187")
	f, _ = excelize.OpenFile(path)
	top, hdr = headerRow(t, f)
	wantCell(t, f, templateSheet, colOf(t, hdr, "Tên sản phẩm")+itoa(top+1), "Na Chi Lăng sấy dẻo") // Thị trấn first
	wantCell(t, f, templateSheet, colOf(t, hdr, "Xã")+itoa(top+2), "Xã Chi Lăng")
	f.Close()
	if rep := loadFile(t, pool, path); rep.RowsLoaded != 2 {
		t.Fatalf("pre-listed products: %+v", rep)
	}
}

func TestTemplateErrors(t *testing.T) {
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
	// The whole province when no recipient is given.
	if err := WriteTemplate(ctx, pool, ntm.DatasetVillageSurvey, out, TemplateOptions{Date: templateDay}); err != nil {
		t.Fatal(err)
	}
	f := open(t, out)
	top, _ := headerRow(t, f)
	wantCell(t, f, templateSheet, "D"+itoa(top+1), "06034-001") // Tràng Định (180) first
	wantCell(t, f, templateSheet, "D"+itoa(top+6), "06523-002")
}

// TestPartlyFilledTemplateLoadsWhatWasFilled: a commune that answers for one village and leaves
// the other pre-listed rows untouched gets that one village loaded; the untouched rows are not
// rejects (they would make the file fail the 20% rule), their villages simply have no data.
func TestPartlyFilledTemplateLoadsWhatWasFilled(t *testing.T) {
	pool := unitsDB(t)
	path := writeTemplate(t, pool, ntm.DatasetVillageSurvey, "187")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	top, hdr := headerRow(t, f)
	set(t, f, colOf(t, hdr, "Ngày số liệu")+itoa(top+2), ntm.Date(2024, time.November, 30))
	set(t, f, colOf(t, hdr, "Tổ công nghệ số cộng đồng")+itoa(top+2), "Có")
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
