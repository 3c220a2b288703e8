package transform

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

// The benchmarks of this file measure what every file pays at national scale, whatever its
// size (docs/performance.md, "small files"):
//
//	go test -run '^$' -bench 'UnitIndex|HeaderSearch|SmallFile' -benchtime 20x ./transform

// nationalVillagesPerCommune makes the canonical national list about as big as the national
// sample's (10,472 communes, about 84,000 villages).
const nationalVillagesPerCommune = 8

// nationalPool is a fresh database holding the 2024 national list (63 provinces, 704 districts,
// 10,472 communes) with made-up villages "Thôn 1" … "Thôn 8" in every commune; communes lists
// each commune's code and name and its district's name.
func nationalPool(b *testing.B) (pool *pgxpool.Pool, communes [][3]string, w *wire) {
	b.Helper()
	_, here, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(here), "..", "sample", "data", "vn_units_2024.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	rows := [][]string{fixtureUnits[0]}
	for _, r := range recs[1:] { // province code, name, district code, name, kind, commune code, name, kind
		if r[5] == "" {
			continue
		}
		for v := 1; v <= nationalVillagesPerCommune; v++ {
			rows = append(rows, []string{r[0], r[1], r[2], r[3], r[5], r[6], fmt.Sprintf("%s-%03d", r[5], v), fmt.Sprintf("Thôn %d", v), "Thôn", "", ""})
		}
		communes = append(communes, [3]string{r[5], r[6], r[3]})
	}
	pool, w = wirePool(b)
	rep, err := ImportUnits(context.Background(), pool, writeCSV(b, b.TempDir(), "units.csv", rows, ',', false), UnitsOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Rejected || rep.RowsRejected > 0 {
		b.Fatalf("national units not imported: %s %v", rep.Message, rep.Rejects[:min(3, len(rep.Rejects))])
	}
	return pool, communes, w
}

// wire counts what a pool's connections do on the network: round trips (a write to the server
// after reading its answer; pipelined statements share one) and the time spent waiting for the
// server's answers. With NTM_BENCH_WIRE_TRACE set, each round trip is printed to stderr with the
// start of what was sent and how long its answer took:
//
//	NTM_BENCH_WIRE_TRACE=1 go test -run '^$' -bench 'SmallFileNational/rows=1$' -benchtime 3x ./transform
type wire struct {
	trips atomic.Int64
	wait  atomic.Int64 // nanoseconds blocked in Read
	trace bool
	mu    sync.Mutex
	pids  []uint32 // the pool's PostgreSQL backends (a local server)
}

// serverCPU is the CPU time the pool's backends used so far, from /proc (a local server; 0 where
// their entries cannot be read). Clock ticks of 10 ms: read it over many files.
func (w *wire) serverCPU() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var d time.Duration
	for _, pid := range w.pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		d += time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
	}
	return d
}

type wireConn struct {
	net.Conn
	w    *wire
	read bool // the last call was a read: the next write starts a round trip
	// sent and waited are the round trip under way, for the trace.
	sent   string
	waited time.Duration
}

func (c *wireConn) Write(p []byte) (int, error) {
	if c.read {
		c.read = false
		c.w.trips.Add(1)
		if c.w.trace {
			if c.sent != "" {
				fmt.Fprintf(os.Stderr, "round trip %6.2f ms  %q\n", float64(c.waited)/1e6, c.sent)
			}
			c.sent, c.waited = string(p[:min(len(p), 90)]), 0
		}
	}
	return c.Conn.Write(p)
}

func (c *wireConn) Read(p []byte) (int, error) {
	c.read = true
	st := time.Now()
	n, err := c.Conn.Read(p)
	d := time.Since(st)
	c.w.wait.Add(int64(d))
	c.waited += d
	return n, err
}

// processCPU is the CPU time the process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// wirePool is a pool on a fresh, migrated database whose connections count their round trips.
func wirePool(b *testing.B) (*pgxpool.Pool, *wire) {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	w := &wire{trace: os.Getenv("NTM_BENCH_WIRE_TRACE") != ""}
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &wireConn{Conn: c, w: w, read: true}, nil
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		w.mu.Lock()
		w.pids = append(w.pids, c.PgConn().PID())
		w.mu.Unlock()
		return nil
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool, w
}

// BenchmarkUnitIndexNational builds the unit index of the national list with villages (what a
// village dataset resolves against): "build" reads and indexes it, as every file did before the
// index was shared; "shared" is what a file pays now while the structure does not change.
func BenchmarkUnitIndexNational(b *testing.B) {
	pool, _, _ := nationalPool(b)
	ctx := context.Background()
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadUnitIndex(ctx, pool, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("live", func(b *testing.B) {
		// What the index keeps live while a loader holds it (HeapInuse and heap objects after a
		// collection, the index held, the folding memos released): what the collector marks on
		// every cycle of every load.
		var idx *UnitIndex
		var live, objects float64
		for b.Loop() {
			ReleaseMemos()
			idx = nil
			before := liveHeap()
			x, err := LoadUnitIndex(ctx, pool, true)
			if err != nil {
				b.Fatal(err)
			}
			ReleaseMemos()
			after := liveHeap()
			idx = x
			if f := os.Getenv("NTM_BENCH_HEAP_PROFILE"); f != "" { // a heap profile with the index held
				out, err := os.Create(f)
				if err != nil {
					b.Fatal(err)
				}
				if err := pprof.WriteHeapProfile(out); err != nil {
					b.Fatal(err)
				}
				out.Close()
			}
			live = float64(after.HeapInuse-before.HeapInuse) / (1 << 20)
			objects = float64(after.HeapObjects) - float64(before.HeapObjects)
		}
		runtime.KeepAlive(idx)
		b.ReportMetric(live, "live-MB")
		b.ReportMetric(objects, "objects")
		b.ReportMetric(float64(idx.Len()), "versions")
	})
	b.Run("shared", func(b *testing.B) {
		l := NewLoader(pool, nil)
		if _, err := l.unitIndex(ctx, pool, true, 0); err != nil { // the first file builds it
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := l.unitIndex(ctx, pool, true, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHeaderSearch is the header search of one export of unknown dataset: the reader
// scores the first rows of the sheet (titles, a two-row header, column numbers) against every
// dataset's vocabulary, then the loader picks the dataset.
func BenchmarkHeaderSearch(b *testing.B) {
	rows := [][]string{
		{"UBND TỈNH LẠNG SƠN", "", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{"SỞ KHOA HỌC VÀ CÔNG NGHỆ", "", "", "", "", "Lạng Sơn, ngày 05 tháng 12 năm 2024"},
		{"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ CHO HỘ GIA ĐÌNH, CƠ QUAN, TỔ CHỨC"},
		{"(Số liệu đến ngày 30/11/2024)"},
		{"STT", "Tên xã", "Tên thôn", "Hộ gia đình", "Hộ gia đình", "Cơ quan, tổ chức", "Cơ quan, tổ chức", "Ghi chú"},
		{"STT", "Tên xã", "Tên thôn", "Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số", "Cơ quan, tổ chức Tổng số", "Cơ quan, tổ chức Đã gắn địa chỉ số", "Ghi chú"},
		{"(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"},
	}
	r := &run{report: FileReport{}}
	ss := r.candidateSpecs()
	for b.Loop() {
		score := scorerFor(ss)
		for _, row := range rows {
			score(row)
		}
		m, err := DetectDataset(rows[5], ss)
		if err != nil || m.Spec.Dataset != ntm.DatasetVpostcode {
			b.Fatalf("detected %v, %v", m, err)
		}
	}
}

// BenchmarkSmallFileNational loads a vpostcode export of one commune's villages (1 row) and of
// about the national sample's average vpostcode file (1,100 rows, 137 communes) per
// iteration, against the national list, with one loader as ntm ingest and the demo use: the
// 1-row file is the per-file overhead, the other the rows/s of a small file. Beside the time it
// reports the process's CPU per file (steadier than the time on a shared machine), the round
// trips to the server per file and the time spent waiting for its answers.
func BenchmarkSmallFileNational(b *testing.B) {
	pool, communes, w := nationalPool(b)
	ctx := context.Background()
	header := []string{"Tên huyện", "Mã xã", "Tên xã", "Tên thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số",
		"Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"}
	for _, rows := range []int{1, 1100} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			l := NewLoader(pool, nil)
			if _, err := l.unitIndex(ctx, pool, true, 0); err != nil { // built by the run's first file
				b.Fatal(err)
			}
			dir := b.TempDir()
			n := 0
			trips, wait, server := w.trips.Load(), w.wait.Load(), w.serverCPU()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				recs := [][]string{header}
				for i := 0; i < rows; i++ {
					c := communes[(n*rows+i)/nationalVillagesPerCommune%len(communes)]
					recs = append(recs, []string{c[2], c[0], c[1], fmt.Sprintf("Thôn %d", 1+i%nationalVillagesPerCommune),
						fmt.Sprint(100 + n), "90", "3", "2", "30/11/2024"})
				}
				path := writeCSV(b, dir, fmt.Sprintf("vpostcode-%d.csv", n), recs, ',', false)
				n++
				b.StartTimer()
				c0 := processCPU()
				rep, err := l.LoadFile(ctx, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
				cpu += processCPU() - c0
				if err != nil {
					b.Fatal(err)
				}
				if rep.RowsLoaded != rows {
					b.Fatalf("loaded %d of %d: %s %v", rep.RowsLoaded, rows, rep.Message, rep.Rejects[:min(3, len(rep.Rejects))])
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(w.trips.Load()-trips)/float64(n), "trips/file")
			b.ReportMetric(float64(w.wait.Load()-wait)/1e6/float64(n), "ms-waiting/file")
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(n), "ms/file")
			b.ReportMetric(cpu.Seconds()*1000/float64(n), "cpu-ms/file")
			b.ReportMetric((w.serverCPU()-server).Seconds()*1000/float64(n), "server-cpu-ms/file")
			b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// liveHeap is the heap's statistics after a full collection.
func liveHeap() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
