package ingest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func cells(s string) []string { return strings.Split(s, "|") }

func TestRowClassification(t *testing.T) {
	type kind int
	const (
		data kind = iota
		colnum
		subtotal
		roman
		label
		footer
	)
	cases := []struct {
		row  string
		want kind
	}{
		{"(1)|(2)|(3)|(4)|(5)=(4)/(3)", colnum},
		{"1|2|3|4|5|6", colnum},
		{"A|B|1|2|3=2/1", colnum},
		{"A|B|C|D", colnum},
		{"1|120|100", data},
		{"1|2|4|5", data},
		{"Cộng||1354|1100", subtotal},
		{"|Tổng cộng|1404", subtotal},
		{"TỔNG SỐ:|12", subtotal},
		{"Toàn tỉnh|5", subtotal},
		{"Cộng huyện Chi Lăng|5", subtotal},
		{"Tổng cộng (I+II)|5", subtotal},
		{"1|Cộng Hòa|12|10", data},
		{"Cộng Hòa|12|10", data},
		{"Toàn Thắng|12", data},
		{"Tổng Cọt|3", data},
		{"I. Huyện Chi Lăng", roman},
		{"II|Huyện Hữu Lũng|50", roman},
		{"IV.", roman},
		{"|III - Thành phố Lạng Sơn", roman},
		{"Xã Quang Lang", label},
		{"|1. Xã Quang Lang", label},
		{"||Thôn Bản Chắt", label},
		{"|||Chưa có số liệu", data}, // too far right to be a label
		{"1|Bản Chắt", data},         // a data row with its numbers still empty
		{"Bản Chắt|Có|Không", data},
		{"Người lập biểu|||KT. CHỦ TỊCH", footer},
		{"(Ký, ghi rõ họ tên)", footer},
		{"||||Lạng Sơn, ngày 30 tháng 11 năm 2024", footer},
		{"||||Lạng Sơn, ngày … tháng … năm 2024", footer},
		{"TM. UBND XÃ", footer},
		{"Ghi chú: số liệu tạm tính", footer},
	}
	for _, c := range cases {
		cs := cells(c.row)
		var got kind
		switch {
		case isColumnNumberRow(cs):
			got = colnum
		case !hasNumber(cs) && isFooterRow(cs):
			got = footer
		case isSubtotalRow(cs):
			got = subtotal
		default:
			if _, ok := romanGroup(cs); ok {
				got = roman
			} else if _, ok := labelGroup(cs); ok {
				got = label
			}
		}
		if got != c.want {
			t.Errorf("%q classified %d, want %d", c.row, got, c.want)
		}
	}
	if l, _ := romanGroup(cells("II|Huyện Hữu Lũng|50")); l != "II. Huyện Hữu Lũng" {
		t.Errorf("roman label %q", l)
	}
}

// feed runs rows through a sheetReader the way the readers do.
func feed(t *testing.T, rows [][]string, merges []mergeRange) (*got, error) {
	t.Helper()
	g := &got{}
	cb := &callbacks{score: scoreKnown, onTable: g.onTable, onRow: g.onRow}
	st := newSheetReader(cb, DefaultLimits(), "grid", "S", false, merges)
	for i, r := range rows {
		done, err := st.add(i+1, r)
		if err != nil || done {
			return g, err
		}
	}
	return g, st.end()
}

func TestGroupsNestByUnitLevel(t *testing.T) {
	rows := [][]string{
		cells("STT|Tên thôn|Tổng số hộ"),
		cells("Huyện Chi Lăng"),
		cells("Xã Quang Lang"),
		cells("1|Bản Chắt|10"),
		cells("Xã Mai Sao"),
		cells("2|Nà Sla|11"),
		cells("Huyện Hữu Lũng"),
		cells("3|Pò Mè|12"),
		cells("I. Khối tỉnh"),
		cells("1. Xã Yên Thịnh"),
		cells("4|Thôn 1|13"),
		cells("II"),
		cells("5|Thôn 2|14"),
		cells(""),
		cells("Người lập biểu"),
		cells("Nguyễn Văn A||Trần Văn B"),
		cells("Số điện thoại"),
	}
	g, err := feed(t, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, g.rows, []rowView{
		{4, cells("1|Bản Chắt|10"), []string{"Huyện Chi Lăng", "Xã Quang Lang"}},
		{6, cells("2|Nà Sla|11"), []string{"Huyện Chi Lăng", "Xã Mai Sao"}},
		{8, cells("3|Pò Mè|12"), []string{"Huyện Hữu Lũng"}},
		{11, cells("4|Thôn 1|13"), []string{"I. Khối tỉnh", "1. Xã Yên Thịnh"}},
		{13, cells("5|Thôn 2|14"), []string{"II"}},
	})
}

// A numbered data row after the signature block is data again: the footer
// only swallows rows without numbers.
func TestFooterDoesNotEatNumberedRows(t *testing.T) {
	g, err := feed(t, [][]string{
		cells("STT|Tên thôn|Tổng số hộ"),
		cells("1|Bản Chắt|10"),
		cells("Ghi chú: thôn Nà Sla chưa báo cáo"),
		cells("2|Nà Sla|11"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.rows) != 2 || g.rows[1].Num != 4 {
		t.Fatalf("rows %+v", views(g.rows))
	}
}

func TestHeaderChoice(t *testing.T) {
	// The deeper candidate wins only when it scores higher; ties keep the
	// shallower one, and a title merged over the header is not glued on.
	g, err := feed(t, [][]string{
		cells("DANH SÁCH THÔN|DANH SÁCH THÔN|DANH SÁCH THÔN"),
		cells("STT|Tên thôn|Tổng số hộ"),
		cells("1|Bản Chắt|10"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tb := g.tables[0]
	if tb.HeaderTop != 2 || tb.HeaderBottom != 2 {
		t.Fatalf("header %d..%d", tb.HeaderTop, tb.HeaderBottom)
	}
	assertStrings(t, "Preamble", tb.Preamble, cells("DANH SÁCH THÔN|DANH SÁCH THÔN|DANH SÁCH THÔN"))
	// Merged header, with the merge list.
	g, err = feed(t, [][]string{
		cells("STT|Tên thôn|Hộ gia đình||Ghi chú"),
		cells("||Tổng số|Đã gắn địa chỉ số"),
		cells("1|Bản Chắt|10|9|x"),
	}, []mergeRange{{1, 0, 2, 0}, {1, 1, 2, 1}, {1, 2, 1, 3}, {1, 4, 2, 4}, {1, 2, 1, 16383}})
	if err != nil {
		t.Fatal(err)
	}
	assertStrings(t, "Columns", g.tables[0].Columns, []string{"STT", "Tên thôn", "Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số", "Ghi chú"})
}

// FuzzHeaderDetection feeds random small grids (cells drawn from header,
// label, number and footer words) with random merges.
func FuzzHeaderDetection(f *testing.F) {
	f.Add([]byte{0, 1, 2, 255, 3, 4, 5, 255, 6, 7, 8}, []byte{0, 0, 1, 1})
	f.Add([]byte{9, 255, 10, 11, 255, 0, 1, 2, 255, 12, 13, 14, 255, 15}, []byte{1, 2, 3, 0})
	vocab := []string{"STT", "Tên thôn", "Tổng số hộ", "1", "Bản Chắt", "10", "Hộ gia đình", "Tổng số",
		"Đã gắn địa chỉ số", "I. Huyện Chi Lăng", "Cộng", "(1)", "(2)", "Xã Quang Lang", "Người lập biểu", "", " ", "II", "A", "B"}
	f.Fuzz(func(t *testing.T, grid []byte, mergeBytes []byte) {
		var rows [][]string
		var row []string
		for _, b := range grid {
			if b == 255 {
				rows = append(rows, row)
				row = nil
				continue
			}
			if len(row) < 12 {
				row = append(row, vocab[int(b)%len(vocab)])
			}
		}
		rows = append(rows, row)
		if len(rows) > 80 {
			rows = rows[:80]
		}
		var merges []mergeRange
		for i := 0; i+3 < len(mergeBytes) && len(merges) < 10; i += 4 {
			m := mergeRange{top: int(mergeBytes[i]%20) + 1, left: int(mergeBytes[i+1] % 12)}
			m.bottom = m.top + int(mergeBytes[i+2]%3)
			m.right = m.left + int(mergeBytes[i+3]%4)
			merges = append(merges, m)
		}
		g, err := feed(t, rows, merges)
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, r := range g.rows {
			if len(g.tables) != 1 || r.Num <= g.tables[0].HeaderBottom || r.Num <= last || len(r.Cells) == 0 {
				t.Fatalf("bad row %+v after %d", r, last)
			}
			last = r.Num
		}
	})
}

// BenchmarkReadXLSX reads a 50,000-row report (title, merged two-row header,
// eight columns of numbers and text).
func BenchmarkReadXLSX(b *testing.B) {
	benchFile := filepath.Join(b.TempDir(), "bench.xlsx")
	{
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		must := func(err error) {
			if err != nil {
				b.Fatal(err)
			}
		}
		must(sw.SetRow("A1", []any{"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ"}))
		must(sw.SetRow("A2", []any{"STT", "Tên thôn", "Hộ gia đình", nil, "Cơ quan, tổ chức", nil, "Ngày số liệu", "Ghi chú"}))
		must(sw.SetRow("A3", []any{nil, nil, "Tổng số", "Đã gắn địa chỉ số", "Tổng số", "Đã gắn địa chỉ số"}))
		must(sw.MergeCell("C2", "D2"))
		must(sw.MergeCell("E2", "F2"))
		for i := 0; i < 50000; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+4)
			must(sw.SetRow(cell, []any{i + 1, fmt.Sprintf("Thôn %d", i), 120 + i%50, 100 + i%20, 5, 3, 45626, "ghi chú"}))
		}
		must(sw.Flush())
		must(f.SaveAs(benchFile))
		f.Close()
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := ReadFile(b.Context(), benchFile, scoreKnown, func(*Table) error { return nil }, func(*Table, Row) error {
			n++
			return nil
		})
		if err != nil || n != 50000 {
			b.Fatalf("err %v, %d rows", err, n)
		}
	}
}
