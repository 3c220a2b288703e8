package evaluate

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"ntm"
	"ntm/db/dbtest"
)

// generateScale fills a fresh database with `provinces` provinces of `villages` villages each
// (10 per commune, 20 communes per district) and a year of every dataset, including `records`
// record-level dossiers over the whole structure. Everything is generated in SQL so that setup
// stays quick.
func generateScale(tb testing.TB, provinces, villages, records int) *fixture {
	f := &fixture{ctx: context.Background(), pool: dbtest.New(tb)}
	perProvince := (villages + 9) / 10 // communes
	communes := provinces * perProvince
	stmts := []string{
		`INSERT INTO unit (code, level, name, folded_name)
		 SELECT lpad(p::text, 2, '0'), 'province', 'Tỉnh ' || p, 'tinh ' || p FROM generate_series(1, $1::int) p`,
		`INSERT INTO unit (code, level, name, folded_name, parent_code)
		 SELECT 'D' || ((c - 1) / $1::int + 1) || '-' || ((c - 1) % $1::int / 20 + 1), 'district',
		        'Huyện ' || ((c - 1) / $1::int + 1) || '-' || ((c - 1) % $1::int / 20 + 1), 'h' || c,
		        lpad(((c - 1) / $1::int + 1)::text, 2, '0')
		 FROM generate_series(1, $2::int) c WHERE (c - 1) % $1::int % 20 = 0`,
		`INSERT INTO unit (code, level, name, folded_name, parent_code)
		 SELECT lpad(c::text, 5, '0'), 'commune', 'Xã ' || c, 'x' || c,
		        'D' || ((c - 1) / $1::int + 1) || '-' || ((c - 1) % $1::int / 20 + 1) FROM generate_series(1, $2::int) c`,
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
	args := [][]any{{provinces}, {perProvince, communes}, {perProvince, communes}, {communes * 10}, nil, nil, nil, nil, nil, nil, nil, nil, {communes / 2, records}, nil}
	for i, s := range stmts {
		if _, err := f.pool.Exec(f.ctx, s, args[i]...); err != nil {
			tb.Fatalf("generate: %v\n%s", err, s)
		}
	}
	return f
}

// BenchmarkEvaluateProvince evaluates one province-sized structure (about Lạng Sơn's 1,676
// villages: 2,000 villages, 200 communes, 10 districts and 200,000 dossier records). Set
// NTM_BENCH_VILLAGES and NTM_BENCH_RECORDS to change the size.
func BenchmarkEvaluateProvince(b *testing.B) {
	benchmarkEvaluate(b, 1, envInt("NTM_BENCH_VILLAGES", 2000), envInt("NTM_BENCH_RECORDS", 200000))
}

// BenchmarkEvaluateProvinces evaluates 8 provinces of that size (16,000 villages, 50,000
// dossier records a province): the time grows with the provinces, the peak heap much less —
// one province's results are held at a time. NTM_BENCH_PROVINCES changes the count (63 with
// NTM_BENCH_VILLAGES=1270 is about the nation's 80,000 villages).
func BenchmarkEvaluateProvinces(b *testing.B) {
	n := envInt("NTM_BENCH_PROVINCES", 8)
	benchmarkEvaluate(b, n, envInt("NTM_BENCH_VILLAGES", 2000), envInt("NTM_BENCH_RECORDS", 50000*n))
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

// benchmarkEvaluate evaluates 2024-12 over generated provinces and reports the results written
// per evaluation and the peak of the live heap during it (sampled every millisecond, the
// generated data's setup excluded).
func benchmarkEvaluate(b *testing.B, provinces, villages, records int) {
	f := generateScale(b, provinces, villages, records)
	p := ntm.Period{Year: 2024, Month: 12}
	runtime.GC()
	peak := heapSampler()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(f.ctx, f.pool, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak()/1e6, "peak-heap-MB")
	var n int
	f.pool.QueryRow(f.ctx, `SELECT count(*) FROM result WHERE evaluation_id = (SELECT max(id) FROM evaluation)`).Scan(&n)
	b.ReportMetric(float64(n), "results/op")
}

// heapSampler samples the bytes of live and not yet swept heap objects until the returned
// function is called, which returns the largest seen.
func heapSampler() func() float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var max atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-stopped
		return float64(max.Load())
	}
}
