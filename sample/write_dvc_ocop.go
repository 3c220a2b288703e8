package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
)

// ---- OCOP ----

func (p *plan) ocopProducts(r *rand.Rand) ([]byte, error) {
	b, err := p.newBook("Danh sách sản phẩm OCOP")
	if err != nil {
		return nil, err
	}
	layout := []string{"stt", "name", "cat", "stars", "owner", "commune", "district", "decision", "date", "expiry"}
	layout = append(layout, fileplatforms...)
	layout = append(layout, "note")
	hdr := map[string]string{"stt": "STT", "name": "Tên sản phẩm", "cat": "Nhóm sản phẩm", "stars": "Hạng sao", "owner": "Chủ thể",
		"commune": "Xã", "district": "Huyện", "decision": "Số quyết định", "date": "Ngày công nhận", "expiry": "Ngày hết hạn", "note": "Ghi chú"}
	var cols []col
	for _, k := range layout {
		if h, ok := hdr[k]; ok {
			cols = append(cols, col{Name: h})
		} else {
			cols = append(cols, col{Name: k})
		}
	}
	s, err := b.sheet("Sản phẩm OCOP", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.widths(6, 34, 14, 9, 34, 18, 18, 16, 14, 14, 10, 10, 10, 14, 20); err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
		"DANH SÁCH SẢN PHẨM OCOP TỈNH LẠNG SƠN ĐƯỢC CÔNG NHẬN VÀ ĐƯA LÊN SÀN THƯƠNG MẠI ĐIỆN TỬ",
		"(Đánh dấu x hoặc ghi đường dẫn nếu sản phẩm có trên sàn)"); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if err := s.columnNumbers(len(cols)); err != nil {
		return nil, err
	}
	l := labeler{r}
	for di, d := range p.units.Districts {
		var prods []*product
		for _, c := range d.Communes {
			prods = append(prods, c.Products...)
		}
		if len(prods) == 0 {
			continue
		}
		if err := s.banner(roman(di)+". "+d.Name, s.b.bold); err != nil {
			return nil, err
		}
		for i, pr := range prods {
			v := map[string]any{"stt": i + 1, "name": l.mess(pr.Name), "cat": pr.Category, "owner": pr.Owner,
				"commune": l.commune(pr.Commune), "district": l.district(d), "decision": pr.DecisionNo}
			if pr.starsText == "%d" {
				v["stars"] = pr.Stars
			} else {
				v["stars"] = strings.ReplaceAll(pr.starsText, "%d", itoa(pr.Stars))
			}
			if pr.dateAsCell {
				v["date"] = pr.Certified
			} else {
				v["date"] = dmy(pr.Certified)
			}
			if pr.expiryColumn {
				v["expiry"] = dmy(pr.expires())
			}
			if pr.Reject == "baddate" {
				v["date"] = fmt.Sprintf("31/04/%d", pr.Certified.Year()) // April has 30 days
			}
			for _, lst := range pr.Listings {
				if !lst.InProductFile {
					continue
				}
				if lst.URL == "x" || chance(r, 60) {
					v[lst.Platform] = pick(r, "x", "x", "X")
				} else {
					v[lst.Platform] = lst.URL
				}
			}
			if !pr.valid(p.end()) && pr.Reject == "" && chance(r, 30) {
				v["note"] = "Hết hạn chứng nhận, chưa đánh giá lại"
			}
			if err := s.values(rowOf(layout, v)...); err != nil {
				return nil, err
			}
		}
	}
	if err := s.signatures("Lạng Sơn", p.freshAsOf().AddDate(0, 0, 8), "Nông Thị Hoa", "Hoàng Văn Tuấn"); err != nil {
		return nil, err
	}
	return b.bytes()
}

func (p *plan) ocopListings(r *rand.Rand) ([]byte, error) {
	b, err := p.newBook("Sản phẩm OCOP trên sàn TMĐT")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Tên sản phẩm"}, {Name: "Chủ thể"}, {Name: "Sàn TMĐT"}, {Name: "Đường dẫn"}, {Name: "Ngày đăng"}, {Name: "Trạng thái"}, {Name: "Ghi chú"}}
	s, err := b.sheet("Gian hàng", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ CÔNG THƯƠNG",
		"DANH SÁCH SẢN PHẨM OCOP TRÊN CÁC SÀN THƯƠNG MẠI ĐIỆN TỬ", "Số liệu đến ngày "+dmy(p.freshAsOf())); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	l := labeler{r}
	n := 0
	for _, pr := range p.products() {
		for _, lst := range pr.Listings {
			if lst.InProductFile {
				continue
			}
			status := "Đang bán"
			if !lst.Active {
				status = pick(r, "Ngừng bán", "Đã gỡ")
			}
			var date any = lst.Listed
			if chance(r, 50) {
				date = dmy(lst.Listed)
			}
			times := 1
			if lst.Duplicate {
				times = 2
			}
			for range times {
				n++
				if err := s.values(n, l.mess(pr.Name), pr.Owner, lst.Platform, lst.URL, date, status, ""); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := s.signatures("Lạng Sơn", p.freshAsOf().AddDate(0, 0, 4), "Triệu Thị Xinh", "Hà Đức Minh"); err != nil {
		return nil, err
	}
	return b.bytes()
}

// ---- DVC procedures ----

func (p *plan) hasOldTerms() bool {
	for _, dd := range p.dvc {
		if dd.OldTerms && dd.ProcMode != "none" {
			return true
		}
	}
	return false
}

func (p *plan) proceduresNew(r *rand.Rand) ([]byte, error) {
	return p.procedures(r, false)
}

func (p *plan) proceduresOld(r *rand.Rand) ([]byte, error) {
	return p.procedures(r, true)
}

func (p *plan) procedures(r *rand.Rand, old bool) ([]byte, error) {
	b, err := p.newBook("Dịch vụ công trực tuyến")
	if err != nil {
		return nil, err
	}
	var cols []col
	var name string
	if old {
		name = "Mức độ DVCTT"
		cols = []col{{Name: "STT"}, {Name: "Tên đơn vị"}, {Name: "Huyện"}, {Name: "TTHC đủ điều kiện"}, {Name: "Mức độ 4"}, {Name: "Mức độ 3"}, {Name: "Ghi chú"}}
	} else {
		name = "TTHC"
		cols = []col{{Name: "STT"}, {Name: "Đơn vị"}, {Name: "Huyện"}, {Name: "Tổng số TTHC"}, {Name: "Số TTHC đủ điều kiện cung cấp DVCTT"}, {Name: "Toàn trình"}, {Name: "Một phần"}, {Name: "Tỷ lệ (%)"}, {Name: "Ghi chú"}}
	}
	s, err := b.sheet(name, len(cols))
	if err != nil {
		return nil, err
	}
	lines := []string{"BÁO CÁO TÌNH HÌNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN CẤP HUYỆN, CẤP XÃ"}
	if old {
		lines = append(lines, "(Theo mức độ dịch vụ công trực tuyến)")
	} else {
		lines = append(lines, "Số liệu đến ngày "+dmy(p.freshAsOf()))
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", lines...); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if !old {
		if err := s.columnNumbers(len(cols)); err != nil {
			return nil, err
		}
	}
	l := labeler{r}
	gi := 0
	var grand procFigures
	for _, dd := range p.dvc {
		if dd.OldTerms != old || dd.ProcMode == "none" {
			continue
		}
		if err := s.banner(roman(gi)+". "+dd.D.Name, s.b.bold); err != nil {
			return nil, err
		}
		gi++
		var sub procFigures
		n := 0
		for _, u := range dd.Units {
			f := u.Proc
			if f == nil {
				continue
			}
			n++
			unit := u.Name
			if u.Commune == nil && chance(r, 30) {
				unit = dd.D.Name
			}
			unit = l.mess(unit)
			if old {
				err = s.values(n, unit, l.district(dd.D), num(r, f.Eligible), num(r, f.Full), num(r, f.Partial), "")
			} else {
				err = s.values(n, unit, l.district(dd.D), num(r, f.Total), num(r, f.Eligible), num(r, f.Full), num(r, f.Partial),
					vnPercent(f.Full+f.Partial, f.Eligible), "")
			}
			if err != nil {
				return nil, err
			}
			sub.Total += f.Total
			sub.Eligible += f.Eligible
			sub.Full += f.Full
			sub.Partial += f.Partial
		}
		if old {
			err = s.values("", "Cộng", "", sub.Eligible, sub.Full, sub.Partial)
		} else {
			err = s.values("", "Cộng", "", vnNumber(sub.Total), vnNumber(sub.Eligible), vnNumber(sub.Full), vnNumber(sub.Partial), vnPercent(sub.Full+sub.Partial, sub.Eligible))
		}
		if err != nil {
			return nil, err
		}
		grand.Total += sub.Total
		grand.Eligible += sub.Eligible
		grand.Full += sub.Full
		grand.Partial += sub.Partial
	}
	if !old {
		if err := s.values("", "Tổng cộng", "", grand.Total, grand.Eligible, grand.Full, grand.Partial, vnPercent(grand.Full+grand.Partial, grand.Eligible)); err != nil {
			return nil, err
		}
	}
	if err := s.signatures("Lạng Sơn", p.freshAsOf().AddDate(0, 0, 2), "Dương Thị Lan", "Chu Văn Hùng"); err != nil {
		return nil, err
	}
	return b.bytes()
}

// ---- DVC dossiers ----

func (p *plan) dossiers(r *rand.Rand) ([]byte, error) {
	b, err := p.newBook("Hồ sơ thủ tục hành chính")
	if err != nil {
		return nil, err
	}
	year := p.period.Year
	cols := []col{{Name: "STT"}, {Name: "Đơn vị"}, {Name: "Huyện"}, {Name: "Kỳ báo cáo"}, {Name: "Tổng số hồ sơ tiếp nhận"}, {Name: "Tiếp nhận trực tuyến"},
		{Name: "Hồ sơ xử lý trực tuyến toàn trình"}, {Name: "Tỷ lệ (%)"}, {Name: "Ghi chú"}}
	s, err := b.sheet(fmt.Sprintf("Hồ sơ %d", year), len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "VĂN PHÒNG UBND TỈNH",
		fmt.Sprintf("TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH NĂM %d", year),
		"(Cấp huyện, cấp xã – theo kỳ báo cáo)"); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if err := s.columnNumbers(len(cols)); err != nil {
		return nil, err
	}
	l := labeler{r}
	type ftRow struct {
		u   *dvcUnit
		row dossierRow
	}
	var fromTo []ftRow
	gi := 0
	for _, dd := range p.dvc {
		if dd.DossMode == "none" {
			if p.extraRows.dossierUnknownUnit {
				// A unit that does not exist in the district: a row the loader rejects.
				if err := s.banner(roman(gi)+". "+dd.D.Name, s.b.bold); err != nil {
					return nil, err
				}
				gi++
				if err := s.values(1, "UBND xã Tân Tiến", dd.D.Name, fmt.Sprintf("Quý I/%d", year), 41, 12, 10, vnPercent(10, 41), "Đơn vị không có trong danh mục"); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := s.banner(roman(gi)+". "+dd.D.Name, s.b.bold); err != nil {
			return nil, err
		}
		gi++
		n := 0
		for _, u := range dd.Units {
			unit := l.mess(u.Name)
			if u.Commune == nil && chance(r, 30) {
				unit = l.reportingDistrict(dd.D)
			}
			for _, row := range p.unitDossierRows(u) {
				if row.Label == "" {
					fromTo = append(fromTo, ftRow{u, row})
					continue
				}
				n++
				note := ""
				if u.Revised6 != 0 && strings.HasPrefix(row.Label, "6 tháng") {
					note = "Số liệu đã điều chỉnh"
				}
				if err := s.values(n, unit, l.district(dd.D), row.Label, num(r, row.Received), num(r, row.Online), num(r, row.Full),
					vnPercent(row.Full, row.Received), note); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := s.signatures("Lạng Sơn", p.end().AddDate(0, 0, 10), "Mã Thị Mai", "Tô Văn Quyên"); err != nil {
		return nil, err
	}
	if len(fromTo) > 0 {
		cols := []col{{Name: "STT"}, {Name: "Tên đơn vị"}, {Name: "Huyện"}, {Name: "Từ ngày"}, {Name: "Đến ngày"}, {Name: "Tổng số hồ sơ"},
			{Name: "Tiếp nhận trực tuyến"}, {Name: "Số hồ sơ toàn trình"}}
		s, err := b.sheet("Bổ sung", len(cols))
		if err != nil {
			return nil, err
		}
		if err := s.banner("SỐ LIỆU BỔ SUNG THEO KHOẢNG THỜI GIAN", s.b.title); err != nil {
			return nil, err
		}
		s.blank()
		if err := s.headers(cols); err != nil {
			return nil, err
		}
		for i, ft := range fromTo {
			var from, to any = ft.row.From, ft.row.To
			if i%3 == 1 {
				from, to = dmy(ft.row.From), dmy(ft.row.To)
			}
			if err := s.values(i+1, l.mess(ft.u.Name), l.district(ft.u.District), from, to, num(r, ft.row.Received), num(r, ft.row.Online), num(r, ft.row.Full)); err != nil {
				return nil, err
			}
		}
	}
	return b.bytes()
}

// ---- DVC dossier records ----

func (p *plan) recordsCSV(r *rand.Rand, dd *districtDVC) ([]byte, error) {
	recs := p.records[dd.D.Code]
	iso := dd.Records == "iso"
	var buf bytes.Buffer
	if !iso {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	level := "Mức độ DVC"
	w.Write([]string{"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Đơn vị tiếp nhận", "Huyện", "Ngày tiếp nhận", "Hình thức nộp", level, "Tình trạng xử lý"})
	procs := []string{"Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính", "Đăng ký khai tử", "Cấp giấy chứng nhận quyền sử dụng đất",
		"Đăng ký thành lập hộ kinh doanh", "Cấp bản sao trích lục hộ tịch", "Xác nhận tình trạng hôn nhân"}
	names := map[*dvcUnit]string{}
	for i, rc := range recs {
		full := "Một phần"
		if rc.Full {
			full = "Toàn trình"
		}
		if iso {
			full = map[bool]string{true: "Mức độ 4", false: "Mức độ 3"}[rc.Full]
		}
		date := dmy(rc.Date)
		if iso {
			date = rc.Date.Format("2006-01-02")
		}
		if rc.Reject == "baddate" {
			date = fmt.Sprintf("30/02/%d", rc.Date.Year())
		}
		name, ok := names[rc.Unit]
		if !ok {
			name = rc.Unit.Name
			names[rc.Unit] = name
		}
		status := pick(r, "Đã trả kết quả", "Đã trả kết quả", "Đã trả kết quả", "Đang xử lý")
		w.Write([]string{itoa(i + 1), rc.ID, pick(r, procs...), name, dd.D.Name, date, rc.Channel, full, status})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
