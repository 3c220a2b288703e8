package transform

import (
	"context"
	"testing"

	"ntm/units"
)

// One loader loads many files with one unit index, but a change of the structure between two
// files (an alias added by the office, a units import) is seen by the next file.
func TestLoaderSeesUnitChangesBetweenFiles(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	l := NewLoader(pool, nil)
	header := []string{"Tên xã", "Tên thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"}
	load := func(name, households string) FileReport {
		t.Helper()
		path := writeCSV(t, t.TempDir(), name, [][]string{header,
			{"Xã Vân An", "Thôn Nà Sla", households, "10", "1", "1"},
			{"Xã Long Đống", "Thôn Nà Lay", "20", "10", "1", "1"},
			{"Xã Long Đống", "Thôn Khuổi Cưởm", "30", "10", "1", "1"},
		}, ',', false)
		rep, err := l.LoadFile(ctx, path, LoadOptions{AsOf: day(2024, 11, 30), MaxRejectShare: 1})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rejected {
			t.Fatalf("%s rejected whole: %s", name, rep.Message)
		}
		return rep
	}
	if rep := load("a.csv", "40"); rep.RowsLoaded != 2 || rep.RowsRejected != 1 {
		t.Fatalf("before the alias: loaded %d, rejected %d (%v)", rep.RowsLoaded, rep.RowsRejected, rep.Rejects)
	}
	if _, err := units.AddAlias(ctx, pool, "Thôn Khuổi Cưởm", "06328-001", "06328", "", "test"); err != nil {
		t.Fatal(err)
	}
	rep := load("b.csv", "41")
	if rep.RowsLoaded != 3 || rep.RowsRejected != 0 {
		t.Fatalf("after the alias: loaded %d, rejected %d (%v)", rep.RowsLoaded, rep.RowsRejected, rep.Rejects)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1 AND village_code = '06328-001'`, rep.BatchID); n != 1 {
		t.Errorf("facts of 06328-001 (Bản Chắt) after the alias: %d, want 1", n)
	}

	// A units import adds a village: the next file finds it.
	added := append(append([][]string{}, fixtureUnits...),
		[]string{"20", "Tỉnh Lạng Sơn", "185", "Huyện Bắc Sơn", "06328", "Xã Long Đống", "06328-003", "Thôn Nà Mò", "Thôn", "", ""})
	if rep, err := ImportUnits(ctx, pool, writeCSV(t, t.TempDir(), "units2.csv", added, ',', false), UnitsOptions{}); err != nil || rep.Rejected {
		t.Fatalf("units import: %v %+v", err, rep)
	}
	path := writeCSV(t, t.TempDir(), "c.csv", [][]string{header, {"Xã Long Đống", "Thôn Nà Mò", "5", "5", "0", "0"}}, ',', false)
	rep, err := l.LoadFile(ctx, path, LoadOptions{AsOf: day(2024, 11, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsLoaded != 1 {
		t.Fatalf("after the import: loaded %d, rejected %v (%s)", rep.RowsLoaded, rep.Rejects, rep.Message)
	}
}

// An alias added in a caller's transaction is seen by a load in that transaction; once the
// transaction is rolled back, the loader's next file no longer sees it.
func TestLoaderForgetsUnitChangesRolledBack(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	l := NewLoader(pool, nil)
	header := []string{"Tên xã", "Tên thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"}
	file := func(name, households string) string {
		return writeCSV(t, t.TempDir(), name, [][]string{header,
			{"Xã Vân An", "Thôn Nà Sla", households, "10", "1", "1"},
			{"Xã Long Đống", "Thôn Khuổi Cưởm", "30", "10", "1", "1"},
		}, ',', false)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := units.AddAlias(ctx, tx, "Thôn Khuổi Cưởm", "06328-001", "06328", "", "test"); err != nil {
		t.Fatal(err)
	}
	rep, err := l.LoadFileTx(ctx, tx, file("a.csv", "40"), LoadOptions{AsOf: day(2024, 11, 30), MaxRejectShare: 1})
	if err != nil || rep.RowsLoaded != 2 {
		t.Fatalf("in the transaction: %v, loaded %d, rejected %v", err, rep.RowsLoaded, rep.Rejects)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err = l.LoadFile(ctx, file("b.csv", "41"), LoadOptions{AsOf: day(2024, 11, 30), MaxRejectShare: 1})
	if err != nil || rep.RowsLoaded != 1 || rep.RowsRejected != 1 {
		t.Fatalf("after the rollback: %v, loaded %d, rejected %v", err, rep.RowsLoaded, rep.Rejects)
	}
}
