package transform

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

func load(t *testing.T, pool *pgxpool.Pool, path string, opts LoadOptions) FileReport {
	t.Helper()
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected {
		t.Fatalf("file rejected: %s (%+v)", rep.Message, rep.Rejects)
	}
	return rep
}

func TestLoadOCOPProductsWithPlatformColumns(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "ocop.xlsx", sheet{name: "DS OCOP", rows: [][]any{
		{"DANH SÁCH SẢN PHẨM OCOP TỈNH LẠNG SƠN"},
		{"(Kèm theo Báo cáo số 123/BC-SNN)"},
		{"STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", nil, "Hạng sao", "Quyết định công nhận", nil, "Sàn TMĐT", nil, nil},
		{nil, nil, nil, "Huyện", "Xã", nil, "Số", "Ngày", "Postmart", "Shopee", "Sàn TMĐT tỉnh"},
		{"A", "B", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		{1, "Na Chi Lăng", "HTX Nông nghiệp Chi Lăng", "Chi Lăng", "Xã Chi Lăng", "4 sao", "1234/QĐ-UBND", "15/08/2023", "x", "https://shopee.vn/na-chi-lang", nil},
		{2, "Miến dong", "HTX Long Đống", "Bắc Sơn", "Long Đống", 3, "45/QĐ-UBND", 45000, nil, nil, "x"},
		{3, "Rượu men lá", "Hộ Nông Văn A", "Chi Lăng", "Vân An", "2 sao", "46/QĐ-UBND", "01/03/2023"},
		{4, "Trà hoa vàng", "HTX Vân An", "Chi Lăng", "Vân An", "5★", "47/QĐ-UBND", "01/03/2023", "Không", nil, nil},
	}, merges: [][2]string{{"A3", "A4"}, {"B3", "B4"}, {"C3", "C4"}, {"D3", "E3"}, {"F3", "F4"}, {"G3", "H3"}, {"I3", "K3"}}})
	rep := load(t, pool, path, LoadOptions{MaxRejectShare: 0.5})
	if rep.Dataset != ntm.DatasetOCOPProducts || rep.RowsLoaded != 3 || rep.RowsRejected != 1 || rep.FactsWritten != 6 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), `dòng 8`, `cột "Hạng sao"`, "3, 4 hoặc 5")
	var certified, expires time.Time
	var stars int
	if err := pool.QueryRow(context.Background(), `SELECT stars, certified_on, expires_on FROM fact_ocop_product WHERE name = 'Miến dong'`).Scan(&stars, &certified, &expires); err != nil {
		t.Fatal(err)
	}
	if stars != 3 || certified != day(2023, 3, 15) || expires != day(2026, 3, 15) {
		t.Errorf("stars %d certified %v expires %v", stars, certified, expires)
	}
	// Listings: Postmart and Shopee for the custard apple, the province's platform for the noodles.
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_listing WHERE batch_id = $1`, rep.BatchID); n != 3 {
		t.Errorf("listings %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_listing WHERE platform = 'shopee' AND url = 'https://shopee.vn/na-chi-lang'
		AND folded_name = 'na chi lăng' AND folded_owner = 'htx nông nghiệp chi lăng' AND active`); n != 1 {
		t.Errorf("shopee listing missing")
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_product WHERE commune_code = '06523' AND product_key = 'na chi lăng|htx nông nghiệp chi lăng|06523'`); n != 1 {
		t.Errorf("product key/commune wrong")
	}
}

// ocopProductsForListings loads the products the listing tests list.
func ocopProductsForListings(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	path := writeCSV(t, t.TempDir(), "products.csv", [][]string{
		{"Mã sản phẩm", "Tên sản phẩm", "Hạng sao", "Chủ thể", "Huyện", "Xã", "Số quyết định", "Ngày công nhận"},
		{"LS-001", "Na Chi Lăng", "4", "HTX Chi Lăng", "Huyện Chi Lăng", "Xã Chi Lăng", "12/QĐ-UBND", "01/02/2023"},
		{"", "Miến dong", "3", "HTX Long Đống", "Huyện Bắc Sơn", "Xã Long Đống", "13/QĐ-UBND", "01/02/2023"},
	}, ',', false)
	if rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetOCOPProducts}); rep.RowsLoaded != 2 {
		t.Fatalf("products: %+v", rep)
	}
}

func TestLoadOCOPListingsCSV(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ocopProductsForListings(t, pool)
	path := writeCSV(t, t.TempDir(), "listings.csv", [][]string{
		{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"},
		{"LS-001", "Na Chi Lăng", "HTX Chi Lăng", "Postmart", "https://postmart.vn/na", "01/02/2024", "Đang bán"},
		{"LS-001", "Na Chi Lăng", "HTX Chi Lăng", "Shopee", "https://shopee.vn/na", "2024-03-01", "Đã gỡ"},
		{"", "Miến dong", "HTX Long Đống", "voso.vn", "", "", ""},
	}, ';', true)
	rep := load(t, pool, path, LoadOptions{})
	if rep.Dataset != ntm.DatasetOCOPListings || rep.RowsLoaded != 3 {
		t.Fatalf("report %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_listing WHERE NOT active AND platform = 'shopee'`); n != 1 {
		t.Errorf("inactive listing")
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_listing WHERE platform = 'voso' AND folded_name = 'miến dong' AND listed_on IS NULL`); n != 1 {
		t.Errorf("voso listing")
	}
}

func TestLoadProceduresMessy(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "tthc.xlsx", sheet{name: "Biểu 2", rows: [][]any{
		{"BÁO CÁO TÌNH HÌNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN"},
		{"Số liệu đến ngày 31/12/2024"},
		{"STT", "Đơn vị", "Tổng số TTHC", "Số TTHC đủ điều kiện cung cấp DVCTT", nil, nil},
		{nil, nil, nil, "Tổng số", "Toàn trình", "Một phần"},
		{"I. Huyện Chi Lăng"},
		{1, "UBND huyện Chi Lăng", "312", "250", "150", "100"},
		{2, "UBND thị trấn Chi Lăng", 120, 100, 60, 40},
		{3, "UBND xã Chi Lăng", 120, 100, 50, 30},
		{"II. Huyện Tràng Định"},
		{1, "UBND xã Chi Lăng", 110, 95, 45, 50},
		{"Tổng cộng", nil, 662, 545, 305, 220},
	}, merges: [][2]string{{"A3", "A4"}, {"B3", "B4"}, {"C3", "C4"}, {"D3", "F3"}}})
	rep := load(t, pool, path, LoadOptions{})
	if rep.Dataset != ntm.DatasetDVCProcedures || rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
		t.Fatalf("report %+v", rep)
	}
	var got []string
	rows, _ := pool.Query(context.Background(), `SELECT unit_code || ':' || total || '/' || eligible || '/' || full_online || '/' || partial_online
		FROM fact_dvc_procedures WHERE as_of = '2024-12-31' ORDER BY unit_code`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	want := []string{"06034:110/95/45/50", "06466:120/100/60/40", "06523:120/100/50/30", "187:312/250/150/100"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %s want %s", got[i], want[i])
		}
	}
}

func TestLoadProcedureList(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeCSV(t, t.TempDir(), "ds-tthc.csv", [][]string{
		{"STT", "Đơn vị", "Mã TTHC", "Tên thủ tục hành chính", "Mức độ"},
		{"1", "UBND xã Vân An", "1.001", "Đăng ký khai sinh", "Toàn trình"},
		{"2", "UBND xã Vân An", "1.002", "Chứng thực bản sao", "Một phần"},
		{"3", "UBND xã Vân An", "1.003", "Hòa giải", "Mức độ 2"},
		{"4", "UBND huyện Bắc Sơn", "2.001", "Cấp phép xây dựng", "Mức độ 4"},
		{"5", "UBND xã Vân An", "1.001", "Đăng ký khai sinh", "Toàn trình"},
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures, AsOf: day(2024, 12, 31), MaxRejectShare: 0.5})
	if rep.Shape != "procedure_list" || rep.RowsLoaded != 4 || rep.RowsRejected != 1 || rep.FactsWritten != 2 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 6", "trùng khóa với dòng 2")
	var total, eligible, full, partial int
	if err := pool.QueryRow(context.Background(), `SELECT total, eligible, full_online, partial_online FROM fact_dvc_procedures
		WHERE unit_code = '06469' AND as_of = '2024-12-31'`).Scan(&total, &eligible, &full, &partial); err != nil {
		t.Fatal(err)
	}
	if total != 3 || eligible != 3 || full != 1 || partial != 1 {
		t.Errorf("aggregate %d/%d/%d/%d", total, eligible, full, partial)
	}
}

func TestLoadDossiersPeriodFromTitle(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "hoso.xlsx", sheet{name: "Q3", rows: [][]any{
		{"UBND TỈNH LẠNG SƠN", nil, nil, "Lạng Sơn, ngày 05 tháng 10 năm 2026"},
		{"KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ QUÝ III NĂM 2026"},
		{"STT", "Tên đơn vị", "Số hồ sơ tiếp nhận", nil, "Hồ sơ xử lý trực tuyến toàn trình"},
		{nil, nil, "Tổng số", "Trực tuyến", nil},
		{1, "Huyện Chi Lăng", "1.200", "950", "900"},
		{2, "UBND xã Vân An", 300, 200, 180},
		{3, "UBND xã Long Đống", 10, 5, 50},
	}, merges: [][2]string{{"A3", "A4"}, {"B3", "B4"}, {"C3", "D3"}, {"E3", "E4"}}})
	rep := load(t, pool, path, LoadOptions{MaxRejectShare: 0.5})
	if rep.Dataset != ntm.DatasetDVCDossiers || rep.RowsLoaded != 2 || rep.RowsRejected != 1 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), `cột "Hồ sơ xử lý trực tuyến toàn trình"`, "(50) lớn hơn tổng số hồ sơ tiếp nhận (10)")
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossiers WHERE period_from = '2026-07-01' AND period_to = '2026-09-30'
		AND ((unit_code = '187' AND received = 1200 AND received_online = 950 AND full_online = 900) OR unit_code = '06469')`); n != 2 {
		t.Errorf("dossier facts wrong")
	}
	// Without a period anywhere the file is rejected whole, naming --period.
	path2 := writeCSV(t, t.TempDir(), "hoso.csv", [][]string{{"Đơn vị", "Tổng số hồ sơ tiếp nhận", "Hồ sơ xử lý trực tuyến toàn trình"},
		{"Huyện Chi Lăng", "10", "5"}}, ',', false)
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), path2, LoadOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("%+v %v", rep, err)
	}
	mustContain(t, rep.Message, "kỳ báo cáo", "--period")
	rep = load(t, pool, path2, LoadOptions{Period: ntm.Period{Year: 2026, Month: 10}})
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossiers WHERE batch_id = $1 AND period_from = '2026-10-01' AND period_to = '2026-10-31'`, rep.BatchID); n != 1 {
		t.Errorf("period from --period")
	}
}

func TestLoadDossierRecords(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	dir := t.TempDir()
	path := writeXLSX(t, dir, "records.xlsx", sheet{name: "Export", rows: [][]any{
		{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"},
		{"H36.01-261015-0001", "UBND xã Vân An", 46310, "Trực tuyến", "Toàn trình"},
		{"H36.01-261015-0002", "UBND xã Vân An", "15/10/2026", "Trực tiếp", "Toàn trình"},
		{"H36.01-261015-0003", "UBND huyện Chi Lăng", "2026-10-16", "BCCI", "Mức độ 3"},
		{"H36.01-261015-0004", "UBND huyện Chi Lăng", "2026-10-16", "", "Một phần"},
	}})
	rep := load(t, pool, path, LoadOptions{})
	if rep.Dataset != ntm.DatasetDVCDossierRecords || rep.RowsLoaded != 4 {
		t.Fatalf("report %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE unit_code = '06469' AND received_on = '2026-10-15' AND full_process`); n != 2 {
		t.Errorf("records of Vân An: %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE channel = 'unknown'`); n != 1 {
		t.Errorf("blank channel")
	}
	// CSV, with a duplicate dossier id.
	path = writeCSV(t, dir, "records.csv", [][]string{
		{"Số hồ sơ", "Cơ quan tiếp nhận", "Ngày nhận", "Kênh nộp", "Toàn trình"},
		{"A1", "UBND xã Long Đống", "01/11/2026", "Bưu chính", "Không"},
		{"A2", "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"},
		{"A3", "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"},
		{"A4", "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"},
		{"A5", "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"},
		{"A1", "UBND xã Long Đống", "02/11/2026", "Trực tuyến", "x"},
	}, ',', false)
	rep = load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if rep.RowsLoaded != 5 || rep.RowsRejected != 1 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 7", "trùng khóa với dòng 2", "mã hồ sơ")
}

func TestLoadVillageSurveyMessy(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "khao-sat.xlsx", sheet{name: "Tổng hợp", rows: [][]any{
		{"UBND HUYỆN CHI LĂNG"},
		{"TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ THÔN THÔNG MINH"},
		{"Số liệu đến ngày 15/10/2024"},
		{"STT", "Xã", "Thôn", "Tổ công nghệ số cộng đồng", nil, "Sử dụng nền tảng số", nil, "WiFi miễn phí tại nhà văn hóa", "Mô hình chuyển đổi số", nil},
		{nil, nil, nil, "Có/Không", "Số quyết định thành lập", "Có/Không", "Tên nhóm", nil, "Số lượng", "Lĩnh vực"},
		{1, "Xã Vân An", "Nà Sla", "Có", "12/QĐ-UBND", "x", "Zalo thôn Nà Sla", "Có", 2, "Nông nghiệp; Du lịch"},
		{2, "Xã Vân An", "Hòa Bình", "Không", nil, "Có", "Facebook Hòa Bình", nil, "0"},
		{3, "Thị trấn Chi Lăng", "Phố Mới", "Đạt", nil, "1", nil, "Chưa đạt", "Sàn TMĐT\nThanh toán số"},
	}, merges: [][2]string{{"A4", "A5"}, {"B4", "B5"}, {"C4", "C5"}, {"D4", "E4"}, {"F4", "G4"}, {"H4", "H5"}, {"I4", "J4"}}})
	rep := load(t, pool, path, LoadOptions{})
	if rep.Dataset != ntm.DatasetVillageSurvey || rep.RowsLoaded != 3 || rep.AsOf != day(2024, 10, 15) {
		t.Fatalf("report %+v", rep)
	}
	type row struct {
		code           string
		team, pf, wifi *bool
		models         *int
	}
	rows, err := pool.Query(context.Background(), `SELECT village_code, team, platform, wifi, models FROM fact_village_survey ORDER BY village_code`)
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for rows.Next() {
		var r row
		rows.Scan(&r.code, &r.team, &r.pf, &r.wifi, &r.models)
		got = append(got, r)
	}
	if len(got) != 3 || got[0].code != "06466-001" || *got[0].team != true || *got[0].wifi != false || *got[0].models != 2 ||
		got[1].code != "06469-001" || *got[1].models != 2 || got[2].code != "06469-002" || *got[2].team != false || got[2].wifi != nil || *got[2].models != 0 {
		for _, r := range got {
			t.Logf("%s team=%v pf=%v wifi=%v models=%v", r.code, deref(r.team), deref(r.pf), deref(r.wifi), r.models)
		}
		t.Errorf("survey facts wrong")
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestLoadCSVShapesDetected(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	dir := t.TempDir()
	cases := []struct {
		name  string
		rows  [][]string
		want  ntm.Dataset
		facts string
		n     int
	}{
		{"ocop.csv", [][]string{
			{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Mã xã", "Thôn", "Số sao", "Số quyết định", "Ngày công nhận", "Ngày hết hạn", "Sàn TMĐT"},
			{"LS-9", "Hồi Văn Quan", "HTX Nà Sla", "06469", "Nà Sla", "4", "12/QĐ-UBND", "2022-05-01", "2025-05-01", "Postmart; Voso"},
		}, ntm.DatasetOCOPProducts, `SELECT count(*) FROM fact_ocop_product WHERE product_key = 'LS-9' AND village_code = '06469-001' AND expires_on = '2025-05-01'`, 1},
		{"survey.csv", [][]string{
			{"Mã thôn", "Tổ công nghệ số cộng đồng", "Sử dụng nền tảng số", "Nhà văn hóa có WiFi miễn phí", "Mô hình chuyển đổi số", "Ngày số liệu"},
			{"06328-002", "✓", "Không", "1", "Du lịch cộng đồng", "45580"},
		}, ntm.DatasetVillageSurvey, `SELECT count(*) FROM fact_village_survey WHERE village_code = '06328-002' AND team AND NOT platform AND wifi AND models = 1 AND as_of = '2024-10-15'`, 1},
	}
	for _, c := range cases {
		rep := load(t, pool, writeCSV(t, dir, c.name, c.rows, ',', false), LoadOptions{})
		if rep.Dataset != c.want || rep.RowsLoaded != 1 {
			t.Errorf("%s: %+v", c.name, rep)
		}
		if n := count(t, pool, c.facts); n != c.n {
			t.Errorf("%s: %d facts match", c.name, n)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_ocop_listing WHERE product_code = 'LS-9'`); n != 2 {
		t.Errorf("listings of LS-9: %d", n)
	}
}

func TestLoadFileUnitsDataset(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), writeCSV(t, t.TempDir(), "u.csv", fixtureUnits, ',', false),
		LoadOptions{Dataset: ntm.DatasetUnits})
	if err != nil || rep.Rejected || rep.RowsLoaded != 10 {
		t.Fatalf("%+v %v", rep, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit`); n != 20 {
		t.Errorf("units %d", n)
	}
}
