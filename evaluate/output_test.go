package evaluate

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"ntm"
)

func TestFractionString(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		f    Fraction
		want string
	}{
		{Frac(49, 50), "0.98"}, {Frac(2, 3), "0.666666"}, {Count(1), "1"}, {Count(6), "6"},
		{Frac(7, 10), "0.7"}, {Frac(0, 5), "0"}, {Frac(9999999, 10000000), "0.999999"},
		{Frac(1, 3000000), "0"}, {Frac(5, 2), "2.5"}, {Frac(1, 0), ""},
	} {
		if got := c.f.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestFractionPercentRoundsDown(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		f    Fraction
		want string
	}{
		{Frac(996, 1000), "99,6%"}, {Frac(9999, 10000), "99,9%"}, {Count(1), "100%"},
		{Frac(9792, 10000), "97,9%"}, {Frac(7, 10), "70%"}, {Frac(6999, 10000), "69,9%"}, {Frac(0, 3), "0%"},
	} {
		if got := c.f.Percent(); got != c.want {
			t.Errorf("%#v.Percent() = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestFractionAtLeast(t *testing.T) {
	t.Parallel()
	if Frac(6999, 10000).AtLeast(Frac(7, 10)) || !Frac(7, 10).AtLeast(Frac(7, 10)) || !Frac(7000, 10000).AtLeast(Frac(7, 10)) {
		t.Error("70% comparison")
	}
	if Frac(1<<62, 1<<62-1).Less(Count(1)) {
		t.Error("large counts must not overflow")
	}
}

func TestWriteCSVExact(t *testing.T) {
	t.Parallel()
	p := ntm.Period{Year: 2024, Month: 12}
	rs := []Result{
		{Period: p, UnitCode: "20", UnitName: "Tỉnh Lạng Sơn", Level: ntm.LevelProvince, Criterion: "SMART_VILLAGE",
			Status: ntm.StatusNotMet, Value: ptr(Count(1)), Threshold: Count(3)},
		{Period: p, UnitCode: "187", UnitName: "Huyện Chi Lăng", Level: ntm.LevelDistrict, Criterion: "D95_DOSSIERS",
			Status: ntm.StatusMet, Value: ptr(Frac(2, 3)), Threshold: Frac(7, 10)},
		{Period: p, UnitCode: "06463-001", UnitName: "Khu 1, Hòa Bình", Level: ntm.LevelVillage, Criterion: "V4_ADDRESS",
			Status: ntm.StatusNotMet, Value: ptr(Frac(245, 250)), Threshold: Count(1)},
		{Period: p, UnitCode: "06463-002", UnitName: "Thôn Nà Lầu", Level: ntm.LevelVillage, Criterion: "V5_OCOP",
			Status: ntm.StatusNoData, Threshold: Count(1)},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, Builtin(), rs); err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(`period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file
2024-12,20,Tỉnh Lạng Sơn,province,SMART_VILLAGE,not_met,1,3,SET
2024-12,187,Huyện Chi Lăng,district,D95_DOSSIERS,met,0.666666,0.7,SET
2024-12,06463-001,"Khu 1, Hòa Bình",village,V4_ADDRESS,not_met,0.98,1,SET
2024-12,06463-002,Thôn Nà Lầu,village,V5_OCOP,no_data,,1,SET
`, "SET", "langson-2021,"+Builtin().Version()+",built-in")
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteTable(&b, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Chưa có số liệu") || !strings.Contains(b.String(), "0.666666 (66,6%)") {
		t.Errorf("table:\n%s", b.String())
	}
	b.Reset()
	if err := WriteJSON(&b, Builtin(), rs); err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 4 || back[1]["value"] != "0.666666" || back[3]["value"] != nil || back[1]["threshold"] != "0.7" {
		t.Errorf("JSON: %s", b.String())
	}
	set, _ := back[3]["criteria_set"].(map[string]any)
	if set["key"] != "langson-2021" || set["version"] != Builtin().Version() || set["file"] != "built-in" || !strings.Contains(set["name"].(string), "2021–2025") {
		t.Errorf("JSON criteria_set: %v", back[3]["criteria_set"])
	}
}

func TestResultsBeforeEvaluation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := Results(context.Background(), f.pool, ntm.Period{Year: 2024, Month: 12}, "")
	if err == nil || !strings.Contains(err.Error(), "2024-12") || !strings.Contains(err.Error(), "run ntm evaluate --period 2024-12") {
		t.Errorf("error %v", err)
	}
	_, err = Evaluate(context.Background(), f.pool, ntm.Period{Year: 2024, Month: 12})
	if err == nil || !strings.Contains(err.Error(), "ntm units import") {
		t.Errorf("evaluate without units: %v", err)
	}
	var n int
	f.pool.QueryRow(context.Background(), `SELECT count(*) FROM evaluation`).Scan(&n)
	if n != 0 {
		t.Errorf("a failed evaluation left %d evaluation rows", n)
	}
}

func TestResultsCSVFromDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	f.unit("06040", ntm.LevelCommune, "Xã Thất Khê", "20")
	f.unit("06040-001", ntm.LevelVillage, "Thôn Nà Cạn", "06040")
	// A set of two criteria: WiFi, and a commune criterion over it.
	f.importSet(`key: wifi
name: WiFi
valid_from: 2025-01-01
criteria:
  - {key: V3_WIFI, name: WiFi, level: village, measure: survey_wifi}
  - {key: C8_SMART_VILLAGE, name: Xã có thôn có WiFi, level: commune, measure: villages_meeting, params: {criterion: V3_WIFI}, threshold: 1}
`)
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "06040-001", d("2025-08-01"), surveyFact{wifi: yes()})
	f.evaluate("2025-09")
	rs, err := Results(f.ctx, f.pool, ntm.Period{Year: 2025, Month: 9}, "")
	if err != nil {
		t.Fatal(err)
	}
	// The rows name the set the evaluation used: its key, version and the file it was imported from.
	_, set, err := Latest(f.ctx, f.pool, ntm.Period{Year: 2025, Month: 9})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, set, rs); err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(`period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file
2025-09,20,Tỉnh Lạng Sơn,province,V3_WIFI,met,1,1,SET
2025-09,20,Tỉnh Lạng Sơn,province,C8_SMART_VILLAGE,met,1,1,SET
2025-09,06040,Xã Thất Khê,commune,C8_SMART_VILLAGE,met,1,1,SET
2025-09,06040-001,Thôn Nà Cạn,village,V3_WIFI,met,1,1,SET
`, "SET", "wifi,"+set.Version()+",test.yaml")
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	vs, err := Results(f.ctx, f.pool, ntm.Period{Year: 2025, Month: 9}, ntm.LevelVillage)
	if err != nil || len(vs) != 1 || vs[0].CriterionName == "" {
		t.Errorf("village results %v, %v", vs, err)
	}
}

func TestFractionPercentLargeCounts(t *testing.T) {
	t.Parallel()
	if got := Frac(1<<62, 1<<62).Percent(); got != "100%" {
		t.Errorf("large percent %q", got)
	}
}
