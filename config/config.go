// Package config owns ntm's configuration: the one YAML file, its built-in defaults, the
// environment overrides for secrets, and validation that names the line and column of every
// mistake. The rest of the program reads a validated *Config and never the file or the
// environment itself (the database URL excepted: db.URLFromEnv orders flag, env and config).
package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/crypto/bcrypt"

	"ntm"
)

// DefaultTimeZone is the office's zone (Vietnam has no daylight saving).
const DefaultTimeZone = "Asia/Ho_Chi_Minh"

// DefaultPath is the config file used when neither --config nor NTM_CONFIG names one.
const DefaultPath = "ntm.yaml"

// Environment variables read by Load. Secrets belong there rather than in the file.
const (
	EnvConfig       = "NTM_CONFIG"        // the config file (when --config is not given)
	EnvDatabaseURL  = "NTM_DATABASE_URL"  // overrides database_url (see db.URLFromEnv)
	EnvSMTPPassword = "NTM_SMTP_PASSWORD" // overrides reports.smtp.password
	EnvAPIToken     = "NTM_API_TOKEN"     // one more API token, named "env"
	EnvListen       = "NTM_LISTEN"        // overrides listen
)

// Config is a loaded, validated configuration.
type Config struct {
	// File is the file read ("" = built-in defaults only).
	File string

	DatabaseURL string         // "" = the local server (docs/cli.md); NTM_DATABASE_URL wins
	TimeZone    string         // IANA name, default Asia/Ho_Chi_Minh
	Location    *time.Location // TimeZone loaded
	Listen      string         // the HTTP address of `ntm serve`, default 127.0.0.1:8080
	// UploadLimit is the largest file the console and API accept, in bytes (default 50 MiB).
	UploadLimit int64
	// MaxFileSize is the largest local file ntm reads (ntm ingest FILE, ntm check, ntm units
	// import, path, glob and inbox sources), in bytes; 0 = transform.DefaultMaxFileSize (512
	// MiB). A bigger file is refused before it is read.
	MaxFileSize int64

	Network Network
	Reports Reports
	Sources []Source
	Jobs    []Job // `nightly` is always present
	Console Console
	API     API
}

// Network bounds every network call ntm makes (HTTP sources, e-mail).
type Network struct {
	Timeout time.Duration // per attempt, default 60s
	Retries int           // attempts after the first, default 3
	Backoff time.Duration // wait before the first retry, doubled each time (capped at 5 min); default 2s
	// MaxDownload caps one download (HTTP sources, ntm ingest URL), in bytes; default 1 GiB.
	MaxDownload int64
}

// DefaultMaxDownload is Network.MaxDownload's default: ten times the largest export seen (a
// year of a province's dossier records), and far from filling a disk.
const DefaultMaxDownload = 1 << 30

// Reports says where workbooks go and who receives them.
type Reports struct {
	OutDir string // default "ntm-reports" (relative to the working directory; never the source tree's reports/ package)
	// Recipients maps a unit code (a district's, or a commune's where there are no districts,
	// or the province's) to the e-mail addresses its workbook is sent to.
	Recipients map[string][]string
	SMTP       SMTP
}

// SMTP is the mail server reports are delivered through (docs/operations.md). Host "" = no e-mail.
type SMTP struct {
	Host     string
	Port     int // default 587
	Username string
	Password string // from NTM_SMTP_PASSWORD (a password in the file is accepted but discouraged)
	From     string
}

// SourceKind is where a source's bytes come from.
type SourceKind string

const (
	SourcePath  SourceKind = "path"  // one file
	SourceGlob  SourceKind = "glob"  // every file matching a pattern
	SourceInbox SourceKind = "inbox" // a folder: files are moved to inbox/done or inbox/failed after loading
	SourceURL   SourceKind = "url"   // an HTTP(S) feed
)

// AsOf says how a source's as-of date is chosen when its rows and title give none.
type AsOf string

const (
	AsOfFile  AsOf = "file"  // from the rows or title; else the run period's last day (the default)
	AsOfToday AsOf = "today" // the day the file is pulled (config time zone): for live feeds
)

// Source is one configured input.
type Source struct {
	Name     string
	Dataset  ntm.Dataset
	Kind     SourceKind
	Location string // the path, glob pattern, inbox folder or URL
	AsOf     AsOf
	Headers  map[string]string // HTTP only; "${VAR}" in a value is read from the environment
	Timeout  time.Duration     // HTTP only; 0 = Network.Timeout
	Line     int               // where the source is defined in the file (0 = built in)
}

// Step names of a job.
const (
	StepPull     = "pull"     // pull the job's sources
	StepEvaluate = "evaluate" // evaluate the run's period
	StepReport   = "report"   // write the period's workbooks
)

// PeriodRule says which period a run evaluates when none is given.
type PeriodRule string

const (
	// PeriodYesterday: the month containing yesterday (config time zone). A run at 02:00 on
	// 1 December closes November; from the 2nd on, December so far. The default.
	PeriodYesterday PeriodRule = "yesterday"
	PeriodCurrent   PeriodRule = "current"  // the month containing now
	PeriodPrevious  PeriodRule = "previous" // the month before now's
)

// Job is a named sequence of steps, optionally on a schedule.
type Job struct {
	Name     string
	Schedule string        // cron expression ("" = manual only); config time zone
	Cron     cron.Schedule // Schedule parsed (nil when "")
	Steps    []string      // StepPull, StepEvaluate, StepReport, in order
	Sources  []string      // sources the pull step reads; empty = every source
	Period   PeriodRule
	Line     int
}

// Console holds the web console's users.
type Console struct {
	Users      []User
	SessionTTL time.Duration // default 12h
	// InsecureCookie drops the Secure flag of the session cookie: only for a console reached
	// over plain HTTP on a trusted network (behind HTTPS or on localhost, leave it false).
	InsecureCookie bool
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For
	// header names the client. A request from any other peer is taken to come from that peer:
	// its X-Forwarded-For is ignored, so a client cannot choose the address it is limited by.
	TrustedProxies []netip.Prefix
}

// User is a console login; the password is stored only as a bcrypt hash.
type User struct {
	Name         string
	PasswordHash string
}

// API holds the tokens scripts use.
type API struct {
	Tokens []Token
}

// Token is one API token: its SHA-256 (hex) from the file, or its value from an environment
// variable. Tokens are long random strings, so a fast hash is enough; compare in constant time.
type Token struct {
	Name   string
	SHA256 string // lower-case hex of the token's SHA-256
}

// Default returns the built-in configuration: the local database, the nightly job at 02:00
// without sources, reports under ./reports.
func Default() *Config {
	loc, _ := time.LoadLocation(DefaultTimeZone)
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	c := &Config{
		TimeZone:    DefaultTimeZone,
		Location:    loc,
		Listen:      "127.0.0.1:8080",
		UploadLimit: 50 << 20,
		Network:     Network{Timeout: 60 * time.Second, Retries: 3, Backoff: 2 * time.Second, MaxDownload: DefaultMaxDownload},
		Reports:     Reports{OutDir: "ntm-reports", Recipients: map[string][]string{}, SMTP: SMTP{Port: 587}},
		Console:     Console{SessionTTL: 12 * time.Hour},
	}
	c.Jobs = []Job{nightlyDefault()}
	return c
}

// NightlySchedule is the schedule of the built-in nightly job.
const NightlySchedule = "0 2 * * *"

func nightlyDefault() Job {
	s, _ := ParseSchedule(NightlySchedule)
	return Job{Name: "nightly", Schedule: NightlySchedule, Cron: s,
		Steps: []string{StepPull, StepEvaluate, StepReport}, Period: PeriodYesterday}
}

// Job returns the named job.
func (c *Config) Job(name string) (Job, bool) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// JobNames lists the configured jobs.
func (c *Config) JobNames() []string {
	var s []string
	for _, j := range c.Jobs {
		s = append(s, j.Name)
	}
	return s
}

// Source returns the named source.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// SourcesOf lists the sources a job's pull step reads.
func (c *Config) SourcesOf(j Job) []Source {
	if len(j.Sources) == 0 {
		return c.Sources
	}
	var out []Source
	for _, n := range j.Sources {
		if s, ok := c.Source(n); ok {
			out = append(out, s)
		}
	}
	return out
}

// PeriodAt is the period a job evaluates when run at t without --period.
func (j Job) PeriodAt(t time.Time, loc *time.Location) ntm.Period {
	if loc != nil {
		t = t.In(loc)
	}
	switch j.Period {
	case PeriodCurrent:
		return ntm.PeriodOf(t)
	case PeriodPrevious:
		return ntm.PeriodOf(t).Prev()
	default:
		return ntm.PeriodOf(t.AddDate(0, 0, -1))
	}
}

// CheckPassword tells whether name and password match a console user. It spends a bcrypt
// comparison even for an unknown name, so the answer's timing does not reveal which names exist.
func (c *Config) CheckPassword(name, password string) bool {
	dummyOnce.Do(func() {
		b, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
		dummyHash = string(b)
	})
	hash := dummyHash
	found := false
	for _, u := range c.Console.Users {
		if subtle.ConstantTimeCompare([]byte(u.Name), []byte(name)) == 1 {
			hash, found = u.PasswordHash, true
		}
	}
	ok := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	return ok && found
}

// dummyHash is compared against for unknown users, made once.
var (
	dummyOnce sync.Once
	dummyHash string
)

// CheckToken returns the name of the API token equal to token, comparing in constant time.
func (c *Config) CheckToken(token string) (name string, ok bool) {
	if token == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	got := hex.EncodeToString(sum[:])
	for _, t := range c.API.Tokens {
		if subtle.ConstantTimeCompare([]byte(t.SHA256), []byte(got)) == 1 {
			name, ok = t.Name, true
		}
	}
	return name, ok
}

// HashToken is the SHA-256 (hex) to write in the config for a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashPassword is the bcrypt hash to write in the config for a console password.
func HashPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(b), err
}

// ParseSchedule parses a cron expression: five fields (minute hour day-of-month month
// day-of-week) or a descriptor (@daily, @every 1h). A malformed expression is an error, never
// a panic (robfig/cron panics on some inputs).
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("schedule %q is not a valid cron expression", spec)
		}
	}()
	if strings.HasPrefix(strings.TrimSpace(spec), "TZ=") || strings.HasPrefix(strings.TrimSpace(spec), "CRON_TZ=") {
		return nil, fmt.Errorf("schedule %q sets its own time zone: set time_zone for the whole file instead", spec)
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil || d < time.Minute {
			return nil, fmt.Errorf("schedule %q is not valid: @every needs a duration of at least 1m, such as \"@every 6h\"", spec)
		}
	}
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err = p.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q is not a valid cron expression (minute hour day month weekday, e.g. \"0 2 * * *\"): %v", spec, err)
	}
	return s, nil
}

// ResolvePath chooses the config file: the flag, else NTM_CONFIG, else ./ntm.yaml when it
// exists, else "" (built-in defaults).
func ResolvePath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv(EnvConfig); v != "" {
		return v
	}
	if st, err := os.Stat(DefaultPath); err == nil && st.Mode().IsRegular() {
		return DefaultPath
	}
	return ""
}

// Load reads and validates the config file at path ("" = defaults only) and applies the
// environment overrides. A *Errors lists every mistake with its line and column.
func Load(path string) (*Config, error) {
	var c *Config
	if path == "" {
		c = Default()
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read the config file %s: %w", path, err)
		}
		var errs *Errors
		c, errs = Parse(b)
		if errs != nil {
			errs.File = path
			return nil, errs
		}
		c.File = path
		if !filepath.IsAbs(c.Reports.OutDir) {
			// A relative report folder is relative to the config file, so a daemon started
			// from another directory writes to the same place.
			c.Reports.OutDir = filepath.Join(filepath.Dir(path), c.Reports.OutDir)
		}
		for i, s := range c.Sources {
			if s.Kind != SourceURL && !filepath.IsAbs(s.Location) {
				c.Sources[i].Location = filepath.Join(filepath.Dir(path), s.Location)
			}
		}
	}
	c.applyEnv()
	return c, nil
}

// applyEnv applies the environment overrides for secrets and the listen address.
func (c *Config) applyEnv() {
	if v := os.Getenv(EnvDatabaseURL); v != "" {
		c.DatabaseURL = v
	}
	if v := os.Getenv(EnvSMTPPassword); v != "" {
		c.Reports.SMTP.Password = v
	}
	if v := os.Getenv(EnvListen); v != "" {
		c.Listen = v
	}
	if v := os.Getenv(EnvAPIToken); v != "" {
		c.API.Tokens = append(c.API.Tokens, Token{Name: "env", SHA256: HashToken(v)})
	}
}
