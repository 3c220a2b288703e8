package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPagesRedirectToLoginWithoutSession(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for _, path := range []string{"/", "/runs", "/runs/1", "/uploads", "/uploads/1", "/results?level=village", "/reports", "/reports/2024-12/a.xlsx", "/nothing"} {
		resp, _ := e.do(c, http.MethodGet, path, nil, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("GET %s without session: %d → %q, want 303 to /login", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := e.do(c, http.MethodGet, "/results?level=village", nil, nil)
	if loc := resp.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/results?level=village") {
		t.Errorf("login redirect keeps the target: %q", loc)
	}
	for _, path := range []string{"/runs", "/uploads", "/uploads/1/confirm", "/uploads/1/cancel"} {
		resp, _ := e.postForm(c, path, url.Values{"job": {"nightly"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("POST %s without session: %d, want 303 to /login", path, resp.StatusCode)
		}
	}
	// Nothing was started.
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM run`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("runs after refused posts: %d %v", n, err)
	}
	// A forged or garbage cookie is no session either.
	resp, _ = e.do(c, http.MethodGet, "/runs", nil, map[string]string{"Cookie": "__Host-ntm_session=forged"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", resp.StatusCode)
	}
}

func TestAPIRefusesWithoutValidToken(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	paths := []struct{ method, path string }{
		{"GET", "/api/runs"}, {"GET", "/api/runs/1"}, {"POST", "/api/runs"}, {"POST", "/api/uploads"},
		{"GET", "/api/uploads/1"}, {"POST", "/api/uploads/1/confirm"}, {"POST", "/api/uploads/1/cancel"},
		{"GET", "/api/results"}, {"GET", "/api/reports"}, {"GET", "/api/reports/2024-12/a.xlsx"}, {"GET", "/api/nothing"},
	}
	for _, auth := range []string{"", "Bearer wrong-token", "Basic " + testToken, "Bearer " + testToken + "x", "Bearer"} {
		for _, p := range paths {
			h := map[string]string{}
			if auth != "" {
				h["Authorization"] = auth
			}
			resp, body := e.do(c, p.method, p.path, nil, h)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "Bearer") ||
				!strings.Contains(body, `"error"`) {
				t.Errorf("%s %s with %q: %d %s", p.method, p.path, auth, resp.StatusCode, body)
			}
		}
	}
	// A console session does not open the API.
	lc := e.login()
	resp, _ := e.do(lc, http.MethodGet, "/api/runs", nil, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API with a session cookie only: %d", resp.StatusCode)
	}
	// The right token does.
	resp, body := e.api(http.MethodGet, "/api/runs", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"runs": []`) {
		t.Errorf("API with the token: %d %s", resp.StatusCode, body)
	}
	// The token never reaches the logs.
	for _, entry := range e.logs.All() {
		for _, f := range entry.Context {
			if strings.Contains(f.String, testToken) {
				t.Fatalf("token logged: %v", entry)
			}
		}
	}
}

func TestLoginSessionCookieAndLogout(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	// Wrong password: refused, no cookie.
	resp, body := e.postForm(c, "/login", url.Values{"name": {testUser}, "password": {"sai"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "không đúng") || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong password: %d cookies=%v", resp.StatusCode, resp.Cookies())
	}
	// Unknown user: the same answer.
	resp, _ = e.postForm(c, "/login", url.Values{"name": {"ai-do"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown user: %d", resp.StatusCode)
	}
	// Right password: a Secure, HttpOnly, SameSite cookie, and the page it was going to.
	resp, _ = e.postForm(c, "/login", url.Values{"name": {testUser}, "password": {testPassword}, "next": {"/results?level=commune"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/results?level=commune" {
		t.Fatalf("login: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Cookies()
	if len(ck) != 1 || ck[0].Name != "__Host-ntm_session" || !ck[0].Secure || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode || ck[0].Path != "/" {
		t.Fatalf("session cookie = %+v", ck)
	}
	stolen := ck[0].Value
	resp, body = e.do(c, http.MethodGet, "/runs", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Lượt chạy") || !strings.Contains(body, testUser) {
		t.Fatalf("runs after login: %d", resp.StatusCode)
	}
	// The database keeps only a hash of the cookie's token.
	var stored int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM console_session WHERE token_sha256 = $1`, hashToken(stolen)).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("session row: %d %v", stored, err)
	}
	// Off-site "next" targets are ignored.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		c2 := e.client()
		resp, _ := e.postForm(c2, "/login", url.Values{"name": {testUser}, "password": {testPassword}, "next": {next}})
		if resp.Header.Get("Location") != "/runs" {
			t.Errorf("next=%q redirected to %q", next, resp.Header.Get("Location"))
		}
	}
	// Log out: the session ends for good, even for a copy of the cookie.
	resp, _ = e.postForm(c, "/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = e.do(e.client(), http.MethodGet, "/runs", nil, map[string]string{"Cookie": "__Host-ntm_session=" + stolen})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old cookie after logout: %d", resp.StatusCode)
	}
	// No password in the logs.
	for _, entry := range e.logs.All() {
		for _, f := range entry.Context {
			if strings.Contains(f.String, testPassword) || strings.Contains(f.String, stolen) {
				t.Fatalf("secret logged: %v", entry)
			}
		}
	}
}

func TestLoginThrottledAfterRepeatedFailures(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for range maxFailures {
		e.postForm(c, "/login", url.Values{"name": {testUser}, "password": {"sai"}})
	}
	resp, body := e.postForm(c, "/login", url.Values{"name": {testUser}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "15 phút") {
		t.Fatalf("after %d failures: %d", maxFailures, resp.StatusCode)
	}
}

func TestCrossSitePostsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	crossSite := []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://sub.example"},
		{"Origin": "https://evil.example"}, // an older browser: Origin only
	}
	for _, h := range crossSite {
		h["Content-Type"] = "application/x-www-form-urlencoded"
		for _, path := range []string{"/runs", "/login", "/logout", "/uploads/1/confirm"} {
			resp, body := e.do(c, http.MethodPost, path, strings.NewReader("job=nightly&name=lan&password=x"), h)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "trang web khác") {
				t.Errorf("cross-site POST %s with %v: %d", path, h, resp.StatusCode)
			}
		}
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM run`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a cross-site post started %d runs (%v)", n, err)
	}
	// Still logged in: the cross-site logout did nothing.
	resp, _ := e.do(c, http.MethodGet, "/runs", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("session after cross-site logout: %d", resp.StatusCode)
	}
	// A cross-site GET is a plain navigation and is allowed (it changes nothing).
	resp, _ = e.do(c, http.MethodGet, "/runs", nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cross-site GET: %d", resp.StatusCode)
	}
	// The API refuses a browser's cross-site POST too, even with a token.
	resp, _ = e.do(e.client(), http.MethodPost, "/api/runs", strings.NewReader(`{}`), map[string]string{
		"Authorization": "Bearer " + testToken, "Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site API POST: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.do(e.client(), http.MethodGet, "/login", nil, nil)
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestLoginPageWarnsAboutPlainHTTPAwayFromLocalhost(t *testing.T) {
	e := newEnv(t)
	c := e.console
	for host, warn := range map[string]bool{"127.0.0.1:8080": false, "localhost:8080": false, "[::1]:8080": false, "10.0.0.5:8080": true, "ntm.langson.gov.vn": true} {
		r, _ := http.NewRequest(http.MethodGet, "http://"+host+"/login", nil)
		r.Host = host
		if got := c.plainHTTPWarning(r) != ""; got != warn {
			t.Errorf("%s: warning %v, want %v", host, got, warn)
		}
		r.Header.Set("X-Forwarded-Proto", "https")
		if c.plainHTTPWarning(r) != "" {
			t.Errorf("%s behind an HTTPS proxy: warned", host)
		}
	}
}
