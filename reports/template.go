package reports

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/dataset"
	"ntm/db"
	"ntm/scratch"
)

// Fill-in templates (`ntm template`, docs/reports.md): a workbook a district or commune fills in and sends back,
// which loads through `ntm ingest` unchanged. The headers are the canonical labels of the loader's
// dataset specs (transform/datasets.go); reports does not import transform (it would pull in the
// readers of ingest), so they are written here and a test checks each against the spec.

// TemplateDatasets are the datasets `ntm template` writes (their declarations say which).
var TemplateDatasets = dataset.Templates()

// TemplateOptions says for whom a template is written.
type TemplateOptions struct {
	Recipient string    // a province, district or commune code; "" = the whole province (when there is one)
	Date      time.Time // the unit structure in force on this day; zero = today
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
}

var villageCols = []tcol{
	{"STT", 6, tcText, ""},
	{hCommuneCode, 9, tcCode, "Mã xã: đã điền sẵn, không sửa"},
	{hCommune, 22, tcText, ""},
	{hVillageCode, 12, tcCode, "Mã thôn: đã điền sẵn, không sửa"},
	{hVillage, 24, tcText, ""},
	{hAsOf, 13, tcDate, "Ngày của số liệu, dạng ngày/tháng/năm, ví dụ 30/11/2024"},
}

var templateSpecs = map[ntm.Dataset]templateSpec{
	ntm.DatasetVillageSurvey: {
		title: "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH",
		instructions: []string{
			"Mỗi dòng là một thôn, tổ dân phố (đã liệt kê sẵn kèm mã). Không sửa mã, không đổi tên cột, không thêm cột.",
			"Ghi ngày của số liệu vào cột “Ngày số liệu” (ngày/tháng/năm). Các cột Có/Không: chọn trong danh sách; chưa rõ thì để trống (để trống là chưa có số liệu, không phải “Không”).",
			"Số mô hình chuyển đổi số: ghi số nguyên (0 nếu chưa có); lĩnh vực của các mô hình ghi ở cột “Lĩnh vực”, cách nhau bằng dấu chấm phẩy.",
			"Thôn nào chưa có số liệu thì để trống cả dòng (dòng để trống không được nạp, thôn đó được tính là chưa có số liệu). Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: append(append([]tcol(nil), villageCols...),
			tcol{"Tổ công nghệ số cộng đồng", 14, tcYesNo, "Thôn đã thành lập và duy trì hoạt động Tổ công nghệ số cộng đồng?"},
			tcol{"Số quyết định thành lập tổ", 18, tcText, "Ví dụ: 12/QĐ-UBND ngày 01/03/2023"},
			tcol{"Sử dụng nền tảng số", 14, tcYesNo, "Cán bộ thôn dùng nền tảng số (Zalo, Facebook…) để thông tin, tương tác với người dân?"},
			tcol{"Nhóm Zalo/Facebook", 24, tcText, "Tên nhóm hoặc đường link"},
			tcol{"WiFi miễn phí tại nhà văn hóa", 14, tcYesNo, "Nhà văn hoá thôn có WiFi miễn phí?"},
			tcol{"Số mô hình chuyển đổi số", 14, tcCount, "Số nguyên ≥ 0"},
			tcol{"Lĩnh vực", 30, tcText, "Lĩnh vực của các mô hình, cách nhau bằng dấu chấm phẩy"},
		),
	},
	ntm.DatasetVpostcode: {
		title: "SỐ LIỆU GẮN ĐỊA CHỈ SỐ (VPOSTCODE) THEO THÔN",
		instructions: []string{
			"Mỗi dòng là một thôn, tổ dân phố (đã liệt kê sẵn kèm mã). Không sửa mã, không đổi tên cột, không thêm cột.",
			"Ghi ngày của số liệu vào cột “Ngày số liệu” (ngày/tháng/năm). Các số là số nguyên ≥ 0; số đã gắn địa chỉ số không lớn hơn tổng số.",
			"Thôn không có cơ quan, tổ chức, doanh nghiệp nào: ghi 0 ở cả hai cột cơ quan, tổ chức.",
			"Thôn nào chưa có số liệu thì để trống cả dòng (dòng để trống không được nạp, thôn đó được tính là chưa có số liệu). Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: append(append([]tcol(nil), villageCols...),
			tcol{"Tổng số hộ", 12, tcCount, "Tổng số hộ gia đình của thôn"},
			tcol{"Số hộ đã gắn địa chỉ số", 14, tcCountLE, "Không lớn hơn tổng số hộ"},
			tcol{"Tổng số cơ quan, tổ chức", 14, tcCount, "Cơ quan, tổ chức, doanh nghiệp; 0 nếu không có"},
			tcol{"Số cơ quan, tổ chức đã gắn địa chỉ số", 16, tcCountLE, "Không lớn hơn tổng số cơ quan, tổ chức"},
		),
	},
	ntm.DatasetOCOPProducts: {
		title: "DANH SÁCH SẢN PHẨM OCOP",
		instructions: []string{
			"Mỗi dòng là một sản phẩm OCOP đã được công nhận. Các sản phẩm đã có trong cơ sở dữ liệu được liệt kê sẵn: sửa nếu sai, bổ sung sản phẩm mới ở các dòng trống.",
			"Hạng sao: chọn 3, 4 hoặc 5. Xã: chọn trong danh sách. Ngày công nhận, ngày hết hạn: ngày/tháng/năm (để trống ngày hết hạn thì tính 36 tháng từ ngày công nhận).",
			"Không đổi tên cột, không thêm cột. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: []tcol{
			{"STT", 6, tcText, ""},
			{"Mã sản phẩm", 12, tcCode, "Mã sản phẩm, nếu có"},
			{"Tên sản phẩm", 30, tcText, ""},
			{"Hạng sao", 9, tcStars, "3, 4 hoặc 5 sao"},
			{"Nhóm sản phẩm", 16, tcText, ""},
			{"Chủ thể", 28, tcText, "Hợp tác xã, doanh nghiệp hoặc hộ sản xuất"},
			{hCommune, 22, tcCommune, "Chọn xã trong danh sách"},
			{"Số quyết định", 18, tcText, "Số quyết định công nhận"},
			{"Ngày công nhận", 13, tcDate, "Ngày/tháng/năm"},
			{"Ngày hết hạn", 13, tcDate, "Ngày/tháng/năm; để trống: 36 tháng từ ngày công nhận"},
		},
	},
	ntm.DatasetOCOPListings: {
		title: "SẢN PHẨM OCOP TRÊN SÀN THƯƠNG MẠI ĐIỆN TỬ",
		instructions: []string{
			"Mỗi dòng là một sản phẩm trên một sàn TMĐT. Các sản phẩm đã lên sàn được liệt kê sẵn; sản phẩm chưa lên sàn nào xem ở trang “" + templateRef + "”.",
			"Sàn TMĐT và trạng thái: chọn trong danh sách. Ngày đăng: ngày/tháng/năm. Sản phẩm ngừng bán thì chọn “Ngừng bán”, không xoá dòng.",
			"Không đổi tên cột, không thêm cột. Gửi lại tệp này cho Sở Khoa học và Công nghệ để nạp (ntm ingest).",
		},
		cols: []tcol{
			{"STT", 6, tcText, ""},
			{"Mã sản phẩm", 12, tcCode, "Mã sản phẩm, nếu có"},
			{"Tên sản phẩm", 30, tcText, ""},
			{"Chủ thể", 28, tcText, ""},
			{"Sàn TMĐT", 16, tcPlatform, "Chọn sàn trong danh sách"},
			{"Đường dẫn", 40, tcText, "Đường link của sản phẩm trên sàn"},
			{"Ngày đăng", 13, tcDate, "Ngày/tháng/năm"},
			{"Trạng thái", 13, tcStatus, "Đang bán hoặc Ngừng bán"},
		},
	},
}

// templateScope is the units a template covers.
type templateScope struct {
	unit     *unit
	communes []*unit
}

// loadTemplateScope reads the recipient and its communes in force on day.
func loadTemplateScope(ctx context.Context, q db.Querier, recipient string, day time.Time) (*templateScope, error) {
	d := &data{units: map[string]*unit{}, children: map[string][]*unit{}, period: ntm.PeriodOf(day)}
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
// digital addresses) or its current OCOP products and listings pre-listed, drop-down lists for
// yes/no answers, stars, communes, platforms and states, validated dates and counts, and the
// instructions above the table. A filled template loads through the loader unchanged.
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
	}
	sc, err := loadTemplateScope(ctx, q, opts.Recipient, day)
	if err != nil {
		return err
	}
	blank := opts.BlankRows
	if blank <= 0 {
		blank = 200
	}
	// The pre-listed rows.
	var rows [][]any
	var unlisted [][]any
	communeNames := make([]string, len(sc.communes))
	communeName := map[string]string{}
	for i, c := range sc.communes {
		communeNames[i] = c.Name
		communeName[c.Code] = c.Name
	}
	switch dataset {
	case ntm.DatasetVillageSurvey, ntm.DatasetVpostcode:
		vs, err := villagesOf(ctx, q, sc.communes, day)
		if err != nil {
			return err
		}
		for _, v := range vs {
			commune := v[0][:strings.IndexByte(v[0]+"-", '-')]
			rows = append(rows, []any{nil, commune, communeName[commune], v[0], v[1]})
		}
		blank = 0
		if len(rows) == 0 {
			return fmt.Errorf("%s chưa có thôn nào trong danh mục ngày %s: nạp danh mục thôn bằng ntm units import", sc.unit.Name, day.Format("02/01/2006"))
		}
	case ntm.DatasetOCOPProducts, ntm.DatasetOCOPListings:
		ps, err := currentProducts(ctx, q, nil, sc.communes, day)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if dataset == ntm.DatasetOCOPProducts {
				var cert, exp any
				if p.Certified != nil {
					cert = *p.Certified
				}
				if p.Expires != nil {
					exp = *p.Expires
				}
				rows = append(rows, []any{nil, p.Code, p.Name, p.Stars, p.Category, p.Owner, communeName[p.Commune], p.Decision, cert, exp})
				continue
			}
			if len(p.Listings) == 0 {
				unlisted = append(unlisted, []any{nil, p.Code, p.Name, p.Owner, communeName[p.Commune], p.Stars})
			}
			for _, l := range p.Listings {
				var listed any
				if l.Listed != nil {
					listed = *l.Listed
				}
				state := "Đang bán"
				if !l.Active {
					state = "Ngừng bán"
				}
				rows = append(rows, []any{nil, p.Code, p.Name, p.Owner, platformLabel(l.Platform), l.URL, listed, state})
			}
		}
	}
	return writeTemplateFile(path, dataset, spec, sc, rows, unlisted, communeNames, blank, day)
}

func writeTemplateFile(path string, dataset ntm.Dataset, spec templateSpec, sc *templateScope, rows, unlisted [][]any,
	communes []string, blank int, day time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create the folder of %s: %w", path, err)
	}
	return buildWorkbook(path, func(f *excelize.File, st *styles) error {
		return fillTemplate(f, st, dataset, spec, sc, rows, unlisted, communes, blank, day)
	})
}

func fillTemplate(f *excelize.File, st *styles, dataset ntm.Dataset, spec templateSpec, sc *templateScope, rows, unlisted [][]any,
	communes []string, blank int, day time.Time) error {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	dateFmt := "dd/mm/yyyy"
	given, _ := f.NewStyle(&excelize.Style{Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Vertical: "top"}})
	givenCode, _ := f.NewStyle(&excelize.Style{Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 49})
	input, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	inputText, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 49})
	inputDate, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}, CustomNumFmt: &dateFmt})
	inputCount, _ := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 1})
	instr, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "1F4E78"}})

	if err := f.SetSheetName("Sheet1", templateSheet); err != nil {
		return err
	}
	sh := templateSheet
	ncols := len(spec.cols)
	// Title and instructions: one cell per row, not merged, so the loader's header search never
	// takes them for a group header over the table's columns.
	head := [][2]any{
		{fmt.Sprintf("%s – %s", spec.title, recipientLabel(sc.unit)), st.title},
		{fmt.Sprintf("Biểu mẫu lập ngày %s theo danh mục đơn vị hành chính còn hiệu lực; bộ dữ liệu: %s (%s).",
			day.Format("02/01/2006"), datasetName(string(dataset)), dataset), st.subtitle},
		{"HƯỚNG DẪN:", st.bold},
	}
	for i, t := range spec.instructions {
		head = append(head, [2]any{fmt.Sprintf("%d. %s", i+1, t), instr})
	}
	top := len(head) + 2 // a blank row, then the header
	last := top + max(1, len(rows)+blank)
	if err := f.SetSheetDimension(sh, rangeRef(1, 1, ncols, last)); err != nil {
		return err
	}
	w := &workbook{f: f, st: st}
	if err := w.printSetup(sh, fmt.Sprintf("$%d:$%d", top, top)); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	for i, c := range spec.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(freezePanes(top+1, 1)); err != nil {
		return err
	}
	for i, h := range head {
		if err := sw.SetRow(cellName(1, i+1), []any{excelize.Cell{Value: h[0], StyleID: h[1].(int)}}); err != nil {
			return err
		}
	}
	hdr := make([]any, ncols)
	for i, c := range spec.cols {
		hdr[i] = excelize.Cell{Value: c.header, StyleID: st.header}
	}
	if err := sw.SetRow(cellName(1, top), hdr, excelize.RowOpts{Height: 45}); err != nil {
		return err
	}
	styleOf := func(c tcol, prefilled bool) int {
		switch {
		case c.kind == tcCode && prefilled:
			return givenCode
		case c.kind == tcCode:
			return inputText
		case c.kind == tcDate:
			return inputDate
		case c.kind == tcCount || c.kind == tcCountLE || c.kind == tcStars:
			return inputCount
		}
		return input
	}
	// Villages are given: their columns are shaded; product rows are editable.
	villageRows := dataset == ntm.DatasetVillageSurvey || dataset == ntm.DatasetVpostcode
	for i, r := range rows {
		cells := make([]any, ncols)
		for j, c := range spec.cols {
			var v any
			if j < len(r) {
				v = r[j]
			}
			if j == 0 {
				v = i + 1
			}
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			style := styleOf(c, villageRows && j < len(r))
			if villageRows && j < len(r) && c.kind != tcCode {
				style = given
			}
			cells[j] = excelize.Cell{Value: v, StyleID: style}
		}
		if err := sw.SetRow(cellName(1, top+1+i), cells); err != nil {
			return err
		}
	}
	for i := 0; i < blank; i++ {
		cells := make([]any, ncols)
		for j, c := range spec.cols {
			cells[j] = excelize.Cell{StyleID: styleOf(c, false)}
		}
		if err := sw.SetRow(cellName(1, top+1+len(rows)+i), cells); err != nil {
			return err
		}
	}
	// Validations, filter: before Flush, or the stream writer drops them.
	for j, c := range spec.cols {
		col := j + 1
		sqref := rangeRef(col, top+1, col, last)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(sqref)
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
			if len(communes) == 0 {
				continue
			}
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$2:$A$%d", templateLists, len(communes)+1))
			dv.SetError(excelize.DataValidationErrorStyleStop, "Xã không hợp lệ", "Chọn xã trong danh sách.")
		case tcDate:
			// 01/01/2000 … 31/12/2100 as Excel serials.
			err = dv.SetRange(36526, 73415, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Ngày không hợp lệ", "Nhập ngày dạng ngày/tháng/năm, ví dụ 30/11/2024.")
		case tcCount:
			err = dv.SetRange(0, 2147483647, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Số không hợp lệ", "Nhập số nguyên lớn hơn hoặc bằng 0.")
		case tcCountLE:
			// Relative to the first cell of the range: the total is the column before.
			err = dv.SetRange(0, cellName(col-1, top+1), excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
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
	if err := f.AutoFilter(sh, rangeRef(1, top, ncols, last), nil); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	// The drop-down list of communes, on a hidden sheet.
	if _, err := f.NewSheet(templateLists); err != nil {
		return err
	}
	if err := f.SetCellValue(templateLists, "A1", "Danh sách xã (dùng cho ô chọn, không sửa)"); err != nil {
		return err
	}
	for i, c := range communes {
		if err := f.SetCellValue(templateLists, cellName(1, i+2), c); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(templateLists, false); err != nil {
		return err
	}
	if dataset == ntm.DatasetOCOPListings {
		if err := writeUnlisted(w, unlisted); err != nil {
			return err
		}
	}
	created := day.Format("2006-01-02") + "T00:00:00Z"
	return f.SetDocProps(&excelize.DocProperties{
		Title:   fmt.Sprintf("%s – %s", spec.title, sc.unit.Name),
		Subject: "Biểu mẫu nhập số liệu: " + datasetName(string(dataset)),
		Creator: "ntm", LastModifiedBy: "ntm", Created: created, Modified: created,
		Language: "vi-VN", Keywords: "ntm; template; " + string(dataset) + "; " + sc.unit.Code,
	})
}

// writeUnlisted lists, for reference, the products without any listing (a listing template's
// second sheet: its columns have no platform, so the loader skips it).
func writeUnlisted(w *workbook, unlisted [][]any) error {
	sh := templateRef
	if _, err := w.f.NewSheet(sh); err != nil {
		return err
	}
	if err := w.put(sh, 1, cell{"SẢN PHẨM OCOP CHƯA LÊN SÀN TMĐT NÀO (để tham khảo: khi đưa lên sàn, thêm một dòng ở trang “" + templateSheet + "”)", w.st.title}); err != nil {
		return err
	}
	if err := w.put(sh, 3, w.hdr("STT"), w.hdr("Mã sản phẩm"), w.hdr("Tên sản phẩm"), w.hdr("Chủ thể"), w.hdr("Xã"), w.hdr("Hạng sao")); err != nil {
		return err
	}
	if err := w.setWidths(sh, 6, 12, 30, 28, 22, 9); err != nil {
		return err
	}
	for i, r := range unlisted {
		r[0] = i + 1
		cells := make([]cell, len(r))
		for j, v := range r {
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			cells[j] = cell{v, w.st.text}
		}
		if err := w.put(sh, 4+i, cells...); err != nil {
			return err
		}
	}
	if len(unlisted) == 0 {
		if err := w.put(sh, 4, w.plain(""), w.plain("Mọi sản phẩm đều đã có trên ít nhất một sàn.")); err != nil {
			return err
		}
	}
	return w.printSetup(sh, "$3:$3")
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
		if err := zw.Copy(p); err != nil { // the compressed bytes as they are
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
