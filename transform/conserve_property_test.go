package transform

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
)

// The row-conservation property: on generated files full of what careless or hostile exporters
// produce — stray quotes, Roman-looking first cells, merged count cells, hidden and very hidden
// sheets placed first, NULs, bytes of another encoding, repeated headers, group, subtotal,
// title, signature and blank rows, a cut last line — every file satisfies
// rows read = loaded + rejected + skipped, in its report and in the batch stored, every planted
// data row is loaded or rejected (never skipped), and only the planted non-data rows are
// skipped. Seeds are fixed, so a failure names the file that shows it.

// plantedFile is a generated file and what the generator knows about its rows.
type plantedFile struct {
	name    string
	dataset ntm.Dataset
	data    map[int]string // row number → what was planted in the data row ("" for plain)
	other   map[int]string // row number → the kind of non-data row
	hidden  int            // data rows written on hidden sheets (never read)
	// hiddenKind: 0 no hidden sheet, 1 a hidden one, 2 a very hidden one (placed first).
	hiddenKind int
}

// plantRow is one line the generator writes: cells, and for data rows their oddity.
type plantRow struct {
	cells []any
	data  bool
	what  string
}

// communes and villages of the fixture with names unique in it.
var plantVillages = [][2]string{{"Xã Vân An", "Nà Sla"}, {"Xã Vân An", "Hòa Bình"}, {"Xã Long Đống", "Bản Chắt"}, {"Xã Long Đống", "Nà Lay"}}

// generateVpostcode plans a vpostcode table without an STT column (so a commune written
// "X. Vân An" is the row's first cell).
func generateVpostcode(r *rand.Rand, csv bool) (header []any, rows []plantRow) {
	header = []any{"Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu", "Ghi chú"}
	n := 20 + r.IntN(40)
	day := 0
	for i := 0; i < n; i++ {
		switch k := r.IntN(20); {
		case k == 0:
			rows = append(rows, plantRow{cells: []any{"I. Huyện Chi Lăng"}, what: "group"})
		case k == 1:
			rows = append(rows, plantRow{cells: []any{"Cộng", nil, 500, 400, 5, 4}, what: "subtotal"})
		case k == 2:
			rows = append(rows, plantRow{cells: header, what: "repeated header"})
		case k == 3:
			rows = append(rows, plantRow{what: "blank"})
		case k == 4:
			rows = append(rows, plantRow{cells: []any{"1. Xã Vân An"}, what: "group"})
		default:
			v := plantVillages[r.IntN(len(plantVillages))]
			day++
			total := 50 + r.IntN(200)
			with := r.IntN(total + 1)
			asOf := ntm.Date(2024, 1, 1).AddDate(0, 0, day).Format("02/01/2006")
			commune, village, what := any(v[0]), any(v[1]), ""
			var note any
			switch r.IntN(12) {
			case 0:
				commune, what = "X. "+strings.TrimPrefix(v[0], "Xã "), "Roman-looking commune"
			case 1:
				if csv {
					village, what = `"`+v[1], "stray quote"
				}
			case 2:
				if csv {
					note, what = `"chưa rà soát`, "stray quote in a note"
				}
			case 3:
				if csv {
					village, what = v[1]+"\x00", "NUL"
				}
			case 4:
				if csv {
					village, what = v[1]+"\xec", "Windows-1258 byte"
				}
			case 5:
				if !csv {
					what = "merged count" // the generator merges this row's total down over the next
				}
			}
			var totalCell any = total
			if r.IntN(2) == 0 {
				totalCell = fmt.Sprintf("%d", total)
			}
			rows = append(rows, plantRow{cells: []any{commune, village, totalCell, with, 2, 1, asOf, note}, data: true, what: what})
		}
	}
	return header, rows
}

// generateRecords plans a record-level export whose dossier ids look like Roman numerals.
func generateRecords(r *rand.Rand, _ bool) (header []any, rows []plantRow) {
	header = []any{"Mã hồ sơ", "Đơn vị tiếp nhận", "Ngày tiếp nhận", "Hình thức nộp", "Toàn trình"}
	ids := []string{"V-%03d", "X-%03d", "IV-2024-%d", "II.%d", "L-%d", "XI-%d", "H34.2024-%06d"}
	n := 20 + r.IntN(40)
	for i := 0; i < n; i++ {
		switch r.IntN(15) {
		case 0:
			rows = append(rows, plantRow{cells: []any{"II. Xã Vân An"}, what: "group"})
		case 1:
			rows = append(rows, plantRow{cells: []any{"Tổng cộng", nil, nil, nil, nil}, what: "subtotal"})
		case 2:
			rows = append(rows, plantRow{what: "blank"})
		default:
			id := fmt.Sprintf(ids[r.IntN(len(ids))], i)
			unit := []string{"UBND xã Vân An", "UBND xã Long Đống", "Xã Vạn Thủy"}[r.IntN(3)]
			on := ntm.Date(2024, 3, 1).AddDate(0, 0, r.IntN(200)).Format("02/01/2006")
			rows = append(rows, plantRow{cells: []any{id, unit, on, "Trực tuyến", "Có"}, data: true, what: "Roman-looking id"})
		}
	}
	return header, rows
}

// planFile lays a table out: titles, the header, a column-number row, the rows, a signature.
func planFile(r *rand.Rand, gen func(*rand.Rand, bool) ([]any, []plantRow), csv bool) []plantRow {
	header, rows := gen(r, csv)
	var out []plantRow
	out = append(out, plantRow{cells: []any{"BÁO CÁO SỐ LIỆU"}, what: "title"})
	if r.IntN(2) == 0 {
		out = append(out, plantRow{cells: []any{"(Số liệu đến ngày 30/11/2024)"}, what: "title"})
	}
	out = append(out, plantRow{cells: header, what: "header"})
	if r.IntN(2) == 0 {
		cols := make([]any, len(header))
		for i := range cols {
			cols[i] = fmt.Sprintf("(%d)", i+1)
		}
		out = append(out, plantRow{cells: cols, what: "column numbers"})
	}
	out = append(out, rows...)
	if r.IntN(2) == 0 {
		out = append(out, plantRow{what: "blank"}, plantRow{cells: []any{"Người lập biểu", nil, nil, "KT. CHỦ TỊCH"}, what: "signature"})
	}
	return out
}

func csvField(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if strings.ContainsAny(x, ",\n") && !strings.HasPrefix(x, `"`) {
			return `"` + strings.ReplaceAll(x, `"`, `""`) + `"`
		}
		return x
	}
	return fmt.Sprint(v)
}

// writePlantedCSV writes the rows as CSV; cut ends the file inside its last data row.
func writePlantedCSV(t *testing.T, dir, name string, rows []plantRow, cut bool) plantedFile {
	t.Helper()
	pf := plantedFile{name: name, data: map[int]string{}, other: map[int]string{}}
	var b strings.Builder
	for i, row := range rows {
		fields := make([]string, len(row.cells))
		for j, c := range row.cells {
			fields[j] = csvField(c)
		}
		line := strings.Join(fields, ",")
		last := i == len(rows)-1
		if cut && last && len(line) > 1 {
			line = line[:len(line)/2+1]
			row.what = "cut"
		}
		b.WriteString(line)
		if !cut || !last {
			b.WriteString("\n")
		}
		if row.data {
			pf.data[i+1] = row.what
		} else {
			pf.other[i+1] = row.what
		}
	}
	writeBytesIn(t, filepath.Join(dir, name), []byte(b.String()))
	return pf
}

// writePlantedXLSX writes the rows on a visible sheet, after (in the workbook's order) a hidden
// or very hidden sheet holding other values for the same keys.
func writePlantedXLSX(t *testing.T, dir, name string, r *rand.Rand, rows []plantRow) plantedFile {
	t.Helper()
	pf := plantedFile{name: name, data: map[int]string{}, other: map[int]string{}}
	f := excelize.NewFile()
	defer f.Close()
	const visible = "Biểu 1"
	hidden := r.IntN(3) // 0 none, 1 hidden, 2 very hidden
	pf.hiddenKind = hidden
	first := "Sheet1"
	if hidden > 0 {
		if err := f.SetSheetName(first, "Cũ"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.NewSheet(visible); err != nil {
			t.Fatal(err)
		}
	} else if err := f.SetSheetName(first, visible); err != nil {
		t.Fatal(err)
	}
	num := 0
	for _, row := range rows {
		if len(row.cells) == 0 {
			// An Excel row without values is no row of the sheet: it is not read, not counted.
			num++
			continue
		}
		num++
		cell, _ := excelize.CoordinatesToCellName(1, num)
		cells := row.cells
		if err := f.SetSheetRow(visible, cell, &cells); err != nil {
			t.Fatal(err)
		}
		if hidden > 0 && row.data {
			old := append([]any(nil), row.cells...)
			old[2] = 1 // other values under the same keys: they must not win
			if err := f.SetSheetRow("Cũ", cell, &old); err != nil {
				t.Fatal(err)
			}
			pf.hidden++
		}
		if row.data {
			pf.data[num] = row.what
		} else {
			pf.other[num] = row.what
		}
	}
	// A merged count: the planted row's total merged down over the data row below it; both are
	// flawed (the value is the group's), so the one below counts as planted too.
	nums := make([]int, 0, len(pf.data))
	for n := range pf.data {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		if pf.data[n] != "merged count" {
			continue
		}
		if below, ok := pf.data[n+1]; !ok || below == "merged count" {
			pf.data[n] = "" // nothing to merge over: a plain row
			continue
		}
		if err := f.MergeCell(visible, fmt.Sprintf("C%d", n), fmt.Sprintf("C%d", n+1)); err != nil {
			t.Fatal(err)
		}
		pf.data[n+1] = "under a merged count"
	}
	if hidden > 0 {
		if err := f.SetSheetVisible("Cũ", false, hidden == 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return pf
}

func writeBytesIn(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRowConservationProperty(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	dir := t.TempDir()
	gens := []struct {
		dataset ntm.Dataset
		gen     func(*rand.Rand, bool) ([]any, []plantRow)
		facts   string
	}{
		{ntm.DatasetVpostcode, generateVpostcode, "fact_vpostcode"},
		{ntm.DatasetDVCDossierRecords, generateRecords, "fact_dvc_dossier_record"},
	}
	planted := map[string]bool{}
	for seed := uint64(1); seed <= 24; seed++ {
		r := rand.New(rand.NewPCG(seed, 14))
		g := gens[seed%2]
		csv := seed%4 < 2
		rows := planFile(r, g.gen, csv)
		var pf plantedFile
		if csv {
			pf = writePlantedCSV(t, dir, fmt.Sprintf("seed-%02d.csv", seed), rows, r.IntN(3) == 0)
		} else {
			pf = writePlantedXLSX(t, dir, fmt.Sprintf("seed-%02d.xlsx", seed), r, rows)
		}
		pf.dataset = g.dataset
		for _, what := range pf.data {
			planted[what] = true
		}
		for _, what := range pf.other {
			planted[what] = true
		}
		planted[[]string{"no hidden sheet", "a hidden sheet", "a very hidden sheet"}[pf.hiddenKind]] = true
		t.Run(pf.name, func(t *testing.T) {
			rep := loadCase(t, pool, filepath.Join(dir, pf.name), LoadOptions{Dataset: pf.dataset, MaxRejectShare: 1, AsOf: day(2024, 11, 30)})
			if rep.Rejected {
				t.Fatalf("rejected whole: %s", rep.Message)
			}
			if want := len(pf.data) + len(pf.other) - blankXLSXRows(pf); rep.RowsRead != want {
				t.Errorf("rows read %d, want the %d rows written on the visible sheet", rep.RowsRead, want)
			}
			checkPlanted(t, pool, rep.BatchID, g.facts, pf)
		})
	}
	// The seeds must keep planting every oddity (a change of the generator could drop one).
	for _, what := range []string{"Roman-looking commune", "Roman-looking id", "stray quote", "stray quote in a note", "NUL",
		"Windows-1258 byte", "merged count", "under a merged count", "cut", "repeated header", "group", "subtotal", "title",
		"header", "column numbers", "signature", "blank", "a hidden sheet", "a very hidden sheet"} {
		if !planted[what] {
			t.Errorf("no seed planted %q", what)
		}
	}
}

// blankXLSXRows counts the planted blank rows of a workbook (not rows of the sheet at all).
func blankXLSXRows(pf plantedFile) int {
	if !strings.HasSuffix(pf.name, ".xlsx") {
		return 0
	}
	n := 0
	for _, what := range pf.other {
		if what == "blank" {
			n++
		}
	}
	return n
}

// checkPlanted asserts that every planted data row of the visible sheet is a fact or a reject
// of the batch, and that every skipped row is a planted non-data row.
func checkPlanted(t *testing.T, pool *pgxpool.Pool, batch int64, facts string, pf plantedFile) {
	t.Helper()
	ctx := context.Background()
	fate := map[int]string{}
	for _, q := range []struct{ fate, sql string }{
		{"loaded", `SELECT sheet, row_no, row_no FROM ` + facts + ` WHERE batch_id = $1`},
		{"rejected", `SELECT sheet, row_no, row_no FROM rejected_row WHERE batch_id = $1`},
		{"skipped", `SELECT sheet, row_from, row_to FROM skipped_row WHERE batch_id = $1`},
	} {
		rows, err := pool.Query(ctx, q.sql, batch)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var sheet string
			var from, to int
			if err := rows.Scan(&sheet, &from, &to); err != nil {
				t.Fatal(err)
			}
			if sheet == "Cũ" {
				t.Errorf("a row of the hidden sheet was read: %s %d", q.fate, from)
			}
			for n := from; n <= to; n++ {
				if prev, ok := fate[n]; ok {
					t.Errorf("row %d is both %s and %s", n, prev, q.fate)
				}
				fate[n] = q.fate
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for n, what := range pf.data {
		switch fate[n] {
		case "loaded", "rejected":
		case "skipped":
			t.Errorf("planted data row %d (%s) was skipped", n, orPlain(what))
		default:
			t.Errorf("planted data row %d (%s) vanished", n, orPlain(what))
		}
		if what == "NUL" || what == "Windows-1258 byte" || strings.HasPrefix(what, "stray quote") || strings.Contains(what, "merged") {
			if fate[n] != "rejected" {
				t.Errorf("planted data row %d (%s) was %s, not rejected", n, what, fate[n])
			}
		}
	}
	for n, f := range fate {
		if _, planted := pf.data[n]; f == "skipped" && !planted {
			if _, ok := pf.other[n]; !ok {
				t.Errorf("row %d was skipped but nothing was planted there", n)
			}
		}
	}
}

func orPlain(s string) string {
	if s == "" {
		return "plain"
	}
	return s
}
