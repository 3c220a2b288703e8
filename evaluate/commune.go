package evaluate

import (
	"fmt"

	"ntm"
)

// unitCriterion decides a criterion of the commune, district or province level for every unit
// it concerns// (in the part being evaluated). Its facts were read before (loadServices).
func (e *evaluator) unitCriterion(c *SetCriterion) error {
	ratio := c.Measure == MeasureProcedureRatio || c.Measure == MeasureDossierRatio
	for _, u := range e.subjects(c) {
		t, ok := e.threshold(c, u)
		if !ok {
			continue
		}
		switch c.Measure {
		case MeasureVillagesMeeting:
			e.villagesMeeting(u, c, t)
		case MeasureAllOf, MeasureAtLeastOf:
			e.composite(u, c, t)
		case MeasureProcedureRatio:
			e.procedures(u, c, t, e.members(c, u), false)
		case MeasureDossierRatio:
			e.dossiers(u, c, t, e.members(c, u), false)
		default:
			return fmt.Errorf("criterion %s: measure %s cannot decide a unit of level %s", c.Key, c.Measure, c.Level)
		}
	}
	// The 9.5 ratios of a district-level criterion are shown for every commune under a
	// district too, for information (docs/criteria.md, indicator 9.5): same computation, counted nowhere.
	if ratio && c.Level == ntm.LevelDistrict {
		for _, u := range e.st.communes {
			if u.parent == nil || u.parent.Level != ntm.LevelDistrict || !c.AppliesTo(u.Kind) {
				continue
			}
			t := c.Threshold
			if c.PerGroup() {
				g, ok := e.groups[u.Code]
				if !ok {
					continue // informational only: no row rather than a guess
				}
				t = c.ByGroup[g]
			}
			if c.Measure == MeasureProcedureRatio {
				e.procedures(u, c, t, []*unit{u}, true)
			} else {
				e.dossiers(u, c, t, []*unit{u}, true)
			}
		}
	}
	return nil
}

// subjects are the units criterion c decides (and the province counts): villages; communes;
// for the district level the districts and the communes directly under a province (where
// there is no district level); provinces. Units of other kinds than the criterion's are left out.
func (e *evaluator) subjects(c *SetCriterion) []*unit {
	var all []*unit
	switch c.Level {
	case ntm.LevelVillage:
		all = e.st.villages
	case ntm.LevelCommune:
		all = e.st.communes
	case ntm.LevelDistrict:
		for _, u := range e.st.all {
			if d95Subject(u) {
				all = append(all, u)
			}
		}
	case ntm.LevelProvince:
		all = e.st.provinces
	}
	if len(c.Kinds) == 0 {
		return all
	}
	out := make([]*unit, 0, len(all))
	for _, u := range all {
		if c.AppliesTo(u.Kind) {
			out = append(out, u)
		}
	}
	return out
}

// members are the units whose figures a ratio of unit u adds up: a district's own unit and
// its communes; a province's own unit and every district and commune in it; a commune itself.
func (e *evaluator) members(c *SetCriterion, u *unit) []*unit {
	switch u.Level {
	case ntm.LevelDistrict:
		return append([]*unit{u}, u.childrenAt(ntm.LevelCommune)...)
	case ntm.LevelProvince:
		out := []*unit{u}
		for _, x := range e.st.all {
			if (x.Level == ntm.LevelDistrict || x.Level == ntm.LevelCommune) && x.province() == u {
				out = append(out, x)
			}
		}
		return out
	}
	return []*unit{u}
}

// villagesMeeting decides a commune from its villages' statuses of a village criterion
// (C8_SMART_VILLAGE: at least one smart village): as a count, met when at least k villages
// meet it and not met when even every undecided village would not be enough; as a share,
// the same with the share of the commune's villages.
func (e *evaluator) villagesMeeting(u *unit, c *SetCriterion, t Fraction) {
	of := e.set.byKey[c.Of]
	var villages []*unit
	for _, v := range u.childrenAt(ntm.LevelVillage) {
		if of.AppliesTo(v.Kind) {
			villages = append(villages, v)
		}
	}
	if len(villages) == 0 {
		e.emit(u, c, t, ntm.StatusNoData, nil, "Xã chưa có danh sách thôn", map[string]any{"villages": 0}, false)
		return
	}
	var smart, smartNames []string
	var notMet, noData int64
	for _, v := range villages {
		switch e.status(c.Of, v.Code) {
		case ntm.StatusMet:
			smart = append(smart, v.Code)
			smartNames = append(smartNames, v.Name)
		case ntm.StatusNotMet:
			notMet++
		default:
			noData++
		}
	}
	total := int64(len(villages))
	var st ntm.Status
	value := Count(int64(len(smart)))
	if c.Share {
		value = Frac(int64(len(smart)), total)
		switch {
		case value.AtLeast(t):
			st = ntm.StatusMet
		case Frac(int64(len(smart))+noData, total).Less(t):
			st = ntm.StatusNotMet
		default:
			st = ntm.StatusNoData
		}
	} else {
		st = countRule(int64(len(smart)), noData, t)
	}
	expl := fmt.Sprintf("%d/%d thôn đạt %s", len(smart), total, of.Short)
	if c.Share {
		expl += " (" + value.Percent() + ")"
	}
	if len(smart) > 0 {
		expl += ": " + firstNames(smartNames, 3)
	}
	if noData > 0 {
		expl += fmt.Sprintf("; %d thôn chưa có số liệu", noData)
	} else if len(smart) == 0 {
		expl += "; mọi thôn đã có kết luận"
	}
	d := map[string]any{"villages": total, "smart": orEmpty(smart), "not_met": notMet, "no_data": noData}
	e.emit(u, c, t, st, ptr(value), expl, d, false)
}
