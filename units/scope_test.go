package units

import (
	"context"
	"fmt"
	"testing"

	"ntm"
	"ntm/db/dbtest"
)

// TestImportReadsItsProvinces: an import reads the structure of its provinces only (Load with a
// scope), and what it reads of them is what a whole read holds — the versions with their
// province and links — even when a unit moves in from another province and another province's
// commune takes a closed one.
func TestImportReadsItsProvinces(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	caoBang := func(extra ...StatedUnit) []StatedUnit {
		return append([]StatedUnit{
			unit(ntm.LevelProvince, "04", "Tỉnh", "Tỉnh Cao Bằng", ""),
			unit(ntm.LevelDistrict, "040", "Huyện", "Huyện Thạch An", "04"),
			unit(ntm.LevelCommune, "01000", "Xã", "Xã Đức Long", "040"),
		}, extra...)
	}
	mustApply(t, pool, &Statement{From: Beginning, Villages: true, Units: structure2024(), Source: SourcePreviousCodes})
	mustApply(t, pool, &Statement{From: Beginning, Units: caoBang(unit(ntm.LevelVillage, "01000-001", "Xóm", "Xóm Nà Lạn", "01000")), Villages: true, Source: SourcePreviousCodes})
	// Lạng Sơn closes Xã Vĩnh Tiến (06007) from 1/7/2025.
	var ls []StatedUnit
	for _, u := range structure2024() {
		if u.Code != "06007" {
			ls = append(ls, u)
		}
	}
	res := mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Villages: true, Units: ls, Source: SourcePreviousCodes})
	if res.Closed[ntm.LevelCommune] != 1 || len(res.WithoutSuccessor) != 1 {
		t.Fatalf("Lạng Sơn from 1/7/2025: closed %v, without successor %v", res.Closed, res.WithoutSuccessor)
	}
	// Cao Bằng takes it into Xã Đức Long, part of Thị trấn Chi Lăng (06466), and Xã Vân An (06469).
	res = mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Source: SourcePreviousCodes,
		Units: append(caoBang()[:2], with(unit(ntm.LevelCommune, "01000", "Xã", "Xã Đức Long", "040"), "01000", "06007", "06466(partial)"),
			unit(ntm.LevelCommune, "06469", "Xã", "Xã Vân An", "040"))})
	if res.Moved[ntm.LevelCommune] != 1 || res.InForce[ntm.LevelCommune] != 2 || res.Links != 3 || len(res.WithoutSuccessor) != 0 {
		t.Fatalf("Cao Bằng from 1/7/2025: moved %v, in force %v, links %d, without successor %v", res.Moved, res.InForce, res.Links, res.WithoutSuccessor)
	}
	full := load(t, pool)
	if v := full.At("06469", day(2025, 7, 1)); v == nil || v.Province != "04" {
		t.Fatalf("06469 on 1/7/2025: %+v", v)
	}
	for _, prov := range []string{"20", "04"} {
		in := func(v *Version) bool { return v.Province == prov || v.Code == prov }
		scoped, err := Load(ctx, pool, LoadOptions{scope: []string{prov}})
		if err != nil {
			t.Fatal(err)
		}
		// A workbook's read of the province (Provinces) holds the same of it.
		ofProvince, err := Load(ctx, pool, LoadOptions{Provinces: []string{prov}})
		if err != nil {
			t.Fatal(err)
		}
		describe := func(h *History) map[string]string {
			out := map[string]string{}
			for _, v := range h.All() {
				if in(v) {
					out[fmt.Sprintf("%s %s", v.Code, v.From.Format("2006-01-02"))] = fmt.Sprintf("%d %s %s %s in %d out %d", v.ID, v.Name, v.Parent, v.To, len(v.in()), len(v.out()))
				}
			}
			return out
		}
		a, b := describe(full), describe(scoped)
		if len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("province %s: a whole read holds\n%v\na scoped one\n%v", prov, a, b)
		}
		if c := describe(ofProvince); fmt.Sprint(a) != fmt.Sprint(c) {
			t.Errorf("province %s: a whole read holds\n%v\na read of the province\n%v", prov, a, c)
		}

		wa, _ := full.withoutSuccessor(day(2025, 7, 1), in)
		wb, _ := scoped.withoutSuccessor(day(2025, 7, 1), in)
		if fmt.Sprint(wa) != fmt.Sprint(wb) || len(wa) != 0 {
			t.Errorf("province %s: without successor, whole read %v, scoped %v", prov, wa, wb)
		}
		if scoped.Len() >= full.Len() {
			t.Errorf("province %s: the scoped read holds %d versions, the whole one %d", prov, scoped.Len(), full.Len())
		}
	}
}
