package console

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ntm/evaluate"
	"ntm/transform"
)

// groupSet is a 2026 set with a per-group threshold, as the office would write one.
const groupSet = `key: thu-2026
name: Bộ tiêu chí thử giai đoạn 2026–2030
basis: Quyết định số 51/2025/QĐ-TTg (thử)
valid_from: 2026-01-01
criteria:
  - key: C9_FULL
    name: Tỷ lệ TTHC cung cấp trực tuyến toàn trình
    level: commune
    kinds: [Xã]
    measure: procedure_ratio
    params: {classes: [full]}
    thresholds_by_group: {1: 100%, 2: 90%, 3: "4/5"}
  - {key: V3_WIFI, name: Có WiFi miễn phí tại nhà văn hóa thôn, level: village, measure: survey_wifi}
`

// criteriaFixture loads three communes (two with a group) and the 2026 set.
func criteriaFixture(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "units.csv")
	os.WriteFile(path, []byte("province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name,village_kind,valid_from,valid_to\n"+
		"20,Tỉnh Lạng Sơn,,,06001,Xã Một,,,,2025-07-01,\n20,Tỉnh Lạng Sơn,,,06002,Xã Hai,,,,2025-07-01,\n20,Tỉnh Lạng Sơn,,,06003,Phường Ba,,,,2025-07-01,\n"), 0o644)
	from, _ := time.Parse("2006-01-02", "2025-07-01")
	if rep, err := transform.ImportUnits(ctx, e.pool, path, transform.UnitsOptions{ValidFrom: from}); err != nil || rep.Rejected {
		t.Fatalf("units: %v %s", err, rep.Message)
	}
	g, _ := time.Parse("2006-01-02", "2026-01-01")
	if _, err := evaluate.ImportGroups(ctx, e.pool, "nhom.csv", []evaluate.GroupRow{{Row: 2, CommuneCode: "06001", Group: "1"}, {Row: 3, CommuneCode: "06002", Group: "3"}}, g); err != nil {
		t.Fatal(err)
	}
	if _, _, err := evaluate.ImportSet(ctx, e.pool, "thu-2026.yaml", []byte(groupSet)); err != nil {
		t.Fatal(err)
	}
}

// The criteria page shows the set in force on a day with its basis and criteria, every loaded
// set, the thresholds per commune group, and warns when the built-in 2021–2025 set would decide
// a month after 2025.
func TestCriteriaPage(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	resp, body := e.do(c, http.MethodGet, "/criteria?date=2026-11-30", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("criteria page: %d", resp.StatusCode)
	}
	for _, want := range []string{`<a href="/criteria" class="on">Bộ tiêu chí</a>`, "Bộ tiêu chí thôn thông minh và chỉ tiêu 9.5 tỉnh Lạng Sơn giai đoạn 2021–2025",
		"Quyết định số 1127/QĐ-BTTTT ngày 22/6/2022", "Có hiệu lực ngày 30/11/2026", "(có sẵn trong ntm)", "11 tiêu chí",
		`id="criteria-warning">Kỳ 2026-11 được đánh giá theo bộ tiêu chí giai đoạn 2021–2025`, "ntm criteria import TỆP",
		"Gắn địa chỉ số cho các hộ và cơ quan, tổ chức còn thiếu"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	row := between(body, `<tr id="crit-C8_SMART_VILLAGE">`, "</tr>")
	if !strings.Contains(row, `data-label="Áp dụng cho">Xã</td>`) || !strings.Contains(row, "≥ 1") {
		t.Errorf("C8 row %q", row)
	}
	if row := between(body, `<tr id="crit-D95_DOSSIERS">`, "</tr>"); !strings.Contains(row, "≥ 70%") || !strings.Contains(row, "mọi đơn vị") {
		t.Errorf("D95_DOSSIERS row %q", row)
	}
	if _, body := e.do(c, http.MethodGet, "/criteria?date=2025-12-31", nil, nil); strings.Contains(body, "criteria-warning") {
		t.Error("2025-12 warns")
	}

	criteriaFixture(t, e)
	_, body = e.do(c, http.MethodGet, "/criteria?date=2026-11-30", nil, nil)
	for _, want := range []string{"Bộ tiêu chí thử giai đoạn 2026–2030", "Quyết định số 51/2025/QĐ-TTg (thử)", "2 tiêu chí",
		"nhóm 1: 1 xã; nhóm 2: 0 xã; nhóm 3: 1 xã; chưa xếp nhóm: 1 xã", "ntm criteria groups import"} {
		if !strings.Contains(body, want) {
			t.Errorf("2026 page lacks %q", want)
		}
	}
	if strings.Contains(body, "criteria-warning") {
		t.Error("a 2026 set warns")
	}
	if row := between(body, `<tr id="crit-C9_FULL">`, "</tr>"); !strings.Contains(row, "nhóm 1: ≥ 100%<br>nhóm 2: ≥ 90%<br>nhóm 3: ≥ 80%") || !strings.Contains(row, ">Xã</td>") ||
		!strings.Contains(row, "Chỉ tính TTHC cung cấp trực tuyến toàn trình") {
		t.Errorf("per-group row %q", row)
	}
	// Both sets are listed; each can be shown; 2024 keeps the built-in set.
	sets := between(body, `id="criteria-sets"`, "</table>")
	if !strings.Contains(sets, "thu-2026") || !strings.Contains(sets, "langson-2021") || strings.Count(sets, "Có hiệu lực ngày") != 1 {
		t.Errorf("set list %q", sets)
	}
	if _, body := e.do(c, http.MethodGet, "/criteria?date=2024-12-31", nil, nil); !strings.Contains(body, `class="code">langson-2021 (có sẵn trong ntm)`) {
		t.Error("2024-12 does not show the built-in set")
	}
	if _, body := e.do(c, http.MethodGet, "/criteria?date=2026-11-30&key=langson-2021", nil, nil); !strings.Contains(body, "11 tiêu chí") || strings.Contains(body, "criteria-warning") {
		t.Error("the built-in set shown by key, not in force: no warning expected")
	}
	if resp, body := e.do(c, http.MethodGet, "/criteria?key=khong-co", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Không có bộ tiêu chí khong-co") {
		t.Errorf("unknown key: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, http.MethodGet, "/criteria?date=30/11/2026", nil, nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
}

// between is the text of s from the first start to the next end after it ("" when absent).
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

// TestBrowserCriteria reads the criteria page in a real headless Chromium, at desktop and phone
// width: reached from the menu, the set in force and its per-group thresholds, another set by
// its link, and nothing wider than a phone's screen.
func TestBrowserCriteria(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	criteriaFixture(t, e)
	run := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserStep(t, ctx, name, 60*time.Second, actions...)
	}
	text := func(sel string) string {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		s, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).innerText || ""`))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	number := func(expr string) int64 {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		n, err := chromedp.Run(sctx, chromedp.Evaluate[int64](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return n
	}
	base := e.srv.URL
	run("open the console", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), testUser),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword))
	clickAndWait(t, ctx, "log in", `form[action="/login"] button`)
	clickAndWait(t, ctx, "open the criteria page from the menu", `nav a[href="/criteria"]`)
	if got := text("#criteria-set h2"); got != "Bộ tiêu chí thử giai đoạn 2026–2030" {
		t.Fatalf("set in force today: %q", got)
	}
	if got := text("#crit-C9_FULL .threshold"); got != "nhóm 1: ≥ 100%\nnhóm 2: ≥ 90%\nnhóm 3: ≥ 80%" {
		t.Errorf("per-group thresholds: %q", got)
	}
	clickAndWait(t, ctx, "show the built-in set", `#criteria-sets a[href*="key=langson-2021"]`)
	if got := text("#criteria-basis"); !strings.HasPrefix(got, "Quyết định số 1127/QĐ-BTTTT") {
		t.Errorf("built-in basis: %q", got)
	}
	if got := text("#crit-C8_SMART_VILLAGE"); !strings.Contains(got, "Xã") {
		t.Errorf("C8 row: %q", got)
	}

	// At phone width the page fits the screen: tables become labelled cards, the menu wraps.
	run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/criteria?date=2024-12-31"))
	if w, vw := number(`document.documentElement.scrollWidth`), number(`window.innerWidth`); w > vw {
		t.Errorf("the page is %d px wide on a %d px screen", w, vw)
	}
	if got := text("#crit-V4_ADDRESS"); !strings.Contains(got, "≥ 100%") || !strings.Contains(got, "mọi đơn vị") {
		t.Errorf("phone row: %q", got)
	}
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	label, err := chromedp.Run(sctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#crit-V4_ADDRESS td.threshold"), "::before").content + " | " + getComputedStyle(document.querySelector("#crit-V4_ADDRESS")).display`))
	scancel()
	if err != nil || !strings.Contains(label, "Ngưỡng") || !strings.HasSuffix(label, "| block") {
		t.Errorf("phone row label and display: %q %v", label, err)
	}
	if n := number(`document.querySelector("#criteria-table thead").offsetHeight`); n != 0 {
		t.Errorf("the table header shows at phone width (%d px)", n)
	}
	if n := number(`Math.ceil(Math.max(...[...document.querySelectorAll("nav a")].map(a => a.getBoundingClientRect().right)))`); n > 390 {
		t.Errorf("the menu runs off the screen (%d px)", n)
	}
}
