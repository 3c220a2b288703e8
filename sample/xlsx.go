package sample

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// book builds a messy office workbook: title block, merged headers, column numbers, group and
// subtotal rows, signatures. Cells are written in row order; the output is byte-stable.
type book struct {
	f                            *excelize.File
	used                         bool
	title, bold, header, dateSty int
	rename                       *strings.Replacer // the province named in titles, nil for Lạng Sơn
}

type sheet struct {
	b    *book
	name string
	row  int // the last row written
	cols int
}

// col is one column of a header: Name under an optional merged Group.
type col struct{ Group, Name string }

// newBook starts a workbook for the plan's province: titles and signatures written for Lạng
// Sơn name the plan's province instead (national samples; Lạng Sơn's own output is unchanged).
func (p *plan) newBook(title string) (*book, error) {
	b, err := newBook(title)
	if err != nil || p.units == nil || p.units.ProvinceName == "" || p.units.ProvinceName == "Tỉnh Lạng Sơn" {
		return b, err
	}
	full := p.units.ProvinceName
	kind, bare := "Tỉnh", strings.TrimPrefix(full, "Tỉnh ")
	if strings.HasPrefix(full, "Thành phố ") {
		kind, bare = "Thành phố", strings.TrimPrefix(full, "Thành phố ")
	}
	b.rename = strings.NewReplacer(
		"UBND TỈNH LẠNG SƠN", "UBND "+strings.ToUpper(full),
		"TỈNH LẠNG SƠN", strings.ToUpper(full),
		"tỉnh Lạng Sơn", strings.ToLower(kind)+" "+bare,
		"Tỉnh Lạng Sơn", full,
		"LẠNG SƠN", strings.ToUpper(bare),
		"Lạng Sơn", bare)
	return b, nil
}

func newBook(title string) (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f}
	var err error
	fixed := "2024-12-05T08:00:00Z"
	if err = f.SetDocProps(&excelize.DocProperties{
		Creator: "Sở Thông tin và Truyền thông Lạng Sơn", LastModifiedBy: "Phòng Chuyển đổi số",
		Created: fixed, Modified: fixed, Title: title, Language: "vi-VN",
	}); err != nil {
		return nil, err
	}
	if b.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: &excelize.Alignment{Horizontal: "center"}}); err != nil {
		return nil, err
	}
	if b.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	border := []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}
	if b.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return nil, err
	}
	numFmt := "dd/mm/yyyy"
	if b.dateSty, err = f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt}); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *book) sheet(name string, cols int) (*sheet, error) {
	if !b.used {
		b.used = true
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	return &sheet{b: b, name: name, cols: cols}, nil
}

func (b *book) bytes() ([]byte, error) {
	defer b.f.Close()
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cellName(c, r int) string {
	n, _ := excelize.CoordinatesToCellName(c, r)
	return n
}

func (s *sheet) set(c int, v any) error {
	cell := cellName(c, s.row)
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if s.b.rename != nil {
			x = s.b.rename.Replace(x)
		}
		return s.b.f.SetCellStr(s.name, cell, x)
	case time.Time:
		if err := s.b.f.SetCellValue(s.name, cell, x); err != nil {
			return err
		}
		return s.b.f.SetCellStyle(s.name, cell, cell, s.b.dateSty)
	default:
		return s.b.f.SetCellValue(s.name, cell, x)
	}
}

// values writes one row starting at column 1.
func (s *sheet) values(vals ...any) error {
	s.row++
	for i, v := range vals {
		if err := s.set(i+1, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *sheet) blank() { s.row++ }

// banner writes a text merged across the table's width (a title, a group row).
func (s *sheet) banner(text string, style int) error {
	s.row++
	if err := s.set(1, text); err != nil {
		return err
	}
	if s.cols > 1 {
		if err := s.b.f.MergeCell(s.name, cellName(1, s.row), cellName(s.cols, s.row)); err != nil {
			return err
		}
	}
	if style != 0 {
		return s.b.f.SetCellStyle(s.name, cellName(1, s.row), cellName(1, s.row), style)
	}
	return nil
}

// officeTitle writes the usual two-sided heading of a Vietnamese administrative report, then the
// report's title lines.
func (s *sheet) officeTitle(left1, left2 string, lines ...string) error {
	right := max(4, s.cols-3)
	s.row++
	if err := s.set(1, left1); err != nil {
		return err
	}
	if err := s.set(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"); err != nil {
		return err
	}
	s.row++
	if err := s.set(1, left2); err != nil {
		return err
	}
	if err := s.set(right, "Độc lập - Tự do - Hạnh phúc"); err != nil {
		return err
	}
	if err := s.b.f.SetCellStyle(s.name, cellName(1, s.row), cellName(1, s.row), s.b.bold); err != nil {
		return err
	}
	s.blank()
	for _, l := range lines {
		if err := s.banner(l, s.b.title); err != nil {
			return err
		}
	}
	s.blank()
	return nil
}

// headers writes a one- or two-row header. A column with a Group sits under the group's merged
// cell; a column without one is merged over both rows.
func (s *sheet) headers(cols []col) error {
	two := false
	for _, c := range cols {
		if c.Group != "" {
			two = true
		}
	}
	top := s.row + 1
	s.row = top
	if !two {
		for i, c := range cols {
			if err := s.set(i+1, c.Name); err != nil {
				return err
			}
		}
		return s.b.f.SetCellStyle(s.name, cellName(1, top), cellName(len(cols), top), s.b.header)
	}
	s.row = top + 1
	for i := 0; i < len(cols); {
		c := cols[i]
		if c.Group == "" {
			s.row = top
			if err := s.set(i+1, c.Name); err != nil {
				return err
			}
			if err := s.b.f.MergeCell(s.name, cellName(i+1, top), cellName(i+1, top+1)); err != nil {
				return err
			}
			i++
			continue
		}
		j := i
		for j < len(cols) && cols[j].Group == c.Group {
			s.row = top + 1
			if err := s.set(j+1, cols[j].Name); err != nil {
				return err
			}
			j++
		}
		s.row = top
		if err := s.set(i+1, c.Group); err != nil {
			return err
		}
		if j-i > 1 {
			if err := s.b.f.MergeCell(s.name, cellName(i+1, top), cellName(j, top)); err != nil {
				return err
			}
		}
		i = j
	}
	s.row = top + 1
	return s.b.f.SetCellStyle(s.name, cellName(1, top), cellName(len(cols), top+1), s.b.header)
}

// columnNumbers writes the "(1) (2) (3) …" row under a header.
func (s *sheet) columnNumbers(n int) error {
	s.row++
	for i := 1; i <= n; i++ {
		if err := s.set(i, fmt.Sprintf("(%d)", i)); err != nil {
			return err
		}
	}
	return nil
}

// signatures writes the place-and-date line and the signature block under a table.
func (s *sheet) signatures(place string, date time.Time, preparer, signer string) error {
	right := max(4, s.cols-3)
	s.blank()
	s.row++
	if err := s.set(right, fmt.Sprintf("%s, ngày %02d tháng %02d năm %d", place, date.Day(), int(date.Month()), date.Year())); err != nil {
		return err
	}
	s.row++
	if err := s.set(2, "Người lập biểu"); err != nil {
		return err
	}
	if err := s.set(right, "KT. GIÁM ĐỐC"); err != nil {
		return err
	}
	s.row++
	if err := s.set(right, "PHÓ GIÁM ĐỐC"); err != nil {
		return err
	}
	s.blank()
	s.blank()
	s.row++
	if err := s.set(2, preparer); err != nil {
		return err
	}
	return s.set(right, signer)
}

func (s *sheet) widths(ws ...float64) error {
	for i, w := range ws {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := s.b.f.SetColWidth(s.name, c, c, w); err != nil {
			return err
		}
	}
	return nil
}

// writeIfChanged writes data to path through a temporary file, and leaves an existing file with the
// same bytes untouched (so a second demo run finds nothing new to load and no timestamps change).
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("sample: cannot write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sample: cannot write %s: %w", path, errorsJoin(werr, cerr))
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sample: cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sample: cannot write %s: %w", path, err)
	}
	return nil
}
