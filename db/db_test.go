package db_test

import (
	"context"
	"testing"

	"ntm/db"
	"ntm/db/dbtest"
)

func TestMigratedSchemaHasBuiltInCriteria(t *testing.T) {
	pool := dbtest.New(t)
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM criterion WHERE set_key = 'langson-2021'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 11 {
		t.Fatalf("built-in criteria: got %d, want 11", n)
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	url := dbtest.URL(t)
	if err := db.Migrate(context.Background(), url); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

func TestRedactHidesPassword(t *testing.T) {
	got := db.Redact("postgres://ntm:s3cret@db.example:5432/ntm")
	if got != "postgres://ntm:xxxxx@db.example:5432/ntm" {
		t.Fatalf("got %s", got)
	}
}
