package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// A properly quoted cell spanning lines is one field however many delimiters it holds — a
// note listing villages over several lines, with a whole row's worth of commas or more, in
// the first data column, in the middle and in the last — while a stray quote that meets
// another one lines later still merges no rows (TestCSVStrayQuoteClosedLaterMergesNothing).
// Before, such a cell was refused as a stray quote and its row read as broken.
func TestCSVMultiLineCellWithARowOfDelimiters(t *testing.T) {
	cells := map[int]string{
		3:  "Thôn A, Thôn B, Thôn C,\nThôn D, Thôn E, Thôn F",                                   // 5 commas: a whole row's (6 columns)
		7:  "gộp từ:\nBản Chắt, Nà Sla, Hòa Bình, Khuổi Cấp, Làng Cống, Nà Lay, Bản Mới",        // 6 commas on the second line
		12: "ghi chú, dòng 1,\n,,,,\ndòng 3, hết",                                               // an empty-looking line of commas inside
		25: "rà soát lại các hộ của:\nBản Chắt, Nà Sla, Hòa Bình, Khuổi Cấp, Làng Cống, Nà Lay", // last line: a row's 5 commas, as prose
	}
	names := map[int]string{
		20: "Thôn\nHai, Ba, Bốn, Năm, Sáu", // in the village name column, 4 commas
	}
	var b strings.Builder
	b.WriteString("STT,Xã,Tên thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Ghi chú\n")
	for i := 1; i <= 30; i++ {
		name := fmt.Sprintf("Thôn %d", i)
		if n, ok := names[i]; ok {
			name = `"` + n + `"`
		}
		note := ""
		if c, ok := cells[i]; ok {
			note = `"` + c + `"`
		}
		fmt.Fprintf(&b, "%d,Vân An,%s,%d,90,%s\n", i, name, 100+i, note)
	}
	l := &ledger{roles: append(vpRoles, ColumnOther), rank: RankVillage}
	l.read(t, writeFile(t, "ghi-chu.csv", []byte(b.String())))
	if len(l.rows) != 30 {
		t.Fatalf("%d rows delivered, want 30", len(l.rows))
	}
	for _, r := range l.rows {
		i := 0
		fmt.Sscan(r.Cells[0], &i)
		if len(r.Flaws) != 0 || len(r.Cells) < 5 || r.Cells[3] != fmt.Sprint(100+i) {
			t.Errorf("row %d (line %d): cells %q, flaws %+v", i, r.Num, r.Cells, r.Flaws)
		}
		if c, ok := cells[i]; ok && r.Cells[5] != c {
			t.Errorf("row %d: note %q, want %q", i, r.Cells[5], c)
		}
		if n, ok := names[i]; ok && r.Cells[2] != n {
			t.Errorf("row %d: name %q, want %q", i, r.Cells[2], n)
		}
	}
}
