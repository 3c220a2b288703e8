package reports

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/dataset"
	"ntm/db"
	"ntm/evaluate"
	"ntm/scratch"
)

// Fill-in templates (`ntm template`, docs/reports.md): a workbook a district or commune fills in and sends back,
// which loads through `ntm ingest` unchanged. The headers are the canonical labels of the loader's
// dataset specs (transform/datasets.go); reports does not import transform (it would pull in the
// readers of ingest), so they are written here and a test checks each against the spec.

// TemplateDatasets are the datasets `ntm template` writes (their declarations say which).
var TemplateDatasets = dataset.Templates()

// TemplateOptions says for whom and for which period a template is written.
type TemplateOptions struct {
	Recipient string // a province, district or commune code; "" = the whole province (when there is one)
	// Date: the unit structure in force on this day; zero = today, or the end of Period when that
	// is earlier (a template for a past period lists the villages of that period).
	Date time.Time
	// Period is the reporting period the answers are for, named in the title; zero = the period
	// of Date.
	Period ntm.Period
	// Prefill writes, in the village templates (village_survey, vpostcode), each village's last
	// loaded answers as of the period's end, with their date, shaded, for the commune to check.
	Prefill bool
	// BlankRows is how many empty, validated rows follow the pre-listed ones in the product and
	// listing templates (new entries); 0 = 200.
	BlankRows int
}

// template column kinds: how a column is validated and formatted.
const (
	tcText = iota
	tcCode
	tcYesNo
	tcDate
	tcCount
	tcCountLE // a count not above the count in the column before it ("with address" ≤ total)
	tcStars
	tcPlatform
	tcStatus
	tcCommune
)

type tcol struct {
	header string
	width  float64
	kind   int
	prompt string // shown when the cell is selected
}

// templateSheet is the one sheet the loader reads; templateLists holds the drop-down lists.
const (
	templateSheet = "Biểu mẫu"
	templateLists = "Danh mục"
	templateRef   = "Sản phẩm chưa lên sàn"
)

// Labels of the loader's specs (transform/datasets.go), checked by TestTemplateHeadersAreCanonical.
const (
	hCommuneCode = "Mã xã"
	hCommune     = "Xã"
	hVillageCode = "Mã thôn"
	hVillage     = "Thôn"
	hAsOf        = "Ngày số liệu"
)

var templatePlatforms = []string{"Postmart", "Voso", "Shopee", "Lazada", "Tiki", "Sendo", "TikTok Shop", "Sàn TMĐT tỉnh", "Sàn khác"}

var platformLabels = map[string]string{
	"postmart": "Postmart", "voso": "Voso", "shopee": "Shopee", "lazada": "Lazada", "tiki": "Tiki",
	"sendo": "Sendo", "tiktok": "TikTok Shop", "province": "Sàn TMĐT tỉnh", "other": "Sàn khác",
}

func platformLabel(code string) string {
	if l, ok := platformLabels[code]; ok {
		return l
	}
	return code
}

type templateSpec struct {
	title        string
	instructions []string
	cols         []tcol
	// example is the example row under the header, by column; "{date}" is the period's last day,
	// "{commune}" the first commune's name, "{first}" the first pre-listed row's cell. Its first
	// cell reads "Ví dụ": the loader skips it (transform's SkipExample).
	example []string
}

var villageCols = []tcol{
	{"STT", 6, tcText, ""},
	{hCommuneCode, 8, tcCode, ""},
	{hCommune, 18, tcText, ""},
	{hVillageCode, 11, tcCode, ""},
	{hVillage, 18, tcText, ""},
	{hAsOf, 12, tcDate, "Ngày của số liệu: gõ ngày/tháng/năm, đủ 2 chữ số ngày, 2 chữ số tháng, 4 chữ số năm, ví dụ 05/12/2024."},
}

// villageExample is the example row's unit columns of the village templates.
var villageExample = []string{"Ví dụ", "{first}", "{first}", "{first}", "{first}", "{date}"}

var templateSpecs = map[ntm.Dataset]templateSpec{
	ntm.DatasetVillageSurvey: {
		title: "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH",
		instructions: []string{
			"Mỗi dòng là một thôn, tổ dân phố (đã liệt kê sẵn kèm mã). Mã, tên thôn và tên cột đã khoá, không sửa được; không thêm cột.",
			"Các cột Có/Không: chọn trong danh sách; chưa rõ thì để trống (để trống là chưa có số liệu, không phải “Không”).",
			"Số mô hình chuyển đổi số: ghi số nguyên (0 nếu chưa có); lĩnh vực của các mô hình ghi ở cột “Lĩnh vực”, cách nhau bằng dấu chấm phẩy.",
			"Thôn nào chưa có số liệu thì để trống cả dòng (dòng để trống không được nạp, thôn đó được tính là chưa có số liệu).",
			"Dòng “Ví dụ” ngay dưới tên cột chỉ để xem cách ghi, không được nạp. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: append(append([]tcol(nil), villageCols...),
			tcol{"Tổ công nghệ số cộng đồng", 11, tcYesNo, "Thôn đã thành lập và duy trì hoạt động Tổ công nghệ số cộng đồng?"},
			tcol{"Số quyết định thành lập tổ", 15, tcText, "Ví dụ: 12/QĐ-UBND ngày 01/03/2023"},
			tcol{"Sử dụng nền tảng số", 11, tcYesNo, "Cán bộ thôn dùng nền tảng số (Zalo, Facebook…) để thông tin, tương tác với người dân?"},
			tcol{"Nhóm Zalo/Facebook", 16, tcText, "Tên nhóm hoặc đường link"},
			tcol{"WiFi miễn phí tại nhà văn hóa", 11, tcYesNo, "Nhà văn hoá thôn có WiFi miễn phí?"},
			tcol{"Số mô hình chuyển đổi số", 10, tcCount, "Số nguyên ≥ 0"},
			tcol{"Lĩnh vực", 18, tcText, "Lĩnh vực của các mô hình, cách nhau bằng dấu chấm phẩy"},
		),
		example: append(append([]string(nil), villageExample...), "Có", "12/QĐ-UBND", "Có", "Zalo Khối Phố Mới", "Không", "2", "Nông nghiệp; Du lịch"),
	},
	ntm.DatasetVpostcode: {
		title: "SỐ LIỆU GẮN ĐỊA CHỈ SỐ (VPOSTCODE) THEO THÔN",
		instructions: []string{
			"Mỗi dòng là một thôn, tổ dân phố (đã liệt kê sẵn kèm mã). Mã, tên thôn và tên cột đã khoá, không sửa được; không thêm cột.",
			"Các số là số nguyên ≥ 0; số đã gắn địa chỉ số không lớn hơn tổng số. Thôn không có cơ quan, tổ chức, doanh nghiệp nào: ghi 0 ở cả hai cột cơ quan, tổ chức.",
			"Thôn nào chưa có số liệu thì để trống cả dòng (dòng để trống không được nạp, thôn đó được tính là chưa có số liệu).",
			"Dòng “Ví dụ” ngay dưới tên cột chỉ để xem cách ghi, không được nạp. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: append(append([]tcol(nil), villageCols...),
			tcol{"Tổng số hộ", 11, tcCount, "Tổng số hộ gia đình của thôn"},
			tcol{"Số hộ đã gắn địa chỉ số", 12, tcCountLE, "Không lớn hơn tổng số hộ"},
			tcol{"Tổng số cơ quan, tổ chức", 13, tcCount, "Cơ quan, tổ chức, doanh nghiệp; 0 nếu không có"},
			tcol{"Số cơ quan, tổ chức đã gắn địa chỉ số", 14, tcCountLE, "Không lớn hơn tổng số cơ quan, tổ chức"},
		),
		example: append(append([]string(nil), villageExample...), "120", "118", "3", "3"),
	},
	ntm.DatasetOCOPProducts: {
		title: "DANH SÁCH SẢN PHẨM OCOP",
		instructions: []string{
			"Mỗi dòng là một sản phẩm OCOP đã được công nhận. Các sản phẩm đã có trong cơ sở dữ liệu được liệt kê sẵn (mã sản phẩm đã khoá): sửa nếu sai, bổ sung sản phẩm mới ở các dòng trống.",
			"Hạng sao: chọn 3, 4 hoặc 5. Xã: chọn trong danh sách. Ngày hết hạn để trống thì tính 36 tháng từ ngày công nhận.",
			"Không đổi tên cột, không thêm cột. Dòng “Ví dụ” ngay dưới tên cột chỉ để xem cách ghi, không được nạp. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: []tcol{
			{"STT", 6, tcText, ""},
			{"Mã sản phẩm", 11, tcCode, "Mã sản phẩm, nếu có"},
			{"Tên sản phẩm", 24, tcText, ""},
			{"Hạng sao", 7, tcStars, "3, 4 hoặc 5 sao"},
			{"Nhóm sản phẩm", 13, tcText, ""},
			{"Chủ thể", 22, tcText, "Hợp tác xã, doanh nghiệp hoặc hộ sản xuất"},
			{hCommune, 18, tcCommune, "Chọn xã trong danh sách"},
			{"Số quyết định", 14, tcText, "Số quyết định công nhận"},
			{"Ngày công nhận", 12, tcDate, "Gõ ngày/tháng/năm, đủ 2 chữ số ngày, 2 chữ số tháng, 4 chữ số năm, ví dụ 15/03/2024."},
			{"Ngày hết hạn", 12, tcDate, "Gõ ngày/tháng/năm như ngày công nhận; để trống: 36 tháng từ ngày công nhận."},
		},
		example: []string{"Ví dụ", "", "Miến dong Chi Lăng", "4", "Thực phẩm", "HTX Miến dong Chi Lăng", "{commune}", "123/QĐ-UBND", "15/03/2024", ""},
	},
	ntm.DatasetOCOPListings: {
		title: "SẢN PHẨM OCOP TRÊN SÀN THƯƠNG MẠI ĐIỆN TỬ",
		instructions: []string{
			"Mỗi dòng là một sản phẩm trên một sàn TMĐT. Các sản phẩm đã lên sàn được liệt kê sẵn; sản phẩm chưa lên sàn nào xem ở trang “" + templateRef + "”.",
			"Sàn TMĐT và trạng thái: chọn trong danh sách. Sản phẩm ngừng bán thì chọn “Ngừng bán”, không xoá dòng.",
			"Không đổi tên cột, không thêm cột. Dòng “Ví dụ” ngay dưới tên cột chỉ để xem cách ghi, không được nạp. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: []tcol{
			{"STT", 6, tcText, ""},
			{"Mã sản phẩm", 11, tcCode, "Mã sản phẩm, nếu có"},
			{"Tên sản phẩm", 24, tcText, ""},
			{"Chủ thể", 22, tcText, ""},
			{"Sàn TMĐT", 13, tcPlatform, "Chọn sàn trong danh sách"},
			{"Đường dẫn", 34, tcText, "Đường link của sản phẩm trên sàn"},
			{"Ngày đăng", 12, tcDate, "Gõ ngày/tháng/năm, đủ 2 chữ số ngày, 2 chữ số tháng, 4 chữ số năm, ví dụ 02/05/2024."},
			{"Trạng thái", 11, tcStatus, "Đang bán hoặc Ngừng bán"},
		},
		example: []string{"Ví dụ", "", "Miến dong Chi Lăng", "HTX Miến dong Chi Lăng", "Shopee", "https://shopee.vn/mien-dong-chi-lang", "02/05/2024", "Đang bán"},
	},
}

// templateScope is the units a template covers.
type templateScope struct {
	unit     *unit
	communes []*unit
}

// loadTemplateScope reads the recipient and its communes in force on day.
func loadTemplateScope(ctx context.Context, q db.Querier, recipient string, day time.Time) (*templateScope, error) {
	d := &data{units: map[string]*unit{}, children: map[string][]*unit{}, period: ntm.PeriodOf(day), src: &runSources{}}
	if err := d.loadUnitsAt(ctx, q, day); err != nil {
		return nil, err
	}
	var u *unit
	if recipient == "" {
		for _, x := range d.units {
			if x.Level == string(ntm.LevelProvince) {
				if u != nil {
					return nil, fmt.Errorf("có nhiều tỉnh trong danh mục: chọn một đơn vị bằng --recipient")
				}
				u = x
			}
		}
		if u == nil {
			return nil, fmt.Errorf("không có tỉnh nào trong danh mục đơn vị hành chính ngày %s: nạp danh mục bằng ntm units import", day.Format("02/01/2006"))
		}
	} else if u = d.units[recipient]; u == nil {
		return nil, fmt.Errorf("không có tỉnh, huyện hoặc xã mã %q còn hiệu lực ngày %s: kiểm tra mã đơn vị (--recipient)", recipient, day.Format("02/01/2006"))
	}
	s := &templateScope{unit: u}
	var walk func(x *unit)
	walk = func(x *unit) {
		if x.Level == string(ntm.LevelCommune) {
			s.communes = append(s.communes, x)
			return
		}
		for _, c := range d.children[x.Code] {
			walk(c)
		}
	}
	walk(u)
	return s, nil
}

// villagesOf lists the villages of the communes in force on day, by commune then code.
func villagesOf(ctx context.Context, q db.Querier, communes []*unit, day time.Time) ([][2]string, error) {
	codes := make([]string, len(communes))
	for i, c := range communes {
		codes[i] = c.Code
	}
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (code) code, name, parent_code FROM unit
		WHERE level = 'village' AND parent_code = ANY($1) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)
		ORDER BY code, valid_from DESC`, codes, day)
	if err != nil {
		return nil, fmt.Errorf("read the villages: %w", err)
	}
	defer rows.Close()
	type v struct{ code, name, parent string }
	var vs []v
	for rows.Next() {
		var x v
		if err := rows.Scan(&x.code, &x.name, &x.parent); err != nil {
			return nil, fmt.Errorf("read the villages: %w", err)
		}
		vs = append(vs, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the villages: %w", err)
	}
	pos := map[string]int{}
	for i, c := range communes {
		pos[c.Code] = i
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if pos[vs[i].parent] != pos[vs[j].parent] {
			return pos[vs[i].parent] < pos[vs[j].parent]
		}
		return vs[i].code < vs[j].code
	})
	out := make([][2]string, len(vs))
	for i, x := range vs {
		out[i] = [2]string{x.code, x.name}
	}
	return out, nil
}

// WriteTemplate writes a fill-in workbook for dataset to path: the recipient's villages (survey,
// digital addresses) or its current OCOP products and listings pre-listed, the period and the date
// rule in the title, an example row, the code columns locked (the sheet is protected, the fill-in
// cells are not), drop-down lists for yes/no answers, stars, communes, platforms and states,
// dates as text cells validated as dd/mm/yyyy, validated counts, and the instructions above the
// table. A filled template loads through the loader unchanged.
func WriteTemplate(ctx context.Context, q db.Querier, dataset ntm.Dataset, path string, opts TemplateOptions) (err error) {
	spec, ok := templateSpecs[dataset]
	if !ok {
		var names []string
		for _, d := range TemplateDatasets {
			names = append(names, string(d))
		}
		return fmt.Errorf("không có biểu mẫu cho bộ dữ liệu %q: chọn một trong %s", dataset, strings.Join(names, ", "))
	}
	day := opts.Date
	if day.IsZero() {
		now := time.Now().In(vietnam)
		day = ntm.Date(now.Year(), now.Month(), now.Day())
		if opts.Period.Year != 0 && opts.Period.End().Before(day) {
			day = opts.Period.End()
		}
	}
	period := opts.Period
	if period.Year == 0 {
		period = ntm.PeriodOf(day)
	}
	sc, err := loadTemplateScope(ctx, q, opts.Recipient, day)
	if err != nil {
		return err
	}
	blank := opts.BlankRows
	if blank <= 0 {
		blank = 200
	}
	t := &templateDoc{dataset: dataset, spec: spec, sc: sc, day: day, period: period}
	communeName := map[string]string{}
	for _, c := range sc.communes {
		t.communes = append(t.communes, c.Name)
		communeName[c.Code] = c.Name
	}
	switch dataset {
	case ntm.DatasetVillageSurvey, ntm.DatasetVpostcode:
		vs, err := villagesOf(ctx, q, sc.communes, day)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return fmt.Errorf("%s chưa có thôn nào trong danh mục ngày %s: nạp danh mục thôn bằng ntm units import", sc.unit.Name, day.Format("02/01/2006"))
		}
		var last map[string]answer
		if opts.Prefill {
			codes := make([]string, len(vs))
			for i, v := range vs {
				codes[i] = v[0]
			}
			lim := staleness{months: evaluate.Builtin().StaleMonths}
			if set, err := evaluate.SetInForce(ctx, q, period.End()); err == nil {
				lim.months = set.StaleMonths
			}
			lim.fresh = evaluate.StaleBefore(period, lim.months)
			t.staleMonths = lim.months
			if last, err = lastAnswers(ctx, q, dataset, codes, day, period.End(), lim); err != nil {
				return err
			}
			t.prefilled = len(last)
			for _, a := range last {
				if a.stale {
					t.stale++
				}
				if len(a.from) > 0 {
					t.inherited++
					if a.cells[0] == nil && !a.stale {
						t.undated++
					}
					for i := range a.notes {
						if i > 0 { // a note on an answer: the former villages disagreed
							t.disagree++
							break
						}
					}
				}
			}
		}
		for _, v := range vs {
			commune := v[0][:strings.IndexByte(v[0]+"-", '-')]
			r := templateRow{cells: []any{nil, commune, communeName[commune], v[0], v[1]}, given: 5}
			if a, ok := last[v[0]]; ok {
				r.cells = append(r.cells, a.cells...)
				r.prefilled = true
				for i, n := range a.notes {
					if r.notes == nil {
						r.notes = map[int]string{}
					}
					r.notes[r.given+i] = n
				}
			}
			t.rows = append(t.rows, r)
		}
		blank = 0
	case ntm.DatasetOCOPProducts, ntm.DatasetOCOPListings:
		ps, err := countryProducts(ctx, q, sc.communes, day)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if dataset == ntm.DatasetOCOPProducts {
				var cert, exp any
				if p.Certified != nil {
					cert = p.Certified.Format("02/01/2006")
				}
				if p.Expires != nil {
					exp = p.Expires.Format("02/01/2006")
				}
				t.rows = append(t.rows, templateRow{cells: []any{nil, p.Code, p.Name, p.Stars, p.Category, p.Owner, communeName[p.Commune], p.Decision, cert, exp},
					given: 1, lockCode: p.Code != ""})
				continue
			}
			if len(p.Listings) == 0 {
				t.unlisted = append(t.unlisted, []any{nil, p.Code, p.Name, p.Owner, communeName[p.Commune], p.Stars})
			}
			for _, l := range p.Listings {
				var listed any
				if l.Listed != nil {
					listed = l.Listed.Format("02/01/2006")
				}
				state := "Đang bán"
				if !l.Active {
					state = "Ngừng bán"
				}
				t.rows = append(t.rows, templateRow{cells: []any{nil, p.Code, p.Name, p.Owner, platformLabel(l.Platform), l.URL, listed, state},
					given: 1, lockCode: p.Code != ""})
			}
		}
	}
	t.blank = blank
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create the folder of %s: %w", path, err)
	}
	return buildWorkbook(path, t.fill)
}

// templateRow is one pre-listed row: its cells by column (STT first, written by the writer).
type templateRow struct {
	cells     []any
	given     int            // the leading columns that are given (shaded, locked): STT and the unit or product
	lockCode  bool           // a pre-listed product with a code: its code column is locked too
	prefilled bool           // the cells after the given ones are the village's last loaded answers
	notes     map[int]string // cell notes by column index (0-based): why a pre-filled cell is empty
}

// templateDoc is one template being written.
type templateDoc struct {
	dataset     ntm.Dataset
	spec        templateSpec
	sc          *templateScope
	day         time.Time
	period      ntm.Period
	rows        []templateRow
	unlisted    [][]any
	communes    []string
	blank       int
	prefilled   int // villages with last answers written
	inherited   int // of which answers of the villages they were formed from (a change of structure)
	undated     int // of which with the date left empty (their code meant another village then)
	disagree    int // of which with answers left empty because the former villages disagreed
	stale       int // villages whose last answers are older than the staleness limit: date left empty
	staleMonths int
}

// templatePeriodText names the period and its days: "tháng 12/2024 (01/12/2024 – 31/12/2024)". It
// never says "đến ngày …", which the loader would read as the file's as-of date.
func templatePeriodText(p ntm.Period) string {
	return fmt.Sprintf("tháng %d/%d (%s – %s)", int(p.Month), p.Year, p.Start().Format("02/01/2006"), p.End().Format("02/01/2006"))
}

// templateDateRule is the date rule of every template, in its title rows.
const templateDateRule = "Cách ghi ngày: ngày/tháng/năm, đủ 2 chữ số ngày, 2 chữ số tháng và 4 chữ số năm, ví dụ 05/12/2024. " +
	"Ô ngày là ô chữ: gõ đúng như vậy, máy tính cài đặt ngôn ngữ, vùng nào cũng được."

// dateValidation is the custom validation of a date column whose first cell is ref: text
// dd/mm/yyyy of a day that exists (month 1–12, year 2000–2100, the day within its month), or a
// number (a real date pasted in; typing into a text cell never makes one). The cells are text, so
// nothing is converted as typed whatever the computer's regional settings; a date-serial
// validation would reject "30/11/2024" where the settings read dates month first (en-US). Excel
// takes at most 255 characters: 251 with a six-character ref; no LET, and no TEXT (its format
// codes depend on the language), so Excel and LibreOffice read it alike.
func dateValidation(ref string) string {
	return strings.ReplaceAll(`OR(ISNUMBER(@),AND(LEN(@)=10,MID(@,3,1)="/",MID(@,6,1)="/",`+
		`ABS(VALUE(MID(@,4,2))-6.5)<6,ABS(VALUE(RIGHT(@,4))-2050)<51,`+
		`DAY(DATE(VALUE(RIGHT(@,4)),VALUE(MID(@,4,2)),VALUE(LEFT(@,2))))=VALUE(LEFT(@,2))))`, "@", ref)
}

// xmlText escapes text for XML element content.
var xmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// wrapWords splits s into lines of at most width characters, at spaces.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// templateFont is the templates' font: Times New Roman, the font of Vietnamese administrative
// documents, on every Windows computer, and metric-compatible with Liberation Serif, which
// LibreOffice draws it with elsewhere, so a template prints alike (Calibri, excelize's default,
// is drawn with a wider font where it is missing and the page shrinks).
const templateFont = "Times New Roman"

// templateStyles are the cell styles of a template, every font named.
type templateStyles struct {
	title, bold, subtitle, instr, rule, header, text int
	given, givenCode, example                        int // locked
	in, inText, inCount, prev, prevText, prevCount   int // unlocked; prev: last answers, shaded
}

func newTemplateStyles(f *excelize.File) (*templateStyles, error) {
	if err := f.SetDefaultFont(templateFont); err != nil {
		return nil, err
	}
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	top := &excelize.Alignment{Vertical: "top"}
	unlocked := &excelize.Protection{Locked: false}
	locked := &excelize.Protection{Locked: true}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	font := func(size float64, bold, italic bool, color string) *excelize.Font {
		return &excelize.Font{Family: templateFont, Size: size, Bold: bold, Italic: italic, Color: color}
	}
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		if s.Font == nil {
			s.Font = font(11, false, false, "")
		}
		id, e := f.NewStyle(s)
		err = e
		return id
	}
	const prevFill = "FFF2CC"
	input := func(numFmt int, bg string) int {
		s := &excelize.Style{Border: border, Alignment: top, NumFmt: numFmt, Protection: unlocked}
		if bg != "" {
			s.Fill = fill(bg)
		}
		return style(s)
	}
	ts := &templateStyles{
		title:    style(&excelize.Style{Font: font(14, true, false, "")}),
		bold:     style(&excelize.Style{Font: font(11, true, false, "")}),
		subtitle: style(&excelize.Style{Font: font(11, false, true, "")}),
		instr:    style(&excelize.Style{Font: font(11, false, true, "1F4E78")}),
		rule:     style(&excelize.Style{Font: font(11, true, false, "C00000")}),
		header: style(&excelize.Style{Font: font(11, true, false, ""), Fill: fill(fillHeader), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}),
		text: style(&excelize.Style{Border: border, Alignment: top}),
		// Given cells (STT, codes, names of the pre-listed units): grey and locked.
		given:     style(&excelize.Style{Border: border, Fill: fill("F2F2F2"), Alignment: top, Protection: locked}),
		givenCode: style(&excelize.Style{Border: border, Fill: fill("F2F2F2"), Alignment: top, NumFmt: 49, Protection: locked}),
		example: style(&excelize.Style{Border: border, Alignment: top, NumFmt: 49, Protection: locked,
			Font: font(11, false, true, "7F7F7F"), Fill: fill("EDEDED")}),
		// Fill-in cells: unlocked; last answers light yellow.
		in: input(0, ""), inText: input(49, ""), inCount: input(1, ""),
		prev: input(0, prevFill), prevText: input(49, prevFill), prevCount: input(1, prevFill),
	}
	return ts, err
}

// fill writes the template's sheets.
func (t *templateDoc) fill(f *excelize.File, _ *styles) error {
	spec, sc := t.spec, t.sc
	ts, err := newTemplateStyles(f)
	if err != nil {
		return err
	}
	given, givenCode, example := ts.given, ts.givenCode, ts.example
	in, inText, inCount := ts.in, ts.inText, ts.inCount
	prev, prevText, prevCount := ts.prev, ts.prevText, ts.prevCount
	instr, rule := ts.instr, ts.rule

	if err := f.SetSheetName("Sheet1", templateSheet); err != nil {
		return err
	}
	sh := templateSheet
	ncols := len(spec.cols)
	width := 0.0
	for _, c := range spec.cols {
		width += c.width
	}
	// Title rows: one cell each, not merged (the loader's header search would take a merged cell
	// for a group header), wrapped to the table's width so nothing prints past its last column.
	// A column width unit holds about one character of 11 pt Times New Roman (a digit and its
	// padding); bold and larger text hold fewer.
	type line struct {
		text   string
		style  int
		height float64
	}
	var head []line
	add := func(text string, style int, chars float64, height float64) {
		for _, l := range wrapWords(text, int(chars)) {
			head = append(head, line{l, style, height})
		}
	}
	add(fmt.Sprintf("%s – KỲ THÁNG %d/%d", spec.title, int(t.period.Month), t.period.Year), ts.title, width*0.85*11/14, 21)
	add(fmt.Sprintf("%s. Kỳ báo cáo: %s.", recipientLabel(sc.unit), templatePeriodText(t.period)), ts.bold, width*0.9, 0)
	add(templateDateRule, rule, width*0.9, 0)
	add(fmt.Sprintf("Biểu mẫu lập ngày %s theo danh mục đơn vị hành chính còn hiệu lực; bộ dữ liệu: %s (%s).",
		t.day.Format("02/01/2006"), datasetName(string(t.dataset)), t.dataset), ts.subtitle, width, 0)
	head = append(head, line{"HƯỚNG DẪN:", ts.bold, 0})
	instructions := spec.instructions
	if t.prefilled > 0 {
		instructions = append([]string{fmt.Sprintf("Các ô tô vàng là câu trả lời đã nạp lần trước của %d thôn, kèm ngày của số liệu đó. "+
			"Kiểm tra lại từng thôn: còn đúng thì chỉ sửa “Ngày số liệu” thành ngày kiểm tra; sai thì sửa câu trả lời và ghi ngày mới; "+
			"thôn chưa kiểm tra thì để nguyên (dòng đó được nạp lại đúng như lần trước).", t.prefilled)}, instructions...)
		if t.inherited > 0 {
			extra := fmt.Sprintf("%d thôn được sắp xếp lại chưa có số liệu của chính thôn: câu trả lời tô vàng là của (các) thôn cũ đã hợp thành thôn đó, "+
				"câu trả lời khác nhau giữa các thôn cũ để trống, số hộ và cơ quan, tổ chức là tổng của các thôn cũ.", t.inherited)
			if t.disagree > 0 {
				extra += fmt.Sprintf(" %d thôn có câu trả lời khác nhau giữa các thôn cũ: ô đó để trống, ghi chú trên ô (Excel: rê chuột vào ô có dấu tam giác đỏ) ghi thôn cũ nào trả lời gì, hỏi lại thôn rồi ghi câu trả lời.", t.disagree)
			}
			if t.undated > 0 {
				extra += fmt.Sprintf(" %d dòng trong số đó để trống “Ngày số liệu” (mã thôn trước đây là của thôn khác): phải ghi ngày kiểm tra thì dòng mới được nạp.", t.undated)
			}
			instructions = append(instructions[:1], append([]string{extra}, instructions[1:]...)...)
		}
		if t.stale > 0 {
			instructions = append(instructions[:1], append([]string{fmt.Sprintf("%d thôn có câu trả lời lần trước đã quá %d tháng, không còn được tính: ô “Ngày số liệu” của các thôn đó để trống, "+
				"ghi chú trên ô ghi “Trả lời kỳ trước, ngày …”. Kiểm tra lại với thôn, sửa nếu cần và ghi ngày kiểm tra; để trống ngày thì dòng đó không được nạp.", t.stale, t.staleMonths)}, instructions[1:]...)...)
		}
	}
	for i, s := range instructions {
		add(fmt.Sprintf("%d. %s", i+1, s), instr, width, 0)
	}
	hdrRow := len(head) + 2 // a blank row, then the header
	exRow := hdrRow + 1
	first := exRow + 1
	last := exRow + max(1, len(t.rows)+t.blank)
	if err := f.SetSheetDimension(sh, rangeRef(1, 1, ncols, last)); err != nil {
		return err
	}
	if err := templatePrintSetup(f, sh, fmt.Sprintf("$%d:$%d", hdrRow, hdrRow),
		fmt.Sprintf("%s – %s – kỳ tháng %d/%d", datasetName(string(t.dataset)), sc.unit.Name, int(t.period.Month), t.period.Year)); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	// Last column first: the stream writer puts each width before those already set, and Excel
	// wants the <col> elements in ascending order (it offers to repair the file otherwise).
	for i := len(spec.cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, spec.cols[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(freezePanes(first, 1)); err != nil {
		return err
	}
	for i, h := range head {
		var ro []excelize.RowOpts
		if h.height > 0 {
			ro = append(ro, excelize.RowOpts{Height: h.height})
		}
		if err := sw.SetRow(cellName(1, i+1), []any{excelize.Cell{Value: h.text, StyleID: h.style}}, ro...); err != nil {
			return err
		}
	}
	// The header: as many lines as its longest label needs in a wider font, 15 pt each.
	hdr := make([]any, ncols)
	lines := 1
	for i, c := range spec.cols {
		hdr[i] = excelize.Cell{Value: c.header, StyleID: ts.header}
		n := len(wrapWords(c.header, max(1, int(c.width*0.85)-1)))
		lines = max(lines, n)
	}
	if err := sw.SetRow(cellName(1, hdrRow), hdr, excelize.RowOpts{Height: float64(15*lines + 4)}); err != nil {
		return err
	}
	// The example row.
	ex := make([]any, ncols)
	for j := range spec.cols {
		v := ""
		if j < len(spec.example) {
			v = spec.example[j]
		}
		switch v {
		case "{date}":
			v = t.period.End().Format("02/01/2006")
		case "{commune}":
			v = ""
			if len(t.communes) > 0 {
				v = t.communes[0]
			}
		case "{first}":
			v = ""
			if len(t.rows) > 0 && j < len(t.rows[0].cells) {
				v = fmt.Sprint(t.rows[0].cells[j])
			}
		}
		ex[j] = excelize.Cell{Value: v, StyleID: example}
	}
	if err := sw.SetRow(cellName(1, exRow), ex); err != nil {
		return err
	}
	inputStyle := func(c tcol, prefilled bool) int {
		switch {
		case c.kind == tcCode || c.kind == tcDate:
			if prefilled {
				return prevText
			}
			return inText
		case c.kind == tcCount || c.kind == tcCountLE || c.kind == tcStars:
			if prefilled {
				return prevCount
			}
			return inCount
		}
		if prefilled {
			return prev
		}
		return in
	}
	for i, r := range t.rows {
		cells := make([]any, ncols)
		for j, c := range spec.cols {
			var v any
			if j < len(r.cells) {
				v = r.cells[j]
			}
			if j == 0 {
				v = i + 1
			}
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			var sid int
			switch {
			case j < r.given && c.kind == tcCode, j == 1 && r.lockCode:
				sid = givenCode
			case j < r.given:
				sid = given
			default:
				sid = inputStyle(c, r.prefilled && v != nil)
			}
			cells[j] = excelize.Cell{Value: v, StyleID: sid}
		}
		if err := sw.SetRow(cellName(1, first+i), cells); err != nil {
			return err
		}
	}
	for i := 0; i < t.blank; i++ {
		cells := make([]any, ncols)
		for j, c := range spec.cols {
			sid := inputStyle(c, false)
			if j == 0 {
				sid = given
			}
			cells[j] = excelize.Cell{StyleID: sid}
		}
		if err := sw.SetRow(cellName(1, first+len(t.rows)+i), cells); err != nil {
			return err
		}
	}
	// Validations, protection, filter: before Flush, or the stream writer drops them.
	for j, c := range spec.cols {
		col := j + 1
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(rangeRef(col, first, col, last))
		switch c.kind {
		case tcYesNo:
			err = dv.SetDropList([]string{"Có", "Không"})
			dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Chọn Có hoặc Không; chưa rõ thì để trống.")
		case tcStars:
			err = dv.SetDropList([]string{"3", "4", "5"})
			dv.SetError(excelize.DataValidationErrorStyleStop, "Hạng sao không hợp lệ", "Chọn 3, 4 hoặc 5.")
		case tcPlatform:
			err = dv.SetDropList(templatePlatforms)
			dv.SetError(excelize.DataValidationErrorStyleWarning, "Sàn TMĐT", "Nên chọn tên sàn trong danh sách.")
		case tcStatus:
			err = dv.SetDropList([]string{"Đang bán", "Ngừng bán"})
			dv.SetError(excelize.DataValidationErrorStyleStop, "Trạng thái không hợp lệ", "Chọn Đang bán hoặc Ngừng bán.")
		case tcCommune:
			if len(t.communes) == 0 {
				continue
			}
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$2:$A$%d", templateLists, len(t.communes)+1))
			dv.SetError(excelize.DataValidationErrorStyleStop, "Xã không hợp lệ", "Chọn xã trong danh sách.")
		case tcDate:
			dv.Type = "custom"
			// excelize writes a formula as inner XML: escaped here, unescaped on reading.
			dv.Formula1 = xmlText.Replace(dateValidation(cellName(col, first)))
			dv.SetError(excelize.DataValidationErrorStyleStop, "Ngày không hợp lệ",
				"Gõ ngày dạng ngày/tháng/năm, đủ 2 chữ số ngày, 2 chữ số tháng, 4 chữ số năm, ví dụ 05/12/2024.")
		case tcCount:
			err = dv.SetRange(0, 2147483647, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Số không hợp lệ", "Nhập số nguyên lớn hơn hoặc bằng 0.")
		case tcCountLE:
			// Relative to the first cell of the range: the total is the column before.
			err = dv.SetRange(0, cellName(col-1, first), excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Số không hợp lệ", "Nhập số nguyên từ 0 đến tổng số ở cột bên trái.")
		default:
			continue
		}
		if err != nil {
			return err
		}
		if c.prompt != "" {
			dv.SetInput(c.header, c.prompt)
		}
		if err := f.AddDataValidation(sh, dv); err != nil {
			return err
		}
	}
	if err := f.AutoFilter(sh, rangeRef(1, hdrRow, ncols, last), nil); err != nil {
		return err
	}
	if err := protectTemplateSheet(f, sh); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// The notes of pre-filled cells (after Flush: comments live beside the streamed sheet).
	for i, r := range t.rows {
		cols := make([]int, 0, len(r.notes))
		for j := range r.notes {
			cols = append(cols, j)
		}
		sort.Ints(cols)
		for _, j := range cols {
			if err := f.AddComment(sh, excelize.Comment{Cell: cellName(j+1, first+i), Author: "ntm",
				Paragraph: []excelize.RichTextRun{{Text: r.notes[j]}}}); err != nil {
				return err
			}
		}
	}

	// The drop-down list of communes, on a hidden sheet.
	if _, err := f.NewSheet(templateLists); err != nil {
		return err
	}
	if err := f.SetCellValue(templateLists, "A1", "Danh sách xã (dùng cho ô chọn, không sửa)"); err != nil {
		return err
	}
	for i, c := range t.communes {
		if err := f.SetCellValue(templateLists, cellName(1, i+2), c); err != nil {
			return err
		}
	}
	if err := f.SetSheetDimension(templateLists, rangeRef(1, 1, 1, len(t.communes)+1)); err != nil {
		return err
	}
	if err := f.SetSheetVisible(templateLists, false); err != nil {
		return err
	}
	if err := protectTemplateSheet(f, templateLists); err != nil {
		return err
	}
	if t.dataset == ntm.DatasetOCOPListings {
		if err := writeUnlisted(f, ts, sc, t.period, t.unlisted); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	created := t.day.Format("2006-01-02") + "T00:00:00Z"
	return f.SetDocProps(&excelize.DocProperties{
		Title:   fmt.Sprintf("%s – %s – kỳ %s", spec.title, sc.unit.Name, t.period),
		Subject: "Biểu mẫu nhập số liệu: " + datasetName(string(t.dataset)),
		Creator: "ntm", LastModifiedBy: "ntm", Created: created, Modified: created,
		Language: "vi-VN", Keywords: "ntm; template; " + string(t.dataset) + "; " + sc.unit.Code + "; " + t.period.String(),
	})
}

// protectTemplateSheet protects a template sheet without a password (against slips, not
// people: Review › Unprotect Sheet lifts it): only unlocked cells take input; selecting,
// filtering and resizing rows and columns stay allowed.
func protectTemplateSheet(f *excelize.File, sheet string) error {
	return f.ProtectSheet(sheet, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, AutoFilter: true, FormatColumns: true, FormatRows: true,
	})
}

// templatePrintSetup: A4 landscape, one page wide, narrow side margins, titleRows repeated on
// every page, and a footer naming what the page is with its number n/N. The widths of the
// templates' columns keep the scale of a page at 80% or more (text of 11 pt prints at 9 pt or
// more; TestTemplatesPrintAndRead measures it in LibreOffice).
func templatePrintSetup(f *excelize.File, sheet, titleRows, footer string) error {
	landscape, a4, one, auto := "landscape", 9, 1, 0
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &auto,
	}); err != nil {
		return err
	}
	side, tb, hf := 0.4, 0.6, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &tb, Bottom: &tb,
		Header: &hf, Footer: &hf}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		// 11 pt: LibreOffice scales the footer with the page (it ignores scaleWithDoc).
		OddFooter: `&L&"Times New Roman,Regular"&11` + strings.ReplaceAll(footer, "&", "&&") + `&R&"Times New Roman,Regular"&11Trang &P/&N`,
	}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!%s", sheet, titleRows), Scope: sheet,
	})
}

// writeUnlisted lists, for reference, the products without any listing (a listing template's
// third sheet: its columns have no platform, so the loader skips it).
func writeUnlisted(f *excelize.File, st *templateStyles, sc *templateScope, period ntm.Period, unlisted [][]any) error {
	sh := templateRef
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	widths := []float64{5, 11, 28, 26, 20, 8}
	for i, w := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, c, c, w); err != nil {
			return err
		}
	}
	put := func(row int, style int, vs ...any) error {
		for j, v := range vs {
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			if err := f.SetCellValue(sh, cellName(j+1, row), v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, cellName(j+1, row), cellName(j+1, row), style); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(1, st.title, "SẢN PHẨM OCOP CHƯA LÊN SÀN TMĐT NÀO"); err != nil {
		return err
	}
	if err := put(2, st.subtitle, "Để tham khảo: khi đưa một sản phẩm lên sàn, thêm một dòng ở trang “"+templateSheet+"”."); err != nil {
		return err
	}
	if err := put(4, st.header, "STT", "Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Xã", "Hạng sao"); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 4, 34); err != nil {
		return err
	}
	for i, r := range unlisted {
		r[0] = i + 1
		if err := put(5+i, st.text, r...); err != nil {
			return err
		}
	}
	last, lastCol := 4+len(unlisted), len(widths)
	if len(unlisted) == 0 {
		last = 5
		if err := put(5, st.text, "", "Mọi sản phẩm đều đã có trên ít nhất một sàn."); err != nil {
			return err
		}
	}
	if err := f.SetSheetDimension(sh, rangeRef(1, 1, lastCol, last)); err != nil {
		return err
	}
	if err := protectTemplateSheet(f, sh); err != nil {
		return err
	}
	return templatePrintSetup(f, sh, "$4:$4", fmt.Sprintf("Sản phẩm OCOP chưa lên sàn – %s – kỳ tháng %d/%d", sc.unit.Name, int(period.Month), period.Year))
}

// saveAtomically writes beside the target and renames, so a reader never sees half a workbook.
// The package parts are put in a fixed order (excelize writes them in map order): the same workbook
// then always has the same bytes, which is what deliveries are deduplicated by.
func saveAtomically(f *excelize.File, path string) error {
	// excelize also adds the image content types of a drawing in map order.
	if ct := f.ContentTypes; ct != nil {
		sort.SliceStable(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	// Temporary files carry this process's id (package scratch): what a killed writer left
	// beside its workbooks is removed here, by the next one.
	scratch.Sweep(dir) //nolint:errcheck // a leftover that cannot be removed harms nothing
	raw, err := os.CreateTemp(dir, "."+base+"."+scratch.Pattern("report")+".raw")
	if err != nil {
		return err
	}
	defer os.Remove(raw.Name())
	defer raw.Close()
	// excelize builds the whole package in a bytes.Buffer before writing it out (WriteTo calls
	// WriteToBuffer): its zip writer is pointed at the raw file instead, so the compressed parts
	// go straight to disk and the buffer stays empty (0.7 GB less allocation and garbage for the
	// nation's 762 workbooks). What the buffer would have been patched for, a part over 4 GiB
	// (zip64), no sheet of ntm comes near.
	zipTo := f.ZipWriter
	f.ZipWriter = func(io.Writer) excelize.ZipWriter { return zipTo(raw) }
	if _, err := f.WriteTo(raw); err != nil {
		return err
	}
	st, err := raw.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(raw, st.Size())
	if err != nil {
		return fmt.Errorf("re-read the workbook just written: %w", err)
	}
	parts := append([]*zip.File(nil), zr.File...)
	sort.Slice(parts, func(i, j int) bool {
		// [Content_Types].xml first, as Office writes it; then by name.
		ci, cj := parts[i].Name == "[Content_Types].xml", parts[j].Name == "[Content_Types].xml"
		if ci != cj {
			return ci
		}
		return parts[i].Name < parts[j].Name
	})
	tmp, err := os.CreateTemp(dir, "."+base+"."+scratch.Pattern("report"))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	zw := zip.NewWriter(tmp)
	for _, p := range parts {
		if err := copyPart(zw, p); err != nil { // the compressed bytes as they are
			tmp.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// copyPart is zip.Writer.Copy with a pooled buffer: Copy's io.Copy allocates 32 KiB for each
// part (25 parts a workbook, 0.6 GB for the nation's).
func copyPart(zw *zip.Writer, p *zip.File) error {
	r, err := p.OpenRaw()
	if err != nil {
		return err
	}
	fh := p.FileHeader // a copy: the writer must not keep a pointer into the archive read
	fw, err := zw.CreateRaw(&fh)
	if err != nil {
		return err
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	_, err = io.CopyBuffer(fw, r, *buf)
	return err
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
