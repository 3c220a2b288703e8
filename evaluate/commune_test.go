package evaluate

import (
	"strings"
	"testing"

	"ntm"
)

// Criterion 8 over a commune's villages; wards and towns (phường, thị trấn) get no row, and the
// province counts only xã.
func TestC8SmartVillage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	f.unit("06529", ntm.LevelCommune, "Xã Quang Lang", "187") // no villages
	f.unit("06535", ntm.LevelCommune, "Xã Mai Sao", "187")
	f.unit("06535-001", ntm.LevelVillage, "Thôn Còn Quan", "06535")
	f.unit("06535-002", ntm.LevelVillage, "Thôn Khòn Pát", "06535")
	f.unit("06541", ntm.LevelCommune, "Xã Vân Thủy", "187")
	f.unit("06541-001", ntm.LevelVillage, "Thôn Nà Pàn", "06541")
	f.unit("06541-002", ntm.LevelVillage, "Thôn Vằng Khướng", "06541")
	f.unit("05971", ntm.LevelCommune, "Phường Hoàng Văn Thụ", "187")
	f.unit("05971-001", ntm.LevelVillage, "Khối 1", "05971")
	sb := f.batch(ntm.DatasetVillageSurvey)
	ab := f.batch(ntm.DatasetVpostcode)
	f.batch(ntm.DatasetOCOPProducts)
	// Thị trấn Đồng Mỏ and the ward have smart villages, but no criterion 8.
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.address(ab, "06463-001", d("2024-12-01"), 10, 10, 1, 1)
	f.survey(sb, "05971-001", d("2024-12-01"), allYes)
	f.address(ab, "05971-001", d("2024-12-01"), 10, 10, 1, 1)
	// Mai Sao: 001 smart, 002 undecided → met.
	f.survey(sb, "06535-001", d("2024-12-01"), allYes)
	f.address(ab, "06535-001", d("2024-12-01"), 10, 10, 1, 1)
	// Chi Lăng: its only village is undecided (no address data) → no data.
	f.survey(sb, "06523-001", d("2024-12-01"), allYes)
	// Vân Thủy: both villages decided, none smart → not met.
	f.survey(sb, "06541-001", d("2024-12-01"), surveyFact{wifi: no()})
	f.survey(sb, "06541-002", d("2024-12-01"), allYes)
	f.address(ab, "06541-002", d("2024-12-01"), 10, 9, 1, 1)
	rs := f.evaluate("2024-12")

	r := want(t, rs, "06535/C8_SMART_VILLAGE", ntm.StatusMet, "1")
	if r.Explanation != "1/2 thôn đạt thôn thông minh: Thôn Còn Quan; 1 thôn chưa có số liệu" {
		t.Errorf("explanation %q", r.Explanation)
	}
	want(t, rs, "06523/C8_SMART_VILLAGE", ntm.StatusNoData, "0")
	r = want(t, rs, "06541/C8_SMART_VILLAGE", ntm.StatusNotMet, "0")
	if r.Explanation != "0/2 thôn đạt thôn thông minh; mọi thôn đã có kết luận" {
		t.Errorf("explanation %q", r.Explanation)
	}
	r = want(t, rs, "06529/C8_SMART_VILLAGE", ntm.StatusNoData, "")
	if r.Explanation != "Xã chưa có danh sách thôn" {
		t.Errorf("explanation %q", r.Explanation)
	}
	if r.ParentCode != "187" || r.DistrictCode != "187" || r.Level != ntm.LevelCommune {
		t.Errorf("commune row %+v", r)
	}
	if v := rs["06535-001/V1_TEAM"]; v.DistrictCode != "187" || v.ParentCode != "06535" {
		t.Errorf("village row district %q parent %q", v.DistrictCode, v.ParentCode)
	}
	for _, code := range []string{"06463", "05971"} {
		if r, ok := rs[code+"/C8_SMART_VILLAGE"]; ok {
			t.Errorf("%s is not a xã but has a criterion 8 row: %+v", code, r)
		}
	}
	// Their villages are still evaluated.
	want(t, rs, "06463-001/SMART_VILLAGE", ntm.StatusMet, "6")
	want(t, rs, "05971-001/SMART_VILLAGE", ntm.StatusMet, "6")
	// The province counts the four xã only.
	r = want(t, rs, "20/C8_SMART_VILLAGE", ntm.StatusNotMet, "1")
	if r.Threshold != Count(4) || !strings.HasPrefix(r.Explanation, "1/4 xã đạt") {
		t.Errorf("province row %v %q", r.Threshold, r.Explanation)
	}
}
