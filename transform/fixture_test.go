package transform

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db/dbtest"
	"ntm/fold"
	"ntm/ingest"
	"ntm/units"
)

// fixtureUnits is a small canonical units file: two Chi Lăng communes in Huyện Chi Lăng
// (a thị trấn and a xã), another Xã Chi Lăng in Huyện Tràng Định, and Huyện Bắc Sơn.
var fixtureUnits = [][]string{
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

// fixtureIndex is the fixture as an in-memory unit index (no database).
func fixtureIndex() *UnitIndex {
	var recs []*units.Version
	seen := map[string]bool{}
	add := func(code, level, kind, name, parent string) {
		if code == "" || seen[code] {
			return
		}
		seen[code] = true
		folded, k := fold.UnitName(name)
		if kind == "" {
			kind = kindLabel(k)
		}
		recs = append(recs, &units.Version{Code: code, Level: ntm.Level(level), Kind: kind, Name: name, Folded: folded, Parent: parent, From: DefaultValidFrom})
	}
	for _, r := range fixtureUnits[1:] {
		add(r[0], "province", "Tỉnh", r[1], "")
		add(r[2], "district", "", r[3], r[0])
		add(r[4], "commune", "", r[5], r[2])
		add(r[6], "village", r[8], r[7], r[4])
	}
	return newUnitIndex(units.New(recs, nil))
}

func writeCSV(t testing.TB, dir, name string, rows [][]string, sep rune, bom bool) string {
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

// sheet is one worksheet of a generated workbook: rows from A1 down, and merged ranges.
type sheet struct {
	name   string
	rows   [][]any
	merges [][2]string
}

func writeXLSX(t testing.TB, dir, name string, sheets ...sheet) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if len(row) == 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range s.merges {
			if err := f.MergeCell(s.name, m[0], m[1]); err != nil {
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

// seededDB is a fresh database holding the fixture units.
func seededDB(t *testing.T) *pgxpool.Pool { return seededPool(t) }

func seededPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	path := writeCSV(t, t.TempDir(), "units.csv", fixtureUnits, ',', false)
	rep, err := ImportUnits(context.Background(), pool, path, UnitsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected || rep.RowsRejected > 0 {
		t.Fatalf("fixture units not imported: %+v", rep)
	}
	return pool
}

func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// parseOne runs a dataset's row parser on one row under the given header, without a database.
func parseOne(t testing.TB, d ntm.Dataset, columns []string, cells []string, groups []string, preamble ...string) (parsed, *rowError, *rowParser) {
	t.Helper()
	m, err := DetectDataset(columns, SpecsFor(d))
	if err != nil {
		t.Fatalf("header %q: %v", columns, err)
	}
	idx := fixtureIndex()
	tc := &tableCtx{table: &ingest.Table{Sheet: "Data", Columns: columns, Preamble: preamble}, match: m, spec: m.Spec,
		refDate: ntm.Date(2024, 11, 30), fileAsOf: preambleAsOf(preamble)}
	tc.province, tc.district, tc.commune = contextFromPreamble(idx, preamble, tc.refDate)
	if m.Spec.Shape == "procedure_list" {
		tc.agg = &procedureAggregate{byKey: map[string]*procedureCounts{}}
	}
	p := &rowParser{tc: tc, row: ingest.Row{Sheet: "Data", Num: 9, Cells: cells, Groups: groups}, idx: idx, unitDate: tc.refDate}
	res, rerr := safeParse(m.Spec.parse, p)
	return res, rerr, p
}

func mustContain(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("message %q does not contain %q", got, w)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return ntm.Date(y, m, d) }

var _ = fmt.Sprint

func rowOf(num int, cells []string) ingest.Row {
	return ingest.Row{Sheet: "Data", Num: num, Cells: cells}
}
