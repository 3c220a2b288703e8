package sample

import (
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"ntm"
)

// This file reads the generated exports back with a deliberately simple, independent reader and
// recomputes the village and district statuses, to check that the files say what Manifest.Expected
// claims (a writer bug would otherwise only show up in the lead's end-to-end tests).

var newTone = strings.NewReplacer(
	"oà", "òa", "oá", "óa", "oả", "ỏa", "oã", "õa", "oạ", "ọa", "oè", "òe", "oé", "óe", "oẹ", "ọe",
	"uỳ", "ùy", "uý", "úy", "uỷ", "ủy", "uỹ", "ũy", "uỵ", "ụy",
)

func foldT(s string) string {
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return newTone.Replace(s)
}

var kindPrefixes = []struct{ p, kind string }{
	{"ubnd ", ""}, {"thị trấn ", "thị trấn"}, {"tt. ", "thị trấn"}, {"xã ", "xã"}, {"x. ", "xã"}, {"phường ", "phường"}, {"p. ", "phường"},
	{"huyện ", "huyện"}, {"h. ", "huyện"}, {"thành phố ", "thành phố"}, {"tp. ", "thành phố"},
	{"thôn ", "thôn"}, {"tổ dân phố ", "tdp"}, {"tdp ", "tdp"}, {"khối ", "khối"},
}

func splitKind(s string) (kind, bare string) {
	s = foldT(s)
	for again := true; again; {
		again = false
		for _, kp := range kindPrefixes {
			if strings.HasPrefix(s, kp.p) {
				s = strings.TrimPrefix(s, kp.p)
				if kp.kind != "" {
					kind = kp.kind
				}
				again = true
			}
		}
	}
	return kind, s
}

type resolver struct{ ul *unitList }

func (rs resolver) district(s string) *district {
	_, b := splitKind(s)
	for _, d := range rs.ul.Districts {
		if _, db := splitKind(d.Name); db == b {
			return d
		}
	}
	return nil
}

func (rs resolver) commune(d *district, s string) *commune {
	k, b := splitKind(s)
	var hit []*commune
	for _, c := range d.Communes {
		ck, cb := splitKind(c.Name)
		if cb == b && (k == "" || k == ck) {
			hit = append(hit, c)
		}
	}
	if len(hit) == 1 {
		return hit[0]
	}
	return nil
}

func (rs resolver) village(c *commune, s string) *village {
	_, b := splitKind(s)
	for _, v := range c.Villages {
		if _, vb := splitKind(v.Name); vb == b {
			return v
		}
	}
	return nil
}

func (rs resolver) villageByCode(code string) *village {
	for _, v := range rs.ul.villages() {
		if v.Code == code {
			return v
		}
	}
	return nil
}

var titleDate = regexp.MustCompile(`Số liệu đến ngày (\d{2}/\d{2}/\d{4})`)

func parseDateT(s string) (time.Time, bool) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		t, err := excelize.ExcelDateToTime(n, false)
		return ntm.Date(t.Year(), t.Month(), t.Day()), err == nil
	}
	for _, layout := range []string{"02/01/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func countT(s string) (int, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), ".", ""))
	return n, err == nil && n >= 0
}

// table is one sheet or CSV: its rows as maps from effective header to cell, with the title's date.
type table struct {
	asOf time.Time
	rows []map[string]string
}

func readTables(t *testing.T, path string) []table {
	t.Helper()
	if strings.HasSuffix(path, ".csv") {
		comma := ','
		if strings.Contains(filepath.Base(path), "khao-sat") {
			comma = ';'
		}
		recs := readCSV(t, path, comma)
		for i, r := range recs {
			if r[0] == "Mã thôn" || r[0] == "STT" {
				var tb table
				for _, rr := range recs[i+1:] {
					m := map[string]string{}
					for j, h := range r {
						if j < len(rr) {
							m[h] = rr[j]
						}
					}
					tb.rows = append(tb.rows, m)
				}
				return []table{tb}
			}
		}
		t.Fatalf("%s: no header", path)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []table
	for _, sh := range f.GetSheetList() {
		rows := sheetRows(t, f, sh)
		hdr, at := effectiveHeaders(rows)
		var tb table
		for _, r := range rows[:at] {
			for _, c := range r {
				if m := titleDate.FindStringSubmatch(c); m != nil {
					tb.asOf, _ = parseDateT(m[1])
				}
			}
		}
		for _, r := range rows[at+1:] {
			if len(r) == 0 {
				continue
			}
			if _, err := strconv.Atoi(r[0]); err != nil { // group, subtotal, column-number, signature rows
				continue
			}
			m := map[string]string{}
			for j, h := range hdr {
				if j < len(r) {
					m[h] = r[j]
				}
			}
			tb.rows = append(tb.rows, m)
		}
		out = append(out, tb)
	}
	return out
}

func first(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return ""
}

func yesNoT(s string) tri {
	switch foldT(s) {
	case "có", "x", "đạt":
		return yes
	case "không", "chưa đạt":
		return no
	}
	return blank
}

func TestFilesSayWhatTheDesignExpects(t *testing.T) {
	for _, tc := range []struct {
		name string
		gen  func(Options) (Manifest, error)
	}{{"LangSon", LangSon}, {"Tiny", Tiny}} {
		t.Run(tc.name, func(t *testing.T) {
			var m Manifest
			if tc.name == "LangSon" {
				_, m = langSon(t)
			} else {
				var err error
				if m, err = tc.gen(Options{Dir: t.TempDir()}); err != nil {
					t.Fatal(err)
				}
			}
			checkReadBack(t, m)
		})
	}
}

func checkReadBack(t *testing.T, m Manifest) {
	// Units back from the canonical file.
	ul := &unitList{}
	for _, r := range readCSV(t, m.Files[0].Path, ',')[1:] {
		d := ul.districtByCode(r[2])
		if d == nil {
			d = &district{Code: r[2], Name: r[3], Kind: strings.TrimSuffix(r[3], " "+strings.SplitN(r[3], " ", 2)[len(strings.SplitN(r[3], " ", 2))-1])}
			ul.Districts = append(ul.Districts, d)
		}
		c := ul.communeByCode(r[4])
		if c == nil {
			c = &commune{Code: r[4], Name: r[5], District: d}
			d.Communes = append(d.Communes, c)
		}
		c.Villages = append(c.Villages, &village{Code: r[6], Name: r[7], Kind: r[8], Commune: c})
	}
	rs := resolver{ul}
	end := ntm.Period{Year: 2024, Month: time.December}.End()
	staleBefore := end.AddDate(-1, 0, 0)

	type obs struct {
		asOf time.Time
		st   map[string]ntm.Status
	}
	latest := map[string]map[string]obs{} // village code → group (survey|addr) → newest row
	keep := func(code, group string, o obs) {
		if latest[code] == nil {
			latest[code] = map[string]obs{}
		}
		if cur, ok := latest[code][group]; !ok || o.asOf.After(cur.asOf) {
			latest[code][group] = o
		}
	}
	resolve := func(row map[string]string) *village {
		if code := row["Mã thôn"]; code != "" {
			return rs.villageByCode(code)
		}
		d := rs.district(first(row, "Huyện", "Huyện, thành phố", "Tên huyện"))
		if d == nil {
			return nil
		}
		c := rs.commune(d, first(row, "Xã", "Xã, phường, thị trấn", "Tên xã"))
		if c == nil {
			return nil
		}
		return rs.village(c, first(row, "Thôn", "Thôn, tổ dân phố", "Thôn/Bản", "Tên thôn"))
	}
	rejects := map[string]int{}
	var procFiles, dossFiles, recFiles []File
	var prodFile, listFile string
	for _, f := range m.Files {
		switch f.Dataset {
		case ntm.DatasetVillageSurvey, ntm.DatasetVpostcode:
			for _, tb := range readTables(t, f.Path) {
				for _, row := range tb.rows {
					v := resolve(row)
					asOf := tb.asOf
					if s := row["Ngày số liệu"]; s != "" {
						var ok bool
						if asOf, ok = parseDateT(s); !ok {
							rejects[f.Path]++
							continue
						}
					}
					if v == nil {
						rejects[f.Path]++
						continue
					}
					st := map[string]ntm.Status{}
					if f.Dataset == ntm.DatasetVpostcode {
						hh, ok1 := countT(first(row, "Hộ gia đình Tổng số", "Tổng số hộ gia đình"))
						hhw, ok2 := countT(first(row, "Hộ gia đình Đã gắn địa chỉ số", "Số hộ đã gắn địa chỉ số"))
						org, ok3 := countT(first(row, "Cơ quan, tổ chức Tổng số", "Tổng số cơ quan, tổ chức"))
						orgw, ok4 := countT(first(row, "Cơ quan, tổ chức Đã gắn địa chỉ số", "Số cơ quan, tổ chức đã gắn địa chỉ số"))
						if !ok1 || !ok2 || !ok3 || !ok4 || hhw > hh || orgw > org {
							rejects[f.Path]++
							continue
						}
						st["V4_ADDRESS"] = ntm.StatusNotMet
						if hh == hhw && org == orgw {
							st["V4_ADDRESS"] = ntm.StatusMet
						}
						keep(v.Code, "addr", obs{asOf, st})
						continue
					}
					st["V1_TEAM"] = triStatus(yesNoT(row["Tổ công nghệ số cộng đồng"]))
					st["V2_PLATFORM"] = triStatus(yesNoT(row["Sử dụng nền tảng số"]))
					st["V3_WIFI"] = triStatus(yesNoT(first(row, "WiFi miễn phí tại nhà văn hóa", "Nhà văn hóa có WiFi miễn phí")))
					models := first(row, "Số mô hình chuyển đổi số", "Mô hình chuyển đổi số")
					n, isCount := countT(models)
					switch {
					case models == "":
						st["V6_DXMODEL"] = ntm.StatusNoData
					case isCount && n == 0:
						st["V6_DXMODEL"] = ntm.StatusNotMet
					default:
						st["V6_DXMODEL"] = ntm.StatusMet
					}
					keep(v.Code, "survey", obs{asOf, st})
				}
			}
		case ntm.DatasetDVCProcedures:
			procFiles = append(procFiles, f)
		case ntm.DatasetDVCDossiers:
			dossFiles = append(dossFiles, f)
		case ntm.DatasetDVCDossierRecords:
			recFiles = append(recFiles, f)
		case ntm.DatasetOCOPProducts:
			prodFile = f.Path
		case ntm.DatasetOCOPListings:
			listFile = f.Path
		}
	}
	got := map[string]ntm.Status{}
	for _, v := range ul.villages() {
		for _, g := range []string{"survey", "addr"} {
			o, ok := latest[v.Code][g]
			keys := []string{"V4_ADDRESS"}
			if g == "survey" {
				keys = []string{"V1_TEAM", "V2_PLATFORM", "V3_WIFI", "V6_DXMODEL"}
			}
			for _, k := range keys {
				got[v.Code+" "+k] = ntm.StatusNoData
				if ok && !o.asOf.Before(staleBefore) && !o.asOf.After(end) {
					got[v.Code+" "+k] = o.st[k]
				}
			}
		}
	}

	// V5: products and their listings (platform columns and the listings file).
	type prod struct {
		commune *commune
		valid   bool
		listed  bool
	}
	prods := map[string]*prod{} // folded name|owner
	for _, tb := range readTables(t, prodFile) {
		for _, row := range tb.rows {
			d := rs.district(row["Huyện"])
			if d == nil {
				rejects[prodFile]++
				continue
			}
			c := rs.commune(d, row["Xã"])
			stars := strings.TrimRight(strings.TrimSpace(strings.NewReplacer("sao", "", "★", "", "*", "").Replace(row["Hạng sao"])), " ")
			date, ok := parseDateT(row["Ngày công nhận"])
			if c == nil || !ok || (stars != "3" && stars != "4" && stars != "5") {
				rejects[prodFile]++
				continue
			}
			exp := date.AddDate(0, 36, 0)
			if s := row["Ngày hết hạn"]; s != "" {
				exp, _ = parseDateT(s)
			}
			p := &prod{commune: c, valid: !date.After(end) && !exp.Before(end)}
			for _, pf := range fileplatforms {
				if row[pf] != "" {
					p.listed = true
				}
			}
			prods[foldT(row["Tên sản phẩm"])+"|"+foldT(row["Chủ thể"])] = p
		}
	}
	for _, tb := range readTables(t, listFile) {
		for _, row := range tb.rows {
			p := prods[foldT(row["Tên sản phẩm"])+"|"+foldT(row["Chủ thể"])]
			if p == nil {
				t.Errorf("listing of an unknown product %q / %q", row["Tên sản phẩm"], row["Chủ thể"])
				continue
			}
			if row["Trạng thái"] == "Đang bán" {
				p.listed = true
			}
		}
	}
	unlisted := map[*commune]bool{}
	for _, p := range prods {
		if p.valid && !p.listed {
			unlisted[p.commune] = true
		}
	}
	for _, v := range ul.villages() {
		got[v.Code+" V5_OCOP"] = ntm.StatusMet
		if unlisted[v.Commune] {
			got[v.Code+" V5_OCOP"] = ntm.StatusNotMet
		}
	}

	// D95: procedures (newest per unit), dossiers (longest first, no overlaps) or records.
	type unitKey struct{ d, name string }
	unitOf := func(d *district, s string) string {
		k, b := splitKind(s)
		if k == "huyện" || k == "thành phố" {
			return "own"
		}
		if c := rs.commune(d, s); c != nil {
			return c.Code
		}
		return "?" + k + b
	}
	proc := map[unitKey][3]int{}
	for _, f := range procFiles {
		for _, tb := range readTables(t, f.Path) {
			for _, row := range tb.rows {
				d := rs.district(row["Huyện"])
				e, _ := countT(first(row, "Số TTHC đủ điều kiện cung cấp DVCTT", "TTHC đủ điều kiện"))
				full, _ := countT(first(row, "Toàn trình", "Mức độ 4"))
				part, _ := countT(first(row, "Một phần", "Mức độ 3"))
				proc[unitKey{d.Code, unitOf(d, first(row, "Đơn vị", "Tên đơn vị"))}] = [3]int{e, full, part}
			}
		}
	}
	type period struct {
		from, to   time.Time
		rec, fullo int
	}
	doss := map[unitKey][]period{}
	labelRe := regexp.MustCompile(`^(Tháng (\d+)|Quý ([IV]+)|6 tháng đầu năm|9 tháng năm|Năm)[ /]?(\d{4})$`)
	for _, f := range dossFiles {
		for _, tb := range readTables(t, f.Path) {
			for _, row := range tb.rows {
				d := rs.district(row["Huyện"])
				u := unitKey{d.Code, unitOf(d, first(row, "Đơn vị", "Tên đơn vị"))}
				if strings.HasPrefix(u.name, "?") {
					t.Logf("dossier row for unknown unit %v", row)
					rejects[f.Path]++
					continue
				}
				var pr period
				if l := row["Kỳ báo cáo"]; l != "" {
					mm := labelRe.FindStringSubmatch(l)
					if mm == nil {
						t.Fatalf("label %q", l)
					}
					y, _ := strconv.Atoi(mm[4])
					from, months := ntm.Date(y, 1, 1), 12
					switch {
					case mm[2] != "":
						mo, _ := strconv.Atoi(mm[2])
						from, months = ntm.Date(y, time.Month(mo), 1), 1
					case mm[3] != "":
						q := map[string]int{"I": 1, "II": 2, "III": 3, "IV": 4}[mm[3]]
						from, months = ntm.Date(y, time.Month(3*q-2), 1), 3
					case strings.HasPrefix(mm[1], "6"):
						months = 6
					case strings.HasPrefix(mm[1], "9"):
						months = 9
					}
					pr.from, pr.to = from, from.AddDate(0, months, -1)
				} else {
					pr.from, _ = parseDateT(row["Từ ngày"])
					pr.to, _ = parseDateT(row["Đến ngày"])
				}
				pr.rec, _ = countT(first(row, "Tổng số hồ sơ tiếp nhận", "Tổng số hồ sơ"))
				pr.fullo, _ = countT(first(row, "Hồ sơ xử lý trực tuyến toàn trình", "Số hồ sơ toàn trình"))
				doss[u] = append(doss[u], pr)
			}
		}
	}
	recTotals := map[unitKey][2]int{}
	for _, f := range recFiles {
		tb := readTables(t, f.Path)[0]
		seen := map[string]bool{}
		for _, row := range tb.rows {
			if _, ok := parseDateT(row["Ngày tiếp nhận"]); !ok || seen[row["Mã hồ sơ"]] {
				rejects[f.Path]++
				continue
			}
			seen[row["Mã hồ sơ"]] = true
			d := rs.district(row["Huyện"])
			u := unitKey{d.Code, unitOf(d, row["Đơn vị tiếp nhận"])}
			x := recTotals[u]
			x[0]++
			lvl := row["Mức độ DVC"]
			if row["Hình thức nộp"] == "Trực tuyến" && (lvl == "Toàn trình" || lvl == "Mức độ 4") {
				x[1]++
			}
			recTotals[u] = x
		}
	}
	for _, d := range ul.Districts {
		units := []string{"own"}
		for _, c := range d.Communes {
			units = append(units, c.Code)
		}
		// procedures
		off, elig, missingUnits := 0, 0, 0
		for _, u := range units {
			f, ok := proc[unitKey{d.Code, u}]
			if !ok {
				missingUnits++
				continue
			}
			elig += f[0]
			off += f[1] + f[2]
		}
		ps := ntm.StatusNoData
		if missingUnits == 0 {
			ps = ntm.StatusNotMet
			if off >= elig {
				ps = ntm.StatusMet
			}
		}
		got[d.Code+" D95_PROCEDURES"] = ps
		// dossiers
		rec, full, missingUnits := 0, 0, 0
		for _, u := range units {
			k := unitKey{d.Code, u}
			if x, ok := recTotals[k]; ok {
				rec += x[0]
				full += x[1]
				// the aggregated rows must agree with the records
				var ar, af int
				ps := doss[k]
				sort.SliceStable(ps, func(i, j int) bool { return ps[i].to.Sub(ps[i].from) > ps[j].to.Sub(ps[j].from) })
				var taken []period
				for _, p := range ps {
					overlap := false
					for _, q := range taken {
						if !p.from.After(q.to) && !q.from.After(p.to) {
							overlap = true
						}
					}
					if !overlap {
						taken = append(taken, p)
						ar += p.rec
						af += p.fullo
					}
				}
				if ar != x[0] || af != x[1] {
					t.Errorf("unit %v: aggregated dossiers %d/%d, records %d/%d", k, af, ar, x[1], x[0])
				}
				continue
			}
			ps := doss[k]
			if len(ps) == 0 {
				missingUnits++
				continue
			}
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].to.Sub(ps[i].from) > ps[j].to.Sub(ps[j].from) })
			var taken []period
			for _, p := range ps {
				overlap := false
				for _, q := range taken {
					if !p.from.After(q.to) && !q.from.After(p.to) {
						overlap = true
					}
				}
				if !overlap {
					taken = append(taken, p)
					rec += p.rec
					full += p.fullo
				}
			}
		}
		ds := ntm.StatusNoData
		if missingUnits == 0 {
			ds = ntm.StatusNotMet
			if 100*full >= 70*rec {
				ds = ntm.StatusMet
			}
		}
		got[d.Code+" D95_DOSSIERS"] = ds
	}

	// Compare.
	mismatches := 0
	for _, e := range m.Expected {
		k := e.UnitCode + " " + e.Criterion
		g, ok := got[k]
		if !ok {
			continue // SMART_VILLAGE, C8, D95 follow from the parts
		}
		if g != e.Status {
			mismatches++
			if mismatches <= 15 {
				t.Errorf("%s: the files say %s, the design says %s (%s)", k, g, e.Status, e.Why)
			}
		}
	}
	if mismatches > 15 {
		t.Errorf("… %d mismatches in all", mismatches)
	}
	for path, n := range rejects {
		t.Logf("%s: %d rows this reader rejects", filepath.Base(path), n)
	}

}
