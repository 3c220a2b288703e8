package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"ntm"
)

// write renders the reform's files after the 2024 ones, in load order: the structures of 1/1/2025
// and 1/7/2025 with their successors, the exports of 2025 (period 2025-09), then those of 2026
// (period 2026-11).
func (rf *reform) write(dir string) (Manifest, error) {
	type job struct {
		file File
		gen  func(r *rand.Rand) ([]byte, error)
		data []byte
		err  error
	}
	var jobs []*job
	emit := func(name string, ds ntm.Dataset, per ntm.Period, validFrom *time.Time, desc string, gen func(r *rand.Rand) ([]byte, error)) {
		jobs = append(jobs, &job{file: File{Path: filepath.Join(dir, name), Dataset: ds, Period: per, ValidFrom: validFrom, Description: desc}, gen: gen})
	}
	static := func(b []byte) func(*rand.Rand) ([]byte, error) {
		return func(*rand.Rand) ([]byte, error) { return b, nil }
	}
	h1, h2 := reformH1, reformH2
	p25, p26 := ReformPeriods[0], ReformPeriods[1]
	emit("don-vi-hanh-chinh-2025-01-01.csv", ntm.DatasetUnits, p25, &h1,
		"Danh mục đơn vị hành chính và thôn từ 01/01/2025 (Thị trấn Thất Khê mới; thôn đánh số lại, previous_codes)", rf.unitsH1CSV)
	emit("langson_units_2025h1.csv", ntm.DatasetUnits, p25, &h1, "Danh mục GSO từ 01/01/2025 (194 xã)", static(langSonUnits2025H1))
	emit("langson_mapping_2025h1.csv", ntm.DatasetUnits, p25, &h1,
		"Đơn vị kế thừa từ 01/01/2025: Thị trấn Thất Khê (05995), Xã Vĩnh Tiến (06007), Xã Đại Đồng (06040) → Thị trấn Thất Khê (06040)", static(langSonMapping2025H1))
	emit("don-vi-hanh-chinh-2025-07-01.csv", ntm.DatasetUnits, p25, &h2,
		"Danh mục 65 xã, phường và thôn từ 01/07/2025 (không còn cấp huyện; previous_codes)", rf.unitsH2CSV)
	emit("langson_units_2025.csv", ntm.DatasetUnits, p25, &h2, "Danh mục GSO từ 01/07/2025 (61 xã, 4 phường; merged_from_codes)", static(langSonUnits2025))
	emit("langson_mapping_2025.csv", ntm.DatasetUnits, p25, &h2, "Bảng chuyển đổi xã cũ → xã mới từ 01/07/2025 (full / partial)", static(langSonMapping2025))
	emit("dvc-tthc-2025-08.xlsx", ntm.DatasetDVCProcedures, p25, nil,
		"TTHC của 65 xã, phường đến 31/08/2025 (nhóm theo huyện cũ; vài xã còn ghi tên cũ; 5 xã chưa báo cáo)", func(r *rand.Rand) ([]byte, error) { return rf.proceduresBook(r, 2025) })
	emit("dvc-ho-so-2025.xlsx", ntm.DatasetDVCDossiers, p25, nil,
		"Hồ sơ TTHC 9 tháng năm 2025: 6 tháng đầu năm theo xã, huyện cũ; quý III theo xã mới", rf.dossiers2025)
	emit("dvc-ho-so-chi-tiet-chi-lang-2025.csv", ntm.DatasetDVCDossierRecords, p25, nil,
		"Hồ sơ chi tiết 9 tháng năm 2025 của Xã Chi Lăng mới và các xã, thị trấn cũ hợp thành", rf.records2025)
	emit("khao-sat-thon-thong-minh-2026.xlsx", ntm.DatasetVillageSurvey, p26, nil,
		"Phiếu tự đánh giá thôn thông minh 2026 (thôn mới; vài dòng còn ghi xã, huyện cũ; một dòng ghi Xã Bính Xá đã chia)", rf.survey2026)
	emit("vpostcode-2026-10.xlsx", ntm.DatasetVpostcode, p26, nil, "Vpostcode đến 31/10/2026 theo thôn mới", rf.vpostcode2026)
	emit("ocop-san-pham-2026.xlsx", ntm.DatasetOCOPProducts, p26, nil,
		"Danh sách sản phẩm OCOP 2026 (xã mới; vài sản phẩm còn ghi xã đã sáp nhập; một sản phẩm ghi Xã Bính Xá)", rf.ocop2026)
	emit("ocop-gian-hang-tmdt-2026.xlsx", ntm.DatasetOCOPListings, p26, nil, "Sản phẩm OCOP đưa lên sàn TMĐT trong năm 2026", rf.listings2026)
	emit("dvc-tthc-2026-10.xlsx", ntm.DatasetDVCProcedures, p26, nil, "TTHC của các xã, phường đến 31/10/2026",
		func(r *rand.Rand) ([]byte, error) { return rf.proceduresBook(r, 2026) })
	emit("dvc-ho-so-2026.xlsx", ntm.DatasetDVCDossiers, p26, nil, "Hồ sơ TTHC 11 tháng năm 2026 theo xã, phường", rf.dossiers2026)

	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.data, j.err = j.gen(rng(rf.seed, uint64(201+i)))
		}()
	}
	wg.Wait()
	var m Manifest
	for _, j := range jobs {
		if j.err != nil {
			return Manifest{}, fmt.Errorf("sample: building %s: %w", filepath.Base(j.file.Path), j.err)
		}
		if err := writeIfChanged(j.file.Path, j.data); err != nil {
			return Manifest{}, err
		}
		m.Files = append(m.Files, j.file)
	}
	m.Expected = rf.expected()
	return m, nil
}

var canonicalUnitsHeader = []string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name",
	"village_code", "village_name", "village_kind", "valid_from", "valid_to", "previous_codes"}

func prevCodes(v *vver) string {
	var cs []string
	for _, p := range v.Prev {
		cs = append(cs, p.Code)
	}
	return strings.Join(cs, ";")
}

// unitsH1CSV: the whole structure from 1/1/2025 with its villages; the villages of the two towns
// merged into 06040 are renumbered after Đại Đồng's.
func (rf *reform) unitsH1CSV(*rand.Rand) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(canonicalUnitsHeader)
	for _, c := range rf.h1 {
		for _, v := range c.Villages {
			w.Write([]string{rf.p.units.ProvinceCode, rf.p.units.ProvinceName, c.District.Code, c.District.Name, c.Code, c.Name,
				v.Code, v.Name, v.Kind, "2025-01-01", "", prevCodes(v)})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func (rf *reform) unitsH2CSV(*rand.Rand) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(canonicalUnitsHeader)
	for _, c := range rf.h2 {
		for _, v := range c.Villages {
			w.Write([]string{rf.p.units.ProvinceCode, rf.p.units.ProvinceName, "", "", c.Code, c.Name,
				v.Code, v.Name, v.Kind, "2025-07-01", "", prevCodes(v)})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// oldDistrictOf is the district a new commune's main predecessor belonged to (how the offices still
// group their tables).
func oldDistrictOf(c *cver) *district {
	for _, x := range c.Full {
		if x.Code == c.Code && x.District != nil {
			return x.District
		}
	}
	for _, x := range append(append([]*cver{}, c.Full...), c.Partial...) {
		if x.District != nil {
			return x.District
		}
	}
	return nil
}

// byOldDistrict groups the new communes under their old districts, in the 2024 order.
func (rf *reform) byOldDistrict() ([]*district, map[*district][]*cver) {
	groups := map[*district][]*cver{}
	for _, c := range rf.h2 {
		d := oldDistrictOf(c)
		groups[d] = append(groups[d], c)
	}
	var ds []*district
	for _, d := range rf.p.units.Districts {
		if len(groups[d]) > 0 {
			ds = append(ds, d)
		}
	}
	return ds, groups
}

func dvcUnitName(kind, bare string) string { return "UBND " + strings.ToLower(kind) + " " + bare }

// reportingName is how commune c calls itself in a report from 1/7/2025: its own name, or its old
// letterhead's with the old district.
func (c *cver) reportingName() (unit, district string) {
	if o := c.oldName; o != nil {
		return dvcUnitName(o.Kind, o.Bare()), o.District.Name
	}
	return dvcUnitName(c.Kind, c.Bare()), ""
}

func (rf *reform) proceduresBook(r *rand.Rand, year int) ([]byte, error) {
	asOf := asOf2508
	if year == 2026 {
		asOf = asOf2610
	}
	b, err := rf.p.newBook("Dịch vụ công trực tuyến")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Đơn vị"}, {Name: "Huyện"}, {Name: "Tổng số TTHC"}, {Name: "Số TTHC đủ điều kiện cung cấp DVCTT"}, {Name: "Toàn trình"}, {Name: "Một phần"}, {Name: "Tỷ lệ (%)"}, {Name: "Ghi chú"}}
	s, err := b.sheet("TTHC", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
		"BÁO CÁO TÌNH HÌNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN CẤP XÃ", "Số liệu đến ngày "+dmy(asOf)); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if err := s.columnNumbers(len(cols)); err != nil {
		return nil, err
	}
	l := labeler{r}
	ds, groups := rf.byOldDistrict()
	for gi, d := range ds {
		if err := s.banner(roman(gi)+". "+d.Name, s.b.bold); err != nil { // old districts still group the table
			return nil, err
		}
		n := 0
		for _, c := range groups[d] {
			f := c.proc
			if year == 2026 {
				f = rf.y26.proc[c]
			}
			if f == nil {
				continue
			}
			n++
			unit, dist := c.reportingName()
			note := ""
			if dist != "" {
				note = "Ghi theo tên xã cũ"
			}
			if err := s.values(n, l.mess(unit), dist, num(r, f.Total), num(r, f.Eligible), num(r, f.Full), num(r, f.Partial),
				vnPercent(f.Full+f.Partial, f.Eligible), note); err != nil {
				return nil, err
			}
		}
	}
	if err := s.signatures("Lạng Sơn", asOf.AddDate(0, 0, 3), "Dương Thị Lan", "Chu Văn Hùng"); err != nil {
		return nil, err
	}
	return b.bytes()
}

func dossierLabels(year, from, to int, r *rand.Rand) [][2]int { // [from month, to month] spans
	var out [][2]int
	m := from
	for m <= to {
		if (m-1)%3 == 0 && m+2 <= to && chance(r, 70) {
			out = append(out, [2]int{m, m + 2})
			m += 3
			continue
		}
		out = append(out, [2]int{m, m})
		m++
	}
	return out
}

func spanLabel(year int, span [2]int) string {
	if span[0] == span[1] {
		return fmt.Sprintf("Tháng %d/%d", span[0], year)
	}
	return fmt.Sprintf("Quý %s/%d", romanQuarter[(span[0]-1)/3], year)
}

func sumMonths(d *dossFact, span [2]int) dossierMonth {
	var t dossierMonth
	for m := span[0]; m <= span[1]; m++ {
		f := d.Months[time.Month(m)]
		t.Received += f.Received
		t.Online += f.Online
		t.Full += f.Full
	}
	return t
}

type dossLine struct {
	unit, district string
	d              *dossFact
	from, to       int
	// parts, when set, write the line as one row per old unit for each period, the figures split
	// between them (an office still listing the communes it was formed from; ntm sums them).
	parts []dossLine
}

// splitMonth divides a period's figures between k rows: each row but the last gets a k-th
// (processed fully online never above received online, nor that above received), the last the rest.
func splitMonth(t dossierMonth, k int) []dossierMonth {
	out := make([]dossierMonth, k)
	rest := t
	for i := 0; i < k-1; i++ {
		p := dossierMonth{Received: t.Received / k}
		p.Online = min(t.Online/k, p.Received)
		p.Full = min(t.Full/k, p.Online)
		out[i] = p
		rest.Received -= p.Received
		rest.Online -= p.Online
		rest.Full -= p.Full
	}
	out[k-1] = rest
	return out
}

func (rf *reform) dossierBook(r *rand.Rand, year int, title string, groups [][]dossLine, banners []string) ([]byte, error) {
	b, err := rf.p.newBook("Hồ sơ thủ tục hành chính")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Đơn vị"}, {Name: "Huyện"}, {Name: "Kỳ báo cáo"}, {Name: "Tổng số hồ sơ tiếp nhận"}, {Name: "Tiếp nhận trực tuyến"},
		{Name: "Hồ sơ xử lý trực tuyến toàn trình"}, {Name: "Tỷ lệ (%)"}}
	s, err := b.sheet(fmt.Sprintf("Hồ sơ %d", year), len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "VĂN PHÒNG UBND TỈNH", title); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	l := labeler{r}
	for gi, g := range groups {
		if err := s.banner(roman(gi)+". "+banners[gi], s.b.bold); err != nil {
			return nil, err
		}
		n := 0
		for _, ln := range g {
			for _, span := range dossierLabels(year, ln.from, ln.to, r) {
				t := sumMonths(ln.d, span)
				rows, ts := []dossLine{ln}, []dossierMonth{t}
				if len(ln.parts) > 0 {
					rows, ts = ln.parts, splitMonth(t, len(ln.parts))
				}
				for i, row := range rows {
					t := ts[i]
					n++
					if err := s.values(n, l.mess(row.unit), row.district, spanLabel(year, span), num(r, t.Received), num(r, t.Online), num(r, t.Full), vnPercent(t.Full, t.Received)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if err := s.signatures("Lạng Sơn", ntm.Date(year, time.Month(12), 5), "Hà Thị Xinh", "Lộc Văn Tuấn"); err != nil {
		return nil, err
	}
	return b.bytes()
}

// dossiers2025: January–June by the first-half units (districts included: their own dossiers count
// for no commune), July–September by the new communes.
func (rf *reform) dossiers2025(r *rand.Rand) ([]byte, error) {
	var groups [][]dossLine
	var banners []string
	dr := rng(rf.seed, 42)
	for _, d := range rf.p.units.Districts {
		g := []dossLine{{unit: dvcUnitName(d.Kind, d.Bare()), district: d.Name, d: drawDossiers(dr, 2025, 1, 6, 200+dr.IntN(80), 60+dr.IntN(30)), from: 1, to: 6}}
		for _, c := range rf.h1 {
			if c.District == d {
				g = append(g, dossLine{unit: dvcUnitName(c.Kind, c.Bare()), district: d.Name, d: c.doss, from: 1, to: 6})
			}
		}
		groups = append(groups, g)
		banners = append(banners, d.Name)
	}
	ds, byD := rf.byOldDistrict()
	for _, d := range ds {
		var g []dossLine
		for _, c := range byD[d] {
			unit, dist := c.reportingName()
			ln := dossLine{unit: unit, district: dist, d: c.doss, from: 7, to: 9}
			if c.Code == "06463" { // new Xã Chi Lăng still reports as the three units it was formed from
				for _, x := range c.Full {
					ln.parts = append(ln.parts, dossLine{unit: dvcUnitName(x.Kind, x.Bare()), district: x.District.Name})
				}
			}
			g = append(g, ln)
		}
		groups = append(groups, g)
		banners = append(banners, d.Name+" (cũ) – quý III")
	}
	return rf.dossierBook(r, 2025, "TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH 9 THÁNG NĂM 2025", groups, banners)
}

func (rf *reform) dossiers2026(r *rand.Rand) ([]byte, error) {
	var groups [][]dossLine
	var banners []string
	ds, byD := rf.byOldDistrict()
	for _, d := range ds {
		var g []dossLine
		for _, c := range byD[d] {
			unit, dist := c.reportingName()
			g = append(g, dossLine{unit: unit, district: dist, d: rf.y26.doss[c], from: 1, to: 11})
		}
		groups = append(groups, g)
		banners = append(banners, d.Name)
	}
	return rf.dossierBook(r, 2026, "TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH 11 THÁNG NĂM 2026", groups, banners)
}

// records2025: every dossier of new Xã Chi Lăng's area from 1/1/2025 to 30/9/2025; the totals equal
// the aggregated rows.
func (rf *reform) records2025(r *rand.Rand) ([]byte, error) {
	c := rf.h2ByCode("06463")
	type unitSpan struct {
		name, district string
		code           string
		d              *dossFact
	}
	var us []unitSpan
	for _, x := range c.Full {
		us = append(us, unitSpan{dvcUnitName(x.Kind, x.Bare()), x.District.Name, x.Code, x.doss})
	}
	us = append(us, unitSpan{dvcUnitName(c.Kind, c.Bare()), "", c.Code, c.doss})
	type rec struct {
		id, unit, district, channel, level string
		date                               time.Time
	}
	var recs []rec
	for _, u := range us {
		for m := time.January; m <= time.December; m++ {
			f, ok := u.d.Months[m]
			if !ok {
				continue
			}
			days := ntm.Date(2025, m+1, 1).AddDate(0, 0, -1).Day()
			for i := range f.Received {
				rc := rec{unit: u.name, district: u.district, date: ntm.Date(2025, m, 1+r.IntN(days)), channel: "Trực tiếp", level: "Một phần"}
				switch {
				case i < f.Full:
					rc.channel, rc.level = "Trực tuyến", "Toàn trình"
				case i < f.Online:
					rc.channel = "Trực tuyến"
				case chance(r, 30):
					rc.level = "Toàn trình"
				}
				rc.id = fmt.Sprintf("000.%s.H35-%s-%05d", u.code, rc.date.Format("060102"), len(recs)+1)
				recs = append(recs, rc)
			}
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].date.Equal(recs[j].date) {
			return recs[i].date.Before(recs[j].date)
		}
		return recs[i].id < recs[j].id
	})
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write([]string{"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Đơn vị tiếp nhận", "Huyện", "Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC", "Tình trạng xử lý"})
	procs := []string{"Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính", "Đăng ký khai tử", "Xác nhận tình trạng hôn nhân"}
	for i, rc := range recs {
		w.Write([]string{itoa(i + 1), rc.id, pick(r, procs...), rc.unit, rc.district, dmy(rc.date), rc.channel, rc.level, "Đã trả kết quả"})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// villageLabel: how a 2026 row names a village's commune (its own, or the old one it came from).
func (rf *reform) villageRow(l labeler, v *vver, old *cver) (code, villageName, commune, district string) {
	if old != nil {
		return "", l.mess(v.Name), l.mess(old.Name), old.District.Name
	}
	commune = l.mess(v.Commune.Name)
	if chance(l.r, 70) {
		code = v.Code
	}
	return code, l.village(&village{Name: v.Name}), commune, ""
}

func (rf *reform) survey2026(r *rand.Rand) ([]byte, error) {
	b, err := rf.p.newBook("Tổng hợp phiếu tự đánh giá thôn thông minh")
	if err != nil {
		return nil, err
	}
	layout := []string{"stt", "code", "village", "commune", "district", "asof", "team", "decision", "platform", "group", "wifi", "models", "fields"}
	hdr := map[string]string{"village": "Thôn, tổ dân phố", "commune": "Xã, phường", "district": "Huyện", "group": "Nhóm Zalo/Facebook",
		"wifi": "WiFi miễn phí tại nhà văn hóa", "models": "Số mô hình chuyển đổi số"}
	var cols []col
	for _, k := range layout {
		cols = append(cols, col{Name: headerOf(k, hdr)})
	}
	s, err := b.sheet("Tổng hợp", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
		"BÁO CÁO TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ THÔN THÔNG MINH NĂM 2026"); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	l := labeler{r}
	for ci, c := range rf.h2 {
		if err := s.banner(fmt.Sprintf("%d. %s", ci+1, c.Name), s.b.bold); err != nil {
			return nil, err
		}
		n := 0
		for _, v := range c.Villages {
			sv := v.survey
			if sv == nil {
				continue
			}
			old := sv.OldCommune
			if sv.SplitCommune {
				old = v.Prev[0].Commune
			}
			n++
			code, vn, cn, dn := rf.villageRow(l, v, old)
			cells := surveyCells{"stt": n, "code": code, "village": vn, "commune": cn, "district": dn, "asof": dmy(sv.AsOf),
				"team": yesNoText(r, sv.Team), "platform": yesNoText(r, sv.Platform), "wifi": yesNoText(r, sv.WiFi)}
			if sv.Team == yes {
				cells["decision"] = fmt.Sprintf("%d/QĐ-UBND", 10+r.IntN(390))
			}
			if sv.Platform == yes {
				cells["group"] = "Zalo " + v.Name
			}
			if sv.Models >= 0 {
				cells["models"] = num(r, sv.Models)
			}
			var fields []string
			for _, f := range sv.Fields {
				if fd := modelField(f); !containsStr(fields, fd) {
					fields = append(fields, fd)
				}
			}
			if sv.Models > 0 {
				cells["fields"] = strings.Join(fields, "; ")
			}
			if err := s.values(rowOf(layout, cells)...); err != nil {
				return nil, err
			}
		}
	}
	if err := s.signatures("Lạng Sơn", asOf2610.AddDate(0, 0, 5), "Vi Thị Hạnh", "Lăng Văn Sinh"); err != nil {
		return nil, err
	}
	return b.bytes()
}

func (rf *reform) vpostcode2026(r *rand.Rand) ([]byte, error) {
	b, err := rf.p.newBook("Báo cáo gắn địa chỉ số")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Mã thôn"}, {Name: "Thôn, tổ dân phố"}, {Name: "Xã, phường"}, {Name: "Huyện"},
		{Group: "Hộ gia đình", Name: "Tổng số"}, {Group: "Hộ gia đình", Name: "Đã gắn địa chỉ số"},
		{Group: "Cơ quan, tổ chức", Name: "Tổng số"}, {Group: "Cơ quan, tổ chức", Name: "Đã gắn địa chỉ số"}}
	s, err := b.sheet("Tổng hợp", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "BƯU ĐIỆN TỈNH LẠNG SƠN",
		"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ CHO HỘ GIA ĐÌNH, CƠ QUAN, TỔ CHỨC", "Số liệu đến ngày "+dmy(asOf2610)); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if err := s.columnNumbers(len(cols)); err != nil {
		return nil, err
	}
	l := labeler{r}
	for ci, c := range rf.h2 {
		if err := s.banner(fmt.Sprintf("%d. %s", ci+1, c.Name), 0); err != nil {
			return nil, err
		}
		n := 0
		for _, v := range c.Villages {
			a := v.addr
			if a == nil {
				continue
			}
			n++
			var old *cver
			if v.survey != nil && v.survey.OldCommune != nil {
				old = v.survey.OldCommune
			}
			code, vn, cn, dn := rf.villageRow(l, v, old)
			if err := s.values(n, code, vn, cn, dn, num(r, a.HH), num(r, a.HHWith), num(r, a.Org), num(r, a.OrgWith)); err != nil {
				return nil, err
			}
		}
	}
	if err := s.signatures("Lạng Sơn", asOf2610.AddDate(0, 0, 5), "Lương Thị Mai", "Hoàng Văn Thắng"); err != nil {
		return nil, err
	}
	return b.bytes()
}

func (rf *reform) ocop2026(r *rand.Rand) ([]byte, error) {
	b, err := rf.p.newBook("Danh sách sản phẩm OCOP")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Tên sản phẩm"}, {Name: "Nhóm sản phẩm"}, {Name: "Hạng sao"}, {Name: "Chủ thể"}, {Name: "Xã, phường"}, {Name: "Huyện"},
		{Name: "Số quyết định"}, {Name: "Ngày công nhận"}, {Name: "Ghi chú"}}
	s, err := b.sheet("Sản phẩm OCOP", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
		"DANH SÁCH SẢN PHẨM OCOP CÒN HIỆU LỰC", "Số liệu đến ngày "+dmy(asOf2610)); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	l := labeler{r}
	n := 0
	row := func(pr *product, commune, district, note string) error {
		n++
		return s.values(n, l.mess(pr.Name), pr.Category, fmt.Sprintf("%d sao", pr.Stars), pr.Owner, commune, district, pr.DecisionNo, dmy(pr.Certified), note)
	}
	end := ReformPeriods[1].End()
	for _, pr := range rf.p.products() {
		if pr.Reject != "" || !pr.valid(end) {
			continue
		}
		old := rf.c24[pr.Commune.Code]
		succ := rf.successorsOf(old)
		if len(succ) == 0 {
			continue
		}
		var err error
		switch {
		case pr == rf.splitProduct:
			err = row(pr, old.Name, old.District.Name, "Chưa cập nhật xã mới")
		case rf.oldNameProducts[pr] != nil:
			err = row(pr, old.Name, old.District.Name, "")
		default:
			err = row(pr, succ[0].Name, "", "")
		}
		if err != nil {
			return nil, err
		}
	}
	for _, pr := range rf.products26 {
		var c *cver
		for _, x := range rf.h2 {
			if containsProduct(x.products, pr) {
				c = x
			}
		}
		if err := row(pr, c.Name, "", "Công nhận mới"); err != nil {
			return nil, err
		}
	}
	if err := s.signatures("Lạng Sơn", asOf2610.AddDate(0, 0, 8), "Nông Thị Hoa", "Hoàng Văn Tuấn"); err != nil {
		return nil, err
	}
	return b.bytes()
}

func containsProduct(ps []*product, p *product) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func (rf *reform) listings2026(r *rand.Rand) ([]byte, error) {
	b, err := rf.p.newBook("Sản phẩm OCOP trên sàn TMĐT")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Tên sản phẩm"}, {Name: "Chủ thể"}, {Name: "Sàn TMĐT"}, {Name: "Đường dẫn"}, {Name: "Ngày đăng"}, {Name: "Trạng thái"}}
	s, err := b.sheet("Gian hàng", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ CÔNG THƯƠNG",
		"SẢN PHẨM OCOP ĐƯA LÊN SÀN THƯƠNG MẠI ĐIỆN TỬ NĂM 2026", "Số liệu đến ngày "+dmy(asOf2610)); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	var prods []*product
	for _, pr := range rf.p.products() {
		if rf.y26.listed[pr] {
			prods = append(prods, pr)
		}
	}
	for _, pr := range rf.products26 {
		if rf.y26.listed[pr] {
			prods = append(prods, pr)
		}
	}
	for i, pr := range prods {
		pf := pick(r, listplatforms...)
		if err := s.values(i+1, pr.Name, pr.Owner, pf, platformURL(r, pf, pr.Name), dmy(ntm.Date(2026, time.January, 10).AddDate(0, 0, r.IntN(280))), "Đang bán"); err != nil {
			return nil, err
		}
	}
	if err := s.signatures("Lạng Sơn", asOf2610.AddDate(0, 0, 4), "Triệu Thị Xinh", "Hà Đức Minh"); err != nil {
		return nil, err
	}
	return b.bytes()
}
