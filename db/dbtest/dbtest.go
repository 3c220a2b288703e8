// Package dbtest gives each test a fresh PostgreSQL database cloned from a migrated
// template (pgtestdb), on the same local server the ntm binary would use.
package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterldowns/pgtestdb"

	"ntm/db"
)

var (
	serverOnce sync.Once
	serverURL  *url.URL
	serverErr  error
)

// migrator applies ntm's embedded migrations to pgtestdb's template database.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	return db.MigrateDB(ctx, sqlDB)
}

// URL returns the URL of a fresh, migrated database that is dropped when the test passes.
func URL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(func() { serverURL, serverErr = db.LocalServer(context.Background()) })
	if serverErr != nil {
		t.Fatalf("no PostgreSQL for tests: %v", serverErr)
	}
	conf := pgtestdb.Config{
		DriverName: "pgx",
		User:       serverURL.User.Username(),
		Database:   "postgres",
		Options:    "sslmode=disable",
	}
	if pw, ok := serverURL.User.Password(); ok {
		conf.Password = pw
	}
	if h := serverURL.Query().Get("host"); h != "" {
		// A Unix socket: pgtestdb formats host:port into the URL, so pass the socket as options.
		port := serverURL.Query().Get("port")
		if port == "" {
			port = "5432"
		}
		conf.Host = "localhost"
		conf.Port = port
		conf.Options = url.Values{"host": {h}, "port": {port}, "sslmode": {"disable"}}.Encode()
	} else {
		conf.Host = serverURL.Hostname()
		conf.Port = serverURL.Port()
		if _, err := strconv.Atoi(conf.Port); err != nil {
			conf.Port = "5432"
		}
	}
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// New returns a pool on a fresh, migrated database, closed when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := db.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
