package evaluate

import (
	"strings"
	"testing"
	"time"

	"ntm"
)

// link records a successor link the way a structure import does.
func (f *fixture) link(old, nu string, from time.Time, partial bool) {
	f.t.Helper()
	kind := "full"
	if partial {
		kind = "partial"
	}
	f.exec(`INSERT INTO unit_successor (old_code, new_code, from_date, kind, source) VALUES ($1, $2, $3, $4, 'previous_codes')`,
		old, nu, from, kind)
}

func until(s string) *time.Time { x := d(s); return &x }

// reform builds a small Lạng Sơn-shaped reform on 1/7/2025, with the Thất Khê double change:
//
//	to 30/06/2025: Huyện Chi Lăng (187) with Thị trấn Đồng Mỏ (06463: Khu Hòa Bình 06463-001),
//	  Thị trấn Chi Lăng (06466: Khu Ga 06466-001), Xã Chi Lăng (06523: Thôn Làng Cang 06523-001,
//	  Thôn Nà Pá 06523-002); Huyện Đình Lập (200) with Xã Đình Lập (06613: Thôn Bản Chắt 06613-001)
//	  and Xã Bính Xá (06622: Thôn Lũng Sla 06622-001); Huyện Tràng Định (180) with Xã Đại Đồng
//	  (06040, to 2024), Thị trấn Thất Khê (05995, to 2024), Xã Chí Minh (06013);
//	01/01/2025–30/06/2025: Thị trấn Thất Khê (06040) ← 06040 Xã Đại Đồng, 05995;
//	from 01/07/2025, no districts: Xã Chi Lăng (06463) ← 06463, 06466, 06523, with villages
//	  Thôn Làng Cang 06463-001 ← 06523-001 (the code of old Khu Hòa Bình!), Thôn Nà Pá Ga
//	  06463-002 ← 06523-002 + 06466-001 (two villages merged), Khu Hòa Bình 06463-003 ← 06463-001;
//	  Xã Đình Lập (06613) ← 06613, 06622 (partial), village 06613-001 and Thôn Lũng Sla 06613-002 ←
//	  06622-001; Xã Kiên Mộc (06625) ← 06622 (partial), village 06625-001; Xã Thất Khê (06040) ←
//	  06040 Thị trấn Thất Khê, 06013.
func (f *fixture) reform() {
	f.t.Helper()
	h1, h2 := d("2025-01-01"), d("2025-07-01")
	old := until("2025-06-30")
	y24 := until("2024-12-31")
	begin := ntm.Date(1900, 1, 1)
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	for _, u := range [][3]string{{"187", "Huyện Chi Lăng", "20"}, {"200", "Huyện Đình Lập", "20"}, {"180", "Huyện Tràng Định", "20"},
		{"06463", "Thị trấn Đồng Mỏ", "187"}, {"06466", "Thị trấn Chi Lăng", "187"}, {"06523", "Xã Chi Lăng", "187"},
		{"06613", "Xã Đình Lập", "200"}, {"06622", "Xã Bính Xá", "200"}, {"06013", "Xã Chí Minh", "180"}} {
		lv := ntm.LevelCommune
		if len(u[0]) == 3 {
			lv = ntm.LevelDistrict
		}
		f.unitValid(u[0], lv, u[1], u[2], begin, old)
	}
	for _, u := range [][3]string{{"06463-001", "Khu Hòa Bình", "06463"}, {"06466-001", "Khu Ga", "06466"},
		{"06523-001", "Thôn Làng Cang", "06523"}, {"06523-002", "Thôn Nà Pá", "06523"},
		{"06613-001", "Thôn Bản Chắt", "06613"}, {"06622-001", "Thôn Lũng Sla", "06622"}} {
		f.unitValid(u[0], ntm.LevelVillage, u[1], u[2], begin, old)
	}
	f.unitValid("06040", ntm.LevelCommune, "Xã Đại Đồng", "180", begin, y24)
	f.unitValid("05995", ntm.LevelCommune, "Thị trấn Thất Khê", "180", begin, y24)
	f.unitValid("06040", ntm.LevelCommune, "Thị trấn Thất Khê", "180", h1, old)
	f.link("06040", "06040", h1, false)
	f.link("05995", "06040", h1, false)

	for _, u := range [][3]string{{"06463", "Xã Chi Lăng", "20"}, {"06613", "Xã Đình Lập", "20"}, {"06625", "Xã Kiên Mộc", "20"},
		{"06040", "Xã Thất Khê", "20"}} {
		f.unitValid(u[0], ntm.LevelCommune, u[1], u[2], h2, nil)
	}
	for _, u := range [][3]string{{"06463-001", "Thôn Làng Cang", "06463"}, {"06463-002", "Thôn Nà Pá Ga", "06463"},
		{"06463-003", "Khu Hòa Bình", "06463"}, {"06613-001", "Thôn Bản Chắt", "06613"}, {"06613-002", "Thôn Lũng Sla", "06613"},
		{"06625-001", "Thôn Kiên Mộc", "06625"}} {
		f.unitValid(u[0], ntm.LevelVillage, u[1], u[2], h2, nil)
	}
	for _, l := range [][2]string{{"06463", "06463"}, {"06466", "06463"}, {"06523", "06463"}, {"06613", "06613"},
		{"06040", "06040"}, {"06013", "06040"},
		{"06523-001", "06463-001"}, {"06523-002", "06463-002"}, {"06466-001", "06463-002"}, {"06463-001", "06463-003"},
		{"06613-001", "06613-001"}, {"06622-001", "06613-002"}} {
		f.link(l[0], l[1], h2, false)
	}
	f.link("06622", "06613", h2, true)
	f.link("06622", "06625", h2, true)
}

var allNo = surveyFact{team: no(), platform: no(), wifi: no(), models: n(0)}

// The code-reuse trap at village level: new 06463-001 is old Thôn Làng Cang (06523-001), not old
// Khu Hòa Bình, whose code it got; two villages merged into one combine their answers.
func TestLineageVillages(t *testing.T) {
	f := newFixture(t)
	f.reform()
	b := f.batch(ntm.DatasetVillageSurvey)
	f.survey(b, "06463-001", d("2024-11-30"), allNo)  // old Khu Hòa Bình
	f.survey(b, "06523-001", d("2024-11-30"), allYes) // old Thôn Làng Cang
	f.survey(b, "06523-002", d("2024-11-30"), surveyFact{team: yes(), platform: yes(), wifi: no(), models: n(2)})
	f.survey(b, "06466-001", d("2024-10-31"), surveyFact{team: yes(), platform: yes(), wifi: yes(), models: n(1)})
	a := f.batch(ntm.DatasetVpostcode)
	f.address(a, "06463-001", d("2024-11-30"), 10, 5, 0, 0)
	f.address(a, "06523-001", d("2024-11-30"), 10, 10, 0, 0)
	f.address(a, "06523-002", d("2024-11-30"), 10, 10, 2, 2)
	f.address(a, "06466-001", d("2024-11-30"), 20, 19, 0, 0)

	// 2024: every village stands on its own survey.
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusNotMet, "0")
	want(t, rs, "06523-001/V1_TEAM", ntm.StatusMet, "1")

	rs = f.evaluate("2025-09")
	// New 06463-001 (Thôn Làng Cang) stands on old 06523-001's survey, never on old 06463-001's.
	r := want(t, rs, "06463-001/V1_TEAM", ntm.StatusMet, "1")
	if !strings.Contains(r.Explanation, "theo phiếu ngày 30/11/2024 của Thôn Làng Cang (cũ, 06523-001), đơn vị trước sắp xếp") {
		t.Errorf("explanation %q", r.Explanation)
	}
	want(t, rs, "06463-001/V4_ADDRESS", ntm.StatusMet, "1")
	// Old Khu Hòa Bình's answers follow it to its new code 06463-003.
	want(t, rs, "06463-003/V1_TEAM", ntm.StatusNotMet, "0")
	want(t, rs, "06463-003/V4_ADDRESS", ntm.StatusNotMet, "0.5")

	// Two villages merged: answers kept where they agree, no data where they differ, models and
	// households summed, dated by the oldest survey.
	want(t, rs, "06463-002/V1_TEAM", ntm.StatusMet, "1")
	r = want(t, rs, "06463-002/V3_WIFI", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "trả lời khác nhau") || !strings.Contains(r.Explanation, "2 đơn vị trước sắp xếp: Khu Ga (cũ, 06466-001), Thôn Nà Pá (cũ, 06523-002); ngày cũ nhất 31/10/2024") {
		t.Errorf("explanation %q", r.Explanation)
	}
	want(t, rs, "06463-002/V6_DXMODEL", ntm.StatusMet, "3")
	r = want(t, rs, "06463-002/V4_ADDRESS", ntm.StatusNotMet, "0.966666")
	if !strings.HasPrefix(r.Explanation, "29/30 hộ đã gắn địa chỉ số; còn thiếu 1; 2/2 cơ quan, tổ chức") {
		t.Errorf("explanation %q", r.Explanation)
	}
	if p, ok := r.Detail["predecessors"].([]any); !ok || len(p) != 2 {
		t.Errorf("detail %v", r.Detail)
	}
	// Old Thôn Lũng Sla of split Xã Bính Xá passed wholly into 06613-002: no survey there.
	want(t, rs, "06613-002/V1_TEAM", ntm.StatusNoData, "")

	// A survey of the new village itself wins, and a 2026 survey of new 06463-001 is never old
	// Khu Hòa Bình's.
	b2 := f.batch(ntm.DatasetVillageSurvey)
	f.survey(b2, "06463-001", d("2025-08-31"), allNo)
	rs = f.evaluate("2025-09")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusNotMet, "0")
	rs = f.evaluate("2024-12")
	want(t, rs, "06523-001/V1_TEAM", ntm.StatusMet, "1")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusNotMet, "0")
}

// The code-reuse trap at commune level: new Xã Chi Lăng (06463) without figures of its own stands
// on its three predecessors' combined, not on old Thị trấn Đồng Mỏ's, whose code it has.
func TestLineageCommuneProcedures(t *testing.T) {
	f := newFixture(t)
	f.reform()
	b := f.batch(ntm.DatasetDVCProcedures)
	f.procedures(b, "06463", d("2024-11-30"), 100, 100, 0) // old Đồng Mỏ: 100%
	f.procedures(b, "06466", d("2024-10-31"), 50, 40, 10)
	f.procedures(b, "06523", d("2024-11-30"), 50, 20, 20) // 80%
	f.procedures(b, "06613", d("2025-08-31"), 40, 40, 0)  // new Xã Đình Lập's own
	f.procedures(b, "06622", d("2024-11-30"), 40, 40, 0)

	rs := f.evaluate("2024-12")
	want(t, rs, "06463/D95_PROCEDURES", ntm.StatusMet, "1") // informational under the district
	want(t, rs, "187/D95_PROCEDURES", ntm.StatusNoData, "") // the district's own figure is missing

	rs = f.evaluate("2025-09")
	r := want(t, rs, "06463/D95_PROCEDURES", ntm.StatusNotMet, "0.95")
	if r.Detail["informational"] != nil {
		t.Errorf("without districts the commune's own ratio decides: %v", r.Detail)
	}
	if !strings.Contains(r.Explanation, "190/200 TTHC") || !strings.Contains(r.Explanation, "theo số liệu của 3 đơn vị trước sắp xếp: Thị trấn Đồng Mỏ (cũ, 06463), Thị trấn Chi Lăng (cũ, 06466), Xã Chi Lăng (cũ, 06523); ngày cũ nhất 31/10/2024") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// Its own figures decide once there are some.
	want(t, rs, "06613/D95_PROCEDURES", ntm.StatusMet, "1")
	// Xã Kiên Mộc has no figure, and its only predecessor is split Xã Bính Xá.
	r = want(t, rs, "06625/D95_PROCEDURES", ntm.StatusNoData, "")
	if r.Explanation != "Xã Bính Xá (cũ, 06622) đã chia cho nhiều đơn vị từ 01/07/2025: không tách được số liệu TTHC trước ngày đó" {
		t.Errorf("explanation %q", r.Explanation)
	}
	// The province counts the communes in force.
	r = want(t, rs, "20/D95_PROCEDURES", ntm.StatusNotMet, "1")
	if r.Threshold != Count(4) {
		t.Errorf("province threshold %v, want the 4 communes", r.Threshold)
	}
	if _, ok := rs["187/D95_PROCEDURES"]; ok {
		t.Error("a closed district is evaluated at 2025-09")
	}

	b2 := f.batch(ntm.DatasetDVCProcedures)
	f.procedures(b2, "06463", d("2025-08-31"), 60, 60, 0)
	rs = f.evaluate("2025-09")
	want(t, rs, "06463/D95_PROCEDURES", ntm.StatusMet, "1")
	rs = f.evaluate("2024-12") // the 2025 figure of new 06463 is never old Đồng Mỏ's
	want(t, rs, "06463/D95_PROCEDURES", ntm.StatusMet, "1")
}

// 06040 is three units: Xã Đại Đồng (2024), Thị trấn Thất Khê (first half of 2025), Xã Thất Khê
// (from 1/7/2025). A dossier window spanning the reform counts the full predecessors' dossiers; a
// split predecessor in force during the window makes it no data.
func TestLineageThatKheAndWindows(t *testing.T) {
	f := newFixture(t)
	f.reform()
	b := f.batch(ntm.DatasetDVCDossiers)
	f.dossiers(b, "06040", d("2024-01-01"), d("2024-12-31"), 1000, 100) // Xã Đại Đồng
	f.dossiers(b, "05995", d("2024-01-01"), d("2024-12-31"), 1000, 900)
	f.dossiers(b, "06040", d("2025-01-01"), d("2025-06-30"), 100, 80) // Thị trấn Thất Khê, H1 2025
	f.dossiers(b, "06013", d("2025-01-01"), d("2025-06-30"), 50, 20)
	f.dossiers(b, "06040", d("2025-07-01"), d("2025-09-30"), 50, 40) // Xã Thất Khê
	f.dossiers(b, "06613", d("2025-01-01"), d("2025-06-30"), 10, 10)
	f.dossiers(b, "06622", d("2025-01-01"), d("2025-06-30"), 10, 10)
	f.dossiers(b, "06613", d("2025-07-01"), d("2025-09-30"), 10, 10)
	f.dossiers(b, "06613", d("2026-01-01"), d("2026-10-31"), 10, 10)

	rs := f.evaluate("2024-12")
	r := want(t, rs, "06040/D95_DOSSIERS", ntm.StatusNotMet, "0.1")
	if r.UnitName != "Xã Đại Đồng" {
		t.Errorf("06040 in 2024 is %s", r.UnitName)
	}
	rs = f.evaluate("2025-06")
	r = want(t, rs, "06040/D95_DOSSIERS", ntm.StatusMet, "0.8") // only its own first-half dossiers
	if r.UnitName != "Thị trấn Thất Khê" {
		t.Errorf("06040 in 2025-06 is %s", r.UnitName)
	}
	rs = f.evaluate("2025-09")
	r = want(t, rs, "06040/D95_DOSSIERS", ntm.StatusMet, "0.7") // (40+80+20)/(50+100+50)
	if r.UnitName != "Xã Thất Khê" {
		t.Errorf("06040 in 2025-09 is %s", r.UnitName)
	}
	if !strings.Contains(r.Explanation, "gồm số hồ sơ của 2 đơn vị trước sắp xếp (Xã Chí Minh (cũ, 06013), Thị trấn Thất Khê (cũ, 06040)) đến 30/06/2025; phủ đủ kỳ") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// Xã Đình Lập's window reaches back into the time of split Xã Bính Xá.
	r = want(t, rs, "06613/D95_DOSSIERS", ntm.StatusNoData, "")
	if r.Explanation != "Xã Bính Xá (cũ, 06622) đã chia cho nhiều đơn vị từ 01/07/2025: không tách được số hồ sơ trước ngày đó" {
		t.Errorf("explanation %q", r.Explanation)
	}
	// A window after the split is its own.
	rs = f.evaluate("2026-10")
	want(t, rs, "06613/D95_DOSSIERS", ntm.StatusMet, "1")

	// A predecessor without figures leaves the window short, named.
	f.exec(`DELETE FROM fact_dvc_dossiers WHERE unit_code = '06013'`)
	rs = f.evaluate("2025-09")
	r = want(t, rs, "06040/D95_DOSSIERS", ntm.StatusMet, "0.8")
	if !strings.Contains(r.Explanation, "còn thiếu: Xã Chí Minh (cũ, 06013): chưa có số liệu 01/01–30/06") {
		t.Errorf("explanation %q", r.Explanation)
	}
}

// Dossier records under a reused code are split at the change: old Đồng Mỏ's first-half records
// and new Xã Chi Lăng's third-quarter ones both count for Xã Chi Lăng, with old Thị trấn Chi
// Lăng's and old Xã Chi Lăng's.
func TestLineageDossierRecords(t *testing.T) {
	f := newFixture(t)
	f.reform()
	b := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(b, "A1", "06463", d("2025-03-01"), "online", true)
	f.record(b, "A2", "06466", d("2025-03-01"), "online", false)
	f.record(b, "A3", "06523", d("2025-04-01"), "in_person", true)
	f.record(b, "A4", "06463", d("2025-08-01"), "online", true)
	rs := f.evaluate("2025-09")
	r := want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.5")
	if r.Detail["units"].([]any)[0].(map[string]any)["source"] != "records" {
		t.Errorf("detail %v", r.Detail)
	}
	rs = f.evaluate("2025-06")
	want(t, rs, "06463/D95_DOSSIERS", ntm.StatusMet, "1") // old Đồng Mỏ: its one record
}

// OCOP products of a closed commune count for its successors; a split commune's product without
// a village counts for each successor, with a village for that village's successor's commune.
func TestLineageOCOP(t *testing.T) {
	f := newFixture(t)
	f.reform()
	b := f.batchWith(ntm.DatasetOCOPProducts, "loaded", until("2024-11-30"))
	cert := until("2024-06-14")
	f.product(b, productFact{code: "P1", name: "Hồi khô Bính Xá", owner: "HTX Bính Xá", commune: "06622", certified: cert})
	f.product(b, productFact{code: "P2", name: "Miến Lũng Sla", owner: "HTX Lũng Sla", commune: "06622", village: "06622-001", certified: cert})
	f.product(b, productFact{name: "Na Chi Lăng", owner: "HTX Chi Lăng", commune: "06523", certified: cert})
	l := f.batch(ntm.DatasetOCOPListings)
	f.listing(l, listingFact{code: "P1", platform: "Postmart", active: true})
	rs := f.evaluate("2025-09")
	// Xã Kiên Mộc: P1 only (listed).
	want(t, rs, "06625-001/V5_OCOP", ntm.StatusMet, "1")
	// Xã Đình Lập: P1 and P2 (its village Lũng Sla passed into it); P2 not listed.
	r := want(t, rs, "06613-001/V5_OCOP", ntm.StatusNotMet, "0.5")
	if !strings.Contains(r.Explanation, "tính cho mỗi xã kế tiếp: Hồi khô Bính Xá") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// Old Xã Chi Lăng's product counts for new Xã Chi Lăng (06463), even though 06523 is gone.
	want(t, rs, "06463-002/V5_OCOP", ntm.StatusNotMet, "0")

	// The same product listed again under the new commune in 2026 counts once.
	b2 := f.batchWith(ntm.DatasetOCOPProducts, "loaded", until("2026-10-31"))
	f.product(b2, productFact{name: "Na Chi Lăng", owner: "HTX Chi Lăng", commune: "06463", certified: cert})
	f.listing(l, listingFact{name: "Na Chi Lăng", owner: "HTX Chi Lăng", platform: "Voso", active: true})
	rs = f.evaluate("2026-11")
	want(t, rs, "06463-002/V5_OCOP", ntm.StatusMet, "1")
}
