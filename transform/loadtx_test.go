package transform

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"ntm"
)

// A caller's transaction holds the load until it commits: in it the facts are there (so an
// evaluation in the same transaction sees them); rolled back, nothing of the file remains; a
// file rejected whole inside it is recorded in it, and the transaction stays usable.
func TestLoadFileTxInCallersTransaction(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	l := NewLoader(pool, nil)
	good := writeCSV(t, t.TempDir(), "vp.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
	), ';', true)
	bad := writeCSV(t, t.TempDir(), "vp-bad.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Không Có", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
	), ';', true)

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.LoadFileTx(ctx, tx, good, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil || rep.RowsLoaded != 1 || rep.BatchID == 0 {
		t.Fatalf("load in tx: %+v %v", rep, err)
	}
	var inTx int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1`, rep.BatchID).Scan(&inTx); err != nil || inTx != 1 {
		t.Fatalf("facts seen in the transaction: %d %v", inTx, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 0 {
		t.Errorf("a load not committed is seen outside its transaction: %d batches", n)
	}
	rejected, err := l.LoadFileTx(ctx, tx, bad, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil || !rejected.Rejected {
		t.Fatalf("rejected file in tx: %+v %v", rejected, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 0 {
		t.Errorf("after rollback %d batches remain", n)
	}
	assertNothingLoaded(t, pool)

	// Committed by the caller: the batch and a second, rejected one are stored.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := l.LoadFileTx(ctx, tx, good, LoadOptions{Dataset: ntm.DatasetVpostcode}); err != nil {
			return err
		}
		_, err := l.LoadFileTx(ctx, tx, bad, LoadOptions{Dataset: ntm.DatasetVpostcode})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode' AND status = 'loaded'`); n != 1 {
		t.Errorf("loaded batches %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode' AND status = 'rejected'`); n != 1 {
		t.Errorf("rejected batches %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode`); n != 1 {
		t.Errorf("facts %d", n)
	}
}
