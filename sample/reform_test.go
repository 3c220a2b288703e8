package sample

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ntm"
)

var (
	reformOnce sync.Once
	reformMan  Manifest
	reformRF   *reform
	reformErr  error
	reformDir  string
)

// reformSample writes the province sample with the 2025 changes once per test binary.
func reformSample(t *testing.T) (Manifest, *reform) {
	t.Helper()
	reformOnce.Do(func() {
		reformDir, reformErr = os.MkdirTemp("", "ntm-reform-")
		if reformErr != nil {
			return
		}
		reformMan, reformErr = LangSon(Options{Dir: reformDir, Seed: 2024, Reform: true})
		if reformErr == nil {
			units, _ := langSonUnits()
			p := buildLangSonPlan(units, 2024, ntm.Period{Year: 2024, Month: 12})
			if reformRF, reformErr = buildReform(p); reformErr == nil {
				reformRF.design()
			}
		}
	})
	if reformErr != nil {
		t.Fatal(reformErr)
	}
	return reformMan, reformRF
}

func expectation(m Manifest, per, code, crit string) (Expectation, bool) {
	for _, x := range m.Expected {
		if x.Period.String() == per && x.UnitCode == code && x.Criterion == crit {
			return x, true
		}
	}
	return Expectation{}, false
}

func TestReformStructureFiles(t *testing.T) {
	m, rf := reformSample(t)
	var structure []string
	for _, f := range m.Files {
		if f.ValidFrom != nil {
			structure = append(structure, filepath.Base(f.Path)+"@"+f.ValidFrom.Format("2006-01-02"))
		}
	}
	want := "don-vi-hanh-chinh-2025-01-01.csv@2025-01-01 langson_units_2025h1.csv@2025-01-01 langson_mapping_2025h1.csv@2025-01-01 " +
		"don-vi-hanh-chinh-2025-07-01.csv@2025-07-01 langson_units_2025.csv@2025-07-01 langson_mapping_2025.csv@2025-07-01"
	if got := strings.Join(structure, " "); got != want {
		t.Errorf("structure files in load order:\n got %s\nwant %s", got, want)
	}
	if len(rf.h1) != 194 || len(rf.h2) != 65 {
		t.Fatalf("communes: %d in the first half of 2025, %d from 1/7/2025; want 194 and 65", len(rf.h1), len(rf.h2))
	}
	// Every village code in the 1/7/2025 list is unique, and its previous_codes name villages of the
	// first-half list; the numbering restarts, so codes are reused for other villages.
	h1 := map[string]*vver{}
	for _, v := range rf.h1v {
		h1[v.Code] = v
	}
	seen := map[string]bool{}
	merges, reused := 0, 0
	for _, v := range rf.h2v {
		if seen[v.Code] {
			t.Fatalf("village code %s twice from 1/7/2025", v.Code)
		}
		seen[v.Code] = true
		if len(v.Prev) == 0 {
			t.Fatalf("village %s has no previous_codes", v.Code)
		}
		self := false
		for _, p := range v.Prev {
			if h1[p.Code] != p {
				t.Fatalf("village %s: previous code %s is not a first-half village", v.Code, p.Code)
			}
			self = self || p.Code == v.Code
		}
		if len(v.Prev) == 2 {
			merges++
			if self {
				t.Errorf("merged village %s keeps a predecessor's code", v.Code)
			}
		}
		if h1[v.Code] != nil && !self {
			reused++
		}
	}
	if merges == 0 || reused == 0 {
		t.Errorf("two-into-one merges %d, reused codes %d: want both", merges, reused)
	}
	// The code-reuse trap: new 06463-001 (Xã Chi Lăng) is not old 06463-001 (Thị trấn Đồng Mỏ).
	nv := rf.h2ByCode("06463").Villages[0]
	if nv.Code != "06463-001" || nv.Prev[0].Code == "06463-001" || nv.Prev[0].Commune.Code == "06463" {
		t.Errorf("06463-001 from 1/7/2025 continues %s, want a village of another predecessor than Đồng Mỏ", nv.Prev[0].Code)
	}
	// Thất Khê: 06040 is Xã Đại Đồng, then Thị trấn Thất Khê (with the villages of 05995 and 06007),
	// then Xã Thất Khê.
	tk := rf.h1ByCode("06040")
	if tk.Name != "Thị trấn Thất Khê" || len(tk.Full) != 3 || rf.c24["06040"].Name != "Xã Đại Đồng" || rf.h2ByCode("06040").Name != "Xã Thất Khê" {
		t.Errorf("06040: %s ← %d; 2024 %s; 2025 %s", tk.Name, len(tk.Full), rf.c24["06040"].Name, rf.h2ByCode("06040").Name)
	}
	// Split communes: Bính Xá's villages go to Đình Lập and Kiên Mộc.
	for _, code := range []string{"06613", "06625", "06637"} {
		if len(rf.h2ByCode(code).Partial) == 0 {
			t.Errorf("%s has no split predecessor", code)
		}
	}
	rows := readCSV(t, fileOf(t, m, ntm.DatasetUnits, "2025-07-01"), ',')
	if len(rows)-1 != len(rf.h2v) || rows[0][11] != "previous_codes" || rows[1][2] != "" {
		t.Errorf("the 1/7/2025 village list: %d rows for %d villages, header %v", len(rows)-1, len(rf.h2v), rows[0])
	}
}

// The planted cases each make a rule of docs/structure-changes.md visible in the expectations.
func TestReformPlantedCases(t *testing.T) {
	m, rf := reformSample(t)
	// A window in 2025 spanning the reform: the successors of a split commune have no dossier ratio.
	for _, code := range []string{"06613", "06625", "06637"} {
		if x, _ := expectation(m, "2025-09", code, "D95_DOSSIERS"); x.Status != ntm.StatusNoData || !strings.Contains(x.Why, "split") {
			t.Errorf("2025-09 %s D95_DOSSIERS: %s (%s), want no_data naming the split commune", code, x.Status, x.Why)
		}
		if x, _ := expectation(m, "2026-11", code, "D95_DOSSIERS"); x.Status == ntm.StatusNoData {
			t.Errorf("2026-11 %s D95_DOSSIERS: no data, but the split lies before the window", code)
		}
	}
	// Wards get no criterion-8 row.
	for _, c := range rf.h2 {
		_, ok := expectation(m, "2026-11", c.Code, "C8_SMART_VILLAGE")
		if ok != (c.Kind == "Xã") {
			t.Errorf("%s %s: C8 expected %v", c.Code, c.Name, ok)
		}
	}
	// An OCOP product of an abolished commune counts for its successor.
	found := false
	for _, pr := range rf.p.products() {
		old := rf.c24[pr.Commune.Code]
		succ := rf.successorsOf(old)
		if pr.Reject == "" && pr.valid(ReformPeriods[0].End()) && len(succ) == 1 && succ[0].Code != old.Code && !pr.listed() {
			x, _ := expectation(m, "2025-09", succ[0].Villages[0].Code, "V5_OCOP")
			if x.Status != ntm.StatusNotMet {
				t.Errorf("unlisted product %q of abolished %s: V5 of %s is %s, want not_met", pr.Name, old.Name, succ[0].Villages[0].Code, x.Status)
			}
			found = true
			break
		}
	}
	if !found {
		t.Error("no unlisted, valid product of an abolished commune")
	}
	if rf.splitProduct == nil {
		t.Error("no OCOP product of split Xã Bính Xá in the 2026 list")
	}
	// Old names in 2026 exports, and one survey row naming its village under a split commune.
	var oldNames, split int
	for _, v := range rf.h2v {
		if v.survey != nil && v.survey.OldCommune != nil {
			oldNames++
		}
		if v.survey != nil && v.survey.SplitCommune {
			split++
			if x, _ := expectation(m, "2026-11", v.Code, "V1_TEAM"); x.Status == ntm.StatusNoData || !strings.Contains(x.Why, "own survey") {
				t.Errorf("%s: its 2026 survey row names its village under split Xã Bính Xá and loads for it, yet V1 is %s (%s)", v.Code, x.Status, x.Why)
			}
		}
	}
	if oldNames == 0 || split != 1 || len(rf.oldNameProducts) == 0 {
		t.Errorf("survey rows under old communes %d, naming a split commune %d, OCOP rows under old communes %d", oldNames, split, len(rf.oldNameProducts))
	}
	// 2024 surveys reach their successors at 2025-09 (fresh through the lineage), never at 2026-11.
	metByLineage := 0
	for _, x := range m.Expected {
		if x.Period.String() == "2025-09" && x.Criterion == "V1_TEAM" && x.Status == ntm.StatusMet {
			metByLineage++
		}
	}
	if metByLineage < 500 {
		t.Errorf("only %d villages meet V1 at 2025-09 through their predecessors' 2024 surveys", metByLineage)
	}
	// Every criterion shows every status somewhere at the reform periods (V5 has no no_data: a list is loaded).
	seen := map[string]bool{}
	for _, x := range m.Expected {
		if x.Period.Year >= 2025 {
			seen[x.Criterion+"/"+string(x.Status)] = true
		}
	}
	for _, k := range []string{"V1_TEAM", "V3_WIFI", "V4_ADDRESS", "V6_DXMODEL", "SMART_VILLAGE", "C8_SMART_VILLAGE", "D95_PROCEDURES", "D95_DOSSIERS", "D95"} {
		for _, st := range []string{"met", "not_met", "no_data"} {
			if !seen[k+"/"+st] {
				t.Errorf("no %s %s at the reform periods", k, st)
			}
		}
	}
}

func TestReformIsDeterministic(t *testing.T) {
	m, _ := reformSample(t)
	dir := t.TempDir()
	m2, err := LangSon(Options{Dir: dir, Seed: 2024, Reform: true})
	if err != nil {
		t.Fatal(err)
	}
	a, b := readAll(t, filepath.Dir(m.Files[0].Path)), readAll(t, dir)
	if len(a) != len(b) || len(m.Expected) != len(m2.Expected) {
		t.Fatalf("%d files vs %d, %d expectations vs %d", len(a), len(b), len(m.Expected), len(m2.Expected))
	}
	for name, data := range a {
		if string(b[name]) != string(data) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if _, err := LangSon(Options{Dir: dir, Seed: 2024, Reform: true, Period: ntm.Period{Year: 2025, Month: 3}}); err == nil {
		t.Error("the reform sample for a period other than 2024-12 should be refused")
	}
}
