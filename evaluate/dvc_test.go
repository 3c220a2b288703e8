package evaluate

import (
	"strings"
	"testing"

	"ntm"
)

func TestProcedures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetDVCProcedures)
	f.procedures(b, "187", d("2024-12-01"), 100, 60, 40)
	f.procedures(b, "06463", d("2024-12-01"), 50, 20, 30)
	f.procedures(b, "06523", d("2024-12-01"), 50, 20, 29)
	rs := f.evaluate("2024-12")
	// 199/200 is not 100%.
	r := want(t, rs, "187/D95_PROCEDURES", ntm.StatusNotMet, "0.995")
	if r.Explanation != "199/200 TTHC đủ điều kiện đã cung cấp DVCTT (99,5%; toàn trình 100, một phần 99); còn thiếu 1; gồm 3 đơn vị" {
		t.Errorf("explanation %q", r.Explanation)
	}
	// The same ratio per commune, for information.
	r = want(t, rs, "06463/D95_PROCEDURES", ntm.StatusMet, "1")
	if r.Detail["informational"] != true || r.Level != ntm.LevelCommune {
		t.Errorf("commune row %+v", r)
	}
	want(t, rs, "06523/D95_PROCEDURES", ntm.StatusNotMet, "0.98")
	if _, ok := rs["06463/D95"]; ok {
		t.Error("D95 itself is decided for districts only")
	}

	b2 := f.batch(ntm.DatasetDVCProcedures)
	f.procedures(b2, "06523", d("2024-12-20"), 50, 21, 29)
	rs = f.evaluate("2024-12")
	want(t, rs, "187/D95_PROCEDURES", ntm.StatusMet, "1")
}

func TestProceduresMissingStaleAndZero(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetDVCProcedures)
	f.procedures(b, "187", d("2024-12-01"), 100, 100, 0)
	f.procedures(b, "06463", d("2023-06-30"), 50, 50, 0) // stale
	rs := f.evaluate("2024-12")
	r := want(t, rs, "187/D95_PROCEDURES", ntm.StatusNoData, "")
	if r.Explanation != "Thiếu số liệu TTHC của 2/3 đơn vị: Thị trấn Đồng Mỏ (số liệu ngày 30/06/2023 đã quá 12 tháng), Xã Chi Lăng" {
		t.Errorf("explanation %q", r.Explanation)
	}
	r = want(t, rs, "06523/D95_PROCEDURES", ntm.StatusNoData, "")
	if r.Explanation != "Tham khảo: Chưa có số liệu TTHC" {
		t.Errorf("explanation %q", r.Explanation)
	}
	f.procedures(b, "06463", d("2024-12-01"), 0, 0, 0)
	f.procedures(b, "06523", d("2024-12-01"), 0, 0, 0)
	rs = f.evaluate("2024-12")
	want(t, rs, "187/D95_PROCEDURES", ntm.StatusMet, "1")
	r = want(t, rs, "06523/D95_PROCEDURES", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "bằng 0") {
		t.Errorf("explanation %q", r.Explanation)
	}
}

func TestDossierThresholdInIntegers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b := f.batch(ntm.DatasetDVCDossiers)
	// 6999/10000 = 69.99%: not met.
	f.dossiers(b, "187", d("2024-01-01"), d("2024-12-31"), 10000, 6999)
	// 7/10: exactly 70%, met.
	f.dossiers(b, "06463", d("2024-01-01"), d("2024-12-31"), 10, 7)
	f.dossiers(b, "06523", d("2024-01-01"), d("2024-12-31"), 0, 0)
	rs := f.evaluate("2024-12")
	r := want(t, rs, "187/D95_DOSSIERS", ntm.StatusNotMet, "0.6999") // (6999+7+0)/(10000+10+0)
	if r.Explanation != "7.006/10.010 hồ sơ xử lý trực tuyến toàn trình (69,9%) từ 01/01/2024 đến 31/12/2024; số liệu phủ đủ kỳ" {
		t.Errorf("explanation %q", r.Explanation)
	}
	r = want(t, rs, "06463/D95_DOSSIERS", ntm.StatusMet, "0.7")
	if r.Explanation != "Tham khảo: 7/10 hồ sơ xử lý trực tuyến toàn trình (70%) từ 01/01/2024 đến 31/12/2024; đã dùng: Năm 2024; phủ đủ kỳ" {
		t.Errorf("explanation %q", r.Explanation)
	}
	if r.Threshold != Frac(7, 10) {
		t.Errorf("threshold %v", r.Threshold)
	}
	// No dossiers at all in the window: no ratio, no data.
	r = want(t, rs, "06523/D95_DOSSIERS", ntm.StatusNoData, "")
	if !strings.HasPrefix(r.Explanation, "Tham khảo: Không có hồ sơ tiếp nhận") {
		t.Errorf("explanation %q", r.Explanation)
	}

	f2 := newFixture(t)
	f2.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	f2.unit("06463", ntm.LevelCommune, "Xã Đồng Mỏ", "20")
	b = f2.batch(ntm.DatasetDVCDossiers)
	f2.dossiers(b, "06463", d("2024-01-01"), d("2024-12-31"), 10000, 6999)
	rs = f2.evaluate("2024-12")
	want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.6999")
	f2.dossiers(f2.batch(ntm.DatasetDVCDossiers), "06463", d("2024-01-01"), d("2024-12-31"), 10000, 7000)
	rs = f2.evaluate("2024-12")
	want(t, rs, "06463/D95_DOSSIERS", ntm.StatusMet, "0.7")
}

func TestDossierPeriodsLongestFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	b1 := f.batch(ntm.DatasetDVCDossiers)
	b2 := f.batch(ntm.DatasetDVCDossiers)
	// Đồng Mỏ: the year label, a quarter inside it and a month: only the year counts.
	f.dossiers(b1, "06463", d("2024-01-01"), d("2024-12-31"), 1200, 900)
	f.dossiers(b1, "06463", d("2024-04-01"), d("2024-06-30"), 300, 100)
	f.dossiers(b1, "06463", d("2024-05-01"), d("2024-05-31"), 100, 10)
	// Chi Lăng for 05/2024: Q1 + April; May missing; the older batch's identical Q1 loses;
	// a period ending after the window is ignored.
	f.dossiers(b1, "06523", d("2024-01-01"), d("2024-03-31"), 999, 0)
	f.dossiers(b2, "06523", d("2024-01-01"), d("2024-03-31"), 300, 240)
	f.dossiers(b1, "06523", d("2024-04-01"), d("2024-04-30"), 100, 80)
	f.dossiers(b1, "06523", d("2024-04-01"), d("2024-06-30"), 500, 0)
	f.dossiers(b1, "06523", d("2024-03-01"), d("2024-03-31"), 50, 0) // inside Q1: skipped
	rs := f.evaluate("2024-12")
	r := want(t, rs, "06463/D95_DOSSIERS", ntm.StatusMet, "0.75")
	if !strings.HasSuffix(r.Explanation, "đã dùng: Năm 2024; phủ đủ kỳ") {
		t.Errorf("explanation %q", r.Explanation)
	}

	rs = f.evaluate("2024-05")
	r = want(t, rs, "06523/D95_DOSSIERS", ntm.StatusMet, "0.8")
	if r.Explanation != "Tham khảo: 320/400 hồ sơ xử lý trực tuyến toàn trình (80%) từ 01/01/2024 đến 31/05/2024; đã dùng: Quý I/2024, Tháng 4/2024; còn thiếu 01/05–31/05" {
		t.Errorf("explanation %q", r.Explanation)
	}
	units := r.Detail["units"].([]any)
	u := units[0].(map[string]any)
	if u["covers_window"] != false || r.Detail["covers_window"] != false {
		t.Errorf("detail %v", r.Detail)
	}
	// For May the year row lies outside the window; Đồng Mỏ has only May inside it (Q2 ends after May).
	r = want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.1")
	if !strings.HasSuffix(r.Explanation, "đã dùng: Tháng 5/2024; còn thiếu 01/01–30/04") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// The district has data for its communes but none of its own: no data, naming it.
	r = want(t, rs, "187/D95_DOSSIERS", ntm.StatusNoData, "")
	if !strings.Contains(r.Explanation, "Thiếu số liệu hồ sơ từ 01/01/2024 đến 31/05/2024 của 1/3 đơn vị: Huyện Chi Lăng") {
		t.Errorf("explanation %q", r.Explanation)
	}
}

func TestDossierRecordsPreferredOverAggregates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	ab := f.batch(ntm.DatasetDVCDossiers)
	f.dossiers(ab, "06463", d("2024-01-01"), d("2024-06-30"), 100, 0)
	f.dossiers(ab, "06523", d("2024-01-01"), d("2024-06-30"), 10, 10)
	f.dossiers(ab, "187", d("2024-01-01"), d("2024-06-30"), 10, 10)
	rb := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(rb, "H1", "06463", d("2024-02-01"), "online", true)
	f.record(rb, "H2", "06463", d("2024-03-01"), "online", true)
	f.record(rb, "H3", "06463", d("2024-03-02"), "in_person", true) // full-process but not online
	f.record(rb, "H4", "06463", d("2024-03-03"), "online", false)
	f.record(rb, "H5", "06463", d("2023-12-31"), "online", true) // before the window
	rb2 := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(rb2, "H1", "06463", d("2024-02-01"), "online", true) // the same dossier again: counts once
	rs := f.evaluate("2024-06")
	r := want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.5")
	if !strings.HasSuffix(r.Explanation, "theo 4 hồ sơ chi tiết (tiếp nhận 01/02–03/03)") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// District: 2 + 10 + 10 of 4 + 10 + 10.
	want(t, rs, "187/D95_DOSSIERS", ntm.StatusMet, "0.916666")
	// Without procedure data the indicator stays undecided.
	want(t, rs, "187/D95", ntm.StatusNoData, "1")
}

// A corrected record counts where its newest batch puts it: a dossier whose receipt date a later
// batch moved out of the window no longer counts in it, and one moved into the window does.
func TestDossierRecordNewestBatchBeforeWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	rb := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(rb, "H1", "06463", d("2024-02-01"), "online", true)
	f.record(rb, "H2", "06463", d("2024-03-01"), "online", true)
	f.record(rb, "H3", "06463", d("2024-03-02"), "in_person", true)
	f.record(rb, "H4", "06463", d("2024-03-03"), "online", false)
	f.record(rb, "H6", "06463", d("2023-12-30"), "online", true)
	fix := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(fix, "H2", "06463", d("2024-07-15"), "online", true) // moved out of January–June
	f.record(fix, "H6", "06463", d("2024-04-01"), "online", true) // moved into it
	rs := f.evaluate("2024-06")
	// H1, H3, H4 and H6: 2 of 4 (counting batch 1's H2 too would make 3 of 5).
	r := want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.5")
	if !strings.Contains(r.Explanation, "theo 4 hồ sơ chi tiết") {
		t.Errorf("explanation %q", r.Explanation)
	}
	// In July's window (January–July) H2 counts again, once.
	rs = f.evaluate("2024-07")
	want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0.6")
}

func TestD95(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	pb := f.batch(ntm.DatasetDVCProcedures)
	db := f.batch(ntm.DatasetDVCDossiers)
	for _, u := range []string{"187", "06463", "06523"} {
		f.procedures(pb, u, d("2024-12-01"), 10, 5, 5)
		f.dossiers(db, u, d("2024-01-01"), d("2024-12-31"), 10, 8)
	}
	rs := f.evaluate("2024-12")
	r := want(t, rs, "187/D95", ntm.StatusMet, "2")
	if r.Threshold != Count(2) || r.Explanation != "Đạt 2/2 tỷ lệ" {
		t.Errorf("D95 %+v", r)
	}
	f.dossiers(f.batch(ntm.DatasetDVCDossiers), "06523", d("2024-01-01"), d("2024-12-31"), 100, 0)
	rs = f.evaluate("2024-12")
	r = want(t, rs, "187/D95", ntm.StatusNotMet, "1")
	if r.Explanation != "Đạt 1/2 tỷ lệ; chưa đạt: tỷ lệ hồ sơ trực tuyến toàn trình" {
		t.Errorf("explanation %q", r.Explanation)
	}
	f.procedures(f.batch(ntm.DatasetDVCProcedures), "06523", d("2023-01-01"), 10, 10, 0) // older: no effect
	rs = f.evaluate("2024-12")
	want(t, rs, "187/D95", ntm.StatusNotMet, "1")
}

func TestNoDistrictLevel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// The structure since 1/7/2025: province → commune → village.
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	f.unit("06040", ntm.LevelCommune, "Xã Thất Khê", "20")
	f.unit("06040-001", ntm.LevelVillage, "Thôn Nà Cạn", "06040")
	f.procedures(f.batch(ntm.DatasetDVCProcedures), "06040", d("2025-09-30"), 200, 150, 50)
	f.dossiers(f.batch(ntm.DatasetDVCDossiers), "06040", d("2025-07-01"), d("2025-09-30"), 100, 90)
	rs := f.evaluate("2025-09")
	r := want(t, rs, "06040/D95_PROCEDURES", ntm.StatusMet, "1")
	if _, info := r.Detail["informational"]; info {
		t.Error("a commune directly under the province decides 9.5 itself")
	}
	r = want(t, rs, "06040/D95_DOSSIERS", ntm.StatusMet, "0.9")
	if !strings.HasSuffix(r.Explanation, "đã dùng: Quý III/2025; còn thiếu 01/01–30/06") {
		t.Errorf("explanation %q", r.Explanation)
	}
	want(t, rs, "06040/D95", ntm.StatusMet, "2")
	r = want(t, rs, "20/D95", ntm.StatusMet, "1")
	if r.Threshold != Count(1) || !strings.HasPrefix(r.Explanation, "1/1 xã đạt") {
		t.Errorf("province row %+v", r)
	}
	if rs["06040-001/V1_TEAM"].DistrictCode != "" {
		t.Error("no district level: no district code")
	}
}
