package evaluate

import (
	"strings"
	"testing"

	"ntm"
)

func TestProvinceCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.survey(sb, "06463-002", d("2024-12-01"), surveyFact{team: no()})
	rs := f.evaluate("2024-12")
	r := want(t, rs, "20/V1_TEAM", ntm.StatusNotMet, "1")
	if r.Threshold != Count(3) || r.Level != ntm.LevelProvince {
		t.Errorf("province row %+v", r)
	}
	if r.Explanation != "1/3 thôn đạt (33,3%); 1 chưa đạt; 1 chưa có số liệu" {
		t.Errorf("explanation %q", r.Explanation)
	}
	if r.Detail["met"] != float64(1) || r.Detail["not_met"] != float64(1) || r.Detail["no_data"] != float64(1) || r.Detail["total"] != float64(3) {
		t.Errorf("detail %v", r.Detail)
	}
	// WiFi: one village met, two undecided, none not met: no data.
	want(t, rs, "20/V3_WIFI", ntm.StatusNoData, "1")
	// C8 counts communes, D95 counts districts (commune rows under a district are informational).
	// (Thị trấn Đồng Mỏ has no criterion 8: one xã.)
	r = want(t, rs, "20/C8_SMART_VILLAGE", ntm.StatusNoData, "0")
	if r.Threshold != Count(1) || !strings.HasPrefix(r.Explanation, "0/1 xã đạt") {
		t.Errorf("C8 province threshold %v", r.Threshold)
	}
	r = want(t, rs, "20/D95_PROCEDURES", ntm.StatusNoData, "0")
	if r.Threshold != Count(1) || !strings.HasPrefix(r.Explanation, "0/1 huyện đạt") {
		t.Errorf("D95 province row %+v", r)
	}
}

func TestCriteriaSetInForce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	// A newer set from 2025 with a 6-month staleness limit and only V3.
	newSet := `key: new
name: Bộ mới
valid_from: 2025-01-01
stale_months: 6
criteria:
  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi}
`
	f.importSet(newSet)
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "06463-001", d("2024-11-30"), allYes)
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusMet, "1")
	rs = f.evaluate("2025-06")
	if _, ok := rs["06463-001/V1_TEAM"]; ok {
		t.Error("the 2025 set has no V1")
	}
	r := want(t, rs, "06463-001/V3_WIFI", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "đã quá 6 tháng") {
		t.Errorf("explanation %q", r.Explanation)
	}
	rs = f.evaluate("2025-05")
	want(t, rs, "06463-001/V3_WIFI", ntm.StatusMet, "1")
	// A set whose validity ended does not apply.
	f.importSet(strings.Replace(newSet, "stale_months:", "valid_to: 2025-03-31\nstale_months:", 1))
	rs = f.evaluate("2025-05")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusMet, "1")
}

func TestUnitStructureAtPeriodEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	endH1 := d("2025-06-30")
	f.unitValid("187", ntm.LevelDistrict, "Huyện Chi Lăng", "20", d("1900-01-01"), &endH1)
	f.unitValid("06463", ntm.LevelCommune, "Thị trấn Đồng Mỏ", "187", d("1900-01-01"), &endH1)
	f.unitValid("06463", ntm.LevelCommune, "Xã Đồng Mỏ", "20", d("2025-07-01"), nil)
	f.unit("06463-001", ntm.LevelVillage, "Thôn Nà Cạn", "06463")
	rs := f.evaluate("2025-06")
	if rs["06463/D95_PROCEDURES"].UnitName != "Thị trấn Đồng Mỏ" || rs["06463/D95_PROCEDURES"].ParentCode != "187" {
		t.Errorf("June structure: %+v", rs["06463/D95_PROCEDURES"])
	}
	if _, ok := rs["06463/C8_SMART_VILLAGE"]; ok {
		t.Error("a thị trấn has no criterion 8")
	}
	if _, ok := rs["187/D95"]; !ok {
		t.Error("June has the district")
	}
	rs = f.evaluate("2025-07")
	if rs["06463/C8_SMART_VILLAGE"].UnitName != "Xã Đồng Mỏ" || rs["06463/C8_SMART_VILLAGE"].ParentCode != "20" || rs["06463/C8_SMART_VILLAGE"].Level != ntm.LevelCommune {
		t.Errorf("July structure: %+v", rs["06463/C8_SMART_VILLAGE"])
	}
	if _, ok := rs["187/D95"]; ok {
		t.Error("July has no district")
	}
	want(t, rs, "06463/D95", ntm.StatusNoData, "0")
}

func TestEachEvaluationIsNewAndResultsUseTheNewest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	p := ntm.Period{Year: 2024, Month: 12}
	id1, err := Evaluate(f.ctx, f.pool, p)
	if err != nil {
		t.Fatal(err)
	}
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	id2, err := Evaluate(f.ctx, f.pool, p)
	if err != nil || id2 <= id1 {
		t.Fatalf("second evaluation %d after %d: %v", id2, id1, err)
	}
	rs, err := Results(f.ctx, f.pool, p, ntm.LevelVillage)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rs {
		if r.Level != ntm.LevelVillage {
			t.Errorf("level filter let through %s", r.Level)
		}
		if r.UnitCode == "06463-001" && r.Criterion == KeyTeam && r.Status == ntm.StatusMet {
			found = true
		}
	}
	if !found {
		t.Error("results are not from the newest evaluation")
	}
	var n int
	f.pool.QueryRow(f.ctx, `SELECT count(*) FROM result WHERE evaluation_id = $1`, id1).Scan(&n)
	if n == 0 {
		t.Error("the first evaluation's results must be kept")
	}
}
