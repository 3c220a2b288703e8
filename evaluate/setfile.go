package evaluate

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"ntm"
	"ntm/vnfmt"
	"ntm/yamlpos"
)

// Set is one criteria set, as the office writes it in a YAML file (docs/criteria.md §8).
type Set struct {
	Key, Name     string
	Basis         []string   // the legal basis: decisions with their numbers and dates
	ValidFrom     time.Time  // first day in force
	ValidTo       *time.Time // last day in force; nil = until a later set starts
	StaleMonths   int        // data older than this many months before the period end is no data
	OCOPLocality  string     // "commune" or "village"
	DossierWindow string     // "year", "quarter" or "month"
	Criteria      []*SetCriterion
	Source        []byte // the file as written; export prints it
	Builtin       bool   // the set embedded in ntm
	File          string // SetOf: the name of the file this version was imported from ("" = built in, or not recorded)
	byKey         map[string]*SetCriterion
}

// SetCriterion is one criterion of a set.
type SetCriterion struct {
	Key, Name string
	Level     ntm.Level
	Kinds     []string // unit kinds it applies to (as written: "Xã"); empty = every unit of the level
	Measure   string
	Parts     []string // all_of, at_least_of: the criteria combined
	Of        string   // villages_meeting: the village criterion counted
	Share     bool     // villages_meeting: the threshold is a share of the villages
	Classes   []string // procedure_ratio: service classes counted as online ("full", "partial")
	Threshold Fraction // the threshold when the same for every unit (Den 0 when by group)
	ByGroup   map[int]Fraction
	Position  int // 1-based, in file order
	Definition
}

// Groups are the commune groups a per-group threshold must name.
var Groups = []int{1, 2, 3}

// Version names this version of the set: the first 12 hex digits of the SHA-256 of its file
// (a set imported again under the same key with other bytes has another version).
func (s *Set) Version() string { return sha(s.Source)[:12] }

// BasisText is the legal basis in one line.
func (s *Set) BasisText() string { return strings.Join(s.Basis, "; ") }

// Criterion returns the set's criterion of that key, nil if the set has none.
func (s *Set) Criterion(key string) *SetCriterion { return s.byKey[key] }

// Has reports whether the set carries criterion key.
func (s *Set) Has(key string) bool { return s.byKey[key] != nil }

// Validity prints the set's validity: "01/01/2021 – 31/12/2025", "từ 01/01/2021".
func (s *Set) Validity() string {
	if s.ValidTo == nil {
		return "từ " + vnfmt.Date(s.ValidFrom)
	}
	return vnfmt.Date(s.ValidFrom) + " – " + vnfmt.Date(*s.ValidTo)
}

// AppliesTo reports whether the criterion concerns a unit of that kind.
func (c *SetCriterion) AppliesTo(kind string) bool {
	if len(c.Kinds) == 0 {
		return true
	}
	for _, k := range c.Kinds {
		if strings.EqualFold(k, kind) {
			return true
		}
	}
	return false
}

// PerGroup reports whether the threshold depends on the commune group.
func (c *SetCriterion) PerGroup() bool { return len(c.ByGroup) > 0 }

// ThresholdText shows a threshold the way the office writes it: "Có", "≥ 70%", "≥ 1",
// "nhóm 1: ≥ 100%; nhóm 2: ≥ 90%; nhóm 3: ≥ 80%".
// Thresholds that are the same for every group print once.
func (c *SetCriterion) ThresholdText() string {
	lines := c.ThresholdLines()
	return strings.Join(lines, "; ")
}

// ThresholdLines is the threshold as ThresholdText, one line per commune group when they
// differ ("nhóm 1: ≥ 100%", …), else one line.
func (c *SetCriterion) ThresholdLines() []string {
	if !c.PerGroup() {
		return []string{c.Value.ThresholdText(c.Threshold)}
	}
	same := true
	for _, g := range Groups {
		same = same && c.ByGroup[g] == c.ByGroup[Groups[0]]
	}
	if same {
		return []string{c.Value.ThresholdText(c.ByGroup[Groups[0]]) + " (mọi nhóm xã)"}
	}
	parts := make([]string, 0, len(Groups))
	for _, g := range Groups {
		parts = append(parts, fmt.Sprintf("nhóm %d: %s", g, c.Value.ThresholdText(c.ByGroup[g])))
	}
	return parts
}

// Problem is one mistake in a criteria-set file, at a line (0 = the file as a whole).
type Problem struct {
	Line    int
	Message string // Vietnamese
}

// SetFileError lists every mistake found in a criteria-set file, in line order.
type SetFileError struct {
	File     string
	Problems []Problem
}

func (e *SetFileError) Error() string {
	at := func(p Problem) string {
		if p.Line == 0 {
			return p.Message
		}
		return fmt.Sprintf("dòng %d: %s", p.Line, p.Message)
	}
	if len(e.Problems) == 1 {
		return fmt.Sprintf("Tệp bộ tiêu chí %s có lỗi ở %s.", e.File, at(e.Problems[0]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Tệp bộ tiêu chí %s có %d lỗi:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + at(p) + ".")
	}
	return b.String()
}

// asError wraps the problems as an ntm.Error (code invalid) for commands and the console.
func (e *SetFileError) asError() error { return ntm.Wrap(ntm.CodeInvalid, e, "%s", e.Error()) }

var (
	setKeyRE       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	criterionKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
)

// commune and district kinds a set may name (compared without case); village kinds vary by
// province and are not checked.
var knownKinds = map[ntm.Level][]string{
	ntm.LevelCommune:  {"Xã", "Phường", "Thị trấn", "Đặc khu"},
	ntm.LevelDistrict: {"Huyện", "Quận", "Thị xã", "Thành phố"},
	ntm.LevelProvince: {"Tỉnh", "Thành phố"},
}

type setParser struct {
	problems []Problem
}

func (p *setParser) addf(n *yaml.Node, format string, args ...any) {
	pr := Problem{Message: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line = n.Line
	}
	p.problems = append(p.problems, pr)
}

// ParseSet reads and checks a criteria-set file on its own (ntm criteria check adds the
// checks against the sets already loaded). name is the file's name for messages. The error
// is an ntm.Error wrapping a *SetFileError.
func ParseSet(name string, b []byte) (*Set, error) {
	s, errs := parseSet(name, b)
	if errs != nil {
		return nil, errs.asError()
	}
	return s, nil
}

func parseSet(name string, b []byte) (*Set, *SetFileError) {
	p := &setParser{}
	s := &Set{Source: b, StaleMonths: 12, OCOPLocality: "commune", DossierWindow: "year", byKey: map[string]*SetCriterion{}}
	root, serr := yamlpos.Parse(b)
	if serr != nil {
		p.problems = append(p.problems, Problem{Line: serr.Line, Message: "tệp không phải YAML hợp lệ (" + serr.Reason + ")"})
		return nil, &SetFileError{File: name, Problems: p.problems}
	}
	if root == nil || root.Kind != yaml.MappingNode {
		p.addf(nil, "tệp phải là một bảng khóa – giá trị (key, name, basis, valid_from, valid_to, stale_months, ocop_locality, dossier_window, criteria)")
		return nil, &SetFileError{File: name, Problems: p.problems}
	}
	var criteriaNode, validToNode *yaml.Node
	p.fields(root, "ở cấp ngoài cùng", map[string]func(k, v *yaml.Node){
		"key": func(_, v *yaml.Node) {
			if str, ok := p.text(v, "key"); ok {
				if !setKeyRE.MatchString(str) {
					p.addf(v, "key “%s” chỉ được gồm chữ không dấu, chữ số, “-”, “_”, “.” (tối đa 64 ký tự)", str)
				}
				s.Key = str
			}
		},
		"name": func(_, v *yaml.Node) { s.Name, _ = p.text(v, "name") },
		"basis": func(_, v *yaml.Node) {
			switch v.Kind {
			case yaml.ScalarNode:
				if t := strings.TrimSpace(v.Value); t != "" {
					s.Basis = []string{t}
				}
			case yaml.SequenceNode:
				for _, it := range v.Content {
					if t, ok := p.text(it, "basis"); ok && t != "" {
						s.Basis = append(s.Basis, t)
					}
				}
			default:
				p.addf(v, "basis phải là một dòng chữ hoặc một danh sách các văn bản")
			}
		},
		"valid_from": func(_, v *yaml.Node) {
			if t, ok := p.date(v, "valid_from"); ok {
				s.ValidFrom = t
			}
		},
		"valid_to": func(_, v *yaml.Node) {
			validToNode = v
			if v.Tag == "!!null" {
				return
			}
			if t, ok := p.date(v, "valid_to"); ok {
				s.ValidTo = &t
			}
		},
		"stale_months": func(_, v *yaml.Node) {
			n, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil || n < 1 || n > 120 {
				p.addf(v, "stale_months phải là số tháng nguyên từ 1 đến 120, không phải “%s”", v.Value)
				return
			}
			s.StaleMonths = n
		},
		"ocop_locality": func(_, v *yaml.Node) {
			if t, _ := p.text(v, "ocop_locality"); t == "commune" || t == "village" {
				s.OCOPLocality = t
			} else {
				p.addf(v, "ocop_locality phải là commune (sản phẩm của xã) hoặc village (sản phẩm của thôn), không phải “%s”", t)
			}
		},
		"dossier_window": func(_, v *yaml.Node) {
			if t, _ := p.text(v, "dossier_window"); t == "year" || t == "quarter" || t == "month" {
				s.DossierWindow = t
			} else {
				p.addf(v, "dossier_window phải là year (từ 01/01), quarter (từ đầu quý) hoặc month (trong tháng), không phải “%s”", t)
			}
		},
		"criteria": func(_, v *yaml.Node) { criteriaNode = v },
	})
	for _, req := range []struct {
		name string
		ok   bool
	}{{"key", s.Key != ""}, {"name", s.Name != ""}, {"valid_from", !s.ValidFrom.IsZero()}, {"criteria", criteriaNode != nil}} {
		if !req.ok && !p.reported(req.name) {
			p.addf(root, "thiếu khóa %s", req.name)
		}
	}
	if s.ValidTo != nil && !s.ValidFrom.IsZero() && s.ValidTo.Before(s.ValidFrom) {
		p.addf(validToNode, "valid_to (%s) ở trước valid_from (%s)", vnfmt.Date(*s.ValidTo), vnfmt.Date(s.ValidFrom))
	}
	if criteriaNode != nil {
		p.criteria(s, criteriaNode)
	}
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, &SetFileError{File: name, Problems: p.problems}
	}
	return s, nil
}

// reported tells whether a problem already names key (so a bad value is not also "missing").
func (p *setParser) reported(key string) bool {
	for _, pr := range p.problems {
		if strings.HasPrefix(pr.Message, key+" ") {
			return true
		}
	}
	return false
}

// fields walks a mapping, calling each key's handler and reporting unknown and repeated keys.
func (p *setParser) fields(n *yaml.Node, where string, handlers map[string]func(k, v *yaml.Node)) {
	yamlpos.Fields(n, yamlpos.Report{
		NotMapping: func(n *yaml.Node) {
			p.addf(n, "%s phải là một bảng khóa – giá trị", strings.TrimPrefix(where, "ở "))
		},
		Repeated: func(k *yaml.Node) { p.addf(k, "khóa %s ghi hai lần %s", k.Value, where) },
		Unknown: func(k *yaml.Node, names []string) {
			p.addf(k, "khóa “%s” không có %s; các khóa được dùng: %s", k.Value, where, strings.Join(names, ", "))
		},
	}, handlers)
}

func (p *setParser) text(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.addf(v, "%s phải là một dòng chữ", key)
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	return strings.TrimSpace(v.Value), true
}

func (p *setParser) date(v *yaml.Node, key string) (time.Time, bool) {
	if v.Kind == yaml.ScalarNode {
		for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
			if t, err := time.Parse(layout, strings.TrimSpace(v.Value)); err == nil {
				return t, true
			}
		}
	}
	p.addf(v, "%s phải là một ngày (2026-01-01 hoặc 01/01/2026), không phải “%s”", key, v.Value)
	return time.Time{}, false
}

func (p *setParser) list(v *yaml.Node, key string) []string {
	if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return []string{strings.TrimSpace(v.Value)}
	}
	if v.Kind != yaml.SequenceNode {
		p.addf(v, "%s phải là một danh sách, ví dụ [Xã, Phường]", key)
		return nil
	}
	var out []string
	for _, it := range v.Content {
		if t, ok := p.text(it, key); ok && t != "" {
			out = append(out, t)
		}
	}
	return out
}

type critNodes struct {
	c                                 *SetCriterion
	item, key, measure, level, params *yaml.Node
	threshold, byGroup, kinds         *yaml.Node
	partNodes                         map[string]*yaml.Node
}

func (p *setParser) criteria(s *Set, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.addf(n, "criteria phải là danh sách các tiêu chí (mỗi tiêu chí bắt đầu bằng “- key: …”)")
		return
	}
	var all []*critNodes
	for i, item := range n.Content {
		cn := &critNodes{c: &SetCriterion{Position: i + 1}, item: item, partNodes: map[string]*yaml.Node{}}
		c := cn.c
		where := fmt.Sprintf("trong tiêu chí thứ %d", i+1)
		p.fields(item, where, map[string]func(k, v *yaml.Node){
			"key": func(_, v *yaml.Node) {
				cn.key = v
				if t, ok := p.text(v, "key"); ok {
					if !criterionKeyRE.MatchString(t) {
						p.addf(v, "key “%s” của tiêu chí chỉ được gồm chữ không dấu, chữ số và “_”, bắt đầu bằng chữ", t)
					}
					c.Key = t
				}
			},
			"name":    func(_, v *yaml.Node) { c.Name, _ = p.text(v, "name") },
			"level":   func(_, v *yaml.Node) { cn.level = v },
			"kinds":   func(_, v *yaml.Node) { cn.kinds = v; c.Kinds = p.list(v, "kinds") },
			"measure": func(_, v *yaml.Node) { cn.measure = v; c.Measure, _ = p.text(v, "measure") },
			"params":  func(_, v *yaml.Node) { cn.params = v },
			"threshold": func(_, v *yaml.Node) {
				cn.threshold = v
			},
			"thresholds_by_group": func(_, v *yaml.Node) { cn.byGroup = v },
		})
		if item.Kind != yaml.MappingNode {
			continue
		}
		label := c.Key
		if label == "" {
			label = fmt.Sprintf("thứ %d", i+1)
		}
		for _, req := range []struct {
			name string
			ok   bool
		}{{"key", c.Key != ""}, {"name", c.Name != ""}, {"level", cn.level != nil}, {"measure", c.Measure != ""}} {
			if !req.ok {
				p.addf(item, "tiêu chí %s thiếu khóa %s", label, req.name)
			}
		}
		if c.Key != "" {
			if s.byKey[c.Key] != nil {
				p.addf(cn.key, "tiêu chí %s có hai lần trong bộ", c.Key)
			} else {
				s.byKey[c.Key] = c
			}
		}
		s.Criteria = append(s.Criteria, c)
		all = append(all, cn)
	}
	for _, cn := range all {
		p.level(cn)
	}
	for _, cn := range all {
		p.criterion(s, cn)
	}
	p.cycles(s, all)
}

// level reads a criterion's level (before any criterion is checked: composites compare levels).
func (p *setParser) level(cn *critNodes) {
	if cn.level == nil {
		return
	}
	if t, ok := p.text(cn.level, "level"); ok {
		l, err := ntm.ParseLevel(t)
		if err != nil {
			p.addf(cn.level, "level “%s” của tiêu chí %s phải là village, commune, district hoặc province", t, cn.c.Key)
		}
		cn.c.Level = l
	}
}

// criterion checks one criterion's measure, kinds, parameters and threshold.
func (p *setParser) criterion(s *Set, cn *critNodes) {
	c := cn.c
	if c.Measure == "" {
		return
	}
	m, ok := MeasureOf(c.Measure)
	if !ok {
		p.addf(cn.measure, "tiêu chí %s dùng phép đo “%s” mà ntm không có; các phép đo: %s", c.Key, c.Measure, strings.Join(MeasureNames(), ", "))
		return
	}
	if c.Level != "" {
		allowed := false
		names := make([]string, len(m.Levels))
		for i, l := range m.Levels {
			allowed = allowed || l == c.Level
			names[i] = string(l)
		}
		if !allowed {
			p.addf(cn.level, "phép đo %s không dùng được ở cấp %s (tiêu chí %s); dùng cấp: %s", m.Name, c.Level, c.Key, strings.Join(names, ", "))
		}
	}
	if known := knownKinds[c.Level]; len(known) > 0 {
		for _, k := range c.Kinds {
			found := false
			for _, kk := range known {
				found = found || strings.EqualFold(k, kk)
			}
			if !found {
				p.addf(cn.kinds, "loại đơn vị “%s” của tiêu chí %s không có ở cấp %s; dùng: %s", k, c.Key, c.Level, strings.Join(known, ", "))
			}
		}
	}
	p.params(s, cn, m)
	value := m.Value
	if c.Share {
		value = ValueRatio
	}
	c.Definition = Describe(c.Key, c.Measure, c.Name, c.Level, value)
	p.thresholds(cn, m)
}

func (p *setParser) params(s *Set, cn *critNodes, m Measure) {
	c := cn.c
	given := map[string]*yaml.Node{}
	if cn.params != nil && !yamlpos.IsNull(cn.params) {
		handlers := map[string]func(k, v *yaml.Node){}
		for _, prm := range m.Params {
			handlers[prm.Name] = func(_, v *yaml.Node) { given[prm.Name] = v }
		}
		if len(handlers) == 0 {
			p.addf(cn.params, "phép đo %s không có tham số (tiêu chí %s): bỏ params", m.Name, c.Key)
		} else {
			p.fields(cn.params, "trong params của tiêu chí "+c.Key, handlers)
		}
	}
	for _, prm := range m.Params {
		if prm.Required && given[prm.Name] == nil {
			p.addf(cn.item, "tiêu chí %s (phép đo %s) thiếu tham số params.%s", c.Key, m.Name, prm.Name)
		}
	}
	sameLevel := func(v *yaml.Node, key string, want ntm.Level) {
		o := s.byKey[key]
		switch {
		case o == nil:
			p.addf(v, "tiêu chí %s gộp tiêu chí %s, không có trong bộ này", c.Key, key)
		case o == c:
			p.addf(v, "tiêu chí %s không thể gộp chính nó", c.Key)
		case o.levelText() != string(want) && want != "":
			p.addf(v, "tiêu chí %s (cấp %s) gộp tiêu chí %s ở cấp %s: phải cùng cấp %s", c.Key, c.levelText(), key, o.levelText(), want)
		}
	}
	if v := given["criteria"]; v != nil {
		c.Parts = p.list(v, "params.criteria")
		seen := map[string]bool{}
		for i, k := range c.Parts {
			node := v
			if v.Kind == yaml.SequenceNode && i < len(v.Content) {
				node = v.Content[i]
			}
			cn.partNodes[k] = node
			if seen[k] {
				p.addf(node, "tiêu chí %s ghi %s hai lần trong params.criteria", c.Key, k)
			}
			seen[k] = true
			sameLevel(node, k, c.Level)
		}
		if len(c.Parts) == 0 {
			p.addf(v, "params.criteria của tiêu chí %s phải liệt kê ít nhất một tiêu chí", c.Key)
		}
	}
	if v := given["criterion"]; v != nil {
		if t, ok := p.text(v, "params.criterion"); ok {
			c.Of = t
			cn.partNodes[t] = v
			sameLevel(v, t, ntm.LevelVillage)
		}
	}
	if v := given["as"]; v != nil {
		switch t, _ := p.text(v, "params.as"); t {
		case "count", "":
		case "share":
			c.Share = true
		default:
			p.addf(v, "params.as của tiêu chí %s phải là count (số thôn) hoặc share (tỷ lệ thôn), không phải “%s”", c.Key, t)
		}
	}
	if m.Name == MeasureProcedureRatio {
		c.Classes = []string{"full", "partial"}
		if v := given["classes"]; v != nil {
			c.Classes = p.list(v, "params.classes")
			ok := len(c.Classes) > 0
			seen := map[string]bool{}
			for _, k := range c.Classes {
				ok = ok && (k == "full" || k == "partial") && !seen[k]
				seen[k] = true
			}
			if !ok || !seen["full"] {
				p.addf(v, "params.classes của tiêu chí %s phải là [full, partial] (toàn trình và một phần) hoặc [full] (chỉ toàn trình)", c.Key)
			}
		}
	}
}

func (c *SetCriterion) levelText() string { return string(c.Level) }

// thresholds reads threshold or thresholds_by_group and checks them against the measure's rule.
func (p *setParser) thresholds(cn *critNodes, m Measure) {
	c := cn.c
	rule := m.Threshold
	if c.Share {
		rule = ThresholdRatio
	}
	parts := int64(len(c.Parts))
	check := func(v *yaml.Node, t Fraction, what string) bool {
		bad := ""
		switch rule {
		case ThresholdYes:
			if t != Count(1) {
				bad = "phải là 1 (câu trả lời “Có”)"
			}
		case ThresholdRatio:
			if t.Num <= 0 || Count(1).Less(t) {
				bad = "phải lớn hơn 0 và không quá 100%"
			}
		case ThresholdWhole:
			if t.Den != 1 || t.Num < 1 {
				bad = "phải là số nguyên từ 1 trở lên"
			}
		case ThresholdParts:
			if t.Den != 1 || t.Num < 1 || (parts > 0 && t.Num > parts) {
				bad = fmt.Sprintf("phải là số nguyên từ 1 đến %d (số tiêu chí được gộp)", parts)
			}
		case ThresholdAll:
			if parts > 0 && t != Count(parts) {
				bad = fmt.Sprintf("phải là %d (đạt tất cả các tiêu chí được gộp) hoặc bỏ trống", parts)
			}
		}
		if bad != "" {
			p.addf(v, "%s của tiêu chí %s %s, không phải “%s”", what, c.Key, bad, v.Value)
			return false
		}
		return true
	}
	switch {
	case cn.threshold != nil && cn.byGroup != nil:
		p.addf(cn.byGroup, "tiêu chí %s ghi cả threshold và thresholds_by_group: chỉ ghi một trong hai", c.Key)
	case cn.threshold != nil:
		t, err := ParseThreshold(cn.threshold.Value)
		if cn.threshold.Kind != yaml.ScalarNode || err != nil {
			p.addf(cn.threshold, "threshold của tiêu chí %s phải là một phân số (\"7/10\"), số thập phân (0.7) hoặc tỷ lệ phần trăm (\"70%%\"), không phải “%s”", c.Key, cn.threshold.Value)
			return
		}
		if check(cn.threshold, t, "threshold") {
			c.Threshold = t
		}
	case cn.byGroup != nil:
		if cn.byGroup.Kind != yaml.MappingNode {
			p.addf(cn.byGroup, "thresholds_by_group của tiêu chí %s phải có dạng {1: …, 2: …, 3: …}", c.Key)
			return
		}
		c.ByGroup = map[int]Fraction{}
		given := map[int]bool{}
		for i := 0; i+1 < len(cn.byGroup.Content); i += 2 {
			k, v := cn.byGroup.Content[i], cn.byGroup.Content[i+1]
			g, err := strconv.Atoi(k.Value)
			if err != nil || g < 1 || g > len(Groups) {
				p.addf(k, "nhóm xã “%s” trong thresholds_by_group của tiêu chí %s không có: các nhóm là 1, 2, 3", k.Value, c.Key)
				continue
			}
			if given[g] {
				p.addf(k, "nhóm %d ghi hai lần trong thresholds_by_group của tiêu chí %s", g, c.Key)
				continue
			}
			given[g] = true
			t, err := ParseThreshold(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.addf(v, "ngưỡng nhóm %d của tiêu chí %s phải là một phân số (\"7/10\"), số thập phân (0.7) hoặc tỷ lệ phần trăm (\"70%%\"), không phải “%s”", g, c.Key, v.Value)
				continue
			}
			if check(v, t, fmt.Sprintf("ngưỡng nhóm %d", g)) {
				c.ByGroup[g] = t
			}
		}
		for _, g := range Groups {
			if !given[g] {
				p.addf(cn.byGroup, "thresholds_by_group của tiêu chí %s thiếu ngưỡng của nhóm %d", c.Key, g)
			}
		}
	default:
		switch rule {
		case ThresholdYes:
			c.Threshold = Count(1)
		case ThresholdAll:
			c.Threshold = Count(parts)
		default:
			p.addf(cn.item, "tiêu chí %s thiếu threshold (hoặc thresholds_by_group)", c.Key)
		}
	}
}

// cycles refuses composites that, through their parts, end up depending on themselves.
func (p *setParser) cycles(s *Set, all []*critNodes) {
	state := map[string]int{} // 1 = visiting, 2 = done
	var visit func(c *SetCriterion) bool
	visit = func(c *SetCriterion) bool {
		switch state[c.Key] {
		case 1:
			return false
		case 2:
			return true
		}
		state[c.Key] = 1
		for _, k := range c.deps() {
			if o := s.byKey[k]; o != nil && o != c && !visit(o) {
				return false
			}
		}
		state[c.Key] = 2
		return true
	}
	for _, cn := range all {
		if cn.c.Key != "" && state[cn.c.Key] == 0 && !visit(cn.c) {
			p.addf(cn.key, "tiêu chí %s phụ thuộc vòng tròn vào chính nó qua các tiêu chí được gộp", cn.c.Key)
		}
	}
}

// deps are the keys a criterion needs computed first.
func (c *SetCriterion) deps() []string {
	if c.Of != "" {
		return append([]string{c.Of}, c.Parts...)
	}
	return c.Parts
}

// ParseThreshold reads an exact threshold: "7/10", "0.7", "70%", "70,5%", "1", "6".
func ParseThreshold(s string) (Fraction, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("threshold %q is not a fraction, a decimal or a percentage", s)
	if s == "" {
		return Fraction{}, bad
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		d, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		if err1 != nil || err2 != nil || d <= 0 || n < 0 {
			return Fraction{}, bad
		}
		return reduce(n, d), nil
	}
	percent := strings.HasSuffix(s, "%")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	s = strings.Replace(s, ",", ".", 1)
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 || strings.ContainsAny(s, "eE") {
		return Fraction{}, bad
	}
	if percent {
		r.Quo(r, big.NewRat(100, 1))
	}
	if !r.Num().IsInt64() || !r.Denom().IsInt64() {
		return Fraction{}, bad
	}
	return Fraction{Num: r.Num().Int64(), Den: r.Denom().Int64()}, nil
}

func reduce(n, d int64) Fraction {
	g := new(big.Int).GCD(nil, nil, big.NewInt(n), big.NewInt(d)).Int64()
	if g == 0 {
		return Fraction{Num: n, Den: d}
	}
	return Fraction{Num: n / g, Den: d / g}
}

// HowText says in Vietnamese how the criterion is decided, with its parameters, threshold and
// the unit kinds it applies to (the notes sheet, the console, ntm criteria show).
func (c *SetCriterion) HowText() string {
	m, _ := MeasureOf(c.Measure)
	var b strings.Builder
	b.WriteString(m.Text)
	switch c.Measure {
	case MeasureAllOf, MeasureAtLeastOf:
		b.WriteString(". Tiêu chí thành phần: " + strings.Join(c.Parts, ", "))
	case MeasureVillagesMeeting:
		what := "số thôn"
		if c.Share {
			what = "tỷ lệ thôn"
		}
		fmt.Fprintf(&b, ". Tính theo %s đạt %s", what, c.Of)
	case MeasureProcedureRatio:
		if len(c.Classes) == 1 {
			b.WriteString(". Chỉ tính TTHC cung cấp trực tuyến toàn trình")
		} else {
			b.WriteString(". Tính TTHC cung cấp trực tuyến toàn trình và một phần")
		}
	}
	fmt.Fprintf(&b, ". Ngưỡng: %s", c.ThresholdText())
	if len(c.Kinds) > 0 {
		fmt.Fprintf(&b, ". Chỉ áp dụng cho: %s", strings.Join(c.Kinds, ", "))
	}
	return b.String() + "."
}
