package sample

import (
	"fmt"

	"ntm"
)

// Tiny writes a very small sample for tests of other packages and the CLI. Its content does not
// depend on Options.Seed (a fixed seed is used). It is designed for period 2024-12 (dates are set
// relative to Options.Period, so another period gives the same statuses).
//
// Units (don-vi-hanh-chinh.csv): Tỉnh Lạng Sơn (20) › Huyện Chi Lăng (187) › three communes, 10 villages.
//
// Files, in load order: don-vi-hanh-chinh.csv (units), vpostcode-2023-05.xlsx (old coverage, as of
// 31/05/2023 in a Ngày số liệu column: stale), vpostcode-2024-11.xlsx (as of 30/11/2024 in the title),
// khao-sat-thon-thong-minh-chi-lang.xlsx (survey, a Ngày số liệu column per row), ocop-san-pham-2024.xlsx
// (products with platform columns), ocop-gian-hang-tmdt-2024.xlsx (listings), dvc-tthc-2024.xlsx
// (procedures, as of 30/11/2024 in the title), dvc-ho-so-2024.xlsx (dossiers by quarter).
//
// Designed statuses at 2024-12 (V1 V2 V3 V4 V5 V6 → SMART_VILLAGE):
//
//	Thị trấn Đồng Mỏ 06463 — OCOP: "Na Đồng Mỏ" valid, marked on Postmart → V5 met. No C8 (a thị trấn: criterion 8 concerns xã only).
//	  06463-001 Tổ dân phố 1   met met met met met met → met (150/150 hộ, 12/12 tổ chức, 2 models)
//	  06463-002 Tổ dân phố 2   met met met NOT met met → not_met (176/180 hộ)
//	  06463-003 Tổ dân phố 3   met met no_data(WiFi blank) met(95/95 hộ, no organisations) met met → no_data
//	Xã Chi Lăng 06523 — OCOP: "Na Chi Lăng Đồng Bành" valid, only a stopped Shopee listing (Ngừng bán)
//	  → V5 not_met; "Hoa hồi khô" expired (certified 45 months before the period end), unlisted, not counted;
//	  "Mật ong Chi Lăng" valid, on Voso (Đang bán, listings file). C8 not_met.
//	  06523-001 Thôn Đồng Bành met met met met NOT met → not_met (only V5 fails)
//	  06523-002 Thôn Nà Lìa    NOT(Không) met NOT(Không) no_data NOT met → not_met; its fresh vpostcode row
//	                           has more households with address than households (planted reject), so only
//	                           the stale 2023 row remains → V4 no_data
//	  06523-003 Bản Chắt       survey row misspelt "Bản Chắắt" (planted reject) → V1 V2 V3 V6 no_data;
//	                           V4 met; V5 not met → not_met
//	  06523-004 Thôn Pò Mè     met NOT(Không) met no_data(only the stale 2023 vpostcode row) NOT 0 models → not_met
//	Xã Vạn Linh 06505 — no OCOP products → V5 met. C8 no_data.
//	  06505-001 Thôn Khòn Phổ  met met met met met NOT(0 models) → not_met
//	  06505-002 Thôn Pò Lạn    met met met no_data(in no vpostcode export) met met → no_data
//	  06505-003 Thôn Đồng Tâm  survey dated 19 months before the period end → V1 V2 V3 V6 no_data; V4 met → no_data
//
// District 187: D95_PROCEDURES met (600/600: every unit offers all eligible procedures online),
// D95_DOSSIERS not_met (2636/4578 = 57.5% fully online; quarters I–IV, one commune by month), D95 not_met.
// Manifest.Expected lists all of the above (70 village, 2 commune and 3 district expectations).
// V5_OCOP no_data needs no OCOP list at all: load the manifest without its ocop_* files, and then every
// village's V5 is no_data and SMART_VILLAGE met turns into no_data (06463-001), the rest unchanged.
//
// Planted row rejects: the vpostcode row of 06523-002 (with address > total) and the survey row of
// 06523-003 (misspelt village name); one per file, well under 20%.
func Tiny(opts Options) (Manifest, error) {
	if err := opts.check(); err != nil {
		return Manifest{}, err
	}
	all, err := langSonUnits()
	if err != nil {
		return Manifest{}, err
	}
	src := all.districtByCode("187")
	if src == nil {
		return Manifest{}, fmt.Errorf("sample: the embedded unit list has no Huyện Chi Lăng")
	}
	d := &district{Code: src.Code, Name: src.Name, Kind: src.Kind}
	ul := &unitList{ProvinceCode: all.ProvinceCode, ProvinceName: all.ProvinceName, Districts: []*district{d}}
	for _, code := range []string{"06463", "06523", "06505"} {
		c := all.communeByCode(code)
		if c == nil {
			return Manifest{}, fmt.Errorf("sample: the embedded unit list has no commune %s", code)
		}
		d.Communes = append(d.Communes, &commune{Code: c.Code, Name: c.Name, Kind: c.Kind, District: d})
	}
	p := buildTinyPlan(ul, opts.period())
	return p.write(opts.Dir)
}

func buildTinyPlan(ul *unitList, per ntm.Period) *plan {
	const seed = 1
	p := &plan{units: ul, period: per, seed: seed, tiny: true}
	p.surveyFiles = []surveyFile{{Name: "khao-sat-thon-thong-minh-chi-lang.xlsx", Districts: []string{"187"}, Format: "xlsx-rowdate", ModelList: true}}
	dongMo, chiLang, vanLinh := ul.Districts[0].Communes[0], ul.Districts[0].Communes[1], ul.Districts[0].Communes[2]
	end := p.end()
	fa := p.freshAsOf()

	type spec struct {
		c                    *commune
		name, kind           string
		team, platform, wifi tri
		models               int
		survey               dataState
		addr                 dataState
		now                  addrCounts
		reject               string // "misspelt" (survey) or "gt" (vpostcode)
	}
	all := []tri{yes, yes, yes}
	specs := []spec{
		{dongMo, "Tổ dân phố 1", "Tổ dân phố", all[0], all[1], all[2], 2, fresh, fresh, addrCounts{150, 150, 12, 12}, ""},
		{dongMo, "Tổ dân phố 2", "Tổ dân phố", yes, yes, yes, 1, fresh, fresh, addrCounts{180, 176, 9, 9}, ""},
		{dongMo, "Tổ dân phố 3", "Tổ dân phố", yes, yes, blank, 1, fresh, fresh, addrCounts{95, 95, 0, 0}, ""},
		{chiLang, "Thôn Đồng Bành", "Thôn", yes, yes, yes, 3, fresh, fresh, addrCounts{120, 120, 3, 3}, ""},
		{chiLang, "Thôn Nà Lìa", "Thôn", no, yes, no, 1, fresh, rejected, addrCounts{88, 80, 1, 1}, "gt"},
		{chiLang, "Bản Chắt", "Thôn", yes, yes, yes, 1, rejected, fresh, addrCounts{64, 64, 0, 0}, "misspelt"},
		{chiLang, "Thôn Pò Mè", "Thôn", yes, no, yes, 0, fresh, stale, addrCounts{71, 71, 2, 2}, ""},
		{vanLinh, "Thôn Khòn Phổ", "Thôn", yes, yes, yes, 0, fresh, fresh, addrCounts{102, 102, 4, 4}, ""},
		{vanLinh, "Thôn Pò Lạn", "Thôn", yes, yes, yes, 2, fresh, missing, addrCounts{77, 77, 1, 1}, ""},
		{vanLinh, "Thôn Đồng Tâm", "Thôn", yes, yes, yes, 1, stale, fresh, addrCounts{133, 133, 5, 5}, ""},
	}
	for i, s := range specs {
		v := &village{Code: fmt.Sprintf("%s-%03d", s.c.Code, len(s.c.Villages)+1), Name: s.name, Kind: s.kind, Commune: s.c, note: "Tiny: see the Tiny doc comment"}
		sv := &v.Survey
		sv.State, sv.Team, sv.Platform, sv.WiFi, sv.Models = s.survey, s.team, s.platform, s.wifi, s.models
		sv.AsOf = fa.AddDate(0, 0, -3*i)
		if s.survey == stale {
			sv.AsOf = p.staleAsOf().AddDate(0, 0, -20)
		}
		sv.GroupNm = "Zalo " + s.name
		sv.TeamDecision = fmt.Sprintf("%d/QĐ-UBND", 101+i)
		for j := 0; j < s.models; j++ {
			sv.Fields = append(sv.Fields, modelCatalog[(i+j)%len(modelCatalog)])
		}
		if s.reject == "misspelt" {
			sv.Reject = s.reject
		}
		v.Addr.State, v.Addr.Now = s.addr, s.now
		if s.reject == "gt" {
			v.Addr.Reject = s.reject
		}
		if s.addr != missing {
			old := s.now
			old.HHWith = old.HH * 3 / 4
			v.Addr.Old = &old
		}
		s.c.Villages = append(s.c.Villages, v)
	}

	listed := func(pf string, inFile, active bool, monthsAgo int) *listing {
		return &listing{Platform: pf, InProductFile: inFile, URL: "x", Listed: end.AddDate(0, -monthsAgo, 0), Active: active}
	}
	dongMo.Products = []*product{{Name: "Na Đồng Mỏ", Category: "Thực phẩm", Owner: "HTX Dịch vụ Nông nghiệp Đồng Mỏ", Stars: 4, Commune: dongMo,
		DecisionNo: "1520/QĐ-UBND", Certified: end.AddDate(0, -21, -21), starsText: "%d sao", Listings: []*listing{listed("Postmart", true, true, 12)}}}
	shopee := listed("Shopee", false, false, 14)
	shopee.URL = "https://shopee.vn/na-chi-lang-dong-banh-i.5521.883410"
	voso := listed("Voso", false, true, 5)
	voso.URL = "https://voso.vn/mat-ong-chi-lang-p712093"
	chiLang.Products = []*product{
		{Name: "Na Chi Lăng Đồng Bành", Category: "Thực phẩm", Owner: "Hợp tác xã Dịch vụ và Sản xuất nông nghiệp Đồng Bành", Stars: 4, Commune: chiLang,
			DecisionNo: "2345/QĐ-UBND", Certified: end.AddDate(0, -24, -24), Real: true, starsText: "%d★", dateAsCell: true, Listings: []*listing{shopee}},
		{Name: "Hoa hồi khô", Category: "Thực phẩm", Owner: "HTX Hồi Chi Lăng", Stars: 4, Commune: chiLang,
			DecisionNo: "1012/QĐ-UBND", Certified: end.AddDate(0, -45, 0), Real: true, starsText: "%d", expiryColumn: true},
		{Name: "Mật ong Chi Lăng", Category: "Thực phẩm", Owner: "Hộ kinh doanh Hoàng Văn Thắng", Stars: 3, Commune: chiLang,
			DecisionNo: "987/QĐ-UBND", Certified: end.AddDate(0, -7, -11), starsText: "%d sao", Listings: []*listing{voso}},
	}
	dongMo.ocopPlan, chiLang.ocopPlan, vanLinh.ocopPlan = ocopListed, ocopUnlisted, ocopNone

	p.makeDVC(rng(seed, 5), []dvcDesign{{Code: "187", Proc: "ok", Doss: "ok", Target: 62, Scheme: "quarters"}})
	return p
}
