package transform

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
)

// connTx is a load's transaction on a connection of its own taken from the pool, begun and ended
// by statements pipelined with others instead of round trips of their own (a small file's load is
// mostly round trips, docs/performance.md "Small files"): BEGIN goes with the look-up of the
// file's bytes among earlier batches, COMMIT with the batch's sheets and counts. It behaves as
// pgx's transaction otherwise; a connection given back to the pool inside a transaction (a
// failed COMMIT or ROLLBACK) is closed by the pool, not reused.
type connTx struct {
	c      *pgx.Conn
	pc     *pgxpool.Conn
	closed bool
}

var _ pgx.Tx = (*connTx)(nil)

// beginFind takes a connection from pool and, in one round trip, begins a transaction on it
// and, when d is known, looks up the batch that already holds these bytes (findBatch with no
// reload). With such a batch, the transaction is rolled back and released and its id returned.
func beginFind(ctx context.Context, pool *pgxpool.Pool, d ntm.Dataset, sum string) (tx *connTx, id, replacedBy int64, err error) {
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	tx = &connTx{c: pc.Conn(), pc: pc}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if d != "" {
		b.Queue(findBatchSQL, string(d), sum, int64(0)).QueryRow(func(row pgx.Row) error {
			var by *int64
			err := row.Scan(&id, &by)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if by != nil {
				replacedBy = *by
			}
			if err != nil {
				return fmt.Errorf("look up earlier batches: %w", err)
			}
			return nil
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the error is err
		return nil, 0, 0, err
	}
	if id != 0 {
		if err := tx.Rollback(ctx); err != nil {
			return nil, 0, 0, err
		}
		return nil, id, replacedBy, nil
	}
	return tx, 0, 0, nil
}

// commitWith runs b's statements and COMMIT in one round trip; the transaction is over after it,
// whatever the outcome.
func (tx *connTx) commitWith(ctx context.Context, b *pgx.Batch) error {
	if tx.closed {
		return pgx.ErrTxClosed
	}
	var tag string
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		tag = ct.String()
		return nil
	})
	err := tx.SendBatch(ctx, b).Close()
	if err != nil {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the error is err
		return err
	}
	tx.end()
	if tag == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Begin is not used by a load (a savepoint inside it).
func (tx *connTx) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("transform: no nested transaction in a load's own transaction")
}

func (tx *connTx) Commit(ctx context.Context) error {
	return tx.commitWith(ctx, &pgx.Batch{})
}

// Rollback ends the transaction and gives the connection back; after the end it does nothing
// but say so, as pgx's transaction does.
func (tx *connTx) Rollback(ctx context.Context) error {
	if tx.closed {
		return pgx.ErrTxClosed
	}
	_, err := tx.c.Exec(ctx, "ROLLBACK")
	if err != nil {
		tx.c.Close(ctx) //nolint:errcheck // the error is err; the pool drops a closed connection
	}
	tx.end()
	return err
}

func (tx *connTx) end() {
	tx.closed = true
	tx.pc.Release()
}

func (tx *connTx) Conn() *pgx.Conn { return tx.c }

func (tx *connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return tx.c.Exec(ctx, sql, args...)
}

func (tx *connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return tx.c.Query(ctx, sql, args...)
}

func (tx *connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return tx.c.QueryRow(ctx, sql, args...)
}

func (tx *connTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	return tx.c.CopyFrom(ctx, table, columns, src)
}

func (tx *connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return tx.c.SendBatch(ctx, b)
}

func (tx *connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return tx.c.Prepare(ctx, name, sql)
}

func (tx *connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
