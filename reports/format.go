package reports

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"ntm"
	"ntm/dataset"
	"ntm/evaluate"
	"ntm/vnfmt"
)

// Criterion keys the report lays out specially (the registry's); any other key is rendered
// generically from its definition.
const (
	keySmartVillage = evaluate.KeySmartVillage
	keyC8           = evaluate.KeyC8
	keyD95          = evaluate.KeyD95
	keyD95Proc      = evaluate.KeyProcedures
	keyD95Dossiers  = evaluate.KeyDossiers
)

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
// trim is set: "97,9%", "70%" (vnfmt.Percent).
func percentText(num, den int64, trim bool) string { return vnfmt.Percent(num, den, trim) }

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

// datasetName is the office's name for a dataset (its declaration in package dataset).
func datasetName(ds string) string { return dataset.Label(ds) }

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
