// Package console owns the office's web console and the JSON API for scripts
// (docs/console.md): logging in, the run history with live progress, starting a job for a period, uploading
// a spreadsheet into a dataset (checked first, loaded only when confirmed), the latest results
// with filters, and downloading the report workbooks.
//
// Pages are server-rendered in Vietnamese with html/template; templates and the style sheet are
// embedded, and there is no JavaScript at all (a page showing a running run reloads itself with
// a meta refresh). One handler per file.
//
// Security: every page needs a session (users and bcrypt hashes from the config; the session
// cookie is Secure, HttpOnly and SameSite=Lax and carries a random token whose SHA-256 is the
// key of a console_session row, so logging out ends it for good); every /api/ route needs a
// bearer token whose SHA-256 is compared in constant time with the configured ones; cross-site
// form posts are refused by http.CrossOriginProtection; uploads are limited in size and type;
// report downloads go through an os.Root on the report folder, so they cannot leave it. Nothing
// secret (passwords, tokens, cookies) is ever logged.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm/config"
	"ntm/jobs"
	"ntm/runs"
	"ntm/transform"
)

// DefaultMaxUpload is the upload size limit when Deps.MaxUpload is 0 (50 MB).
const DefaultMaxUpload int64 = 50 << 20

// DefaultSessionTTL is how long a login lasts when Deps.SessionTTL is 0.
const DefaultSessionTTL = 12 * time.Hour

// stagedTTL is how long a checked upload waits for a decision before its file is removed.
const stagedTTL = 24 * time.Hour

// JobStarter starts a pipeline run in the background and returns its id as soon as it holds
// the pipeline lock and is recorded. A held lock is a *runs.LockedError; an unknown job wraps
// jobs.ErrUnknownJob. *jobs.Runner satisfies it.
type JobStarter interface {
	Start(ctx context.Context, req jobs.Request) (runID int64, done <-chan jobs.Result, err error)
}

// FileLoader loads an uploaded file as a run of its own (job "upload") that holds the pipeline
// lock, in the background, and returns the run's id. *jobs.Runner satisfies it. When Deps.Jobs
// is not one, a confirmed upload is loaded in the request instead (without the lock).
type FileLoader interface {
	StartLoad(ctx context.Context, req jobs.LoadRequest) (runID int64, done <-chan jobs.Result, err error)
}

// Deps is everything the console needs; New checks it.
type Deps struct {
	Pool *pgxpool.Pool // required
	Log  *zap.Logger   // nil = no logging

	Users  []config.User  // console logins (name + bcrypt hash); none = nobody can log in
	Tokens []config.Token // API tokens (name + SHA-256 hex); none = the API refuses everything

	ReportDir string // the report folder (config reports.out_dir): workbooks under <ReportDir>/<period>/
	UploadDir string // staging folder for uploads; "" = DefaultUploadDir()
	MaxUpload int64  // bytes; 0 = DefaultMaxUpload

	Jobs     JobStarter // required: starts runs (the daemon's *jobs.Runner)
	JobNames []string   // jobs offered in the start form (config.JobNames()); empty = "nightly"
	Runs     *runs.Store
	Loader   *transform.Loader // nil = transform.NewLoader(Pool, nil)

	Location   *time.Location // times are shown in it; nil = Asia/Ho_Chi_Minh
	SessionTTL time.Duration  // 0 = DefaultSessionTTL
	// InsecureCookie drops the Secure flag of the session cookie. Only for a console reached
	// over plain HTTP on a trusted network; behind HTTPS (or on localhost) leave it false.
	InsecureCookie bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client (config
	// console.trusted_proxies); from any other peer the header is ignored.
	TrustedProxies []netip.Prefix
	Now            func() time.Time // nil = time.Now
}

// Console is the web console and API; Handler serves it.
type Console struct {
	d      Deps
	log    *zap.Logger
	pages  map[string]*template.Template
	cookie string

	sweepMu   sync.Mutex
	lastSweep time.Time
}

//go:embed templates/*.html static/*
var assets embed.FS

// New checks deps and prepares the console.
func New(d Deps) (*Console, error) {
	if d.Pool == nil {
		return nil, errors.New("console: no database pool given")
	}
	if d.Jobs == nil {
		return nil, errors.New("console: no job starter given (the daemon's jobs.Runner)")
	}
	if d.ReportDir == "" {
		return nil, errors.New("console: no report folder given (config reports.out_dir)")
	}
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.Runs == nil {
		d.Runs = runs.NewStore(d.Pool, d.Log)
	}
	if d.Loader == nil {
		d.Loader = transform.NewLoader(d.Pool, nil)
	}
	if d.MaxUpload <= 0 {
		d.MaxUpload = DefaultMaxUpload
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = DefaultSessionTTL
	}
	if d.Location == nil {
		loc, err := time.LoadLocation(config.DefaultTimeZone)
		if err != nil {
			loc = time.FixedZone("ICT", 7*3600)
		}
		d.Location = loc
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if len(d.JobNames) == 0 {
		d.JobNames = []string{"nightly"}
	}
	if d.UploadDir == "" {
		d.UploadDir = DefaultUploadDir()
	}
	abs, err := filepath.Abs(d.UploadDir)
	if err != nil {
		return nil, fmt.Errorf("console: upload folder %s: %w", d.UploadDir, err)
	}
	d.UploadDir = abs
	if err := privateDir(d.UploadDir); err != nil {
		return nil, err
	}
	c := &Console{d: d, log: d.Log.Named("console")}
	c.cookie = "__Host-ntm_session" // the __Host- prefix pins the cookie to this host, path / and HTTPS
	if d.InsecureCookie {
		c.cookie = "ntm_session"
	}
	if c.pages, err = parsePages(c); err != nil {
		return nil, err
	}
	return c, nil
}

// Handler serves the console (pages at /, the API under /api/, the style sheet under /static/).
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, c.requireSession(h)) }
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, c.requireToken(h)) }

	mux.HandleFunc("GET /static/", c.static)
	mux.HandleFunc("GET /login", c.loginForm)
	mux.HandleFunc("POST /login", c.login)
	mux.HandleFunc("POST /logout", c.logout)

	page("GET /{$}", c.home)
	page("GET /runs", c.runsList)
	page("POST /runs", c.runStart)
	page("GET /runs/{id}", c.runShow)
	page("POST /runs/{id}/cancel", c.runCancel)
	page("POST /runs/{id}/rerun", c.runRerun)
	page("GET /uploads", c.uploadForm)
	page("POST /uploads", c.uploadCreate)
	page("GET /uploads/{id}", c.uploadShow)
	page("POST /uploads/{id}/confirm", c.uploadConfirm)
	page("POST /uploads/{id}/cancel", c.uploadCancel)
	page("GET /files", c.filesList)
	page("GET /files/{id}", c.fileShow)
	page("GET /files/{id}/rejects", c.fileRejects)
	page("POST /files/{id}/revoke", c.fileRevoke)
	page("POST /files/{id}/remove", c.fileRemove)
	page("GET /results", c.results)
	page("GET /results/unit/{code}", c.resultUnit)
	page("GET /reports", c.reportsList)
	page("GET /deliveries", c.deliveriesList)
	page("POST /deliveries/send", c.deliveriesSend)
	page("POST /deliveries/{id}/resend", c.deliveryResend)
	page("GET /reports/{period}/{name}", c.reportDownload)
	page("GET /units", c.unitsShow)
	page("POST /units/successors", c.unitsSuccessorAdd)
	page("POST /units/successors/remove", c.unitsSuccessorRemove)
	page("POST /units/aliases", c.unitsAliasAdd)
	page("POST /units/aliases/{id}/remove", c.unitsAliasRemove)
	page("GET /criteria", c.criteriaShow)
	page("/", c.notFound)

	api("GET /api/runs", c.apiRunsList)
	api("POST /api/runs", c.apiRunStart)
	api("GET /api/runs/{id}", c.apiRunShow)
	api("POST /api/runs/{id}/cancel", c.apiRunCancel)
	api("POST /api/uploads", c.apiUploadCreate)
	api("GET /api/uploads/{id}", c.apiUploadShow)
	api("POST /api/uploads/{id}/confirm", c.apiUploadConfirm)
	api("POST /api/uploads/{id}/cancel", c.apiUploadCancel)
	api("GET /api/results", c.apiResults)
	api("GET /api/reports", c.apiReportsList)
	api("GET /api/reports/{period}/{name}", c.apiReportDownload)
	api("/api/", c.apiNotFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(c.crossOriginRefused))
	return c.recoverPanics(c.accessLog(securityHeaders(cop.Handler(mux))))
}

func (c *Console) now() time.Time { return c.d.Now() }

// DefaultReadTimeout bounds how long the server waits for a whole request, headers and body
// (uploads get longer: see uploadReadDeadline). A client sending slowly is cut off.
const DefaultReadTimeout = 30 * time.Second

// NewServer is the HTTP server for the console (and whatever else h serves): requests must
// arrive within readTimeout (0 = DefaultReadTimeout), their headers within 10 s, and idle
// connections are closed after 2 minutes. Responses have no write timeout: a workbook download
// over a slow line may take its time.
func NewServer(h http.Handler, readTimeout time.Duration, log *zap.Logger) *http.Server {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: min(10*time.Second, readTimeout), ReadTimeout: readTimeout,
		IdleTimeout: 2 * time.Minute, ErrorLog: zap.NewStdLog(log.Named("http"))}
}

// minUploadRate is the slowest an upload may arrive (bytes per second) before it is cut off.
const minUploadRate = 32 << 10

// uploadReadDeadline lets an upload take longer than the server's read timeout: the time the
// largest allowed file needs at minUploadRate, plus a minute.
func (c *Console) uploadReadDeadline(w http.ResponseWriter) {
	d := time.Minute + time.Duration(c.d.MaxUpload/minUploadRate)*time.Second
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
}
