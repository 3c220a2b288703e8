package evaluate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
)

// Results returns the results of the newest evaluation of period p, province first, then
// districts, communes and villages, each by unit code and criterion position. level ""
// means all levels. When p has never been evaluated the error says how to do it.
func Results(ctx context.Context, q db.Querier, p ntm.Period, level ntm.Level) ([]Result, error) {
	if level != "" {
		if _, err := ntm.ParseLevel(string(level)); err != nil {
			return nil, err
		}
	}
	evalID, set, err := Latest(ctx, q, p)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(set.Criteria))
	for i, c := range set.Criteria {
		keys[i] = c.Key
	}
	rows, err := q.Query(ctx, query("results"), evalID, string(level), keys)
	if err != nil {
		return nil, fmt.Errorf("read the results of period %s: %w", p, err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		r, err := ScanResult(rows)
		if err != nil {
			return nil, fmt.Errorf("read the results of period %s: %w", p, err)
		}
		r.Period = p
		if c := set.Criterion(r.Criterion); c != nil {
			r.CriterionName = c.Name
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the results of period %s: %w", p, err)
	}
	return out, nil
}

// ResultColumns are the columns of table result that ScanResult reads, in its order, for the
// queries that choose results their own way (a workbook's villages, the trends); sql/results.sql
// selects the same.
const ResultColumns = `unit_code, unit_name, level, COALESCE(parent_code, ''), criterion, status,
	value_num, value_den, threshold_num, threshold_den, explanation, detail`

// ScanResult decodes one stored result (a row of ResultColumns): the one decoder of results,
// used by Results, the CLI, the console and the workbooks. Period and CriterionName are the
// caller's to fill.
func ScanResult(rows pgx.Rows) (Result, error) {
	var r Result
	var lvl, status string
	var vn, vd *int64
	if err := rows.Scan(&r.UnitCode, &r.UnitName, &lvl, &r.ParentCode, &r.Criterion, &status,
		&vn, &vd, &r.Threshold.Num, &r.Threshold.Den, &r.Explanation, &r.Detail); err != nil {
		return Result{}, err
	}
	r.Level, r.Status = ntm.Level(lvl), ntm.Status(status)
	if vn != nil && vd != nil {
		r.Value = &Fraction{Num: *vn, Den: *vd}
	}
	if r.Level == ntm.LevelDistrict {
		r.DistrictCode = r.UnitCode
	} else if dc, ok := r.Detail["district_code"].(string); ok {
		r.DistrictCode = dc
	}
	return r, nil
}

// Latest is the newest evaluation of period p and the criteria set it was computed with (as
// it was then: SetOf). When p has never been evaluated the error says how to do it.
func Latest(ctx context.Context, q db.Querier, p ntm.Period) (int64, *Set, error) {
	var evalID int64
	err := q.QueryRow(ctx, `SELECT id FROM evaluation WHERE period = $1 ORDER BY id DESC LIMIT 1`, p.String()).Scan(&evalID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, fmt.Errorf("period %s has not been evaluated yet: run ntm evaluate --period %s", p, p)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("find the evaluation of period %s: %w", p, err)
	}
	set, err := SetOf(ctx, q, evalID)
	if err != nil {
		return 0, nil, err
	}
	return evalID, set, nil
}

// StatusCount is how many results of one criterion met, did not meet, or had no data.
type StatusCount struct {
	Criterion           string
	Met, NotMet, NoData int
}

// StatusCounts counts evaluation id's results per criterion, in the database (a national
// evaluation has 592,000 results, which need not come into memory), in the order Results lists
// the criteria in (where each one's first row comes). set is the evaluation's (SetOf).
func StatusCounts(ctx context.Context, q db.Querier, id int64, set *Set) ([]StatusCount, error) {
	keys := make([]string, len(set.Criteria))
	for i, c := range set.Criteria {
		keys[i] = c.Key
	}
	rows, err := q.Query(ctx, query("status_counts"), id, keys)
	if err != nil {
		return nil, fmt.Errorf("count the results of evaluation %d: %w", id, err)
	}
	defer rows.Close()
	var out []StatusCount
	for rows.Next() {
		var c StatusCount
		if err := rows.Scan(&c.Criterion, &c.Met, &c.NotMet, &c.NoData); err != nil {
			return nil, fmt.Errorf("count the results of evaluation %d: %w", id, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the results of evaluation %d: %w", id, err)
	}
	return out, nil
}
