package transform

import (
	"strings"
	"testing"

	"ntm"
	"ntm/ingest"
)

// FuzzRowParsers feeds arbitrary cells to the vpostcode and OCOP product row parsers: they
// must accept or reject, never panic, and an accepted row must satisfy the reject rules.
func FuzzRowParsers(f *testing.F) {
	f.Add("Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "1.234", "1234", "", "", "30/11/2024", "4 sao")
	f.Add("", "Chi Lăng", "", "-1", "x", "3", "4", "45626", "★★★")
	f.Add("I. H. Bắc Sơn", "X.Long Đống", "Bản Chắt", "1e3", "999,0", "0", "0", "2024-11-30T00:00", "6")
	f.Add("\u00a0", "Xa\u0303 Va\u0302n An", "Thôn Hoà Bình", "9999999999999", "0", "", "", "", "")
	vp, _ := DetectDataset(vpCols, SpecsFor(ntm.DatasetVpostcode))
	ocopCols := []string{"Huyện", "Xã", "Thôn", "Tên sản phẩm", "Chủ thể", "Hạng sao", "Quyết định công nhận", "Ngày công nhận", "Postmart"}
	oc, _ := DetectDataset(ocopCols, SpecsFor(ntm.DatasetOCOPProducts))
	idx := fixtureIndex()
	f.Fuzz(func(t *testing.T, district, commune, village, total, with, orgs, orgsWith, date, stars string) {
		tc := &tableCtx{table: &ingest.Table{Sheet: "S"}, match: vp, spec: vp.Spec, refDate: day(2024, 11, 30)}
		p := &rowParser{tc: tc, row: ingest.Row{Sheet: "S", Num: 3, Cells: []string{district, commune, village, total, with, orgs, orgsWith, date},
			Groups: []string{village}}, idx: idx, unitDate: tc.refDate}
		res, rerr := parseVpostcode(p)
		if rerr == nil {
			v := res.facts[0].vals
			if v[5].(int64) > v[4].(int64) || v[7].(int64) > v[6].(int64) || v[4].(int64) < 0 {
				t.Fatalf("accepted inconsistent counts %v", v)
			}
		} else if strings.TrimSpace(rerr.reason) == "" {
			t.Fatal("reject without a reason")
		}
		tc2 := &tableCtx{table: &ingest.Table{Sheet: "S"}, match: oc, spec: oc.Spec, refDate: day(2024, 11, 30)}
		p2 := &rowParser{tc: tc2, row: ingest.Row{Sheet: "S", Num: 3, Cells: []string{district, commune, village, total, with, stars, orgs, date, orgsWith}},
			idx: idx, unitDate: tc2.refDate}
		res, rerr = parseOCOPProduct(p2)
		if rerr == nil {
			if s := res.facts[0].vals[6].(int16); s < 3 || s > 5 {
				t.Fatalf("accepted %d stars", s)
			}
		}
	})
}
