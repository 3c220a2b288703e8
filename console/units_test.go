package console

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm/transform"
)

// importReform imports Lạng Sơn's 2022, 1/1/2025 and 1/7/2025 lists (units/data, sample/data).
func importReform(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..")
	for _, f := range []struct{ path, from string }{
		{"sample/data/langson_units_2022.csv", "2022-01-01"},
		{"units/data/langson_units_2025h1.csv", "2025-01-01"},
		{"units/data/langson_units_2025.csv", "2025-07-01"},
	} {
		from, _ := time.Parse("2006-01-02", f.from)
		rep, err := transform.ImportUnits(context.Background(), pool, filepath.Join(root, f.path), transform.UnitsOptions{ValidFrom: from})
		if err != nil || rep.Rejected {
			t.Fatalf("import %s: %v %s", f.path, err, rep.Message)
		}
	}
}

func TestUnitsPage(t *testing.T) {
	e := newEnv(t)
	importReform(t, e.pool)
	c := e.login()
	resp, body := e.do(c, http.MethodGet, "/units?date=2025-07-01", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("units page: %d", resp.StatusCode)
	}
	for _, want := range []string{"Ngày 01/07/2025: <strong>1 tỉnh, 65 xã</strong>", "Từ 01/01/2025", "1 tỉnh, 11 huyện, 194 xã",
		"Xã Bính Xá (06622)", "một phần", "Xã Đồng Giáp (06295)", `action="/units/successors"`} {
		if !strings.Contains(body, want) {
			t.Errorf("units page lacks %q", want)
		}
	}
	// Add a successor (made up for the test); the page says so and lists it.
	resp, _ = e.postForm(c, "/units/successors", url.Values{"old": {"06295"}, "new": {"06268"}, "from": {"2025-01-01"}, "note": {"sáp nhập"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/units?done=link-added") {
		t.Fatalf("add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.do(c, http.MethodGet, resp.Header.Get("Location"), nil, nil)
	if !strings.Contains(body, "Đã ghi đơn vị kế tiếp.") || !strings.Contains(body, "Xã Đồng Giáp (06295)</td>") || !strings.Contains(body, "văn phòng thêm ("+testUser+"): sáp nhập") {
		t.Errorf("after add:\n%s", body)
	}
	// Refused: the message, the status of its code, and what was typed.
	resp, body = e.postForm(c, "/units/successors", url.Values{"old": {"06999"}, "new": {"06268"}, "from": {"2025-01-01"}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "mã cũ 06999 không có trong danh mục") || !strings.Contains(body, `value="06999"`) {
		t.Errorf("refused add: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.postForm(c, "/units/successors", url.Values{"old": {"06295"}, "new": {"06268"}, "from": {"2025-01-01"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Đã có liên kết") {
		t.Errorf("add twice: %d", resp.StatusCode)
	}
	// A form posted from another site is refused before it reaches the handler.
	h := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}
	resp, _ = e.do(c, http.MethodPost, "/units/successors/remove", strings.NewReader(url.Values{"old": {"06295"}, "new": {"06268"}, "from": {"2025-01-01"}}.Encode()), h)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site remove: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(c, "/units/successors/remove", url.Values{"old": {"06295"}, "new": {"06268"}, "from": {"2025-01-01"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("remove: %d", resp.StatusCode)
	}
	var removedBy string
	e.pool.QueryRow(context.Background(), `SELECT removed_by FROM unit_successor WHERE old_code = '06295'`).Scan(&removedBy)
	if removedBy != testUser {
		t.Errorf("removed by %q", removedBy)
	}
	// Aliases.
	resp, _ = e.postForm(c, "/units/aliases", url.Values{"name": {"Xã Vân An cũ"}, "unit": {"06481"}, "note": {"tên trước 2025"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alias add: %d", resp.StatusCode)
	}
	_, body = e.do(c, http.MethodGet, "/units", nil, nil)
	if !strings.Contains(body, "Xã Vân An cũ</td><td>Xã Chiến Thắng (06481)") {
		t.Errorf("alias not listed")
	}
	resp, body = e.postForm(c, "/units/aliases", url.Values{"name": {"X"}, "unit": {"99999"}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Không có đơn vị mã 99999 trong danh mục") {
		t.Errorf("alias of an unknown unit: %d", resp.StatusCode)
	}
	var id string
	e.pool.QueryRow(context.Background(), `SELECT id::text FROM unit_alias`).Scan(&id)
	if resp, _ = e.postForm(c, "/units/aliases/"+id+"/remove", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("alias remove: %d", resp.StatusCode)
	}
	// Without a session: the login form.
	if resp, _ = e.do(e.client(), http.MethodGet, "/units", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
}

// TestBrowserUnits adds and removes a successor in a real headless Chromium.
func TestBrowserUnits(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	importReform(t, e.pool)
	run := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserStep(t, ctx, name, 60*time.Second, actions...)
	}
	submit := func(name, sel string) {
		t.Helper()
		clickAndWait(t, ctx, name, sel)
	}
	text := func(sel string) string {
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		s, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).innerText || ""`))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	base := e.srv.URL
	run("open the console", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), testUser),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword))
	submit("log in", `form[action="/login"] button`)
	run("open the units page", chromedp.Navigate(base+"/units?date=2026-11-30"))
	if got := text("#units-counts"); !strings.Contains(got, "1 tỉnh, 65 xã") {
		t.Fatalf("counts: %q", got)
	}
	if got := text("#closed-table"); !strings.Contains(got, "Xã Tĩnh Bắc (06574)") {
		t.Fatalf("closed without successor: %q", got)
	}
	run("fill the successor form",
		chromedp.SendKeys(chromedp.CSS(`#successor-add input[name=old]`), "06574"),
		chromedp.SendKeys(chromedp.CSS(`#successor-add input[name=new]`), "06532"),
		chromedp.SetValue(chromedp.CSS(`#successor-add input[name=from]`), "2025-01-01"))
	submit("add the successor", `#successor-add button`)
	if got := text("#units-message"); got != "Đã ghi đơn vị kế tiếp." {
		t.Fatalf("after adding: %q (error %q)", got, text("#units-error"))
	}
	if got := text("#successor-table"); !strings.Contains(got, "Xã Tĩnh Bắc (06574)") {
		t.Fatalf("the new link is not listed: %q", got)
	}
	if got := text("#closed-table"); strings.Contains(got, "06574") {
		t.Errorf("06574 still listed without successor: %q", got)
	}
	// A mistaken code is refused with the reason, and the form keeps what was typed.
	run("fill a wrong successor",
		chromedp.SendKeys(chromedp.CSS(`#successor-add input[name=old]`), "06301"),
		chromedp.SendKeys(chromedp.CSS(`#successor-add input[name=new]`), "12345"),
		chromedp.SetValue(chromedp.CSS(`#successor-add input[name=from]`), "2025-01-01"))
	submit("add a wrong successor", `#successor-add button`)
	if got := text("#units-error"); !strings.Contains(got, "mã mới 12345 không có trong danh mục") {
		t.Fatalf("refused: %q", got)
	}
	submit("remove the link", `#successor-table button[title="Bỏ liên kết 06574 → 06532"]`)
	if got := text("#units-message"); !strings.Contains(got, "Đã bỏ liên kết") {
		t.Fatalf("after removing: %q", got)
	}
}
