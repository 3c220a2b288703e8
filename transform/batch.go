package transform

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
)

// Batch is one loaded (or rejected, revoked, replaced) file.
type Batch struct {
	ID           int64
	Dataset      string
	SourceURI    string
	FileName     string
	SizeBytes    int64
	SHA256       string
	ReceivedAt   time.Time
	AsOf         *time.Time
	RowsRead     int // rows read = loaded + rejected + skipped (for a loaded batch)
	RowsLoaded   int
	RowsRejected int
	RowsSkipped  int
	Status       string // loaded, rejected, revoked, replaced
	Message      string
	RevokedAt    *time.Time
	RevokedBy    string
	ReplacedBy   *int64 // the batch that replaced this one (status replaced)
	ReplacedAt   *time.Time
}

// ErrBatchNotFound is wrapped by RevokeBatch and GetBatch for an unknown id.
var ErrBatchNotFound = errors.New("batch not found")

//go:embed sql/list_batches.sql
var listBatchesSQL string

//go:embed sql/get_batch.sql
var getBatchSQL string

//go:embed sql/revoke_batch.sql
var revokeBatchSQL string

//go:embed sql/rejected_rows.sql
var rejectedRowsSQL string

//go:embed sql/skipped_rows.sql
var skippedRowsSQL string

//go:embed sql/batch_sheets.sql
var batchSheetsSQL string

func scanBatch(row pgx.Row) (Batch, error) {
	var b Batch
	err := row.Scan(&b.ID, &b.Dataset, &b.SourceURI, &b.FileName, &b.SizeBytes, &b.SHA256, &b.ReceivedAt, &b.AsOf,
		&b.RowsRead, &b.RowsLoaded, &b.RowsRejected, &b.RowsSkipped, &b.Status, &b.Message, &b.RevokedAt, &b.RevokedBy,
		&b.ReplacedBy, &b.ReplacedAt)
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

// GetBatch returns one batch; an unknown id is an *ntm.Error of code CodeNotFound wrapping
// ErrBatchNotFound.
func GetBatch(ctx context.Context, q db.Querier, id int64) (Batch, error) {
	b, err := scanBatch(q.QueryRow(ctx, getBatchSQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Batch{}, ntm.Wrap(ntm.CodeNotFound, fmt.Errorf("batch %d: %w", id, ErrBatchNotFound),
			"Không có lô số %d (xem danh sách lô bằng ntm batch list).", id)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("read batch %d: %w", id, err)
	}
	return b, nil
}

// RejectedRows returns up to limit rejected rows of a batch (limit ≤ 0: 1000), in file order.
// Every rejected row of a batch is stored; RejectedRowsFrom pages through them.
func RejectedRows(ctx context.Context, q db.Querier, batchID int64, limit int) ([]Reject, error) {
	return RejectedRowsFrom(ctx, q, batchID, 0, limit)
}

// RejectedRowsFrom is RejectedRows from the offset-th rejected row on.
func RejectedRowsFrom(ctx context.Context, q db.Querier, batchID int64, offset, limit int) ([]Reject, error) {
	if limit <= 0 {
		limit = RejectsKept
	}
	var out []Reject
	err := eachRejectedRow(ctx, q, batchID, offset, limit, func(r Reject) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// eachRejectedRow streams a batch's rejected rows in file order.
func eachRejectedRow(ctx context.Context, q db.Querier, batchID int64, offset, limit int, f func(Reject) error) error {
	rows, err := q.Query(ctx, rejectedRowsSQL, batchID, limit, offset)
	if err != nil {
		return fmt.Errorf("read rejected rows of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.Sheet, &r.Row, &r.Column, &r.Reason, &r.Raw, &r.Cells); err != nil {
			return fmt.Errorf("read rejected rows of batch %d: %w", batchID, err)
		}
		if err := f(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SkippedRowsOf returns the rows of a batch skipped as not data, in runs and in file order, at
// most limit runs (≤ 0: SkippedKept). (The console's batch page and the workbooks' data-quality
// sheet show them; msg.SkipReason labels each reason.)
func SkippedRowsOf(ctx context.Context, q db.Querier, batchID int64, limit int) ([]SkippedRows, error) {
	if limit <= 0 {
		limit = SkippedKept
	}
	rows, err := q.Query(ctx, skippedRowsSQL, batchID, limit)
	if err != nil {
		return nil, fmt.Errorf("read skipped rows of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	var out []SkippedRows
	for rows.Next() {
		var s SkippedRows
		var reason string
		if err := rows.Scan(&s.Sheet, &s.From, &s.To, &s.Rows, &reason, &s.Raw); err != nil {
			return nil, fmt.Errorf("read skipped rows of batch %d: %w", batchID, err)
		}
		s.Reason = SkipReason(reason)
		out = append(out, s)
	}
	return out, rows.Err()
}

// BatchSheet is one sheet of a batch's file and how it was read.
type BatchSheet struct {
	Position     int
	Sheet        string
	ReadAs       string // table, hidden, very_hidden, no_header, not_matched
	Note         string // why it was not read (Vietnamese)
	HeaderTop    *int
	HeaderBottom *int
	Columns      []string // the effective header of each cell index
	Fields       []string // the field read from each cell index ("" = none)
}

// BatchSheets returns the sheets of a batch's file in the file's order.
func BatchSheets(ctx context.Context, q db.Querier, batchID int64) ([]BatchSheet, error) {
	rows, err := q.Query(ctx, batchSheetsSQL, batchID)
	if err != nil {
		return nil, fmt.Errorf("read the sheets of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	var out []BatchSheet
	for rows.Next() {
		var s BatchSheet
		if err := rows.Scan(&s.Position, &s.Sheet, &s.ReadAs, &s.Note, &s.HeaderTop, &s.HeaderBottom, &s.Columns, &s.Fields); err != nil {
			return nil, fmt.Errorf("read the sheets of batch %d: %w", batchID, err)
		}
		out = append(out, s)
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
			when = " lúc " + b.RevokedAt.Format("15:04 02/01/2006")
		}
		by := ""
		if b.RevokedBy != "" {
			by = " bởi " + b.RevokedBy
		}
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d đã bị thu hồi trước đây%s%s.", id, when, by)
	case b.Status == "rejected":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d bị từ chối toàn bộ và không có dữ liệu: không có gì để thu hồi.", id)
	case b.Status == "replaced":
		return ntm.Errorf(ntm.CodeConflict, "Lô số %d đã được thay bằng lô số %d và không còn được tính: nếu cần, thu hồi lô số %d.", id, batchID(b.ReplacedBy), batchID(b.ReplacedBy))
	case b.Dataset == "units":
		return ntm.Errorf(ntm.CodeInvalid, "Lô số %d là danh mục đơn vị hành chính; danh mục là dữ liệu gốc, không thu hồi được (hãy nhập tệp danh mục đã sửa).", id)
	}
	return ntm.Errorf(ntm.CodeConflict, "Lô số %d (trạng thái %s) không thu hồi được.", id, b.Status)
}
