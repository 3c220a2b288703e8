package jobs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ntm/config"
)

// Inbox subfolders: a file leaves the inbox once handled, so it is never read twice.
const (
	InboxDone   = "done"   // loaded, or already loaded before
	InboxFailed = "failed" // rejected whole, or unreadable
)

// localFiles lists the files a path, glob or inbox source offers now, sorted by name, and the
// entries of a glob or an inbox that are not files ntm can read (a FIFO, a socket, a device, a
// link to none of these): the pull refuses each with a sentence rather than pass them over.
// Folders (the inbox's own done/ and failed/ among them) are passed over.
func localFiles(src config.Source) (files, irregular []string, err error) {
	switch src.Kind {
	case config.SourcePath:
		st, err := os.Stat(src.Location)
		if err != nil {
			return nil, nil, fmt.Errorf("file %s of source %q cannot be read: %w", src.Location, src.Name, err)
		}
		if !st.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("%s of source %q is not a file", src.Location, src.Name)
		}
		return []string{src.Location}, nil, nil
	case config.SourceGlob:
		matches, err := filepath.Glob(src.Location)
		if err != nil {
			return nil, nil, fmt.Errorf("glob %q of source %q: %w", src.Location, src.Name, err)
		}
		for _, m := range matches {
			if skipName(filepath.Base(m)) {
				continue
			}
			switch st, err := os.Stat(m); {
			case err == nil && st.Mode().IsRegular():
				files = append(files, m)
			case err != nil || !st.IsDir():
				irregular = append(irregular, m)
			}
		}
		sort.Strings(files)
		sort.Strings(irregular)
		return files, irregular, nil
	case config.SourceInbox:
		entries, err := os.ReadDir(src.Location)
		if err != nil {
			return nil, nil, fmt.Errorf("inbox folder %s of source %q cannot be read: %w", src.Location, src.Name, err)
		}
		for _, e := range entries {
			path := filepath.Join(src.Location, e.Name())
			if skipName(e.Name()) || e.IsDir() {
				continue
			}
			// A link is followed: a link to a file is that file.
			st, err := os.Stat(path)
			if err != nil || !st.Mode().IsRegular() {
				if err == nil && st.IsDir() {
					continue
				}
				irregular = append(irregular, path)
				continue
			}
			// A file still being copied in is left for the next run.
			if time.Since(st.ModTime()) < settleTime {
				continue
			}
			files = append(files, path)
		}
		sort.Strings(files)
		sort.Strings(irregular)
		return files, irregular, nil
	}
	return nil, nil, fmt.Errorf("source %q has no local files", src.Name)
}

// settleTime is how long an inbox file must be left unmodified before it is read.
var settleTime = 2 * time.Second

// skipName tells files that are not exports: hidden files, Excel's lock files (~$name.xlsx)
// and partial downloads or copies.
func skipName(n string) bool {
	lower := strings.ToLower(n)
	return strings.HasPrefix(n, ".") || strings.HasPrefix(n, "~$") ||
		strings.HasSuffix(lower, ".part") || strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".crdownload")
}

// moveTo moves an inbox file into sub (done or failed), prefixing the time so repeated
// names do not overwrite each other. It returns the new path.
func moveTo(file, sub string, now time.Time) (string, error) {
	dir := filepath.Join(filepath.Dir(file), sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	dst := filepath.Join(dir, now.Format("20060102-150405")+"-"+filepath.Base(file))
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); os.IsNotExist(err) {
			break
		}
		dst = filepath.Join(dir, fmt.Sprintf("%s-%d-%s", now.Format("20060102-150405"), i, filepath.Base(file)))
	}
	if err := os.Rename(file, dst); err != nil {
		return "", fmt.Errorf("move %s to %s: %w", file, dir, err)
	}
	return dst, nil
}
