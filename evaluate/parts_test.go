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

// A province reads the facts of its lineage one province at a time, and that lineage can cross
// provinces: here Lào Cai's Xã Trịnh Tường (02662) merged into Lạng Sơn's Xã Chi Lăng on
// 1/7/2025 (a made-up merger across provinces), its Thôn Lũng Pô (02662-001) becoming Lạng
// Sơn's Thôn Lũng Pô (06463-004) and its Thôn Tả Lừ (02662-002) Lào Cai's Thôn Tả Lừ
// (02680-001) under a new commune. Lạng Sơn's village stands on the old Lào Cai village's
// survey and addresses, its commune's OCOP products count Lào Cai's old commune's, and Lào
// Cai's rows count only what is Lào Cai's now.
func TestLineageAcrossProvinces(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.reform()
	h2, old := d("2025-07-01"), until("2025-06-30")
	begin := ntm.Date(1900, 1, 1)
	f.unit("10", ntm.LevelProvince, "Tỉnh Lào Cai", "")
	f.unitValid("080", ntm.LevelDistrict, "Huyện Bát Xát", "10", begin, old)
	f.unitValid("02662", ntm.LevelCommune, "Xã Trịnh Tường", "080", begin, old)
	f.unitValid("02662-001", ntm.LevelVillage, "Thôn Lũng Pô", "02662", begin, old)
	f.unitValid("02662-002", ntm.LevelVillage, "Thôn Tả Lừ", "02662", begin, old)
	f.unitValid("02680", ntm.LevelCommune, "Xã Bát Xát", "10", h2, nil)
	f.unitValid("02680-001", ntm.LevelVillage, "Thôn Tả Lừ", "02680", h2, nil)
	f.unitValid("06463-004", ntm.LevelVillage, "Thôn Lũng Pô", "06463", h2, nil)
	f.link("02662", "06463", h2, true)
	f.link("02662", "02680", h2, true)
	f.link("02662-001", "06463-004", h2, false)
	f.link("02662-002", "02680-001", h2, false)
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.survey(sb, "02662-001", d("2025-05-31"), allYes)
	f.survey(sb, "02662-002", d("2025-05-31"), allNo)
	ab := f.batch(ntm.DatasetVpostcode)
	f.address(ab, "02662-001", d("2025-05-31"), 40, 40, 0, 0)
	pb := f.batchWith(ntm.DatasetOCOPProducts, "loaded", until("2025-05-31"))
	cert := until("2024-06-14")
	f.product(pb, productFact{code: "P7", name: "Chè Shan tuyết Lũng Pô", owner: "HTX Lũng Pô", commune: "02662", village: "02662-001", certified: cert})
	f.product(pb, productFact{code: "P8", name: "Gạo Tả Lừ", owner: "HTX Tả Lừ", commune: "02662", village: "02662-002", certified: cert})
	l := f.batch(ntm.DatasetOCOPListings)
	f.listing(l, listingFact{code: "P7", platform: "Postmart", active: true})

	rs := f.evaluate("2025-09")
	r := want(t, rs, "06463-004/V1_TEAM", ntm.StatusMet, "1")
	if !strings.Contains(r.Explanation, "Thôn Lũng Pô (cũ, 02662-001)") {
		t.Errorf("Lạng Sơn's Thôn Lũng Pô does not stand on the old Lào Cai village's survey: %q", r.Explanation)
	}
	want(t, rs, "06463-004/"+KeyAddress, ntm.StatusMet, "1")
	want(t, rs, "02680-001/V1_TEAM", ntm.StatusNotMet, "0")
	// P7 (listed) came with Thôn Lũng Pô into Xã Chi Lăng; P8 went with Thôn Tả Lừ to Xã Bát Xát.
	r = want(t, rs, "06463-004/V5_OCOP", ntm.StatusMet, "1")
	if !strings.Contains(r.Explanation, "1/1 sản phẩm") {
		t.Errorf("Xã Chi Lăng's OCOP products: %q", r.Explanation)
	}
	want(t, rs, "02680-001/V5_OCOP", ntm.StatusNotMet, "0")
	if r := rs["10/V1_TEAM"]; r.Threshold != Count(1) {
		t.Errorf("Lào Cai's row counts %v villages, want 1 (Thôn Tả Lừ): %+v", r.Threshold, r)
	}
}
