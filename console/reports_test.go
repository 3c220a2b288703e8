package console

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportDownloadsStayInTheReportFolder(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	base := filepath.Dir(e.reportDir)
	good := filepath.Join(e.reportDir, "2024-12", "187-huyen-chi-lang.xlsx")
	must(t, os.MkdirAll(filepath.Dir(good), 0o755))
	must(t, os.WriteFile(good, []byte("PK\x03\x04 workbook"), 0o644))
	// Secrets outside the report folder, and links that point at them.
	secret := filepath.Join(base, "secret.xlsx")
	must(t, os.WriteFile(secret, []byte("SECRET"), 0o644))
	must(t, os.Symlink(secret, filepath.Join(e.reportDir, "2024-12", "link.xlsx")))
	outside := filepath.Join(base, "outside")
	must(t, os.MkdirAll(outside, 0o755))
	must(t, os.WriteFile(filepath.Join(outside, "x.xlsx"), []byte("SECRET"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(e.reportDir, "2025-01")))

	resp, body := e.do(c, http.MethodGet, "/reports/2024-12/187-huyen-chi-lang.xlsx", nil, nil)
	if resp.StatusCode != http.StatusOK || body != "PK\x03\x04 workbook" {
		t.Fatalf("good download: %d %q", resp.StatusCode, body)
	}
	bad := []string{
		"/reports/2024-12/..%2F..%2Fsecret.xlsx",
		"/reports/2024-12/..%2Fsecret.xlsx",
		"/reports/..%2F..%2Fsecret.xlsx/x.xlsx",
		"/reports/2024-12/%2Fetc%2Fpasswd",
		"/reports/2024-12/" + url0(secret),
		"/reports/2024-12/link.xlsx",
		"/reports/2025-01/x.xlsx",
		"/reports/2024-12/..",
		"/reports/2024-12/%2e%2e%2fsecret.xlsx",
		"/reports/2024-12/..%5Csecret.xlsx",
		"/reports/2024-12/.hidden.xlsx",
		"/reports/2024-12/187-huyen-chi-lang.xlsx%00.xlsx",
		"/reports/2024-12/nothing.xlsx",
	}
	for _, p := range bad {
		for _, api := range []bool{false, true} {
			var resp *http.Response
			var body string
			if api {
				resp, body = e.api(http.MethodGet, "/api"+p, nil, "")
			} else {
				resp, body = e.do(c, http.MethodGet, p, nil, nil)
			}
			if strings.Contains(body, "SECRET") || resp.StatusCode == http.StatusOK {
				t.Errorf("GET %s (api %v): %d %q", p, api, resp.StatusCode, body)
			}
		}
	}
	// Plain "../" in a URL is cleaned by the router before it reaches the handler: it never
	// serves the secret either.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/reports/2024-12/x", nil)
	req.URL.Path = "/reports/2024-12/../../secret.xlsx"
	req.URL.RawPath = ""
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("raw ../ served: %d", resp.StatusCode)
		}
	}
	// The listing shows the real workbook only (no links).
	_, page := e.do(c, http.MethodGet, "/reports", nil, nil)
	if !strings.Contains(page, "187-huyen-chi-lang.xlsx") || strings.Contains(page, "link.xlsx") || strings.Contains(page, "2025-01") {
		t.Errorf("reports page:\n%s", page)
	}
	_, js := e.api(http.MethodGet, "/api/reports", nil, "")
	var list []reportPeriod
	if err := json.Unmarshal([]byte(js), &list); err != nil || len(list) != 1 || len(list[0].Files) != 1 ||
		list[0].Files[0].URL != "/api/reports/2024-12/187-huyen-chi-lang.xlsx" {
		t.Fatalf("API reports: %s", js)
	}
	resp, body = e.api(http.MethodGet, list[0].Files[0].URL, nil, "")
	if resp.StatusCode != http.StatusOK || body != "PK\x03\x04 workbook" {
		t.Fatalf("API download: %d", resp.StatusCode)
	}
}

func TestReportsWithoutFolder(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	_, page := e.do(c, http.MethodGet, "/reports", nil, nil)
	if !strings.Contains(page, "Chưa có báo cáo nào") {
		t.Fatalf("no report folder:\n%s", page)
	}
	if resp, _ := e.do(c, http.MethodGet, "/reports/2024-12/a.xlsx", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("download without folder: %d", resp.StatusCode)
	}
}

// url0 escapes an absolute path into one path segment.
func url0(p string) string { return strings.ReplaceAll(p, "/", "%2F") }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
