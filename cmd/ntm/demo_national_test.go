package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm/db"
	"ntm/db/dbtest"
)

// The national demo on a two-province extract of the built-in national list: the same code path
// as the whole country (a folder of exports per province, the record-level export, evaluation and
// a workbook per district and per province), small enough for a test.
func TestDemoNationalOnTwoProvinces(t *testing.T) {
	if testing.Short() {
		t.Skip("the national demo takes a while")
	}
	units := filepath.Join(t.TempDir(), "units.csv")
	writeProvinces(t, units, "20", "06") // Lạng Sơn and Bắc Kạn
	url := dbtest.URL(t)
	out := t.TempDir()
	code, stdout, stderr := ntmRun(t, "demo", "--scale", "national", "--units", units, "--records", "5000", "--out", out, "--database-url", url)
	if code != exitOK {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"tệp dữ liệu mẫu toàn quốc", "Đã nạp", "thôn thông minh", "huyện đạt chỉ tiêu 9.5", "mỗi tỉnh một tệp"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// 11 districts of Lạng Sơn, 8 of Bắc Kạn, and the two provinces.
	books, _ := filepath.Glob(filepath.Join(out, "reports", "2024-12", "*.xlsx"))
	if len(books) != 21 {
		t.Errorf("%d workbooks, want 21", len(books))
	}
	var facts int
	pool, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM fact_dvc_dossier_record`).Scan(&facts); err != nil || facts < 5000 {
		t.Errorf("record facts: %d (%v), want the 5,000 of the export and the sample's", facts, err)
	}

	// Run again: nothing new to load, the same results, so no workbook is rebuilt.
	before, err := os.Stat(books[0])
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = ntmRun(t, "demo", "--scale", "national", "--units", units, "--records", "5000", "--out", out, "--database-url", url)
	if code != exitOK {
		t.Fatalf("demo again: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Đã ghi 0 tệp báo cáo; 21 tệp không đổi từ lần ghi trước") {
		t.Errorf("second run: want every workbook unchanged:\n%s", stdout)
	}
	if after, err := os.Stat(books[0]); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("%s was written again (%v)", books[0], err)
	}
}

// writeProvinces writes the rows of the built-in national list for the given provinces.
func writeProvinces(t *testing.T, path string, codes ...string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "sample", "data", "vn_units_2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{}
	for _, c := range codes {
		keep[c] = true
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i, r := range rows {
		if i == 0 || keep[r[0]] {
			w.Write(r) //nolint:errcheck // a bytes.Buffer
		}
	}
	w.Flush()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
