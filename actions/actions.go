// Package actions owns what the office does by hand to loaded files, with who and why
// (table office_action): revoking a loaded file with its reason, removing a file rejected whole
// (a stray README.md) from the lists, and reading a file's story (rows loaded, rejected and
// skipped, the first reasons, what was done to it). The console and the CLI (ntm batch …) call
// the same functions, so a file reads the same in both.
package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db"
	"ntm/msg"
	"ntm/transform"
)

// Action kinds (office_action.kind).
const (
	KindRevoke         = "batch_revoke"
	KindRemove         = "batch_remove"
	KindReload         = "batch_reload"
	KindDeliverPeriod  = "deliver_period"
	KindDeliveryResend = "delivery_resend"
	KindRunCancel      = "run_cancel"
)

// Action is one recorded action.
type Action struct {
	ID     int64
	Kind   string
	Target int64
	Reason string
	By     string
	At     time.Time
	Detail map[string]any
}

// Label is the Vietnamese name of an action.
func (a Action) Label() string {
	switch a.Kind {
	case KindRevoke:
		return "Thu hồi"
	case KindRemove:
		return "Gỡ khỏi danh sách"
	case KindReload:
		return "Nạp lại"
	case KindDeliverPeriod:
		return "Gửi báo cáo"
	case KindDeliveryResend:
		return "Gửi lại"
	case KindRunCancel:
		return "Dừng lượt chạy"
	}
	return a.Kind
}

// Record records an action.
func Record(ctx context.Context, q db.Querier, kind string, target int64, reason, by string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, _ := json.Marshal(detail)
	if _, err := q.Exec(ctx, `INSERT INTO office_action (kind, target, reason, by_user, detail) VALUES ($1, $2, $3, $4, $5)`,
		kind, target, reason, by, b); err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("record the action %s on %d: %w", kind, target, err), "%s", msg.DatabaseDown)
	}
	return nil
}

// Of lists the actions on a target, oldest first.
func Of(ctx context.Context, q db.Querier, kinds []string, target int64) ([]Action, error) {
	rows, err := q.Query(ctx, `SELECT id, kind, target, reason, by_user, at, detail FROM office_action
		WHERE kind = ANY($1) AND target = $2 ORDER BY id`, kinds, target)
	if err != nil {
		return nil, fmt.Errorf("read the actions on %d: %w", target, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Action, error) {
		var a Action
		var detail []byte
		err := r.Scan(&a.ID, &a.Kind, &a.Target, &a.Reason, &a.By, &a.At, &detail)
		_ = json.Unmarshal(detail, &a.Detail)
		return a, err
	})
}

// BatchKinds are the actions on a batch.
var BatchKinds = []string{KindRevoke, KindRemove, KindReload}

// Revoke takes a loaded file back: its facts stop counting (transform.RevokeBatch), and the
// reason is recorded with who did it, in one transaction. Errors are *ntm.Error: a missing
// reason (CodeInvalid), an unknown batch (CodeNotFound), a batch already revoked or rejected
// whole (CodeConflict, saying what can be done instead).
func Revoke(ctx context.Context, pool *pgxpool.Pool, id int64, by, reason string) error {
	b, err := transform.GetBatch(ctx, pool, id)
	if err != nil {
		return BatchError(id, err)
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.ReasonRequired)
	}
	switch {
	case b.Status == "revoked":
		when := ""
		if b.RevokedAt != nil {
			when = b.RevokedAt.Format("02/01/2006 15:04")
		}
		return ntm.Errorf(ntm.CodeConflict, "%s", msg.BatchAlreadyRevoked(id, when, b.RevokedBy))
	case b.Status == "rejected":
		return ntm.Errorf(ntm.CodeConflict, "%s", msg.BatchRejectedWhole(id))
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := transform.RevokeBatch(ctx, tx, id, by); err != nil {
		// A units import, or a status changed meanwhile: the transform layer says which.
		return ntm.Wrap(ntm.CodeConflict, err, "Không thu hồi được lô số %d: lô danh mục đơn vị hành chính không thu hồi được (hãy nạp danh mục đã sửa), hoặc lô vừa được người khác xử lý.", id)
	}
	if err := Record(ctx, tx, KindRevoke, id, reason, by, map[string]any{"file": b.FileName, "dataset": b.Dataset}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	return nil
}

// Remove takes a file rejected whole off the lists (the console's, ntm batch list's): it holds
// no data, so nothing else changes. Only such files can be removed.
func Remove(ctx context.Context, pool *pgxpool.Pool, id int64, by, reason string) error {
	b, err := transform.GetBatch(ctx, pool, id)
	if err != nil {
		return BatchError(id, err)
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.ReasonRequired)
	}
	if b.Status != "rejected" {
		return ntm.Errorf(ntm.CodeConflict, "%s", msg.BatchNotRejected(id))
	}
	removed, err := IsRemoved(ctx, pool, id)
	if err != nil {
		return err
	}
	if removed {
		return nil
	}
	return Record(ctx, pool, KindRemove, id, reason, by, map[string]any{"file": b.FileName})
}

// IsRemoved tells whether a batch was removed from the lists.
func IsRemoved(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM office_action WHERE kind = $1 AND target = $2`, KindRemove, id).Scan(&n); err != nil {
		return false, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	return n > 0, nil
}

// BatchError is a failed batch lookup as the office reads it: an unknown batch (CodeNotFound),
// else the database down.
func BatchError(id int64, err error) error {
	if errors.Is(err, transform.ErrBatchNotFound) {
		return ntm.Wrap(ntm.CodeNotFound, err, "%s", msg.BatchNotFound(id))
	}
	return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
}
