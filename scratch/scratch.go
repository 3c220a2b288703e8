// Package scratch owns ntm's temporary files and folders: it names them after the process that
// made them ("ntm-<kind>-<pid>-<random>" in the system's temporary folder), so that what a
// crashed process (kill -9, power loss) left behind can be told from what a running one is
// using, and Sweep removes the former when the next ntm command starts.
package scratch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// prefix starts the name of everything this package makes.
const prefix = "ntm-"

func pattern(kind string) string {
	if !Kinds[kind] {
		panic("scratch: unknown kind " + kind)
	}
	return fmt.Sprintf("%s%s-%d-*", prefix, kind, os.Getpid())
}

// Pattern is the name pattern (for os.CreateTemp) of a temporary file of that kind made by this
// process; callers that make their own files (the workbook writer) use it to be swept too.
func Pattern(kind string) string { return pattern(kind) }

// CreateTemp creates a temporary file of the given kind ("keys", "spill") in dir ("" = the
// system's temporary folder).
func CreateTemp(dir, kind string) (*os.File, error) {
	return os.CreateTemp(dir, pattern(kind))
}

// MkdirTemp creates a temporary folder of the given kind ("fetch") in the system's temporary
// folder.
func MkdirTemp(kind string) (string, error) {
	return os.MkdirTemp("", pattern(kind))
}

// Sweep removes from dir ("" = the system's temporary folder) what ntm processes that no longer
// run left there, and returns the paths removed. Names without a process id (made by older
// versions: "ntm-keys-123", "ntm-fetch-123") are removed when a day old.
func Sweep(dir string) ([]string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !Stale(e.Name(), func() (time.Time, bool) {
			info, err := e.Info()
			if err != nil {
				return time.Time{}, false
			}
			return info.ModTime(), true
		}) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// Stale reports whether a name made by this package (or by the workbook writer's
// ".<name>.ntm-<pid>-…" temporary files) belongs to a process that is gone; modTime is asked
// for names without a process id.
func Stale(name string, modTime func() (time.Time, bool)) bool {
	i := strings.Index(name, prefix)
	if i < 0 || i > 0 && !strings.HasPrefix(name, ".") {
		return false
	}
	parts := strings.Split(name[i+len(prefix):], "-")
	if len(parts) == 3 && Kinds[parts[0]] {
		if pid, err := strconv.Atoi(parts[1]); err == nil && pid > 0 && digits(strings.TrimSuffix(parts[2], ".raw")) {
			return !alive(pid)
		}
	}
	if i > 0 || len(parts) != 2 || parts[0] != "keys" && parts[0] != "fetch" {
		return false
	}
	t, ok := modTime()
	return ok && time.Since(t) > 24*time.Hour
}

// Kinds are the kinds of temporary files and folders ntm makes; Sweep removes no other.
var Kinds = map[string]bool{"keys": true, "spill": true, "fetch": true, "report": true}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// alive reports whether a process with that id exists (on this machine).
func alive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
