package evaluate

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"ntm"
	"ntm/vnfmt"
)

// This file is the one definition of every criterion and measure ntm knows. The evaluation,
// the workbooks, the console and the sample read it; nothing else lists criteria.
// TestRegistryComplete fails when an entry lacks a part.

// ValueKind says how a criterion's value is shown.
type ValueKind string

const (
	ValueYesNo ValueKind = "yes_no" // 1 = Có, 0 = Không
	ValueCount ValueKind = "count"  // a whole number (models, conditions met, smart villages)
	ValueRatio ValueKind = "ratio"  // a fraction, shown as a percentage rounded down
)

// ThresholdText shows a threshold of a criterion whose value is of kind k, the way the
// office writes it: "Có", "≥ 70%", "≥ 1", "≥ 2/3".
func (k ValueKind) ThresholdText(t Fraction) string {
	switch k {
	case ValueYesNo:
		return "Có"
	case ValueRatio:
		return "≥ " + t.Percent()
	}
	if t.Den == 1 {
		return "≥ " + vnfmt.Int(t.Num)
	}
	return fmt.Sprintf("≥ %d/%d", t.Num, t.Den)
}

// Definition is everything ntm says about one criterion besides what its set gives (name,
// threshold, validity): what computes it and how it is shown and acted on.
type Definition struct {
	Key        string
	Measure    string    // the measure that computes it (see Measures)
	Level      ntm.Level // the level of the units it decides
	Value      ValueKind // how its value is shown
	Short      string    // a few words for explanations and lists: "địa chỉ số"
	Column     string    // the column or row label in workbooks: "4. Địa chỉ số"
	Action     string    // what a unit must do to meet it when it is not met: "Gắn địa chỉ số cho …"
	DataAction string    // what to do when it has no data: "Gửi lại phiếu khảo sát"
	Composite  bool      // it only combines other criteria (its no data repeats theirs)
}

// Criterion keys of the built-in set. A set file may use any key; these have their own
// wording below, other keys take the wording of their measure.
const (
	KeyTeam         = "V1_TEAM"
	KeyPlatform     = "V2_PLATFORM"
	KeyWifi         = "V3_WIFI"
	KeyAddress      = "V4_ADDRESS"
	KeyOCOP         = "V5_OCOP"
	KeyModel        = "V6_DXMODEL"
	KeySmartVillage = "SMART_VILLAGE"
	KeyC8           = "C8_SMART_VILLAGE"
	KeyProcedures   = "D95_PROCEDURES"
	KeyDossiers     = "D95_DOSSIERS"
	KeyD95          = "D95"
)

// Measure names, as written in a set file's `measure`.
const (
	MeasureTeam            = "survey_team"
	MeasurePlatform        = "survey_platform"
	MeasureWifi            = "survey_wifi"
	MeasureAddress         = "address_coverage"
	MeasureOCOP            = "ocop_listed"
	MeasureModels          = "dx_models"
	MeasureAllOf           = "all_of"
	MeasureAtLeastOf       = "at_least_of"
	MeasureVillagesMeeting = "villages_meeting"
	MeasureProcedureRatio  = "procedure_ratio"
	MeasureDossierRatio    = "dossier_ratio"
)

// ThresholdRule says which thresholds a measure accepts.
type ThresholdRule string

const (
	ThresholdYes   ThresholdRule = "yes"   // only 1 (the answer is yes); may be omitted
	ThresholdRatio ThresholdRule = "ratio" // a fraction above 0 and at most 1 (100%)
	ThresholdWhole ThresholdRule = "whole" // a whole number, at least 1
	ThresholdParts ThresholdRule = "parts" // a whole number from 1 to the number of parts
	ThresholdAll   ThresholdRule = "all"   // the number of parts; may be omitted
)

// Param is one parameter of a measure (a key under `params`).
type Param struct {
	Name        string
	Required    bool
	Description string // English, for docs/criteria.md and ntm criteria show
}

// Measure is one way of computing a criterion that ntm implements.
type Measure struct {
	Name        string
	Levels      []ntm.Level // the levels a criterion with this measure may have
	Value       ValueKind   // how its value is shown (villages_meeting as share: ratio)
	Threshold   ThresholdRule
	Params      []Param
	Description string // English, one sentence
	Text        string // Vietnamese: how it is decided (the notes sheet, the console, ntm criteria show)
	// Wording for criteria whose key has no definition of its own.
	Short, Action, DataAction string
}

// Measures is the catalogue, in the order docs/criteria.md lists it.
var Measures = []Measure{
	{Name: MeasureTeam, Text: "Theo phiếu tự đánh giá mới nhất của thôn: có Tổ công nghệ số cộng đồng được thành lập và hoạt động",
		Levels: villageOnly, Value: ValueYesNo, Threshold: ThresholdYes,
		Description: "the village's latest survey says a community digital-technology team is set up and working",
		Short:       "tổ công nghệ số", Action: "Thành lập tổ công nghệ số cộng đồng và báo số quyết định", DataAction: "Gửi lại phiếu khảo sát"},
	{Name: MeasurePlatform, Text: "Theo phiếu tự đánh giá mới nhất của thôn: cán bộ thôn sử dụng nền tảng số (nhóm Zalo, Facebook…) để thông tin và tiếp nhận phản ánh của người dân",
		Levels: villageOnly, Value: ValueYesNo, Threshold: ThresholdYes,
		Description: "the village's latest survey says its officials use a digital platform to inform residents and take their feedback",
		Short:       "nền tảng số", Action: "Lập nhóm Zalo hoặc Facebook của thôn để thông tin và tiếp nhận phản ánh", DataAction: "Gửi lại phiếu khảo sát"},
	{Name: MeasureWifi, Text: "Theo phiếu tự đánh giá mới nhất của thôn: nhà văn hóa thôn có WiFi miễn phí",
		Levels: villageOnly, Value: ValueYesNo, Threshold: ThresholdYes,
		Description: "the village's latest survey says its cultural house has free WiFi",
		Short:       "WiFi miễn phí", Action: "Lắp WiFi miễn phí tại nhà văn hóa thôn", DataAction: "Gửi lại phiếu khảo sát"},
	{Name: MeasureAddress, Text: "Theo số liệu Vpostcode mới nhất: tỷ lệ thấp hơn trong hai tỷ lệ hộ gia đình và cơ quan, tổ chức đã gắn địa chỉ số (thôn không có cơ quan, tổ chức thì phần này đạt)",
		Levels: villageOnly, Value: ValueRatio, Threshold: ThresholdRatio,
		Description: "the lower of the households' and the organisations' digital-address coverage (Vpostcode); no organisations: that half holds",
		Short:       "địa chỉ số", Action: "Gắn địa chỉ số cho các hộ và cơ quan, tổ chức còn thiếu", DataAction: "Gửi số liệu địa chỉ số (Vpostcode) mới của thôn"},
	{Name: MeasureOCOP, Text: "Tỷ lệ sản phẩm OCOP còn hiệu lực chứng nhận của địa phương có ít nhất một gian hàng đang bán trên sàn TMĐT; địa phương không có sản phẩm OCOP còn hiệu lực thì đạt",
		Levels: villageOnly, Value: ValueRatio, Threshold: ThresholdRatio,
		Description: "the share of the locality's OCOP products with a valid certificate that have an active e-commerce listing; none: met",
		Short:       "OCOP lên sàn TMĐT", Action: "Đưa các sản phẩm OCOP còn hiệu lực lên sàn TMĐT", DataAction: "Gửi danh sách sản phẩm OCOP và gian hàng trên sàn TMĐT"},
	{Name: MeasureModels, Text: "Theo phiếu tự đánh giá mới nhất của thôn: số mô hình chuyển đổi số đang áp dụng",
		Levels: villageOnly, Value: ValueCount, Threshold: ThresholdWhole,
		Description: "the number of digital-transformation models in the village's latest survey",
		Short:       "mô hình chuyển đổi số", Action: "Triển khai mô hình chuyển đổi số (camera an ninh, chiếu sáng thông minh, nông nghiệp thông minh, phần mềm quản lý)", DataAction: "Gửi lại phiếu khảo sát"},
	{Name: MeasureAllOf, Text: "Đạt khi đạt tất cả các tiêu chí thành phần; chưa đạt khi có tiêu chí thành phần chưa đạt; còn lại là chưa có số liệu",
		Levels: ntm.Levels[1:], Value: ValueCount, Threshold: ThresholdAll,
		Params:      []Param{{Name: "criteria", Required: true, Description: "the keys of the criteria of the same level (in this set) that must all be met"}},
		Description: "met when every listed criterion is met, not met when one is not met, otherwise no data; the value is how many are met",
		Short:       "các tiêu chí thành phần", Action: "Hoàn thành các tiêu chí thành phần còn thiếu", DataAction: "Bổ sung số liệu của các tiêu chí thành phần"},
	{Name: MeasureAtLeastOf, Text: "Đạt khi đạt đủ số tiêu chí thành phần yêu cầu; chưa đạt khi dù các tiêu chí chưa có số liệu đều đạt cũng không đủ; còn lại là chưa có số liệu",
		Levels: ntm.Levels[1:], Value: ValueCount, Threshold: ThresholdParts,
		Params:      []Param{{Name: "criteria", Required: true, Description: "the keys of the criteria of the same level (in this set) that are counted"}},
		Description: "met when at least the threshold's number of the listed criteria are met; not met when that is out of reach even if every undecided one were met",
		Short:       "các tiêu chí thành phần", Action: "Đạt thêm tiêu chí thành phần cho đủ số yêu cầu", DataAction: "Bổ sung số liệu của các tiêu chí thành phần"},
	{Name: MeasureVillagesMeeting, Text: "Đếm số thôn của xã đạt tiêu chí của thôn; chưa đạt khi dù các thôn chưa có kết luận đều đạt cũng không đủ; còn lại là chưa có số liệu",
		Levels: []ntm.Level{ntm.LevelCommune}, Value: ValueCount, Threshold: ThresholdWhole,
		Params: []Param{
			{Name: "criterion", Required: true, Description: "the key of a village criterion of this set"},
			{Name: "as", Description: "count (default: the threshold is a number of villages) or share (the threshold is a share of the commune's villages)"},
		},
		Description: "how many (or which share) of the commune's villages meet a village criterion; undecided villages make it no data when they could change the outcome",
		Short:       "thôn đạt", Action: "Xây dựng thêm thôn đạt tiêu chí", DataAction: "Bổ sung số liệu của các thôn chưa có kết luận"},
	{Name: MeasureProcedureRatio, Text: "Tổng số TTHC cung cấp dịch vụ công trực tuyến trên tổng số TTHC đủ điều kiện, cộng trên đơn vị được đánh giá (huyện: UBND huyện và các xã; xã: UBND xã; tỉnh: mọi đơn vị của tỉnh)",
		Levels: ratioLevels, Value: ValueRatio, Threshold: ThresholdRatio,
		Params:      []Param{{Name: "classes", Description: "the service classes counted as online: [full, partial] (default) or [full] (full-process only)"}},
		Description: "procedures offered online over procedures eligible for online service, summed over the district's own unit and its communes (a commune: its own unit)",
		Short:       "tỷ lệ TTHC trực tuyến", Action: "Cung cấp trực tuyến các TTHC đủ điều kiện còn thiếu", DataAction: "Gửi số liệu TTHC cung cấp DVCTT của các đơn vị còn thiếu"},
	{Name: MeasureDossierRatio, Text: "Tổng số hồ sơ xử lý trực tuyến toàn trình trên tổng số hồ sơ tiếp nhận trong kỳ tính của bộ tiêu chí, theo hồ sơ chi tiết nếu có, nếu không theo số liệu tổng hợp",
		Levels: ratioLevels, Value: ValueRatio, Threshold: ThresholdRatio,
		Description: "dossiers processed fully online over dossiers received in the set's dossier window, from record-level exports where there are any, else from period counts",
		Short:       "tỷ lệ hồ sơ trực tuyến toàn trình", Action: "Tăng số hồ sơ tiếp nhận và xử lý trực tuyến toàn trình", DataAction: "Gửi số liệu hồ sơ của kỳ còn thiếu"},
}

var (
	villageOnly = []ntm.Level{ntm.LevelVillage}
	// district: the district with its communes, or a commune directly under the province;
	// commune: every commune; province: the province with all its units.
	ratioLevels = []ntm.Level{ntm.LevelDistrict, ntm.LevelCommune, ntm.LevelProvince}
)

// Definitions are the criteria of the built-in set. Wording left empty here is the
// measure's (filled in at start-up).
var Definitions = []Definition{
	{Key: KeyTeam, Measure: MeasureTeam, Level: ntm.LevelVillage, Value: ValueYesNo, Column: "1. Tổ công nghệ số cộng đồng"},
	{Key: KeyPlatform, Measure: MeasurePlatform, Level: ntm.LevelVillage, Value: ValueYesNo, Column: "2. Sử dụng nền tảng số"},
	{Key: KeyWifi, Measure: MeasureWifi, Level: ntm.LevelVillage, Value: ValueYesNo, Column: "3. WiFi miễn phí tại nhà văn hóa"},
	{Key: KeyAddress, Measure: MeasureAddress, Level: ntm.LevelVillage, Value: ValueRatio, Column: "4. Địa chỉ số"},
	{Key: KeyOCOP, Measure: MeasureOCOP, Level: ntm.LevelVillage, Value: ValueRatio, Column: "5. Sản phẩm OCOP lên sàn TMĐT",
		Action: "Đưa các sản phẩm OCOP còn hiệu lực của xã lên sàn TMĐT"},
	{Key: KeyModel, Measure: MeasureModels, Level: ntm.LevelVillage, Value: ValueCount, Column: "6. Mô hình chuyển đổi số",
		Action: "Triển khai ít nhất một mô hình chuyển đổi số (camera an ninh, chiếu sáng thông minh, nông nghiệp thông minh, phần mềm quản lý)"},
	{Key: KeySmartVillage, Measure: MeasureAllOf, Level: ntm.LevelVillage, Value: ValueCount, Composite: true,
		Short: "thôn thông minh", Column: "Thôn thông minh",
		Action: "Hoàn thành các điều kiện thôn thông minh còn thiếu", DataAction: "Bổ sung số liệu của các điều kiện còn thiếu"},
	{Key: KeyC8, Measure: MeasureVillagesMeeting, Level: ntm.LevelCommune, Value: ValueCount, Composite: true,
		Short: "tiêu chí 8", Column: "Tiêu chí 8", Action: "Xây dựng ít nhất một thôn đạt thôn thông minh"},
	{Key: KeyProcedures, Measure: MeasureProcedureRatio, Level: ntm.LevelDistrict, Value: ValueRatio, Column: "Tỷ lệ TTHC cung cấp DVCTT"},
	{Key: KeyDossiers, Measure: MeasureDossierRatio, Level: ntm.LevelDistrict, Value: ValueRatio, Column: "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình"},
	{Key: KeyD95, Measure: MeasureAllOf, Level: ntm.LevelDistrict, Value: ValueCount, Composite: true,
		Short: "chỉ tiêu 9.5", Column: "Chỉ tiêu 9.5",
		Action: "Đạt cả hai tỷ lệ của chỉ tiêu 9.5", DataAction: "Bổ sung số liệu dịch vụ công còn thiếu"},
}

var (
	measureByName = map[string]*Measure{}
	definitionOf  = map[string]*Definition{}
)

func init() {
	for i := range Measures {
		measureByName[Measures[i].Name] = &Measures[i]
	}
	for i := range Definitions {
		d := &Definitions[i]
		if m := measureByName[d.Measure]; m != nil {
			d.Short = cmp.Or(d.Short, m.Short)
			d.Action = cmp.Or(d.Action, m.Action)
			d.DataAction = cmp.Or(d.DataAction, m.DataAction)
		}
		definitionOf[d.Key] = d
	}
}

// MeasureOf returns the measure of that name.
func MeasureOf(name string) (Measure, bool) {
	m, ok := measureByName[name]
	if !ok {
		return Measure{}, false
	}
	return *m, true
}

// MeasureNames lists the measures' names, sorted.
func MeasureNames() []string {
	out := make([]string, 0, len(Measures))
	for _, m := range Measures {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// DefinitionOf returns the built-in definition of a criterion key.
func DefinitionOf(key string) (Definition, bool) {
	d, ok := definitionOf[key]
	if !ok {
		return Definition{}, false
	}
	return *d, true
}

// Describe is the definition of a criterion of a set: the key's own when ntm has one and the
// set computes it with the same measure, else the measure's wording with the set's name as
// the column label. Every part is filled.
func Describe(key, measure, name string, level ntm.Level, valueKind ValueKind) Definition {
	if d, ok := definitionOf[key]; ok && d.Measure == measure {
		out := *d
		out.Level, out.Value = level, valueKind
		return out
	}
	m := measureByName[measure]
	if m == nil {
		m = &Measure{Short: strings.ToLower(name), Action: "Đạt " + name, DataAction: "Bổ sung số liệu"}
	}
	short := m.Short
	if name != "" {
		short = shortFromName(name)
	}
	column := name
	if column == "" {
		column = key
	}
	return Definition{Key: key, Measure: measure, Level: level, Value: valueKind, Short: short, Column: column,
		Action: m.Action, DataAction: m.DataAction, Composite: measure == MeasureAllOf || measure == MeasureAtLeastOf || measure == MeasureVillagesMeeting}
}

// shortFromName is a criterion's Vietnamese name with a lower-case first letter, for use
// inside a sentence.
func shortFromName(name string) string {
	r := []rune(name)
	if len(r) > 1 && !(r[1] >= 'A' && r[1] <= 'Z') { // keep acronyms (TTHC, OCOP) as written
		r[0] = []rune(strings.ToLower(string(r[0])))[0]
	}
	return string(r)
}

// ActionFor is what the unit of result r must do, in one phrase, using the figures of its
// detail where it helps ("Gắn địa chỉ số cho 5 hộ còn thiếu", "Đưa sản phẩm Măng Chi Lăng lên
// sàn TMĐT"). Empty when r is met.
func (d Definition) ActionFor(r Result) string {
	switch r.Status {
	case ntm.StatusMet:
		return ""
	case ntm.StatusNoData:
		return d.DataAction
	}
	num := func(k string) int64 {
		switch v := r.Detail[k].(type) {
		case int64:
			return v
		case int:
			return int64(v)
		case float64:
			return int64(v)
		}
		return 0
	}
	switch d.Measure {
	case MeasureAddress:
		var parts []string
		if n := num("households_total") - num("households_with"); n > 0 {
			parts = append(parts, vnfmt.Int(n)+" hộ")
		}
		if n := num("orgs_total") - num("orgs_with"); n > 0 {
			parts = append(parts, vnfmt.Int(n)+" cơ quan, tổ chức")
		}
		if len(parts) > 0 {
			return "Gắn địa chỉ số cho " + strings.Join(parts, " và ") + " còn thiếu"
		}
	case MeasureOCOP:
		var names []string
		switch u := r.Detail["unlisted"].(type) {
		case []string:
			names = u
		case []any:
			for _, x := range u {
				if s, ok := x.(string); ok {
					names = append(names, s)
				}
			}
		}
		if len(names) > 0 {
			more := num("valid") - num("listed") - int64(len(names))
			s := "Đưa sản phẩm " + strings.Join(names, ", ")
			if more > 0 {
				s += fmt.Sprintf(" và %d sản phẩm khác", more)
			}
			return s + " lên sàn TMĐT"
		}
	case MeasureProcedureRatio:
		if n := num("eligible") - num("online"); n > 0 {
			return fmt.Sprintf("Cung cấp trực tuyến thêm %s TTHC đủ điều kiện", vnfmt.Int(n))
		}
	case MeasureDossierRatio:
		// The fewest more fully-online dossiers (out of the same received total) that reach
		// the threshold: ceil(t·received) − full.
		if t := r.Threshold; t.Den > 0 {
			rec, full := num("received"), num("full_online")
			need := (t.Num*rec + t.Den - 1) / t.Den
			if need > full {
				return fmt.Sprintf("Còn %s hồ sơ cần xử lý trực tuyến toàn trình để đạt %s", vnfmt.Int(need-full), t.Percent())
			}
		}
	}
	return d.Action
}
