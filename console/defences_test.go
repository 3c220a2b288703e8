package console

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Parallel guesses are counted before the password is compared: of 100 sent at once, at most
// the limit are tried; the others are refused unseen.
func TestLoginLimitHoldsUnderParallelGuesses(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := e.postForm(e.client(), "/login", url.Values{"name": {testUser}, "password": {"doan-mo"}})
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] > maxFailures || statuses[http.StatusTooManyRequests] < 100-maxFailures {
		t.Fatalf("100 parallel guesses: %v; want at most %d tried (401), the rest 429", statuses, maxFailures)
	}
	// The right password is refused too while the user is blocked.
	resp, body := e.postForm(e.client(), "/login", url.Values{"name": {testUser}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "15 phút") {
		t.Fatalf("right password after the guesses: %d", resp.StatusCode)
	}
	// The limit is in PostgreSQL: a restarted console still refuses.
	c2, err := New(e.console.d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(c2.Handler())
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"name": {testUser}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	cl := srv.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r2, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after a restart: %d, want 429", r2.StatusCode)
	}
	// A failed login never logs the typed name (it may be a password typed in the wrong field).
	e = newEnv(t)
	resp, _ = e.postForm(e.client(), "/login", url.Values{"name": {"MatKhauGoNham!"}, "password": {"x"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("other user: %d", resp.StatusCode)
	}
	for _, entry := range e.logs.All() {
		for _, f := range entry.Context {
			if strings.Contains(f.String, "MatKhauGoNham") || strings.Contains(entry.Message, "MatKhauGoNham") {
				t.Fatalf("typed user name logged: %v", entry)
			}
		}
	}
	// Nor is it stored: the database keeps a hash of it.
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM console_attempt WHERE key LIKE '%MatKhau%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("typed name stored: %d %v", n, err)
	}
}

// X-Forwarded-For counts only from a trusted proxy: from any other peer it is ignored, so a
// guesser cannot get a fresh address per request; behind a trusted proxy, each client has its
// own limit, and one client's failures do not lock out another.
func TestLoginLimitPerClientAndTrustedProxies(t *testing.T) {
	// The test server's peer is 127.0.0.1; trust another address only.
	e := newEnv(t, func(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32")} })
	for i := range maxClientFailures {
		h := e.sameOrigin()
		h["Content-Type"] = "application/x-www-form-urlencoded"
		h["X-Forwarded-For"] = fmt.Sprintf("203.0.113.%d", i+1)
		// A different user name each time: only the client limit can stop this.
		e.do(e.client(), http.MethodPost, "/login", strings.NewReader(url.Values{"name": {fmt.Sprintf("u%d", i)}, "password": {"x"}}.Encode()), h)
	}
	h := e.sameOrigin()
	h["Content-Type"] = "application/x-www-form-urlencoded"
	h["X-Forwarded-For"] = "198.51.100.7"
	resp, _ := e.do(e.client(), http.MethodPost, "/login", strings.NewReader(url.Values{"name": {"khac"}, "password": {"x"}}.Encode()), h)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer with a forged X-Forwarded-For after %d failures: %d, want 429", maxClientFailures, resp.StatusCode)
	}

	// Trusting the peer (the proxy), clients are told apart by X-Forwarded-For.
	e2 := newEnv(t, func(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	post := func(client, name, password string) int {
		h := e2.sameOrigin()
		h["Content-Type"] = "application/x-www-form-urlencoded"
		h["X-Forwarded-For"] = client
		resp, _ := e2.do(e2.client(), http.MethodPost, "/login", strings.NewReader(url.Values{"name": {name}, "password": {password}}.Encode()), h)
		return resp.StatusCode
	}
	for i := range maxClientFailures {
		post("203.0.113.5", fmt.Sprintf("u%d", i), "x")
	}
	if got := post("203.0.113.5", "v", "x"); got != http.StatusTooManyRequests {
		t.Fatalf("client over its limit: %d", got)
	}
	if got := post("198.51.100.7", testUser, testPassword); got != http.StatusSeeOther {
		t.Fatalf("another client behind the same proxy: %d, want a login (303)", got)
	}
	// A client cannot prepend its own X-Forwarded-For: the proxy appends the real address last.
	if got := post("1.2.3.4, 203.0.113.5", "w", "x"); got != http.StatusTooManyRequests {
		t.Fatalf("forged left part of X-Forwarded-For: %d", got)
	}
}

// Wrong API tokens are throttled per client address.
func TestWrongAPITokensThrottled(t *testing.T) {
	e := newEnv(t)
	for i := range maxTokenFailures {
		resp, _ := e.do(e.client(), http.MethodGet, "/api/runs", nil, map[string]string{"Authorization": fmt.Sprintf("Bearer guess-%d", i)})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := e.do(e.client(), http.MethodGet, "/api/runs", nil, map[string]string{"Authorization": "Bearer guess-more"})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "15 phút") {
		t.Fatalf("after %d wrong tokens: %d %s", maxTokenFailures, resp.StatusCode, body)
	}
	// Even the right token waits out the window from that address.
	resp, _ = e.api(http.MethodGet, "/api/runs", nil, "")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right token from a throttled address: %d", resp.StatusCode)
	}
}

// A slow body is cut off by the server's read timeout instead of holding a connection open.
func TestSlowRequestBodyIsCutOff(t *testing.T) {
	e := newEnv(t)
	srv := NewServer(e.console.Handler(), 300*time.Millisecond, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=")
	// Never send the rest. The server must give up on its own: well before this deadline.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	for {
		if _, err := br.ReadString('\n'); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept a slow request open")
			}
			return // closed by the server
		}
	}
}

// A staged file swapped after the check is refused at confirm, and nothing is loaded.
func TestSwappedStagedFileIsRefused(t *testing.T) {
	e := newEnv(t)
	files := tinySample(t)
	loadTiny(t, e.pool, files, "khao-sat-thon-thong-minh-chi-lang.xlsx")
	c := e.login()
	page := e.upload(c, map[string]string{"dataset": "village_survey"}, "khao-sat-thon-thong-minh-chi-lang.xlsx", readFile(t, files["khao-sat-thon-thong-minh-chi-lang.xlsx"].Path))
	var id int64
	var staged string
	if err := e.pool.QueryRow(t.Context(), `SELECT id, staged_path FROM console_upload ORDER BY id DESC LIMIT 1`).Scan(&id, &staged); err != nil || staged == "" {
		t.Fatalf("staged upload: %v %q (page %s)", err, staged, page)
	}
	// Someone replaces the checked file before the office confirms.
	if err := os.WriteFile(staged, readFile(t, files["vpostcode-2024-11.xlsx"].Path), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, body := e.postForm(c, fmt.Sprintf("/uploads/%d/confirm", id), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "không còn giống tệp đã kiểm tra") {
		t.Fatalf("confirm of a swapped file: %d %s", resp.StatusCode, body)
	}
	var batches, runsN int
	e.pool.QueryRow(t.Context(), `SELECT count(*) FROM batch WHERE dataset = 'village_survey'`).Scan(&batches)
	e.pool.QueryRow(t.Context(), `SELECT count(*) FROM run WHERE job = 'upload'`).Scan(&runsN)
	if batches != 0 || runsN != 0 {
		t.Fatalf("a swapped file was loaded: %d batches, %d runs", batches, runsN)
	}
	if _, err := os.Stat(staged); !os.IsNotExist(err) {
		t.Fatalf("the swapped file was left in the staging folder: %v", err)
	}
}

// The staging folder is ntm's own: created 0700, closed when found open, refused when owned
// by another user.
func TestStagingFolderIsPrivate(t *testing.T) {
	base := t.TempDir()
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	e := newEnv(t, func(d *Deps) { d.UploadDir = open })
	fi, err := os.Stat(e.console.d.UploadDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("staging folder mode %v %v, want 0700", fi.Mode().Perm(), err)
	}
	fresh := filepath.Join(base, "fresh", "uploads")
	newEnv(t, func(d *Deps) { d.UploadDir = fresh })
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("new staging folder: %v %v", fi, err)
	}
	if os.Getuid() == 0 {
		other := filepath.Join(base, "other")
		os.Mkdir(other, 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		d := e.console.d
		d.UploadDir = other
		if _, err := New(d); err == nil || !strings.Contains(err.Error(), "belongs to user") {
			t.Fatalf("a staging folder owned by another user: %v", err)
		}
	}
	link := filepath.Join(base, "link")
	os.Symlink(open, link)
	d := e.console.d
	d.UploadDir = link
	if _, err := New(d); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("a staging folder that is a symbolic link: %v", err)
	}
}
