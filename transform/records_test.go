package transform

import (
	"math/rand/v2"
	"slices"
	"testing"

	"ntm"
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
