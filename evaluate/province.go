package evaluate

import (
	"fmt"
	"strings"

	"ntm"
	"ntm/vnfmt"
)

// provinces adds, for every province and every criterion of the set, one province-level row
// counting the criterion's subject units in the province: villages for V1–V6 and
// SMART_VILLAGE, communes for C8_SMART_VILLAGE, the units where indicator 9.5 is decided
// (districts, or communes directly under the province) for D95*. Informational commune
// rows are not counted.
//
// value = units met, threshold = units evaluated, so "met" means every unit meets the
// criterion; the count rule gives not met as soon as one unit is not met, and no data
// otherwise (or when there is no unit to count). The detail holds all the counts.
func (e *evaluator) provinces() {
	for _, c := range e.set.Criteria {
		if c.Level == ntm.LevelProvince {
			continue // decided for the province itself
		}
		byProvince := map[*unit][]*unit{}
		for _, u := range e.subjects(c) {
			if prov := u.province(); prov != nil {
				byProvince[prov] = append(byProvince[prov], u)
			}
		}
		for _, prov := range e.st.provinces {
			units := byProvince[prov]
			noun := "thôn"
			switch c.Level {
			case ntm.LevelCommune:
				noun = "xã"
				if len(c.Kinds) == 1 {
					noun = strings.ToLower(c.Kinds[0]) // "xã", "phường"
				}
			case ntm.LevelDistrict:
				noun = unitNoun(units)
			}
			e.provinceRow(prov, c, units, noun)
		}
	}
}

func unitNoun(us []*unit) string {
	districts, communes := 0, 0
	for _, u := range us {
		if u.Level == ntm.LevelDistrict {
			districts++
		} else {
			communes++
		}
	}
	switch {
	case communes == 0:
		return "huyện"
	case districts == 0:
		return "xã"
	}
	return "đơn vị"
}

func (e *evaluator) provinceRow(prov *unit, c *SetCriterion, units []*unit, noun string) {
	var met, notMet, noData int64
	for _, u := range units {
		switch e.status(c.Key, u.Code) {
		case ntm.StatusMet:
			met++
		case ntm.StatusNotMet:
			notMet++
		default:
			noData++
		}
	}
	total := int64(len(units))
	detail := map[string]any{"met": met, "not_met": notMet, "no_data": noData, "total": total, "unit": noun}
	r := Result{
		Period: e.p, UnitCode: prov.Code, UnitName: prov.Name, Level: prov.Level, ParentCode: prov.Parent,
		Criterion: c.Key, Threshold: Count(total), Value: ptr(Count(met)), Detail: detail,
	}
	if total == 0 {
		r.Status = ntm.StatusNoData
		r.Explanation = fmt.Sprintf("Không có %s nào để đánh giá", noun)
		e.results = append(e.results, r)
		return
	}
	rate := Frac(met, total)
	detail["rate"] = rate.String()
	r.Status = countRule(met, noData, Count(total))
	r.Explanation = fmt.Sprintf("%s/%s %s đạt (%s); %s chưa đạt; %s chưa có số liệu",
		vnfmt.Int(met), vnfmt.Int(total), noun, rate.Percent(), vnfmt.Int(notMet), vnfmt.Int(noData))
	e.results = append(e.results, r)
}
