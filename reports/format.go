package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"ntm"
	"ntm/vnfmt"
)

// Criterion keys the report lays out specially; any other key is rendered generically.
const (
	keySmartVillage = "SMART_VILLAGE"
	keyC8           = "C8_SMART_VILLAGE"
	keyD95          = "D95"
	keyD95Proc      = "D95_PROCEDURES"
	keyD95Dossiers  = "D95_DOSSIERS"
)

// composite criteria only combine others; their no_data repeats their parts' and is not listed.
var composite = map[string]bool{keySmartVillage: true, keyC8: true, keyD95: true}

var shortNames = map[string]string{
	"V1_TEAM":       "1. Tổ công nghệ số cộng đồng",
	"V2_PLATFORM":   "2. Sử dụng nền tảng số",
	"V3_WIFI":       "3. WiFi miễn phí tại nhà văn hóa",
	"V4_ADDRESS":    "4. Địa chỉ số",
	"V5_OCOP":       "5. Sản phẩm OCOP lên sàn TMĐT",
	"V6_DXMODEL":    "6. Mô hình chuyển đổi số",
	keySmartVillage: "Thôn thông minh",
	keyC8:           "Tiêu chí 8",
	keyD95Proc:      "Tỷ lệ TTHC cung cấp DVCTT",
	keyD95Dossiers:  "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình",
	keyD95:          "Chỉ tiêu 9.5",
}

// valueKind says how a criterion's value is shown.
type valueKind int

const (
	kindCount valueKind = iota // an integer (models, conditions met, smart villages)
	kindYesNo                  // 1 = Có, 0 = Không
	kindRatio                  // a fraction shown as a percentage rounded down
)

var kinds = map[string]valueKind{
	"V1_TEAM": kindYesNo, "V2_PLATFORM": kindYesNo, "V3_WIFI": kindYesNo,
	"V4_ADDRESS": kindRatio, "V5_OCOP": kindRatio, keyD95Proc: kindRatio, keyD95Dossiers: kindRatio,
	"V6_DXMODEL": kindCount, keySmartVillage: kindCount, keyC8: kindCount, keyD95: kindCount,
}

// kindOf decides the display of a criterion; unknown keys are ratios when their threshold or value
// is not a whole number.
func kindOf(key string, thDen, valDen int64) valueKind {
	if k, ok := kinds[key]; ok {
		return k
	}
	if thDen != 1 || (valDen != 0 && valDen != 1) {
		return kindRatio
	}
	return kindCount
}

// truncPercent is num/den as a fraction truncated to 0.1% (0.9979 → 0.997): written into cells
// formatted "0.0%" so Excel never shows a value rounded up.
func truncPercent(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	return float64(floorDiv(num*1000, den)) / 1000
}

func floorDiv(a, b int64) int64 {
	if b < 0 {
		a, b = -a, -b
	}
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// percentText is num/den as Vietnamese text rounded down to 0.1%, trailing ",0" dropped when
// trim is set: "97,9%", "70%".
func percentText(num, den int64, trim bool) string {
	if den == 0 {
		return ""
	}
	t := floorDiv(num*1000, den) // tenths of a percent
	s := strconv.FormatInt(t/10, 10)
	if frac := t % 10; frac != 0 || !trim {
		if frac < 0 {
			frac = -frac
		}
		s += "," + strconv.FormatInt(frac, 10)
	}
	return s + "%"
}

// thresholdText shows a criterion's threshold for the notes sheet.
func thresholdText(key string, num, den int64) string {
	switch kindOf(key, den, 0) {
	case kindYesNo:
		return "Có"
	case kindRatio:
		return "≥ " + percentText(num, den, true)
	}
	if den == 1 {
		return "≥ " + vnfmt.Int(num)
	}
	return fmt.Sprintf("≥ %d/%d", num, den)
}

// vietnam is the office's time zone (no daylight saving).
var vietnam = time.FixedZone("ICT", 7*3600)

func periodText(p ntm.Period) string {
	return fmt.Sprintf("Kỳ đánh giá: tháng %d/%d, số liệu đến %s", int(p.Month), p.Year, p.End().Format("02/01/2006"))
}

func dateTimeText(t time.Time) string { return t.In(vietnam).Format("02/01/2006 15:04") }

var levelNames = map[string]string{
	string(ntm.LevelProvince): "Tỉnh",
	string(ntm.LevelDistrict): "Huyện",
	string(ntm.LevelCommune):  "Xã",
	string(ntm.LevelVillage):  "Thôn",
}

var datasetNames = map[string]string{
	string(ntm.DatasetUnits):             "Danh mục đơn vị hành chính",
	string(ntm.DatasetVpostcode):         "Địa chỉ số (Vpostcode)",
	string(ntm.DatasetOCOPProducts):      "Sản phẩm OCOP",
	string(ntm.DatasetOCOPListings):      "Sản phẩm OCOP trên sàn TMĐT",
	string(ntm.DatasetDVCProcedures):     "TTHC cung cấp dịch vụ công trực tuyến",
	string(ntm.DatasetDVCDossiers):       "Hồ sơ dịch vụ công (số liệu tổng hợp)",
	string(ntm.DatasetDVCDossierRecords): "Hồ sơ dịch vụ công (từng hồ sơ)",
	string(ntm.DatasetVillageSurvey):     "Phiếu tự đánh giá của thôn",
}

func datasetName(ds string) string {
	if n, ok := datasetNames[ds]; ok {
		return n
	}
	return ds
}

var batchStatusNames = map[string]string{
	"loaded":   "Đã nạp",
	"rejected": "Bị loại cả tệp",
	"revoked":  "Đã thu hồi",
}

// words keeps the ASCII letters and digits of an ASCII-folded text, one space between runs.
func words(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
