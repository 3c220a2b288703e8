package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ntm"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ntm.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func problems(t *testing.T, text string) []Problem {
	t.Helper()
	_, err := Load(writeConfig(t, text))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load = %v, want *Errors", err)
	}
	return errs.Problems
}

// want checks that a problem at line:col mentions every fragment.
func want(t *testing.T, ps []Problem, line, col int, fragments ...string) {
	t.Helper()
	for _, p := range ps {
		if p.Line != line || p.Column != col {
			continue
		}
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(p.Message, f)
		}
		if ok {
			return
		}
	}
	t.Errorf("no problem at %d:%d mentioning %q; got:\n%v", line, col, fragments, ps)
}

func TestEveryMistakeNamedWithItsLine(t *testing.T) {
	ps := problems(t, `time_zone: Asia/Hanoi_City
sorces: []
listen: 8080
sources:
  - name: survey
    dataset: village_surveys
    path: a.xlsx
  - name: feed
    dataset: vpostcode
    path: b.xlsx
    url: https://example.org/b.csv
  - name: survey
    dataset: vpostcode
  - dataset: units
    url: ftp://example.org/u.csv
    timeot: 5s
jobs:
  nightly:
    schedule: "0 25 * * *"
  weekly:
    schedule: "@weekly"
    steps: [pull, evaluat]
    sources: [survey, missing]
    period: last
network:
  timeout: soon
console:
  users:
    - name: lan
      password_hash: plain-text
`)
	want(t, ps, 1, 12, "time_zone", "Asia/Hanoi_City")
	want(t, ps, 2, 1, `unknown key "sorces"`, `did you mean "sources"`)
	want(t, ps, 3, 9, "listen", "port")
	want(t, ps, 6, 14, `unknown dataset "village_surveys"`)
	want(t, ps, 11, 5, `both path and url`)
	want(t, ps, 12, 11, `"survey" is used twice`)
	want(t, ps, 12, 5, `says nowhere to read from`)
	want(t, ps, 14, 5, "has no name")
	want(t, ps, 15, 10, "not an http:// or https:// address")
	want(t, ps, 16, 5, `unknown key "timeot"`, `did you mean "timeout"`)
	want(t, ps, 19, 15, "not a valid cron expression")
	want(t, ps, 22, 19, `unknown step "evaluat"`)
	want(t, ps, 23, 23, `names source "missing"`)
	want(t, ps, 24, 13, "period must be")
	want(t, ps, 26, 12, "network.timeout")
	want(t, ps, 30, 22, "not a bcrypt hash")
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Errorf("problems not in file order: %v", ps)
		}
	}
}

func TestInvalidSchedulesAreErrorsNotPanics(t *testing.T) {
	for _, spec := range []string{"", "* * *", "0 2 * * * *", "@every", "@every -1s", "0 2 31 2 *x", "TZ=Asia/Tokyo 0 2 * * *",
		"0 0 0 0 0", "*/0 * * * *", "1-0 * * * *", "0 2 * * 8", "@yearly extra", "60 * * * *", "-1 * * * *"} {
		s, err := ParseSchedule(spec)
		if err == nil && s == nil {
			t.Errorf("ParseSchedule(%q) gave neither a schedule nor an error", spec)
		}
		if spec != "0 2 31 2 *x" && err == nil {
			t.Errorf("ParseSchedule(%q) accepted an invalid schedule", spec)
		}
	}
	ps := problems(t, "jobs:\n  nightly:\n    schedule: \"*/0 * * * *\"\n")
	want(t, ps, 3, 15, "not a valid cron expression")
}

func TestYAMLSyntaxErrorNamesTheLine(t *testing.T) {
	ps := problems(t, "listen: 127.0.0.1:8080\nsources:\n  - name: a\n   dataset: [\n")
	if len(ps) != 1 || ps[0].Line == 0 || !strings.Contains(ps[0].Message, "not valid YAML") {
		t.Fatalf("problems = %v", ps)
	}
}

func TestDefaultsAndEnvironment(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "postgres://ntm:secret@db/ntm")
	t.Setenv(EnvSMTPPassword, "mailpw")
	t.Setenv(EnvAPIToken, "tok-123")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != DefaultTimeZone || c.Location.String() != DefaultTimeZone || c.Listen != "127.0.0.1:8080" {
		t.Fatalf("defaults = %+v", c)
	}
	j, ok := c.Job("nightly")
	if !ok || j.Cron == nil || strings.Join(j.Steps, ",") != "pull,evaluate,report" {
		t.Fatalf("nightly = %+v", j)
	}
	if c.DatabaseURL != "postgres://ntm:secret@db/ntm" || c.Reports.SMTP.Password != "mailpw" {
		t.Fatalf("env not applied: %+v", c)
	}
	if name, ok := c.CheckToken("tok-123"); !ok || name != "env" {
		t.Fatalf("CheckToken = %q %v", name, ok)
	}
	if _, ok := c.CheckToken("tok-124"); ok {
		t.Fatal("a wrong token was accepted")
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	t.Setenv("NTM_DASHBOARD_TOKEN", "dash")
	c, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 4 || len(c.Jobs) != 2 {
		t.Fatalf("example: %d sources, %d jobs", len(c.Sources), len(c.Jobs))
	}
	if s, _ := c.Source("dvc"); s.Kind != SourceURL || s.AsOf != AsOfToday || s.Timeout != 2*time.Minute || s.Dataset != ntm.DatasetDVCDossiers {
		t.Fatalf("dvc source = %+v", s)
	}
	if c.Reports.Recipients["187"][0] != "vanphong@chilang.langson.gov.vn" {
		t.Fatalf("recipients = %v", c.Reports.Recipients)
	}
	if _, ok := c.CheckToken("dash"); !ok {
		t.Fatal("env token not loaded")
	}
	if _, ok := c.CheckToken("test"); !ok { // sha256("test") is in the example
		t.Fatal("sha256 token not loaded")
	}
	if c.MaxFileSize != 512<<20 {
		t.Fatalf("max_file_mb = %d bytes", c.MaxFileSize)
	}
}

// max_file_mb caps local files; out of its range it is a mistake named at its line.
func TestMaxFileSize(t *testing.T) {
	c, err := Load(writeConfig(t, "max_file_mb: 64\n"))
	if err != nil || c.MaxFileSize != 64<<20 {
		t.Fatalf("max_file_mb: 64 → %d, %v", c.MaxFileSize, err)
	}
	want(t, problems(t, "max_file_mb: 0\n"), 1, 14, "max_file_mb")
}

func TestPasswordsAndRelativePaths(t *testing.T) {
	h, err := HashPassword("mật khẩu dài")
	if err != nil {
		t.Fatal(err)
	}
	p := writeConfig(t, "reports:\n  out_dir: out\nsources:\n  - {name: s, dataset: vpostcode, inbox: in}\nconsole:\n  users:\n    - name: lan\n      password_hash: \""+h+"\"\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckPassword("lan", "mật khẩu dài") || c.CheckPassword("lan", "sai") || c.CheckPassword("an", "mật khẩu dài") {
		t.Fatal("CheckPassword gave a wrong answer")
	}
	dir := filepath.Dir(p)
	if c.Reports.OutDir != filepath.Join(dir, "out") || c.Sources[0].Location != filepath.Join(dir, "in") {
		t.Fatalf("paths not relative to the config: %q %q", c.Reports.OutDir, c.Sources[0].Location)
	}
}

func TestPeriodRules(t *testing.T) {
	loc, _ := time.LoadLocation(DefaultTimeZone)
	// 1 December 02:00 in Hà Nội is still 30 November in UTC: the zone matters.
	at := time.Date(2024, 12, 1, 2, 0, 0, 0, loc)
	cases := map[PeriodRule]string{PeriodYesterday: "2024-11", PeriodCurrent: "2024-12", PeriodPrevious: "2024-11"}
	for rule, wantP := range cases {
		if got := (Job{Period: rule}).PeriodAt(at.UTC(), loc).String(); got != wantP {
			t.Errorf("%s at %v = %s, want %s", rule, at, got, wantP)
		}
	}
	if got := (Job{Period: PeriodYesterday}).PeriodAt(time.Date(2024, 12, 2, 2, 0, 0, 0, loc), loc).String(); got != "2024-12" {
		t.Errorf("yesterday on the 2nd = %s", got)
	}
}

func TestResolvePath(t *testing.T) {
	t.Setenv(EnvConfig, "")
	t.Chdir(t.TempDir())
	if got := ResolvePath(""); got != "" {
		t.Fatalf("no file: %q", got)
	}
	os.WriteFile(DefaultPath, []byte("{}\n"), 0o600)
	if got := ResolvePath(""); got != DefaultPath {
		t.Fatalf("./ntm.yaml: %q", got)
	}
	t.Setenv(EnvConfig, "/etc/ntm.yaml")
	if got := ResolvePath(""); got != "/etc/ntm.yaml" {
		t.Fatalf("NTM_CONFIG: %q", got)
	}
	if got := ResolvePath("x.yaml"); got != "x.yaml" {
		t.Fatalf("flag: %q", got)
	}
}
