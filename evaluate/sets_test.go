package evaluate

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"ntm"
)

// Every refusal of a set file names its line and what is wrong.
func TestCheckSetRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := `key: other
name: Bộ khác
valid_from: 2027-01-01
valid_to: 2027-12-31
criteria:
  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi}
`
	f.importSet(other)
	base := func(crit string) string {
		return "key: t\nname: Thử\nvalid_from: 2026-01-01\nvalid_to: 2026-12-31\ncriteria:\n" + crit
	}
	wifi := "  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi}\n"
	cases := []struct {
		name, file string
		line       int
		want       string
	}{
		{"not YAML", "key: [t\n", 1, "không phải YAML hợp lệ"},
		{"not a mapping", "- a\n- b\n", 0, "bảng khóa – giá trị"},
		{"unknown top-level key", base(wifi) + "thresholds: 3\n", 7, "khóa “thresholds” không có ở cấp ngoài cùng"},
		{"missing key", "name: Thử\nvalid_from: 2026-01-01\ncriteria:\n" + wifi, 1, "thiếu khóa key"},
		{"bad set key", strings.Replace(base(wifi), "key: t", "key: bộ mới", 1), 1, "chỉ được gồm chữ không dấu"},
		{"bad date", strings.Replace(base(wifi), "valid_from: 2026-01-01", "valid_from: 31/13/2026", 1), 3, "valid_from phải là một ngày"},
		{"end before start", strings.Replace(base(wifi), "valid_to: 2026-12-31", "valid_to: 2025-12-31", 1), 4, "valid_to (31/12/2025) ở trước valid_from"},
		{"stale months", base(wifi) + "stale_months: 0\n", 7, "stale_months phải là số tháng nguyên từ 1 đến 120"},
		{"ocop locality", base(wifi) + "ocop_locality: district\n", 7, "ocop_locality phải là commune"},
		{"dossier window", base(wifi) + "dossier_window: week\n", 7, "dossier_window phải là year"},
		{"no criteria", "key: t\nname: Thử\nvalid_from: 2026-01-01\ncriteria: []\n", 4, "criteria phải là danh sách"},
		{"unknown criterion key", base("  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi, weight: 2}\n"), 6, "khóa “weight” không có trong tiêu chí thứ 1"},
		{"criterion without measure", base("  - {key: V3_WIFI, name: WiFi, level: village}\n"), 6, "tiêu chí V3_WIFI thiếu khóa measure"},
		{"unknown measure", base("  - {key: C_DIGITAL_CITIZEN, name: Công dân số, level: village, measure: digital_citizens}\n"), 6, "dùng phép đo “digital_citizens” mà ntm không có"},
		{"unknown level", base("  - {key: V3_WIFI, name: WiFi, level: hamlet, measure: survey_wifi}\n"), 6, "level “hamlet”"},
		{"level the measure lacks", base("  - {key: V3_WIFI, name: WiFi, level: commune, measure: survey_wifi}\n"), 6, "phép đo survey_wifi không dùng được ở cấp commune"},
		{"unknown kind", base("  - {key: D, name: D, level: commune, kinds: [Xa], measure: dossier_ratio, threshold: 70%}\n"), 6, "loại đơn vị “Xa”"},
		{"duplicate criterion", base(wifi + wifi), 7, "tiêu chí V3_WIFI có hai lần trong bộ"},
		{"threshold above 100%", base("  - {key: D, name: D, level: district, measure: dossier_ratio, threshold: 170%}\n"), 6, "phải lớn hơn 0 và không quá 100%"},
		{"threshold not a number", base("  - {key: D, name: D, level: district, measure: dossier_ratio, threshold: bảy mươi}\n"), 6, "phải là một phân số"},
		{"yes/no threshold", base("  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi, threshold: 2}\n"), 6, "phải là 1 (câu trả lời “Có”)"},
		{"whole threshold", base("  - {key: V6, name: M, level: village, measure: dx_models, threshold: 1/2}\n"), 6, "phải là số nguyên từ 1 trở lên"},
		{"missing threshold", base("  - {key: D, name: D, level: district, measure: dossier_ratio}\n"), 6, "tiêu chí D thiếu threshold"},
		{"too many parts", base(wifi + "  - {key: S, name: S, level: village, measure: at_least_of, params: {criteria: [V3_WIFI]}, threshold: 2}\n"), 7, "phải là số nguyên từ 1 đến 1"},
		{"composite naming a criterion not in the set", base(wifi + "  - {key: S, name: S, level: village, measure: all_of, params: {criteria: [V3_WIFI, V1_TEAM]}}\n"), 7, "tiêu chí S gộp tiêu chí V1_TEAM, không có trong bộ này"},
		{"composite of another level", base(wifi + "  - {key: S, name: S, level: commune, measure: all_of, params: {criteria: [V3_WIFI]}}\n"), 7, "phải cùng cấp commune"},
		{"villages of a commune criterion", base("  - {key: D, name: D, level: commune, measure: dossier_ratio, threshold: 70%}\n  - {key: C, name: C, level: commune, measure: villages_meeting, params: {criterion: D}, threshold: 1}\n"), 7, "phải cùng cấp village"},
		{"missing param", base("  - {key: S, name: S, level: village, measure: all_of}\n"), 6, "thiếu tham số params.criteria"},
		{"unknown param", base(wifi + "  - {key: S, name: S, level: village, measure: all_of, params: {criteria: [V3_WIFI], mode: any}}\n"), 7, "khóa “mode” không có trong params"},
		{"bad classes", base("  - {key: P, name: P, level: district, measure: procedure_ratio, params: {classes: [partial]}, threshold: 1}\n"), 6, "params.classes của tiêu chí P"},
		{"bad share", base(wifi + "  - {key: C, name: C, level: commune, measure: villages_meeting, params: {criterion: V3_WIFI, as: most}, threshold: 1}\n"), 7, "params.as của tiêu chí C"},
		{"cycle", base("  - {key: A, name: A, level: village, measure: all_of, params: {criteria: [B]}}\n  - {key: B, name: B, level: village, measure: all_of, params: {criteria: [A]}}\n"), 6, "phụ thuộc vòng tròn"},
		{"both thresholds", base("  - {key: D, name: D, level: district, measure: dossier_ratio, threshold: 70%, thresholds_by_group: {1: 70%, 2: 60%, 3: 50%}}\n"), 6, "ghi cả threshold và thresholds_by_group"},
		{"a group missing", base("  - {key: D, name: D, level: commune, measure: dossier_ratio, thresholds_by_group: {1: 70%, 2: 60%}}\n"), 6, "thiếu ngưỡng của nhóm 3"},
		{"unknown group", base("  - {key: D, name: D, level: commune, measure: dossier_ratio, thresholds_by_group: {1: 70%, 2: 60%, 3: 50%, 4: 40%}}\n"), 6, "nhóm xã “4”"},
		{"group threshold out of range", base("  - {key: D, name: D, level: commune, measure: dossier_ratio, thresholds_by_group: {1: 120%, 2: 60%, 3: 50%}}\n"), 6, "ngưỡng nhóm 1 của tiêu chí D phải lớn hơn 0"},
		{"overlapping validity", strings.Replace(base(wifi), "valid_to: 2026-12-31", "valid_to: 2027-03-31", 1), 3, "trùng với bộ tiêu chí other đã nạp (01/01/2027 – 31/12/2027)"},
		{"same start as another", strings.Replace(base(wifi), "valid_from: 2026-01-01\nvalid_to: 2026-12-31", "valid_from: 2027-01-01", 1), 3, "trùng với bộ tiêu chí other"},
		{"the built-in's start", strings.Replace(base(wifi), "valid_from: 2026-01-01", "valid_from: 2021-01-01", 1), 3, "trùng với bộ tiêu chí langson-2021"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CheckSet(f.ctx, f.pool, "t.yaml", []byte(c.file))
			var fe *SetFileError
			if !errors.As(err, &fe) {
				t.Fatalf("want a refusal, got %v", err)
			}
			if ntm.ErrorCode(err) != ntm.CodeInvalid {
				t.Errorf("code %s", ntm.ErrorCode(err))
			}
			found := false
			for _, p := range fe.Problems {
				if strings.Contains(p.Message, c.want) {
					found = true
					if p.Line != c.line {
						t.Errorf("%q at line %d, want line %d", p.Message, p.Line, c.line)
					}
				}
			}
			if !found {
				t.Errorf("no problem says %q: %v", c.want, err)
			}
			if !strings.HasPrefix(err.Error(), "Tệp bộ tiêu chí t.yaml có") {
				t.Errorf("message %q", err.Error())
			}
		})
	}
	// Nothing refused was stored.
	var n int
	f.pool.QueryRow(f.ctx, `SELECT count(*) FROM criteria_set`).Scan(&n)
	if n != 2 {
		t.Errorf("%d sets stored, want the built-in and other", n)
	}
	// A later open-ended set does not overlap the built-in (whose open end lasts until it).
	if _, err := CheckSet(f.ctx, f.pool, "t.yaml", []byte(strings.Replace(base(wifi), "valid_to: 2026-12-31\n", "", 1))); err != nil {
		t.Errorf("a set from 2026 before other: %v", err)
	}
}

func TestParseThreshold(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]Fraction{"7/10": Frac(7, 10), "14/20": Frac(7, 10), "0.7": Frac(7, 10), "70%": Frac(7, 10),
		"70,5%": Frac(141, 200), "100%": Count(1), "1": Count(1), "6": Count(6), " 2/3 ": Frac(2, 3)} {
		got, err := ParseThreshold(s)
		if err != nil || got != want {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "1/0", "-1", "1e3", "70%%", "/3"} {
		if _, err := ParseThreshold(s); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", s)
		}
	}
}

// dataForSets loads facts that give every built-in criterion a result: a district whose
// dossier ratio is 60% and whose procedures are all online.
func dataForSets(f *fixture) {
	f.langSon()
	sb := f.batch(ntm.DatasetVillageSurvey)
	ab := f.batch(ntm.DatasetVpostcode)
	f.batch(ntm.DatasetOCOPProducts)
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.address(ab, "06463-001", d("2024-12-01"), 10, 10, 1, 1)
	f.survey(sb, "06463-002", d("2024-12-01"), surveyFact{team: yes(), platform: no(), wifi: yes(), models: n(0)})
	f.survey(sb, "06523-001", d("2024-12-01"), allYes)
	f.address(ab, "06523-001", d("2024-12-01"), 10, 8, 0, 0)
	pb := f.batch(ntm.DatasetDVCProcedures)
	db := f.batch(ntm.DatasetDVCDossiers)
	for _, u := range []string{"187", "06463", "06523"} {
		f.procedures(pb, u, d("2024-11-30"), 100, 60, 40)
	}
	f.dossiers(db, "187", d("2024-01-01"), d("2024-12-31"), 100, 60)
	f.dossiers(db, "06463", d("2024-01-01"), d("2024-12-31"), 100, 75)
	f.dossiers(db, "06523", d("2024-01-01"), d("2024-12-31"), 100, 45)
}

// printed is every result as one comparable line per unit and criterion.
func printed(rs map[string]Result) map[string]string {
	out := map[string]string{}
	for k, r := range rs {
		out[k] = fmt.Sprintf("%s|%s|%s|%s|%s|%s", r.Status, valueString(r.Value), r.Threshold.String(), r.Explanation, r.UnitName, r.CriterionName)
	}
	return out
}

// The built-in set exported and imported under a new key gives identical results; importing
// never changes stored results, and each evaluation keeps the set version it used.
func TestExportImportGivesIdenticalResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dataForSets(f)
	before := printed(f.evaluate("2024-12"))
	var firstEval int64
	f.pool.QueryRow(f.ctx, `SELECT max(id) FROM evaluation`).Scan(&firstEval)
	var stored string
	f.pool.QueryRow(f.ctx, `SELECT string_agg(unit_code || criterion || status || coalesce(value_num::text, '') || explanation, ',' ORDER BY unit_code, criterion) FROM result WHERE evaluation_id = $1`, firstEval).Scan(&stored)

	exported, err := ExportSet(f.ctx, f.pool, BuiltinKey)
	if err != nil || string(exported) != string(builtinSource) {
		t.Fatalf("export of the built-in set: %v", err)
	}
	// End the built-in set before December 2024 (a new version of it) and give its copy the rest.
	_, st, err := ImportSet(f.ctx, f.pool, "langson-2021.yaml", []byte(strings.Replace(string(exported), "valid_to:\n", "valid_to: 2024-11-30\n", 1)))
	if err != nil || st != ImportReplaced {
		t.Fatalf("new version of the built-in set: %v %v", st, err)
	}
	copySet := strings.NewReplacer("key: langson-2021", "key: langson-copy", "valid_from: 2021-01-01", "valid_from: 2024-12-01").Replace(string(exported))
	s, st, err := ImportSet(f.ctx, f.pool, "copy.yaml", []byte(copySet))
	if err != nil || st != ImportNew {
		t.Fatalf("import of the copy: %v %v", st, err)
	}
	if _, st, err := ImportSet(f.ctx, f.pool, "copy.yaml", []byte(copySet)); err != nil || st != ImportUnchanged {
		t.Errorf("importing the same file again: %v %v", st, err)
	}
	// Stored results did not change.
	var after string
	f.pool.QueryRow(f.ctx, `SELECT string_agg(unit_code || criterion || status || coalesce(value_num::text, '') || explanation, ',' ORDER BY unit_code, criterion) FROM result WHERE evaluation_id = $1`, firstEval).Scan(&after)
	if after != stored || stored == "" {
		t.Error("importing a set changed stored results")
	}
	old, err := SetOf(f.ctx, f.pool, firstEval)
	if err != nil || old.Key != BuiltinKey || old.ValidTo != nil || !old.Builtin {
		t.Errorf("the first evaluation's set: %+v %v", old, err)
	}

	again := printed(f.evaluate("2024-12"))
	if len(again) != len(before) {
		t.Errorf("%d results, want %d", len(again), len(before))
	}
	for k, v := range before {
		if again[k] != v {
			t.Errorf("%s: %s, was %s", k, again[k], v)
		}
	}
	var lastEval int64
	f.pool.QueryRow(f.ctx, `SELECT max(id) FROM evaluation`).Scan(&lastEval)
	now, err := SetOf(f.ctx, f.pool, lastEval)
	if err != nil || now.Key != s.Key || now.BasisText() == "" || now.Builtin {
		t.Errorf("the second evaluation's set: %+v %v", now, err)
	}
	var batches []int64
	f.pool.QueryRow(f.ctx, `SELECT batch_ids FROM evaluation WHERE id = $1`, lastEval).Scan(&batches)
	if len(batches) != 5 {
		t.Errorf("the evaluation saw batches %v, want the 5 loaded", batches)
	}
}

// A threshold changed in a copy changes exactly the results it decides.
func TestChangedThresholdChangesOnlyItsResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dataForSets(f)
	before := f.evaluate("2024-12")
	// A copy under a new key, in force from December 2024 (the built-in set's open end lasts
	// until it starts), with the dossier threshold lowered from 70% to 50%.
	f.importSet(builtinWith(t, "key: langson-2021", "key: langson-copy", "valid_from: 2021-01-01", "valid_from: 2024-12-01",
		"    threshold: 70%", "    threshold: 50%"))
	after := f.evaluate("2024-12")
	if _, s, err := Latest(f.ctx, f.pool, ntm.Period{Year: 2024, Month: 12}); err != nil || s.Key != "langson-copy" {
		t.Fatalf("2024-12 was not evaluated with the copy: %v", err)
	}
	var changed []string
	for k, r := range before {
		a := after[k]
		if a.Status != r.Status || valueString(a.Value) != valueString(r.Value) || a.Threshold != r.Threshold {
			changed = append(changed, fmt.Sprintf("%s %s→%s %s→%s", k, r.Status, a.Status, r.Threshold.String(), a.Threshold.String()))
		} else if a.Explanation != r.Explanation {
			changed = append(changed, k+" explanation")
		}
	}
	sort.Strings(changed)
	want := []string{
		"06463/D95_DOSSIERS met→met 0.7→0.5",         // informational, 75%
		"06523/D95_DOSSIERS not_met→not_met 0.7→0.5", // informational, 45%
		"187/D95 not_met→met 2→2",
		"187/D95_DOSSIERS not_met→met 0.7→0.5", // 180/300 = 60%
		"20/D95 not_met→met 1→1",
		"20/D95_DOSSIERS not_met→met 1→1",
		"187/D95 explanation",
	}
	sort.Strings(want)
	// The D95 row's explanation changes with its status; list it once.
	got := strings.Join(changed, "\n")
	for _, w := range want {
		if w == "187/D95 explanation" {
			continue
		}
		if !strings.Contains(got, w) {
			t.Errorf("missing change %q", w)
		}
	}
	if len(changed) != len(want)-1 {
		t.Errorf("changed:\n%s", got)
	}
}

// Per-group thresholds: communes of groups 1, 2 and 3 get their group's threshold (their
// villages too), a commune without a group is no data naming it; groups are versioned.
func TestPerGroupThresholds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	communes := []string{"06001", "06002", "06003", "06004"}
	for i, c := range communes {
		f.unit(c, ntm.LevelCommune, fmt.Sprintf("Xã %d", i+1), "20")
		f.unit(c+"-001", ntm.LevelVillage, fmt.Sprintf("Thôn %d", i+1), c)
	}
	pb := f.batch(ntm.DatasetDVCProcedures)
	ab := f.batch(ntm.DatasetVpostcode)
	for _, c := range communes {
		f.procedures(pb, c, d("2026-10-31"), 100, 85, 15) // 85% fully online, 100% with partial
		f.address(ab, c+"-001", d("2026-10-31"), 100, 92, 0, 0)
	}
	f.importSet(`key: groups-2026
name: Bộ thử theo nhóm xã
valid_from: 2026-01-01
criteria:
  - key: FULL_ONLINE
    name: Tỷ lệ TTHC cung cấp trực tuyến toàn trình
    level: commune
    measure: procedure_ratio
    params: {classes: [full]}
    thresholds_by_group: {1: 100%, 2: 90%, 3: "4/5"}
  - key: ADDRESS
    name: Tỷ lệ hộ có địa chỉ số
    level: village
    measure: address_coverage
    thresholds_by_group: {1: 100%, 2: 95%, 3: 90%}
`)
	rows := []GroupRow{{Row: 2, CommuneCode: "06001", Group: "1"}, {Row: 3, CommuneCode: "06002", Group: "Nhóm 2"}, {Row: 4, CommuneCode: "06003", Group: "3"}}
	rep, err := ImportGroups(f.ctx, f.pool, "nhom.csv", rows, d("2026-01-01"))
	if err != nil || rep.Opened != 3 {
		t.Fatalf("import groups: %+v %v", rep, err)
	}
	rs := f.evaluate("2026-11")
	r := want(t, rs, "06001/FULL_ONLINE", ntm.StatusNotMet, "0.85")
	if r.Threshold != Count(1) || !strings.Contains(r.Explanation, "85/100 TTHC đủ điều kiện đã cung cấp DVCTT toàn trình") {
		t.Errorf("group 1: %v %q", r.Threshold, r.Explanation)
	}
	if r := want(t, rs, "06002/FULL_ONLINE", ntm.StatusNotMet, "0.85"); r.Threshold != Frac(9, 10) {
		t.Errorf("group 2 threshold %v", r.Threshold)
	}
	if r := want(t, rs, "06003/FULL_ONLINE", ntm.StatusMet, "0.85"); r.Threshold != Frac(4, 5) {
		t.Errorf("group 3 threshold %v", r.Threshold)
	}
	r = want(t, rs, "06004/FULL_ONLINE", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "Xã 4 chưa được xếp nhóm xã") || r.Detail["missing_group"] != "06004" || r.Threshold.String() != "" {
		t.Errorf("no group: %q %v %v", r.Explanation, r.Detail, r.Threshold)
	}
	want(t, rs, "06001-001/ADDRESS", ntm.StatusNotMet, "0.92")
	want(t, rs, "06002-001/ADDRESS", ntm.StatusNotMet, "0.92")
	want(t, rs, "06003-001/ADDRESS", ntm.StatusMet, "0.92")
	r = want(t, rs, "06004-001/ADDRESS", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "Xã 4 chưa được xếp nhóm xã") {
		t.Errorf("village of a commune without a group: %q", r.Explanation)
	}
	want(t, rs, "20/FULL_ONLINE", ntm.StatusNotMet, "1") // 1 met, 2 not met, 1 no data

	// From July 2026 commune 1 is in group 3: 2026-06 keeps group 1, 2026-11 takes group 3.
	f.procedures(pb, "06001", d("2026-05-31"), 100, 85, 15)
	if _, err := ImportGroups(f.ctx, f.pool, "nhom-2.csv", []GroupRow{{Row: 2, CommuneCode: "06001", Group: "3"}}, d("2026-07-01")); err != nil {
		t.Fatal(err)
	}
	want(t, f.evaluate("2026-06"), "06001/FULL_ONLINE", ntm.StatusNotMet, "0.85")
	want(t, f.evaluate("2026-11"), "06001/FULL_ONLINE", ntm.StatusMet, "0.85")

	// A bad file stores nothing and names every bad row.
	_, err = ImportGroups(f.ctx, f.pool, "sai.csv", []GroupRow{{Row: 2, CommuneCode: "06004", Group: "2"}, {Row: 3, CommuneCode: "99999", Group: "1"},
		{Row: 4, CommuneCode: "06003", Group: "4"}, {Row: 5, CommuneCode: "06004", Group: "1"}}, d("2026-08-01"))
	if err == nil || ntm.ErrorCode(err) != ntm.CodeInvalid {
		t.Fatalf("bad group file: %v", err)
	}
	for _, w := range []string{"dòng 3: mã xã 99999 không có", "dòng 4: nhóm xã “4” của xã 06003", "dòng 5: xã 06004 đã có ở dòng 2"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err.Error(), w)
		}
	}
	if g, _ := GroupsAt(f.ctx, f.pool, d("2026-09-01")); g["06004"] != 0 {
		t.Error("a refused file stored a group")
	}
	// Imports go in date order.
	if _, err := ImportGroups(f.ctx, f.pool, "cu.csv", rows[:1], d("2026-03-01")); ntm.ErrorCode(err) != ntm.CodeConflict {
		t.Errorf("an import dated before a later one: %v", err)
	}
}

// A set valid from 2026-01-01 decides 2026-11; 2024-12 keeps the set of its time.
func TestSetByPeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dataForSets(f)
	f.importSet(`key: ntm-2026
name: Bộ tiêu chí 2026–2030 (thử)
basis: Quyết định số 51/2025/QĐ-TTg
valid_from: 2026-01-01
valid_to: 2030-12-31
criteria:
  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi}
`)
	old := f.evaluate("2024-12")
	if _, ok := old["06463-001/V1_TEAM"]; !ok {
		t.Error("2024-12 lost the built-in set")
	}
	now := f.evaluate("2026-11")
	if _, ok := now["06463-001/V1_TEAM"]; ok || len(now) != 4 { // three villages and the province
		t.Errorf("2026-11 results: %d", len(now))
	}
	var ids []int64
	rows, _ := f.pool.Query(f.ctx, `SELECT id FROM evaluation ORDER BY id`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	s1, _ := SetOf(f.ctx, f.pool, ids[0])
	s2, _ := SetOf(f.ctx, f.pool, ids[1])
	if s1.Key != BuiltinKey || s2.Key != "ntm-2026" || s2.BasisText() != "Quyết định số 51/2025/QĐ-TTg" {
		t.Errorf("sets %s, %s", s1.Key, s2.Key)
	}
	if _, err := SetOf(f.ctx, f.pool, 999); ntm.ErrorCode(err) != ntm.CodeNotFound {
		t.Errorf("SetOf of no evaluation: %v", err)
	}
}

// The built-in file parses, and its criteria are the registry's.
func TestBuiltinSet(t *testing.T) {
	t.Parallel()
	s := Builtin()
	if s.Key != BuiltinKey || len(s.Criteria) != len(Definitions) || s.ValidTo != nil {
		t.Fatalf("built-in set %+v", s)
	}
	for i, c := range s.Criteria {
		d := Definitions[i]
		if c.Key != d.Key || c.Measure != d.Measure || c.Level != d.Level || c.Value != d.Value || c.Column != d.Column || c.Action != d.Action {
			t.Errorf("criterion %d: %+v, registry %+v", i, c.Definition, d)
		}
		if c.HowText() == "" || c.ThresholdText() == "" {
			t.Errorf("%s has no notes text", c.Key)
		}
	}
	if c := s.Criterion(KeyC8); !c.AppliesTo("Xã") || c.AppliesTo("Phường") || c.AppliesTo("Thị trấn") {
		t.Errorf("C8 kinds %v", c.Kinds)
	}
	if got := s.Criterion(KeyDossiers).ThresholdText(); got != "≥ 70%" {
		t.Errorf("threshold text %q", got)
	}
}

// The 2026–2030 example in docs/ is refused exactly at the thresholds still to be taken from
// Annex I of Decision 51/2025/QĐ-TTg, and is a valid set once they are filled in.
func TestExample2026Set(t *testing.T) {
	b, err := os.ReadFile("../docs/criteria-2026-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var marked []int
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, ": PHỤ LỤC I") {
			marked = append(marked, i+1)
		}
	}
	if len(marked) != 6 {
		t.Fatalf("%d thresholds marked as from Annex I, want 6", len(marked))
	}
	_, perr := ParseSet("criteria-2026-example.yaml", b)
	var fe *SetFileError
	if !errors.As(perr, &fe) {
		t.Fatalf("the example must be refused until filled in: %v", perr)
	}
	var lines []int
	for _, p := range fe.Problems {
		lines = append(lines, p.Line)
		if !strings.Contains(p.Message, "PHỤ LỤC I") {
			t.Errorf("unexpected problem %v", p)
		}
	}
	if fmt.Sprint(lines) != fmt.Sprint(marked) {
		t.Errorf("refused at lines %v, want %v", lines, marked)
	}
	filled := strings.ReplaceAll(string(b), ": PHỤ LỤC I", ": 50%")
	s, err := ParseSet("filled.yaml", []byte(filled))
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Criterion("C9_PROCEDURES_FULL"); len(c.Classes) != 1 || c.Threshold != Count(1) {
		t.Errorf("fully-online target %+v", c)
	}
	if c := s.Criterion("C7_SMART_VILLAGES"); !c.Share || !c.PerGroup() || !c.AppliesTo("Xã") || c.AppliesTo("Phường") {
		t.Errorf("smart-village criterion %+v", c)
	}
}
