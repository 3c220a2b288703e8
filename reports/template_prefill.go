package reports

import (
	"context"
	"fmt"
	"time"

	"ntm"
	"ntm/db"
)

// Pre-filled templates (ntm template --prefill): each village's last loaded answers, the way
// evaluation picks them — among the facts of loaded batches dated on or before the period's end,
// the newest date, then the newest batch — matched by village code.

const lastSurveySQL = `
SELECT DISTINCT ON (f.village_code)
       f.village_code, f.as_of, f.team, f.team_decision, f.platform, f.platform_name, f.wifi, f.models, f.model_fields
FROM fact_village_survey f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $2 AND f.village_code = ANY($1)
ORDER BY f.village_code, f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC`

const lastVpostcodeSQL = `
SELECT DISTINCT ON (f.village_code)
       f.village_code, f.as_of, f.households_total, f.households_with, f.orgs_total, f.orgs_with
FROM fact_vpostcode f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $2 AND f.village_code = ANY($1)
ORDER BY f.village_code, f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC`

// lastAnswers returns, per village code, the template cells from "Ngày số liệu" on: the date as
// the text dd/mm/yyyy the template asks for, yes/no as "Có"/"Không", unknown answers as nil.
func lastAnswers(ctx context.Context, q db.Querier, dataset ntm.Dataset, villages []string, end time.Time) (map[string][]any, error) {
	out := map[string][]any{}
	yesNo := func(b *bool) any {
		if b == nil {
			return nil
		}
		if *b {
			return "Có"
		}
		return "Không"
	}
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	switch dataset {
	case ntm.DatasetVillageSurvey:
		rows, err := q.Query(ctx, lastSurveySQL, villages, end)
		if err != nil {
			return nil, fmt.Errorf("read the last survey answers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var code, dec, group, fields string
			var asOf time.Time
			var team, platform, wifi *bool
			var models *int
			if err := rows.Scan(&code, &asOf, &team, &dec, &platform, &group, &wifi, &models, &fields); err != nil {
				return nil, fmt.Errorf("read the last survey answers: %w", err)
			}
			var m any
			if models != nil {
				m = *models
			}
			out[code] = []any{asOf.Format("02/01/2006"), yesNo(team), text(dec), yesNo(platform), text(group), yesNo(wifi), m, text(fields)}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the last survey answers: %w", err)
		}
	case ntm.DatasetVpostcode:
		rows, err := q.Query(ctx, lastVpostcodeSQL, villages, end)
		if err != nil {
			return nil, fmt.Errorf("read the last digital-address figures: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var asOf time.Time
			var ht, hw, ot, ow int
			if err := rows.Scan(&code, &asOf, &ht, &hw, &ot, &ow); err != nil {
				return nil, fmt.Errorf("read the last digital-address figures: %w", err)
			}
			out[code] = []any{asOf.Format("02/01/2006"), ht, hw, ot, ow}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the last digital-address figures: %w", err)
		}
	}
	return out, nil
}
