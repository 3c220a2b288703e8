package transform

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkUnitsFilesNational imports the national list as the national demo and bench do: one
// canonical units file per province (63 files, 8 made-up villages a commune, valid from
// 1/1/2020), each its own batch, into a fresh database. It reports the process's CPU per file
// (steadier than the time on a shared machine) and prints the md5 of the unit table's ordered
// rows, so that two builds can be shown to leave the same table (docs/performance-history.md,
// "Structure imports (national)"):
//
//	go test -run '^$' -bench UnitsFilesNational -benchtime 1x ./transform
func BenchmarkUnitsFilesNational(b *testing.B) {
	_, here, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(here), "..", "sample", "data", "vn_units_2024.csv"))
	if err != nil {
		b.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	header := []string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name",
		"village_code", "village_name", "village_kind", "valid_from", "valid_to"}
	var order []string
	byProvince := map[string][][]string{}
	for _, r := range recs[1:] { // province code, name, district code, name, kind, commune code, name, kind
		if r[5] == "" {
			continue
		}
		if byProvince[r[0]] == nil {
			order = append(order, r[0])
			byProvince[r[0]] = [][]string{header}
		}
		for v := 1; v <= nationalVillagesPerCommune; v++ {
			byProvince[r[0]] = append(byProvince[r[0]], []string{r[0], r[1], r[2], r[3], r[5], r[6],
				fmt.Sprintf("%s-%03d", r[5], v), fmt.Sprintf("Thôn %d", v), "Thôn", "2020-01-01", ""})
		}
	}
	dir := b.TempDir()
	var files []string
	for _, p := range order {
		files = append(files, writeCSV(b, dir, "units-"+p+".csv", byProvince[p], ',', false))
	}
	ctx := context.Background()
	var cpu time.Duration
	var pool *pgxpool.Pool
	for b.Loop() {
		b.StopTimer()
		pool, _ = wirePool(b)
		b.StartTimer()
		c0 := processCPU()
		for _, path := range files {
			rep, err := ImportUnits(ctx, pool, path, UnitsOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Rejected {
				b.Fatalf("%s rejected: %s", path, rep.Message)
			}
		}
		cpu += processCPU() - c0
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N*len(files)), "ms-cpu/file")
	b.ReportMetric(float64(len(files)), "files")
	var sum string
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*), md5(string_agg(concat_ws('|', code, level, kind, name, folded_name, parent_code,
		valid_from, valid_to, batch_id), E'\n' ORDER BY code, valid_from)) FROM unit`).Scan(&n, &sum); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d unit rows, md5 of ordered rows %s", n, sum)
}
