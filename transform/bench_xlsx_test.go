package transform

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"ntm"
	"ntm/sample"
)

// BenchmarkLoadDossierRecordsXLSX loads the portal's record-level export as an .xlsx of
// 100,000 rows × 10 columns with inline strings per iteration: read, parse, resolve, COPY,
// commit. Reports rows/s. (ntm bench runs the same at 1,000,000 rows beside unzip and psql.)
func BenchmarkLoadDossierRecordsXLSX(b *testing.B) {
	const rows = 100000
	pool := seededPool(b)
	units := []string{"UBND xã Vân An", "UBND xã Long Đống", "UBND huyện Chi Lăng", "UBND thị trấn Bắc Sơn"}
	dir := b.TempDir()
	l := NewLoader(pool, nil)
	n := 0
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("records-%d.xlsx", n))
		if _, err := sample.WriteRecords(sample.RecordsOptions{Path: path, Rows: rows, Units: units, Seed: int64(n), Year: 2026}); err != nil {
			b.Fatal(err)
		}
		n++
		b.StartTimer()
		rep, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
		if err != nil {
			b.Fatal(err)
		}
		if rep.RowsLoaded != rows {
			b.Fatalf("loaded %d of %d: %v", rep.RowsLoaded, rows, rep.Rejects[:min(3, len(rep.Rejects))])
		}
	}
	b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
}
