package console

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// DefaultUploadDir is the staging folder when none is configured: one per OS user under the
// temporary folder, "ntm-uploads-<uid>".
func DefaultUploadDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("ntm-uploads-%d", os.Getuid()))
}

// privateDir makes dir the staging folder: created by ntm with mode 0700, or, when it exists,
// a real folder (not a symbolic link) owned by this user that nobody else can enter. One that
// is ours but open to others is closed (chmod 0700); one owned by someone else is refused,
// since whoever owns it could swap a checked file before it is loaded.
func privateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("console: create the parent of the upload staging folder %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("console: create the upload staging folder %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("console: upload staging folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("console: the upload staging folder %s is not a folder (a symbolic link or a file); remove it or set another", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("console: the upload staging folder %s belongs to user id %d, not to this user (%d): another user could swap staged files; remove it or set another", dir, st.Uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("console: close the upload staging folder %s to other users: %w", dir, err)
		}
	}
	return nil
}
