package value

import "testing"

// FuzzAllParsers feeds one input to every parser of the package: none may
// panic, whatever a cell holds. (The per-parser targets beside it also check
// each parser's invariants.) Seeds: testdata/fuzz/FuzzAllParsers.
func FuzzAllParsers(f *testing.F) {
	for _, s := range []string{"", "1.234", "97,92%", "30/11/2024", "45291", "Có", "x", "✓", "3 sao", "★★★",
		"Quý III/2026", "9 tháng năm 2026", "a; b\nc", "Postmart, Shopee", "Trực tuyến", "BCCI", "Mức độ 4",
		"Toàn trình", "Đang bán", "1e308", "-0", "\xff\xfe", "29/02/1900", "0.5", "2", "Tháng 13/2026"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, d1904 bool) {
		ParseCount(s)
		ParseRatio(s)
		ParseDate(s, d1904)
		ParseYesNo(s)
		ParseActive(s)
		ParseStars(s)
		ParsePeriodLabel(s)
		CountList(s)
		ParseModels(s)
		Platform(s)
		ParsePlatformList(s)
		ParseChannel(s)
		ParseServiceLevel(s)
	})
}
