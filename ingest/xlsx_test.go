package ingest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// messyReport is a district's vpostcode report as offices really send it.
func messyReport() sheetSpec {
	nfd := norm.NFD.String("Thôn Bản Chắt")
	return sheetSpec{
		name: "Báo cáo",
		cells: map[string]any{
			"A1": "UBND HUYỆN CHI LĂNG", "E1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"A2": "BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ",
			"A3": "Số liệu đến ngày 30/11/2024",
			// row 4 blank
			"A5": "STT", "B5": norm.NFD.String("Tên thôn"), "C5": "Hộ gia đình", "E5": "Cơ quan, tổ chức", "G5": "Ghi chú",
			"C6": "Tổng số", "D6": "Đã gắn\nđịa chỉ số", "E6": "Tổng số", "F6": "Đã gắn địa chỉ số",
			"A7": "(1)", "B7": "(2)", "C7": "(3)", "D7": "(4)", "E7": "(5)", "F7": "(6)", "G7": "(7)",
			"A8":  "I. Huyện Chi Lăng",
			"B9":  "Xã Quang Lang",
			"A10": 1, "B10": nfd, "C10": 120, "D10": 100, "E10": "5", "F10": "3", "G10": "ghi chú", "H10": "cột thừa",
			// row 11 blank
			"A12": 2, "B12": "Nà Sla", "C12": "1.234", "D12": 1000.5, "E12": 4, "F12": 4,
			"B13": "Cộng", "C13": 1354, "D13": 1100,
			"A14": "II", "B14": "Huyện Hữu Lũng", "C14": 50,
			"A15": 1, "B15": "Pò Mè", "C15": 50, "D15": 45, "E15": 2, "F15": 1,
			"A16": "Tổng cộng", "C16": 1404,
			"E18": "Lạng Sơn, ngày 30 tháng 11 năm 2024",
			"B19": "Người lập biểu", "E19": "KT. CHỦ TỊCH",
			"B20": "(Ký, ghi rõ họ tên)", "E20": "PHÓ CHỦ TỊCH",
			"B23": "Nguyễn Văn A", "E23": "Trần Văn B",
		},
		merges: []string{"A2:G2", "A3:G3", "A5:A6", "B5:B6", "C5:D5", "E5:F5", "G5:G6", "A8:G8"},
	}
}

var messyColumns = []string{
	"STT", "Tên thôn", "Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số",
	"Cơ quan, tổ chức Tổng số", "Cơ quan, tổ chức Đã gắn địa chỉ số", "Ghi chú",
}

func TestXLSXMessyReport(t *testing.T) {
	path := writeXLSX(t, "baocao.xlsx", messyReport(), sheetSpec{
		name:  "Hướng dẫn",
		cells: map[string]any{"A1": "Điền số liệu vào sheet Báo cáo", "A2": "Không sửa tiêu đề"},
	})
	g := mustRead(t, path)
	if len(g.tables) != 1 {
		t.Fatalf("got %d tables, want 1 (the instructions sheet has no header)", len(g.tables))
	}
	tb := g.tables[0]
	if tb.File != path || tb.Sheet != "Báo cáo" || tb.HeaderTop != 5 || tb.HeaderBottom != 6 || tb.Date1904 {
		t.Fatalf("table = %+v", tb)
	}
	assertStrings(t, "Columns", tb.Columns, messyColumns)
	assertStrings(t, "Preamble", tb.Preamble, []string{
		"UBND HUYỆN CHI LĂNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ", "Số liệu đến ngày 30/11/2024",
	})
	assertRows(t, g.rows, []rowView{
		{10, []string{"1", norm.NFD.String("Thôn Bản Chắt"), "120", "100", "5", "3", "ghi chú", "cột thừa"},
			[]string{"I. Huyện Chi Lăng", "Xã Quang Lang"}},
		{12, []string{"2", "Nà Sla", "1.234", "1000.5", "4", "4"},
			[]string{"I. Huyện Chi Lăng", "Xã Quang Lang"}},
		{15, []string{"1", "Pò Mè", "50", "45", "2", "1"}, []string{"II. Huyện Hữu Lũng"}},
	})
	for _, r := range g.rows {
		if r.Sheet != "Báo cáo" {
			t.Fatalf("row %d sheet %q", r.Num, r.Sheet)
		}
	}
}

// An exporter that does not merge: the group header is written once and the
// cells to its right are empty.
func TestXLSXUnmergedGroupHeaderAndThreeLevels(t *testing.T) {
	path := writeXLSX(t, "nomerge.xlsx", sheetSpec{
		name: "Data",
		cells: map[string]any{
			"A1": "STT", "B1": "Tên thôn", "C1": "Hộ gia đình", "E1": "Cơ quan, tổ chức",
			"C2": "Tổng số", "D2": "Đã gắn địa chỉ số", "E2": "Tổng số", "F2": "Đã gắn địa chỉ số",
			"A3": 1, "B3": "Bản Chắt", "C3": 10, "D3": 9, "E3": 2, "F3": 2,
		},
	})
	g := mustRead(t, path)
	assertStrings(t, "Columns", g.tables[0].Columns, messyColumns[:6])
	assertRows(t, g.rows, []rowView{{3, []string{"1", "Bản Chắt", "10", "9", "2", "2"}, nil}})

	// combineHeader on three rows fills the middle row first.
	cols := combineHeader([][]string{
		{"Đơn vị", "Hộ gia đình", "", "", ""},
		{"", "Tổng số", "", "Đã gắn", ""},
		{"", "Nam", "Nữ", "Nam", "Nữ"},
	}, 5)
	assertStrings(t, "3-level", cols, []string{"Đơn vị", "Hộ gia đình Tổng số Nam", "Hộ gia đình Tổng số Nữ", "Hộ gia đình Đã gắn Nam", "Hộ gia đình Đã gắn Nữ"})
}

// A district merged vertically over its communes' rows reaches every row;
// a date cell comes through as its raw serial and the 1904 flag is reported.
func TestXLSXVerticalMergeInDataAndDate1904(t *testing.T) {
	f := excelize.NewFile()
	s := "Sheet1"
	for ref, v := range map[string]any{
		"A1": "Huyện", "B1": "Xã", "C1": "Ngày số liệu",
		"A2": "Chi Lăng", "B2": "Quang Lang", "C2": time.Date(2024, 11, 30, 0, 0, 0, 0, time.UTC),
		"B3": "Chi Lăng", "C3": 45626,
		"B4": "Mai Sao",
		"A5": "Hữu Lũng", "B5": "Yên Thịnh", "C5": "30/11/2024",
	} {
		if err := f.SetCellValue(s, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.MergeCell(s, "A2", "A4"); err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "v.xlsx", nil)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	g := mustRead(t, path)
	if !g.tables[0].Date1904 {
		t.Fatalf("Date1904 not reported")
	}
	if len(g.rows) != 4 {
		t.Fatalf("rows: %+v", views(g.rows))
	}
	for i, want := range []string{"Chi Lăng", "Chi Lăng", "Chi Lăng", "Hữu Lũng"} {
		if g.rows[i].Cells[0] != want {
			t.Fatalf("row %d district %q, want %q (vertical merge)", g.rows[i].Num, g.rows[i].Cells[0], want)
		}
	}
	if c := g.rows[0].Cells[2]; strings.ContainsAny(c, "/-") || c == "" {
		t.Fatalf("date cell read as %q, want a raw serial", c)
	}
	if c := g.rows[1].Cells[2]; c != "45626" {
		t.Fatalf("number cell read as %q", c)
	}
}

// Google Sheets leaves thousands of styled empty rows: they are skipped and
// row numbers stay true.
func TestXLSXLongEmptyTailAndGaps(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	style, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sw.SetRow("A1", []any{"STT", "Tên thôn", "Tổng số hộ"}))
	must(sw.SetRow("A2", []any{1, "Bản Chắt", 10}))
	must(sw.SetRow("A40", []any{2, "Nà Sla", 11}))
	for r := 41; r < 5000; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		must(sw.SetRow(cell, []any{excelize.Cell{StyleID: style}, excelize.Cell{StyleID: style}}))
	}
	must(sw.Flush())
	path := writeFile(t, "tail.xlsx", nil)
	must(f.SaveAs(path))
	g := mustRead(t, path)
	assertRows(t, g.rows, []rowView{
		{2, []string{"1", "Bản Chắt", "10"}, nil},
		{40, []string{"2", "Nà Sla", "11"}, nil},
	})
}

func TestXLSXDamagedFiles(t *testing.T) {
	good := writeXLSX(t, "good.xlsx", messyReport())
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"truncated.xlsx":  data[:len(data)/2],
		"text.xlsx":       []byte("STT,Tên thôn\n1,Bản Chắt\n"),
		"empty.xlsx":      nil,
		"old.xls":         append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...),
		"zipjunk.xlsx":    append([]byte("PK\x03\x04"), make([]byte, 100)...),
		"flipped.xlsx":    flipBytes(data),
		"renamed-pdf.csv": []byte("%PDF-1.4\x00\x01\x02binary"),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, name, b)
			_, err := read(t, path)
			if err == nil {
				t.Fatalf("no error for %s", name)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			t.Logf("%s: %v", name, err)
		})
	}
}

// flipBytes damages the compressed data in the middle of a workbook.
func flipBytes(b []byte) []byte {
	out := append([]byte(nil), b...)
	for i := len(out) / 3; i < len(out)/3+200 && i < len(out); i++ {
		out[i] ^= 0x5A
	}
	return out
}

func TestNoHeaderIsRejected(t *testing.T) {
	path := writeXLSX(t, "notable.xlsx", sheetSpec{name: "S", cells: map[string]any{"A1": "Danh sách", "A2": "abc", "B3": 12}})
	_, err := read(t, path)
	if !errors.Is(err, ErrNoHeader) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ErrNoHeader naming the file", err)
	}
}

func TestCallbacksControlTheRead(t *testing.T) {
	path := writeXLSX(t, "two.xlsx", messyReport(), sheetSpec{name: "Bản sao", cells: messyReport().cells, merges: messyReport().merges})

	// ErrSkipSheet from onTable skips the first sheet only.
	var sheets []string
	err := ReadFile(context.Background(), path, scoreKnown, func(tb *Table) error {
		if tb.Sheet == "Báo cáo" {
			return ErrSkipSheet
		}
		return nil
	}, func(tb *Table, r Row) error {
		sheets = append(sheets, r.Sheet)
		return nil
	})
	if err != nil || len(sheets) != 3 || sheets[0] != "Bản sao" {
		t.Fatalf("err %v, rows from %v", err, sheets)
	}

	// An error from onRow stops the read and comes back as is.
	stop := errors.New("stop here")
	n := 0
	err = ReadFile(context.Background(), path, scoreKnown, func(*Table) error { return nil }, func(*Table, Row) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d rows", err, n)
	}

	// A panic in the caller's code is the caller's: it is not turned into a
	// file error.
	defer func() {
		if p := recover(); p != "caller bug" {
			t.Fatalf("recovered %v", p)
		}
	}()
	_ = ReadFile(context.Background(), path, scoreKnown, func(*Table) error { panic("caller bug") }, nil)
}

func TestContextCancellation(t *testing.T) {
	var b strings.Builder
	b.WriteString("STT,Tên thôn,Tổng số hộ\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("1,Bản Chắt,10\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := ReadFile(ctx, writeFile(t, "big.csv", []byte(b.String())), scoreKnown, func(*Table) error { return nil },
		func(*Table, Row) error {
			n++
			cancel()
			return nil
		})
	if !errors.Is(err, context.Canceled) || n > 300 {
		t.Fatalf("err %v after %d rows", err, n)
	}
}

// A sheet bigger than UnzipXMLSize is streamed from a temporary file and its
// merges are read from the zip; the temporary files are gone afterwards.
func TestXLSXBigSheetPathAndTempFiles(t *testing.T) {
	path := writeXLSX(t, "big.xlsx", messyReport())
	tmp := t.TempDir()
	g := &got{}
	r := Reader{Limits: Limits{UnzipXMLSize: 256, TmpDir: tmp}}
	if err := r.ReadFile(context.Background(), path, scoreKnown, g.onTable, g.onRow); err != nil {
		t.Fatal(err)
	}
	assertStrings(t, "Columns", g.tables[0].Columns, messyColumns)
	if len(g.rows) != 3 || g.rows[0].Groups[0] != "I. Huyện Chi Lăng" {
		t.Fatalf("rows %+v", views(g.rows))
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	// A limit the file exceeds is a clear error.
	r = Reader{Limits: Limits{UnzipSize: 1000, UnzipXMLSize: 100}}
	err := r.ReadFile(context.Background(), path, scoreKnown, g.onTable, g.onRow)
	if err == nil || !strings.Contains(err.Error(), "quá lớn: giải nén ra hơn 1000 byte") {
		t.Fatalf("err = %v", err)
	}
}

// Hidden and very hidden sheets are not read (what the office sees is what loads), and the
// caller is told; a row of NBSPs is blank.
func TestXLSXHiddenSheetsAndInvisibleBlanks(t *testing.T) {
	f := excelize.NewFile()
	for _, name := range []string{"Ẩn", "Rất ẩn"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	for _, sh := range []string{"Sheet1", "Ẩn", "Rất ẩn"} {
		for ref, v := range map[string]any{"A1": "STT", "B1": "Tên thôn", "A2": "\u00a0 ", "B2": "\u200b", "A3": 1, "B3": "Bản Chắt " + sh} {
			f.SetCellValue(sh, ref, v)
		}
	}
	if err := f.SetSheetVisible("Ẩn", false); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetVisible("Rất ẩn", false, true); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "hidden.xlsx", nil)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	g := &got{}
	skipped := map[string]SheetSkip{}
	var skips []Skip
	r := Reader{OnSheetSkipped: func(sheet string, why SheetSkip) { skipped[sheet] = why },
		OnSkip: func(_ *Table, s Skip) error { skips = append(skips, s); return nil }}
	if err := r.ReadFile(context.Background(), path, scoreKnown, g.onTable, g.onRow); err != nil {
		t.Fatal(err)
	}
	assertRows(t, g.rows, []rowView{{3, []string{"1", "Bản Chắt Sheet1"}, nil}})
	if len(skipped) != 2 || skipped["Ẩn"] != SheetHidden || skipped["Rất ẩn"] != SheetVeryHidden {
		t.Fatalf("sheets skipped: %v", skipped)
	}
	if len(skips) != 2 || skips[0].Reason != SkipHeader || skips[1].Reason != SkipBlank || skips[1].Row != 2 {
		t.Fatalf("rows skipped: %+v", skips)
	}
}

// More rows than the header search buffer: every row arrives once, in order.
func TestManyRowsPastTheHeaderBuffer(t *testing.T) {
	var b strings.Builder
	b.WriteString("Tiêu đề\nSTT,Tên thôn,Tổng số hộ\n")
	for i := 1; i <= 120; i++ {
		b.WriteString("1,Bản,10\n")
	}
	g := mustRead(t, writeFile(t, "many.csv", []byte(b.String())))
	if len(g.rows) != 120 || g.rows[0].Num != 3 || g.rows[119].Num != 122 {
		t.Fatalf("%d rows, first %d", len(g.rows), g.rows[0].Num)
	}
}

// FuzzXLSX damages a real workbook: reading it never panics.
func FuzzXLSX(f *testing.F) {
	path := writeXLSX(f, "seed.xlsx", messyReport())
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, 0, byte(0))
	f.Add(seed, len(seed)/2, byte(0xFF))
	f.Fuzz(func(t *testing.T, data []byte, at int, b byte) {
		if len(data) > 0 {
			if at < 0 {
				at = -at
			}
			data = append([]byte(nil), data...)
			data[at%len(data)] ^= b
		}
		_, _ = read(t, writeFile(t, "f.xlsx", data))
	})
}
