package console

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/crypto/bcrypt"

	"ntm"
	"ntm/config"
	"ntm/db/dbtest"
	"ntm/evaluate"
	"ntm/jobs"
	"ntm/sample"
	"ntm/transform"
)

const (
	testUser     = "lan"
	testPassword = "mật-khẩu-đúng"
	testToken    = "tok_0123456789abcdef0123456789abcdef"
)

var period2412 = ntm.Period{Year: 2024, Month: time.December}

// env is a console on a fresh database, served by an httptest server.
type env struct {
	t         *testing.T
	pool      *pgxpool.Pool
	console   *Console
	srv       *httptest.Server
	runner    *jobs.Runner
	reportDir string
	uploadDir string
	logs      *observer.ObservedLogs
}

type option func(*Deps)

func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	pool := dbtest.New(t)
	base := t.TempDir()
	reportDir, uploadDir := filepath.Join(base, "reports"), filepath.Join(base, "uploads")
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.DebugLevel)
	log := zap.New(core)
	cfg := config.Default()
	cfg.Reports.OutDir = reportDir
	runner := jobs.NewRunner(pool, cfg, log)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = runner.Stop(ctx)
	})
	d := Deps{Pool: pool, Log: log, Users: []config.User{{Name: testUser, PasswordHash: string(hash)}},
		Tokens:    []config.Token{{Name: "script", SHA256: config.HashToken(testToken)}},
		ReportDir: reportDir, UploadDir: uploadDir, Jobs: runner, JobNames: cfg.JobNames(), Runs: runner.Store,
		Location: cfg.Location, InsecureCookie: false}
	for _, o := range opts {
		o(&d)
	}
	c, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	// TLS, so the Secure __Host- cookie is sent back as a browser would.
	srv := httptest.NewTLSServer(c.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, pool: pool, console: c, srv: srv, runner: runner, reportDir: reportDir, uploadDir: uploadDir, logs: logs}
}

// client returns an HTTP client that does not follow redirects, with its own cookie jar.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client() // a copy: Client() returns one shared value
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// do sends a request as a same-origin browser form post would (Origin of the server).
func (e *env) do(c *http.Client, method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *env) sameOrigin() map[string]string {
	return map[string]string{"Origin": e.srv.URL, "Sec-Fetch-Site": "same-origin"}
}

func (e *env) postForm(c *http.Client, path string, v url.Values) (*http.Response, string) {
	h := e.sameOrigin()
	h["Content-Type"] = "application/x-www-form-urlencoded"
	return e.do(c, http.MethodPost, path, strings.NewReader(v.Encode()), h)
}

// login returns a client logged in as the test user.
func (e *env) login() *http.Client {
	e.t.Helper()
	c := e.client()
	resp, body := e.postForm(c, "/login", url.Values{"name": {testUser}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	return c
}

func (e *env) api(method, path string, body io.Reader, contentType string) (*http.Response, string) {
	h := map[string]string{"Authorization": "Bearer " + testToken}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	return e.do(e.client(), method, path, body, h)
}

// multipartBody builds an upload form: fields, then the file part.
func multipartBody(t *testing.T, fields map[string]string, fileName string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

// tinySample writes the tiny sample and returns its files by base name.
func tinySample(t *testing.T) map[string]sample.File {
	t.Helper()
	man, err := sample.Tiny(sample.Options{Dir: filepath.Join(t.TempDir(), "inputs"), Period: period2412})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]sample.File{}
	for _, f := range man.Files {
		out[filepath.Base(f.Path)] = f
	}
	return out
}

// loadTiny loads the whole tiny sample except the files named in skip, and evaluates 2024-12.
func loadTiny(t *testing.T, pool *pgxpool.Pool, files map[string]sample.File, skip ...string) {
	t.Helper()
	ctx := context.Background()
	l := transform.NewLoader(pool, nil)
	order := []string{"don-vi-hanh-chinh.csv"}
	for name := range files {
		if name != "don-vi-hanh-chinh.csv" {
			order = append(order, name)
		}
	}
next:
	for _, name := range order {
		for _, s := range skip {
			if s == name {
				continue next
			}
		}
		f := files[name]
		o := transform.LoadOptions{Dataset: f.Dataset, Period: period2412}
		if f.AsOf != nil {
			o.AsOf = *f.AsOf
		}
		rep, err := l.LoadFile(ctx, f.Path, o)
		if err != nil || rep.Rejected {
			t.Fatalf("load %s: %v %s", name, err, rep.Message)
		}
	}
	if _, err := evaluate.Evaluate(ctx, pool, period2412); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirEntries lists what is left in a folder.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
