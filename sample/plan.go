package sample

import (
	"fmt"
	"sort"
	"time"

	"ntm"
	"ntm/evaluate"
)

// A plan is the designed truth: every village's survey answers and address coverage, every OCOP
// product and listing, every unit's online-service figures. Writers render it into messy files;
// expected() derives the statuses the evaluation should give.

type tri int8 // a yes/no answer as written in a survey

const (
	blank tri = iota // left empty: unknown, never "no"
	yes
	no
)

type dataState int8 // whether the newest usable data for a village is fresh

const (
	missing  dataState = iota // no row anywhere
	fresh                     // a row dated within 12 months of the period end
	stale                     // only a row older than 12 months
	rejected                  // a planted bad row (the village has no other fresh row)
)

type village struct {
	Code, Name, Kind string // "06523-004", "Thôn Nà Lìa", "Thôn" | "Tổ dân phố"
	Commune          *commune
	Survey           surveyPlan
	Addr             addrPlan
	smart            bool   // designed to be a smart village
	note             string // why it got its profile (for Expectation.Why)
}

type surveyPlan struct {
	State                 dataState
	AsOf                  time.Time
	Team, Platform, WiFi  tri
	Models                int // -1 = unknown (blank)
	Fields                []string
	TeamDecision, GroupNm string
	Reject                string // planted: "misspelt", "baddate", "unknowncode"
}

type addrCounts struct{ HH, HHWith, Org, OrgWith int }

func (a addrCounts) full() bool { return a.HHWith == a.HH && a.OrgWith == a.Org }

type addrPlan struct {
	State  dataState
	Now    addrCounts  // the fresh figures (State fresh or rejected)
	Old    *addrCounts // the figures in the older, stale export (nil: not in it)
	Reject string      // planted: "gt" (with address > total), "count" (not a number), "dup"
}

type ocopPlan int8

const (
	ocopNone     ocopPlan = iota // no products in the commune
	ocopListed                   // every valid product has an active listing
	ocopUnlisted                 // at least one valid product has none
)

type product struct {
	Name, Category, Owner string
	Stars                 int
	Commune               *commune
	DecisionNo            string
	Certified             time.Time
	Real                  bool // the name comes from the real OCOP list
	Listings              []*listing
	Reject                string // planted: "stars", "baddate"
	starsText             string
	dateAsCell            bool
	expiryColumn          bool
}

type listing struct {
	Platform      string // the header spelling: Postmart, Shopee, Voso, "Sàn TMĐT tỉnh", Lazada, Tiki, "TikTok Shop", Sendo
	InProductFile bool   // marked in the product list's platform column (x or URL), else a row of the listings file
	URL           string
	Listed        time.Time
	Active        bool
	Duplicate     bool // planted: the listings file repeats this row
}

func (p *product) expires() time.Time { return p.Certified.AddDate(0, 36, 0) }

// valid reports whether the certificate holds at the period end.
func (p *product) valid(end time.Time) bool {
	return !p.Certified.After(end) && !p.expires().Before(end)
}

func (p *product) listed() bool {
	for _, l := range p.Listings {
		if l.Active {
			return true
		}
	}
	return false
}

// dvcUnit is a reporting unit for indicator 9.5: a district's own People's Committee or a commune's.
type dvcUnit struct {
	Code, Name string // "187", "UBND huyện Chi Lăng"
	District   *district
	Commune    *commune // nil for the district's own unit
	Proc       *procFigures
	Months     []dossierMonth // index 0 = January; len = period month
	Scheme     string         // how its dossier periods are labelled
	Revised6   int            // extra dossiers in the "6 tháng đầu năm" row (a revised figure), if any
	Records    bool           // record-level export covers this unit
	BadLabelRj bool           // planted reject row for this unit
}

type procFigures struct{ Total, Eligible, Full, Partial int }

type dossierMonth struct{ Received, Online, Full int }

type districtDVC struct {
	D         *district
	Units     []*dvcUnit
	ProcMode  string // "ok", "short", "none", "partial"
	OldTerms  bool   // procedures reported as Mức độ 4/3 in the second file
	DossMode  string // "ok", "none"
	Records   string // "" or the date style of its record-level export: "dmy", "iso"
	Target    [2]int // designed dossier ratio num/den (for the note)
	JustBelow bool   // tuned to 69.9%
}

type plan struct {
	units       *unitList
	period      ntm.Period
	seed        int64
	tiny        bool
	dvc         []*districtDVC
	surveyFiles []surveyFile
	records     map[string][]record // district code → record-level rows (incl. planted ones)
	extraRows   plantedRows
}

// plantedRows are rows that name no real unit (they are rejected by design).
type plantedRows struct {
	vpostUnknownVillage bool // a vpostcode row for a village not in the master list
	dossierUnknownUnit  bool // a dossier row for a unit that does not exist
}

func (p *plan) end() time.Time { return p.period.End() }

// freshAsOf is the as-of date of the current exports: the last day of the month before the period's.
func (p *plan) freshAsOf() time.Time { return p.period.Start().AddDate(0, 0, -1) }

// staleAsOf is well over 12 months before the period end.
func (p *plan) staleAsOf() time.Time { return p.period.Start().AddDate(0, -18, -1) }

// ---- expected statuses ----

// The plan is designed for the built-in criteria set; its criteria, their order and the unit
// kinds they apply to are read from it (evaluate's registry), never listed here.
var (
	builtin = evaluate.Builtin()
	// smartParts are the conditions of a smart village; villageCriteria are they and the
	// smart village itself, in the set's order.
	smartParts      = builtin.Criterion(evaluate.KeySmartVillage).Parts
	villageCriteria = villageCriteriaOf(builtin)
)

func villageCriteriaOf(s *evaluate.Set) []string {
	var out []string
	for _, c := range s.Criteria {
		if c.Level == ntm.LevelVillage {
			out = append(out, c.Key)
		}
	}
	return out
}

func triStatus(t tri) ntm.Status {
	switch t {
	case yes:
		return ntm.StatusMet
	case no:
		return ntm.StatusNotMet
	}
	return ntm.StatusNoData
}

// villageStatuses derives V1…V6 and SMART_VILLAGE for a village from the plan.
func (p *plan) villageStatuses(v *village, haveOCOPList bool) map[string]ntm.Status {
	st := map[string]ntm.Status{}
	s := v.Survey
	if s.State == fresh {
		st[evaluate.KeyTeam], st[evaluate.KeyPlatform], st[evaluate.KeyWifi] = triStatus(s.Team), triStatus(s.Platform), triStatus(s.WiFi)
		switch {
		case s.Models < 0:
			st[evaluate.KeyModel] = ntm.StatusNoData
		case s.Models == 0:
			st[evaluate.KeyModel] = ntm.StatusNotMet
		default:
			st[evaluate.KeyModel] = ntm.StatusMet
		}
	} else {
		for _, k := range []string{evaluate.KeyTeam, evaluate.KeyPlatform, evaluate.KeyWifi, evaluate.KeyModel} {
			st[k] = ntm.StatusNoData
		}
	}
	if v.Addr.State == fresh {
		if v.Addr.Now.full() {
			st[evaluate.KeyAddress] = ntm.StatusMet
		} else {
			st[evaluate.KeyAddress] = ntm.StatusNotMet
		}
	} else {
		st[evaluate.KeyAddress] = ntm.StatusNoData
	}
	st[evaluate.KeyOCOP] = p.ocopStatus(v.Commune, haveOCOPList)
	st[evaluate.KeySmartVillage] = combine(st, smartParts)
	return st
}

// combine: met if all met; not met if any not met; otherwise no data.
func combine(st map[string]ntm.Status, keys []string) ntm.Status {
	all := true
	for _, k := range keys {
		switch st[k] {
		case ntm.StatusNotMet:
			return ntm.StatusNotMet
		case ntm.StatusNoData:
			all = false
		}
	}
	if all {
		return ntm.StatusMet
	}
	return ntm.StatusNoData
}

func (p *plan) ocopStatus(c *commune, haveList bool) ntm.Status {
	if !haveList {
		return ntm.StatusNoData
	}
	for _, pr := range c.Products {
		if pr.Reject == "" && pr.valid(p.end()) && !pr.listed() {
			return ntm.StatusNotMet
		}
	}
	return ntm.StatusMet
}

func (p *plan) expected() []Expectation {
	var out []Expectation
	for _, d := range p.units.Districts {
		for _, c := range d.Communes {
			smart, undecided := 0, false
			for _, v := range c.Villages {
				st := p.villageStatuses(v, true)
				for _, k := range villageCriteria {
					out = append(out, Expectation{UnitCode: v.Code, Level: ntm.LevelVillage, Criterion: k, Status: st[k], Why: v.why(k, st[k])})
				}
				switch st[evaluate.KeySmartVillage] {
				case ntm.StatusMet:
					smart++
				case ntm.StatusNoData:
					undecided = true
				}
			}
			c8 := ntm.StatusNotMet
			why := "no smart village and every village decided"
			if smart > 0 {
				c8, why = ntm.StatusMet, fmt.Sprintf("%d smart village(s)", smart)
			} else if undecided {
				c8, why = ntm.StatusNoData, "no smart village, some villages undecided"
			}
			if builtin.Criterion(evaluate.KeyC8).AppliesTo(c.Kind) { // xã only: wards and towns get no row
				out = append(out, Expectation{UnitCode: c.Code, Level: ntm.LevelCommune, Criterion: evaluate.KeyC8, Status: c8, Why: why})
			}
		}
	}
	for _, dd := range p.dvc {
		ps, pw := dd.procStatus()
		ds, dw := p.dossierStatus(dd)
		st := map[string]ntm.Status{"P": ps, "D": ds}
		out = append(out,
			Expectation{UnitCode: dd.D.Code, Level: ntm.LevelDistrict, Criterion: evaluate.KeyProcedures, Status: ps, Why: pw},
			Expectation{UnitCode: dd.D.Code, Level: ntm.LevelDistrict, Criterion: evaluate.KeyDossiers, Status: ds, Why: dw},
			Expectation{UnitCode: dd.D.Code, Level: ntm.LevelDistrict, Criterion: evaluate.KeyD95, Status: combine(st, []string{"P", "D"}), Why: "both parts"},
		)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].UnitCode != out[j].UnitCode {
			return out[i].UnitCode < out[j].UnitCode
		}
		return criterionRank(out[i].Criterion) < criterionRank(out[j].Criterion)
	})
	return out
}

// criterionRank is a criterion's position in the built-in set.
func criterionRank(k string) int {
	if c := builtin.Criterion(k); c != nil {
		return c.Position
	}
	return 99
}

func (v *village) why(k string, st ntm.Status) string {
	switch k {
	case evaluate.KeyAddress:
		switch v.Addr.State {
		case missing:
			return "in no vpostcode export"
		case stale:
			return "only in the stale vpostcode export"
		case rejected:
			return "its fresh vpostcode row is a planted reject (" + v.Addr.Reject + ")"
		}
		return fmt.Sprintf("%d/%d households, %d/%d organisations", v.Addr.Now.HHWith, v.Addr.Now.HH, v.Addr.Now.OrgWith, v.Addr.Now.Org)
	case evaluate.KeyOCOP:
		return fmt.Sprintf("commune %s: %d product(s)", v.Commune.Code, len(v.Commune.Products))
	case evaluate.KeySmartVillage:
		return v.note
	}
	switch v.Survey.State {
	case missing:
		return "in no survey"
	case stale:
		return "survey older than 12 months"
	case rejected:
		return "its survey row is a planted reject (" + v.Survey.Reject + ")"
	}
	if st == ntm.StatusNoData {
		return "answer left blank"
	}
	return "survey answer"
}

func (dd *districtDVC) procStatus() (ntm.Status, string) {
	switch dd.ProcMode {
	case "none":
		return ntm.StatusNoData, "no procedure figures reported"
	case "partial":
		return ntm.StatusNoData, "only some communes reported (assumes a missing unit means no data)"
	}
	var off, elig int
	for _, u := range dd.Units {
		off += u.Proc.Full + u.Proc.Partial
		elig += u.Proc.Eligible
	}
	if off >= elig {
		return ntm.StatusMet, fmt.Sprintf("%d/%d procedures online", off, elig)
	}
	return ntm.StatusNotMet, fmt.Sprintf("%d/%d procedures online", off, elig)
}

func (p *plan) dossierStatus(dd *districtDVC) (ntm.Status, string) {
	if dd.DossMode == "none" {
		return ntm.StatusNoData, "no dossier figures reported"
	}
	var rec, full int
	for _, u := range dd.Units {
		for _, r := range p.unitDossierRows(u) {
			if r.taken {
				rec += r.Received
				full += r.Full
			}
		}
	}
	why := fmt.Sprintf("%d/%d dossiers fully online", full, rec)
	if dd.Records != "" {
		why += " (record-level export; the aggregated rows agree)"
	}
	if 100*full >= 70*rec {
		return ntm.StatusMet, why
	}
	return ntm.StatusNotMet, why
}
