package transform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"ntm"
	"ntm/dataset"
)

// The rows a load writes point at their batch; the rule is checked once per statement instead of
// by a foreign key row by row (migration 00068). These tests hold it to what the key did.

// batchRowTables are the tables whose rows the rule covers: every fact table, rejected and skipped
// rows. The record-level facts are the one table without the insert check (never had a key: a
// million rows a year), but a deleted batch takes them too.
func batchRowTables() []string {
	var ts []string
	for _, d := range dataset.All {
		for _, t := range d.Tables {
			if !contains(ts, t.Name) {
				ts = append(ts, t.Name)
			}
		}
	}
	return append(ts, "rejected_row", "skipped_row")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestBatchRuleEveryTable(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	var body string
	if err := pool.QueryRow(ctx, `SELECT prosrc FROM pg_proc WHERE proname = 'batch_delete_rows'`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range batchRowTables() {
		if !strings.Contains(body, "DELETE FROM "+tbl+" WHERE") {
			t.Errorf("deleting a batch leaves the rows of %s", tbl)
		}
		if tbl == "fact_dvc_dossier_record" {
			continue
		}
		for _, ev := range []string{"INSERT", "UPDATE"} {
			n := count(t, pool, `SELECT count(*) FROM information_schema.triggers
				WHERE event_object_table = $1 AND event_manipulation = $2 AND action_statement = 'EXECUTE FUNCTION batch_rows_check()'
				  AND action_orientation = 'STATEMENT' AND action_timing = 'AFTER'`, tbl, ev)
			if n != 1 {
				t.Errorf("%s: %d statement checks of the batch on %s", tbl, n, ev)
			}
		}
	}
	// No row-by-row key from these tables to batch is left.
	if n := count(t, pool, `SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'batch'::regclass
		AND conrelid::regclass::text = ANY ($1)`, batchRowTables()); n != 0 {
		t.Errorf("%d foreign keys to batch left on the bulk tables", n)
	}
}

func TestBatchRuleRefusesRowsWithoutBatch(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	rep, err := NewLoader(pool, nil).LoadFile(ctx, messyVpostcode(t, t.TempDir()), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	isFK := func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23503"
	}
	// A row naming no batch, alone or among rows of an existing batch, is refused with the
	// foreign key's SQLSTATE, by INSERT, COPY and UPDATE alike.
	for _, q := range []string{
		`INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		 VALUES (987654, 1, '06469-001', '2024-11-30', 1, 1, 0, 0)`,
		`INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		 SELECT b, 1, '06469-001', '2024-11-30', 1, 1, 0, 0 FROM unnest(ARRAY[$1::bigint, 987654]) AS b`,
		`UPDATE fact_vpostcode SET batch_id = 987654 WHERE batch_id = $1`,
		`INSERT INTO rejected_row (batch_id, row_no, reason) VALUES (987654, 1, 'x')`,
		`INSERT INTO skipped_row (batch_id, row_from, row_to, rows, reason) VALUES (987654, 1, 1, 1, 'blank')`,
		`INSERT INTO fact_dvc_dossiers (batch_id, row_no, unit_code, period_from, period_to, received, full_online)
		 VALUES (987654, 1, '06469', '2024-01-01', '2024-12-31', 1, 1)`,
	} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, rep.BatchID)
		}
		_, err := pool.Exec(ctx, q, args...)
		if !isFK(err) || !strings.Contains(err.Error(), "batch 987654 does not exist") {
			t.Errorf("%s: err = %v, want the batch rule's 23503", q, err)
		}
	}
	src := []string{"batch_id", "row_no", "village_code", "as_of", "households_total", "households_with", "orgs_total", "orgs_with"}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	_, err = conn.Conn().PgConn().CopyFrom(ctx, strings.NewReader("987654\t1\t06469-001\t2024-11-30\t1\t1\t0\t0\n"),
		`COPY fact_vpostcode (`+strings.Join(src, ", ")+`) FROM STDIN`)
	if !isFK(err) {
		t.Errorf("COPY: err = %v, want 23503", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id <> $1`, rep.BatchID); n != 0 {
		t.Errorf("%d rows without a batch written", n)
	}
	// Rows of an existing batch, and an empty statement, pass.
	if _, err := pool.Exec(ctx, `INSERT INTO rejected_row (batch_id, row_no, reason) VALUES ($1, 99, 'x')`, rep.BatchID); err != nil {
		t.Error(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE fact_vpostcode SET row_no = row_no WHERE batch_id = -1`); err != nil {
		t.Error(err)
	}
	// A batch's id never changes.
	if _, err := pool.Exec(ctx, `UPDATE batch SET id = 987654 WHERE id = $1`, rep.BatchID); !isFK(err) {
		t.Errorf("batch id changed: %v", err)
	}
}

// A load holds its batch as the foreign key did: a batch cannot be deleted under a transaction
// that wrote rows into it until that transaction ends.
func TestBatchRuleLocksTheBatch(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO batch (dataset, source_uri, sha256, status) VALUES ('vpostcode', 'x', 'abc', 'loaded') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO rejected_row (batch_id, row_no, reason) VALUES ($1, 1, 'x')`, id); err != nil {
		t.Fatal(err)
	}
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `SET LOCAL lock_timeout = '200ms'`); err != nil {
		t.Fatal(err)
	}
	_, err = other.Exec(ctx, `DELETE FROM batch WHERE id = $1`, id)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "55P03" {
		t.Fatalf("deleting a batch being written into: err = %v, want a lock timeout", err)
	}
}

// Deleting a batch deletes its rows in every table, and nothing of other batches; a load that
// fails leaves neither batch nor rows, and the same bytes load once.
func TestBatchRuleDeleteAndLoad(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	l := NewLoader(pool, nil)
	keep, err := l.LoadFile(ctx, messyVpostcode(t, dir), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := writeCSV(t, dir, "vp.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "100", "90", "0", "0", "31/10/2024"},
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", "100", "90", "0", "0", "31/10/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", "100", "90", "0", "0", "31/10/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Hòa Bình", "100", "90", "0", "0", "31/10/2024"},
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Không Có", "100", "90", "0", "0", "31/10/2024"},
		[]string{"", "", "", "", "", "", "", ""},
	), ',', false)
	gone, err := l.LoadFile(ctx, path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if gone.RowsLoaded != 4 || gone.RowsRejected != 1 {
		t.Fatalf("loaded %d, rejected %d: %+v", gone.RowsLoaded, gone.RowsRejected, gone)
	}
	again, err := l.LoadFile(ctx, path, LoadOptions{})
	if err != nil || !again.AlreadyLoaded {
		t.Fatalf("the same bytes again: %+v %v", again, err)
	}
	rowsOf := func(id int64) (n int) {
		for _, tbl := range append(batchRowTables(), "batch_sheet") {
			n += count(t, pool, `SELECT count(*) FROM `+tbl+` WHERE batch_id = $1`, id)
		}
		return n
	}
	keepRows := rowsOf(keep.BatchID)
	if rowsOf(gone.BatchID) < 3 || keepRows == 0 {
		t.Fatalf("rows before: %d and %d", rowsOf(gone.BatchID), keepRows)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM batch WHERE id = $1`, gone.BatchID); err != nil {
		t.Fatal(err)
	}
	if n := rowsOf(gone.BatchID); n != 0 {
		t.Errorf("%d rows of the deleted batch left", n)
	}
	if n := rowsOf(keep.BatchID); n != keepRows {
		t.Errorf("the other batch has %d rows, had %d", n, keepRows)
	}
	// Every batch at once.
	if _, err := pool.Exec(ctx, `DELETE FROM batch`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode`); n != 0 {
		t.Errorf("%d facts left after deleting every batch", n)
	}
}

// A load's own transaction ends with its last statements and COMMIT in one round trip: a
// failure at COMMIT (here a deferred check) leaves nothing, says so, and the pool goes on.
func TestLoadCommitFailsLeavesNothing(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `
		CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused at commit (test)'; END $$;
		CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON fact_vpostcode DEFERRABLE INITIALLY DEFERRED
		FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	before := count(t, pool, `SELECT count(*) FROM batch`)
	l := NewLoader(pool, nil)
	_, err := l.LoadFile(ctx, messyVpostcode(t, dir), LoadOptions{})
	var e *ntm.Error
	if !errors.As(err, &e) || !strings.Contains(e.Cause(), "refused at commit (test)") {
		t.Fatalf("err = %v", err)
	}
	assertNothingLoaded(t, pool)
	for _, tbl := range []string{"rejected_row", "skipped_row", "batch_sheet"} {
		if n := count(t, pool, `SELECT count(*) FROM `+tbl); n != 0 {
			t.Errorf("%s: %d rows", tbl, n)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != before {
		t.Errorf("batches %d, want %d", n, before)
	}
	if _, err := pool.Exec(ctx, `DROP TRIGGER refuse ON fact_vpostcode`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // every connection of the pool is usable, none left in a transaction
		rep, err := l.LoadFile(ctx, messyVpostcode(t, dir), LoadOptions{})
		if err != nil || (i == 0) == rep.AlreadyLoaded || rep.BatchID == 0 {
			t.Fatalf("load %d after the failure: %+v %v", i, rep, err)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`); n != 0 {
		t.Errorf("%d connections idle in a transaction", n)
	}
}

// A load's look-ups of its bytes among earlier batches use an index, not a scan of every batch
// (migration 00069): with many batches the scan was most of a small file's server time.
func TestBatchLookupsUseAnIndex(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO batch (dataset, source_uri, sha256, status)
		SELECT 'vpostcode', 'x', md5(i::text), CASE WHEN i % 10 = 0 THEN 'rejected' ELSE 'loaded' END
		FROM generate_series(1, 20000) AS i; ANALYZE batch`); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"find_batch.sql":       {findBatchSQL, []any{"vpostcode", "abc", 0}},
		"begin_load_batch.sql": {beginLoadBatchSQL, []any{"vpostcode", "u", "f", 1, "abc", nil}},
	} {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var plan string
		err = tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+q.sql, q.args...).Scan(&plan)
		tx.Rollback(ctx) //nolint:errcheck
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var root []struct{ Plan planNode }
		if err := json.Unmarshal([]byte(plan), &root); err != nil || len(root) != 1 {
			t.Fatalf("%s: %v %s", name, err, plan)
		}
		if root[0].Plan.scans("batch") {
			t.Errorf("%s scans batch: %s", name, plan)
		}
	}
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

func (n planNode) scans(rel string) bool {
	if n.NodeType == "Seq Scan" && n.Relation == rel {
		return true
	}
	for _, c := range n.Plans {
		if c.scans(rel) {
			return true
		}
	}
	return false
}

// A file's few skipped runs go with the batch's last statements, many by COPY: the rows stored
// are the same either way.
func TestSkippedRowsInsertedOrCopied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var got [2][]SkippedRows
	for i, copied := range []bool{false, true} {
		pool := seededDB(t)
		l := NewLoader(pool, nil)
		l.copySkipped = copied
		rep, err := l.LoadFile(ctx, messyVpostcode(t, t.TempDir()), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got[i], err = SkippedRowsOf(ctx, pool, rep.BatchID, 100); err != nil {
			t.Fatal(err)
		}
		if len(got[i]) == 0 || sumRows(got[i]) != rep.RowsSkipped {
			t.Fatalf("copied %v: %d runs stored for %d rows skipped", copied, len(got[i]), rep.RowsSkipped)
		}
	}
	if fmt.Sprint(got[0]) != fmt.Sprint(got[1]) {
		t.Errorf("inserted %v\ncopied   %v", got[0], got[1])
	}
}

func sumRows(runs []SkippedRows) (n int) {
	for _, s := range runs {
		n += s.Rows
	}
	return n
}
