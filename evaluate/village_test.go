package evaluate

import (
	"strings"
	"testing"

	"ntm"
)

func TestSurveyCriteriaMetNotMetNoData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetVillageSurvey)
	f.survey(b, "06463-001", d("2024-11-30"), allYes)
	f.survey(b, "06463-002", d("2024-11-30"), surveyFact{team: no(), platform: no(), wifi: no(), models: n(0)})
	// 06523-001 answered nothing: blank answers are unknown, never "no".
	f.survey(b, "06523-001", d("2024-11-30"), surveyFact{})
	rs := f.evaluate("2024-12")

	r := want(t, rs, "06463-001/V1_TEAM", ntm.StatusMet, "1")
	if r.Explanation != "Tổ công nghệ số: Có (QĐ 12/QĐ-UBND)" {
		t.Errorf("V1 explanation %q", r.Explanation)
	}
	if r.Threshold != Count(1) || r.Detail["as_of"] != "2024-11-30" {
		t.Errorf("V1 threshold %v detail %v", r.Threshold, r.Detail)
	}
	want(t, rs, "06463-001/V2_PLATFORM", ntm.StatusMet, "1")
	want(t, rs, "06463-001/V3_WIFI", ntm.StatusMet, "1")
	want(t, rs, "06463-001/V6_DXMODEL", ntm.StatusMet, "1")

	want(t, rs, "06463-002/V1_TEAM", ntm.StatusNotMet, "0")
	want(t, rs, "06463-002/V2_PLATFORM", ntm.StatusNotMet, "0")
	r = want(t, rs, "06463-002/V3_WIFI", ntm.StatusNotMet, "0")
	if r.Explanation != "WiFi miễn phí tại nhà văn hóa: Không" {
		t.Errorf("V3 explanation %q", r.Explanation)
	}
	r = want(t, rs, "06463-002/V6_DXMODEL", ntm.StatusNotMet, "0")
	if r.Explanation != "Chưa có mô hình chuyển đổi số" {
		t.Errorf("V6 explanation %q", r.Explanation)
	}

	for _, k := range []string{"V1_TEAM", "V2_PLATFORM", "V3_WIFI", "V6_DXMODEL"} {
		r = want(t, rs, "06523-001/"+k, ntm.StatusNoData, "")
		if !strings.Contains(r.Explanation, "để trống") {
			t.Errorf("%s blank explanation %q", k, r.Explanation)
		}
	}
}

func TestModelsCountIsTheValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetVillageSurvey)
	f.survey(b, "06463-001", d("2024-06-01"), surveyFact{models: n(3), fields: "camera an ninh; chiếu sáng"})
	rs := f.evaluate("2024-12")
	r := want(t, rs, "06463-001/V6_DXMODEL", ntm.StatusMet, "3")
	if r.Explanation != "Có 3 mô hình chuyển đổi số (camera an ninh; chiếu sáng)" {
		t.Errorf("explanation %q", r.Explanation)
	}
}

func TestNoSurveyAndStaleSurveyAreNoData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetVillageSurvey)
	// Period 2024-12 ends 31/12/2024: data from 31/12/2023 still counts, 30/12/2023 is stale.
	f.survey(b, "06463-001", d("2023-12-31"), allYes)
	f.survey(b, "06463-002", d("2023-12-30"), allYes)
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V1_TEAM", ntm.StatusMet, "1")
	r := want(t, rs, "06463-002/V1_TEAM", ntm.StatusNoData, "")
	if !strings.HasPrefix(r.Explanation, "Số liệu ngày 30/12/2023 đã quá 12 tháng") {
		t.Errorf("stale explanation %q", r.Explanation)
	}
	r = want(t, rs, "06523-001/V3_WIFI", ntm.StatusNoData, "")
	if r.Explanation != "Chưa có phiếu tự đánh giá của thôn" {
		t.Errorf("missing explanation %q", r.Explanation)
	}
}

func TestLatestSurveyWinsAndFutureSurveysWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b1 := f.batch(ntm.DatasetVillageSurvey)
	b2 := f.batch(ntm.DatasetVillageSurvey)
	f.survey(b1, "06463-001", d("2024-10-01"), surveyFact{wifi: no()})
	// Same as_of in a newer batch: the newer batch wins.
	f.survey(b1, "06463-002", d("2024-10-01"), surveyFact{wifi: no()})
	f.survey(b2, "06463-002", d("2024-10-01"), surveyFact{wifi: yes()})
	// Newer as_of in an older batch wins over an older as_of in a newer batch.
	f.survey(b2, "06463-001", d("2024-09-01"), surveyFact{wifi: yes()})
	// A survey dated after the period end does not count for the period.
	f.survey(b2, "06523-001", d("2025-01-05"), surveyFact{wifi: yes()})
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V3_WIFI", ntm.StatusNotMet, "0")
	want(t, rs, "06463-002/V3_WIFI", ntm.StatusMet, "1")
	want(t, rs, "06523-001/V3_WIFI", ntm.StatusNoData, "")
}

func TestRevokedBatchStopsCounting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	old := f.batch(ntm.DatasetVillageSurvey)
	f.survey(old, "06463-001", d("2024-01-31"), surveyFact{wifi: no()})
	bad := f.batch(ntm.DatasetVillageSurvey)
	f.survey(bad, "06463-001", d("2024-11-30"), surveyFact{wifi: yes()})
	rejected := f.batchWith(ntm.DatasetVillageSurvey, "rejected", nil)
	f.survey(rejected, "06463-002", d("2024-11-30"), surveyFact{wifi: yes()})
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V3_WIFI", ntm.StatusMet, "1")
	want(t, rs, "06463-002/V3_WIFI", ntm.StatusNoData, "")

	f.revoke(bad)
	rs = f.evaluate("2024-12")
	want(t, rs, "06463-001/V3_WIFI", ntm.StatusNotMet, "0")
}

func TestAddressCoverage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	f.unit("06523-002", ntm.LevelVillage, "Thôn Cây Hồng", "06523")
	f.unit("06523-003", ntm.LevelVillage, "Thôn Đồng Lầy", "06523")
	b := f.batch(ntm.DatasetVpostcode)
	f.address(b, "06463-001", d("2024-12-15"), 250, 245, 12, 12)
	f.address(b, "06463-002", d("2024-12-15"), 80, 80, 0, 0) // no organisations: that half holds
	f.address(b, "06523-001", d("2024-12-15"), 100, 100, 10, 7)
	f.address(b, "06523-002", d("2023-10-15"), 100, 100, 1, 1) // stale
	rs := f.evaluate("2024-12")

	r := want(t, rs, "06463-001/V4_ADDRESS", ntm.StatusNotMet, "0.98")
	if r.Explanation != "245/250 hộ đã gắn địa chỉ số; còn thiếu 5; 12/12 cơ quan, tổ chức" {
		t.Errorf("explanation %q", r.Explanation)
	}
	r = want(t, rs, "06463-002/V4_ADDRESS", ntm.StatusMet, "1")
	if r.Explanation != "80/80 hộ đã gắn địa chỉ số; không có cơ quan, tổ chức" {
		t.Errorf("explanation %q", r.Explanation)
	}
	// The value is the lower of the two ratios: 7/10 organisations.
	want(t, rs, "06523-001/V4_ADDRESS", ntm.StatusNotMet, "0.7")
	r = want(t, rs, "06523-002/V4_ADDRESS", ntm.StatusNoData, "")
	if !strings.HasPrefix(r.Explanation, "Số liệu ngày 15/10/2023 đã quá 12 tháng") {
		t.Errorf("stale explanation %q", r.Explanation)
	}
	want(t, rs, "06523-003/V4_ADDRESS", ntm.StatusNoData, "")
}

func TestOCOPListings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	f.unit("06529", ntm.LevelCommune, "Xã Quang Lang", "187")
	f.unit("06529-001", ntm.LevelVillage, "Thôn Quang Hòa", "06529")
	pb := f.batch(ntm.DatasetOCOPProducts)
	cert := d("2023-03-01")
	// Đồng Mỏ: two valid products; one listed by code, one listed by name + owner.
	f.product(pb, productFact{code: "LS-01", name: "Na Chi Lăng", owner: "HTX Na", commune: "06463", certified: &cert})
	f.product(pb, productFact{name: "Miến dong", owner: "HTX Miến", commune: "06463", certified: &cert})
	// Chi Lăng: one valid product without any active listing, one expired by the default 36 months.
	f.product(pb, productFact{name: "Mật ong bạc hà", owner: "Hộ Lý", commune: "06523", certified: &cert})
	old := d("2021-06-01")
	f.product(pb, productFact{name: "Rượu men lá", owner: "Hộ Vy", commune: "06523", certified: &old})
	// Quang Lang: only a product whose given expiry has passed → no valid products → met.
	exp := d("2024-11-30")
	f.product(pb, productFact{name: "Trám đen", owner: "HTX Trám", commune: "06529", certified: &cert, expires: &exp})

	lb := f.batch(ntm.DatasetOCOPListings)
	f.listing(lb, listingFact{code: "LS-01", name: "Tên khác", platform: "postmart", active: true})
	f.listing(lb, listingFact{name: "Miến dong", owner: "", platform: "shopee", active: true})
	f.listing(lb, listingFact{name: "Mật ong bạc hà", owner: "Hộ Lý", platform: "voso", active: true})
	f.listing(lb, listingFact{name: "Rượu men lá", owner: "Hộ Vy", platform: "voso", active: true})
	// The newest row for (Mật ong, voso) says it was taken down.
	lb2 := f.batch(ntm.DatasetOCOPListings)
	f.listing(lb2, listingFact{name: "Mật ong bạc hà", owner: "Hộ Lý", platform: "voso", active: false})
	// A listing of another owner's product of the same name does not count.
	f.listing(lb2, listingFact{name: "Mật ong bạc hà", owner: "Hộ Khác", platform: "shopee", active: true})
	// A listing dated after the period end does not count yet.
	later := d("2025-02-01")
	f.listing(lb2, listingFact{name: "Mật ong bạc hà", owner: "Hộ Lý", platform: "tiki", active: true, listed: &later})

	rs := f.evaluate("2024-12")
	r := want(t, rs, "06463-001/V5_OCOP", ntm.StatusMet, "1")
	want(t, rs, "06463-002/V5_OCOP", ntm.StatusMet, "1")
	if r.Detail["valid"] != float64(2) || r.Detail["listed"] != float64(2) {
		t.Errorf("detail %v", r.Detail)
	}
	r = want(t, rs, "06523-001/V5_OCOP", ntm.StatusNotMet, "0")
	if r.Explanation != "0/1 sản phẩm OCOP còn hiệu lực của xã đã lên sàn TMĐT; chưa lên sàn: Mật ong bạc hà" {
		t.Errorf("explanation %q", r.Explanation)
	}
	r = want(t, rs, "06529-001/V5_OCOP", ntm.StatusMet, "")
	if !strings.HasPrefix(r.Explanation, "Xã không có sản phẩm OCOP còn hiệu lực") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// A certificate of 01/06/2021 still holds at the end of 05/2024 (expires 01/06/2024).
	rs = f.evaluate("2024-05")
	want(t, rs, "06523-001/V5_OCOP", ntm.StatusNotMet, "0.5")
}

func TestOCOPWithoutAnyProductListIsNoData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	rs := f.evaluate("2024-12")
	r := want(t, rs, "06463-001/V5_OCOP", ntm.StatusNoData, "")
	if r.Explanation != "Chưa có danh sách sản phẩm OCOP" {
		t.Errorf("explanation %q", r.Explanation)
	}
	// A list loaded but revoked is no list either.
	b := f.batch(ntm.DatasetOCOPProducts)
	f.product(b, productFact{name: "Na", owner: "HTX", commune: "06463"})
	f.revoke(b)
	rs = f.evaluate("2024-12")
	want(t, rs, "06463-001/V5_OCOP", ntm.StatusNoData, "")
	// An empty list that loaded means the locality has no products: met.
	f.batch(ntm.DatasetOCOPProducts)
	rs = f.evaluate("2024-12")
	want(t, rs, "06463-001/V5_OCOP", ntm.StatusMet, "")
}

func TestOCOPVillageLocality(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	f.importSet(builtinWith(t, "ocop_locality: commune", "ocop_locality: village"))
	pb := f.batch(ntm.DatasetOCOPProducts)
	f.product(pb, productFact{name: "Na", owner: "HTX", commune: "06463", village: "06463-001"})
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/V5_OCOP", ntm.StatusNotMet, "0")
	r := want(t, rs, "06463-002/V5_OCOP", ntm.StatusMet, "")
	if !strings.HasPrefix(r.Explanation, "Thôn không có") {
		t.Errorf("explanation %q", r.Explanation)
	}
}

func TestSmartVillage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	sb := f.batch(ntm.DatasetVillageSurvey)
	ab := f.batch(ntm.DatasetVpostcode)
	f.batch(ntm.DatasetOCOPProducts) // an empty product list: every V5 met
	f.survey(sb, "06463-001", d("2024-12-01"), allYes)
	f.address(ab, "06463-001", d("2024-12-01"), 10, 10, 0, 0)
	f.survey(sb, "06463-002", d("2024-12-01"), allYes)
	f.address(ab, "06463-002", d("2024-12-01"), 10, 9, 0, 0)
	f.survey(sb, "06523-001", d("2024-12-01"), allYes) // no address data
	rs := f.evaluate("2024-12")
	want(t, rs, "06463-001/SMART_VILLAGE", ntm.StatusMet, "6")
	r := want(t, rs, "06463-002/SMART_VILLAGE", ntm.StatusNotMet, "5")
	if r.Explanation != "Đạt 5/6 điều kiện; chưa đạt: địa chỉ số" || r.Threshold != Count(6) {
		t.Errorf("explanation %q threshold %v", r.Explanation, r.Threshold)
	}
	r = want(t, rs, "06523-001/SMART_VILLAGE", ntm.StatusNoData, "5")
	if r.Explanation != "Đạt 5/6 điều kiện; chưa có số liệu: địa chỉ số" {
		t.Errorf("explanation %q", r.Explanation)
	}
}
