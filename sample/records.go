package sample

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"time"
)

// RecordsOptions describes a big record-level dossier export (dvc_dossier_records), the shape
// of the public-service portal's download: one row per dossier, ten columns, written as an
// .xlsx with inline strings (as the portal and openpyxl write them) or as a CSV.
type RecordsOptions struct {
	Path  string   // the file written; ".csv" writes CSV, anything else .xlsx
	Rows  int      // data rows
	Units []string // receiving units as the portal names them ("UBND xã Vân An"); must resolve
	Year  int      // received dates fall in this year (default 2024)
	Seed  int64
}

// RecordsHeader is the header row of the record-level export.
var RecordsHeader = []string{"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Đơn vị tiếp nhận",
	"Ngày tiếp nhận", "Hình thức nộp", "Mức độ DVC", "Trạng thái", "Ngày hẹn trả"}

var (
	recordProcedures = []string{"Đăng ký khai sinh", "Chứng thực bản sao từ bản chính", "Đăng ký kết hôn",
		"Cấp giấy chứng nhận quyền sử dụng đất", "Đăng ký thường trú", "Cấp phép xây dựng nhà ở riêng lẻ",
		"Đăng ký hộ kinh doanh", "Trợ cấp xã hội hằng tháng"}
	recordFields   = []string{"Hộ tịch", "Chứng thực", "Đất đai", "Cư trú", "Xây dựng", "Kinh tế", "Bảo trợ xã hội"}
	recordChannels = []string{"Trực tuyến", "Trực tuyến", "Trực tiếp", "Bưu chính"}
	recordLevels   = []string{"Toàn trình", "Một phần", "Toàn trình", "Mức độ 4", "Mức độ 3"}
	recordStates   = []string{"Đã trả kết quả", "Đang xử lý", "Đã trả kết quả", "Quá hạn"}
)

// WriteRecords writes the export and returns the number of bytes of its sheet XML (or CSV).
// Rows are deterministic for a seed. Memory stays constant whatever the row count.
func WriteRecords(o RecordsOptions) (int64, error) {
	if o.Rows < 0 || len(o.Units) == 0 {
		return 0, fmt.Errorf("sample: records need a row count and at least one unit")
	}
	if o.Year == 0 {
		o.Year = 2024
	}
	f, err := os.Create(o.Path)
	if err != nil {
		return 0, fmt.Errorf("sample: %w", err)
	}
	var n int64
	if strings.HasSuffix(strings.ToLower(o.Path), ".csv") {
		n, err = writeRecordsCSV(f, o)
	} else {
		n, err = writeRecordsXLSX(f, o)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		os.Remove(o.Path)
		return 0, fmt.Errorf("sample: writing %s: %w", o.Path, err)
	}
	return n, nil
}

// bigRecord is one generated dossier.
type bigRecord struct {
	cells [10]string
}

func (o RecordsOptions) gen(r *rand.Rand, i int, rec *bigRecord) {
	day := time.Date(o.Year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.Intn(365))
	p := r.Intn(len(recordProcedures))
	rec.cells = [10]string{
		strconv.Itoa(i + 1),
		fmt.Sprintf("H%02d.%d-%06d-%07d", 10+r.Intn(80), o.Year, r.Intn(1000000), i+1),
		recordProcedures[p],
		recordFields[p%len(recordFields)],
		o.Units[r.Intn(len(o.Units))],
		day.Format("02/01/2006"),
		recordChannels[r.Intn(len(recordChannels))],
		recordLevels[r.Intn(len(recordLevels))],
		recordStates[r.Intn(len(recordStates))],
		day.AddDate(0, 0, 3+r.Intn(12)).Format("02/01/2006"),
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeRecordsCSV(f *os.File, o RecordsOptions) (int64, error) {
	cw := &countingWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	w.WriteString(strings.Join(RecordsHeader, ",") + "\n")
	r := rand.New(rand.NewSource(o.Seed))
	var rec bigRecord
	for i := 0; i < o.Rows; i++ {
		o.gen(r, i, &rec)
		for c, v := range rec.cells {
			if c > 0 {
				w.WriteByte(',')
			}
			w.WriteString(v)
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

func writeRecordsXLSX(f *os.File, o RecordsOptions) (int64, error) {
	zw := zip.NewWriter(f)
	static := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, err := zw.Create(name)
		if err != nil {
			return 0, err
		}
		if _, err := io.WriteString(w, static[name]); err != nil {
			return 0, err
		}
	}
	zf, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: zf}
	w := bufio.NewWriterSize(cw, 1<<20)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	var buf []byte
	row := func(num int, cells []string) {
		buf = buf[:0]
		buf = append(buf, `<row r="`...)
		buf = strconv.AppendInt(buf, int64(num), 10)
		buf = append(buf, `">`...)
		for c, v := range cells {
			buf = append(buf, `<c r="`...) // the cell's reference, "A2", without a string for it
			buf = append(buf, byte('A'+c))
			buf = strconv.AppendInt(buf, int64(num), 10)
			if c == 0 && num > 1 { // STT as a number
				buf = append(buf, `"><v>`...)
				buf = append(buf, v...)
				buf = append(buf, `</v></c>`...)
				continue
			}
			buf = append(buf, `" t="inlineStr"><is><t>`...)
			buf = appendEscaped(buf, v)
			buf = append(buf, `</t></is></c>`...)
		}
		buf = append(buf, `</row>`...)
		w.Write(buf)
	}
	row(1, RecordsHeader)
	r := rand.New(rand.NewSource(o.Seed))
	var rec bigRecord
	for i := 0; i < o.Rows; i++ {
		o.gen(r, i, &rec)
		row(i+2, rec.cells[:])
	}
	w.WriteString(`</sheetData></worksheet>`)
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// LangSonRecordUnits lists receiving units of Lạng Sơn whose names resolve without ambiguity
// (districts, and communes whose bare name is unique in the province), as the portal names them.
func LangSonRecordUnits() ([]string, error) {
	ul, err := langSonUnits()
	if err != nil {
		return nil, err
	}
	return recordUnits(ul), nil
}

func recordUnits(ul *unitList) []string {
	seen := map[string]int{}
	for _, c := range ul.communes() {
		seen[strings.ToLower(c.Bare())]++
	}
	var out []string
	for _, d := range ul.Districts {
		if !strings.HasPrefix(d.Name, d.Kind+" ") {
			continue // a name the GSO writes off its kind ("Thị Trấn Năm Căn"): left out
		}
		out = append(out, "UBND "+strings.ToLower(d.Kind[:1])+d.Kind[1:]+" "+d.Bare())
		for _, c := range d.Communes {
			if !strings.HasPrefix(c.Name, c.Kind+" ") {
				continue
			}
			if seen[strings.ToLower(c.Bare())] == 1 {
				out = append(out, "UBND "+strings.ToLower(c.Kind[:1])+c.Kind[1:]+" "+c.Bare())
			}
		}
	}
	return out
}
