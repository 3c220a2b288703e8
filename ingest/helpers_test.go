package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ntm/fold"
	"ntm/testkit"
)

// knownHeaders is the vocabulary of the test scorer (folded).
var knownHeaders = map[string]bool{}

func init() {
	for _, h := range []string{
		"STT", "Tên thôn", "Thôn", "Xã", "Huyện", "Tên xã",
		"Hộ gia đình Tổng số", "Hộ gia đình Đã gắn địa chỉ số",
		"Cơ quan, tổ chức Tổng số", "Cơ quan, tổ chức Đã gắn địa chỉ số",
		"Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Ghi chú", "Đơn vị", "Ngày số liệu",
	} {
		knownHeaders[fold.Text(h)] = true
	}
}

// scoreKnown counts recognised column names; fewer than two is no header.
func scoreKnown(cols []string) int {
	n := 0
	for _, c := range cols {
		if knownHeaders[fold.Text(c)] {
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return n
}

// got collects what ReadFile delivers.
type got struct {
	tables []*Table
	rows   []Row
}

func (g *got) onTable(t *Table) error { g.tables = append(g.tables, t); return nil }
func (g *got) onRow(t *Table, r Row) error {
	g.rows = append(g.rows, r)
	return nil
}

func read(t *testing.T, path string) (*got, error) {
	t.Helper()
	g := &got{}
	err := ReadFile(context.Background(), path, scoreKnown, g.onTable, g.onRow)
	return g, err
}

func mustRead(t *testing.T, path string) *got {
	t.Helper()
	g, err := read(t, path)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", path, err)
	}
	return g
}

// sheetSpec describes a sheet to write: cells by reference, merges as
// "A1:B2".
type sheetSpec struct {
	name   string
	cells  map[string]any
	merges []string
}

func writeXLSX(t testing.TB, name string, sheets ...sheetSpec) string {
	t.Helper()
	ss := make([]testkit.Sheet, len(sheets))
	for i, s := range sheets {
		ss[i] = testkit.Sheet{Name: s.name, Cells: s.cells}
		for _, m := range s.merges {
			a, b, _ := strings.Cut(m, ":")
			ss[i].Merges = append(ss[i].Merges, [2]string{a, b})
		}
	}
	return testkit.XLSX(t, t.TempDir(), name, ss...)
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rowView is a compact form of a Row for assertions.
type rowView struct {
	Num    int
	Cells  []string
	Groups []string
}

func views(rows []Row) []rowView {
	out := make([]rowView, len(rows))
	for i, r := range rows {
		out[i] = rowView{r.Num, r.Cells, r.Groups}
		if out[i].Groups == nil {
			out[i].Groups = []string{}
		}
	}
	return out
}

func assertRows(t *testing.T, got []Row, want []rowView) {
	t.Helper()
	g := views(got)
	for i := range want {
		if want[i].Groups == nil {
			want[i].Groups = []string{}
		}
	}
	if !reflect.DeepEqual(g, want) {
		var b strings.Builder
		for _, r := range g {
			fmt.Fprintf(&b, "  %d %q %q\n", r.Num, r.Cells, r.Groups)
		}
		t.Fatalf("rows:\n%swant:\n%+v", b.String(), want)
	}
}

func assertStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %q\nwant %q", what, got, want)
	}
}
