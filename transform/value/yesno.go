package value

import (
	"fmt"
	"strings"
)

// YesNo is an answer to a yes/no question. The zero value is Unknown: a blank
// answer is missing data, never "no" (docs/datasets.md).
type YesNo int8

const (
	Unknown YesNo = iota
	Yes
	No
)

// String is the English name, for logs and tests.
func (v YesNo) String() string {
	switch v {
	case Yes:
		return "yes"
	case No:
		return "no"
	default:
		return "unknown"
	}
}

// Label is the Vietnamese word shown to users.
func (v YesNo) Label() string {
	switch v {
	case Yes:
		return "Có"
	case No:
		return "Không"
	default:
		return "Chưa rõ"
	}
}

// Ptr is the value for a nullable boolean column: nil when unknown.
func (v YesNo) Ptr() *bool {
	if v == Unknown {
		return nil
	}
	b := v == Yes
	return &b
}

var (
	yesWords = newWords("có", "đạt", "x", "✓", "✔", "✔️", "☑", "☑️", "✅", "1", "yes", "y", "true", "ok",
		"rồi", "có rồi", "đã có", "đã thành lập", "đã lập", "đã đạt", "đã lắp đặt", "đã triển khai",
		"đã sử dụng", "đang sử dụng", "có sử dụng")
	noWords = newWords("không", "ko", "k", "kh", "chưa", "chưa đạt", "không đạt", "0", "no", "n", "false",
		"chưa có", "không có", "chưa thành lập", "chưa lập", "chưa lắp đặt", "chưa triển khai",
		"chưa sử dụng", "không sử dụng", "✗", "✘", "×", "❌")
	unknownWords = newWords("?", "n/a", "na", "không rõ", "chưa rõ", "chưa xác định", "không xác định",
		"không biết", "chưa biết", "chưa cập nhật", "đang cập nhật")
	// Words that decide an answer followed by more words:
	// "Có (QĐ số 12/QĐ-UBND)", "Đã thành lập theo QĐ 45", "Chưa, đang xây dựng".
	unknownPrefixes = newWords("không rõ", "chưa rõ", "chưa xác định", "không xác định", "chưa cập nhật", "đang cập nhật")
	yesPrefixes     = newWords("có", "đạt", "x", "✓", "✔", "☑", "✅", "rồi", "đã có", "đã thành lập", "đã lập", "đã triển khai", "đã sử dụng", "đang sử dụng")
	noPrefixes      = newWords("không", "chưa", "ko")
)

// ParseYesNo reads a yes/no answer. Yes: Có, Đạt, x, ✓, ✔, 1, Yes, true,
// Rồi, Đã có, Đã thành lập, and texts starting with such a word
// ("Có (QĐ số 12/QĐ-UBND)"). No: Không, Chưa, Chưa đạt, Không đạt, Chưa có,
// 0, No, false, and texts starting with Không or Chưa. Unknown: blank, a
// dash, "?", "Không rõ", "Chưa rõ". Anything else is an error.
func ParseYesNo(s string) (YesNo, error) {
	f := formOf(s)
	switch {
	case isBlank(f.low) || unknownWords.is(f) || unknownPrefixes.startsWith(f):
		return Unknown, nil
	case yesWords.is(f):
		return Yes, nil
	case noWords.is(f) || noPrefixes.startsWith(f):
		return No, nil
	case yesPrefixes.startsWith(f):
		return Yes, nil
	}
	return Unknown, fmt.Errorf("%s không phải câu trả lời có/không: chấp nhận Có, Không, Đạt, Chưa đạt, x, ✓, 1, 0 hoặc để trống", quote(s))
}

var (
	activeWords = newWords("đang bán", "đang hoạt động", "hoạt động", "còn bán", "còn hàng", "còn hoạt động",
		"còn", "đang kinh doanh", "đang niêm yết", "bình thường", "active")
	inactiveWords = newWords("ngừng bán", "ngừng hoạt động", "ngừng kinh doanh", "ngừng", "tạm ngừng", "tạm dừng",
		"dừng bán", "đã dừng", "dừng", "đã gỡ", "gỡ", "bị gỡ", "đã xóa", "đã xoá", "xóa", "xoá", "đã hủy", "đã huỷ",
		"bị khóa", "bị khoá", "đã khóa", "đã khoá", "khóa", "khoá", "hết hàng", "không hoạt động", "không còn",
		"inactive")
)

// ParseActive reads a listing's state. Active: Đang bán, Hoạt động, Còn, and
// the yes forms (x, Có, ✓). Inactive: Ngừng bán, Đã gỡ, Tạm ngừng, Hết hàng,
// and the no forms (Không). Blank is unknown: known is false and active is
// true, the default for a listed product.
func ParseActive(s string) (active, known bool, err error) {
	f := formOf(s)
	switch {
	case inactiveWords.startsWith(f):
		return false, true, nil
	case activeWords.startsWith(f):
		return true, true, nil
	}
	switch v, err := ParseYesNo(s); {
	case err != nil:
		return true, false, fmt.Errorf("%s không phải trạng thái: chấp nhận Đang bán, Ngừng bán, Đã gỡ, Tạm ngừng hoặc để trống", quote(s))
	case v == Yes:
		return true, true, nil
	case v == No:
		return false, true, nil
	}
	return true, false, nil
}

// Dossier submission channels, as stored (fact_dvc_dossier_record.channel).
const (
	ChannelOnline   = "online"
	ChannelInPerson = "in_person"
	ChannelPost     = "post"
)

// ParseChannel reads how a dossier was submitted: Trực tuyến, Online, DVCTT,
// Cổng DVC → "online"; Trực tiếp, Tại bộ phận một cửa → "in_person"; BCCI,
// Bưu chính (công ích), Bưu điện → "post". Blank returns ErrBlank (callers
// store "unknown").
func ParseChannel(s string) (string, error) {
	k := key(s)
	if isBlank(k) {
		return "", ErrBlank
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(k, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("bcci", "buu chinh", "buu dien", "qua buu"):
		return ChannelPost, nil
	case has("truc tuyen", "online", "dvctt", "dvc tt", "cong dvc", "cong dich vu cong", "qua mang", "dien tu"):
		return ChannelOnline, nil
	case has("truc tiep", "mot cua", "tai quay", "tai bo phan", "offline"):
		return ChannelInPerson, nil
	}
	return "", fmt.Errorf("%s không phải hình thức nộp: chấp nhận Trực tuyến, Trực tiếp hoặc BCCI (Bưu chính)", quote(s))
}

// ParseServiceLevel reads whether a procedure or dossier is full-process
// online (toàn trình, formerly level 4). Full: Toàn trình, Mức độ 4, DVC mức
// độ 4, 4, and the yes forms. Not full: Một phần, Mức độ 3, Mức độ 2, 3, 2,
// and the no forms (Không). A bare "1" is read as yes, since yes/no columns
// are far more common than level-1 services. Blank returns ErrBlank.
func ParseServiceLevel(s string) (full bool, err error) {
	k := key(s)
	if isBlank(k) {
		return false, ErrBlank
	}
	if noPrefixes.startsWith(formOf(s)) {
		return false, nil
	}
	if strings.Contains(k, "mot phan") {
		return false, nil
	}
	if strings.Contains(k, "toan trinh") {
		return true, nil
	}
	if lvl, ok := serviceLevelNumber(k); ok {
		return lvl >= 4, nil
	}
	if v, err := ParseYesNo(s); err == nil && v != Unknown {
		return v == Yes, nil
	}
	return false, fmt.Errorf("%s không phải mức độ dịch vụ: chấp nhận Toàn trình, Một phần, Mức độ 4, Mức độ 3 hoặc Có/Không", quote(s))
}

// serviceLevelNumber reads "mức độ 4", "mức 3", "DVC mức độ 4", "MĐ4", "4"
// (a bare number 2–4; a bare "1" is left to the yes/no forms).
func serviceLevelNumber(k string) (int, bool) {
	prefixed := false
	for _, p := range []string{"dvctt ", "dvc ", "dich vu cong ", "muc do ", "muc ", "md ", "md"} {
		if rest, ok := strings.CutPrefix(k, p); ok {
			k, prefixed = rest, true
		}
	}
	k = strings.TrimSuffix(strings.TrimSuffix(k, ".0"), ",0")
	if len(k) != 1 || k[0] < '1' || k[0] > '4' || (k[0] == '1' && !prefixed) {
		return 0, false
	}
	return int(k[0] - '0'), true
}
