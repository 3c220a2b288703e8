package sample

import (
	"fmt"
	"sort"
	"time"

	"ntm"
)

// dossierRow is one reported period of a unit's dossiers, as written in the dvc_dossiers export.
type dossierRow struct {
	Label                  string // "Quý I/2024"; empty when the row is written as from/to dates
	From, To               time.Time
	Received, Online, Full int
	taken                  bool // used by the longest-first, non-overlapping rule (docs/criteria.md)
}

var romanQuarter = []string{"I", "II", "III", "IV"}

// unitDossierRows renders a unit's monthly figures into the period rows of its scheme and marks which
// rows the evaluation uses (longest first, skipping overlaps). Every scheme covers January to the
// period month, so a unit's window total does not depend on the scheme (except a revised half-year).
func (p *plan) unitDossierRows(u *dvcUnit) []dossierRow {
	y := p.period.Year
	m := len(u.Months)
	sum := func(from, to int) dossierRow { // months from..to, 1-based inclusive
		r := dossierRow{From: ntm.Date(y, time.Month(from), 1), To: ntm.Date(y, time.Month(to)+1, 1).AddDate(0, 0, -1)}
		for i := from; i <= to; i++ {
			r.Received += u.Months[i-1].Received
			r.Online += u.Months[i-1].Online
			r.Full += u.Months[i-1].Full
		}
		return r
	}
	month := func(i int) dossierRow { r := sum(i, i); r.Label = fmt.Sprintf("Tháng %d/%d", i, y); return r }
	quarter := func(q int) dossierRow {
		r := sum(3*q-2, 3*q)
		r.Label = fmt.Sprintf("Quý %s/%d", romanQuarter[q-1], y)
		return r
	}
	var rows []dossierRow
	quartersThenMonths := func(fromMonth int) {
		i := fromMonth
		for ; i+2 <= m && (i-1)%3 == 0; i += 3 {
			rows = append(rows, quarter((i+2)/3))
		}
		for ; i <= m; i++ {
			rows = append(rows, month(i))
		}
	}
	switch {
	case u.Scheme == "half" && m >= 6:
		h := sum(1, 6)
		h.Label = fmt.Sprintf("6 tháng đầu năm %d", y)
		h.Received += u.Revised6
		h.Online += u.Revised6
		h.Full += u.Revised6
		rows = append(rows, quarter(1), quarter(2), h)
		quartersThenMonths(7)
	case u.Scheme == "nine" && m >= 9:
		n := sum(1, 9)
		n.Label = fmt.Sprintf("9 tháng năm %d", y)
		rows = append(rows, n)
		for i := 10; i <= m; i++ {
			rows = append(rows, month(i))
		}
	case u.Scheme == "year" && m == 12:
		yr := sum(1, 12)
		yr.Label = fmt.Sprintf("Năm %d", y)
		rows = append(rows, quarter(1), quarter(2), quarter(3), quarter(4), yr)
	case u.Scheme == "months":
		for i := 1; i <= m; i++ {
			rows = append(rows, month(i))
		}
	default: // "quarters", "fromto" and schemes the period is too short for
		quartersThenMonths(1)
	}
	if u.Scheme == "fromto" {
		for i := range rows {
			rows[i].Label = ""
		}
	}
	// Longest first; skip any row overlapping one already taken.
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return rows[idx[a]].To.Sub(rows[idx[a]].From) > rows[idx[b]].To.Sub(rows[idx[b]].From)
	})
	for _, i := range idx {
		ok := true
		for j := range rows {
			if rows[j].taken && !rows[i].From.After(rows[j].To) && !rows[j].From.After(rows[i].To) {
				ok = false
				break
			}
		}
		rows[i].taken = ok
	}
	return rows
}
