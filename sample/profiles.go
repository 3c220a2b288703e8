package sample

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Village profiles. A commune is a pilot (some smart villages) or not; a village is smart (all six
// conditions met), "notmet" (at least one condition not met), "undecided" (nothing not met, something
// unknown) or "free" (its commune already fails V5, anything goes). Proportions follow 2024 reality:
// most villages are not yet smart, teams and Zalo groups are common, WiFi and full address coverage less so.

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// chance returns true with probability pct/100.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }

func (p *plan) surveyFileOf(d *district) *surveyFile {
	for i := range p.surveyFiles {
		for _, code := range p.surveyFiles[i].Districts {
			if code == d.Code {
				return &p.surveyFiles[i]
			}
		}
	}
	return nil
}

func (p *plan) makeProfiles(r *rand.Rand) {
	for _, c := range p.units.communes() {
		if c.ocopPlan != ocopUnlisted && chance(r, 55) {
			c.pilot = true
		}
		nSmart := 0
		if c.pilot {
			share := 20 + r.IntN(41)
			nSmart = max(1, (len(c.Villages)*share+50)/100)
		}
		perm := r.Perm(len(c.Villages))
		for i, vi := range perm {
			v := c.Villages[vi]
			switch {
			case i < nSmart:
				p.drawSmart(r, v)
			case c.ocopPlan == ocopUnlisted:
				p.drawFree(r, v)
				v.note = "commune has an unlisted valid OCOP product"
			case chance(r, 10) || (c.pilot && chance(r, 6)):
				p.drawUndecided(r, v)
			default:
				p.drawNotMet(r, v)
			}
		}
	}
}

func (p *plan) surveyDate(r *rand.Rand, v *village, st dataState) time.Time {
	f := p.surveyFileOf(v.Commune.District)
	if f != nil && f.Format == "xlsx-title" {
		return f.AsOf
	}
	if st == stale {
		return p.staleAsOf().AddDate(0, 0, -r.IntN(60))
	}
	return p.freshAsOf().AddDate(0, 0, -r.IntN(75))
}

// staleAllowed: only exports with a date per row can hold an old answer next to fresh ones.
func (p *plan) staleAllowed(v *village) bool {
	f := p.surveyFileOf(v.Commune.District)
	return f != nil && f.Format != "xlsx-title"
}

func (p *plan) baseCounts(r *rand.Rand, v *village) addrCounts {
	var a addrCounts
	if v.Kind == "Tổ dân phố" {
		a.HH = 90 + r.IntN(330)
		a.Org = 3 + r.IntN(28)
	} else {
		a.HH = 35 + r.IntN(155)
		if !chance(r, 25) {
			a.Org = 1 + r.IntN(6)
		}
	}
	a.HHWith, a.OrgWith = a.HH, a.Org
	return a
}

func short(r *rand.Rand, a addrCounts) addrCounts {
	a.HHWith = a.HH - 1 - r.IntN(max(1, a.HH/8))
	if a.Org > 1 && chance(r, 40) {
		a.OrgWith = a.Org - 1 - r.IntN(a.Org/2)
	}
	return a
}

func older(r *rand.Rand, a addrCounts) *addrCounts {
	o := a
	o.HH -= r.IntN(4)
	o.HHWith = o.HH * (55 + r.IntN(40)) / 100
	o.OrgWith = o.Org * (40 + r.IntN(50)) / 100
	return &o
}

func models(r *rand.Rand) (int, []string) {
	n := 1 + r.IntN(3)
	if chance(r, 50) {
		n = 1
	}
	perm := r.Perm(len(modelCatalog))
	var fields []string
	for _, i := range perm[:n] {
		fields = append(fields, modelCatalog[i])
	}
	return n, fields
}

var modelCatalog = []string{
	"Camera an ninh tại các trục đường chính",
	"Đèn chiếu sáng tự động bật tắt",
	"Phần mềm quản lý quỹ thôn",
	"Bán hàng nông sản qua Zalo, Facebook",
	"Truy xuất nguồn gốc sản phẩm bằng mã QR",
	"Nhật ký canh tác điện tử",
	"Thanh toán không dùng tiền mặt tại chợ",
	"Loa truyền thanh thông minh",
}

// modelField names the field (lĩnh vực) of a model from the catalogue.
func modelField(m string) string {
	switch m {
	case modelCatalog[0]:
		return "An ninh trật tự"
	case modelCatalog[1]:
		return "Chiếu sáng thông minh"
	case modelCatalog[4], modelCatalog[5]:
		return "Nông nghiệp thông minh"
	}
	return "Sản xuất, kinh doanh"
}

func (p *plan) fillSurvey(r *rand.Rand, v *village, st dataState) {
	s := &v.Survey
	s.State = st
	if st == fresh || st == stale {
		s.AsOf = p.surveyDate(r, v, st)
	}
	base := v.Name
	s.GroupNm = pick(r, "Zalo "+base, "Nhóm Zalo "+base, "Thông tin "+base, "Facebook "+base)
	s.TeamDecision = fmt.Sprintf("%d/QĐ-UBND", 10+r.IntN(390))
}

func (p *plan) drawSmart(r *rand.Rand, v *village) {
	v.smart = true
	v.note = "designed smart village"
	p.fillSurvey(r, v, fresh)
	s := &v.Survey
	s.Team, s.Platform, s.WiFi = yes, yes, yes
	s.Models, s.Fields = models(r)
	v.Addr.State = fresh
	v.Addr.Now = p.baseCounts(r, v)
	if chance(r, 90) {
		v.Addr.Old = older(r, v.Addr.Now)
	}
}

func drawTri(r *rand.Rand, yesPct, noPct int) tri {
	x := r.IntN(100)
	switch {
	case x < yesPct:
		return yes
	case x < yesPct+noPct:
		return no
	}
	return blank
}

// drawFree draws each condition independently.
func (p *plan) drawFree(r *rand.Rand, v *village) {
	st := fresh
	switch x := r.IntN(100); {
	case x < 6:
		st = missing
	case x < 11 && p.staleAllowed(v):
		st = stale
	}
	p.fillSurvey(r, v, st)
	s := &v.Survey
	s.Team = drawTri(r, 85, 8)
	s.Platform = drawTri(r, 80, 12)
	s.WiFi = drawTri(r, 50, 43)
	switch x := r.IntN(100); {
	case x < 55:
		s.Models, s.Fields = models(r)
	case x < 92:
		s.Models = 0
	default:
		s.Models = -1
	}
	now := p.baseCounts(r, v)
	switch x := r.IntN(100); {
	case x < 35:
		v.Addr.State, v.Addr.Now = fresh, now
	case x < 86:
		v.Addr.State, v.Addr.Now = fresh, short(r, now)
	case x < 94:
		v.Addr.State = stale
	default:
		v.Addr.State = missing
	}
	if v.Addr.State != missing && chance(r, 90) || v.Addr.State == stale {
		v.Addr.Old = older(r, now)
	}
	if v.note == "" {
		v.note = "drawn freely"
	}
}

// drawNotMet: as drawFree, then make sure at least one condition is not met.
func (p *plan) drawNotMet(r *rand.Rand, v *village) {
	p.drawFree(r, v)
	v.note = "designed not smart: at least one condition not met"
	s := &v.Survey
	if s.State == fresh && (s.Team == no || s.Platform == no || s.WiFi == no || s.Models == 0) {
		return
	}
	if v.Addr.State == fresh && !v.Addr.Now.full() {
		return
	}
	if v.Addr.State == fresh && chance(r, 50) {
		v.Addr.Now = short(r, v.Addr.Now)
		return
	}
	if s.State != fresh {
		p.fillSurvey(r, v, fresh)
		s.Team, s.Platform = yes, yes
		s.Models = -1
	}
	if chance(r, 50) {
		s.WiFi = no
	} else {
		s.Models, s.Fields = 0, nil
	}
}

// drawUndecided: nothing not met, at least one thing unknown.
func (p *plan) drawUndecided(r *rand.Rand, v *village) {
	v.note = "designed undecided: nothing not met, something unknown"
	st := fresh
	switch x := r.IntN(100); {
	case x < 20:
		st = missing
	case x < 35 && p.staleAllowed(v):
		st = stale
	}
	p.fillSurvey(r, v, st)
	s := &v.Survey
	s.Team, s.Platform, s.WiFi = drawTri(r, 80, 0), drawTri(r, 85, 0), drawTri(r, 75, 0)
	if chance(r, 85) {
		s.Models, s.Fields = models(r)
	} else {
		s.Models = -1
	}
	now := p.baseCounts(r, v)
	switch x := r.IntN(100); {
	case x < 70:
		v.Addr.State, v.Addr.Now = fresh, now
	case x < 85:
		v.Addr.State = stale
	default:
		v.Addr.State = missing
	}
	if v.Addr.State != missing {
		v.Addr.Old = older(r, now)
	}
	unknown := st != fresh || s.Team == blank || s.Platform == blank || s.WiFi == blank || s.Models < 0 || v.Addr.State != fresh
	if !unknown {
		s.WiFi = blank
	}
}

// plantVillageRejects turns a few villages' fresh rows into rows the loader must reject.
func (p *plan) plantVillageRejects(r *rand.Rand) {
	var vs []*village
	for _, v := range p.units.villages() {
		if !v.smart && v.Commune.ocopPlan != ocopUnlisted {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return
	}
	used := map[*village]bool{}
	choose := func(ok func(*village) bool) *village {
		for range 10000 {
			v := vs[r.IntN(len(vs))]
			if !used[v] && ok(v) {
				used[v] = true
				return v
			}
		}
		return nil
	}
	freshAddr := func(v *village) bool { return v.Addr.State == fresh && v.Addr.Old != nil }
	for _, kind := range []string{"gt", "gt", "count"} {
		if v := choose(freshAddr); v != nil {
			v.Addr.State, v.Addr.Reject = rejected, kind
			v.note += "; vpostcode row planted bad (" + kind + ")"
		}
	}
	// Survey rejects go in the export with a date per row.
	inRowDate := func(v *village) bool {
		f := p.surveyFileOf(v.Commune.District)
		return f != nil && f.Format == "xlsx-rowdate" && v.Survey.State == fresh && !v.Commune.Urban()
	}
	for _, kind := range []string{"misspelt", "misspelt", "baddate"} {
		if v := choose(inRowDate); v != nil {
			v.Survey.State, v.Survey.Reject = rejected, kind
			v.note += "; survey row planted bad (" + kind + ")"
		}
	}
	p.extraRows.vpostUnknownVillage = true
	p.extraRows.dossierUnknownUnit = true
}
