package transform

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/fold"
	"ntm/ingest"
)

// UnitsOptions tunes a units import.
type UnitsOptions struct {
	// ValidFrom is the start of validity for rows without a valid_from column (the reference
	// layout); zero = 1900-01-01.
	ValidFrom      time.Time
	SourceURI      string
	MaxRejectShare float64
}

// DefaultValidFrom is the start of validity of units whose file gives none.
var DefaultValidFrom = ntm.Date(1900, 1, 1)

// unitRow is one unit to store.
type unitRow struct {
	code, level, kind, name, folded, parent string
	from                                    time.Time
	to                                      any // time.Time or nil
	sheet                                   string
	row                                     int
}

//go:embed sql/upsert_units.sql
var upsertUnitsSQL string

// ImportUnits loads a units file: the canonical layout (province_code, province_name,
// district_code, district_name, commune_code, commune_name, village_code, village_name,
// village_kind, valid_from, valid_to; district columns may be empty) or the reference
// layout (…, district_kind, …, commune_kind; no villages, no dates). Each row gives up to
// four units (province, district, commune, village), kept once per (code, valid_from).
// The import is one batch of dataset 'units': the same bytes import once. A unit already
// stored with the same code and valid_from takes the file's name, kind, parent and
// valid_to (so a corrected file can be imported over an earlier one); no unit is deleted.
func ImportUnits(ctx context.Context, pool *pgxpool.Pool, path string, opts UnitsOptions) (FileReport, error) {
	return importUnits(ctx, pool, path, opts)
}

func importUnits(ctx context.Context, pool *pgxpool.Pool, path string, opts UnitsOptions) (FileReport, error) {
	size, sum, err := fileInfo(path)
	if err != nil {
		return FileReport{File: path, Dataset: ntm.DatasetUnits}, err
	}
	if id, err := findLoaded(ctx, pool, ntm.DatasetUnits, sum); err != nil || id != 0 {
		return alreadyReport(path, ntm.DatasetUnits, id), err
	}
	rep, units, err := readUnits(ctx, path, opts)
	if err != nil {
		return rep, err
	}
	source := opts.SourceURI
	if source == "" {
		if abs, err := filepath.Abs(path); err == nil {
			source = abs
		} else {
			source = path
		}
	}
	if !rep.Rejected {
		share := opts.MaxRejectShare
		if share <= 0 {
			share = DefaultMaxRejectShare
		}
		switch {
		case rep.RowsRead == 0:
			rep.Rejected, rep.Message = true, "không có dòng dữ liệu nào dưới dòng tiêu đề; "+expectedColumns(SpecsFor(ntm.DatasetUnits))
		case float64(rep.RowsRejected) > share*float64(rep.RowsRead):
			rep.Rejected = true
			rep.Message = fmt.Sprintf("%d/%d dòng bị loại (quá %d%%), tệp không được nạp; lỗi đầu tiên: %s",
				rep.RowsRejected, rep.RowsRead, int(share*100+0.5), rep.Rejects[0].String())
		}
	}
	status := "loaded"
	if rep.Rejected {
		status = "rejected"
		rep.RowsLoaded = 0
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertBatchSQL, string(ntm.DatasetUnits), source, filepath.Base(path), size, sum, nil, status).Scan(&rep.BatchID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, finishBatchSQL, rep.BatchID, rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, nil, rep.Message); err != nil {
			return err
		}
		if err := copyRejects(ctx, tx, rep.BatchID, rep.Rejects); err != nil {
			return err
		}
		if rep.Rejected {
			return nil
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE unit_import (LIKE unit INCLUDING DEFAULTS, seq integer) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"unit_import"},
			[]string{"code", "level", "kind", "name", "folded_name", "parent_code", "valid_from", "valid_to", "batch_id", "seq"},
			pgx.CopyFromSlice(len(units), func(i int) ([]any, error) {
				u := units[i]
				var parent any
				if u.parent != "" {
					parent = u.parent
				}
				return []any{u.code, u.level, u.kind, u.name, u.folded, parent, u.from, u.to, rep.BatchID, i}, nil
			})); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, upsertUnitsSQL)
		if err != nil {
			return err
		}
		rep.FactsWritten = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			id, ferr := findLoaded(ctx, pool, ntm.DatasetUnits, sum)
			if ferr == nil && id != 0 {
				return alreadyReport(path, ntm.DatasetUnits, id), nil
			}
		}
		return rep, fmt.Errorf("import units from %s: %w", path, err)
	}
	return rep, nil
}

// checkUnits reads a units file without writing.
func checkUnits(ctx context.Context, path string, opts UnitsOptions) (FileReport, error) {
	rep, _, err := readUnits(ctx, path, opts)
	return rep, err
}

// readUnits parses a units file into unit rows, deduplicated by (code, valid_from).
func readUnits(ctx context.Context, path string, opts UnitsOptions) (FileReport, []unitRow, error) {
	rep := FileReport{File: path, Dataset: ntm.DatasetUnits}
	spec := SpecsFor(ntm.DatasetUnits)[0]
	var units []unitRow
	seen := map[string]int{}
	var match *HeaderMatch
	validFrom := opts.ValidFrom
	if validFrom.IsZero() {
		validFrom = DefaultValidFrom
	}
	err := readRecovered(ctx, path, spec.Scorer(), func(t *ingest.Table) error {
		if match != nil {
			return nil // the first table holds the units
		}
		m := spec.Match(t.Columns)
		if !m.Complete() {
			return rejectFile("thiếu cột bắt buộc của danh mục đơn vị: %s (các cột cần có: %s)",
				strings.Join(m.Missing, ", "), strings.Join(spec.RequiredLabels(), ", "))
		}
		match = m
		return nil
	}, func(t *ingest.Table, row ingest.Row) error {
		if match == nil || t.Columns == nil {
			return nil
		}
		p := &rowParser{tc: &tableCtx{table: t, match: match, spec: spec}, row: row}
		us, rerr := parseUnitRow(p, validFrom)
		if us == nil && rerr == nil {
			return nil // blank
		}
		rep.RowsRead++
		if rerr != nil {
			rep.RowsRejected++
			rej := Reject{Sheet: row.Sheet, Row: row.Num, Reason: rerr.reason, Raw: rawRow(row.Cells)}
			if rerr.field != "" {
				rej.Column = p.label(rerr.field)
			}
			if len(rep.Rejects) < RejectsKept {
				rep.Rejects = append(rep.Rejects, rej)
			}
			return nil
		}
		rep.RowsLoaded++
		for _, u := range us {
			k := u.code + "|" + dateKey(u.from)
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = len(units)
			units = append(units, u)
		}
		return ctx.Err()
	})
	var rejected *fileRejected
	switch {
	case errors.As(err, &rejected):
		rep.Rejected, rep.Message = true, rejected.msg
		return rep, nil, nil
	case err != nil && ctx.Err() != nil:
		return rep, nil, fmt.Errorf("units import of %s cancelled: %w", path, ctx.Err())
	case errors.Is(err, ingest.ErrNoHeader) || err == nil && match == nil:
		rep.Rejected = true
		rep.Message = "không tìm thấy dòng tiêu đề của danh mục đơn vị; " + expectedColumns([]*Spec{spec})
		return rep, nil, nil
	case err != nil:
		rep.Rejected, rep.Message = true, fmt.Sprintf("không đọc được tệp: %v", err)
		return rep, nil, nil
	}
	return rep, units, nil
}

// kindLabel is the display form of a folded kind ("thị trấn" → "Thị trấn").
func kindLabel(k string) string {
	k = fold.Text(k)
	if k == "" {
		return ""
	}
	r := []rune(k)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func parseUnitRow(p *rowParser, validFrom time.Time) ([]unitRow, *rowError) {
	blank := true
	for _, c := range p.row.Cells {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil, nil
	}
	from, rerr := p.date("valid_from")
	if rerr != nil {
		return nil, rerr
	}
	if from.IsZero() {
		from = validFrom
	}
	var to any
	if t, rerr := p.date("valid_to"); rerr != nil {
		return nil, rerr
	} else if !t.IsZero() {
		if t.Before(from) {
			return nil, p.errf("valid_to", "valid_to %s trước valid_from %s", t.Format("02/01/2006"), from.Format("02/01/2006"))
		}
		to = t
	}
	mk := func(level, codeF, nameF, kindF, parent string) (*unitRow, *rowError) {
		code := normaliseCode(p.text(codeF), []string{level})
		name := p.text(nameF)
		if code == "" && name == "" {
			return nil, nil
		}
		if code == "" {
			return nil, p.errf(codeF, "thiếu mã %s của %q", levelWord(level), name)
		}
		if name == "" {
			return nil, p.errf(nameF, "thiếu tên %s mã %s", levelWord(level), code)
		}
		folded, kind := fold.UnitName(name)
		if kindF != "" && p.text(kindF) != "" {
			kind = fold.Text(p.text(kindF))
		}
		return &unitRow{code: code, level: level, kind: kindLabel(kind), name: name, folded: folded, parent: parent,
			from: from, to: to, sheet: p.row.Sheet, row: p.row.Num}, nil
	}
	var out []unitRow
	prov, rerr := mk("province", "province_code", "province_name", "", "")
	if rerr != nil {
		return nil, rerr
	}
	provCode := normaliseCode(p.text("province_code"), []string{"province"})
	if prov != nil {
		out = append(out, *prov)
	}
	parent := provCode
	dist, rerr := mk("district", "district_code", "district_name", "district_kind", provCode)
	if rerr != nil {
		return nil, rerr
	}
	if dist != nil {
		out = append(out, *dist)
		parent = dist.code
	}
	com, rerr := mk("commune", "commune_code", "commune_name", "commune_kind", parent)
	if rerr != nil {
		return nil, rerr
	}
	if com == nil && dist == nil {
		return nil, p.errf("commune_code", "thiếu mã và tên xã")
	}
	if com != nil {
		out = append(out, *com)
		vil, rerr := mk("village", "village_code", "village_name", "village_kind", com.code)
		if rerr != nil {
			return nil, rerr
		}
		if vil != nil {
			out = append(out, *vil)
		}
	} else if strings.TrimSpace(p.cell("village_code")) != "" {
		return nil, p.errf("commune_code", "thôn %q cần mã xã", p.text("village_name"))
	}
	if provCode == "" {
		return nil, p.errf("province_code", "thiếu mã tỉnh")
	}
	return out, nil
}
