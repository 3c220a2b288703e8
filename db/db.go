// Package db owns ntm's PostgreSQL plumbing: choosing the database URL, finding or
// starting a local server (docs/cli.md), the connection pool and the embedded migrations.
// Query functions elsewhere take a Querier so they run alike in a transaction or on the pool.
package db

import (
	"context"
	"embed"
	"fmt"
	"net/url"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Querier is what query functions need: a pool, a connection or a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

var (
	_ Querier = (*pgxpool.Pool)(nil)
	_ Querier = (pgx.Tx)(nil)
)

// URLFromEnv returns the database URL from the flag value, then NTM_DATABASE_URL, then
// DATABASE_URL, then the config file's value; "" means "use the local server".
func URLFromEnv(flagValue, configValue string) string {
	for _, v := range []string{flagValue, os.Getenv("NTM_DATABASE_URL"), os.Getenv("DATABASE_URL"), configValue} {
		if v != "" {
			return v
		}
	}
	return ""
}

// Redact hides the password of a database URL so it can be logged.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open connects a pool to url with an explicit size and checks that the server answers.
func Open(ctx context.Context, rawURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database URL %s is not valid: %w", Redact(rawURL), err)
	}
	if cfg.MaxConns > 8 || cfg.MaxConns < 2 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Redact(rawURL), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s does not answer: %w", Redact(rawURL), err)
	}
	return pool, nil
}
