package units

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Attribution answers, for one day E (a period's end), which units in force on E a dated
// fact counts for. It is computed once for all versions (Attribute) and then looked up by
// map: evaluating the country does one lookup per fact, never a query.
type Attribution struct {
	Day    time.Time
	h      *History
	owners map[*Version][]Owner
}

// Attribute computes the owners on day e of every version.
func (h *History) Attribute(e time.Time) *Attribution {
	a := &Attribution{Day: e, h: h, owners: make(map[*Version][]Owner, len(h.versions))}
	for _, v := range h.versions {
		owners(v, e, a.owners)
	}
	return a
}

// Of returns the version a fact with this code and unit date belongs to (VersionOf) and the
// units in force on the attribution's day that carry it; nil, nil for an unknown code.
func (a *Attribution) Of(code string, date time.Time) (*Version, []Owner) {
	v := a.h.VersionOf(code, date)
	if v == nil {
		return nil, nil
	}
	return v, a.owners[v]
}

// Owners returns the units in force on the attribution's day that carry version v.
func (a *Attribution) Owners(v *Version) []Owner { return a.owners[v] }

// AttributionRow is one row of the attribution table: facts with this code and a unit date
// in [EffFrom, EffTo] belong to the version of Code that started on VersionFrom, and count
// for Owner (Partial, Depth as in Owner). A zero EffFrom means "since always", a zero EffTo
// "for ever" (the first version takes earlier facts, the last one later facts).
type AttributionRow struct {
	Code           string
	VersionFrom    time.Time
	EffFrom, EffTo time.Time
	Owner          string
	Partial        bool
	Depth          int
}

// Rows returns the attribution as rows, by code and date; a version without owners on the
// day gives no row.
func (a *Attribution) Rows() []AttributionRow {
	var out []AttributionRow
	for j, first := range a.h.versions {
		if j > 0 && a.h.versions[j-1].Code == first.Code {
			continue
		}
		vs := a.h.Versions(first.Code)
		for i, v := range vs {
			var from, to time.Time
			if i > 0 {
				from = v.From
			}
			if i+1 < len(vs) {
				to = vs[i+1].From.AddDate(0, 0, -1)
			}
			for _, o := range a.owners[v] {
				out = append(out, AttributionRow{Code: v.Code, VersionFrom: v.From, EffFrom: from, EffTo: to,
					Owner: o.Version.Code, Partial: o.Partial, Depth: o.Depth})
			}
		}
	}
	return out
}

// WriteTable writes the attribution into a temporary table of the transaction tx, dropped at
// commit:
//
//	CREATE TEMP TABLE <name> (code text, version_from date, eff_from date, eff_to date,
//	                          owner_code text, partial boolean, depth integer) ON COMMIT DROP
//
// with eff_from = '-infinity' and eff_to = 'infinity' for the open ends, indexed on code, so
// that a query attributes facts with
//
//	JOIN <name> a ON a.code = f.village_code AND f.as_of BETWEEN a.eff_from AND a.eff_to
//
// It returns the number of rows written (docs/architecture.md has the measured cost).
func (a *Attribution) WriteTable(ctx context.Context, tx pgx.Tx, name string) (int64, error) {
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (code text NOT NULL, version_from date NOT NULL,
		eff_from date NOT NULL, eff_to date NOT NULL, owner_code text NOT NULL, partial boolean NOT NULL,
		depth integer NOT NULL) ON COMMIT DROP`, ident)); err != nil {
		return 0, fmt.Errorf("create attribution table %s: %w", name, err)
	}
	rows := a.Rows()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{name},
		[]string{"code", "version_from", "eff_from", "eff_to", "owner_code", "partial", "depth"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			from := pgtype.Date{Time: r.EffFrom, Valid: true}
			if r.EffFrom.IsZero() {
				from = pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
			}
			to := pgtype.Date{Time: r.EffTo, Valid: true}
			if r.EffTo.IsZero() {
				to = pgtype.Date{InfinityModifier: pgtype.Infinity, Valid: true}
			}
			return []any{r.Code, r.VersionFrom, from, to, r.Owner, r.Partial, r.Depth}, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("write attribution table %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX ON %s (code, eff_from)`, ident)); err != nil {
		return 0, fmt.Errorf("index attribution table %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, "ANALYZE "+ident); err != nil {
		return 0, fmt.Errorf("analyze attribution table %s: %w", name, err)
	}
	return n, nil
}

// Places returns the units in force on the attribution's day that a located fact (an OCOP
// product: its commune and, when named, its village, resolved at date) belongs to
// (docs/structure-changes.md §5): with a village named, that village's owners — or, with
// perVillage false, the communes holding them; otherwise every owner of its commune (all the
// successors of a split commune: shared is then true). A code the structure does not know is
// its own place; a unit closed without a successor has none.
func (a *Attribution) Places(commune, village string, date time.Time, perVillage bool) (codes []string, shared bool) {
	if village != "" {
		vv, owners := a.Of(village, date)
		switch {
		case vv == nil && perVillage:
			return []string{village}, false
		case vv != nil && len(owners) > 0:
			seen := map[string]bool{}
			for _, o := range owners {
				c := o.Version.Code
				if !perVillage {
					c = o.Version.Parent
				}
				if !seen[c] {
					seen[c] = true
					codes = append(codes, c)
				}
			}
			return codes, false
		}
	}
	if perVillage {
		return nil, false // without a village (or its successor) it belongs to no village
	}
	cv, owners := a.Of(commune, date)
	if cv == nil {
		return []string{commune}, false
	}
	for _, o := range owners {
		codes = append(codes, o.Version.Code)
	}
	return codes, len(owners) > 1
}
