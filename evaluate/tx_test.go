package evaluate

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db/dbtest"
	"ntm/testkit"
	"ntm/transform"
)

// A file loaded and a period evaluated in one transaction (transform.LoadFileTx, EvaluateTx):
// the evaluation sees the file's facts before anything is committed, and a rollback takes back
// both the batch and the evaluation.
func TestLoadAndEvaluateInOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	if rep, err := transform.ImportUnits(ctx, pool, testkit.UnitsCSV(t), transform.UnitsOptions{}); err != nil || rep.Rejected {
		t.Fatalf("units: %+v %v", rep, err)
	}
	path := testkit.CSV(t, t.TempDir(), "vp.csv", [][]string{
		{"Mã thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
		{"06523-001", "100", "100", "2", "2", "30/11/2024"},
	}, ',', false)
	count := func(q pgxQuerier, sql string) int {
		t.Helper()
		var n int
		if err := q.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	rep, err := transform.NewLoader(pool, nil).LoadFileTx(ctx, tx, path, transform.LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil || rep.RowsLoaded != 1 {
		t.Fatalf("load: %+v %v", rep, err)
	}
	id, err := EvaluateTx(ctx, tx, ntm.Period{Year: 2024, Month: 11})
	if err != nil {
		t.Fatal(err)
	}
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM result WHERE evaluation_id = $1 AND unit_code = '06523-001' AND criterion = 'V4_ADDRESS'`, id).Scan(&status); err != nil || status != string(ntm.StatusMet) {
		t.Fatalf("V4_ADDRESS of 06523-001 in the transaction: %q %v", status, err)
	}
	if n := count(pool, `SELECT count(*) FROM evaluation`); n != 0 {
		t.Errorf("an evaluation not committed is seen outside its transaction: %d", n)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(pool, `SELECT count(*) FROM evaluation`) + count(pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 0 {
		t.Errorf("after the rollback %d evaluations and batches remain", n)
	}
}

type pgxQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
