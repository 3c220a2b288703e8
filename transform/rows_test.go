package transform

import (
	"testing"
	"time"

	"ntm"
	"ntm/ingest"
)

func TestVpostcodeRowRejects(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cells  []string
		column string
		wants  []string
	}{
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "12,5", "9", "", "", "30/11/2024"}, "Tổng số hộ", []string{`"12,5"`, "số nguyên không âm"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "-3", "0", "", "", "30/11/2024"}, "Tổng số hộ", []string{"âm"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "", "9", "", "", "30/11/2024"}, "Tổng số hộ", []string{"thiếu"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "245", "250", "", "", "30/11/2024"}, "Số hộ đã gắn địa chỉ số", []string{"(250) lớn hơn tổng số hộ (245)"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "245", "240", "3", "4", "30/11/2024"}, "Số cơ quan, tổ chức đã gắn địa chỉ số", []string{"(4) lớn hơn"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "245", "240", "3", "", "30/11/2024"}, "Số cơ quan, tổ chức đã gắn địa chỉ số", []string{"thiếu"}},
		{[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "245", "240", "", "", "31/02/2024"}, "Ngày số liệu", []string{"ngày không hợp lệ", "31/02/2024"}},
	} {
		_, rerr, p := parseOne(t, ntm.DatasetVpostcode, vpCols, c.cells, nil)
		if rerr == nil {
			t.Errorf("%q accepted", c.cells)
			continue
		}
		if got := p.label(rerr.field); got != c.column {
			t.Errorf("%q: column %q, want %q (%s)", c.cells, got, c.column, rerr.reason)
		}
		mustContain(t, rerr.reason, c.wants...)
	}
}

func TestVpostcodeRowValues(t *testing.T) {
	t.Parallel()
	res, rerr, _ := parseOne(t, ntm.DatasetVpostcode, vpCols,
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "1.234", "1234.0", "-", "-", "45626"}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	v := res.facts[0].vals
	if v[3] != day(2024, 11, 30) || v[4] != int64(1234) || v[5] != int64(1234) || v[6] != int64(0) || v[7] != int64(0) {
		t.Errorf("values %v", v)
	}
	if res.key != "06523-001|2024-11-30" {
		t.Errorf("key %q", res.key)
	}
}

func TestSurveyRow(t *testing.T) {
	t.Parallel()
	cols := []string{"Mã thôn", "Tổ công nghệ số cộng đồng Có/Không", "Tổ công nghệ số cộng đồng Số quyết định thành lập",
		"Sử dụng nền tảng số Có/Không", "Sử dụng nền tảng số Tên nhóm", "WiFi miễn phí tại nhà văn hóa",
		"Mô hình chuyển đổi số Số lượng", "Mô hình chuyển đổi số Lĩnh vực"}
	res, rerr, _ := parseOne(t, ntm.DatasetVillageSurvey, cols,
		[]string{"06469-001", "Có", "12/QĐ-UBND", "x", "Zalo Nà Sla", "", "Trồng hồi trên sàn; Du lịch cộng đồng", ""}, nil,
		"Số liệu đến ngày 15/10/2024")
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	v := res.facts[0].vals
	// team, decision, platform, name, wifi (blank = unknown = NULL), models (a list, counted), fields
	if v[4] != true || v[5] != "12/QĐ-UBND" || v[6] != true || v[7] != "Zalo Nà Sla" || v[8] != nil || v[9] != int64(2) ||
		v[10] != "Trồng hồi trên sàn; Du lịch cộng đồng" || v[3] != day(2024, 10, 15) {
		t.Errorf("values %#v", v)
	}
	_, rerr, p := parseOne(t, ntm.DatasetVillageSurvey, cols, []string{"06469-001", "Đang xem xét", "", "", "", "", "", ""}, nil, "Số liệu đến ngày 15/10/2024")
	if rerr == nil || p.label(rerr.field) != cols[1] {
		t.Fatalf("bad yes/no: %v", rerr)
	}
}

func TestOCOPProductRowWithPlatformColumns(t *testing.T) {
	t.Parallel()
	cols := []string{"Tên sản phẩm", "Chủ thể", "Huyện", "Xã", "Hạng sao", "Quyết định công nhận Số", "Quyết định công nhận Ngày",
		"Sàn TMĐT Postmart", "Sàn TMĐT Shopee", "Sàn TMĐT Sàn TMĐT tỉnh", "Sàn TMĐT Lazada"}
	res, rerr, _ := parseOne(t, ntm.DatasetOCOPProducts, cols,
		[]string{"Na Chi Lăng", "HTX Nông nghiệp Chi Lăng", "Chi Lăng", "Xã Chi Lăng", "4 sao", "1234/QĐ-UBND", "15/08/2023",
			"x", "https://shopee.vn/na-chi-lang", "Không", ""}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	if len(res.facts) != 3 {
		t.Fatalf("facts %d, want product + 2 listings: %v", len(res.facts), res.facts)
	}
	prod := res.facts[0].vals
	if prod[6] != int16(4) || prod[10] != "06523" || prod[13] != day(2023, 8, 15) || prod[14] != day(2026, 8, 15) {
		t.Errorf("product %#v", prod)
	}
	if res.key != "na chi lăng|htx nông nghiệp chi lăng|06523" {
		t.Errorf("key %q", res.key)
	}
	if res.facts[1].vals[6] != "postmart" || res.facts[2].vals[6] != "shopee" || res.facts[2].vals[7] != "https://shopee.vn/na-chi-lang" {
		t.Errorf("listings %v %v", res.facts[1].vals, res.facts[2].vals)
	}
	// Stars outside 3–5.
	_, rerr, p := parseOne(t, ntm.DatasetOCOPProducts, cols,
		[]string{"Na", "HTX", "Chi Lăng", "Xã Chi Lăng", "2 sao", "1", "15/08/2023", "", "", "", ""}, nil)
	if rerr == nil || p.label(rerr.field) != "Hạng sao" {
		t.Fatalf("2 stars: %v", rerr)
	}
	mustContain(t, rerr.reason, "3, 4 hoặc 5")
	// The certificate date read from the decision text.
	cols2 := []string{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Mã xã", "Số sao", "Quyết định công nhận", "Sàn TMĐT"}
	res, rerr, _ = parseOne(t, ntm.DatasetOCOPProducts, cols2,
		[]string{"LS-001", "Miến dong", "HTX Bình Gia", "6469", "3★", "Số 45/QĐ-UBND ngày 02/03/2022", "Voso, Postmart"}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	if res.key != "LS-001" || res.facts[0].vals[10] != "06469" || res.facts[0].vals[13] != day(2022, 3, 2) || len(res.facts) != 3 {
		t.Errorf("got key %q facts %v", res.key, res.facts)
	}
}

func TestOCOPListingRow(t *testing.T) {
	t.Parallel()
	cols := []string{"Mã sản phẩm", "Tên sản phẩm", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"}
	res, rerr, _ := parseOne(t, ntm.DatasetOCOPListings, cols, []string{"LS-001", "Miến dong", "Shopee", "https://shopee.vn/x", "01/02/2024", "Ngừng bán"}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	v := res.facts[0].vals
	if v[6] != "shopee" || v[8] != day(2024, 2, 1) || v[9] != false || res.key != "LS-001|shopee" {
		t.Errorf("values %v key %q", v, res.key)
	}
	_, rerr, _ = parseOne(t, ntm.DatasetOCOPListings, cols, []string{"LS-001", "", "", "", "", ""}, nil)
	if rerr == nil {
		t.Fatal("no platform accepted")
	}
}

func TestProceduresRow(t *testing.T) {
	t.Parallel()
	cols := []string{"Đơn vị", "Tổng số TTHC", "Số TTHC đủ điều kiện cung cấp DVCTT Tổng số", "Số TTHC đủ điều kiện cung cấp DVCTT Toàn trình",
		"Số TTHC đủ điều kiện cung cấp DVCTT Một phần"}
	res, rerr, _ := parseOne(t, ntm.DatasetDVCProcedures, cols, []string{"UBND huyện Chi Lăng", "300", "250", "150", "100"}, nil, "Số liệu đến ngày 31/12/2024")
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	if v := res.facts[0].vals; v[2] != "187" || v[4] != int64(300) || v[5] != int64(250) || v[6] != int64(150) || v[7] != int64(100) {
		t.Errorf("values %v", v)
	}
	_, rerr, _ = parseOne(t, ntm.DatasetDVCProcedures, cols, []string{"UBND huyện Chi Lăng", "300", "250", "200", "100"}, nil, "Số liệu đến ngày 31/12/2024")
	if rerr == nil {
		t.Fatal("offered > eligible accepted")
	}
	mustContain(t, rerr.reason, "lớn hơn số TTHC đủ điều kiện (250)")
}

func TestProcedureListAggregates(t *testing.T) {
	t.Parallel()
	cols := []string{"Đơn vị", "Mã TTHC", "Tên thủ tục hành chính", "Mức độ"}
	m, _ := DetectDataset(cols, SpecsFor(ntm.DatasetDVCProcedures))
	idx := fixtureIndex()
	tc := &tableCtx{match: m, spec: m.Spec, refDate: day(2024, 12, 31), fileAsOf: day(2024, 12, 31),
		agg: &procedureAggregate{byKey: map[string]*procedureCounts{}}}
	tc.table = &ingest.Table{Sheet: "Data"}
	for i, r := range [][]string{
		{"UBND xã Vân An", "1.001", "Đăng ký khai sinh", "Toàn trình"},
		{"UBND xã Vân An", "1.002", "Chứng thực bản sao", "Một phần"},
		{"UBND xã Vân An", "1.003", "Hòa giải", "Mức độ 2"},
		{"UBND xã Vân An", "1.004", "Cấp phép", "Mức độ 4"},
	} {
		p := &rowParser{tc: tc, row: rowOf(i+5, r), idx: idx, unitDate: tc.refDate}
		res, rerr := parseProcedureListRow(p)
		if rerr != nil {
			t.Fatal(rerr.reason)
		}
		res.apply()
	}
	fs := tc.agg.facts()
	if len(fs) != 1 {
		t.Fatalf("facts %v", fs)
	}
	// unit, as_of, total, eligible, full, partial
	if v := fs[0].vals; v[2] != "06469" || v[4] != int64(4) || v[5] != int64(4) || v[6] != int64(2) || v[7] != int64(1) {
		t.Errorf("aggregate %v", v)
	}
}

func TestDossiersRow(t *testing.T) {
	t.Parallel()
	cols := []string{"Đơn vị", "Kỳ báo cáo", "Tổng số hồ sơ tiếp nhận", "Tiếp nhận trực tuyến", "Hồ sơ xử lý trực tuyến toàn trình"}
	res, rerr, _ := parseOne(t, ntm.DatasetDVCDossiers, cols, []string{"Huyện Chi Lăng", "9 tháng năm 2026", "1.200", "900", "850"}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	if v := res.facts[0].vals; v[2] != "187" || v[3] != day(2026, 1, 1) || v[4] != day(2026, 9, 30) || v[6] != int64(1200) || v[7] != int64(900) {
		t.Errorf("values %v", v)
	}
	_, rerr, _ = parseOne(t, ntm.DatasetDVCDossiers, cols, []string{"Huyện Chi Lăng", "Quý III/2026", "100", "", "101"}, nil)
	if rerr == nil {
		t.Fatal("full > received accepted")
	}
	_, rerr, _ = parseOne(t, ntm.DatasetDVCDossiers, cols, []string{"Huyện Chi Lăng", "Quý V/2026", "100", "", "10"}, nil)
	if rerr == nil {
		t.Fatal("bad period accepted")
	}
}

func TestDossierRecordRow(t *testing.T) {
	t.Parallel()
	cols := []string{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"}
	res, rerr, _ := parseOne(t, ntm.DatasetDVCDossierRecords, cols, []string{"000.00.20.H36-261015-0001", "UBND xã Vân An", "15/10/2026", "Trực tuyến", "Mức độ 4"}, nil)
	if rerr != nil {
		t.Fatal(rerr.reason)
	}
	if v := res.facts[0].vals; v[3] != "06469" || v[4] != day(2026, 10, 15) || v[5] != "online" || v[6] != true {
		t.Errorf("values %v", v)
	}
	_, rerr, _ = parseOne(t, ntm.DatasetDVCDossierRecords, cols, []string{"X1", "UBND xã Vân An", "15/10/2026", "Fax", "Mức độ 4"}, nil)
	if rerr == nil {
		t.Fatal("bad channel accepted")
	}
}

func TestPreambleAsOfAndPeriod(t *testing.T) {
	t.Parallel()
	if got := preambleAsOf([]string{"Lạng Sơn, ngày 05 tháng 12 năm 2024", "(Số liệu đến ngày 30/11/2024)"}); got != day(2024, 11, 30) {
		t.Errorf("as of %v", got)
	}
	if got := preambleAsOf([]string{"Số liệu tính đến ngày 30 tháng 11 năm 2024"}); got != day(2024, 11, 30) {
		t.Errorf("as of %v", got)
	}
	if got := preambleAsOf([]string{"Lạng Sơn, ngày 05 tháng 12 năm 2024"}); !got.IsZero() {
		t.Errorf("signing date taken as as-of: %v", got)
	}
	from, to, _ := preamblePeriod([]string{"Lạng Sơn, ngày 05 tháng 10 năm 2026", "BÁO CÁO KẾT QUẢ GIẢI QUYẾT TTHC QUÝ III NĂM 2026"})
	if from != day(2026, 7, 1) || to != day(2026, 9, 30) {
		t.Errorf("period %v–%v", from, to)
	}
	_ = time.UTC
}
