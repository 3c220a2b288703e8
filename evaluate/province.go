package evaluate

import (
	"fmt"

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
	byProvince := map[*unit]map[string][]*unit{}
	for _, u := range e.st.all {
		prov := u.province()
		if prov == nil {
			continue
		}
		subjects := byProvince[prov]
		if subjects == nil {
			subjects = map[string][]*unit{}
			byProvince[prov] = subjects
		}
		switch {
		case u.Level == ntm.LevelVillage:
			subjects["village"] = append(subjects["village"], u)
		case u.Level == ntm.LevelCommune:
			subjects["commune"] = append(subjects["commune"], u)
		}
		if d95Subject(u) {
			subjects["d95"] = append(subjects["d95"], u)
		}
	}
	for _, prov := range e.st.provinces {
		subjects := byProvince[prov]
		if subjects == nil {
			subjects = map[string][]*unit{}
		}
		for _, c := range e.set.Criteria {
			var units []*unit
			noun := "thôn"
			switch c.Key {
			case KeyC8:
				units, noun = subjects["commune"], "xã"
			case KeyProcedures, KeyDossiers, KeyD95:
				units, noun = subjects["d95"], unitNoun(subjects["d95"])
			default:
				units = subjects["village"]
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

func (e *evaluator) provinceRow(prov *unit, c criterion, units []*unit, noun string) {
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
