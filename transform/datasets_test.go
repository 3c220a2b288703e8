package transform

import (
	"strings"
	"testing"

	"ntm"
)

func TestMatchMergedGroupHeaders(t *testing.T) {
	t.Parallel()
	cols := []string{"STT", "Tên xã", "Tên thôn", "Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số",
		"Cơ quan, tổ chức Tổng số", "Cơ quan, tổ chức Đã gắn địa chỉ số", "Tỷ lệ hộ đã gắn địa chỉ số (%)", "Ghi chú"}
	m := SpecsFor(ntm.DatasetVpostcode)[0].Match(cols)
	want := map[string]int{"commune": 1, "village": 2, "households_total": 3, "households_with": 4, "orgs_total": 5, "orgs_with": 6}
	for f, i := range want {
		if m.Col[f] != i {
			t.Errorf("%s → column %d, want %d (%q)", f, m.Col[f], i, cols[i])
		}
	}
	if !m.Complete() {
		t.Errorf("missing %v", m.Missing)
	}
	if _, ok := m.Col["as_of"]; ok {
		t.Errorf("as_of matched a column")
	}
}

func TestMatchMostSpecificSynonymWins(t *testing.T) {
	t.Parallel()
	// "Số hộ đã gắn địa chỉ số" contains "Số hộ" (a total synonym); the exact synonym must win,
	// whatever the column order.
	for _, cols := range [][]string{
		{"Thôn", "Số hộ đã gắn địa chỉ số", "Tổng số hộ", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức"},
		{"THÔN/BẢN", "TỔNG SỐ HỘ", "SỐ HỘ ĐÃ CÓ ĐỊA CHỈ SỐ", "Số cơ quan, tổ chức, doanh nghiệp", "Số cơ quan, tổ chức đã gắn địa chỉ số"},
	} {
		m := SpecsFor(ntm.DatasetVpostcode)[0].Match(cols)
		if !strings.Contains(strings.ToLower(cols[m.Col["households_total"]]), "tổng") ||
			!strings.Contains(strings.ToLower(cols[m.Col["households_with"]]), "địa chỉ") {
			t.Errorf("%q: total=%q with=%q", cols, cols[m.Col["households_total"]], cols[m.Col["households_with"]])
		}
		if !m.Complete() {
			t.Errorf("%q: missing %v", cols, m.Missing)
		}
	}
}

func TestMatchNFDAndSpacing(t *testing.T) {
	t.Parallel()
	// NFD (decomposed) text, odd spacing, NBSP and the old tone placement all fold to the synonyms.
	cols := []string{"Xa\u0303", "Tho\u0302n", "  Tổng  số\u00a0hộ ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"}
	m := SpecsFor(ntm.DatasetVpostcode)[0].Match(cols)
	if !m.Complete() || m.Col["commune"] != 0 || m.Col["village"] != 1 || m.Col["households_total"] != 2 {
		t.Errorf("got %v missing %v", m.Col, m.Missing)
	}
}

func TestDetectDataset(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cols  []string
		want  ntm.Dataset
		shape string
	}{
		{[]string{"Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"}, ntm.DatasetVpostcode, ""},
		{[]string{"Mã thôn", "Tổ công nghệ số cộng đồng", "Sử dụng nền tảng số", "Nhóm Zalo/Facebook", "WiFi miễn phí tại nhà văn hóa", "Số mô hình chuyển đổi số"}, ntm.DatasetVillageSurvey, ""},
		{[]string{"Tên sản phẩm", "Chủ thể", "Xã", "Hạng sao", "Số quyết định", "Ngày công nhận", "Postmart", "Shopee"}, ntm.DatasetOCOPProducts, ""},
		{[]string{"Tên sản phẩm", "Chủ thể", "Xã", "Số sao", "Quyết định công nhận", "Sàn TMĐT"}, ntm.DatasetOCOPProducts, ""},
		{[]string{"Mã sản phẩm", "Tên sản phẩm", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"}, ntm.DatasetOCOPListings, ""},
		{[]string{"Đơn vị", "Tổng số TTHC", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần"}, ntm.DatasetDVCProcedures, ""},
		{[]string{"Đơn vị", "Mã TTHC", "Tên thủ tục hành chính", "Mức độ"}, ntm.DatasetDVCProcedures, "procedure_list"},
		{[]string{"Đơn vị", "Kỳ báo cáo", "Tổng số hồ sơ tiếp nhận", "Tiếp nhận trực tuyến", "Hồ sơ xử lý trực tuyến toàn trình"}, ntm.DatasetDVCDossiers, ""},
		{[]string{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"}, ntm.DatasetDVCDossierRecords, ""},
	}
	var all []*Spec
	for _, s := range AllSpecs() {
		if s.Dataset != ntm.DatasetUnits {
			all = append(all, s)
		}
	}
	for _, c := range cases {
		m, err := DetectDataset(c.cols, all)
		if err != nil {
			t.Errorf("%q: %v", c.cols, err)
			continue
		}
		if m.Spec.Dataset != c.want || m.Spec.Shape != c.shape {
			t.Errorf("%q: detected %s/%s, want %s/%s", c.cols, m.Spec.Dataset, m.Spec.Shape, c.want, c.shape)
		}
		if scorerFor(all)(c.cols) == 0 {
			t.Errorf("%q: scorer says not a header", c.cols)
		}
	}
}

func TestDetectDatasetNoneNamesExpectedColumns(t *testing.T) {
	t.Parallel()
	var all []*Spec
	for _, s := range AllSpecs() {
		if s.Dataset != ntm.DatasetUnits {
			all = append(all, s)
		}
	}
	_, err := DetectDataset([]string{"Họ và tên", "Ngày sinh", "Địa chỉ"}, all)
	if err == nil {
		t.Fatal("no error")
	}
	mustContain(t, err.Error(), "vpostcode", `"Tổng số hộ"`, "dvc_dossier_records")
	if scorerFor(all)([]string{"Họ và tên", "Ngày sinh", "Địa chỉ"}) != 0 {
		t.Error("scorer accepts an unrelated header")
	}
	// A vpostcode header without the organisations columns: named as missing.
	_, err = DetectDataset([]string{"Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số"}, SpecsFor(ntm.DatasetVpostcode))
	if err == nil {
		t.Fatal("no error")
	}
	mustContain(t, err.Error(), `"Tổng số cơ quan, tổ chức"`, `"Số cơ quan, tổ chức đã gắn địa chỉ số"`)
}

func TestEveryRequiredLabelIsRecognised(t *testing.T) {
	t.Parallel()
	// A template made of the canonical labels must be read back as its own dataset.
	for _, s := range AllSpecs() {
		var cols []string
		for _, alts := range s.Required {
			cols = append(cols, s.Field(alts[0]).Label)
		}
		m := s.Match(cols)
		if !m.Complete() {
			t.Errorf("%s/%s: canonical labels %q leave %v missing", s.Dataset, s.Shape, cols, m.Missing)
		}
	}
}
