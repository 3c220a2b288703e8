package transform

import (
	"strings"
	"testing"

	"ntm"
	"ntm/copytext"
	"ntm/ingest"
)

// fuzzSpecs are the row parsers FuzzRowParsers drives: every shape of every dataset a file can
// hold (units files have their own reader and fuzz target, FuzzUnitsFile).
func fuzzSpecs() []*Spec {
	var out []*Spec
	for _, s := range specs {
		if s.parse != nil {
			out = append(out, s)
		}
	}
	return out
}

// FuzzRowParsers feeds the same arbitrary cells to every dataset's row parser, under a header
// of all its columns: each must accept or reject — never panic — and a reject names a reason
// and a column of the spec; an accepted row's facts are storable (COPY text) and satisfy the
// reject rules (with ≤ total, stars 3–5, a platform, a dossier id).
func FuzzRowParsers(f *testing.F) {
	f.Add("Huyện Chi Lăng|Xã Chi Lăng|Làng Cống|1.234|1234|||30/11/2024|4 sao")
	f.Add("|Chi Lăng||-1|x|3|4|45626|★★★")
	f.Add("I. H. Bắc Sơn|X.Long Đống|Bản Chắt|1e3|999,0|0|0|2024-11-30T00:00|6")
	f.Add("\u00a0|Xa\u0303 Va\u0302n An|Thôn Hoà Bình|9999999999999|0||||")
	f.Add("06523|06523-001|Có|Không|x|3|Postmart|https://postmart.vn/a|Đang bán|Quý III/2024")
	f.Add("H34.2024-1|UBND xã Chi Lăng|01/03/2024|Trực tuyến|Toàn trình|Mức độ 4|12/25/2024|\x00|\xff")
	idx := fixtureIndex()
	type target struct {
		spec *Spec
		m    *HeaderMatch
		cols int
	}
	var targets []target
	for _, s := range fuzzSpecs() {
		cols := make([]string, len(s.Fields))
		for i, fd := range s.Fields {
			cols[i] = fd.Label
		}
		m := s.Match(cols)
		if !m.Complete() {
			f.Fatalf("%s %s: the header of its own labels misses %v", s.Dataset, s.Shape, m.Missing)
		}
		targets = append(targets, target{s, m, len(cols)})
	}
	f.Fuzz(func(t *testing.T, row string) {
		in := strings.Split(row, "|")
		for _, tg := range targets {
			cells := make([]string, tg.cols)
			for i := range cells {
				cells[i] = in[i%len(in)]
			}
			tc := &tableCtx{table: &ingest.Table{Sheet: "S"}, match: tg.m, spec: tg.spec, refDate: day(2024, 11, 30),
				periodFrom: day(2024, 1, 1), periodTo: day(2024, 12, 31), periodLabel: "Năm 2024"}
			if tg.spec.Shape == "procedure_list" {
				tc.agg = &procedureAggregate{byKey: map[string]*procedureCounts{}}
			}
			p := &rowParser{tc: tc, row: ingest.Row{Sheet: "S", Num: 3, Cells: cells, Groups: in[:1]}, idx: idx, unitDate: tc.refDate}
			res, rerr := tg.spec.parse(p) // not safeParse: a panic must fail the fuzz target
			name := string(tg.spec.Dataset) + "/" + tg.spec.Shape
			if rerr != nil {
				if strings.TrimSpace(rerr.reason) == "" {
					t.Fatalf("%s: reject without a reason", name)
				}
				if rerr.field != "" && tg.spec.Field(rerr.field) == nil {
					t.Fatalf("%s: reject names field %q, not one of the spec", name, rerr.field)
				}
				continue
			}
			if res.apply != nil {
				res.apply()
				res.facts = append(res.facts, tc.agg.facts()...)
			}
			for _, fr := range res.facts {
				if len(fr.vals) != len(fr.table.Columns) {
					t.Fatalf("%s: %d values for %d columns of %s", name, len(fr.vals), len(fr.table.Columns), fr.table.Name)
				}
				for i, v := range fr.vals {
					if _, err := copytext.Append(nil, v); err != nil {
						t.Fatalf("%s: %s.%s = %#v cannot be stored: %v", name, fr.table.Name, fr.table.Columns[i], v, err)
					}
					if n, ok := v.(int64); ok && n < 0 {
						t.Fatalf("%s: negative %s.%s = %d", name, fr.table.Name, fr.table.Columns[i], n)
					}
				}
				checkFactRules(t, name, fr)
			}
		}
	})
}

// checkFactRules asserts the reject rules an accepted fact must satisfy.
func checkFactRules(t *testing.T, name string, fr factRow) {
	t.Helper()
	v := fr.vals
	n := func(i int) int64 {
		x, _ := v[i].(int64)
		return x
	}
	switch fr.table {
	case tVpostcode:
		if n(5) > n(4) || n(7) > n(6) {
			t.Fatalf("%s: accepted inconsistent counts %v", name, v)
		}
	case tProduct:
		if s := v[6].(int16); s < 3 || s > 5 {
			t.Fatalf("%s: accepted %d stars", name, s)
		}
	case tListing:
		if v[6] == "" {
			t.Fatalf("%s: a listing without a platform %v", name, v)
		}
	case tProcedures:
		if n(6)+n(7) > n(5) {
			t.Fatalf("%s: more procedures online than eligible %v", name, v)
		}
	case tDossiers:
		if n(8) > n(6) {
			t.Fatalf("%s: more dossiers fully online than received %v", name, v)
		}
	case tRecords:
		if v[2] == "" {
			t.Fatalf("%s: a record without an id", name)
		}
	}
}

// Every dataset's row parser is under the fuzz target (docs/decisions.md says so).
func TestFuzzRowParsersCoversEveryDataset(t *testing.T) {
	t.Parallel()
	seen := map[ntm.Dataset]bool{}
	for _, s := range fuzzSpecs() {
		seen[s.Dataset] = true
	}
	for _, s := range specs {
		if s.Dataset != ntm.DatasetUnits && !seen[s.Dataset] {
			t.Errorf("dataset %s has no row parser under FuzzRowParsers", s.Dataset)
		}
	}
}
