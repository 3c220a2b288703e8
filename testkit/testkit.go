// Package testkit holds what several packages' tests set up alike: a small administrative
// structure and generated .csv and .xlsx files. Tests only import it (never the program); it
// imports nothing of ntm, so every package's tests can.
package testkit

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Units is a small canonical units file: two Chi Lăng communes in Huyện Chi Lăng (a thị trấn and
// a xã), another Xã Chi Lăng in Huyện Tràng Định, and Huyện Bắc Sơn with a commune without
// villages. Bare "Chi Lăng" is ambiguous in the province; "Thôn Bản Chắt" exists in two communes.
var Units = [][]string{
	{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to"},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06466", "Thị trấn Chi Lăng", "06466-001", "Khối Phố Mới", "Khối", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-002", "Thôn Bản Chắt", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06469", "Xã Vân An", "06469-001", "Thôn Nà Sla", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06469", "Xã Vân An", "06469-002", "Thôn Hòa Bình", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06325", "Thị trấn Bắc Sơn", "06325-001", "Khối Trần Hưng Đạo", "Khối", "", ""},
	{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06328", "Xã Long Đống", "06328-001", "Thôn Bản Chắt", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06328", "Xã Long Đống", "06328-002", "Thôn Nà Lay", "Thôn", "", ""},
	{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06331", "Xã Vạn Thủy", "", "", "", "", ""},
	{"20", "Tỉnh Lạng Sơn", "180", "Huyện Tràng Định", "06034", "Xã Chi Lăng", "06034-001", "Thôn Nà Pồng", "Thôn", "", ""},
}

// UnitsCSV writes Units into a fresh temporary folder of t and returns its path.
func UnitsCSV(t testing.TB) string {
	t.Helper()
	return CSV(t, t.TempDir(), "units.csv", Units, ',', false)
}

// CSV writes rows to dir/name with separator sep, after a UTF-8 byte-order mark when bom is set.
func CSV(t testing.TB, dir, name string, rows [][]string, sep rune, bom bool) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if bom {
		f.WriteString("\ufeff")
	}
	w := csv.NewWriter(f)
	w.Comma = sep
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Sheet is one worksheet of a generated workbook: Rows from A1 down (an empty row is left
// blank), then single Cells by reference ("C7"), then the merged ranges (from, to).
type Sheet struct {
	Name   string
	Rows   [][]any
	Cells  map[string]any
	Merges [][2]string
}

// XLSX writes the sheets, in order, into a workbook dir/name and returns its path.
func XLSX(t testing.TB, dir, name string, sheets ...Sheet) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.Rows {
			if len(row) == 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.Name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		for ref, v := range s.Cells {
			if err := f.SetCellValue(s.Name, ref, v); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range s.Merges {
			if err := f.MergeCell(s.Name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}
