package console

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"ntm/config"
	"ntm/jobs"
	"ntm/runs"
)

// browserSession logs into the console in the browser and returns helpers to read the page.
type browserSession struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newBrowserSession(t *testing.T, e *env) *browserSession {
	t.Helper()
	b := &browserSession{t: t, ctx: newBrowser(t), base: e.srv.URL}
	browserStep(t, b.ctx, "open the login", 30*time.Second, chromedp.Navigate(b.base+"/login"))
	browserStep(t, b.ctx, "type the login", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), testUser),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword))
	clickAndWait(t, b.ctx, "log in", `form[action="/login"] button`)
	return b
}

func (b *browserSession) open(path string) {
	b.t.Helper()
	browserStep(b.t, b.ctx, "open "+path, 30*time.Second, chromedp.Navigate(b.base+path))
}

// eval reads a value from the page; a page that is reloading answers "".
func (b *browserSession) eval(expr string) string {
	sctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return ""
	}
	return s
}

// shot saves a screenshot of the page when NTM_CONSOLE_SHOTS names a folder (for review).
func (b *browserSession) shot(name string) {
	dir := os.Getenv("NTM_CONSOLE_SHOTS")
	if dir == "" {
		return
	}
	sctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	shoot := chromedp.FullScreenshot(100)
	if strings.HasPrefix(name, "phone") {
		shoot = chromedp.CaptureScreenshot()
	}
	if png, err := chromedp.Run(sctx, shoot); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

func (b *browserSession) text() string { return b.eval(`document.body.innerText`) }

// waitFor waits until the element's text contains want.
func (b *browserSession) waitFor(sel, want string, d time.Duration) string {
	b.t.Helper()
	expr := `(document.querySelector(` + jsString(sel) + `) || {}).textContent || ""`
	deadline := time.Now().Add(d)
	for {
		got := b.eval(expr)
		if strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %q in %s; it says %q; page:\n%s", d, want, sel, got, b.text())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// fitsWidth tells whether the page does not scroll sideways (wide tables scroll in their box).
func (b *browserSession) fitsWidth() bool {
	return b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`) == "true"
}

// TestBrowserOfficeDay: find a village by a name typed without diacritics, open its page (why,
// since when, from which file), follow the file, download nothing yet, revoke it with a
// reason; at phone width the pages do not scroll sideways.
func TestBrowserOfficeDay(t *testing.T) {
	e := newEnv(t)
	loadTiny(t, e.pool, tinySample(t))
	b := newBrowserSession(t, e)

	b.open("/results")
	browserStep(t, b.ctx, "search", 10*time.Second,
		chromedp.SetValue(chromedp.CSS(`select[name=level]`), "village"),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "na lia"))
	clickAndWait(t, b.ctx, "filter", `form.filters button`)
	b.waitFor("table.results", "Xã Chi Lăng · Huyện Chi Lăng", 10*time.Second)
	clickAndWait(t, b.ctx, "open the village", `table.results a[href^="/results/unit/06523-002"]`)
	b.waitFor("#unit-title", "Thôn Nà Lìa", 10*time.Second)
	b.shot("unit")
	if page := b.text(); !strings.Contains(page, "Vì sao:") || !strings.Contains(page, "Số liệu lấy từ:") || !strings.Contains(page, "vpostcode-2023-05.xlsx") {
		t.Fatalf("unit page:\n%s", page)
	}
	clickAndWait(t, b.ctx, "follow the file", `#crit-V4_ADDRESS ul.sources a`)
	b.waitFor("h1", "vpostcode-2023-05.xlsx", 10*time.Second)
	browserStep(t, b.ctx, "type the reason", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS(`form[action$="/revoke"] input[name=reason]`), "số liệu cũ, đã có tệp mới"))
	clickAndWait(t, b.ctx, "revoke", "#revoke")
	b.waitFor("#file-status", "Đã thu hồi", 10*time.Second)
	if page := b.text(); !strings.Contains(page, "số liệu cũ, đã có tệp mới") || !strings.Contains(page, "Thu hồi") {
		t.Fatalf("revoked file page:\n%s", page)
	}

	// The delivery log: the failed e-mail, sent again from its button.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	e.runner.Config.Reports.Recipients = map[string][]string{"187": {"vanphong@chilang.example"}}
	e.runner.Config.Reports.SMTP = config.SMTP{Host: "127.0.0.1", Port: port, From: "ntm@example"}
	if _, err := e.runner.Run(context.Background(), jobs.Request{Job: "nightly", Period: period2412, Trigger: runs.TriggerCLI}); err != nil {
		t.Fatal(err)
	}
	b.open("/reports")
	clickAndWait(t, b.ctx, "open the delivery log", "#deliveries-link")
	b.waitFor("table.deliveries", "Gửi không được", 10*time.Second)
	clickAndWait(t, b.ctx, "resend", `table.deliveries button[id^="resend-"]`)
	b.waitFor("#delivery-message", "không được", 10*time.Second)
	b.shot("deliveries")

	// Phone width: 390 px. The results and the file list scroll inside their tables.
	browserStep(t, b.ctx, "phone width", 10*time.Second, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 800, DeviceScaleFactor: 1, Mobile: true})
		return err
	}))
	for _, path := range []string{"/results?level=village", "/results/unit/06523", "/files", "/files/1", "/deliveries", "/runs"} {
		b.open(path)
		b.shot("phone" + strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path))
		if !b.fitsWidth() {
			t.Errorf("%s scrolls sideways at phone width (%s px wide)", path, b.eval(`String(document.documentElement.scrollWidth)`))
		}
	}
}

// TestBrowserRunControl: while a run holds the lock, a start form being filled in on /runs is
// not wiped (the list does not reload itself); the run's page lists the steps not started, and
// Dừng stops the run, whose page then says who stopped it, shows its log and offers Chạy lại,
// which runs the job again to success.
func TestBrowserRunControl(t *testing.T) {
	e := newEnv(t)
	loadTiny(t, e.pool, tinySample(t))
	e.runner.Store.CancelPollEvery = 100 * time.Millisecond
	holder, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	must(t, err)
	st := holder.Step("pull")
	go func() {
		<-holder.Context().Done()
		st.Finish(holder.Context().Err())
		holder.Finish(holder.Context().Err())
	}()
	b := newBrowserSession(t, e)

	b.open("/runs")
	browserStep(t, b.ctx, "type a period", 10*time.Second, chromedp.SetValue(chromedp.CSS(`form[action="/runs"] input[name=period]`), "2024-11"))
	time.Sleep(6 * time.Second) // longer than any refresh the list ever had
	if got := b.eval(`document.querySelector('form[action="/runs"] input[name=period]').value`); got != "2024-11" {
		t.Fatalf("the start form lost what was typed: %q", got)
	}

	b.open("/runs/" + itoa(holder.ID))
	if page := b.text(); !strings.Contains(page, "Chưa bắt đầu") || !strings.Contains(page, "Đánh giá") {
		t.Fatalf("running run page:\n%s", page)
	}
	clickAndWait(t, b.ctx, "stop the run", "#cancel-run")
	b.waitFor("#run-status", "Đã hủy", 30*time.Second)
	b.waitFor("#run-error", "theo yêu cầu của "+testUser, 10*time.Second)
	b.shot("run-cancelled")
	if page := b.text(); !strings.Contains(page, "Nhật ký") || !strings.Contains(page, "run cancelled on request") {
		t.Fatalf("cancelled run page:\n%s", page)
	}
	clickAndWait(t, b.ctx, "run again", "#rerun")
	b.waitFor("#run-status", "Thành công", 120*time.Second)
	if loc := b.eval(`location.pathname`); loc == "/runs/"+itoa(holder.ID) {
		t.Fatalf("Chạy lại stayed on the cancelled run")
	}
}
