package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm/db/dbtest"
	"ntm/sample"
)

// ntmRun runs one command line in-process and returns its exit code and output.
func ntmRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	if code, out, _ := ntmRun(t, "-h"); code != exitOK || !strings.Contains(out, "ntm ingest") {
		t.Fatalf("ntm -h: code %d, output %q", code, out)
	}
	if code, _, errs := ntmRun(t, "frobnicate"); code != exitUsage || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: code %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{
		{"evaluate"},
		{"evaluate", "--period", "2024-13"},
		{"results", "--period", "2024-12", "--format", "xml"},
		{"results", "--period", "2024-12", "--level", "hamlet"},
		{"ingest"},
		{"ingest", "--dataset", "nonsense", "x.xlsx"},
		{"batch", "revoke", "abc"},
		{"units"},
	} {
		code, _, errs := ntmRun(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit code %d, want %d (stderr %q)", args, code, exitUsage, errs)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || errs == "" {
			t.Errorf("%v: stderr should be one sentence, got %q", args, errs)
		}
	}
	for _, name := range []string{"demo", "migrate", "ingest", "check", "evaluate", "results", "report"} {
		if code, out, _ := ntmRun(t, name, "-h"); code != exitOK || !strings.Contains(out, "usage:") {
			t.Errorf("ntm %s -h: code %d, output %q", name, code, out)
		}
	}
}

func TestIngestRejectedFileStillLoadsTheOthers(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	man, err := sample.LangSon(sample.Options{Dir: dir, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var unitsFile, surveyFile string
	for _, f := range man.Files {
		switch {
		case f.Dataset == "units" && unitsFile == "":
			unitsFile = f.Path
		case f.Dataset == "village_survey" && surveyFile == "" && f.AsOf == nil:
			surveyFile = f.Path
		}
	}
	if code, out, errs := ntmRun(t, "units", "import", unitsFile, "--database-url", url); code != exitOK {
		t.Fatalf("units import: %d %s %s", code, out, errs)
	}
	junk := filepath.Join(dir, "junk.csv")
	if err := os.WriteFile(junk, []byte("a,b,c\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := ntmRun(t, "ingest", "--database-url", url, junk, surveyFile)
	if code != exitFailure {
		t.Fatalf("ingest with a junk file: exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "junk.csv: BỊ LOẠI TOÀN BỘ (-): ") || !strings.Contains(out, "village_survey, lô số") {
		t.Errorf("ingest output:\n%s", out)
	}
	// The same file again: already loaded, exit 0.
	code, out, _ = ntmRun(t, "ingest", "--database-url", url, surveyFile)
	if code != exitOK || !strings.Contains(out, ": đã nạp trước đây: lô số ") {
		t.Errorf("second ingest: exit %d\n%s", code, out)
	}
	code, out, _ = ntmRun(t, "batch", "list", "--database-url", url)
	if code != exitOK || !strings.Contains(out, "rejected") || !strings.Contains(out, "village_survey") {
		t.Errorf("batch list: exit %d\n%s", code, out)
	}
	missing := filepath.Join(dir, "khong-co.xlsx")
	code, _, errs = ntmRun(t, "ingest", "--database-url", url, missing)
	if code != exitFailure || strings.Count(errs, missing) != 2 || !strings.Contains(errs, "kiểm tra đường dẫn") {
		// Named once in the reason and once in the closing count, and told what to do.
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
	if code, out, errs = ntmRun(t, "batch", "revoke", "999", "--database-url", url); code != exitFailure {
		t.Errorf("revoking a missing batch: exit %d\n%s%s", code, out, errs)
	}
}
