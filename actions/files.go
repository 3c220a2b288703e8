package actions

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/msg"
	"ntm/transform"
)

// File is a loaded (or rejected) file as the office sees it in a list.
type File struct {
	transform.Batch
	Removed bool   // a file rejected whole that the office took off the lists
	Reason  string // why it is not (or no longer) counting: the rejection, or the revocation's reason
}

// RowsSkipped are the rows read that are not data (titles, headers, groups, subtotals, blank
// and unit-only rows): rows read = loaded + rejected + skipped (transform.SkippedRowsOf lists them).
func (f File) RowsSkipped() int { return f.Batch.RowsSkipped }

// StatusLabel is the Vietnamese word for the file's state.
func (f File) StatusLabel() string {
	switch {
	case f.Removed:
		return "Bị loại toàn bộ (đã gỡ)"
	case f.Status == "rejected":
		return "Bị loại toàn bộ"
	case f.Status == "revoked":
		return "Đã thu hồi"
	case f.Status == "loaded":
		return "Đã nạp"
	case f.Status == "replaced":
		return "Đã được nạp lại"
	}
	return f.Status
}

const filesSQL = `SELECT b.id, b.dataset, b.source_uri, b.file_name, b.size_bytes, b.sha256, b.received_at, b.as_of,
       b.rows_read, b.rows_loaded, b.rows_rejected, b.rows_skipped, b.status, b.message, b.revoked_at, coalesce(b.revoked_by, ''),
       b.replaced_by,
       EXISTS (SELECT 1 FROM office_action a WHERE a.kind = 'batch_remove' AND a.target = b.id),
       coalesce((SELECT a.reason FROM office_action a WHERE a.kind = 'batch_revoke' AND a.target = b.id ORDER BY a.id DESC LIMIT 1), '')
FROM batch b`

func scanFile(row pgx.Row) (File, error) {
	var f File
	var revokeReason string
	err := row.Scan(&f.ID, &f.Dataset, &f.SourceURI, &f.FileName, &f.SizeBytes, &f.SHA256, &f.ReceivedAt, &f.AsOf,
		&f.RowsRead, &f.RowsLoaded, &f.RowsRejected, &f.Batch.RowsSkipped, &f.Status, &f.Message, &f.RevokedAt, &f.RevokedBy,
		&f.ReplacedBy, &f.Removed, &revokeReason)
	switch {
	case f.Status == "revoked" && revokeReason != "":
		f.Reason = "Thu hồi: " + revokeReason
	case f.Status == "revoked":
		f.Reason = "Thu hồi (không ghi lý do)"
	case f.Status == "replaced" && f.ReplacedBy != nil:
		f.Reason = msg.BatchReplacedBy(*f.ReplacedBy)
	default:
		f.Reason = f.Message
	}
	return f, err
}

// Files lists files newest first; files removed from the lists only with all.
func Files(ctx context.Context, q db.Querier, limit int, all bool) ([]File, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.Query(ctx, filesSQL+`
		WHERE $2 OR NOT EXISTS (SELECT 1 FROM office_action a WHERE a.kind = 'batch_remove' AND a.target = b.id)
		ORDER BY b.id DESC LIMIT $1`, limit, all)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("list files: %w", err), "%s", msg.DatabaseDown)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) { return scanFile(r) })
}

// Story is one file in full: the file, its first rejected rows, and what the office did to it.
type Story struct {
	File
	Rejects []transform.Reject // the first ones, in sheet and row order
	// Skipped are the runs of rows skipped as not data, with why (the first
	// transform.SkippedKept); SheetsNotRead the sheets of the file not read (hidden, no
	// header, another dataset's), with why: so that a person can see nothing vanished.
	Skipped       []transform.SkippedRows
	SheetsNotRead []transform.BatchSheet
	Actions       []Action
}

// Show reads a file's story (first rejects up to limit; 0 = transform.RejectsKept).
func Show(ctx context.Context, q db.Querier, id int64, limit int) (*Story, error) {
	f, err := scanFile(q.QueryRow(ctx, filesSQL+` WHERE b.id = $1`, id))
	if err == pgx.ErrNoRows {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.BatchNotFound(id))
	}
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("read batch %d: %w", id, err), "%s", msg.DatabaseDown)
	}
	s := &Story{File: f}
	if s.Rejects, err = transform.RejectedRows(ctx, q, id, limit); err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	if s.Skipped, err = transform.SkippedRowsOf(ctx, q, id, 0); err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	sheets, err := transform.BatchSheets(ctx, q, id)
	if err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	for _, sh := range sheets {
		if sh.ReadAs != "table" {
			s.SheetsNotRead = append(s.SheetsNotRead, sh)
		}
	}
	if s.Actions, err = Of(ctx, q, BatchKinds, id); err != nil {
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	return s, nil
}
