package units

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

// The benchmarks measure the lineage at national scale (docs/architecture.md, "units at
// national scale", has the numbers and the decision they support). The structure: the 2024
// national list (63 provinces, 704 districts, 10,472 communes) with 9 made-up villages per
// commune, then a reform from 1/7/2025 in the shape of Lạng Sơn's: no districts, every second
// commune merged wholly into its neighbour (which continues under the province), and the
// villages of the merged commune renumbered under the one that takes them. About 160,000
// versions and 57,000 links.
//
//	go test -run '^$' -bench . -benchtime 3x ./units

var reformDay = ntm.Date(2025, 7, 1)

func nationalReform(tb testing.TB) ([]*Version, []*Link) {
	tb.Helper()
	_, here, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(here), "..", "sample", "data", "vn_units_2024.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	last := reformDay.AddDate(0, 0, -1)
	var vs []*Version
	var ls []*Link
	seen := map[string]bool{}
	add := func(code string, level ntm.Level, name, parent string, from, to time.Time) {
		vs = append(vs, &Version{Code: code, Level: level, Kind: "", Name: name, Folded: name, Parent: parent, From: from, To: to})
	}
	link := func(old, nu string, partial bool) {
		ls = append(ls, &Link{Old: old, New: nu, From: reformDay, Partial: partial})
	}
	var communes [][2]string // code, province
	for _, r := range recs[1:] {
		prov, dist, com := r[0], r[2], r[5]
		if !seen[prov] {
			seen[prov] = true
			add(prov, ntm.LevelProvince, r[1], "", Beginning, time.Time{})
		}
		if !seen[dist] {
			seen[dist] = true
			add(dist, ntm.LevelDistrict, r[3], prov, Beginning, last)
		}
		if com != "" && !seen[com] {
			seen[com] = true
			communes = append(communes, [2]string{com, prov})
			add(com, ntm.LevelCommune, r[6], dist, Beginning, last)
			for i := 1; i <= 9; i++ {
				add(fmt.Sprintf("%s-%03d", com, i), ntm.LevelVillage, fmt.Sprintf("Thôn %d", i), com, Beginning, last)
			}
		}
	}
	for i := 0; i < len(communes); i++ {
		keep, prov := communes[i][0], communes[i][1]
		add(keep, ntm.LevelCommune, "Xã mới "+keep, prov, reformDay, time.Time{})
		link(keep, keep, false)
		for v := 1; v <= 9; v++ {
			c := fmt.Sprintf("%s-%03d", keep, v)
			add(c, ntm.LevelVillage, fmt.Sprintf("Thôn %d", v), keep, reformDay, time.Time{})
			link(c, c, false)
		}
		if i+1 < len(communes) && communes[i+1][1] == prov {
			gone := communes[i+1][0]
			link(gone, keep, false)
			for v := 1; v <= 9; v++ {
				nu := fmt.Sprintf("%s-%03d", keep, 100+v)
				add(nu, ntm.LevelVillage, fmt.Sprintf("Thôn %d (cũ %s)", v, gone), keep, reformDay, time.Time{})
				link(fmt.Sprintf("%s-%03d", gone, v), nu, false)
			}
			i++
		}
	}
	return vs, ls
}

// copies returns fresh copies (New resolves links into the versions it is given).
func copies(vs []*Version, ls []*Link) ([]*Version, []*Link) {
	cv := make([]*Version, len(vs))
	for i, v := range vs {
		c := *v
		cv[i] = &c
	}
	cl := make([]*Link, len(ls))
	for i, l := range ls {
		c := *l
		cl[i] = &c
	}
	return cv, cl
}

func BenchmarkNewHistoryNational(b *testing.B) {
	vs, ls := nationalReform(b)
	b.ReportMetric(float64(len(vs)), "versions")
	b.ReportMetric(float64(len(ls)), "links")
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		cv, cl := copies(vs, ls)
		b.StartTimer()
		New(cv, cl)
	}
}

func BenchmarkAttributeNational(b *testing.B) {
	h := New(nationalReform(b))
	e := ntm.Date(2026, 11, 30)
	b.ResetTimer()
	for range b.N {
		h.Attribute(e)
	}
}

// A fact's lookup: its version by (code, unit date), then its owners on E.
func BenchmarkAttributionOfNational(b *testing.B) {
	h := New(nationalReform(b))
	a := h.Attribute(ntm.Date(2026, 11, 30))
	codes := make([]string, 0, h.Len())
	for _, v := range h.All() {
		codes = append(codes, v.Code)
	}
	dates := []time.Time{ntm.Date(2024, 10, 1), ntm.Date(2025, 9, 30)}
	b.ResetTimer()
	for i := range b.N {
		if _, os := a.Of(codes[i%len(codes)], dates[i%2]); os == nil && i < 0 {
			b.Fatal()
		}
	}
}

// storeNational writes the national reform into a fresh database.
func storeNational(b *testing.B) *pgxpool.Pool {
	b.Helper()
	vs, ls := nationalReform(b)
	pool := dbtest.New(b)
	ctx := context.Background()
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"unit"}, []string{"code", "level", "kind", "name", "folded_name", "parent_code", "valid_from", "valid_to"},
		pgx.CopyFromSlice(len(vs), func(i int) ([]any, error) {
			v := vs[i]
			return []any{v.Code, string(v.Level), v.Kind, v.Name, v.Folded, nullable(v.Parent), v.From, nullDate(v.To)}, nil
		})); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"unit_successor"}, []string{"old_code", "new_code", "from_date", "kind", "source"},
		pgx.CopyFromSlice(len(ls), func(i int) ([]any, error) {
			l := ls[i]
			return []any{l.Old, l.New, l.From, "full", SourceMapping}, nil
		})); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE unit; ANALYZE unit_successor"); err != nil {
		b.Fatal(err)
	}
	return pool
}

func BenchmarkLoadNational(b *testing.B) {
	pool := storeNational(b)
	b.ResetTimer()
	for range b.N {
		if _, err := Load(context.Background(), pool, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteTableNational(b *testing.B) {
	pool := storeNational(b)
	ctx := context.Background()
	h, err := Load(ctx, pool, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := h.Attribute(ntm.Date(2026, 11, 30))
	b.ResetTimer()
	for range b.N {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			n, err := a.WriteTable(ctx, tx, "attr")
			b.ReportMetric(float64(n), "rows")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// factsTable holds a million village facts, half dated before the reform and half after, in
// a table shaped like the fact tables' keys.
func factsTable(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE bench_fact AS
		SELECT u.code AS village_code, d.as_of
		FROM (SELECT code FROM unit WHERE level = 'village' ORDER BY code) u
		CROSS JOIN (SELECT DATE '2024-01-01' + 30 * g AS as_of FROM generate_series(0, 11) g) d;
		ANALYZE bench_fact`); err != nil {
		b.Fatal(err)
	}
}

// attributedFacts is the national reform with its facts in a database, and its attribution on
// 30/11/2026 (the timer restarted).
func attributedFacts(b *testing.B) (*pgxpool.Pool, *Attribution) {
	b.Helper()
	pool := storeNational(b)
	factsTable(b, pool)
	h, err := Load(context.Background(), pool, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := h.Attribute(ntm.Date(2026, 11, 30))
	b.ResetTimer()
	return pool, a
}

// Owners counted over every fact, two ways: in SQL through the attribution table, and in Go by
// reading the facts and looking each up in the Attribution.
func BenchmarkAttributeFactsSQL(b *testing.B) {
	pool, a := attributedFacts(b)
	ctx := context.Background()
	for range b.N {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := a.WriteTable(ctx, tx, "attr"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT a.owner_code, count(*) FROM bench_fact f
				JOIN attr a ON a.code = f.village_code AND f.as_of BETWEEN a.eff_from AND a.eff_to GROUP BY 1`)
			if err != nil {
				return err
			}
			owners := map[string]int64{}
			var facts int64
			for rows.Next() {
				var o string
				var n int64
				if err := rows.Scan(&o, &n); err != nil {
					return err
				}
				owners[o], facts = n, facts+n
			}
			b.ReportMetric(float64(facts), "facts")
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAttributeFactsGo(b *testing.B) {
	pool, a := attributedFacts(b)
	ctx := context.Background()
	for range b.N {
		rows, err := pool.Query(ctx, `SELECT village_code, as_of FROM bench_fact`)
		if err != nil {
			b.Fatal(err)
		}
		owners := map[string]int{}
		facts := 0
		for rows.Next() {
			var code string
			var on time.Time
			if err := rows.Scan(&code, &on); err != nil {
				b.Fatal(err)
			}
			_, os := a.Of(code, on)
			for _, o := range os {
				owners[o.Version.Code]++
			}
			facts++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(facts), "facts")
	}
}
