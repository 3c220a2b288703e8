package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"ntm"
)

// The facts of 2025 and 2026, designed after the reform. The office's exports of that time:
//
//   - dvc-tthc-2025-08.xlsx: procedures of the 65 communes at 31/08/2025, except five of them (their
//     figures at 2025-09 come from their predecessors' 2024 figures combined, or are no data when a
//     predecessor is a split commune or reported nothing);
//   - dvc-ho-so-2025.xlsx: dossiers January–June by the 1/1/2025 communes and districts (grouped
//     "I. Huyện …"), July–September by the new communes, some of them still under a predecessor's name;
//     dvc-ho-so-chi-tiet-2025.csv: the records of new Xã Chi Lăng's area over the same window;
//   - the 2026 exports, as of 31/10/2026 (dossiers January–November 2026): village survey, digital
//     addresses, OCOP products and listings, procedures.
var (
	asOf2508 = ntm.Date(2025, time.August, 31)
	asOf2610 = ntm.Date(2026, time.October, 31)
)

// ReformPeriods are the periods the reform sample is designed for, besides 2024-12: 2025-09 (a
// dossier window that spans 1/7/2025, 2024 surveys still fresh through the lineage) and the current
// period 2026-11.
var ReformPeriods = []ntm.Period{{Year: 2025, Month: time.September}, {Year: 2026, Month: time.November}}

// oldNameCommunes are predecessors whose names still appear in exports after 1/7/2025 (old
// letterheads): one per successor, whose bare name is unique in the province, so the row resolves
// only through the successor link.
func (rf *reform) pickOldNames(r *rand.Rand) {
	bare := map[string]int{}
	for _, c := range rf.c24 {
		bare[strings.ToLower(c.Bare())]++
	}
	for _, c := range rf.h2 {
		bare[strings.ToLower(c.Bare())]++
	}
	for _, c := range rf.h2 {
		if len(c.Partial) > 0 || !chance(r, 22) && c.Code != "06481" {
			continue
		}
		for _, x := range c.Full {
			if x.Code != c.Code && x.District != nil && bare[strings.ToLower(x.Bare())] == 1 && x.old != nil {
				c.oldName = x
				break
			}
		}
	}
}

func (rf *reform) design() {
	r := rng(rf.seed, 41)
	rf.pickOldNames(r)
	// Procedures at 31/08/2025: every new commune but five (one of them a successor of a split
	// commune). Every new commune keeps the code of one of its predecessors; the five are judged on
	// all their predecessors' 2024 figures combined, not on the one whose code they hold (pinned
	// reading of docs/structure-changes.md §5 "its own versions": the version in force at the period
	// end, not an older unit that had its code — the criteria stream is told).
	skip := map[*cver]bool{rf.h2ByCode("06613"): true}
	for _, i := range r.Perm(len(rf.h2)) {
		if c := rf.h2[i]; len(skip) < 5 && len(c.Partial) == 0 {
			skip[c] = true
		}
	}
	for _, c := range rf.h2 {
		if !skip[c] {
			c.proc = &procFact{AsOf: asOf2508, procFigures: drawProc(r, 380+r.IntN(60), 82)}
		}
	}
	// Dossiers 2025: January–June by the first-half units, July–September by the new communes.
	for _, c := range rf.h1 {
		c.doss = drawDossiers(r, 2025, 1, 6, 40+r.IntN(60), 55+r.IntN(40))
	}
	for _, c := range rf.h2 {
		c.doss = drawDossiers(r, 2025, 7, 9, 150+r.IntN(250), 55+r.IntN(40))
	}
	if c := rf.h2ByCode("06463"); c != nil {
		c.records = true
		for _, x := range c.Full {
			x.records = true
		}
	}
	rf.design2026(r)
}

func drawProc(r *rand.Rand, eligible, metPct int) procFigures {
	f := procFigures{Total: eligible + 20 + r.IntN(40), Eligible: eligible}
	f.Full = eligible * (55 + r.IntN(25)) / 100
	f.Partial = eligible - f.Full
	if !chance(r, metPct) {
		f.Partial -= 2 + r.IntN(8)
	}
	return f
}

// drawDossiers gives months from..to of year figures around base a month, pct% of them fully online.
func drawDossiers(r *rand.Rand, year, from, to, base, pct int) *dossFact {
	d := &dossFact{Year: year, Months: map[time.Month]dossierMonth{}}
	for m := from; m <= to; m++ {
		n := base * (80 + r.IntN(41)) / 100
		full := n * (pct - 3 + r.IntN(7)) / 100
		online := min(n, full+n*(2+r.IntN(6))/100)
		d.Months[time.Month(m)] = dossierMonth{Received: n, Online: online, Full: full}
	}
	return d
}

// 2026 exports (the current period 2026-11).
type reform2026 struct {
	proc    map[*cver]*procFact
	doss    map[*cver]*dossFact
	listed  map[*product]bool // an active listing in the 2026 listings file
	missing map[*cver]bool    // no 2026 procedure row
}

func (rf *reform) design2026(r *rand.Rand) {
	// Villages: about a third designed smart; the others fail something or lack data.
	for _, c := range rf.h2 {
		pilot := chance(r, 70)
		for _, v := range c.Villages {
			s := &surveyFact{AsOf: asOf2610.AddDate(0, 0, -r.IntN(40))}
			a := &addrFact{AsOf: asOf2610, addrCounts: drawAddr(r, v.Kind)}
			switch x := r.IntN(100); {
			case pilot && x < 35:
				v.smart = true
				s.Team, s.Platform, s.WiFi = yes, yes, yes
				s.Models, s.Fields = models(r)
			default:
				s.Team, s.Platform, s.WiFi = drawTri(r, 88, 7), drawTri(r, 88, 7), drawTri(r, 60, 35)
				switch y := r.IntN(100); {
				case y < 65:
					s.Models, s.Fields = models(r)
				case y < 95:
					s.Models = 0
				default:
					s.Models = -1
				}
				if chance(r, 50) {
					a.addrCounts = short(r, a.addrCounts)
				}
			}
			switch x := r.IntN(100); {
			case x < 8 && !v.smart:
				s = nil // not in the 2026 survey: only its predecessors' 2024 answers, stale by now
			case x < 14 && !v.smart:
				a = nil
			}
			v.survey, v.addr = s, a
		}
	}
	// Survey rows still naming the old commune, and one naming split Xã Bính Xá.
	for _, c := range rf.h2 {
		if c.oldName == nil {
			continue
		}
		for _, v := range c.Villages {
			if v.survey != nil && len(v.Prev) == 1 && v.Prev[0].Commune == c.oldName && v.Prev[0].Name == v.Name {
				v.survey.OldCommune = c.oldName
			}
		}
	}
	if bx := rf.c24["06622"]; bx != nil {
		for _, v := range rf.h2v {
			if v.survey != nil && len(v.Prev) == 1 && v.Prev[0].Commune == bx && !v.smart {
				v.survey.SplitCommune = true
				break
			}
		}
	}
	// OCOP: 2024 products still certified at the period end are listed again under the new communes
	// (some rows still under the abolished commune's name, and the one of a split commune rejected);
	// new products certified in 2025–2026.
	rf.y26 = reform2026{proc: map[*cver]*procFact{}, doss: map[*cver]*dossFact{}, listed: map[*product]bool{}, missing: map[*cver]bool{}}
	rf.oldNameProducts = map[*product]*cver{}
	end := ReformPeriods[1].End()
	for _, pr := range rf.p.products() {
		if pr.Reject != "" || !pr.valid(end) {
			continue
		}
		old := rf.c24[pr.Commune.Code]
		if len(rf.successorsOf(old)) == 0 {
			continue // closed without a known successor: nobody lists it any more
		}
		if !pr.listed() && chance(r, 50) {
			rf.y26.listed[pr] = true
		}
		succ := rf.successorsOf(old)
		switch {
		case old.Code == "06622" && rf.splitProduct == nil:
			rf.splitProduct = pr
		case len(succ) == 1 && chance(r, 25) && uniqueBare(rf, old):
			rf.oldNameProducts[pr] = old
		}
	}
	for _, c := range rf.h2 {
		if !chance(r, 30) {
			continue
		}
		base := pick(r, "Miến dong", "Hồng không hạt", "Thạch đen", "Mật ong bạc hà", "Chè Shan tuyết", "Hồi khô", "Quýt vàng", "Khau nhục")
		pr := &product{Name: base + " " + c.Bare(), Category: category(base), Owner: "HTX Nông nghiệp " + c.Bare(), Stars: 3 + r.IntN(2),
			Certified: ntm.Date(2025, time.August, 1).AddDate(0, 0, r.IntN(400)), DecisionNo: fmt.Sprintf("%d/QĐ-UBND", 100+r.IntN(2400)),
			starsText: "%d sao"}
		c.products = append(c.products, pr)
		rf.products26 = append(rf.products26, pr)
		if chance(r, 75) {
			rf.y26.listed[pr] = true
		}
	}
	// Procedures at 31/10/2026 (two communes missing: their 2025 figures are stale by now), and
	// dossiers January–November 2026.
	for len(rf.y26.missing) < 2 {
		rf.y26.missing[rf.h2[r.IntN(len(rf.h2))]] = true
	}
	for _, c := range rf.h2 {
		if !rf.y26.missing[c] {
			rf.y26.proc[c] = &procFact{AsOf: asOf2610, procFigures: drawProc(r, 400+r.IntN(60), 78)}
		}
		rf.y26.doss[c] = drawDossiers(r, 2026, 1, 11, 150+r.IntN(250), 58+r.IntN(35))
	}
}

func uniqueBare(rf *reform, c *cver) bool {
	n := 0
	for _, x := range rf.c24 {
		if strings.EqualFold(x.Bare(), c.Bare()) {
			n++
		}
	}
	for _, x := range rf.h2 {
		if strings.EqualFold(x.Bare(), c.Bare()) {
			n++
		}
	}
	return n == 1
}

func drawAddr(r *rand.Rand, kind string) addrCounts {
	var a addrCounts
	if kind == "Tổ dân phố" {
		a.HH, a.Org = 90+r.IntN(330), 3+r.IntN(28)
	} else {
		a.HH = 35 + r.IntN(155)
		if !chance(r, 25) {
			a.Org = 1 + r.IntN(6)
		}
	}
	a.HHWith, a.OrgWith = a.HH, a.Org
	return a
}
