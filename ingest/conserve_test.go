package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// ledger collects everything ReadFile says about the rows: delivered or skipped, and with
// roles set on each table (as the loader sets them).
type ledger struct {
	got
	skips  []Skip
	sheets map[string]SheetSkip
	roles  []ColumnRole
	rank   int
}

func (l *ledger) onTable(t *Table) error {
	t.Roles, t.RowUnitRank = l.roles, l.rank
	return l.got.onTable(t)
}

func (l *ledger) read(t *testing.T, path string) {
	t.Helper()
	r := Reader{OnSkip: func(_ *Table, s Skip) error { l.skips = append(l.skips, s); return nil },
		OnSheetSkipped: func(sh string, why SheetSkip) {
			if l.sheets == nil {
				l.sheets = map[string]SheetSkip{}
			}
			l.sheets[sh] = why
		}}
	if err := r.ReadFile(context.Background(), path, scoreKnown, l.onTable, l.onRow); err != nil {
		t.Fatal(err)
	}
}

// rowsOf lists every row number the reader accounted for, delivered or skipped; each must
// appear once.
func (l *ledger) accounted(t *testing.T) []int {
	t.Helper()
	seen := map[string]bool{}
	var nums []int
	add := func(sheet string, n int, what string) {
		k := fmt.Sprintf("%s!%d", sheet, n)
		if seen[k] {
			t.Fatalf("row %s accounted twice (%s)", k, what)
		}
		seen[k] = true
		nums = append(nums, n)
	}
	for _, r := range l.rows {
		add(r.Sheet, r.Num, "data")
	}
	for _, s := range l.skips {
		add(s.Sheet, s.Row, string(s.Reason))
	}
	sort.Ints(nums)
	return nums
}

func (l *ledger) skipReasons() map[int]SkipReason {
	m := map[int]SkipReason{}
	for _, s := range l.skips {
		m[s.Row] = s.Reason
	}
	return m
}

// vpRoles are the roles of the test layout STT | Xã | Tên thôn | Tổng số hộ | Số hộ đã gắn địa chỉ số.
var vpRoles = []ColumnRole{ColumnOther, ColumnKey, ColumnKey, ColumnData, ColumnData}

// Every line of a CSV is either delivered or skipped with its reason (issue: rows must never
// vanish), and a stray quote at the start of a field flaws its own line only.
func TestCSVStrayQuoteFlawsOneLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("BÁO CÁO\nSTT,Xã,Tên thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Ghi chú\n")
	for i := 1; i <= 150; i++ {
		village, note := fmt.Sprintf("Thôn %d", i), ""
		switch i {
		case 3:
			village = `"Thôn 3` // a stray quote opening a field that never closes
		case 7:
			note = `"chưa rà soát` // the same in a column nobody reads
		case 9:
			village = `"Thôn, 9"` // a proper quoted field
		}
		fmt.Fprintf(&b, "%d,Vân An,%s,%d,%d,%s\n", i, village, 100+i, 90, note)
	}
	l := &ledger{roles: vpRoles, rank: RankVillage}
	l.read(t, writeFile(t, "quote.csv", []byte(b.String())))
	if len(l.rows) != 150 {
		t.Fatalf("%d rows delivered, want 150", len(l.rows))
	}
	for _, r := range l.rows {
		i := r.Num - 2
		switch i {
		case 3:
			if len(r.Flaws) != 1 || r.Flaws[0].Col != 2 || r.Flaws[0].Kind != FlawUnclosedQuote || r.Cells[2] != `"Thôn 3` || r.Cells[3] != "103" {
				t.Fatalf("row 3: %+v", r)
			}
		case 7:
			if len(r.Flaws) != 1 || r.Flaws[0].Col != 5 || r.Cells[2] != "Thôn 7" {
				t.Fatalf("row 7: %+v", r)
			}
		case 9:
			if len(r.Flaws) != 0 || r.Cells[2] != "Thôn, 9" {
				t.Fatalf("row 9: %+v", r)
			}
		default:
			if len(r.Flaws) != 0 || r.Cells[2] != fmt.Sprintf("Thôn %d", i) {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
	}
	if nums := l.accounted(t); len(nums) != 152 || nums[0] != 1 || nums[151] != 152 {
		t.Fatalf("accounted rows %v", nums)
	}
}

// A quoted field may span lines (Excel writes line breaks in cells so), and a quote that only
// closes on a later line with text after it flaws the first line alone.
func TestCSVQuotedLinesAndMalformedClose(t *testing.T) {
	data := "STT,Tên thôn,Tổng số hộ\n" +
		"1,\"Bản\nChắt\",10\n" +
		"2,\"Nà Sla,20\n" +
		"3,Nà Lay\" cũ,30\n" +
		"4,Pò Xa,40"
	l := &ledger{}
	l.read(t, writeFile(t, "q.csv", []byte(data)))
	assertRows(t, l.rows, []rowView{
		{2, []string{"1", "Bản\nChắt", "10"}, nil},
		{4, []string{"2", "\"Nà Sla", "20"}, nil},
		{5, []string{"3", "Nà Lay\" cũ", "30"}, nil},
		{6, []string{"4", "Pò Xa", "40"}, nil},
	})
	if len(l.rows[1].Flaws) != 1 || len(l.rows[2].Flaws) != 0 {
		t.Fatalf("flaws %+v / %+v", l.rows[1].Flaws, l.rows[2].Flaws)
	}
}

// A stray quote that meets another quote lines later (an inch mark at the end of a row, a
// name quoted mid-field) must not merge the rows between them into one field: a quoted field
// spanning lines is refused when its record is not as wide as the table's or when the field
// holds a whole row's delimiters. Only the line the quote opened on is flagged; every row
// inside the span is delivered as a row. A real multi-line cell still reads as one field.
func TestCSVStrayQuoteClosedLaterMergesNothing(t *testing.T) {
	cases := []struct {
		name       string
		open, shut int    // rows: where the stray quote opens, where a later quote closes it
		col        int    // the column the stray quote opens in
		closeAt    string // how the later row closes it
	}{
		{"inch mark ends a later row", 4, 10, 5, `cao 12"`},     // record narrower than the table
		{"quote mid-field, same column", 4, 8, 2, `Thôn 8"`},    // same width: too many delimiters
		{"quote mid-field, earlier column", 4, 9, 2, `Vân An"`}, // wider than the table
		{"note to note, next row", 4, 5, 5, `xong"`},            // two lines, same width
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("STT,Xã,Tên thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Ghi chú\n")
			b.WriteString("0,Vân An,\"Bản\nChắt\",99,90,\"ghi chú\nhai dòng, có dấu phẩy\"\n") // real multi-line cells
			for i := 1; i <= 30; i++ {
				cells := []string{fmt.Sprint(i), "Vân An", fmt.Sprintf("Thôn %d", i), fmt.Sprint(100 + i), "90", ""}
				switch i {
				case tc.open:
					cells[tc.col] = `"` + cells[tc.col]
				case tc.shut:
					switch tc.closeAt {
					case `cao 12"`, `xong"`:
						cells[5] = tc.closeAt
					case `Vân An"`:
						cells[1] = tc.closeAt
					default:
						cells[2] = tc.closeAt
					}
				}
				b.WriteString(strings.Join(cells, ",") + "\n")
			}
			l := &ledger{roles: append(vpRoles, ColumnOther), rank: RankVillage}
			l.read(t, writeFile(t, "quote.csv", []byte(b.String())))
			if len(l.rows) != 31 {
				t.Fatalf("%d rows delivered, want 31 (rows merged into a quoted field)", len(l.rows))
			}
			if r := l.rows[0]; r.Cells[2] != "Bản\nChắt" || r.Cells[5] != "ghi chú\nhai dòng, có dấu phẩy" || len(r.Flaws) != 0 {
				t.Fatalf("the multi-line cells: %+v", r)
			}
			for _, r := range l.rows[1:] {
				i := r.Num - 4 // row 0 takes lines 2–4
				if want := i == tc.open; (len(r.Flaws) == 1 && r.Flaws[0].Kind == FlawUnclosedQuote && r.Flaws[0].Col == tc.col) != want || !want && len(r.Flaws) != 0 {
					t.Errorf("row %d (line %d): flaws %+v", i, r.Num, r.Flaws)
				}
				if len(r.Cells) < 5 || r.Cells[3] != fmt.Sprint(100+i) {
					t.Errorf("row %d: cells %q", i, r.Cells)
				}
			}
			if nums := l.accounted(t); len(nums) != 32 {
				t.Fatalf("accounted rows %v", nums)
			}
		})
	}
}

// A data row whose first cell looks like a Roman-numeral group ("X. Vân An" is Xã Vân An, a
// dossier id "IV-…") is data when it carries data; a group row with subtotals stays a group.
func TestRomanLookingCellsCarryingData(t *testing.T) {
	data := "Xã,Tổng số hộ,Số hộ đã gắn địa chỉ số\n" +
		"I. Huyện Chi Lăng,5000,4000\n" + // a group with its subtotal: names a district over communes
		"X. Vân An,12,10\n" +
		"V. Chi Lăng,13,11\n" +
		"II. Huyện Hữu Lũng,300,200\n" +
		"1. Xã Quang Lang\n" + // a commune label alone
		"Xã Long Đống,9,8\n"
	l := &ledger{roles: []ColumnRole{ColumnKey, ColumnData, ColumnData}, rank: RankCommune}
	l.read(t, writeFile(t, "roman.csv", []byte(data)))
	var got []string
	for _, r := range l.rows {
		got = append(got, fmt.Sprintf("%d:%s", r.Num, r.Cells[0]))
	}
	assertStrings(t, "delivered", got, []string{"3:X. Vân An", "4:V. Chi Lăng", "7:Xã Long Đống"})
	want := map[int]SkipReason{1: SkipHeader, 2: SkipGroup, 5: SkipGroup, 6: SkipGroup}
	if fmt.Sprint(l.skipReasons()) != fmt.Sprint(want) {
		t.Fatalf("skips %v, want %v", l.skipReasons(), want)
	}

	// Record ids: V-…, X-…, IV-… are never group labels.
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Đơn vị,Ngày số liệu\n")
	for i, id := range []string{"V-001", "X-002", "IV-2024-17", "II.5", "H-3"} {
		fmt.Fprintf(&b, "%s,UBND xã Vân An,0%d/03/2026\n", id, i+1)
	}
	l = &ledger{roles: []ColumnRole{ColumnKey, ColumnKey, ColumnData}, rank: RankRecords}
	l.read(t, writeFile(t, "ids.csv", []byte(b.String())))
	if len(l.rows) != 5 {
		t.Fatalf("%d of 5 records delivered: skips %+v", len(l.rows), l.skips)
	}
	// Without roles (a caller that says nothing), the shape rules alone apply, as before: the
	// ids read as group labels.
	l = &ledger{}
	l.read(t, writeFile(t, "ids.csv", []byte(b.String())))
	if len(l.rows) != 1 {
		t.Fatalf("shape rules alone: %d rows", len(l.rows))
	}
}

// The header repeated further down (page breaks), with its column-number row, is skipped as
// such, not delivered as data.
func TestRepeatedHeaderSkipped(t *testing.T) {
	// Line 9: the column-number row alone at the top of a printed form's next page (it was a
	// date or count reject). Line 11 is not the form's column-number row: data, rejected later.
	data := "STT,Tên thôn,Tổng số hộ\n(1),(2),(3)\n1,Bản Chắt,10\nSTT,Tên thôn,Tổng số hộ\n(1),(2),(3)\n2,Nà Sla,20\n  stt , TÊN THÔN,Tổng số hộ\n3,Pò Xa,30\n(1),(2),(3)\n4,Nà Lay,40\n(1),(2),(4)\n"
	l := &ledger{}
	l.read(t, writeFile(t, "rep.csv", []byte(data)))
	if len(l.rows) != 5 {
		t.Fatalf("rows %+v", views(l.rows))
	}
	want := map[int]SkipReason{1: SkipHeader, 2: SkipColumnNumbers, 4: SkipRepeatedHeader, 5: SkipColumnNumbers, 7: SkipRepeatedHeader, 9: SkipColumnNumbers}
	if fmt.Sprint(l.skipReasons()) != fmt.Sprint(want) {
		t.Fatalf("skips %v, want %v", l.skipReasons(), want)
	}
}

// A count merged down over several rows belongs to none of them: each covered row is flawed;
// a unit name merged so is still copied into every row.
func TestMergedDataCellFlawsEveryRow(t *testing.T) {
	path := writeXLSX(t, "m.xlsx", sheetSpec{name: "S", cells: map[string]any{
		"A1": "Xã", "B1": "Tên thôn", "C1": "Tổng số hộ", "D1": "Số hộ đã gắn địa chỉ số",
		"A2": "Vân An", "B2": "Nà Sla", "C2": 12, "D2": 5,
		"B3": "Hòa Bình", "D3": 6,
		"B4": "Bản Chắt", "D4": 7,
		"A5": "Long Đống", "B5": "Nà Lay", "C5": 9, "D5": 8,
	}, merges: []string{"A2:A4", "C2:C4"}})
	l := &ledger{roles: []ColumnRole{ColumnKey, ColumnKey, ColumnData, ColumnData}, rank: RankVillage}
	l.read(t, path)
	if len(l.rows) != 4 {
		t.Fatalf("rows %+v", views(l.rows))
	}
	for _, r := range l.rows[:3] {
		if r.Cells[0] != "Vân An" || len(r.Flaws) != 1 || r.Flaws[0].Kind != FlawMergedCell || r.Flaws[0].Ref != "C2:C4" || r.Flaws[0].Col != 2 {
			t.Fatalf("row %d: %q %+v", r.Num, r.Cells, r.Flaws)
		}
	}
	if r := l.rows[3]; len(r.Flaws) != 0 || r.Cells[2] != "9" {
		t.Fatalf("row 5: %+v", r)
	}
}

// Every row of a messy report is accounted for, once: titles, header, column numbers,
// groups, subtotals, signatures and blanks are skipped with their reason.
func TestMessyReportEveryRowAccounted(t *testing.T) {
	l := &ledger{}
	spec := messyReport()
	l.read(t, writeXLSX(t, "messy.xlsx", spec))
	present := map[int]bool{}
	for ref := range spec.cells {
		var n int
		fmt.Sscanf(strings.TrimLeft(ref, "ABCDEFGH"), "%d", &n)
		present[n] = true
	}
	var want []int
	for n := range present {
		want = append(want, n)
	}
	sort.Ints(want)
	if got := l.accounted(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows accounted %v, want every row with a value %v", got, want)
	}
	reasons := map[SkipReason]int{}
	for _, s := range l.skips {
		reasons[s.Reason]++
	}
	for _, r := range []SkipReason{SkipTitle, SkipHeader, SkipGroup, SkipSubtotal} {
		if reasons[r] == 0 {
			t.Errorf("no %s row reported: %v", r, reasons)
		}
	}
}
