package evaluate

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/msg"
	"ntm/vnfmt"
)

// BuiltinKey is the key of the set embedded in ntm.
const BuiltinKey = "langson-2021"

//go:embed sets/langson-2021.yaml
var builtinSource []byte

var builtinOnce = sync.OnceValue(func() *Set {
	s, errs := parseSet("langson-2021.yaml", builtinSource)
	if errs != nil {
		panic("evaluate: the built-in criteria set does not parse: " + errs.Error())
	}
	s.Builtin = true
	return s
})

// Builtin is the criteria set embedded in ntm (Lạng Sơn 2021–2025).
func Builtin() *Set { return builtinOnce() }

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// setFromRow turns a criteria_set row's source into a set (” = the built-in file).
func setFromRow(key, source string) (*Set, error) {
	if source == "" {
		if key == BuiltinKey {
			return Builtin(), nil
		}
		return nil, ntm.Errorf(ntm.CodeInvalid, "Bộ tiêu chí %s được tạo không qua tệp: xuất lại bộ này thành tệp YAML rồi nạp bằng ntm criteria import", key)
	}
	s, errs := parseSet(key+".yaml", []byte(source))
	if errs != nil {
		return nil, fmt.Errorf("criteria set %s as stored no longer parses: %w", key, errs)
	}
	return s, nil
}

// LoadSet reads the set of that key.
func LoadSet(ctx context.Context, q db.Querier, key string) (*Set, error) {
	var source string
	err := q.QueryRow(ctx, `SELECT source FROM criteria_set WHERE key = $1`, key).Scan(&source)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "Không có bộ tiêu chí %s: xem danh sách bằng ntm criteria list", key)
	}
	if err != nil {
		return nil, fmt.Errorf("read criteria set %s: %w", key, err)
	}
	return setFromRow(key, source)
}

// SetInForce is the set in force on day: valid_from ≤ day and valid_to open or ≥ day; of
// several, the newest valid_from (an open valid_to lasts until a later set starts).
func SetInForce(ctx context.Context, q db.Querier, day time.Time) (*Set, error) {
	var key, source string
	err := q.QueryRow(ctx, query("criteria_set"), day).Scan(&key, &source)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "%s", msg.NoSetInForce(vnfmt.Date(day), day.After(BuiltinNominalEnd)))
	}
	if err != nil {
		return nil, fmt.Errorf("read the criteria set in force on %s: %w", day.Format(time.DateOnly), err)
	}
	return setFromRow(key, source)
}

// Sets lists every loaded set, oldest validity first.
func Sets(ctx context.Context, q db.Querier) ([]*Set, error) {
	rows, err := q.Query(ctx, `SELECT key, source FROM criteria_set ORDER BY valid_from, key`)
	if err != nil {
		return nil, fmt.Errorf("list criteria sets: %w", err)
	}
	type row struct{ key, source string }
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.source); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list criteria sets: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list criteria sets: %w", err)
	}
	out := make([]*Set, 0, len(rs))
	for _, r := range rs {
		s, err := setFromRow(r.key, r.source)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// SetOf is the set an evaluation was computed with, exactly as it was then (a set imported
// again later under the same key does not change it).
func SetOf(ctx context.Context, q db.Querier, evaluationID int64) (*Set, error) {
	var key string
	var source, file *string
	err := q.QueryRow(ctx, `SELECT e.set_key, s.source, s.file_name FROM evaluation e
		LEFT JOIN criteria_set_source s ON s.sha256 = e.set_sha256 WHERE e.id = $1`, evaluationID).Scan(&key, &source, &file)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ntm.Errorf(ntm.CodeNotFound, "Không có lần đánh giá số %d", evaluationID)
	}
	if err != nil {
		return nil, fmt.Errorf("read the criteria set of evaluation %d: %w", evaluationID, err)
	}
	if source == nil { // evaluated before sets were files: the set as it is now
		return LoadSet(ctx, q, key)
	}
	s, errs := parseSet(key+".yaml", []byte(*source))
	if errs != nil {
		return nil, fmt.Errorf("criteria set of evaluation %d no longer parses: %w", evaluationID, errs)
	}
	s.Builtin = key == BuiltinKey && sha(builtinSource) == sha([]byte(*source))
	if file != nil && !s.Builtin {
		s.File = *file
	}
	return s, nil
}

// CheckSet parses a set file and checks it against the sets already loaded: its validity may
// not overlap another key's (an open valid_to lasts until the next set starts, so only
// explicit ends and equal starts overlap). The error lists every problem with its line.
func CheckSet(ctx context.Context, q db.Querier, name string, b []byte) (*Set, error) {
	s, errs := parseSet(name, b)
	if errs != nil {
		return nil, errs.asError()
	}
	rows, err := q.Query(ctx, `SELECT key, valid_from, valid_to FROM criteria_set WHERE key <> $1 ORDER BY valid_from`, s.Key)
	if err != nil {
		return nil, fmt.Errorf("read the loaded criteria sets: %w", err)
	}
	defer rows.Close()
	var problems []Problem
	for rows.Next() {
		var key string
		var from time.Time
		var to *time.Time
		if err := rows.Scan(&key, &from, &to); err != nil {
			return nil, fmt.Errorf("read the loaded criteria sets: %w", err)
		}
		if overlaps(s.ValidFrom, s.ValidTo, from, to) {
			other := vnfmt.Date(from) + " – "
			if to != nil {
				other += vnfmt.Date(*to)
			} else {
				other = "từ " + vnfmt.Date(from)
			}
			problems = append(problems, Problem{Line: lineOf(b, "valid_from"), Message: fmt.Sprintf(
				"thời gian hiệu lực %s trùng với bộ tiêu chí %s đã nạp (%s): sửa valid_from/valid_to cho hai bộ nối tiếp nhau", s.Validity(), key, other)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the loaded criteria sets: %w", err)
	}
	if len(problems) > 0 {
		return nil, (&SetFileError{File: name, Problems: problems}).asError()
	}
	return s, nil
}

// overlaps decides whether two validities collide. An open end lasts until a later set
// starts, so it never collides with a set that starts later.
func overlaps(aFrom time.Time, aTo *time.Time, bFrom time.Time, bTo *time.Time) bool {
	switch {
	case aFrom.Equal(bFrom):
		return true
	case bFrom.Before(aFrom):
		return bTo != nil && !bTo.Before(aFrom)
	default:
		return aTo != nil && !aTo.Before(bFrom)
	}
}

// lineOf is the line of a top-level key in a YAML file (1 when absent).
func lineOf(b []byte, key string) int {
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			return i + 1
		}
	}
	return 1
}

// ImportStatus says what an import did.
type ImportStatus string

const (
	ImportNew       ImportStatus = "new"       // a key not loaded before
	ImportReplaced  ImportStatus = "replaced"  // a new version of a loaded key
	ImportUnchanged ImportStatus = "unchanged" // the same file was already loaded
)

// ImportSet checks a set file and stores it (a new key, or a new version of a loaded key).
// Stored results never change: each evaluation keeps the version it was computed with.
func ImportSet(ctx context.Context, q db.Querier, name string, b []byte) (s *Set, status ImportStatus, err error) {
	beginner, ok := q.(interface {
		Begin(context.Context) (pgx.Tx, error)
	})
	if !ok {
		return nil, "", fmt.Errorf("import criteria set %s: the executor cannot start a transaction", name)
	}
	err = pgx.BeginFunc(ctx, beginner, func(tx pgx.Tx) error {
		// One import at a time: two overlapping sets must not both pass the check.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('ntm criteria sets'))`); err != nil {
			return fmt.Errorf("lock the criteria sets: %w", err)
		}
		s, status, err = importSet(ctx, tx, name, b)
		return err
	})
	return s, status, err
}

func importSet(ctx context.Context, q db.Querier, name string, b []byte) (*Set, ImportStatus, error) {
	s, err := CheckSet(ctx, q, name, b)
	if err != nil {
		return nil, "", err
	}
	digest := sha(b)
	var old *string
	err = q.QueryRow(ctx, `SELECT CASE WHEN source = '' AND key = $2 THEN $3 ELSE sha256 END FROM criteria_set WHERE key = $1`,
		s.Key, BuiltinKey, sha(builtinSource)).Scan(&old)
	status := ImportReplaced
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		status = ImportNew
	case err != nil:
		return nil, "", fmt.Errorf("read criteria set %s: %w", s.Key, err)
	case old != nil && *old == digest:
		return s, ImportUnchanged, nil
	}
	_, err = q.Exec(ctx, `
		INSERT INTO criteria_set (key, name, valid_from, valid_to, stale_months, ocop_locality, dossier_window, basis, source, sha256, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
		ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
			stale_months = EXCLUDED.stale_months, ocop_locality = EXCLUDED.ocop_locality, dossier_window = EXCLUDED.dossier_window,
			basis = EXCLUDED.basis, source = EXCLUDED.source, sha256 = EXCLUDED.sha256, imported_at = now()`,
		s.Key, s.Name, s.ValidFrom, s.ValidTo, s.StaleMonths, s.OCOPLocality, s.DossierWindow, s.BasisText(), string(b), digest)
	if err != nil {
		return nil, "", fmt.Errorf("store criteria set %s: %w", s.Key, err)
	}
	// The version's file name, for the evaluations that will use it (ntm results names it).
	if _, err := q.Exec(ctx, `INSERT INTO criteria_set_source (sha256, set_key, source, file_name) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sha256) DO UPDATE SET file_name = EXCLUDED.file_name`, digest, s.Key, string(b), filepath.Base(name)); err != nil {
		return nil, "", fmt.Errorf("record the file of criteria set %s: %w", s.Key, err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM criterion WHERE set_key = $1`, s.Key); err != nil {
		return nil, "", fmt.Errorf("store the criteria of set %s: %w", s.Key, err)
	}
	for _, c := range s.Criteria {
		t := c.Threshold // per-group thresholds have no single value: 0/0
		if _, err := q.Exec(ctx, `INSERT INTO criterion (set_key, key, name, level, threshold_num, threshold_den, description, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.Key, c.Key, c.Name, string(c.Level), t.Num, t.Den, c.HowText(), c.Position); err != nil {
			return nil, "", fmt.Errorf("store criterion %s of set %s: %w", c.Key, s.Key, err)
		}
	}
	return s, status, nil
}

// ExportSet is the file of a loaded set, as it was written.
func ExportSet(ctx context.Context, q db.Querier, key string) ([]byte, error) {
	s, err := LoadSet(ctx, q, key)
	if err != nil {
		return nil, err
	}
	return s.Source, nil
}

// rememberSource stores the version of the set an evaluation uses and returns its digest.
func rememberSource(ctx context.Context, q db.Querier, s *Set) (string, error) {
	digest := sha(s.Source)
	_, err := q.Exec(ctx, `INSERT INTO criteria_set_source (sha256, set_key, source) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`,
		digest, s.Key, string(s.Source))
	if err != nil {
		return "", fmt.Errorf("record the version of criteria set %s: %w", s.Key, err)
	}
	return digest, nil
}
