package transform

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"ntm"

	"go.uber.org/zap"
)

// A record-level export bigger than the duplicate check's memory: the check spills sorted runs
// to disk and merges them, and must find exactly the rows the in-memory check would, keep the
// earliest of each, take the others out of the database, and leave no temporary file behind.
func TestDuplicateRecordsAcrossSpilledRuns(t *testing.T) {
	pool := seededDB(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := keySpillChunk
	keySpillChunk = 7 // 60 rows: nine runs
	t.Cleanup(func() { keySpillChunk = old })

	rows := [][]string{{"Số hồ sơ", "Cơ quan tiếp nhận", "Ngày nhận", "Kênh nộp", "Toàn trình"}}
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf("H26.%04d", i)
	}
	// Row numbers are 1-based with the header on row 1: ids[i] is on row i+2.
	ids[20] = ids[3]  // row 22 repeats row 5
	ids[45] = ids[3]  // row 47 too
	ids[58] = ids[50] // row 60 repeats row 52
	for _, id := range ids {
		rows = append(rows, []string{id, "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"})
	}
	path := writeCSV(t, t.TempDir(), "ho-so.csv", rows, ',', false)
	ctx := context.Background()
	opts := LoadOptions{Dataset: ntm.DatasetDVCDossierRecords}

	chk, err := NewLoader(pool, zap.NewNop()).CheckFile(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if chk.RowsLoaded != 57 || chk.RowsRejected != 3 || chk.FactsWritten != 57 {
		t.Fatalf("check: loaded %d, rejected %d, facts %d; want 57, 3, 57", chk.RowsLoaded, chk.RowsRejected, chk.FactsWritten)
	}

	rep := load(t, pool, path, opts)
	if rep.RowsLoaded != 57 || rep.RowsRejected != 3 || rep.FactsWritten != 57 {
		t.Fatalf("load: loaded %d, rejected %d, facts %d; want 57, 3, 57", rep.RowsLoaded, rep.RowsRejected, rep.FactsWritten)
	}
	got := map[int]string{}
	for _, r := range rep.Rejects {
		got[r.Row] = r.String()
	}
	for row, first := range map[int]int{22: 5, 47: 5, 60: 52} {
		mustContain(t, got[row], fmt.Sprintf("trùng khóa với dòng %d", first), "mã hồ sơ")
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1`, rep.BatchID); n != 57 {
		t.Errorf("facts in the batch: %d, want 57", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1 AND row_no IN (22, 47, 60)`, rep.BatchID); n != 0 {
		t.Errorf("the duplicate rows are still stored (%d)", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1 AND row_no IN (5, 52)`, rep.BatchID); n != 2 {
		t.Errorf("the first rows were not kept (%d of 2)", n)
	}
	var raw string
	if err := pool.QueryRow(ctx, `SELECT raw FROM rejected_row WHERE batch_id = $1 AND row_no = 60`, rep.BatchID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw, ids[50]) {
		t.Errorf("rejected row 60 should show what it held, got %q", raw)
	}
	if n := count(t, pool, `SELECT count(*) FROM rejected_row WHERE batch_id = $1`, rep.BatchID); n != 3 {
		t.Errorf("rejected rows recorded: %d, want 3", n)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// Rows that repeat earlier ones beyond the reject share fail the whole file, as other rejects do.
func TestDuplicateRecordsFailTheFileBeyondTheShare(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	old := keySpillChunk
	keySpillChunk = 4
	t.Cleanup(func() { keySpillChunk = old })
	rows := [][]string{{"Số hồ sơ", "Cơ quan tiếp nhận", "Ngày nhận", "Kênh nộp", "Toàn trình"}}
	for i := 0; i < 20; i++ {
		rows = append(rows, []string{fmt.Sprintf("H%d", i%5), "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"})
	}
	path := writeCSV(t, t.TempDir(), "ho-so.csv", rows, ',', false)
	rep, err := NewLoader(pool, zap.NewNop()).LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Rejected || rep.RowsRejected != 15 {
		t.Fatalf("want the file rejected with 15 duplicate rows, got %+v", rep)
	}
	// The first error named is the first in the file.
	mustContain(t, rep.Message, "15/20", "lỗi đầu tiên: Dòng 7: trùng khóa với dòng 2")
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record`); n != 0 {
		t.Errorf("%d facts stored from a rejected file", n)
	}
}

// keySpill finds exactly the rows an in-memory set finds, each against the earliest row with its
// key, whatever the run size and however the rows spread over sheets.
func TestKeySpillAgreesWithASet(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, chunk := range []int{50, 333, 1 << 20} { // 100 runs at most: one open file each while merging
		old := keySpillChunk
		keySpillChunk = chunk
		k := &keySpill{}
		type pos struct {
			sheet uint32
			row   int
		}
		first := map[uint64]pos{}
		want := map[pos]pos{}
		r := uint64(7)
		for i := 0; i < 5000; i++ {
			r = r*6364136223846793005 + 1442695040888963407
			h := (r >> 33) % 3000 // about 40% repeats
			p := pos{sheet: uint32(i / 2000), row: i%2000 + 2}
			if f, ok := first[h]; ok {
				want[p] = f
			} else {
				first[h] = p
			}
			if err := k.add(h, p.sheet, p.row); err != nil {
				t.Fatal(err)
			}
		}
		got := map[pos]pos{}
		err := k.duplicates(func(d duplicateRow) error {
			got[pos{d.sheet, d.row}] = pos{d.firstSheet, d.firstRow}
			return nil
		})
		keySpillChunk = old
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d duplicates, want %d", chunk, len(got), len(want))
		}
		for p, f := range want {
			if got[p] != f {
				t.Fatalf("chunk %d: %v repeats %v, got %v", chunk, p, f, got[p])
			}
		}
	}
}

// Across sheets: a dossier of the second sheet repeating one of the first is rejected against
// "a row of another sheet", and the report lists rejects in file order (sheet, then row).
func TestDuplicateRecordsAcrossSheets(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	old := keySpillChunk
	keySpillChunk = 2
	t.Cleanup(func() { keySpillChunk = old })
	head := []any{"Mã hồ sơ", "Cơ quan tiếp nhận", "Ngày nhận", "Kênh nộp", "Toàn trình"}
	rec := func(id string) []any { return []any{id, "UBND xã Long Đống", "01/11/2026", "Trực tuyến", "x"} }
	path := writeXLSX(t, t.TempDir(), "ho-so.xlsx",
		sheet{name: "Quý 3", rows: [][]any{head, rec("Z9"), rec("A1"), rec("B2"), rec("C3")}},
		sheet{name: "Quý 4", rows: [][]any{head, rec("D4"), rec("A1"), rec("E5"), rec("Z9")}})
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords, MaxRejectShare: 0.5})
	if rep.RowsLoaded != 6 || rep.RowsRejected != 2 {
		t.Fatalf("loaded %d, rejected %d; want 6, 2", rep.RowsLoaded, rep.RowsRejected)
	}
	// A1 hashes before or after Z9 by chance; the report is in file order whatever the key order.
	if rep.Rejects[0].Row != 3 || rep.Rejects[1].Row != 5 || rep.Rejects[0].Sheet != "Quý 4" {
		t.Fatalf("rejects out of file order: %v", rep.Rejects)
	}
	mustContain(t, rep.Rejects[0].String(), `dòng 3 của trang "Quý 3"`)
	mustContain(t, rep.Rejects[1].String(), `dòng 2 của trang "Quý 3"`)
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1 AND sheet = 'Quý 4' AND row_no IN (3, 5)`, rep.BatchID); n != 0 {
		t.Errorf("the repeats of sheet Quý 4 are still stored (%d)", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1 AND sheet = 'Quý 3'`, rep.BatchID); n != 4 {
		t.Errorf("sheet Quý 3 keeps %d rows, want 4", n)
	}
}
