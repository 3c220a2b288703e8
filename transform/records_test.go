package transform

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"ntm"
	"ntm/copytext"
)

// A record-level export resolves a unit once per distinct cells and structure epoch: the same
// cell on dates either side of a change of structure gives each row the unit of its own date,
// whichever epoch was met first and however the rows alternate, and the reject of a unit that
// does not exist is the same on every row that names it.
func TestRecordsUnitPerEpoch(t *testing.T) {
	t.Parallel()
	pool, _ := reformedLangSon(t)
	rows := [][]string{{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"}}
	// Xã Vĩnh Tiến (06007) was merged into Thị trấn Thất Khê (06040) on 1/1/2025.
	want := map[int]string{}
	for i, d := range []string{"30/04/2025", "15/06/2024", "15/06/2024", "30/04/2025", "31/12/2024", "01/01/2025"} {
		rows = append(rows, []string{"R" + d + string(rune('a'+i)), "UBND xã Vĩnh Tiến", d, "Trực tuyến", "Toàn trình"})
		want[len(rows)] = map[bool]string{true: "06040", false: "06007"}[d[6:] == "2025"]
	}
	for i := range 2 {
		rows = append(rows, []string{"X" + string(rune('a'+i)), "UBND xã Không Có", "15/06/2024", "Trực tuyến", "Toàn trình"})
	}
	path := writeCSV(t, t.TempDir(), "records.csv", rows, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords, MaxRejectShare: 0.9})
	got := rowUnits(t, pool, "SELECT row_no, unit_code FROM fact_dvc_dossier_record WHERE batch_id = $1", rep.BatchID)
	for row, code := range want {
		if got[row] != code {
			t.Errorf("row %d: unit %q, want %s (reject: %s)", row, got[row], code, rejectOf(rep, row))
		}
	}
	if rep.RowsLoaded != 6 || rep.RowsRejected != 2 {
		t.Fatalf("loaded %d, rejected %d: %v", rep.RowsLoaded, rep.RowsRejected, rep.Rejects)
	}
	if a, b := rep.Rejects[0], rep.Rejects[1]; a.Column != b.Column || a.Reason != b.Reason || a.Reason == "" {
		t.Errorf("the same unknown unit rejected two ways: %v / %v", a, b)
	}
	mustContain(t, rejectOf(rep, 8), "Không Có")
	mustContain(t, joinNotes(rep), "Xã Vĩnh Tiến (cũ, 06007) → Thị trấn Thất Khê (06040)")
}

func joinNotes(rep FileReport) string {
	s := ""
	for _, n := range rep.Notes {
		s += n + "\n"
	}
	return s
}

// The duplicate check's runs are sorted as compareKeyEntry orders them, by the radix sort for
// entries in file order and by the comparison sort otherwise: full hashes and small ones (whose
// high bytes are all alike), many repeats, entries in file order and shuffled.
func TestKeySpillSortsAsCompare(t *testing.T) { // not parallel: other tests change keySpillChunk
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 255, 256, 1000, 70000} {
		for _, mod := range []uint64{0, 3000, 1 << 40} {
			for _, shuffle := range []bool{false, true} {
				k := &keySpill{}
				var all []keyEntry
				for i := range n {
					h := r.Uint64()
					if mod > 0 {
						h %= mod
					}
					all = append(all, keyEntry{hash: h, sheet: uint32(i / 5000), row: uint32(i%5000 + 2)})
				}
				if shuffle {
					r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
				}
				for _, e := range all {
					if err := k.add(e.hash, e.sheet, int(e.row)); err != nil {
						t.Fatal(err)
					}
				}
				k.sortEntries()
				want := slices.Clone(all)
				slices.SortFunc(want, compareKeyEntry)
				if !slices.Equal(k.buf, want) {
					t.Fatalf("%d entries, hashes mod %d, shuffled %v: not in compareKeyEntry's order", n, mod, shuffle)
				}
			}
		}
	}
}

// Records sent in COPY's binary format come back as they were given: texts with the characters
// COPY's text format escapes, a sheet name with quotes, dates at the ends of the years a date
// column takes here and a leap day, both service levels.
func TestRecordsBinaryCopyRoundTrip(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	head := []any{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC"}
	path := writeXLSX(t, t.TempDir(), "records.xlsx", sheet{name: `Hồ sơ "N"`, rows: [][]any{head,
		{`H36\N`, "UBND xã Vân An", "29/02/2024", "Trực tuyến", "Toàn trình"},
		{`A\B\\C`, "UBND xã Vân An", "01/01/2000", "Trực tiếp", "Một phần"},
		{"Đ-ư", "UBND xã Vân An", "31/12/1999", "BCCI", "Mức độ 3"},
		{"Z", "UBND xã Vân An", "15/10/2026", "", "Toàn trình"},
	}})
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if rep.RowsLoaded != 4 {
		t.Fatalf("report %+v", rep)
	}
	rows, err := pool.Query(context.Background(), `SELECT sheet || '|' || row_no || '|' || dossier_id || '|' || unit_code || '|' ||
		received_on || '|' || channel || '|' || full_process FROM fact_dvc_dossier_record WHERE batch_id = $1 ORDER BY row_no`, rep.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{`Hồ sơ "N"|2|H36\N|06469|2024-02-29|online|true`, `Hồ sơ "N"|3|A\B\\C|06469|2000-01-01|in_person|false`,
		`Hồ sơ "N"|4|Đ-ư|06469|1999-12-31|post|false`, `Hồ sơ "N"|5|Z|06469|2026-10-15|unknown|true`}
	if !slices.Equal(got, want) {
		t.Errorf("stored\n%q\nwant\n%q", got, want)
	}
}

// A record's date outside years 1–9999 is refused by the binary encoder as by the text one: the
// row, with the text encoder's reason.
func TestRecordBinaryDateRange(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Time{time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		f := factRow{tRecords, []any{"S", 2, "A", "06469", d, "online", true}}
		b, err := appendRecordBinary([]byte("x"), 1, f)
		_, want := copytext.Append(nil, d)
		var ve *valueError
		if !errors.As(err, &ve) || ve.field != "received_on" || want == nil || ve.err.Error() != want.Error() {
			t.Errorf("%v: %v (%q); want the text encoder's refusal %v", d, err, b, want)
		}
	}
	f := factRow{tRecords, []any{"S", 2, "A", "06469", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "online", true}}
	if _, err := appendRecordBinary(nil, 1, f); err != nil {
		t.Errorf("31/12/9999 refused: %v", err)
	}
}
