package fold

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestTextToneVariantsFoldEqual(t *testing.T) {
	pairs := [][2]string{
		{"Hòa", "Hoà"}, {"Thúy", "Thuý"}, {"Khỏe", "Khoẻ"}, {"Qùy", "Quỳ"},
		{"Thủy", "Thuỷ"}, {"Lòa", "Loà"}, {"Hóa", "Hoá"}, {"Họa", "Hoạ"}, {"Xòe", "Xoè"},
		{"Tú Đọan", "Tú Đoạn"}, {"Gìa", "Già"}, {"Ủy ban", "Uỷ ban"}, {"Thụy", "Thuỵ"},
		{"HÒA BÌNH", "hoà bình"}, {"Ðồng Đăng", "Đồng Đăng"},
	}
	for _, p := range pairs {
		a, b := Text(p[0]), Text(p[1])
		if a != b {
			t.Errorf("Text(%q) = %q, Text(%q) = %q: want equal", p[0], a, p[1], b)
		}
	}
}

func TestTextCanonicalForm(t *testing.T) {
	cases := map[string]string{
		"Hòa Bình":                    "hoà bình", // new style: tone on the a of oa
		"Thúy":                        "thuý",
		"Khỏe":                        "khoẻ",
		"Quỳnh":                       "quỳnh",
		"Quý Hòa":                     "quý hoà",
		"Hoàng Văn Thụ":               "hoàng văn thụ",
		"NGƯỜI LẬP BIỂU":              "người lập biểu",
		"Giường":                      "giường",
		"Ngoài":                       "ngoài",
		"Khuỷu":                       "khuỷu",
		"  Chi\u00a0Lăng\u200b ":      "chi lăng",
		"Tổng\t\n số ":                "tổng số",
		"Tổng số:":                    "tổng số",
		"(Ký, ghi rõ họ tên)":         "ký, ghi rõ họ tên",
		"Số hộ (hộ)":                  "số hộ (hộ)",
		"* Ghi chú":                   "ghi chú",
		"\ufeffSTT":                   "stt",
		"Xã Đồng ý":                   "xã đồng ý",
		"-5":                          "-5",
		"\u00d0ông":                   "đông",
		"":                            "",
		"café":                        "café",
		"Hoa\u0300":                   "hoà", // NFD input
		"Tho\u0309\u0302":             "thổ", // marks in a non-canonical order
		"Tỷ lệ (%)":                   "tỷ lệ (%)",
		"Hộ gia đình  Tổng số":        "hộ gia đình tổng số",
		"Số liệu đến ngày 30/11/2024": "số liệu đến ngày 30/11/2024",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnitName(t *testing.T) {
	cases := []struct{ in, name, kind string }{
		{"Xã Quang Lang", "quang lang", "xã"},
		{"UBND huyện Chi Lăng", "chi lăng", "huyện"},
		{"UBND xã Quang Lang", "quang lang", "xã"},
		{"Ủy ban nhân dân thị trấn Đồng Mỏ", "đồng mỏ", "thị trấn"},
		{"Huyện Chi Lăng", "chi lăng", "huyện"},
		{"H. Chi Lăng", "chi lăng", "huyện"},
		{"Thành phố Lạng Sơn", "lạng sơn", "thành phố"},
		{"TP. Lạng Sơn", "lạng sơn", "thành phố"},
		{"TP.Lạng Sơn", "lạng sơn", "thành phố"},
		{"TP Lạng Sơn", "lạng sơn", "thành phố"},
		{"Thị xã Sơn Tây", "sơn tây", "thị xã"},
		{"TX. Sơn Tây", "sơn tây", "thị xã"},
		{"Quận Ba Đình", "ba đình", "quận"},
		{"Tỉnh Lạng Sơn", "lạng sơn", "tỉnh"},
		{"X. Quang Lang", "quang lang", "xã"},
		{"Phường Đông Kinh", "đông kinh", "phường"},
		{"P.Đông Kinh", "đông kinh", "phường"},
		{"Thị trấn Chi Lăng", "chi lăng", "thị trấn"},
		{"Thị Trấn Năm Căn", "năm căn", "thị trấn"},
		{"TT. Đồng Mỏ", "đồng mỏ", "thị trấn"},
		{"TT Đồng Mỏ", "đồng mỏ", "thị trấn"},
		{"Thôn Bản Chắt", "bản chắt", "thôn"},
		{"Tổ dân phố 3", "3", "tổ dân phố"},
		{"TDP 3", "3", "tổ dân phố"},
		{"Khối 5", "5", "khối"},
		{"Bản Chắt", "bản chắt", ""},
		{"Nà Sla", "nà sla", ""},
		{"Pò Mè", "pò mè", ""},
		{"Thôn Nà Sla", "nà sla", "thôn"},
		{"Xã Đồng ý", "đồng ý", "xã"},
		{"I. Huyện Chi Lăng", "chi lăng", "huyện"},
		{"1. Xã Quang Lang", "quang lang", "xã"},
		{"II Huyện Hữu Lũng", "hữu lũng", "huyện"},
		{"Xã", "xã", ""},
		{"Quang Lang", "quang lang", ""},
		{"Xã Hòa Bình", "hoà bình", "xã"},
		{"Xã Hoà Bình", "hoà bình", "xã"},
		{"Xã Cộng Hòa", "cộng hoà", "xã"},
		{"Thị trấn NT Thái Bình", "nt thái bình", "thị trấn"},
	}
	for _, c := range cases {
		name, kind := UnitName(c.in)
		if name != c.name || kind != c.kind {
			t.Errorf("UnitName(%q) = %q, %q; want %q, %q", c.in, name, kind, c.name, c.kind)
		}
	}
}

// Every commune and district of Lạng Sơn (2022) folds to its bare name with
// the kind from the list, and the (parent, kind, name) triple is unique.
func TestUnitNameReferenceLangSon2022(t *testing.T) {
	// sample/data/langson_units_2022.csv, the real 2022 list the sample generator embeds.
	f, err := os.Open("../sample/data/langson_units_2022.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	communes := 0
	for _, r := range recs[1:] {
		district, dkind, commune, ckind := r[3], r[4], r[6], r[7]
		for _, u := range [][2]string{{district, dkind}, {commune, ckind}} {
			name, kind := UnitName(u[0])
			if kind != Text(u[1]) {
				t.Errorf("UnitName(%q) kind = %q, want %q", u[0], kind, Text(u[1]))
			}
			want := Text(strings.TrimSpace(u[0][len(u[1]):]))
			if name != want || name == "" {
				t.Errorf("UnitName(%q) name = %q, want %q", u[0], name, want)
			}
			if nn, kk := UnitName(name); nn != name || kk != "" {
				t.Errorf("bare name %q re-folds to %q, %q", name, nn, kk)
			}
			if n2, k2 := UnitName("UBND " + strings.ToLower(u[0][:1]) + u[0][1:]); n2 != name || k2 != kind {
				t.Errorf("UBND form of %q = %q, %q", u[0], n2, k2)
			}
		}
		communes++
		name, kind := UnitName(commune)
		key := district + "|" + kind + "|" + name
		if prev, dup := seen[key]; dup {
			t.Errorf("%s and %s fold to the same key %q", prev, commune, key)
		}
		seen[key] = commune
		// An old-style / new-style respelling folds to the same name.
		if n2, _ := UnitName(respell(commune)); n2 != name {
			t.Errorf("respelled %q folds to %q, want %q", respell(commune), n2, name)
		}
		if ASCII(commune) == "" || strings.ContainsFunc(ASCII(commune), func(r rune) bool { return r >= 0x80 }) {
			t.Errorf("ASCII(%q) = %q", commune, ASCII(commune))
		}
	}
	if communes != 200 {
		t.Errorf("read %d communes, want 200", communes)
	}
}

// respell moves tones of oa/oe/uy to the old-style position and decomposes to
// NFD, the way a different keyboard would type the name.
func respell(s string) string {
	r := strings.NewReplacer("oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa",
		"uý", "úy", "uỳ", "ùy", "uỷ", "ủy", "uỹ", "ũy", "uỵ", "ụy",
		"òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ")
	return norm.NFD.String(r.Replace(s))
}

func TestSlugAndASCII(t *testing.T) {
	cases := map[string][2]string{
		"Huyện Chi Lăng":     {"huyen chi lang", "huyen-chi-lang"},
		"Thành phố Lạng Sơn": {"thanh pho lang son", "thanh-pho-lang-son"},
		"Xã Đồng ý":          {"xa dong y", "xa-dong-y"},
		"  Đình Lập / 2024 ": {"dinh lap / 2024", "dinh-lap-2024"},
		"Ðông":               {"dong", "dong"},
		"???":                {"", ""},
	}
	for in, want := range cases {
		if got := ASCII(in); got != want[0] {
			t.Errorf("ASCII(%q) = %q, want %q", in, got, want[0])
		}
		if got := Slug(in); got != want[1] {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want[1])
		}
	}
}

func checkFolded(t *testing.T, s string) {
	t.Helper()
	f := Text(s)
	if !utf8.ValidString(f) {
		t.Fatalf("Text(%q) = %q is not valid UTF-8", s, f)
	}
	if !norm.NFC.IsNormalString(f) {
		t.Fatalf("Text(%q) = %q is not NFC", s, f)
	}
	if g := Text(f); g != f {
		t.Fatalf("Text not idempotent: Text(%q) = %q, Text of that = %q", s, f, g)
	}
	if a := ASCII(s); ASCII(a) != a {
		t.Fatalf("ASCII not idempotent on %q: %q", s, a)
	}
	sl := Slug(s)
	for i := 0; i < len(sl); i++ {
		c := sl[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			t.Fatalf("Slug(%q) = %q has %q", s, sl, c)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"Hòa", "Thuý", "  Chi\u00a0Lăng\u200b ", "(Ký, ghi rõ họ tên)", "Ðồng", "Hoa\u0300\u0301", "((a)", "a)", "-(-5)", "ǹ", "İ", "ß", "\u0345", "Ⅻ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFolded(t, s)
	})
}

func FuzzUnitName(f *testing.F) {
	for _, s := range []string{"UBND huyện Chi Lăng", "TP.Lạng Sơn", "I. Xã", "1.2) Thôn 3", "x. x. x", "tt.", "UBND"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, kind := UnitName(s)
		if !norm.NFC.IsNormalString(name) || !utf8.ValidString(name) {
			t.Fatalf("UnitName(%q) name %q not NFC/UTF-8", s, name)
		}
		if kind != "" && name == "" {
			t.Fatalf("UnitName(%q) = empty name with kind %q", s, kind)
		}
		if Text(name) != name {
			t.Fatalf("UnitName(%q) name %q is not folded (Text gives %q)", s, name, Text(name))
		}
		// Folding first changes nothing.
		if n2, k2 := UnitName(Text(s)); n2 != name || k2 != kind {
			t.Fatalf("UnitName(Text(%q)) = %q,%q; UnitName = %q,%q", s, n2, k2, name, kind)
		}
	})
}

func BenchmarkText(b *testing.B) {
	in := []string{"Xã Hòa Bình", "Số hộ đã gắn địa chỉ số", "stt", "Ủy ban nhân dân huyện Chi Lăng"}
	for i := 0; b.Loop(); i++ {
		Text(in[i%len(in)])
	}
}
