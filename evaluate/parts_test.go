package evaluate

import (
	"strings"
	"testing"

	"ntm"
)

// Provinces are evaluated one at a time: each province's rows count its own units only, a
// commune's criterion 8 its own villages, and units in no province (a commune whose district
// is not in the structure) still get their results, counted in no province.
func TestProvincesEvaluatedApartAndUnitsInNone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	f.unit("10", ntm.LevelProvince, "Tỉnh Lào Cai", "")
	f.unit("080", ntm.LevelDistrict, "Huyện Bát Xát", "10")
	f.unit("02662", ntm.LevelCommune, "Xã Trịnh Tường", "080")
	f.unit("02662-001", ntm.LevelVillage, "Thôn Lũng Pô", "02662")
	f.unit("09999", ntm.LevelCommune, "Xã Mồ Côi", "999") // district 999 is not in the structure
	f.unit("09999-001", ntm.LevelVillage, "Thôn Lẻ", "09999")
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.survey(sb, "02662-001", d("2024-12-01"), allYes)
	f.survey(sb, "09999-001", d("2024-12-01"), surveyFact{team: no()})
	rs := f.evaluate("2024-12")

	r := want(t, rs, "20/V1_TEAM", ntm.StatusNoData, "1")
	if r.Threshold != Count(3) || !strings.HasPrefix(r.Explanation, "1/3 thôn đạt") {
		t.Errorf("Lạng Sơn's row counts other provinces' villages: %+v", r)
	}
	r = want(t, rs, "10/V1_TEAM", ntm.StatusMet, "1")
	if r.Threshold != Count(1) {
		t.Errorf("Lào Cai's row: %+v", r)
	}
	want(t, rs, "02662-001/V1_TEAM", ntm.StatusMet, "1")
	want(t, rs, "09999-001/V1_TEAM", ntm.StatusNotMet, "0")
	want(t, rs, "09999/C8_SMART_VILLAGE", ntm.StatusNotMet, "0")
	want(t, rs, "02662/C8_SMART_VILLAGE", ntm.StatusNoData, "0")
	if r := rs["10/C8_SMART_VILLAGE"]; r.Threshold != Count(1) {
		t.Errorf("Lào Cai's criterion-8 row counts %v communes, want 1", r.Threshold)
	}
}
