package scratch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// What a dead process left is removed; what a live one (this test) made, and files of other
// programs, stay.
func TestSweepRemovesOnlyWhatDeadProcessesLeft(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	mine, err := CreateTemp(dir, "keys")
	if err != nil {
		t.Fatal(err)
	}
	mine.Close()
	names := map[string]bool{ // name → must be removed
		"ntm-keys-" + strconv.Itoa(dead) + "-123":             true,
		"ntm-fetch-" + strconv.Itoa(dead) + "-99":             true,
		".a.xlsx.ntm-report-" + strconv.Itoa(dead) + "-7.raw": true,
		filepath.Base(mine.Name()):                            false,
		"ntm-demo-national":                                   false,
		"ntm-keys-1-notdigits":                                false,
		"notes-ntm-keys-" + strconv.Itoa(dead) + "-1":         false,
		"ntm-keys-424242":                                     true,  // old name, a day old
		"ntm-fetch-434343":                                    false, // old name, fresh
	}
	for n := range names {
		if n == filepath.Base(mine.Name()) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(filepath.Join(dir, "ntm-keys-424242"), old, old)
	if _, err := Sweep(dir); err != nil {
		t.Fatal(err)
	}
	for n, gone := range names {
		_, err := os.Stat(filepath.Join(dir, n))
		if gone != os.IsNotExist(err) {
			t.Errorf("%s: removed = %v, want %v", n, os.IsNotExist(err), gone)
		}
	}
}
