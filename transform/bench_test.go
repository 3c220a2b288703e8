package transform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"ntm"
	"ntm/sample"
)

// benchUnits are the receiving units of the generated record-level exports.
var benchUnits = []string{"UBND xã Vân An", "UBND xã Long Đống", "UBND huyện Chi Lăng", "UBND thị trấn Bắc Sơn"}

// BenchmarkLoadDossierRecords loads a record-level export of 100,000 rows as CSV (the biggest
// dataset) per iteration: parse, resolve, COPY, commit. Reports rows/s.
func BenchmarkLoadDossierRecords(b *testing.B) {
	channels := []string{"Trực tuyến", "Trực tiếp", "BCCI"}
	levels := []string{"Toàn trình", "Một phần", "Mức độ 4"}
	benchmarkLoad(b, ".csv", func(path string, rows, n int) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		fmt.Fprintln(f, "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC")
		for r := 0; r < rows; r++ {
			fmt.Fprintf(f, "H36-%d-%07d,%s,%02d/%02d/2026,%s,%s\n", n, r, benchUnits[r%len(benchUnits)], 1+r%28, 1+r%12, channels[r%3], levels[r%3])
		}
		return f.Close()
	})
}

// BenchmarkLoadDossierRecordsXLSX loads the portal's record-level export as an .xlsx of
// 100,000 rows × 10 columns with inline strings per iteration: read, parse, resolve, COPY,
// commit. Reports rows/s. (ntm bench runs the same at 1,000,000 rows beside unzip and psql.)
func BenchmarkLoadDossierRecordsXLSX(b *testing.B) {
	benchmarkLoad(b, ".xlsx", func(path string, rows, n int) error {
		_, err := sample.WriteRecords(sample.RecordsOptions{Path: path, Rows: rows, Units: benchUnits, Seed: int64(n), Year: 2026})
		return err
	})
}

// benchmarkLoad times loading a new 100,000-row export per iteration (write makes file n, not
// timed), and checks every row loaded.
func benchmarkLoad(b *testing.B, ext string, write func(path string, rows, n int) error) {
	const rows = 100000
	pool := seededPool(b)
	dir := b.TempDir()
	l := NewLoader(pool, nil)
	n := 0
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("records-%d%s", n, ext))
		if err := write(path, rows, n); err != nil {
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
