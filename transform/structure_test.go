package transform

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
	"ntm/units"
)

// structureFile is the project's copy of a structure list or mapping (units/data/).
func structureFile(t testing.TB, name string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(here), "..", "units", "data", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func importUnitsFile(t testing.TB, pool *pgxpool.Pool, path string, opts UnitsOptions) UnitsReport {
	t.Helper()
	rep, err := ImportUnits(context.Background(), pool, path, opts)
	if err != nil {
		t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	if rep.Rejected {
		t.Fatalf("import %s rejected: %s %v", filepath.Base(path), rep.Message, rep.Rejects)
	}
	return rep
}

// reformedLangSon imports Lạng Sơn's real lists in date order: 2022, the 1/1/2025 list and its
// Thất Khê successors, the 1/7/2025 list and the 1672 mapping.
func reformedLangSon(t testing.TB) (*pgxpool.Pool, []UnitsReport) {
	pool := dbtest.New(t)
	var reps []UnitsReport
	for _, f := range []struct {
		path string
		from string
	}{
		{referenceFile(t.(*testing.T), "langson_units_2022.csv"), "2022-01-01"},
		{structureFile(t, "langson_units_2025h1.csv"), "2025-01-01"},
		{structureFile(t, "langson_mapping_2025h1.csv"), "2025-01-01"},
		{structureFile(t, "langson_units_2025.csv"), "2025-07-01"},
		{structureFile(t, "langson_mapping_2025.csv"), "2025-07-01"},
	} {
		from, _ := time.Parse("2006-01-02", f.from)
		reps = append(reps, importUnitsFile(t, pool, f.path, UnitsOptions{ValidFrom: from}))
	}
	return pool, reps
}

func TestRealLangSonStructures(t *testing.T) {
	t.Parallel()
	pool, reps := reformedLangSon(t)
	ctx := context.Background()
	y2022, h1, h1map, y2025, map2025 := reps[0].Structure, reps[1].Structure, reps[2].Links, reps[3].Structure, reps[4].Links
	if got := units.CountText(y2022.InForce); got != "1 tỉnh, 11 huyện, 200 xã" {
		t.Errorf("2022: %s", got)
	}
	// 1/1/2025: six communes close, 06040 is renamed (Xã Đại Đồng → Thị trấn Thất Khê).
	if h1.Closed[ntm.LevelCommune] != 6 || h1.Renamed[ntm.LevelCommune] != 1 || h1.Opened[ntm.LevelCommune] != 0 || len(h1.WithoutSuccessor) != 6 {
		t.Errorf("2025h1: closed %v renamed %v without successor %d", h1.Closed, h1.Renamed, len(h1.WithoutSuccessor))
	}
	var without []string
	for _, v := range h1map.WithoutSuccessor {
		without = append(without, v.Code)
	}
	if h1map.Links != 2 || h1map.Unchanged != 1 || strings.Join(without, " ") != "06295 06301 06454 06574" {
		t.Errorf("2025h1 mapping: %d links, %d unchanged, without successor %v", h1map.Links, h1map.Unchanged, without)
	}
	// 1/7/2025: the districts close (the level is abolished: they have no successor); every
	// commune has one, from merged_from_codes, and the mapping repeats them.
	if y2025.Closed[ntm.LevelDistrict] != 11 || y2025.Abolished[ntm.LevelDistrict] != 11 || len(y2025.WithoutSuccessor) != 0 || y2025.Links != 196 {
		t.Errorf("2025: closed %v, links %d, without successor %v", y2025.Closed, y2025.Links, y2025.WithoutSuccessor)
	}
	if y2025.Closed[ntm.LevelCommune]+y2025.Moved[ntm.LevelCommune] != 194 || y2025.Opened[ntm.LevelCommune] != 0 {
		t.Errorf("2025 communes: closed %d, moved %d, opened %d", y2025.Closed[ntm.LevelCommune], y2025.Moved[ntm.LevelCommune], y2025.Opened[ntm.LevelCommune])
	}
	if map2025.Links != 0 || map2025.Unchanged != 196 || map2025.Replaced != 0 {
		t.Errorf("2025 mapping after the list: %+v", map2025)
	}
	h, err := units.Load(ctx, pool, units.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]string{
		"2024-12-31": "1 tỉnh, 11 huyện, 200 xã",
		"2025-06-30": "1 tỉnh, 11 huyện, 194 xã",
		"2025-07-01": "1 tỉnh, 65 xã",
	} {
		on, _ := time.Parse("2006-01-02", d)
		if got := units.CountText(h.Count(on)); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
	// The Thất Khê double change: 06040 is three units.
	for d, want := range map[string]string{"2024-12-31": "Xã Đại Đồng", "2025-01-01": "Thị trấn Thất Khê", "2025-07-01": "Xã Thất Khê"} {
		on, _ := time.Parse("2006-01-02", d)
		if v := h.At("06040", on); v == nil || v.Name != want {
			t.Errorf("06040 on %s: %v, want %s", d, v, want)
		}
	}
	e, _ := time.Parse("2006-01-02", "2026-11-30")
	xtk := h.At("06040", e)
	var preds []string
	for _, a := range h.Predecessors(xtk) {
		preds = append(preds, a.Version.Label())
	}
	want := "Xã Chí Minh (06013), Xã Chi Lăng (06034), Thị trấn Thất Khê (06040), Thị trấn Thất Khê (05995), Xã Vĩnh Tiến (06007), Xã Đại Đồng (06040)"
	if got := strings.Join(preds, ", "); got != want {
		t.Errorf("predecessors of Xã Thất Khê:\n got %s\nwant %s", got, want)
	}
	// New Xã Chi Lăng has old Thị trấn Đồng Mỏ's code: a 2024 fact of 06463 is Đồng Mỏ's.
	a := h.Attribute(e)
	on2024, _ := time.Parse("2006-01-02", "2024-10-01")
	v, owners := a.Of("06463", on2024)
	if v.Name != "Thị trấn Đồng Mỏ" || len(owners) != 1 || owners[0].Version.Name != "Xã Chi Lăng" || owners[0].Depth != 1 {
		t.Errorf("2024 fact of 06463: %v → %+v", v, owners)
	}
	preds = nil
	for _, a := range h.Predecessors(h.At("06463", e)) {
		preds = append(preds, a.Version.Label())
	}
	if got := strings.Join(preds, ", "); got != "Thị trấn Đồng Mỏ (06463), Thị trấn Chi Lăng (06466), Xã Chi Lăng (06523)" {
		t.Errorf("predecessors of Xã Chi Lăng: %s", got)
	}
	// The Bính Xá / Kiên Mộc split: partial owners.
	_, owners = a.Of("06622", on2024)
	if len(owners) != 2 || owners[0].Version.Name != "Xã Đình Lập" || owners[1].Version.Name != "Xã Kiên Mộc" || !owners[0].Partial || !owners[1].Partial {
		t.Errorf("Bính Xá's owners: %+v", owners)
	}
	// Imports go in date order: the first-half list again (other bytes) is refused.
	b, _ := os.ReadFile(structureFile(t, "langson_units_2025h1.csv"))
	late := filepath.Join(t.TempDir(), "langson_units_2025h1_again.csv")
	if err := os.WriteFile(late, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	jan, _ := time.Parse("2006-01-02", "2025-01-01")
	rep, err := ImportUnits(ctx, pool, late, UnitsOptions{ValidFrom: jan})
	if err != nil || !rep.Rejected {
		t.Fatalf("out of order: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "Không nhập được danh mục từ ngày 01/01/2025", "đã có thay đổi từ ngày 01/07/2025", "thứ tự ngày")
	// A list without a date, once units exist, says to give one.
	rep, err = ImportUnits(ctx, pool, late, UnitsOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("no date: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "--valid-from")
	// A mapping needs its date.
	rep, err = ImportUnits(ctx, pool, writeCSV(t, t.TempDir(), "map.csv", [][]string{{"old_commune_code", "new_commune_code", "merge_type"}, {"06622", "06613", "partial"}}, ',', false), UnitsOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("mapping without date: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "--valid-from")
}

// ntm check --dataset units runs the import in a transaction it rolls back: the report says what
// the import would change, or why it would be refused, and nothing is written.
func TestCheckUnitsWritesNothing(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	jan22, _ := time.Parse("2006-01-02", "2022-01-01")
	importUnitsFile(t, pool, referenceFile(t, "langson_units_2022.csv"), UnitsOptions{ValidFrom: jan22})
	jul, _ := time.Parse("2006-01-02", "2025-07-01")
	rep, err := CheckUnits(ctx, pool, structureFile(t, "langson_units_2025.csv"), UnitsOptions{ValidFrom: jul})
	if err != nil || rep.Rejected || rep.Structure == nil {
		t.Fatalf("check: %+v %v", rep, err)
	}
	if rep.Structure.Closed[ntm.LevelDistrict] != 11 || units.CountText(rep.Structure.InForce) != "1 tỉnh, 65 xã" {
		t.Errorf("check report: closed %v, in force %v", rep.Structure.Closed, rep.Structure.InForce)
	}
	if n := count(t, pool, `SELECT count(*) FROM unit WHERE valid_from = '2025-07-01'`); n != 0 {
		t.Errorf("a check wrote %d versions", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != 1 {
		t.Errorf("a check recorded a batch: %d batches", n)
	}
	// A check that would be refused says why.
	rep, err = CheckUnits(ctx, pool, structureFile(t, "langson_mapping_2025.csv"), UnitsOptions{ValidFrom: jul})
	if err != nil || !rep.Rejected {
		t.Fatalf("check of a mapping before its structure: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "Cơ cấu đơn vị không thay đổi ngày 01/07/2025", "--valid-from 01/07/2025")
}

// FuzzUnitsFile feeds arbitrary CSV text to the units file reader: it reads a statement or a
// mapping, or rejects the file with a reason; it never panics.
func FuzzUnitsFile(f *testing.F) {
	f.Add("province_code,province_name,commune_code,commune_name,previous_codes\n20,Tỉnh Lạng Sơn,06463,Xã Chi Lăng,06463;06523(partial)\n")
	f.Add("old_commune_code,new_commune_code,merge_type\n06622,06613,partial\n06622,06613,full\n")
	f.Add("province_code,province_name,commune_code,commune_name,commune_group,previous_codes\n20,T,06463,Xã Chi Lăng,Nhóm 2,-\n20,T,06463,Xã Chi Lăng,3,\n20,T,,,1,\n")
	f.Add("province_code,commune_code,commune_name,valid_from,valid_to\n20,1,X,31/12/2025,01/01/2025\n20,2,Y,2024-01-01,\n")
	f.Add("province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name\n20,T,187,H,,,06463-001,Thôn A\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(dir, "u.csv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		uf, err := readUnits(context.Background(), path, UnitsOptions{ValidFrom: day(2025, 7, 1)})
		if err != nil {
			return // an I/O failure is not the parser's
		}
		switch {
		case uf.rep.Rejected:
			if strings.TrimSpace(uf.rep.Message) == "" {
				t.Fatal("rejected without a reason")
			}
		case uf.layout == layoutMapping:
			for _, l := range uf.links.Links {
				if l.Old == "" || l.New == "" {
					t.Fatalf("a link without a code: %+v", l)
				}
			}
		default:
			for _, u := range uf.st.Units {
				if u.Code == "" || u.Name == "" || (!u.To.IsZero() && u.To.Before(uf.st.From)) {
					t.Fatalf("accepted %+v from %s", u, uf.st.From)
				}
			}
		}
	})
}

// A canonical list with a previous_codes column states only what the column says: an empty cell
// leaves a unit with the same code, name, kind and parent alone (the province's 1/1/2025 village
// list repeats 1,600 unchanged villages), a renamed village continues itself, and "-" says that a
// code now names a new village with no predecessor.
func TestCanonicalListEmptyPreviousCodes(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	hdr := []string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to", "previous_codes"}
	row := func(commune, communeName, village, name, kind, from, prev string) []string {
		return []string{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", commune, communeName, village, name, kind, from, "", prev}
	}
	importUnitsFile(t, pool, writeCSV(t, t.TempDir(), "2024.csv", [][]string{hdr,
		row("06463", "Thị trấn Đồng Mỏ", "06463-001", "Khối Hòa Bình", "Khối", "2022-01-01", ""),
		row("06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống", "Thôn", "2022-01-01", ""),
		row("06523", "Xã Chi Lăng", "06523-002", "Thôn Bản Chắt", "Thôn", "2022-01-01", ""),
	}, ',', false), UnitsOptions{})
	rep := importUnitsFile(t, pool, writeCSV(t, t.TempDir(), "2025.csv", [][]string{hdr,
		row("06463", "Thị trấn Đồng Mỏ", "06463-001", "Khối Hòa Bình", "Khối", "2025-01-01", ""),     // unchanged
		row("06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống Mới", "Thôn", "2025-01-01", ""),     // renamed
		row("06523", "Xã Chi Lăng", "06523-002", "Thôn Nà Lừa", "Thôn", "2025-01-01", "-"),           // a new village, reused code
		row("06523", "Xã Chi Lăng", "06523-003", "Thôn Bản Chắt", "Thôn", "2025-01-01", "06523-002"), // renumbered
	}, ',', false), UnitsOptions{})
	s := rep.Structure
	if s.Opened[ntm.LevelVillage] != 2 || s.Closed[ntm.LevelVillage] != 1 || s.Renamed[ntm.LevelVillage] != 1 || s.Links != 2 || len(s.WithoutSuccessor) != 0 {
		t.Errorf("1/1/2025 villages: opened %v closed %v renamed %v, %d links, without successor %v",
			s.Opened, s.Closed, s.Renamed, s.Links, s.WithoutSuccessor)
	}
	h, err := units.Load(context.Background(), pool, units.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if vs := h.Versions("06463-001"); len(vs) != 1 || !vs[0].To.IsZero() {
		t.Errorf("unchanged 06463-001 has versions %v, want one, open", vs)
	}
	if vs := h.Versions("06523-002"); len(vs) != 2 || len(h.Into(vs[1])) != 0 || len(h.OutOf(vs[0])) != 1 || h.OutOf(vs[0])[0].New != "06523-003" {
		t.Errorf("06523-002: versions %v, links into the new one %v, out of the old one %v", vs, h.Into(vs[len(vs)-1]), h.OutOf(vs[0]))
	}
}
