package value

import (
	"errors"
	"strings"
	"testing"
)

func TestParseYesNo(t *testing.T) {
	cases := map[YesNo][]string{
		Yes: {"Có", "có", "CÓ", "Co", "co", "Đạt", "đạt", "x", "X", "✓", "✔", "1", "Yes", "true", "TRUE",
			"Rồi", "Đã thành lập", "Đã có", "Có (QĐ số 12/QĐ-UBND)", "Có, nhóm Zalo thôn Bản Cầu",
			"Co\u0301", "Ðạt", " có ", "Đã thành lập theo QĐ 45/QĐ-UBND", "x (QĐ 12)"},
		No: {"Không", "không", "KHÔNG", "Khong", "ko", "Chưa", "Chưa đạt", "Không đạt", "0", "No", "false",
			"Chưa có", "Chưa thành lập", "Không có WiFi", "Chưa, đang xây dựng", "Khong dat", "chua co", "Chưa dat"},
		Unknown: {"", "  ", "-", "–", "—", "?", "N/A", "Không rõ", "Chưa rõ", "chưa xác định", "\u00a0"},
	}
	for want, ins := range cases {
		for _, in := range ins {
			got, err := ParseYesNo(in)
			if err != nil || got != want {
				t.Errorf("ParseYesNo(%q) = %v, %v; want %v", in, got, err, want)
			}
		}
	}
	// "Cỏ" (grass) is not "Có": keywords match with their diacritics, or fully unaccented.
	for _, in := range []string{"abc", "2", "Cỏ dại", "Cỏ", "Cô", "Đang xây dựng", "xx", "Coca"} {
		got, err := ParseYesNo(in)
		if err == nil {
			t.Errorf("ParseYesNo(%q) = %v, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), "Có, Không") {
			t.Errorf("ParseYesNo(%q) error %q does not list the accepted values", in, err)
		}
	}
}

func TestYesNoHelpers(t *testing.T) {
	if Unknown.Ptr() != nil || *Yes.Ptr() != true || *No.Ptr() != false {
		t.Error("Ptr")
	}
	if Yes.Label() != "Có" || No.Label() != "Không" || Unknown.Label() != "Chưa rõ" {
		t.Error("Label")
	}
	var zero YesNo
	if zero != Unknown || zero.String() != "unknown" {
		t.Error("zero value must be Unknown")
	}
}

func TestParseStars(t *testing.T) {
	ok := map[string]int{
		"3": 3, "4": 4, "5": 5, "3 sao": 3, "5 sao": 5, "5 Sao": 5, "3★": 3, "3 ★": 3, "4*": 4, "★★★": 3,
		"★★★★☆": 4, "★ ★ ★ ★ ★": 5, "***": 3, "4.0": 4, "4,0": 4, "Hạng 4 sao": 4, "OCOP 5 sao": 5,
		"4 sao OCOP": 4, "3⭐": 3, "4s": 4,
	}
	for in, want := range ok {
		got, err := ParseStars(in)
		if err != nil || got != want {
			t.Errorf("ParseStars(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"2", "6", "2 sao", "★★", "★★★★★★", "0", "1000", "-3"} {
		if got, err := ParseStars(in); !errors.Is(err, ErrStarsRange) {
			t.Errorf("ParseStars(%q) = %d, %v; want ErrStarsRange", in, got, err)
		}
	}
	for _, in := range []string{"abc", "3.5", "ba sao", "☆☆☆", "sao", "3 sao 4 sao"} {
		if got, err := ParseStars(in); err == nil || errors.Is(err, ErrStarsRange) || errors.Is(err, ErrBlank) {
			t.Errorf("ParseStars(%q) = %d, %v; want a parse error", in, got, err)
		}
	}
	if _, err := ParseStars(" "); !errors.Is(err, ErrBlank) {
		t.Errorf("blank stars: %v", err)
	}
	if _, err := ParseStars("2 sao"); err == nil || err.Error() != `"2 sao": hạng sao OCOP phải là 3, 4 hoặc 5` {
		t.Errorf("message: %v", err)
	}
}

func TestCountList(t *testing.T) {
	for in, want := range map[string]int{
		"":                               0,
		"  ":                             0,
		"Nông nghiệp số":                 1,
		"Nông nghiệp số; Du lịch số":     2,
		"Nông nghiệp số;Du lịch số;":     2,
		"A\nB\r\nC":                      3,
		"- A\n- B\n+ C\n\n-":             3,
		"• A • B • C":                    3,
		"1. Thanh toán số\n2. Zalo thôn": 2,
		"Sản xuất, kinh doanh; Du lịch":  2, // commas do not separate
		";;; ; - ; +":                    0,
		"A\u2028B":                       2,
	} {
		if got := CountList(in); got != want {
			t.Errorf("CountList(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseModels(t *testing.T) {
	for _, c := range []struct {
		in    string
		n     int
		known bool
	}{
		{"", 0, false},
		{"-", 0, false},
		{"Không rõ", 0, false},
		{"2", 2, true},
		{"2.0", 2, true},
		{"0", 0, true},
		{"Không", 0, true},
		{"Chưa có", 0, true},
		{"Có", 1, true},
		{"2 mô hình: Zalo thôn; Thanh toán QR", 2, true},
		{"3 mô hình", 3, true},
		{"Zalo thôn; Thanh toán QR; Camera an ninh", 3, true},
		{"- Nông nghiệp số\n- Du lịch số", 2, true},
		{"Chuyển đổi số trong sản xuất, kinh doanh", 1, true},
	} {
		n, known, err := ParseModels(c.in)
		if err != nil || n != c.n || known != c.known {
			t.Errorf("ParseModels(%q) = %d, %v, %v; want %d, %v", c.in, n, known, err, c.n, c.known)
		}
	}
	for _, in := range []string{"-3", "1,5", "2.5"} {
		if n, _, err := ParseModels(in); err == nil {
			t.Errorf("ParseModels(%q) = %d, want an error", in, n)
		}
	}
}

func TestPlatform(t *testing.T) {
	for in, want := range map[string]string{
		"Postmart": "postmart", "postmart.vn": "postmart", "https://postmart.vn/gian-hang/htx-langson": "postmart",
		"Voso": "voso", "VOSO.VN": "voso", "Shopee": "shopee", "https://shopee.vn/abc?x=1&y=2": "shopee",
		"Lazada": "lazada", "Tiki": "tiki", "Sendo": "sendo", "TikTok Shop": "tiktok", "Tik Tok": "tiktok",
		"tiktok": "tiktok", "Sàn TMĐT tỉnh": "province", "sàn tỉnh": "province", "Sàn TMĐT Lạng Sơn": "province",
		"https://langsonmarket.vn/sp/1": "province", "Sàn thương mại điện tử tỉnh": "province",
		"Facebook": "other", "Zalo OA": "other",
	} {
		got, ok := Platform(in)
		if !ok || got != want {
			t.Errorf("Platform(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " ", "-", "x", "Không", "0"} {
		if got, ok := Platform(in); ok {
			t.Errorf("Platform(%q) = %q, want not ok", in, got)
		}
	}
}

func TestParsePlatformList(t *testing.T) {
	for in, want := range map[string]string{
		"Postmart, Shopee; Voso":                        "postmart shopee voso",
		"Shopee và Lazada":                              "shopee lazada",
		"Shopee Và Lazada":                              "shopee lazada",
		"Shopee\nhttps://shopee.vn/x\nTikTok Shop":      "shopee tiktok",
		"Facebook, Zalo":                                "other",
		"https://shopee.vn/p?a=1&b=2 | https://tiki.vn": "shopee tiki",
		"":      "",
		"Không": "",
	} {
		if got := strings.Join(ParsePlatformList(in), " "); got != want {
			t.Errorf("ParsePlatformList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseActive(t *testing.T) {
	for _, c := range []struct {
		in            string
		active, known bool
	}{
		{"Đang bán", true, true}, {"Hoạt động", true, true}, {"Còn", true, true}, {"x", true, true},
		{"Có", true, true}, {"Đang hoạt động", true, true},
		{"Ngừng bán", false, true}, {"Đã gỡ", false, true}, {"Tạm ngừng", false, true}, {"Không", false, true},
		{"Không hoạt động", false, true}, {"Tạm dừng bán", false, true}, {"Hết hàng", false, true},
		{"", true, false}, {"-", true, false},
	} {
		active, known, err := ParseActive(c.in)
		if err != nil || active != c.active || known != c.known {
			t.Errorf("ParseActive(%q) = %v, %v, %v; want %v, %v", c.in, active, known, err, c.active, c.known)
		}
	}
	if _, _, err := ParseActive("abc"); err == nil || !strings.Contains(err.Error(), "Đang bán") {
		t.Errorf("ParseActive(abc) = %v", err)
	}
}

func TestParseChannel(t *testing.T) {
	for in, want := range map[string]string{
		"Trực tuyến": "online", "Online": "online", "DVCTT": "online", "Cổng DVC": "online",
		"Nộp trực tuyến": "online", "Cổng Dịch vụ công quốc gia": "online",
		"Trực tiếp": "in_person", "Tại bộ phận một cửa": "in_person", "truc tiep": "in_person",
		"BCCI": "post", "Bưu chính": "post", "Bưu chính công ích": "post", "Qua bưu điện": "post",
	} {
		got, err := ParseChannel(in)
		if err != nil || got != want {
			t.Errorf("ParseChannel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseChannel(""); !errors.Is(err, ErrBlank) {
		t.Errorf("blank channel: %v", err)
	}
	if _, err := ParseChannel("Fax"); err == nil || !strings.Contains(err.Error(), "Trực tuyến") {
		t.Errorf("ParseChannel(Fax) = %v", err)
	}
}

func TestParseServiceLevel(t *testing.T) {
	for in, want := range map[string]bool{
		"Toàn trình": true, "DVCTT toàn trình": true, "Mức độ 4": true, "DVC mức độ 4": true, "4": true,
		"MĐ4": true, "4.0": true, "Có": true, "x": true, "1": true, "Trực tuyến toàn trình": true,
		"Một phần": false, "DVCTT một phần": false, "Mức độ 3": false, "3": false, "Mức độ 2": false,
		"2": false, "Mức độ 1": false, "Không": false, "0": false, "Chưa": false, "Không toàn trình": false,
	} {
		got, err := ParseServiceLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseServiceLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseServiceLevel(" "); !errors.Is(err, ErrBlank) {
		t.Errorf("blank level: %v", err)
	}
	for _, in := range []string{"5", "abc", "Mức độ 7"} {
		if _, err := ParseServiceLevel(in); err == nil || !strings.Contains(err.Error(), "Toàn trình") {
			t.Errorf("ParseServiceLevel(%q) = %v", in, err)
		}
	}
}
