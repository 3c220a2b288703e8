package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm/db/dbtest"
)

// A file rejected whole exits 1 with one sentence on stderr naming the file (docs/cli.md):
// for ingest, units import and check alike, not only a line on stdout.
func TestRejectedFilesAreNamedOnStderr(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.csv")
	if err := os.WriteFile(junk, []byte("a,b,c\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	units := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, []byte("province_code,commune_code\n20,06466\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"ingest", junk}, []string{"ntm ingest: 1/1 tệp không được nạp", "xem lý do ở các dòng trên", junk}},
		{[]string{"units", "import", units}, []string{"ntm units:", units, "không được nhập", "commune_name"}},
		{[]string{"check", junk}, []string{"ntm check:", junk, "rejected whole"}},
	} {
		code, _, errs := ntmRun(t, append(c.args, "--database-url", url)...)
		if code != exitFailure {
			t.Errorf("%v: exit %d, want 1 (stderr %q)", c.args, code, errs)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: stderr is not one line: %q", c.args, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errs, w)
			}
		}
	}
}
