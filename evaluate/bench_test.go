package evaluate

import (
	"context"
	"os"
	"strconv"
	"testing"

	"ntm"
	"ntm/db/dbtest"
)

// generateScale fills a fresh database with one province of `villages` villages (10 per
// commune, 20 communes per district) and a year of every dataset, including `records`
// record-level dossiers. Everything is generated in SQL so that setup stays quick.
func generateScale(tb testing.TB, villages, records int) *fixture {
	f := &fixture{ctx: context.Background(), pool: dbtest.New(tb)}
	communes := (villages + 9) / 10
	districts := (communes + 19) / 20
	stmts := []string{
		`INSERT INTO unit (code, level, name, folded_name) VALUES ('20', 'province', 'Tỉnh Lạng Sơn', 'lang son')`,
		`INSERT INTO unit (code, level, name, folded_name, parent_code)
		 SELECT 'D' || d, 'district', 'Huyện ' || d, 'h' || d, '20' FROM generate_series(1, $1::int) d`,
		`INSERT INTO unit (code, level, name, folded_name, parent_code)
		 SELECT lpad(c::text, 5, '0'), 'commune', 'Xã ' || c, 'x' || c, 'D' || ((c - 1) / 20 + 1) FROM generate_series(1, $1::int) c`,
		`INSERT INTO unit (code, level, name, folded_name, parent_code)
		 SELECT lpad(((v - 1) / 10 + 1)::text, 5, '0') || '-' || lpad(((v - 1) % 10 + 1)::text, 3, '0'), 'village',
		        'Thôn ' || v, 't' || v, lpad(((v - 1) / 10 + 1)::text, 5, '0') FROM generate_series(1, $1::int) v`,
		`INSERT INTO batch (id, dataset, source_uri, sha256, status) VALUES
		 (1, 'village_survey', 's', '1', 'loaded'), (2, 'vpostcode', 'v', '2', 'loaded'), (3, 'ocop_products', 'o', '3', 'loaded'),
		 (4, 'ocop_listings', 'l', '4', 'loaded'), (5, 'dvc_procedures', 'p', '5', 'loaded'), (6, 'dvc_dossiers', 'd', '6', 'loaded'),
		 (7, 'dvc_dossier_records', 'r', '7', 'loaded')`,
		`SELECT setval('batch_id_seq', 7)`,
		// Two surveys a village (the older one must lose).
		`INSERT INTO fact_village_survey (batch_id, row_no, village_code, as_of, team, platform, wifi, models)
		 SELECT 1, row_number() OVER (), code, m, random() < 0.9, random() < 0.9, random() < 0.8, (random() * 3)::int
		 FROM unit, (VALUES (DATE '2024-06-30'), (DATE '2024-11-30')) AS a(m) WHERE level = 'village'`,
		`INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		 SELECT 2, row_number() OVER (), code, DATE '2024-11-30', 200, 200 - (random() * 3)::int, 5, 5 FROM unit WHERE level = 'village'`,
		`INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, commune_code, certified_on)
		 SELECT 3, c, 'P' || c, 'P' || c, 'SP ' || c, 'sp ' || c, 3, code, DATE '2023-01-01'
		 FROM (SELECT code, row_number() OVER (ORDER BY code) c FROM unit WHERE level = 'commune') u WHERE c % 3 = 0`,
		`INSERT INTO fact_ocop_listing (batch_id, row_no, product_code, platform, active)
		 SELECT 4, row_number() OVER (), product_code, 'postmart', true FROM fact_ocop_product WHERE random() < 0.8`,
		`INSERT INTO fact_dvc_procedures (batch_id, row_no, unit_code, as_of, eligible, full_online, partial_online)
		 SELECT 5, row_number() OVER (), code, DATE '2024-11-30', 100, 60, 40 - (random() < 0.1)::int FROM unit WHERE level IN ('district', 'commune')`,
		`INSERT INTO fact_dvc_dossiers (batch_id, row_no, unit_code, period_from, period_to, received, full_online)
		 SELECT 6, row_number() OVER (), code, make_date(2024, m, 1), (make_date(2024, m, 1) + interval '1 month - 1 day')::date, 100, 75
		 FROM unit, generate_series(1, 12) m WHERE level IN ('district', 'commune')`,
		`INSERT INTO fact_dvc_dossier_record (batch_id, row_no, dossier_id, unit_code, received_on, channel, full_process)
		 SELECT 7, i, 'HS' || i, lpad((i % $1::int + 1)::text, 5, '0'), DATE '2024-01-01' + (i % 360),
		        CASE WHEN i % 4 = 0 THEN 'in_person' ELSE 'online' END, i % 5 <> 0
		 FROM generate_series(1, $2::int) i`,
		`ANALYZE`,
	}
	args := [][]any{nil, {districts}, {communes}, {villages}, nil, nil, nil, nil, nil, nil, nil, nil, {communes / 2, records}, nil}
	for i, s := range stmts {
		if _, err := f.pool.Exec(f.ctx, s, args[i]...); err != nil {
			tb.Fatalf("generate: %v\n%s", err, s)
		}
	}
	return f
}

// BenchmarkEvaluateProvince evaluates one province-sized structure (about Lạng Sơn's
// 1,600 villages, 200 communes, 10 districts and 200,000 dossier records). Set
// NTM_BENCH_VILLAGES (for example 80000, the national scale) and NTM_BENCH_RECORDS to
// change the size.
func BenchmarkEvaluateProvince(b *testing.B) {
	villages, records := 2000, 200000
	if v, err := strconv.Atoi(os.Getenv("NTM_BENCH_VILLAGES")); err == nil && v > 0 {
		villages = v
	}
	if v, err := strconv.Atoi(os.Getenv("NTM_BENCH_RECORDS")); err == nil && v >= 0 {
		records = v
	}
	f := generateScale(b, villages, records)
	p := ntm.Period{Year: 2024, Month: 12}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(f.ctx, f.pool, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var n int
	f.pool.QueryRow(f.ctx, `SELECT count(*) FROM result WHERE evaluation_id = (SELECT max(id) FROM evaluation)`).Scan(&n)
	b.ReportMetric(float64(n), "results/op")
}
