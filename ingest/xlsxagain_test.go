package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// transcript is everything a read gives its caller, in order.
type transcript struct {
	events []string
	err    string
}

func readTranscript(t *testing.T, path string, r Reader) transcript {
	t.Helper()
	var tr transcript
	r.OnSkip = func(tb *Table, s Skip) error {
		tr.events = append(tr.events, fmt.Sprintf("skip %s %d %s %q", s.Sheet, s.Row, s.Reason, s.Cells))
		return nil
	}
	r.OnSheetSkipped = func(sheet string, why SheetSkip) {
		tr.events = append(tr.events, fmt.Sprintf("sheet skipped %s %s", sheet, why))
	}
	err := r.ReadFile(context.Background(), path, scoreKnown, func(tb *Table) error {
		tb.Roles = []ColumnRole{ColumnKey, ColumnKey, ColumnData, ColumnData}
		tr.events = append(tr.events, fmt.Sprintf("table %s %d-%d %q %q %q", tb.Sheet, tb.HeaderTop, tb.HeaderBottom, tb.Columns, tb.Preamble, tb.HeaderRows))
		return nil
	}, func(tb *Table, row Row) error {
		tr.events = append(tr.events, fmt.Sprintf("row %s %d %q %q %+v", row.Sheet, row.Num, row.Cells, row.Groups, row.Flaws))
		return nil
	})
	if err != nil {
		tr.err = err.Error()
	}
	return tr
}

// readAgainLoop reads as a caller with Reader.ReadAgain does: what a read gave is thrown away
// when it ends with ErrReadAgain, and the file is read again. It returns the last read and how
// many reads it took.
func readAgainLoop(t *testing.T, path string, lim Limits) (transcript, int) {
	t.Helper()
	for n := 1; n <= 5; n++ {
		var err error
		tr := readTranscript(t, path, Reader{Limits: lim, ReadAgain: true})
		if tr.err == ErrReadAgain.Error() {
			err = ErrReadAgain
		}
		if !errors.Is(err, ErrReadAgain) {
			return tr, n
		}
	}
	t.Fatalf("%s: still ErrReadAgain after 5 reads", path)
	return transcript{}, 0
}

func mergedDataSheet(name string, rows int) sheetSpec {
	cells := map[string]any{"A1": "Xã", "B1": "Tên thôn", "C1": "Tổng số hộ", "D1": "Số hộ đã gắn địa chỉ số"}
	var merges []string
	for r := 2; r < rows; r += 4 {
		cells[fmt.Sprintf("A%d", r)] = fmt.Sprintf("Xã %d", r)
		for i := 0; i < 4; i++ {
			cells[fmt.Sprintf("B%d", r+i)] = fmt.Sprintf("Thôn %d", r+i)
			cells[fmt.Sprintf("D%d", r+i)] = r + i
		}
		cells[fmt.Sprintf("C%d", r)] = 10 * r
		merges = append(merges, fmt.Sprintf("A%d:A%d", r, r+2)) // a key column: filled down
		if r%8 == 2 {
			merges = append(merges, fmt.Sprintf("C%d:C%d", r, r+1)) // a data column: flawed
		}
	}
	return sheetSpec{name: name, cells: cells, merges: merges}
}

func plainSheet(name string, rows int) sheetSpec {
	cells := map[string]any{"A1": "Xã", "B1": "Tên thôn", "C1": "Tổng số hộ", "D1": "Số hộ đã gắn địa chỉ số"}
	for r := 2; r < rows; r++ {
		cells[fmt.Sprintf("A%d", r)], cells[fmt.Sprintf("B%d", r)], cells[fmt.Sprintf("C%d", r)] = "Vân An", fmt.Sprintf("Thôn %d", r), r
	}
	return sheetSpec{name: name, cells: cells}
}

// A big sheet read once (Reader.ReadAgain) gives exactly what two passes give: with merged
// ranges in its header and in its rows (a key column filled down, a data column flawed), after
// one read again; without any, at the first read. Every sheet is big here (UnzipXMLSize 1).
func TestReadAgainSameAsTwoPasses(t *testing.T) {
	lim := Limits{UnzipXMLSize: 1}
	for _, c := range []struct {
		name   string
		sheets []sheetSpec
		reads  int
	}{
		{"merges in the header", []sheetSpec{messyReport()}, 2},
		{"merges in the rows", []sheetSpec{mergedDataSheet("S", 60)}, 2},
		{"no merges", []sheetSpec{plainSheet("S", 60)}, 1},
		{"several sheets with merges: one read again", []sheetSpec{plainSheet("A", 20), messyReport(), mergedDataSheet("B", 40), plainSheet("C", 10), mergedDataSheet("D", 30)}, 2},
		{"a sheet without a header, with merges", []sheetSpec{{name: "N", cells: map[string]any{"A1": "Xã", "A2": "Tên thôn", "B3": "x"}, merges: []string{"A1:A2"}}}, 2},
	} {
		path := writeXLSX(t, "again.xlsx", c.sheets...)
		want := readTranscript(t, path, Reader{Limits: lim})
		if want.err != "" && !strings.Contains(want.err, "tiêu đề") {
			t.Fatalf("%s: two passes: %s", c.name, want.err)
		}
		got, reads := readAgainLoop(t, path, lim)
		if reads != c.reads {
			t.Errorf("%s: %d reads, want %d", c.name, reads, c.reads)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read once gives\n%s\n%s\ntwo passes give\n%s\n%s", c.name, strings.Join(got.events, "\n"), got.err, strings.Join(want.events, "\n"), want.err)
		}
		// The same with the sheets in memory (ReadAgain changes nothing there).
		if a, b := readTranscript(t, path, Reader{ReadAgain: true}), readTranscript(t, path, Reader{}); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: sheets in memory: ReadAgain changes the read", c.name)
		}
	}
}

// A damaged or cut big sheet ends a read once with the error two passes give (the first pass's
// when it was that pass that failed).
func TestReadAgainErrorsSameAsTwoPasses(t *testing.T) {
	lim := Limits{UnzipXMLSize: 1}
	good := writeXLSX(t, "good.xlsx", mergedDataSheet("S", 400), plainSheet("T", 300))
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var damaged []string
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		size := int64(f.CompressedSize64)
		for _, at := range []int64{size / 3, size - 12, size - 2} {
			for _, flip := range []byte{0x01, 0x80, 0xff} {
				b := bytes.Clone(data)
				b[off+at] ^= flip
				damaged = append(damaged, writeFile(t, fmt.Sprintf("bad-%d.xlsx", len(damaged)), b))
			}
		}
		// a truncated part: the stream ends early, the central directory says more
		raw, _ := f.OpenRaw()
		comp, _ := io.ReadAll(raw)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, g := range zr.File {
			h := g.FileHeader
			w, _ := zw.CreateRaw(&h)
			r, _ := g.OpenRaw()
			if g == f {
				w.Write(comp[:len(comp)/2])
				continue
			}
			io.Copy(w, r)
		}
		zw.Close()
		damaged = append(damaged, writeFile(t, fmt.Sprintf("cut-%d.xlsx", len(damaged)), buf.Bytes()))
	}
	failed := 0
	for _, path := range damaged {
		want := readTranscript(t, path, Reader{Limits: lim})
		got, _ := readAgainLoop(t, path, lim)
		if want.err != "" {
			failed++
		}
		if got.err != want.err {
			t.Errorf("%s: read once ends with %q, two passes with %q", path, got.err, want.err)
		}
		if want.err == "" && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read once and two passes differ", path)
		}
	}
	if failed < len(damaged)/2 {
		t.Fatalf("only %d of %d damaged files fail to read: the test damages too little", failed, len(damaged))
	}
}

// bigSheetXLSX writes a workbook of one deflated sheet: XML rows from row(n) for n = 1..rows,
// then the merged ranges.
func bigSheetXLSX(t *testing.T, rows int, row func(n int) string, merges []string) string {
	t.Helper()
	var sheet strings.Builder
	sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for n := 1; n <= rows; n++ {
		fmt.Fprintf(&sheet, `<row r="%d">%s</row>`, n, row(n))
	}
	sheet.WriteString(`</sheetData>`)
	if len(merges) > 0 {
		fmt.Fprintf(&sheet, `<mergeCells count="%d">`, len(merges))
		for _, m := range merges {
			fmt.Fprintf(&sheet, `<mergeCell ref="%s"/>`, m)
		}
		sheet.WriteString(`</mergeCells>`)
	}
	sheet.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range [][2]string{
		{"_rels/.rels", `<Relationships><Relationship Id="rId1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	} {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "big.xlsx", buf.Bytes())
}

func inline(ref, v string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t>` + v + `</t></is></c>`
}

// Sheets bigger than what the inflate reads ahead (several MB of XML), their ranges far after
// the rows the reader stops at: a sheet without a header (the rows stop after the header
// search) and a sheet whose ranges fill and flag rows all the way down.
func TestReadAgainBigSheets(t *testing.T) {
	lim := Limits{UnzipXMLSize: 1 << 20}
	noHeader := bigSheetXLSX(t, 100000, func(n int) string { return inline(fmt.Sprintf("A%d", n), "x") }, []string{"A1:B1"})
	var merges []string
	for r := 2; r < 40000; r += 4 {
		merges = append(merges, fmt.Sprintf("A%d:A%d", r, r+2))
		if r%40 == 2 {
			merges = append(merges, fmt.Sprintf("C%d:C%d", r, r+1))
		}
	}
	header := []string{"Xã", "Tên thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số"}
	mergedRows := bigSheetXLSX(t, 40000, func(n int) string {
		if n == 1 {
			return inline("A1", header[0]) + inline("B1", header[1]) + inline("C1", header[2]) + inline("D1", header[3])
		}
		s := ""
		if n%4 == 2 {
			s = inline(fmt.Sprintf("A%d", n), fmt.Sprintf("Xã %d", n))
		}
		return s + inline(fmt.Sprintf("B%d", n), fmt.Sprintf("Thôn %d", n)) + fmt.Sprintf(`<c r="C%d"><v>%d</v></c><c r="D%d"><v>%d</v></c>`, n, n, n, n/2)
	}, merges)
	for _, path := range []string{noHeader, mergedRows} {
		want := readTranscript(t, path, Reader{Limits: lim})
		got, reads := readAgainLoop(t, path, lim)
		if reads != 2 {
			t.Errorf("%s: %d reads, want 2", path, reads)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read once (%d events, %q) and two passes (%d events, %q) differ", path, len(got.events), got.err, len(want.events), want.err)
		}
	}
}

// The ranges kept for a read again serve every read again of the same bytes (the loader may
// read a file a third time, dates month first), and no more than lateMergesMax in all.
func TestLateMergesKept(t *testing.T) {
	k := func(i int) mergeKey { return mergeKey{file: "f", part: fmt.Sprint(i)} }
	putLateMerges(k(1), make([]mergeRange, 10))
	for range 2 {
		if m, ok := knownLateMerges(k(1)); !ok || len(m) != 10 {
			t.Fatalf("ranges not kept: %v %v", m, ok)
		}
	}
	putLateMerges(k(2), make([]mergeRange, lateMergesMax-10))
	putLateMerges(k(3), make([]mergeRange, 5)) // over the cap: the oldest goes
	if _, ok := knownLateMerges(k(1)); ok {
		t.Error("the oldest ranges are still kept over the cap")
	}
	if _, ok := knownLateMerges(k(3)); !ok {
		t.Error("the newest ranges are not kept")
	}
	lateMerges.Lock()
	n := lateMerges.n
	lateMerges.Unlock()
	if n > lateMergesMax {
		t.Errorf("%d ranges kept, cap %d", n, lateMergesMax)
	}
}
