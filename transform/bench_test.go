package transform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoadDossierRecords loads a record-level export of 100,000 rows (the biggest
// dataset) per iteration: parse, resolve, COPY, commit. Reports rows/s.
func BenchmarkLoadDossierRecords(b *testing.B) {
	const rows = 100000
	pool := seededPool(b)
	dir := b.TempDir()
	units := []string{"UBND xã Vân An", "UBND xã Long Đống", "UBND huyện Chi Lăng", "UBND thị trấn Bắc Sơn"}
	channels := []string{"Trực tuyến", "Trực tiếp", "BCCI"}
	levels := []string{"Toàn trình", "Một phần", "Mức độ 4"}
	l := NewLoader(pool, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("records-%d.csv", i))
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(f, "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC")
		for r := 0; r < rows; r++ {
			fmt.Fprintf(f, "H36-%d-%07d,%s,%02d/%02d/2026,%s,%s\n", i, r, units[r%len(units)], 1+r%28, 1+r%12, channels[r%3], levels[r%3])
		}
		f.Close()
		b.StartTimer()
		rep, err := l.LoadFile(context.Background(), path, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.RowsLoaded != rows {
			b.Fatalf("loaded %d of %d: %+v", rep.RowsLoaded, rows, rep.Rejects[:min(3, len(rep.Rejects))])
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
