package sample

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/evaluate"
)

// The statuses the reform sample is designed to give at 2025-09 and 2026-11 on the structure in
// force from 1/7/2025, following docs/structure-changes.md §4–§5:
//
//   - a fact belongs to the version in force at its date; a unit counts its own facts and its full
//     predecessors' (transitively), never those of an older unit that merely had its code (new
//     06463-001 is not old 06463-001 of Thị trấn Đồng Mỏ);
//   - snapshots (survey, addresses, procedures): the unit's own newest fact, else its predecessors'
//     newest facts combined: counts summed, dated by the oldest, answers kept when all agree, no data
//     when one differs or is missing or a predecessor is a split commune. Where a predecessor has no
//     fact of its own (the 1/1/2025 Thị trấn Thất Khê), its own predecessors stand in for it — the
//     contract is silent on this; it is what "transitively" suggests;
//   - flows (dossiers over the window): own and full predecessors' dossiers summed; a split predecessor
//     in force during the window makes it no data;
//   - OCOP: a product counts for its commune's successor; a split commune's product (no village named)
//     for every successor;
//   - C8 only for xã (wards get no C8 row); indicator 9.5 per commune, without districts.

// staleCut mirrors the evaluation's rule: data dated before the end of the month 12 months before the
// period is stale.
func staleCut(p ntm.Period) time.Time {
	n := p.Year*12 + int(p.Month) - 1 - 12
	return ntm.Period{Year: n / 12, Month: time.Month(n%12 + 1)}.End()
}

type surveyNow struct {
	AsOf                 time.Time
	Team, Platform, WiFi tri
	Models               int
	why                  string
	missing              bool
}

// surveyAt gives the survey answers a village version stands on at end (its own newest, else its
// predecessors' combined).
func (rf *reform) surveyAt(v *vver, end time.Time) surveyNow {
	if s := v.survey; s != nil && !s.AsOf.After(end) {
		return surveyNow{AsOf: s.AsOf, Team: s.Team, Platform: s.Platform, WiFi: s.WiFi, Models: s.Models, why: "own survey of " + dmy(s.AsOf)}
	}
	if o := v.old; o != nil {
		if o.Survey.State == fresh || o.Survey.State == stale {
			s := o.Survey
			return surveyNow{AsOf: s.AsOf, Team: s.Team, Platform: s.Platform, WiFi: s.WiFi, Models: s.Models, why: "2024 survey of " + v.Code}
		}
		return surveyNow{missing: true, why: v.Code + " has no 2024 survey"}
	}
	if len(v.Prev) == 0 {
		return surveyNow{missing: true, why: v.Code + " has no survey"}
	}
	var out surveyNow
	var codes []string
	for i, pv := range v.Prev {
		s := rf.surveyAt(pv, end)
		if s.missing {
			return s
		}
		codes = append(codes, pv.Code)
		if i == 0 {
			out = s
			continue
		}
		if s.AsOf.Before(out.AsOf) {
			out.AsOf = s.AsOf
		}
		agree := func(a *tri, b tri) {
			if *a != b {
				*a = blank // answers differ: no data
			}
		}
		agree(&out.Team, s.Team)
		agree(&out.Platform, s.Platform)
		agree(&out.WiFi, s.WiFi)
		if out.Models < 0 || s.Models < 0 {
			out.Models = -1
		} else {
			out.Models += s.Models
		}
	}
	out.why = "predecessors " + strings.Join(codes, "+") + " combined"
	return out
}

type addrNow struct {
	AsOf    time.Time
	c       addrCounts
	missing bool
	why     string
}

func (rf *reform) addrAt(v *vver, end time.Time) addrNow {
	if a := v.addr; a != nil && !a.AsOf.After(end) {
		return addrNow{AsOf: a.AsOf, c: a.addrCounts, why: "own 2026 coverage"}
	}
	if o := v.old; o != nil {
		switch {
		case o.Addr.State == fresh:
			return addrNow{AsOf: rf.p.freshAsOf(), c: o.Addr.Now, why: "2024 coverage of " + v.Code}
		case o.Addr.Old != nil:
			return addrNow{AsOf: rf.p.staleAsOf(), c: *o.Addr.Old, why: "only the 2023 coverage of " + v.Code}
		}
		return addrNow{missing: true, why: v.Code + " has no coverage row"}
	}
	if len(v.Prev) == 0 {
		return addrNow{missing: true, why: v.Code + " has no coverage row"}
	}
	var out addrNow
	for i, pv := range v.Prev {
		a := rf.addrAt(pv, end)
		if a.missing {
			return a
		}
		if i == 0 || a.AsOf.Before(out.AsOf) {
			out.AsOf = a.AsOf
		}
		out.c.HH += a.c.HH
		out.c.HHWith += a.c.HHWith
		out.c.Org += a.c.Org
		out.c.OrgWith += a.c.OrgWith
	}
	out.why = fmt.Sprintf("%d predecessor(s) summed", len(v.Prev))
	return out
}

// ocopAt: the valid products counting for a new commune at end, and whether each is listed.
func (rf *reform) ocopAt(c *cver, end time.Time) (ntm.Status, string) {
	valid, unlisted := 0, 0
	count := func(pr *product, listed bool) {
		if pr.Reject != "" || !pr.valid(end) {
			return
		}
		valid++
		if !listed {
			unlisted++
		}
	}
	in2026 := !asOf2610.After(end)
	for _, pr := range rf.p.products() {
		old := rf.c24[pr.Commune.Code]
		for _, s := range rf.successorsOf(old) {
			if s == c {
				count(pr, pr.listed() || in2026 && rf.y26.listed[pr])
			}
		}
	}
	if in2026 {
		for _, pr := range c.products {
			count(pr, rf.y26.listed[pr])
		}
	}
	why := fmt.Sprintf("%d valid product(s) through the lineage, %d unlisted", valid, unlisted)
	if unlisted > 0 {
		return ntm.StatusNotMet, why
	}
	return ntm.StatusMet, why
}

// procAt: the procedures figure of a commune version at end.
func (rf *reform) procAt(c *cver, end time.Time) (*procFact, string) {
	own := c.proc
	if f, ok := rf.y26.proc[c]; ok && !f.AsOf.After(end) {
		own = f
	}
	if own != nil && !own.AsOf.After(end) {
		return own, "own figures of " + dmy(own.AsOf)
	}
	if c.old != nil {
		if f, asOf := rf.p.proc2024(c.Code); f != nil {
			return &procFact{AsOf: asOf, procFigures: *f}, "2024 figures"
		}
		return nil, c.Code + " reported no 2024 procedures"
	}
	if len(c.Partial) > 0 {
		return nil, "a predecessor is a split commune (" + c.Partial[0].Name + ")"
	}
	if len(c.Full) == 0 {
		return nil, "no figures"
	}
	var out procFact
	for i, x := range c.Full {
		f, why := rf.procAt(x, end)
		if f == nil {
			return nil, why
		}
		if i == 0 || f.AsOf.Before(out.AsOf) {
			out.AsOf = f.AsOf
		}
		out.Total += f.Total
		out.Eligible += f.Eligible
		out.Full += f.Full
		out.Partial += f.Partial
	}
	return &out, fmt.Sprintf("%d predecessors combined", len(c.Full))
}

// proc2024 finds a 2024 commune's procedure figures and their as-of date, if they were reported.
func (p *plan) proc2024(code string) (*procFigures, time.Time) {
	for _, dd := range p.dvc {
		for _, u := range dd.Units {
			if u.Commune != nil && u.Code == code && u.Proc != nil && dd.ProcMode != "none" {
				if dd.OldTerms {
					return u.Proc, p.freshAsOf().AddDate(0, 0, -p.freshAsOf().Day())
				}
				return u.Proc, p.freshAsOf()
			}
		}
	}
	return nil, time.Time{}
}

// dossAt sums the dossiers of c and its full predecessors in force during the window.
func (rf *reform) dossAt(c *cver, from, end time.Time) (rec, full int, why string, ok bool) {
	var add func(x *cver) bool
	add = func(x *cver) bool {
		for _, d := range []*dossFact{x.doss, rf.y26.doss[x]} {
			if d == nil {
				continue
			}
			for m, f := range d.Months {
				day := ntm.Date(d.Year, m, 1)
				if !day.Before(from) && !day.After(end) {
					rec += f.Received
					full += f.Full
				}
			}
		}
		if x.From.IsZero() || !x.From.After(from) {
			return true // in force at the window's start: older versions lie outside it
		}
		if len(x.Partial) > 0 {
			why = "split predecessor " + x.Partial[0].Name + " in force during the window"
			return false
		}
		for _, p := range x.Full {
			if !add(p) {
				return false
			}
		}
		return true
	}
	if !add(c) {
		return 0, 0, why, false
	}
	return rec, full, fmt.Sprintf("%d/%d dossiers fully online", full, rec), true
}

// reformExpected derives every designed status at the reform periods.
func (rf *reform) expected() []Expectation {
	var out []Expectation
	for _, per := range ReformPeriods {
		end := per.End()
		cut := staleCut(per)
		add := func(code string, lv ntm.Level, k string, st ntm.Status, why string) {
			out = append(out, Expectation{Period: per, UnitCode: code, Level: lv, Criterion: k, Status: st, Why: why})
		}
		for _, c := range rf.h2 {
			ocop, ocopWhy := rf.ocopAt(c, end)
			smart, undecided := 0, false
			for _, v := range c.Villages {
				st := map[string]ntm.Status{}
				s := rf.surveyAt(v, end)
				sWhy := s.why
				switch {
				case s.missing:
					for _, k := range []string{evaluate.KeyTeam, evaluate.KeyPlatform, evaluate.KeyWifi, evaluate.KeyModel} {
						st[k] = ntm.StatusNoData
					}
				case s.AsOf.Before(cut):
					sWhy += ", stale"
					for _, k := range []string{evaluate.KeyTeam, evaluate.KeyPlatform, evaluate.KeyWifi, evaluate.KeyModel} {
						st[k] = ntm.StatusNoData
					}
				default:
					st[evaluate.KeyTeam], st[evaluate.KeyPlatform], st[evaluate.KeyWifi] = triStatus(s.Team), triStatus(s.Platform), triStatus(s.WiFi)
					switch {
					case s.Models < 0:
						st[evaluate.KeyModel] = ntm.StatusNoData
					case s.Models == 0:
						st[evaluate.KeyModel] = ntm.StatusNotMet
					default:
						st[evaluate.KeyModel] = ntm.StatusMet
					}
				}
				a := rf.addrAt(v, end)
				aWhy := a.why
				switch {
				case a.missing:
					st[evaluate.KeyAddress] = ntm.StatusNoData
				case a.AsOf.Before(cut):
					st[evaluate.KeyAddress], aWhy = ntm.StatusNoData, aWhy+", stale"
				case a.c.full():
					st[evaluate.KeyAddress] = ntm.StatusMet
				default:
					st[evaluate.KeyAddress] = ntm.StatusNotMet
				}
				st[evaluate.KeyOCOP] = ocop
				st[evaluate.KeySmartVillage] = combine(st, smartParts)
				for _, k := range villageCriteria {
					why := sWhy
					switch k {
					case evaluate.KeyAddress:
						why = aWhy
					case evaluate.KeyOCOP:
						why = ocopWhy
					case evaluate.KeySmartVillage:
						why = "all six"
					}
					add(v.Code, ntm.LevelVillage, k, st[k], why)
				}
				switch st[evaluate.KeySmartVillage] {
				case ntm.StatusMet:
					smart++
				case ntm.StatusNoData:
					undecided = true
				}
			}
			if c.Kind == "Xã" { // criterion 8 concerns rural communes only
				c8, why := ntm.StatusNotMet, "no smart village and every village decided"
				if smart > 0 {
					c8, why = ntm.StatusMet, fmt.Sprintf("%d smart village(s)", smart)
				} else if undecided {
					c8, why = ntm.StatusNoData, "no smart village, some villages undecided"
				}
				add(c.Code, ntm.LevelCommune, evaluate.KeyC8, c8, why)
			}
			// Indicator 9.5 per commune.
			ps, pw := ntm.StatusNoData, ""
			f, why := rf.procAt(c, end)
			switch {
			case f == nil:
				pw = why
			case f.AsOf.Before(cut):
				pw = why + ", stale"
			case f.Eligible == 0:
				pw = "no eligible procedures"
			case f.Full+f.Partial >= f.Eligible:
				ps, pw = ntm.StatusMet, fmt.Sprintf("%d/%d online (%s)", f.Full+f.Partial, f.Eligible, why)
			default:
				ps, pw = ntm.StatusNotMet, fmt.Sprintf("%d/%d online (%s)", f.Full+f.Partial, f.Eligible, why)
			}
			ds := ntm.StatusNoData
			rec, full, dw, ok := rf.dossAt(c, ntm.Date(per.Year, time.January, 1), end)
			if ok && rec > 0 {
				ds = ntm.StatusNotMet
				if 100*full >= 70*rec {
					ds = ntm.StatusMet
				}
			}
			add(c.Code, ntm.LevelCommune, evaluate.KeyProcedures, ps, pw)
			add(c.Code, ntm.LevelCommune, evaluate.KeyDossiers, ds, dw)
			add(c.Code, ntm.LevelCommune, evaluate.KeyD95, combine(map[string]ntm.Status{"P": ps, "D": ds}, []string{"P", "D"}), "both parts")
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Period.End().Equal(out[j].Period.End()) {
			return out[i].Period.End().Before(out[j].Period.End())
		}
		if out[i].UnitCode != out[j].UnitCode {
			return out[i].UnitCode < out[j].UnitCode
		}
		return criterionRank(out[i].Criterion) < criterionRank(out[j].Criterion)
	})
	return out
}
