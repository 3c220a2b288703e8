package db

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPrivateClusterStarts checks the fallback of docs/cli.md ("The database"): with no server answering, ntm
// initialises and starts a cluster of its own (as the postgres OS user when run as root).
func TestPrivateClusterStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("initdb takes a few seconds")
	}
	bin, err := postgresBinDir()
	if err != nil {
		t.Skipf("PostgreSQL server binaries are not installed: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "pgdata")
	t.Setenv("NTM_PGDATA", dir)
	ctx := context.Background()
	u, err := startPrivateCluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		args := []string{filepath.Join(bin, "pg_ctl"), "-D", dir, "-m", "immediate", "stop"}
		if os.Geteuid() == 0 {
			args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
		}
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Logf("stop the private cluster: %v: %s", err, out)
		}
	})
	if err := ensureDatabase(ctx, u, LocalDatabase); err != nil {
		t.Fatal(err)
	}
	dbURL := *u
	dbURL.Path = "/" + LocalDatabase
	if err := Migrate(ctx, dbURL.String()); err != nil {
		t.Fatalf("migrate the private cluster's database: %v", err)
	}
	// Started again (a second ntm command), it finds the running cluster among the candidates.
	found := false
	for _, c := range localCandidates() {
		if c.Query().Get("host") == dir && ping(ctx, c.String()) == nil {
			found = true
		}
	}
	if !found {
		t.Fatal("the running private cluster is not among the local candidates")
	}
}
