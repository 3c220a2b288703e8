package evaluate

import (
	"fmt"

	"ntm"
)

// communes computes C8_SMART_VILLAGE: the count rule over the commune's villages'
// SMART_VILLAGE statuses (threshold 1: met if one is smart, not met if none is and all
// are decided).
func (e *evaluator) communes() {
	k := e.set.threshold(KeyC8)
	for _, c := range e.st.communes {
		villages := c.childrenAt(ntm.LevelVillage)
		if len(villages) == 0 {
			e.emit(c, KeyC8, ntm.StatusNoData, nil, "Xã chưa có danh sách thôn", map[string]any{"villages": 0}, false)
			continue
		}
		var smart, smartNames []string
		var notMet, noData int64
		for _, v := range villages {
			switch e.status(KeySmartVillage, v.Code) {
			case ntm.StatusMet:
				smart = append(smart, v.Code)
				smartNames = append(smartNames, v.Name)
			case ntm.StatusNotMet:
				notMet++
			default:
				noData++
			}
		}
		st := countRule(int64(len(smart)), noData, k)
		expl := fmt.Sprintf("%d/%d thôn đạt thôn thông minh", len(smart), len(villages))
		if len(smart) > 0 {
			expl += ": " + firstNames(smartNames, 3)
		}
		if noData > 0 {
			expl += fmt.Sprintf("; %d thôn chưa có số liệu", noData)
		} else if len(smart) == 0 {
			expl += "; mọi thôn đã có kết luận"
		}
		d := map[string]any{"villages": len(villages), "smart": orEmpty(smart), "not_met": notMet, "no_data": noData}
		e.emit(c, KeyC8, st, ptr(Count(int64(len(smart)))), expl, d, false)
	}
}
