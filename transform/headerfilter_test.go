package transform

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"ntm"
	"ntm/ingest"
	"ntm/sample"
)

// headerFilterSets are the sets of specs a header search runs with: every dataset's (a file
// loaded with --dataset) and all of them (a dataset detected).
func headerFilterSets() [][]*Spec {
	sets := [][]*Spec{specs}
	seen := map[ntm.Dataset]bool{}
	for _, s := range specs {
		if !seen[s.Dataset] {
			seen[s.Dataset] = true
			sets = append(sets, SpecsFor(s.Dataset))
		}
	}
	return sets
}

// The header filter must never refuse a candidate the scorer accepts (the header found would
// change): on random candidates made of the specs' synonyms, title texts, unit names and data
// values, joined over one to three rows, under a common title or one title merged across every
// column, whatever the set of specs.
func TestHeaderFilterNeverRefusesAScoredCandidate(t *testing.T) {
	var pool []string
	for _, s := range specs {
		for _, f := range s.Fields {
			pool = append(pool, f.Label)
			pool = append(pool, f.Synonyms...)
		}
	}
	pool = append(pool, "STT", "(1)", "100", "1.234", "30/11/2024", "Ghi chú", "Thôn 3", "Thôn Nà Pàn", "Xã Quang Lang",
		"Huyện Chi Lăng", "TỔNG CỘNG", "Tỷ lệ (%)", "Số liệu đến ngày 30/11/2024", "Tổng số", "Đã gắn địa chỉ số",
		"Hộ gia đình", "Cơ quan, tổ chức", "BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ CHO HỘ GIA ĐÌNH, CƠ QUAN, TỔ CHỨC", "Có", "Không",
		"I. Huyện Đồng Văn", "1. Thị trấn Phó Bảng", "Tổ dân phố 2", "Số", "Mã", "Tên", "hộ", "x")
	rng := rand.New(rand.NewSource(2026))
	cell := func() string {
		p := pool[rng.Intn(len(pool))]
		if rng.Intn(5) == 0 {
			p = strings.ToUpper(p)
		}
		return p
	}
	for _, ss := range headerFilterSets() {
		filter, score := headerFilterFor(ss), scorerFor(ss)
		if filter == nil {
			t.Fatalf("no header filter for %d specs", len(ss))
		}
		accepted := 0
		for it := 0; it < 20000; it++ {
			width, depth := 1+rng.Intn(10), 1+rng.Intn(3)
			title := ""
			if rng.Intn(8) == 0 {
				title = cell() + " " + cell() + " " + cell()
			}
			cols := make([]string, width)
			var u uint64
			for c := range cols {
				if c > 0 && rng.Intn(10) == 0 {
					cols[c] = cols[c-1] // a group header carried right, a merged title
					continue
				}
				var parts []string
				if title != "" {
					parts = append(parts, title)
					u |= filter.Cell(title)
				}
				for range depth {
					if rng.Intn(4) == 0 {
						continue // blank there
					}
					p := cleanCell(cell())
					parts = append(parts, p)
					u |= filter.Cell(p)
				}
				cols[c] = strings.Join(parts, " ")
			}
			if sc := score(cols); sc > 0 {
				accepted++
				if !filter.Possible(u) {
					t.Fatalf("the filter refuses %q, which scores %d", cols, sc)
				}
			}
		}
		if accepted < 100 {
			t.Fatalf("only %d of the random candidates score: the test tries too few headers", accepted)
		}
	}
}

// cleanCell is a cell as the header search gives it to the filter (ingest's cleanText).
func cleanCell(s string) string { return strings.Join(strings.Fields(s), " ") }

// Every sample export's tables, rows and skipped rows are the same read with the header filter
// and without it.
func TestHeaderFilterFindsTheSameTables(t *testing.T) {
	dir := t.TempDir()
	man, err := sample.LangSon(sample.Options{Dir: dir, Seed: 2024, Reform: true})
	if err != nil {
		t.Fatal(err)
	}
	read := func(path string, ss []*Spec, filter *ingest.HeaderFilter) string {
		var out strings.Builder
		rd := ingest.Reader{HeaderFilter: filter,
			OnSkip: func(tb *ingest.Table, s ingest.Skip) error {
				fmt.Fprintf(&out, "skip %s %d %s %q\n", s.Sheet, s.Row, s.Reason, s.Cells)
				return nil
			},
			OnSheetSkipped: func(sheet string, why ingest.SheetSkip) { fmt.Fprintf(&out, "sheet %s %s\n", sheet, why) }}
		err := rd.ReadFile(context.Background(), path, scorerFor(ss), func(tb *ingest.Table) error {
			fmt.Fprintf(&out, "table %s %d-%d %q %q\n", tb.Sheet, tb.HeaderTop, tb.HeaderBottom, tb.Columns, tb.Preamble)
			return nil
		}, func(tb *ingest.Table, r ingest.Row) error {
			fmt.Fprintf(&out, "row %s %d %q %q\n", r.Sheet, r.Num, r.Cells, r.Groups)
			return nil
		})
		fmt.Fprintf(&out, "error %v\n", err)
		return out.String()
	}
	files := 0
	for _, f := range man.Files {
		if f.ValidFrom != nil {
			continue // a structure import
		}
		for _, ss := range [][]*Spec{specs, SpecsFor(f.Dataset)} {
			filter := headerFilterFor(ss)
			with, without := read(f.Path, ss, filter), read(f.Path, ss, nil)
			if with != without {
				t.Fatalf("%s read with the header filter:\n%s\nwithout:\n%s", filepath.Base(f.Path), firstDiff(with, without), firstDiff(without, with))
			}
		}
		files++
	}
	if files < 20 {
		t.Fatalf("only %d sample files read", files)
	}
}

// firstDiff is a's lines from the first that b does not have at the same place.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range al {
		if i >= len(bl) || al[i] != bl[i] {
			return strings.Join(al[i:min(len(al), i+5)], "\n")
		}
	}
	return ""
}
