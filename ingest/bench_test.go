package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"ntm/sample"
)

// Benchmarks of the read path over the portal's record-level export
// (100,000 rows × 10 columns, inline strings): the reader, and beside it
// the cost of only decompressing the sheet, which bounds it.

const benchRows = 100000

var benchFiles struct {
	once      sync.Once
	xlsx, csv string
	sheetSize int64
	err       error
}

func benchInputs(b *testing.B) (xlsx, csv string, sheetSize int64) {
	b.Helper()
	benchFiles.once.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			benchFiles.err = err
			return
		}
		units, err := sample.LangSonRecordUnits()
		if err != nil {
			benchFiles.err = err
			return
		}
		benchFiles.xlsx = filepath.Join(dir, "records.xlsx")
		benchFiles.csv = filepath.Join(dir, "records.csv")
		if benchFiles.sheetSize, err = sample.WriteRecords(sample.RecordsOptions{Path: benchFiles.xlsx, Rows: benchRows, Units: units}); err != nil {
			benchFiles.err = err
			return
		}
		_, benchFiles.err = sample.WriteRecords(sample.RecordsOptions{Path: benchFiles.csv, Rows: benchRows, Units: units})
	})
	if benchFiles.err != nil {
		b.Fatal(benchFiles.err)
	}
	return benchFiles.xlsx, benchFiles.csv, benchFiles.sheetSize
}

func recordsScorer(cols []string) int {
	for _, c := range cols {
		if c == "Mã hồ sơ" {
			return 1
		}
	}
	return 0
}

func benchRead(b *testing.B, path string, size int64) {
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		n := 0
		err := ReadFile(context.Background(), path, recordsScorer, func(*Table) error { return nil },
			func(*Table, Row) error { n++; return nil })
		if err != nil || n != benchRows {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkReadRecordsXLSX(b *testing.B) {
	x, _, size := benchInputs(b)
	benchRead(b, x, size)
}

func BenchmarkReadRecordsCSV(b *testing.B) {
	_, c, _ := benchInputs(b)
	benchRead(b, c, fileSize(c))
}

// BenchmarkUnzipSheet only decompresses the sheet: the floor for ReadXLSX.
func BenchmarkUnzipSheet(b *testing.B) {
	x, _, size := benchInputs(b)
	b.SetBytes(size)
	for b.Loop() {
		zr, err := zip.OpenReader(x)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range zr.File {
			if f.Name == "xl/worksheets/sheet1.xml" {
				rc, _ := f.Open()
				io.Copy(io.Discard, rc)
				rc.Close()
			}
		}
		zr.Close()
	}
}

// benchDir is reused from run to run (the inputs are deterministic), so that
// nothing is left behind but one folder.
func mkdirTemp() (string, error) {
	d := filepath.Join(os.TempDir(), "ntm-ingest-bench")
	return d, os.MkdirAll(d, 0o755)
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// nullSink counts rows.
type nullSink struct{ n int }

func (s *nullSink) add(int, []string) (bool, error) { s.n++; return false, nil }
func (s *nullSink) end() error                      { return nil }

// BenchmarkTokenizeSheet runs the tokenizer alone over the export's sheet XML held in memory
// (no inflate, no header search): what scanRows costs a row.
func BenchmarkTokenizeSheet(b *testing.B) {
	x, _, size := benchInputs(b)
	zr, err := zip.OpenReader(x)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var data []byte
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := f.Open()
			data, err = io.ReadAll(rc)
			rc.Close()
		}
	}
	if err != nil || int64(len(data)) != size {
		b.Fatalf("%d bytes, %v", len(data), err)
	}
	wb := &workbook{file: x, lim: DefaultLimits()}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		sink := &nullSink{}
		if err := wb.scanRows(context.Background(), sheetRef{name: "s"}, bytes.NewReader(data), sink); err != nil || sink.n != benchRows+1 {
			b.Fatalf("%d rows, %v", sink.n, err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
