package console

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium; CI installs it (apt-get install -y chromium).
const chromiumPath = "/usr/bin/chromium"

// screenshotEnv names a file to write a screenshot of the results page into (docs/console.png).
const screenshotEnv = "NTM_CONSOLE_SCREENSHOT"

// TestBrowserEndToEnd drives the console in a real headless Chromium: log in, upload a sample
// export, see what the check would reject, confirm it, trigger the nightly job for a period,
// watch it finish (the pages refresh themselves), look at the results and download a workbook.
func TestBrowserEndToEnd(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	files := tinySample(t)
	// Everything but the fresh digital-address export, which the office uploads through the console.
	loadTiny(t, e.pool, files, "vpostcode-2024-11.xlsx")
	upload := filepath.Join(t.TempDir(), "vpostcode-2024-11.xlsx")
	must(t, os.WriteFile(upload, readFile(t, files["vpostcode-2024-11.xlsx"].Path), 0o644))

	base := e.srv.URL

	// step runs actions with a time limit.
	step := func(name string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserStep(t, ctx, name, d, actions...)
	}
	submit := func(name, sel string) {
		t.Helper()
		clickAndWait(t, ctx, name, sel)
	}
	// eval reads a value from the page; a page that is reloading answers "".
	eval := func(expr string) string {
		sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
		defer scancel()
		s, err := chromedp.Run(sctx, chromedp.Evaluate[string](expr))
		if err != nil {
			return ""
		}
		return s
	}
	// waitFor waits until the element's text contains want (the page may reload itself meanwhile).
	waitFor := func(sel, want string, d time.Duration) string {
		t.Helper()
		expr := `(document.querySelector(` + jsString(sel) + `) || {}).textContent || ""`
		deadline := time.Now().Add(d)
		for {
			got := eval(expr)
			if strings.Contains(got, want) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited %s for %q in %s; it says %q; page:\n%s", d, want, sel, got, eval(`document.body.innerText`))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	location := func() string { return eval(`location.pathname + location.search`) }
	// shot saves a screenshot of the current page when NTM_CONSOLE_SHOTS names a folder (for review).
	shot := func(name string) {
		dir := os.Getenv("NTM_CONSOLE_SHOTS")
		if dir == "" {
			return
		}
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		if b, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
		}
	}

	// 1. Log in: every page sends an anonymous visitor to the login form first.
	step("open the console", 30*time.Second, chromedp.Navigate(base+"/runs"))
	if loc := location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous visit landed on %q", loc)
	}
	step("type the login", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), testUser),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword))
	submit("log in", `form[action="/login"] button`)
	if loc := location(); loc != "/runs" {
		t.Fatalf("after login: %q", loc)
	}
	waitFor("header .who span", testUser, 5*time.Second)

	// 2. Upload the export: it is checked first, and the rejected row is shown with its reason.
	step("open uploads", 30*time.Second, chromedp.Navigate(base+"/uploads"))
	step("fill the upload form", 10*time.Second,
		chromedp.SetValue(chromedp.CSS(`select[name=dataset]`), "vpostcode"),
		chromedp.SetValue(chromedp.CSS(`input[name=period]`), "2024-12"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name=file]`), []string{upload}))
	submit("upload", `form[action="/uploads"] button`)
	summary := waitFor("#check-summary", "dòng sẽ được nạp", 30*time.Second)
	if !strings.Contains(summary, "1 dòng bị loại") {
		t.Fatalf("check summary: %q", summary)
	}
	if rejects := eval(`document.querySelector("table.grid") ? document.querySelector("table.grid").innerText : ""`); !strings.Contains(rejects, "Nà Lìa") {
		t.Fatalf("rejected rows table: %q", rejects)
	}
	shot("upload-check")
	submit("confirm the upload", "#confirm")
	waitFor("#upload-status", "Đã nạp", 60*time.Second)
	shot("upload-loaded")

	// 3. Run the nightly job for 2024-12 and watch it finish.
	step("open runs", 30*time.Second, chromedp.Navigate(base+"/runs"))
	step("choose the period", 10*time.Second, chromedp.SetValue(chromedp.CSS(`input[name=period]`), "2024-12"))
	submit("start the run", `form[action="/runs"] button`)
	if loc := location(); !strings.HasPrefix(loc, "/runs/") {
		t.Fatalf("after starting a run: %q", loc)
	}
	waitFor("#run-status", "Thành công", 120*time.Second)
	shot("run")
	if steps := eval(`document.body.innerText`); !strings.Contains(steps, "Viết báo cáo") || !strings.Contains(steps, "tệp báo cáo") {
		t.Fatalf("finished run page:\n%s", steps)
	}

	// 4. The results, filtered: the village that the upload made a smart village.
	step("open results", 30*time.Second, chromedp.Navigate(base+"/results?level=village&district=187&criterion=SMART_VILLAGE"))
	waitFor("table.results", "Tổ dân phố 1", 10*time.Second)
	if path := os.Getenv(screenshotEnv); path != "" {
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		shot, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
		scancel()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		must(t, os.WriteFile(path, recompress(t, shot), 0o644))
		t.Logf("screenshot of the results page written to %s", path)
	}

	// 5. Download a workbook through the reports page.
	downloads := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	step("open the run list", 30*time.Second, chromedp.Navigate(base+"/runs"))
	shot("runs")
	step("open reports", 30*time.Second,
		chromedp.Navigate(base+"/reports"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href^="/reports/2024-12/187-"]`)))
	done := make(chan string, 1)
	go func() {
		for ev, err := range progress {
			if err != nil {
				return
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done <- ev.GUID
				return
			}
		}
	}()
	shot("reports")
	select {
	case guid := <-done:
		b := readFile(t, filepath.Join(downloads, guid))
		if !bytes.HasPrefix(b, []byte("PK\x03\x04")) || len(b) < 5000 {
			t.Fatalf("downloaded workbook: %d bytes", len(b))
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the workbook download did not complete")
	}
}

func ptr[T any](v T) *T { return &v }

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// recompress re-encodes a PNG with the best compression, to keep docs/console.png small.
func recompress(t *testing.T, b []byte) []byte {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
