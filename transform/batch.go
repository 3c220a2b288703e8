package transform

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm/db"
)

// Batch is one loaded (or rejected, or revoked) file.
type Batch struct {
	ID           int64
	Dataset      string
	SourceURI    string
	FileName     string
	SizeBytes    int64
	SHA256       string
	ReceivedAt   time.Time
	AsOf         *time.Time
	RowsRead     int
	RowsLoaded   int
	RowsRejected int
	Status       string // loaded, rejected, revoked
	Message      string
	RevokedAt    *time.Time
	RevokedBy    string
}

// ErrBatchNotFound is wrapped by RevokeBatch and GetBatch for an unknown id.
var ErrBatchNotFound = errors.New("batch not found")

//go:embed sql/list_batches.sql
var listBatchesSQL string

//go:embed sql/revoke_batch.sql
var revokeBatchSQL string

func scanBatch(row pgx.Row) (Batch, error) {
	var b Batch
	err := row.Scan(&b.ID, &b.Dataset, &b.SourceURI, &b.FileName, &b.SizeBytes, &b.SHA256, &b.ReceivedAt, &b.AsOf,
		&b.RowsRead, &b.RowsLoaded, &b.RowsRejected, &b.Status, &b.Message, &b.RevokedAt, &b.RevokedBy)
	return b, err
}

// ListBatches returns the newest batches first; limit ≤ 0 means 100.
func ListBatches(ctx context.Context, q db.Querier, limit int) ([]Batch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.Query(ctx, listBatchesSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("list batches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// GetBatch returns one batch.
func GetBatch(ctx context.Context, q db.Querier, id int64) (Batch, error) {
	b, err := scanBatch(q.QueryRow(ctx, `SELECT id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
       rows_read, rows_loaded, rows_rejected, status, message, revoked_at, coalesce(revoked_by, '') FROM batch WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Batch{}, fmt.Errorf("batch %d does not exist (see ntm batch list): %w", id, ErrBatchNotFound)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("read batch %d: %w", id, err)
	}
	return b, nil
}

// RejectedRows returns up to limit rejected rows of a batch (limit ≤ 0: 1000), in file order.
func RejectedRows(ctx context.Context, q db.Querier, batchID int64, limit int) ([]Reject, error) {
	if limit <= 0 {
		limit = RejectsKept
	}
	rows, err := q.Query(ctx, `SELECT sheet, row_no, col, reason, raw FROM rejected_row WHERE batch_id = $1
		ORDER BY sheet, row_no LIMIT $2`, batchID, limit)
	if err != nil {
		return nil, fmt.Errorf("read rejected rows of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.Sheet, &r.Row, &r.Column, &r.Reason, &r.Raw); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RevokeBatch marks a loaded batch revoked: its facts stop counting, nothing is deleted.
// A missing, already revoked, rejected or units batch is an error saying so.
func RevokeBatch(ctx context.Context, q db.Querier, id int64, who string) error {
	var got int64
	err := q.QueryRow(ctx, revokeBatchSQL, id, who).Scan(&got)
	if err == nil {
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("revoke batch %d: %w", id, err)
	}
	b, err := GetBatch(ctx, q, id)
	if err != nil {
		return err
	}
	switch {
	case b.Status == "revoked":
		when := ""
		if b.RevokedAt != nil {
			when = " on " + b.RevokedAt.Format("2006-01-02 15:04")
		}
		by := ""
		if b.RevokedBy != "" {
			by = " by " + b.RevokedBy
		}
		return fmt.Errorf("batch %d was already revoked%s%s", id, when, by)
	case b.Status == "rejected":
		return fmt.Errorf("batch %d was rejected whole and holds no data; there is nothing to revoke", id)
	case b.Dataset == "units":
		return fmt.Errorf("batch %d is a units import; units are master data and cannot be revoked (import a corrected units file instead)", id)
	}
	return fmt.Errorf("batch %d could not be revoked (status %s)", id, b.Status)
}
