package sample

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"ntm"
)

func itoa(n int) string { return strconv.Itoa(n) }

var errorsJoin = errors.Join

// roman numbers group i (0-based) as an office does: I, II, … XX, XXI, … (an Arabic "21." after
// "XX." would read as a sub-group of XX).
func roman(i int) string {
	n := i + 1
	var b strings.Builder
	for _, d := range []struct {
		v int
		s string
	}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for ; n >= d.v; n -= d.v {
			b.WriteString(d.s)
		}
	}
	return b.String()
}

func dmy(t time.Time) string { return t.Format("02/01/2006") }

// num writes a count mostly as a number cell, sometimes as Vietnamese text ("1.234", "215").
func num(r *rand.Rand, n int) any {
	if n >= 1000 && chance(r, 50) || chance(r, 8) {
		return vnNumber(n)
	}
	return n
}

// fileJob is one export of a plan: built from its own random stream (so that exports can be
// built in any order or at once, reading the plan only), then written.
type fileJob struct {
	file   File
	stream uint64
	gen    func(r *rand.Rand) ([]byte, error)
}

// build renders the export's bytes.
func (j *fileJob) build(seed int64) ([]byte, error) {
	b, err := j.gen(rng(seed, j.stream))
	if err != nil {
		return nil, fmt.Errorf("sample: building %s: %w", filepath.Base(j.file.Path), err)
	}
	return b, nil
}

// write renders the plan into dir and returns the manifest.
func (p *plan) write(dir string) (Manifest, error) {
	jobs, err := p.jobs(dir)
	if err != nil {
		return Manifest{}, err
	}
	// Files are built concurrently, then written in manifest order.
	data, errs := make([][]byte, len(jobs)), make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data[i], errs[i] = j.build(p.seed)
		}()
	}
	wg.Wait()
	var m Manifest
	for i, j := range jobs {
		if errs[i] != nil {
			return Manifest{}, errs[i]
		}
		if err := writeIfChanged(j.file.Path, data[i]); err != nil {
			return Manifest{}, err
		}
		m.Files = append(m.Files, j.file)
	}
	m.Expected = p.expected()
	for i := range m.Expected {
		m.Expected[i].Period = p.period
	}
	return m, nil
}

// jobs lists the plan's exports under dir (created when missing), in manifest order.
func (p *plan) jobs(dir string) ([]*fileJob, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sample: cannot create %s: %w", dir, err)
	}
	var jobs []*fileJob
	emit := func(name string, ds ntm.Dataset, asOf *time.Time, desc string, gen func(r *rand.Rand) ([]byte, error)) error {
		jobs = append(jobs, &fileJob{file: File{Path: filepath.Join(dir, name), Dataset: ds, AsOf: asOf, Description: desc, Period: p.period},
			stream: uint64(101 + len(jobs)), gen: gen})
		return nil
	}
	year := p.period.Year
	var errs []error
	add := func(err error) { errs = append(errs, err) }

	add(emit("don-vi-hanh-chinh.csv", ntm.DatasetUnits, nil,
		"Danh mục đơn vị hành chính (tỉnh, huyện, xã, thôn) – file chuẩn", p.unitsCSV))
	add(emit(fmt.Sprintf("vpostcode-%s.xlsx", p.staleAsOf().Format("2006-01")), ntm.DatasetVpostcode, nil,
		"Vpostcode: số liệu gắn địa chỉ số cũ (quá 12 tháng), một sheet có dòng nhóm theo huyện", p.vpostcodeOld))
	add(emit(fmt.Sprintf("vpostcode-%s.xlsx", p.freshAsOf().Format("2006-01")), ntm.DatasetVpostcode, nil,
		"Vpostcode: số liệu gắn địa chỉ số mới nhất, mỗi huyện một sheet, tiêu đề hai dòng gộp ô", p.vpostcodeFresh))
	for i := range p.surveyFiles {
		sf := &p.surveyFiles[i]
		if len(p.surveyVillages(sf)) == 0 && !p.tiny {
			continue
		}
		add(emit(sf.Name, ntm.DatasetVillageSurvey, nil, "Phiếu tự đánh giá thôn thông minh ("+sf.Format+")",
			func(r *rand.Rand) ([]byte, error) { return p.surveyFileBytes(r, sf) }))
	}
	add(emit(fmt.Sprintf("ocop-san-pham-%d.xlsx", year), ntm.DatasetOCOPProducts, nil,
		"Danh sách sản phẩm OCOP, mỗi sàn TMĐT một cột (x hoặc đường dẫn)", p.ocopProducts))
	add(emit(fmt.Sprintf("ocop-gian-hang-tmdt-%d.xlsx", year), ntm.DatasetOCOPListings, nil,
		"Sản phẩm OCOP trên các sàn TMĐT khác (Đang bán / Ngừng bán)", p.ocopListings))
	add(emit(fmt.Sprintf("dvc-tthc-%d.xlsx", year), ntm.DatasetDVCProcedures, nil,
		"TTHC đủ điều kiện và đã cung cấp DVCTT (toàn trình, một phần)", p.proceduresNew))
	if p.hasOldTerms() {
		asOf := p.freshAsOf().AddDate(0, 0, -p.freshAsOf().Day())
		add(emit(fmt.Sprintf("dvc-muc-do-%d.xlsx", year), ntm.DatasetDVCProcedures, &asOf,
			"TTHC theo mức độ 4 / mức độ 3 (cách gọi cũ); file không ghi ngày, cần --as-of", p.proceduresOld))
	}
	add(emit(fmt.Sprintf("dvc-ho-so-%d.xlsx", year), ntm.DatasetDVCDossiers, nil,
		"Hồ sơ TTHC tiếp nhận và xử lý trực tuyến toàn trình theo kỳ báo cáo (tháng, quý, 6 tháng, 9 tháng, năm)", p.dossiers))
	for _, dd := range p.dvc {
		if recs := p.records[dd.D.Code]; len(recs) > 0 {
			dd := dd
			add(emit(fmt.Sprintf("dvc-ho-so-chi-tiet-%s-%d.csv", slug(dd.D.Name), year), ntm.DatasetDVCDossierRecords, nil,
				"Hồ sơ TTHC chi tiết từng hồ sơ (xuất từ Cổng DVC) – "+dd.D.Name,
				func(r *rand.Rand) ([]byte, error) { return p.recordsCSV(r, dd) }))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return jobs, nil
}

// ---- units ----

func (p *plan) unitsCSV(*rand.Rand) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to"})
	for _, d := range p.units.Districts {
		for _, c := range d.Communes {
			for _, v := range c.Villages {
				w.Write([]string{p.units.ProvinceCode, p.units.ProvinceName, d.Code, d.Name, c.Code, c.Name, v.Code, v.Name, v.Kind, "2020-01-01", ""})
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// ---- vpostcode ----

func (p *plan) vpostcodeOld(r *rand.Rand) ([]byte, error) {
	b, err := p.newBook("Báo cáo gắn địa chỉ số")
	if err != nil {
		return nil, err
	}
	cols := []col{{Name: "STT"}, {Name: "Tên huyện"}, {Name: "Tên xã"}, {Name: "Tên thôn"}, {Name: "Tổng số hộ gia đình"}, {Name: "Số hộ đã gắn địa chỉ số"},
		{Name: "Tổng số cơ quan, tổ chức"}, {Name: "Số cơ quan, tổ chức đã gắn địa chỉ số"}, {Name: "Ngày số liệu"}}
	s, err := b.sheet("Tổng hợp", len(cols))
	if err != nil {
		return nil, err
	}
	if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
		"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ TRÊN NỀN TẢNG VPOSTCODE",
		fmt.Sprintf("(Kèm theo Báo cáo số %d/BC-STTTT)", 100+r.IntN(300))); err != nil {
		return nil, err
	}
	if err := s.headers(cols); err != nil {
		return nil, err
	}
	if err := s.columnNumbers(len(cols)); err != nil {
		return nil, err
	}
	l := labeler{r}
	asOf := p.staleAsOf()
	var tot addrCounts
	for di, d := range p.units.Districts {
		if err := s.banner(roman(di)+". "+d.Name, s.b.bold); err != nil {
			return nil, err
		}
		n := 0
		for _, c := range d.Communes {
			for _, v := range c.Villages {
				o := v.Addr.Old
				if o == nil {
					continue
				}
				n++
				tot.HH += o.HH
				tot.HHWith += o.HHWith
				tot.Org += o.Org
				tot.OrgWith += o.OrgWith
				var date any = asOf
				if chance(r, 30) {
					date = dmy(asOf)
				}
				if err := s.values(n, l.district(d), l.commune(c), l.village(v), num(r, o.HH), num(r, o.HHWith), num(r, o.Org), num(r, o.OrgWith), date); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := s.values("", "Tổng cộng", "", "", tot.HH, tot.HHWith, tot.Org, tot.OrgWith); err != nil {
		return nil, err
	}
	if err := s.signatures("Lạng Sơn", asOf.AddDate(0, 0, 6), "Hoàng Thị Lan", "Nguyễn Văn Hùng"); err != nil {
		return nil, err
	}
	return b.bytes()
}

// vpostcodeLayouts vary the column order between district sheets.
var vpostcodeLayouts = [][]string{
	{"stt", "district", "commune", "village", "hh", "hhw", "org", "orgw", "pct", "note"},
	{"stt", "village", "commune", "district", "org", "orgw", "hh", "hhw", "note"},
	{"stt", "commune", "village", "district", "hh", "hhw", "note", "org", "orgw"},
}

var vpostcodeHeader = map[string]col{
	"stt": {Name: "STT"}, "district": {Name: "Huyện, thành phố"}, "commune": {Name: "Xã, phường, thị trấn"}, "village": {Name: "Thôn, tổ dân phố"},
	"hh": {Group: "Hộ gia đình", Name: "Tổng số"}, "hhw": {Group: "Hộ gia đình", Name: "Đã gắn địa chỉ số"},
	"org": {Group: "Cơ quan, tổ chức", Name: "Tổng số"}, "orgw": {Group: "Cơ quan, tổ chức", Name: "Đã gắn địa chỉ số"},
	"pct": {Name: "Tỷ lệ (%)"}, "note": {Name: "Ghi chú"},
}

var notes = []string{"", "", "", "", "", "Đã rà soát", "Số liệu Bưu điện huyện cung cấp", "Thôn sáp nhập năm 2021", "Đang cập nhật"}

func (p *plan) vpostcodeFresh(r *rand.Rand) ([]byte, error) {
	b, err := p.newBook("Báo cáo gắn địa chỉ số")
	if err != nil {
		return nil, err
	}
	l := labeler{r}
	asOf := p.freshAsOf()
	for di, d := range p.units.Districts {
		layout := vpostcodeLayouts[di%len(vpostcodeLayouts)]
		cols := make([]col, len(layout))
		for i, k := range layout {
			cols[i] = vpostcodeHeader[k]
		}
		s, err := b.sheet(d.Bare(), len(cols))
		if err != nil {
			return nil, err
		}
		if err := s.widths(6, 22, 22, 22, 12, 12, 12, 12, 12, 20); err != nil {
			return nil, err
		}
		if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
			"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ CHO HỘ GIA ĐÌNH, CƠ QUAN, TỔ CHỨC",
			strings.ToUpper(d.Name), "Số liệu đến ngày "+dmy(asOf)); err != nil {
			return nil, err
		}
		if err := s.headers(cols); err != nil {
			return nil, err
		}
		if di%2 == 0 {
			if err := s.columnNumbers(len(cols)); err != nil {
				return nil, err
			}
		}
		if err := s.banner(roman(0)+". "+d.Name, s.b.bold); err != nil {
			return nil, err
		}
		var total addrCounts
		for ci, c := range d.Communes {
			var rows []*village
			for _, v := range c.Villages {
				if v.Addr.State == fresh || v.Addr.State == rejected {
					rows = append(rows, v)
				}
			}
			unknown := p.extraRows.vpostUnknownVillage && di == 0 && ci == 0
			if len(rows) == 0 && !unknown {
				continue
			}
			if err := s.banner(fmt.Sprintf("%d. %s", ci+1, c.Name), 0); err != nil {
				return nil, err
			}
			var sub addrCounts
			for i, v := range rows {
				a := v.Addr.Now
				vals := map[string]any{"stt": i + 1, "district": l.district(d), "commune": l.commune(c), "village": l.village(v),
					"hh": num(r, a.HH), "hhw": num(r, a.HHWith), "org": num(r, a.Org), "orgw": num(r, a.OrgWith),
					"pct": vnPercent(a.HHWith, a.HH), "note": pick(r, notes...)}
				switch v.Addr.Reject {
				case "gt":
					vals["hhw"] = a.HH + 1 + r.IntN(5)
					vals["note"] = ""
				case "count":
					t := itoa(a.HH)
					vals["hh"] = t[:len(t)-1] + "O"
				}
				if err := s.values(rowOf(layout, vals)...); err != nil {
					return nil, err
				}
				sub.HH += a.HH
				sub.HHWith += a.HHWith
				sub.Org += a.Org
				sub.OrgWith += a.OrgWith
			}
			if unknown {
				vals := map[string]any{"stt": len(rows) + 1, "district": d.Name, "commune": c.Name, "village": "Thôn Mới",
					"hh": 41, "hhw": 30, "org": 0, "orgw": 0, "note": "Thôn mới thành lập"}
				if err := s.values(rowOf(layout, vals)...); err != nil {
					return nil, err
				}
			}
			subVals := map[string]any{"hh": vnNumber(sub.HH), "hhw": vnNumber(sub.HHWith), "org": sub.Org, "orgw": sub.OrgWith, "pct": vnPercent(sub.HHWith, sub.HH)}
			subVals[layout[1]] = "Cộng"
			if err := s.values(rowOf(layout, subVals)...); err != nil {
				return nil, err
			}
			total.HH += sub.HH
			total.HHWith += sub.HHWith
			total.Org += sub.Org
			total.OrgWith += sub.OrgWith
		}
		totVals := map[string]any{"hh": total.HH, "hhw": total.HHWith, "org": total.Org, "orgw": total.OrgWith, "pct": vnPercent(total.HHWith, total.HH)}
		totVals[layout[1]] = "Tổng cộng"
		if err := s.values(rowOf(layout, totVals)...); err != nil {
			return nil, err
		}
		if err := s.signatures("Lạng Sơn", asOf.AddDate(0, 0, 5), "Lương Thị Mai", "Hoàng Văn Thắng"); err != nil {
			return nil, err
		}
	}
	return b.bytes()
}

func rowOf(layout []string, vals map[string]any) []any {
	out := make([]any, len(layout))
	for i, k := range layout {
		out[i] = vals[k]
	}
	return out
}

// ---- village survey ----

func (p *plan) surveyVillages(sf *surveyFile) []*village {
	var out []*village
	for _, code := range sf.Districts {
		d := p.units.districtByCode(code)
		if d == nil {
			continue
		}
		for _, c := range d.Communes {
			for _, v := range c.Villages {
				if v.Survey.State == fresh || v.Survey.State == rejected || v.Survey.State == stale && sf.Format != "xlsx-title" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func yesNoText(r *rand.Rand, t tri) string {
	switch t {
	case yes:
		return pick(r, "Có", "Có", "Có", "x", "Đạt")
	case no:
		return pick(r, "Không", "Không", "Chưa đạt")
	}
	return ""
}

type surveyCells map[string]any

func (p *plan) surveyRow(r *rand.Rand, l labeler, v *village, sf *surveyFile, stt int) surveyCells {
	s := v.Survey
	c := surveyCells{"stt": stt, "code": v.Code, "district": l.district(v.Commune.District), "commune": l.commune(v.Commune), "village": l.village(v)}
	c["team"] = yesNoText(r, s.Team)
	if s.Team == yes && chance(r, 80) {
		c["decision"] = s.TeamDecision
	}
	c["platform"] = yesNoText(r, s.Platform)
	if s.Platform == yes {
		c["group"] = s.GroupNm
	}
	c["wifi"] = yesNoText(r, s.WiFi)
	var fields []string
	for _, f := range s.Fields {
		fd := modelField(f)
		if !containsStr(fields, fd) {
			fields = append(fields, fd)
		}
	}
	c["fields"] = strings.Join(fields, "; ")
	switch {
	case s.Models < 0:
	case !sf.ModelList:
		c["models"] = num(r, s.Models)
	case s.Models == 0:
		c["models"] = "0"
	case sf.Format == "csv":
		c["models"] = strings.Join(s.Fields, "\n")
	default:
		c["models"] = strings.Join(s.Fields, "; ")
	}
	if s.Models == 0 {
		c["fields"] = ""
	}
	if !s.AsOf.IsZero() {
		if chance(r, 50) && sf.Format != "csv" {
			c["asof"] = s.AsOf
		} else {
			c["asof"] = dmy(s.AsOf)
		}
	}
	switch s.Reject {
	case "misspelt":
		c["village"] = misspell(v.Name)
	case "baddate":
		c["asof"] = fmt.Sprintf("31/11/%d", p.freshAsOf().Year()) // November has 30 days
	}
	if chance(r, 5) {
		c["note"] = pick(r, "Tổ CNSCĐ đã kiện toàn", "Đã lắp WiFi tháng 9", "Nhóm Zalo hoạt động thường xuyên", "Đề nghị hỗ trợ thiết bị")
	}
	return c
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

var surveyHeaders = map[string]string{
	"stt": "STT", "code": "Mã thôn", "asof": "Ngày số liệu", "note": "Ghi chú", "fields": "Lĩnh vực",
	"team": "Tổ công nghệ số cộng đồng", "decision": "Số quyết định thành lập tổ", "platform": "Sử dụng nền tảng số",
}

func (p *plan) surveyFileBytes(r *rand.Rand, sf *surveyFile) ([]byte, error) {
	l := labeler{r}
	vs := p.surveyVillages(sf)
	switch sf.Format {
	case "csv":
		layout := []string{"code", "village", "commune", "district", "asof", "team", "decision", "platform", "group", "wifi", "models", "fields", "note"}
		hdr := map[string]string{"village": "Tên thôn", "commune": "Xã", "district": "Huyện", "group": "Nhóm Zalo/Facebook", "wifi": "Nhà văn hóa có WiFi miễn phí", "models": "Mô hình chuyển đổi số"}
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		w.Comma = ';'
		w.UseCRLF = true
		pad := func(s string) []string { out := make([]string, len(layout)); out[0] = s; return out }
		d := p.units.districtByCode(sf.Districts[0])
		w.Write(pad("UBND " + strings.ToUpper(d.Name)))
		w.Write(pad("TỔNG HỢP PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH"))
		w.Write(pad(""))
		var h []string
		for _, k := range layout {
			h = append(h, headerOf(k, hdr))
		}
		w.Write(h)
		for i, v := range vs {
			c := p.surveyRow(r, l, v, sf, i+1)
			w.Write(stringsOf(layout, c))
		}
		if len(d.Communes) > 0 {
			c := d.Communes[len(d.Communes)-1]
			w.Write(stringsOf(layout, surveyCells{"code": c.Code + "-999", "village": "Thôn Khuổi Mới", "commune": c.Name, "district": d.Name,
				"asof": dmy(p.freshAsOf()), "team": "Có", "platform": "Có", "wifi": "Không", "models": "0"}))
		}
		w.Flush()
		return buf.Bytes(), w.Error()
	}
	b, err := p.newBook("Tổng hợp phiếu tự đánh giá thôn thông minh")
	if err != nil {
		return nil, err
	}
	var layout []string
	hdr := map[string]string{}
	switch {
	case sf.Format == "xlsx-rowdate":
		layout = []string{"stt", "village", "commune", "district", "asof", "team", "platform", "group", "wifi", "models", "fields", "note"}
		hdr = map[string]string{"village": "Thôn/Bản", "commune": "Tên xã", "district": "Huyện", "group": "Nhóm Zalo/Facebook", "wifi": "Nhà văn hóa có WiFi miễn phí", "models": "Mô hình chuyển đổi số"}
	case sf.AsOf.Equal(p.freshAsOf()):
		layout = []string{"stt", "village", "commune", "district", "wifi", "team", "decision", "platform", "group", "models", "note"}
		hdr = map[string]string{"village": "Tên thôn", "commune": "Xã", "district": "Huyện", "group": "Tên nhóm", "wifi": "WiFi miễn phí tại nhà văn hóa", "models": "Số mô hình chuyển đổi số"}
	default:
		layout = []string{"stt", "district", "commune", "village", "team", "decision", "platform", "group", "wifi", "models", "fields", "note"}
		hdr = map[string]string{"village": "Thôn, tổ dân phố", "commune": "Xã, phường, thị trấn", "district": "Huyện, thành phố", "group": "Tên nhóm", "wifi": "WiFi miễn phí tại nhà văn hóa", "models": "Số mô hình chuyển đổi số"}
	}
	var cols []col
	for _, k := range layout {
		cols = append(cols, col{Name: headerOf(k, hdr)})
	}
	title := func(s *sheet, sub string) error {
		lines := []string{"BÁO CÁO TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ THÔN THÔNG MINH", sub}
		if sf.Format == "xlsx-title" {
			lines = append(lines, "Số liệu đến ngày "+dmy(sf.AsOf))
		}
		if err := s.officeTitle("UBND TỈNH LẠNG SƠN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", lines...); err != nil {
			return err
		}
		if err := s.headers(cols); err != nil {
			return err
		}
		return s.columnNumbers(len(cols))
	}
	sign := func(s *sheet) error {
		return s.signatures("Lạng Sơn", p.freshAsOf().AddDate(0, 0, 3), "Vi Thị Hạnh", "Lăng Văn Sinh")
	}
	if sf.Format == "xlsx-rowdate" {
		s, err := b.sheet("Tổng hợp", len(cols))
		if err != nil {
			return nil, err
		}
		if err := title(s, "(Các huyện gửi về)"); err != nil {
			return nil, err
		}
		n := 0
		var cur *district
		di := 0
		for _, v := range vs {
			if v.Commune.District != cur {
				cur = v.Commune.District
				if err := s.banner(roman(di)+". "+cur.Name, s.b.bold); err != nil {
					return nil, err
				}
				di++
				n = 0
			}
			n++
			if err := s.values(rowOf(layout, p.surveyRow(r, l, v, sf, n))...); err != nil {
				return nil, err
			}
			if n%40 == 0 {
				s.blank()
			}
		}
		if err := sign(s); err != nil {
			return nil, err
		}
		return b.bytes()
	}
	for _, code := range sf.Districts {
		d := p.units.districtByCode(code)
		if d == nil {
			continue
		}
		s, err := b.sheet(d.Bare(), len(cols))
		if err != nil {
			return nil, err
		}
		if err := title(s, strings.ToUpper(d.Name)); err != nil {
			return nil, err
		}
		n := 0
		for _, v := range vs {
			if v.Commune.District != d {
				continue
			}
			n++
			if err := s.values(rowOf(layout, p.surveyRow(r, l, v, sf, n))...); err != nil {
				return nil, err
			}
		}
		if err := sign(s); err != nil {
			return nil, err
		}
	}
	return b.bytes()
}

func headerOf(k string, extra map[string]string) string {
	if h, ok := extra[k]; ok {
		return h
	}
	return surveyHeaders[k]
}

func stringsOf(layout []string, c surveyCells) []string {
	out := make([]string, len(layout))
	for i, k := range layout {
		switch x := c[k].(type) {
		case string:
			out[i] = x
		case int:
			out[i] = itoa(x)
		case time.Time:
			out[i] = dmy(x)
		}
	}
	return out
}
