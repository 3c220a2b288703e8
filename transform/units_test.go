package transform

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"ntm/db/dbtest"
)

func TestImportUnitsCanonical(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	levels := map[string]int{"province": 1, "district": 3, "commune": 7, "village": 9}
	for l, want := range levels {
		if n := count(t, pool, `SELECT count(*) FROM unit WHERE level = $1`, l); n != want {
			t.Errorf("%s: %d units, want %d", l, n, want)
		}
	}
	var kind, folded, parent string
	if err := pool.QueryRow(ctx, `SELECT kind, folded_name, parent_code FROM unit WHERE code = '06466'`).Scan(&kind, &folded, &parent); err != nil {
		t.Fatal(err)
	}
	if kind != "Thị trấn" || folded != "chi lăng" || parent != "187" {
		t.Errorf("06466: %q %q %q", kind, folded, parent)
	}
	if err := pool.QueryRow(ctx, `SELECT kind, folded_name, parent_code FROM unit WHERE code = '06466-001'`).Scan(&kind, &folded, &parent); err != nil {
		t.Fatal(err)
	}
	if kind != "Khối" || folded != "phố mới" || parent != "06466" {
		t.Errorf("06466-001: %q %q %q", kind, folded, parent)
	}
	// Same bytes again: a no-op.
	dir := t.TempDir()
	path := writeCSV(t, dir, "units.csv", fixtureUnits, ',', false)
	rep, err := ImportUnits(ctx, pool, path, UnitsOptions{})
	if err != nil || !rep.AlreadyLoaded {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	// A corrected file (same code and valid_from) updates the name; a new village is added.
	fixed := append([][]string{}, fixtureUnits...)
	fixed[4] = append([]string{}, fixed[4]...)
	fixed[4][7] = "Thôn Nà Sla Mới"
	fixed = append(fixed, []string{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06331", "Xã Vạn Thủy", "06331-001", "Thôn Nà Hin", "Thôn", "", ""})
	rep, err = ImportUnits(ctx, pool, writeCSV(t, dir, "units2.csv", fixed, ',', false), UnitsOptions{})
	if err != nil || rep.Rejected || rep.AlreadyLoaded {
		t.Fatalf("import corrected: %+v %v", rep, err)
	}
	var name string
	pool.QueryRow(ctx, `SELECT name FROM unit WHERE code = '06469-001'`).Scan(&name)
	if name != "Thôn Nà Sla Mới" {
		t.Errorf("name not updated: %q", name)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit`); n != 21 {
		t.Errorf("units %d, want 21", n)
	}
	// A file from 1/7/2025 states the whole structure from that day: alone, 06523 under the
	// province would leave the other communes' villages under closed communes, which is refused.
	next := [][]string{fixtureUnits[0], {"20", "Tỉnh Lạng Sơn", "", "", "06523", "Xã Chi Lăng", "", "", "", "01/07/2025", ""}}
	rep, err = ImportUnits(ctx, pool, writeCSV(t, dir, "units2025.csv", next, ',', false), UnitsOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("orphaning import: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "Không nhập được danh mục từ ngày 01/07/2025", "--close-villages")
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE code = '06523'`); n != 1 {
		t.Errorf("refused import wrote versions of 06523: %d", n)
	}
	// The same file again, told to close the orphaned villages: 06523 gets a second version.
	rep, err = ImportUnits(ctx, pool, writeCSV(t, dir, "units2025.csv", next, ',', false), UnitsOptions{CloseVillages: true})
	if err != nil || rep.Rejected || rep.Structure == nil {
		t.Fatalf("import 2025: %+v %v", rep, err)
	}
	s := rep.Structure
	if s.Closed["district"] != 3 || s.Closed["commune"] != 6 || s.Closed["village"] != 8 || s.Moved["commune"] != 1 {
		t.Errorf("2025: closed %v moved %v", s.Closed, s.Moved)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE code = '06523'`); n != 2 {
		t.Errorf("versions of 06523: %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE code = '06523' AND valid_from = '2025-07-01' AND parent_code = '20'`); n != 1 {
		t.Errorf("2025 version of 06523 wrong")
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE valid_to = '2025-06-30'`); n != 3+6+8+1 { // and the old version of 06523
		t.Errorf("versions closed on 30/06/2025: %d", n)
	}
}

func TestImportUnitsRejects(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	rows := [][]string{fixtureUnits[0]}
	rows = append(rows, fixtureUnits[1:]...)
	rows = append(rows, []string{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06999", "", "", "", "", "", ""})
	rep, err := ImportUnits(context.Background(), pool, writeCSV(t, t.TempDir(), "u.csv", rows, ',', false), UnitsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A structure is all or nothing: one bad row rejects the file, naming the row.
	if !rep.Rejected || rep.RowsRejected != 1 || rep.RowsLoaded != 0 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 12", `cột "commune_name"`, "thiếu tên xã mã 06999")
	mustContain(t, rep.Message, "1/11 dòng có lỗi", "Dòng 12")
	if n := count(t, pool, `SELECT count(*) FROM unit`); n != 0 {
		t.Errorf("%d units imported from a rejected file", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE status = 'rejected'`); n != 1 {
		t.Errorf("rejected batches: %d", n)
	}
	// A file that is not a units list.
	rep, err = ImportUnits(context.Background(), pool, writeCSV(t, t.TempDir(), "x.csv", [][]string{{"a", "b"}, {"1", "2"}}, ',', false), UnitsOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("report %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "province_code", "commune_code")
}

// referenceFile is a reference list in sample/data/ (the sample generator embeds it).
func referenceFile(t *testing.T, name string) string {
	_, here, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(here), "..", "sample", "data", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportUnitsReferenceLayout(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	path := referenceFile(t, "langson_units_2022.csv")
	rep, err := ImportUnits(ctx, pool, path, UnitsOptions{ValidFrom: day(2022, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected || rep.RowsLoaded != 200 || rep.RowsRejected != 0 {
		t.Fatalf("report %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE valid_from = '2022-01-01'`); n != 1+11+200 {
		t.Errorf("units %d, want 212", n)
	}
	// The Chi Lăng case from the real list resolves as in the fixture.
	idx, err := LoadUnitIndex(ctx, pool, true)
	if err != nil {
		t.Fatal(err)
	}
	cands := idx.lookup("commune", readUnitName("Chi Lăng"), nil, "", day(2024, 1, 1))
	if len(cands) != 4 {
		t.Errorf("bare Chi Lăng: %d candidates, want 4 (Lạng Sơn has four)", len(cands))
	}
	cands = idx.lookup("commune", readUnitName("Thị trấn Chi Lăng"), idx.code("187", day(2024, 1, 1)), "", day(2024, 1, 1))
	if len(cands) != 1 || cands[0].Code != "06466" {
		t.Errorf("Thị trấn Chi Lăng: %v", cands)
	}
	var kind string
	pool.QueryRow(ctx, `SELECT kind FROM unit WHERE code = '178'`).Scan(&kind)
	if kind != "Thành phố" {
		t.Errorf("district kind %q", kind)
	}
}

func TestImportUnitsXLSXNumericCodes(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	path := writeXLSX(t, t.TempDir(), "units.xlsx", sheet{name: "DM", rows: [][]any{
		{"DANH MỤC ĐƠN VỊ HÀNH CHÍNH"},
		{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to"},
		{20, "Tỉnh Lạng Sơn", 187, "Huyện Chi Lăng", 6466, "Thị trấn Chi Lăng", "06466-001", "Khối Phố Mới", "Khối", 44562, nil},
	}})
	rep, err := ImportUnits(context.Background(), pool, path, UnitsOptions{})
	if err != nil || rep.Rejected || rep.RowsLoaded != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE code IN ('20', '187', '06466', '06466-001') AND valid_from = '2022-01-01'`); n != 4 {
		t.Errorf("units with restored codes: %d", n)
	}
}
