package reports

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ntm"
	"ntm/db/dbtest"
)

// A province of 26 communes: the smart-village chart is two charts side by side on the chart
// page, each naming its bars (the first 10 communes and the other 16, in section V's order),
// on one scale, with the threshold as a line and the bars green (met) or red (not met); printed
// by LibreOffice, the page shows both charts' titles and the communes' names at 8 pt or more,
// and the other charts follow on a page titled "BIỂU ĐỒ (tiếp)", the 9.5 chart split and named
// the same way on a page of its own.
func TestProvinceChartsAreSplitAndNamed(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ('20', 'province', 'Tỉnh', 'Tỉnh Lạng Sơn', 'lạng sơn', NULL)`)
	exec1(t, pool, `INSERT INTO evaluation (id, period, set_key) VALUES (1, '2025-09', 'langson-2021')`)
	const n = 26
	for i := 1; i <= n; i++ {
		code, name := fmt.Sprintf("06%03d", i), fmt.Sprintf("Xã Kiểm Thử %02d", i)
		exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ($1, 'commune', 'Xã', $2, $3, '20')`,
			code, name, strings.ToLower(name[4:]))
		switch {
		case i%7 == 0:
			res(t, pool, code, name, "commune", "20", "C8_SMART_VILLAGE", "no_data", 0, 0, 1, 1, "Chưa đủ số liệu", "")
		case i%5 == 0:
			res(t, pool, code, name, "commune", "20", "C8_SMART_VILLAGE", "not_met", 0, 1, 1, 1, "Không thôn nào đạt", "")
		default:
			res(t, pool, code, name, "commune", "20", "C8_SMART_VILLAGE", "met", int64(i), 1, 1, 1, fmt.Sprintf("%d thôn thông minh", i), "")
		}
	}
	paths, err := Write(context.Background(), pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "20"})
	if err != nil {
		t.Fatal(err)
	}
	path := paths[0]
	f := open(t, path)
	top := findRow(t, f, sheetSummary, "A", "V. SỐ THÔN THÔNG MINH THEO XÃ (TIÊU CHÍ 8)") + 1 // the header row
	var titles []string
	covered := 0
	for name, x := range zipFiles(t, path) {
		if !strings.HasPrefix(name, "xl/charts/chart") {
			continue
		}
		m := regexp.MustCompile(`Số thôn thông minh theo xã \((\d+)–(\d+)/26\)`).FindStringSubmatch(x)
		if m == nil {
			continue
		}
		titles = append(titles, m[0])
		var from, to int
		fmt.Sscan(m[1], &from)
		fmt.Sscan(m[2], &to)
		covered += to - from + 1
		// The bars are named by section V's names (its data rows, around any repeated header).
		named := 0
		for _, r := range regexp.MustCompile(`<cat>.*?</cat>`).FindAllString(strings.ReplaceAll(x, "\n", ""), 1) {
			for _, rg := range regexp.MustCompile(`\$B\$(\d+):\$B\$(\d+)`).FindAllStringSubmatch(r, -1) {
				var a, b int
				fmt.Sscan(rg[1], &a)
				fmt.Sscan(rg[2], &b)
				if a <= top {
					t.Errorf("%s: a category above section V's header (row %d)", m[0], a)
				}
				named += b - a + 1
			}
		}
		if named != to-from+1 {
			t.Errorf("%s: %d bars named from column B, want %d", m[0], named, to-from+1)
		}
		if !regexp.MustCompile(`<catAx>.*?<delete val="0"`).MatchString(strings.ReplaceAll(x, "\n", "")) {
			t.Errorf("%s: the category axis is hidden", m[0])
		}
		if !strings.Contains(x, "<lineChart>") || !strings.Contains(x, "70AD47") || !strings.Contains(x, "E06666") {
			t.Errorf("%s: no threshold line or no status colours", m[0])
		}
		if !strings.Contains(x, `<max val="30"`) {
			t.Errorf("%s: the value axis does not end at 30 (both halves on one scale)", m[0])
		}
	}
	if len(titles) != 2 || covered != n {
		t.Fatalf("smart-village charts %v cover %d communes, want two covering %d", titles, covered, n)
	}
	// Side by side: both anchored on the same row.
	drawing := ""
	for name, x := range zipFiles(t, path) {
		if strings.HasPrefix(name, "xl/drawings/drawing") && strings.Contains(x, "twoCellAnchor") && drawing == "" {
			drawing = x
		}
	}
	rows := regexp.MustCompile(`<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>`).FindAllStringSubmatch(drawing, -1)
	if len(rows) < 2 || rows[0][2] != rows[1][2] || rows[0][1] == rows[1][1] {
		t.Errorf("the two halves are not side by side: %v", rows)
	}

	if testing.Short() {
		return
	}
	rep := printWorkbook(t, path)
	sum := rep.sheet(t, sheetSummary)
	page := -1
	for i, text := range sum.PageText {
		if strings.Contains(text, "BIỂU ĐỒ") && !strings.Contains(text, "BIỂU ĐỒ (tiếp)") {
			page = i
		}
	}
	if page < 0 {
		t.Fatalf("no chart page: %v", sum.PageText)
	}
	text := sum.PageText[page]
	for _, want := range []string{"(1–10/26)", "(11–26/26)", "01", "10", "11", "26", "Kiểm"} {
		if !strings.Contains(text, want) {
			t.Errorf("the chart page lacks %q: %.600s", want, text)
		}
	}
	if page+1 >= len(sum.PageText) || !strings.Contains(sum.PageText[page+1], "BIỂU ĐỒ (tiếp)") || !strings.Contains(sum.PageText[page+1], "Số thôn đạt từng điều kiện") {
		t.Errorf("the next page does not continue the charts")
	}
	// The 9.5 chart of the 26 recipients: two halves of named bars on a third chart page, a
	// recipient without data named so (this fixture has no 9.5 data).
	if page+2 >= len(sum.PageText) {
		t.Fatalf("no third chart page: %d pages", len(sum.PageText))
	}
	third := sum.PageText[page+2]
	for _, want := range []string{"BIỂU ĐỒ (tiếp)", "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình", "(1–10/26)", "26/26)", "Kiểm", "(Chưa"} {
		if !strings.Contains(third, want) {
			t.Errorf("the 9.5 chart page lacks %q: %.600s", want, third)
		}
	}
	assertLegible(t, rep, minPrintPt)
}
