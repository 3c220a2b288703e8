package evaluate

import (
	"testing"

	"ntm"
)

// smartFixture makes 06463-001 a smart village when smart is true.
func TestC8SmartVillage(t *testing.T) {
	f := newFixture(t)
	f.langSon()
	f.unit("06529", ntm.LevelCommune, "Xã Quang Lang", "187") // no villages
	f.unit("06535", ntm.LevelCommune, "Xã Mai Sao", "187")
	f.unit("06535-001", ntm.LevelVillage, "Thôn Còn Quan", "06535")
	f.unit("06535-002", ntm.LevelVillage, "Thôn Khòn Pát", "06535")
	sb := f.batch(ntm.DatasetVillageSurvey)
	ab := f.batch(ntm.DatasetVpostcode)
	f.batch(ntm.DatasetOCOPProducts)
	// Đồng Mỏ: 001 smart, 002 undecided → met.
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.address(ab, "06463-001", d("2024-12-01"), 10, 10, 1, 1)
	// Chi Lăng: its only village is undecided (no address data) → no data.
	f.survey(sb, "06523-001", d("2024-12-01"), allYes)
	// Mai Sao: both villages decided, none smart → not met.
	f.survey(sb, "06535-001", d("2024-12-01"), surveyFact{wifi: no()})
	f.survey(sb, "06535-002", d("2024-12-01"), allYes)
	f.address(ab, "06535-002", d("2024-12-01"), 10, 9, 1, 1)
	rs := f.evaluate("2024-12")

	r := want(t, rs, "06463/C8_SMART_VILLAGE", ntm.StatusMet, "1")
	if r.Explanation != "1/2 thôn đạt thôn thông minh: Khu Hòa Bình; 1 thôn chưa có số liệu" {
		t.Errorf("explanation %q", r.Explanation)
	}
	want(t, rs, "06523/C8_SMART_VILLAGE", ntm.StatusNoData, "0")
	r = want(t, rs, "06535/C8_SMART_VILLAGE", ntm.StatusNotMet, "0")
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
}
