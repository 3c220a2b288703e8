package transform

import (
	"testing"

	"ntm"
)

var vpCols = []string{"Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức",
	"Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"}

func vpRow(district, commune, village string) []string {
	return []string{district, commune, village, "10", "9", "1", "1", "30/11/2024"}
}

func villageOf(t *testing.T, res parsed, rerr *rowError) string {
	t.Helper()
	if rerr != nil {
		t.Fatalf("rejected: %s", rerr.reason)
	}
	return res.facts[0].vals[2].(string)
}

func TestResolveKindDecidesBetweenSameNames(t *testing.T) {
	t.Parallel()
	res, rerr, _ := parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("Huyện Chi Lăng", "Thị trấn Chi Lăng", "Khối Phố Mới"), nil)
	if got := villageOf(t, res, rerr); got != "06466-001" {
		t.Errorf("got %s", got)
	}
	res, rerr, _ = parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("Chi Lăng", "X. Chi Lăng", "Làng Cống"), nil)
	if got := villageOf(t, res, rerr); got != "06523-001" {
		t.Errorf("got %s", got)
	}
	// Same village name in two communes: resolved within the commune.
	res, rerr, _ = parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("H. Bắc Sơn", "Long Đống", "Bản Chắt"), nil)
	if got := villageOf(t, res, rerr); got != "06328-001" {
		t.Errorf("got %s", got)
	}
}

func TestResolveBareNameAmbiguous(t *testing.T) {
	t.Parallel()
	_, rerr, p := parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("Huyện Chi Lăng", "Chi Lăng", "Làng Cống"), nil)
	if rerr == nil {
		t.Fatal("accepted an ambiguous commune")
	}
	if p.label(rerr.field) != "Xã" {
		t.Errorf("column %q", p.label(rerr.field))
	}
	mustContain(t, rerr.reason, "Thị trấn Chi Lăng (06466)", "Xã Chi Lăng (06523)", "không rõ ràng")
}

func TestResolveWithoutDistrict(t *testing.T) {
	t.Parallel()
	cols := []string{"Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"}
	// Unique province-wide: accepted.
	res, rerr, _ := parseOne(t, ntm.DatasetVpostcode, cols, []string{"Xã Vân An", "Thôn Hoà Bình", "5", "5", "", "", "30/11/2024"}, nil)
	if got := villageOf(t, res, rerr); got != "06469-002" {
		t.Errorf("got %s", got)
	}
	// Xã Chi Lăng exists in two districts: ambiguous, both named with their districts.
	_, rerr, _ = parseOne(t, ntm.DatasetVpostcode, cols, []string{"Xã Chi Lăng", "Làng Cống", "5", "5", "", "", "30/11/2024"}, nil)
	if rerr == nil {
		t.Fatal("accepted an ambiguous commune")
	}
	mustContain(t, rerr.reason, "Xã Chi Lăng (06523) thuộc Huyện Chi Lăng", "Xã Chi Lăng (06034) thuộc Huyện Tràng Định")
	// A group row gives the district.
	res, rerr, _ = parseOne(t, ntm.DatasetVpostcode, cols, []string{"Xã Chi Lăng", "Làng Cống", "5", "5", "", "", "30/11/2024"}, []string{"I. Huyện Chi Lăng"})
	if got := villageOf(t, res, rerr); got != "06523-001" {
		t.Errorf("got %s", got)
	}
	// So does the title.
	res, rerr, _ = parseOne(t, ntm.DatasetVpostcode, cols, []string{"Xã Chi Lăng", "Nà Pồng", "5", "5", "", "", "30/11/2024"}, nil,
		"UBND HUYỆN TRÀNG ĐỊNH", "BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ")
	if got := villageOf(t, res, rerr); got != "06034-001" {
		t.Errorf("got %s", got)
	}
}

func TestResolveUnknownNamesClosest(t *testing.T) {
	t.Parallel()
	_, rerr, p := parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("Huyện Bắc Sơn", "Xã Long Đốg", "Nà Lay"), nil)
	if rerr == nil {
		t.Fatal("accepted an unknown commune")
	}
	if p.label(rerr.field) != "Xã" {
		t.Errorf("column %q", p.label(rerr.field))
	}
	mustContain(t, rerr.reason, `không tìm thấy xã "Xã Long Đốg" trong Huyện Bắc Sơn`, "gần nhất: Xã Long Đống (06328)")
	_, rerr, _ = parseOne(t, ntm.DatasetVpostcode, vpCols, vpRow("Huyện Bắc Sơn", "Xã Long Đống", "Na Lai"), nil)
	if rerr == nil {
		t.Fatal("accepted an unknown village")
	}
	mustContain(t, rerr.reason, "trong Xã Long Đống", "Thôn Nà Lay (06328-002)")
}

func TestResolveCodeWins(t *testing.T) {
	t.Parallel()
	cols := append([]string{"Mã thôn"}, vpCols...)
	// Names that resolve to nothing (a typo) contradict nothing: the code wins.
	res, rerr, _ := parseOne(t, ntm.DatasetVpostcode, cols, append([]string{"06034-001"}, vpRow("Huyện Tràng Định", "Chi Lăng", "Sai tên")...), nil)
	if got := villageOf(t, res, rerr); got != "06034-001" {
		t.Errorf("got %s", got)
	}
	// A district that is another unit does: one of them is wrong.
	_, rerr, _ = parseOne(t, ntm.DatasetVpostcode, cols, append([]string{"06034-001"}, vpRow("Huyện Chi Lăng", "Chi Lăng", "Sai tên")...), nil)
	if rerr == nil {
		t.Fatal("accepted a village code of Huyện Tràng Định in a row naming Huyện Chi Lăng")
	}
	mustContain(t, rerr.reason, "thuộc Huyện Tràng Định (180)", `cột "Huyện" ghi "Huyện Chi Lăng"`)
	_, rerr, _ = parseOne(t, ntm.DatasetVpostcode, cols, append([]string{"99999-001"}, vpRow("", "", "")...), nil)
	if rerr == nil {
		t.Fatal("accepted an unknown code")
	}
	mustContain(t, rerr.reason, `"99999-001"`)
}

func TestResolveReportingUnits(t *testing.T) {
	t.Parallel()
	cols := []string{"Đơn vị", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"}
	for _, c := range []struct {
		unit   string
		groups []string
		want   string
	}{
		{"UBND huyện Chi Lăng", nil, "187"},
		{"Huyện Bắc Sơn", nil, "185"},
		{"UBND thị trấn Chi Lăng", []string{"I. Huyện Chi Lăng"}, "06466"},
		{"UBND xã Chi Lăng", []string{"II. Huyện Tràng Định"}, "06034"},
		{"UBND xã Vân An", nil, "06469"},
	} {
		res, rerr, _ := parseOne(t, ntm.DatasetDVCProcedures, cols, []string{c.unit, "10", "6", "4", "31/12/2024"}, c.groups)
		if rerr != nil {
			t.Errorf("%s: %s", c.unit, rerr.reason)
			continue
		}
		if got := res.facts[0].vals[2]; got != c.want {
			t.Errorf("%s: got %v want %s", c.unit, got, c.want)
		}
	}
	_, rerr, _ := parseOne(t, ntm.DatasetDVCProcedures, cols, []string{"UBND xã Chi Lăng", "10", "6", "4", "31/12/2024"}, nil)
	if rerr == nil {
		t.Fatal("accepted an ambiguous unit")
	}
	mustContain(t, rerr.reason, "06523", "06034")
}

func TestResolveAlias(t *testing.T) {
	t.Parallel()
	idx := fixtureIndex()
	idx.aliases["long đống cũ"] = []unitAlias{{folded: "long đống cũ", code: "06328", parent: "185"}}
	u := idx.lookup("commune", readUnitName("Xã Long Đống cũ"), idx.code("185", day(2024, 1, 1)), "", day(2024, 1, 1))
	if len(u) != 1 || u[0].Code != "06328" {
		t.Fatalf("alias not used: %v", u)
	}
	// Within another district the alias does not apply.
	if u := idx.lookup("commune", readUnitName("Long Đống cũ"), idx.code("187", day(2024, 1, 1)), "", day(2024, 1, 1)); len(u) != 0 {
		t.Fatalf("alias used outside its parent: %v", u)
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		d    int
	}{{"quang lng", "quang lang", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"đống", "đống", 0}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("%q %q: %d want %d", c.a, c.b, got, c.d)
		}
	}
}
