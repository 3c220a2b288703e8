package transform

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
	"ntm/fold"
	"ntm/ingest"
	"ntm/testkit"
	"ntm/units"
)

// fixtureUnits is the shared units fixture (package testkit).
var fixtureUnits = testkit.Units

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
	return testkit.CSV(t, dir, name, rows, sep, bom)
}

// sheet is one worksheet of a generated workbook: rows from A1 down, and merged ranges.
type sheet struct {
	name   string
	rows   [][]any
	merges [][2]string
}

func writeXLSX(t testing.TB, dir, name string, sheets ...sheet) string {
	t.Helper()
	ss := make([]testkit.Sheet, len(sheets))
	for i, s := range sheets {
		ss[i] = testkit.Sheet{Name: s.name, Rows: s.rows, Merges: s.merges}
	}
	return testkit.XLSX(t, dir, name, ss...)
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
