package transform

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/ingest"
)

// bigSheetLoader reads every sheet as a big one (decompressed once, its merged ranges learnt at
// its end, ingest.Reader.ReadAgain): what a 1,000,000-row export goes through, on a small file.
func bigSheetLoader(pool *pgxpool.Pool) *Loader {
	l := NewLoader(pool, nil)
	l.Limits = ingest.Limits{UnzipXMLSize: 1}
	return l
}

// A big sheet whose merged ranges come after its rows is read again with them, in a load rolled
// back first: the same facts, rejects and notes as a sheet read in memory, and one batch.
func TestBigSheetWithMergedRangesLoadsAsASmallOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	merged := [][]any{
		{"Số liệu địa chỉ số tháng 11/2024"},
		{"Huyện", "Xã", "Thôn", "Số hộ", nil, "Cơ quan, tổ chức", nil, "Ngày số liệu"},
		{nil, nil, nil, "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", nil},
		{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", 100, 90, 12, 6, "30/11/2024"},
		{nil, nil, "Hòa Bình", 100, 90, nil, 3, "30/11/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 2, 1, "30/11/2024"},
		{nil, nil, "Bản Chắt", 80, 70, 2, 1, "30/11/2024"},
	}
	for _, d := range []string{"01/12/2024", "02/12/2024"} {
		merged = append(merged, []any{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", 100, 91, 1, 1, d}, []any{nil, nil, "Hòa Bình", 100, 92, 1, 1, d},
			[]any{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 93, 2, 1, d}, []any{nil, nil, "Bản Chắt", 80, 74, 2, 1, d})
	}
	merges := [][2]string{{"A1", "H1"}, {"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "E2"}, {"F2", "G2"}, {"H2", "H3"},
		{"A4", "A5"}, {"B4", "B5"}, {"F4", "F5"}, {"A6", "A7"}, {"B6", "B7"}}
	for r := 8; r < 16; r += 2 {
		merges = append(merges, [2]string{fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r+1)}, [2]string{fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r+1)})
	}
	path := writeXLSX(t, t.TempDir(), "merged.xlsx", sheet{name: "Chi Lăng", rows: merged, merges: merges})
	opts := LoadOptions{Dataset: ntm.DatasetVpostcode}

	small, big := seededPool(t), seededPool(t)
	want, err := NewLoader(small, nil).LoadFile(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bigSheetLoader(big).LoadFile(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	assertConserved(t, big, got)
	if got.RowsLoaded != 10 || got.RowsRejected != 2 {
		t.Fatalf("big sheet: %d loaded, %d rejected, want 10 and 2 (the merged count F4:F5 refused, the communes filled down): %+v", got.RowsLoaded, got.RowsRejected, got)
	}
	if g, w := reportText(got), reportText(want); g != w {
		t.Errorf("the big sheet's report differs from the small one's:\n%s\nwant\n%s", g, w)
	}
	facts := `SELECT string_agg(concat_ws('|', village_code, households_total, households_with, orgs_total, orgs_with, as_of), ',' ORDER BY village_code) FROM fact_vpostcode`
	if g, w := scalar(t, big, facts), scalar(t, small, facts); g != w || g == "" {
		t.Errorf("facts %q, want %q", g, w)
	}
	rejects := `SELECT string_agg(concat_ws('|', sheet, row_no, col, reason), ',' ORDER BY row_no, col) FROM rejected_row`
	if g, w := scalar(t, big, rejects), scalar(t, small, rejects); g != w {
		t.Errorf("rejected rows %q, want %q", g, w)
	}
	if n := count(t, big, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 1 {
		t.Errorf("%d batches after one load read twice, want 1 (the first reading rolled back)", n)
	}

	// The same file again: already loaded, whichever way it is read.
	again, err := bigSheetLoader(big).LoadFile(ctx, path, opts)
	if err != nil || !again.AlreadyLoaded {
		t.Errorf("second load %+v %v", again, err)
	}
	// A check reads it the same way and writes nothing.
	chk, err := bigSheetLoader(small).CheckFile(ctx, writeXLSX(t, t.TempDir(), "merged-2.xlsx", sheet{name: "Chi Lăng", rows: merged, merges: merges}), opts)
	if err != nil || chk.RowsLoaded != 10 || chk.RowsRejected != 2 {
		t.Errorf("check of the big sheet: %+v %v", chk, err)
	}
}

// A big sheet without merged ranges is read once; one with merged ranges and dates written month
// first is read three times (ranges, then the month), and says so once.
func TestBigSheetReadAgainAndMonthFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rows := [][]any{{"Danh sách hồ sơ"}, {"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"}}
	for i, d := range []string{"03/04/2026", "03/05/2026", "03/25/2026", "03/06/2026"} {
		rows = append(rows, []any{fmt.Sprintf("H-%d", i), "UBND xã Vân An", d, "Trực tuyến", "Toàn trình"})
	}
	opts := LoadOptions{Dataset: ntm.DatasetDVCDossierRecords}
	for _, c := range []struct {
		name   string
		merges [][2]string
	}{{"plain", nil}, {"title merged", [][2]string{{"A1", "E1"}}}} {
		pool := seededPool(t)
		path := writeXLSX(t, t.TempDir(), "ho-so.xlsx", sheet{name: "Export", rows: rows, merges: c.merges})
		rep, err := bigSheetLoader(pool).LoadFile(ctx, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
			t.Fatalf("%s: %+v", c.name, rep)
		}
		got := scalar(t, pool, `SELECT string_agg(to_char(received_on, 'YYYY-MM-DD'), ' ' ORDER BY row_no) FROM fact_dvc_dossier_record`)
		if got != "2026-03-04 2026-03-05 2026-03-25 2026-03-06" {
			t.Errorf("%s: dates %q, want them read month first", c.name, got)
		}
		if n := strings.Count(strings.Join(rep.Notes, "\n"), "tháng/ngày/năm"); n != 1 {
			t.Errorf("%s: the month-first note %d times, want once: %q", c.name, n, rep.Notes)
		}
		if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'dvc_dossier_records'`); n != 1 {
			t.Errorf("%s: %d batches, want 1", c.name, n)
		}
	}
}

func reportText(r FileReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %d loaded %d rejected %d skipped %d\n", r.RowsRead, r.RowsLoaded, r.RowsRejected, r.RowsSkipped)
	for _, x := range r.Rejects {
		b.WriteString(x.String() + "\n")
	}
	b.WriteString(strings.Join(r.Notes, "\n"))
	return b.String()
}

func scalar(t testing.TB, pool *pgxpool.Pool, sql string) string {
	t.Helper()
	var s *string
	if err := pool.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s == nil {
		return ""
	}
	return *s
}
