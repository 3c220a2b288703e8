package sample

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"ntm"
)

// dvcDesign fixes how one district reports indicator 9.5, so that met, not met and no data all occur.
type dvcDesign struct {
	Code      string
	Proc      string // "ok" (100%), "short" (some offered < eligible), "none" (nothing reported), "partial" (some communes missing)
	OldTerms  bool   // procedures in the old terms Mức độ 4 / Mức độ 3 (a second file, no date inside)
	Doss      string // "ok" or "none"
	Target    int    // designed share of dossiers processed fully online, in percent
	JustBelow bool   // tuned to exactly 69.9%
	Records   string // record-level export for the district: "" none, "dmy" or "iso" dates
	Scheme    string // how most of its units label dossier periods
}

var langSonDVCDesign = []dvcDesign{
	{Code: "178", Proc: "ok", Doss: "ok", Target: 88, Scheme: "quarters"},
	{Code: "180", Proc: "short", Doss: "ok", Target: 77, Scheme: "half"},
	{Code: "181", Proc: "ok", Doss: "ok", Target: 79, Scheme: "nine"},
	{Code: "182", Proc: "ok", OldTerms: true, Doss: "ok", Target: 55, Scheme: "months"},
	{Code: "183", Proc: "ok", Doss: "ok", Target: 78, Records: "iso", Scheme: "quarters"},
	{Code: "184", Proc: "partial", Doss: "none", Scheme: "quarters"},
	{Code: "185", Proc: "ok", OldTerms: true, Doss: "ok", Target: 83, Scheme: "year"},
	{Code: "186", Proc: "short", Doss: "ok", JustBelow: true, Target: 70, Scheme: "quarters"},
	{Code: "187", Proc: "ok", Doss: "ok", Target: 82, Records: "dmy", Scheme: "months"},
	{Code: "188", Proc: "ok", Doss: "ok", Target: 79, Scheme: "fromto"},
	{Code: "189", Proc: "none", Doss: "ok", Target: 45, Scheme: "quarters"},
}

// record is one dossier of the record-level export.
type record struct {
	ID      string
	Unit    *dvcUnit
	Date    time.Time
	Online  bool
	Channel string // Trực tuyến, Trực tiếp, BCCI
	Full    bool   // full-process service (toàn trình / mức độ 4)
	Reject  string // planted: "dup" (repeats the row above), "baddate"
}

// dvcName is how a unit calls itself in the DVC reports: "UBND huyện Chi Lăng", "UBND xã Vân An".
func dvcName(kind, bare string) string {
	return "UBND " + strings.ToLower(kind) + " " + bare
}

func (p *plan) makeDVC(r *rand.Rand, design []dvcDesign) {
	p.records = map[string][]record{}
	for _, ds := range design {
		d := p.units.districtByCode(ds.Code)
		if d == nil {
			continue
		}
		dd := &districtDVC{D: d, ProcMode: ds.Proc, OldTerms: ds.OldTerms, DossMode: ds.Doss, Records: ds.Records, JustBelow: ds.JustBelow}
		own := &dvcUnit{Code: d.Code, Name: dvcName(d.Kind, d.Bare()), District: d}
		dd.Units = append(dd.Units, own)
		for _, c := range d.Communes {
			dd.Units = append(dd.Units, &dvcUnit{Code: c.Code, Name: dvcName(c.Kind, c.Bare()), District: d, Commune: c})
		}
		for i, u := range dd.Units {
			u.Scheme = ds.Scheme
			if ds.Scheme == "quarters" && i%5 == 3 {
				u.Scheme = "months"
			}
			if ds.Scheme == "fromto" && i%2 == 1 {
				u.Scheme = "half"
			}
			if ds.Proc == "none" || ds.Proc == "partial" && i > 10 {
				continue
			}
			f := &procFigures{}
			if u.Commune == nil {
				f.Total = 290 + r.IntN(70)
				f.Eligible = f.Total - 30 - r.IntN(40)
			} else {
				f.Total = 100 + r.IntN(40)
				f.Eligible = f.Total - 5 - r.IntN(20)
			}
			f.Full = f.Eligible * (45 + r.IntN(26)) / 100
			f.Partial = f.Eligible - f.Full
			u.Proc = f
		}
		if ds.Proc == "short" {
			if ds.JustBelow {
				own.Proc.Partial -= 5
			} else {
				for _, u := range dd.Units[1:3] {
					u.Proc.Partial -= 2 + r.IntN(3)
				}
			}
		}
		if ds.Doss == "ok" {
			if ds.Records != "" {
				p.makeRecords(r, dd, ds)
			} else {
				p.makeMonths(r, dd, ds)
			}
		}
		if ds.Scheme == "fromto" && len(dd.Units) > 2 {
			dd.Units[1].Revised6 = 12 // a revised half-year figure that differs from Q1+Q2
		}
		p.dvc = append(p.dvc, dd)
	}
}

func (p *plan) makeMonths(r *rand.Rand, dd *districtDVC, ds dvcDesign) {
	m := int(p.period.Month)
	for _, u := range dd.Units {
		base := 25 + r.IntN(40)
		if u.Commune == nil {
			base = 180 + r.IntN(120)
		}
		ratio := ds.Target - 5 + r.IntN(11)
		if ds.JustBelow {
			ratio = 68 + r.IntN(5)
		}
		u.Months = make([]dossierMonth, m)
		for i := range u.Months {
			rec := base * (80 + r.IntN(41)) / 100
			full := rec * ratio / 100
			online := full + (rec-full)*(20+r.IntN(40))/100
			u.Months[i] = dossierMonth{Received: rec, Online: min(online, rec), Full: full}
		}
	}
	if ds.JustBelow {
		tuneTo699(dd)
	}
}

// tuneTo699 adjusts the district's own unit so the district's total is exactly 69.9%: a received total
// that is a multiple of 1000 and full = 699/1000 of it.
func tuneTo699(dd *districtDVC) {
	own := dd.Units[0]
	last := &own.Months[len(own.Months)-1]
	var rec, full int
	for _, u := range dd.Units {
		for _, mo := range u.Months {
			rec += mo.Received
			full += mo.Full
		}
	}
	add := (1000 - rec%1000) % 1000
	last.Received += add
	last.Online += add
	rec += add
	want := rec / 1000 * 699
	delta := want - full
	for i := len(own.Months) - 1; i >= 0 && delta != 0; i-- {
		mo := &own.Months[i]
		if delta > 0 {
			step := min(delta, mo.Received-mo.Full)
			mo.Full += step
			mo.Online = max(mo.Online, mo.Full)
			delta -= step
		} else {
			step := min(-delta, mo.Full)
			mo.Full -= step
			delta += step
		}
	}
}

func (p *plan) makeRecords(r *rand.Rand, dd *districtDVC, ds dvcDesign) {
	m := int(p.period.Month)
	y := p.period.Year
	var recs []record
	for _, u := range dd.Units {
		u.Records = true
		base := 25 + r.IntN(35)
		if u.Commune == nil {
			base = 220 + r.IntN(80)
		}
		pf := 0.91 + float64(r.IntN(6))/100
		po := min(0.985, float64(ds.Target)/100/pf+float64(r.IntN(7)-3)/100)
		u.Months = make([]dossierMonth, m)
		for mo := 1; mo <= m; mo++ {
			days := ntm.Date(y, time.Month(mo)+1, 1).AddDate(0, 0, -1).Day()
			n := base * (80 + r.IntN(41)) / 100
			for range n {
				rc := record{Unit: u, Date: ntm.Date(y, time.Month(mo), 1+r.IntN(days)), Online: r.Float64() < po, Full: r.Float64() < pf}
				switch {
				case rc.Online:
					rc.Channel = "Trực tuyến"
				case chance(r, 15):
					rc.Channel = "BCCI"
				default:
					rc.Channel = "Trực tiếp"
				}
				recs = append(recs, rc)
			}
		}
	}
	order := map[*dvcUnit]int{}
	for i, u := range dd.Units {
		order[u] = i
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].Date.Equal(recs[j].Date) {
			return recs[i].Date.Before(recs[j].Date)
		}
		return order[recs[i].Unit] < order[recs[j].Unit]
	})
	seq := map[string]int{}
	for i := range recs {
		rc := &recs[i]
		k := rc.Unit.Code + rc.Date.Format("060102")
		seq[k]++
		rc.ID = fmt.Sprintf("000.%s.H35-%s-%04d", rc.Unit.Code, rc.Date.Format("060102"), seq[k])
	}
	// Planted: one repeated row, one row with a date that does not exist.
	if len(recs) > 200 {
		dup := recs[150]
		dup.Reject = "dup"
		bad := recs[300%len(recs)]
		bad.ID += "-B"
		bad.Reject = "baddate"
		recs = append(recs[:151], append([]record{dup}, recs[151:]...)...)
		recs = append(recs, bad)
	}
	for _, rc := range recs {
		if rc.Reject != "" {
			continue
		}
		mo := &rc.Unit.Months[rc.Date.Month()-1]
		mo.Received++
		if rc.Online {
			mo.Online++
		}
		if rc.Online && rc.Full {
			mo.Full++
		}
	}
	p.records[dd.D.Code] = recs
}
