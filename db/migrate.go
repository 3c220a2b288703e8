package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for goose
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations is the embedded migration folder (for tests that hash it).
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}

// Migrate applies every pending migration to the database at url. A Postgres session
// lock keeps two processes from migrating at once.
func Migrate(ctx context.Context, rawURL string) error {
	sqlDB, err := sql.Open("pgx", rawURL)
	if err != nil {
		return fmt.Errorf("open %s for migrations: %w", Redact(rawURL), err)
	}
	defer sqlDB.Close()
	return MigrateDB(ctx, sqlDB)
}

// MigrateDB applies pending migrations through an open *sql.DB.
func MigrateDB(ctx context.Context, sqlDB *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	// Out of order: migrations are developed side by side and may land in another order than their
	// numbers; a database that already has a later one must still take an earlier one that arrived after.
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(),
		goose.WithSessionLocker(locker), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
