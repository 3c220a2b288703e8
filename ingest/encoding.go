package ingest

import (
	"bytes"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Legacy Vietnamese encodings. Before Unicode, Vietnamese offices typed in
// TCVN3 (the ".VnTime" fonts), in VNI-Windows (the "VNI-Times" fonts) or in
// Windows-1258, and old CSV exports still arrive that way. A CSV that is not
// UTF-8 is decoded with each and the one whose text reads as Vietnamese is
// named; Windows-1258 (a standard code page) and TCVN3 (one byte per letter,
// a fixed table) are converted, VNI (letters built from two bytes, with
// variants between font vendors) is refused with the way out.

// legacyEncoding is a candidate decoding.
type legacyEncoding struct {
	name    string
	safe    bool // converted (else refused with advice)
	decode  func([]byte) string
	reader  func(io.Reader) io.Reader
	advice  string
	matches int
}

// vietnameseWords are frequent words of the exports' headers and names; a
// decoding that yields many of them is the right one.
var vietnameseWords = []string{"xã", "huyện", "thôn", "tỉnh", "số", "hộ", "đơn vị", "ngày", "tổng", "năm",
	"tháng", "của", "được", "người", "trực tuyến", "hồ sơ", "tên", "đã", "địa chỉ", "thị trấn", "phường",
	"thành phố", "sản phẩm", "chủ thể", "quyết định", "toàn trình", "một phần", "tiếp nhận", "mã", "bản",
	"cơ quan", "tổ chức", "gắn", "có", "không", "đạt", "lạng sơn", "việt", "nhà văn hóa", "văn hoá"}

func vietnameseScore(s string) int {
	s = strings.ToLower(norm.NFC.String(s))
	n := 0
	for _, w := range vietnameseWords {
		n += strings.Count(s, w)
	}
	return n
}

// tcvn3 maps the TCVN3 (TCVN 5712:1993, "ABC") bytes to their letters.
var tcvn3 = map[byte]rune{
	0xA1: 'Ă', 0xA2: 'Â', 0xA3: 'Ê', 0xA4: 'Ô', 0xA5: 'Ơ', 0xA6: 'Ư', 0xA7: 'Đ',
	0xA8: 'ă', 0xA9: 'â', 0xAA: 'ê', 0xAB: 'ô', 0xAC: 'ơ', 0xAD: 'ư', 0xAE: 'đ',
	0xB5: 'à', 0xB6: 'ả', 0xB7: 'ã', 0xB8: 'á', 0xB9: 'ạ',
	0xBB: 'ằ', 0xBC: 'ẳ', 0xBD: 'ẵ', 0xBE: 'ắ', 0xC6: 'ặ',
	0xC7: 'ầ', 0xC8: 'ẩ', 0xC9: 'ẫ', 0xCA: 'ấ', 0xCB: 'ậ',
	0xCC: 'è', 0xCE: 'ẻ', 0xCF: 'ẽ', 0xD0: 'é', 0xD1: 'ẹ',
	0xD2: 'ề', 0xD3: 'ể', 0xD4: 'ễ', 0xD5: 'ế', 0xD6: 'ệ',
	0xD7: 'ì', 0xD8: 'ỉ', 0xDC: 'ĩ', 0xDD: 'í', 0xDE: 'ị',
	0xDF: 'ò', 0xE1: 'ỏ', 0xE2: 'õ', 0xE3: 'ó', 0xE4: 'ọ',
	0xE5: 'ồ', 0xE6: 'ổ', 0xE7: 'ỗ', 0xE8: 'ố', 0xE9: 'ộ',
	0xEA: 'ờ', 0xEB: 'ở', 0xEC: 'ỡ', 0xED: 'ớ', 0xEE: 'ợ',
	0xEF: 'ù', 0xF1: 'ủ', 0xF2: 'ũ', 0xF3: 'ú', 0xF4: 'ụ',
	0xF5: 'ừ', 0xF6: 'ử', 0xF7: 'ữ', 0xF8: 'ứ', 0xF9: 'ự',
	0xFA: 'ỳ', 0xFB: 'ỷ', 0xFC: 'ỹ', 0xFD: 'ý', 0xFE: 'ỵ',
}

// DecodeTCVN3 converts TCVN3 bytes to UTF-8 (bytes the table lacks are read
// as Latin-1).
func DecodeTCVN3(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
		} else if r, ok := tcvn3[c]; ok {
			sb.WriteRune(r)
		} else {
			sb.WriteRune(rune(c)) // as Latin-1
		}
	}
	return sb.String()
}

// tcvn3Reader converts a TCVN3 stream to UTF-8.
type tcvn3Reader struct {
	r   io.Reader
	in  []byte
	out []byte
}

func (t *tcvn3Reader) Read(p []byte) (int, error) {
	for len(t.out) == 0 {
		if cap(t.in) == 0 {
			t.in = make([]byte, 32<<10)
		}
		n, err := t.r.Read(t.in[:cap(t.in)])
		t.out = append(t.out[:0], DecodeTCVN3(t.in[:n])...)
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

// vniMarks are the VNI-Windows mark bytes (as Windows-1252 letters) that
// follow a base letter; their presence after vowels is what identifies VNI.
var vniMarks = map[rune]bool{'ù': true, 'ø': true, 'û': true, 'õ': true, 'ï': true, 'â': true, 'á': true, 'à': true,
	'å': true, 'ã': true, 'ä': true, 'ê': true, 'é': true, 'è': true, 'ú': true, 'ü': true, 'ë': true, 'ô': true,
	'ö': true, 'ñ': true, 'ò': true, 'ì': true, 'æ': true, 'ó': true, 'í': true}

// vniScore counts vowel + mark pairs, the shape of VNI text ("Vieät Nam").
func vniScore(b []byte) int {
	s, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	n := 0
	prev := rune(0)
	for _, r := range string(s) {
		if vniMarks[r] && strings.ContainsRune("aeiouyAEIOUYdD", prev) {
			n++
		}
		prev = r
	}
	return n
}

func decode1258(b []byte) string {
	s, _ := charmap.Windows1258.NewDecoder().Bytes(b)
	return norm.NFC.String(string(s))
}

// detectLegacy names the encoding of a CSV sample that is not UTF-8, or
// returns nil when none reads as Vietnamese.
func detectLegacy(sample []byte) *legacyEncoding {
	cands := []*legacyEncoding{
		{name: "Windows-1258", safe: true, decode: decode1258, reader: func(r io.Reader) io.Reader {
			return transform.NewReader(r, transform.Chain(charmap.Windows1258.NewDecoder(), norm.NFC))
		}},
		{name: "TCVN3 (ABC, phông .VnTime)", safe: true, decode: DecodeTCVN3, reader: func(r io.Reader) io.Reader {
			return &tcvn3Reader{r: r}
		}},
	}
	var best *legacyEncoding
	for _, c := range cands {
		c.matches = vietnameseScore(c.decode(sample))
		if best == nil || c.matches > best.matches {
			best = c
		}
	}
	if v := vniScore(sample); v >= 3 && (best == nil || v > 2*best.matches) {
		return &legacyEncoding{name: "VNI-Windows (phông VNI-Times)", matches: v,
			advice: "chuyển sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey, từ VNI Windows sang Unicode) rồi lưu dạng \"CSV UTF-8\" hoặc .xlsx"}
	}
	if best == nil || best.matches < 2 {
		return nil
	}
	return best
}

// utf16WithoutBOM recognises UTF-16 text without a byte-order mark by its
// zero bytes: ASCII characters leave a zero in every other byte. It returns
// +1 for little-endian, -1 for big-endian, 0 otherwise.
func utf16WithoutBOM(b []byte) int {
	if len(b) < 16 {
		return 0
	}
	b = b[:len(b)&^1]
	var even, odd int
	for i := 0; i < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	half := len(b) / 2
	switch {
	case odd > half*6/10 && even < half/10:
		return 1
	case even > half*6/10 && odd < half/10:
		return -1
	}
	return 0
}

// cfbKind tells an encrypted OOXML package (a compound file holding an
// "EncryptedPackage" stream) from an old binary .xls.
func cfbKind(path string) (encrypted bool) {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 64<<20))
	return bytes.Contains(b, utf16le("EncryptedPackage")) || bytes.Contains(b, utf16le("EncryptionInfo"))
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range s {
		out = utf8.AppendRune(out, r)
		out = append(out, 0)
	}
	return out
}
