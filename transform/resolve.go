package transform

import (
	"context"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm/db"
	"ntm/fold"
)

// unitRec is one version of an administrative unit, as loaded from the unit table.
type unitRec struct {
	Code, Level, Kind, Name, Folded, Parent string
	Province                                string // code of the province the unit lies in
	From, To                                time.Time
	kindKey                                 string // folded kind ("thị trấn")
	codeBox                                 any    // Code as an interface value, see boxedCode
}

// boxedCode returns the code as an interface value, made once: facts carry it on every row.
// The unit index is not shared between loads, so this needs no lock.
func (u *unitRec) boxedCode() any {
	if u.codeBox == nil {
		u.codeBox = u.Code
	}
	return u.codeBox
}

func (u *unitRec) validAt(d time.Time) bool {
	if d.IsZero() {
		return true
	}
	return !d.Before(u.From) && (u.To.IsZero() || !d.After(u.To))
}

// label is how a unit is named in messages: "Xã Quang Lang (06187)".
func (u *unitRec) label() string { return fmt.Sprintf("%s (%s)", u.Name, u.Code) }

type unitAlias struct{ folded, code, parent string }

// UnitIndex is the unit master data in memory: every version of every unit, looked up by
// code, by (parent, folded name) and by (level, folded name). Lookups take the date whose
// structure applies and keep only the versions in force then.
type UnitIndex struct {
	byCode      map[string][]*unitRec
	byParent    map[string][]*unitRec // parent code + "\x00" + folded name
	byLevelName map[string][]*unitRec // level + "\x00" + folded name
	children    map[string][]*unitRec // parent code → units
	byLevel     map[string][]*unitRec
	aliases     map[string][]unitAlias // folded name → aliases
	// noHistory: no unit version ends, so from latestFrom on every unit is in force and a
	// resolution does not depend on the date (the record-level cache then keys by name only).
	noHistory  bool
	latestFrom time.Time
}

//go:embed sql/load_units.sql
var loadUnitsSQL string

// LoadUnitIndex reads the unit and unit_alias tables. Without villages it leaves out the
// village level and its aliases: a dataset whose rows never name a village (the public-service
// exports) then resolves against a tenth of the national list, which keeps a national load's
// memory and start-up small.
func LoadUnitIndex(ctx context.Context, q db.Querier, villages bool) (*UnitIndex, error) {
	rows, err := q.Query(ctx, loadUnitsSQL, villages)
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	var recs []*unitRec
	for rows.Next() {
		var u unitRec
		var to *time.Time
		if err := rows.Scan(&u.Code, &u.Level, &u.Kind, &u.Name, &u.Folded, &u.Parent, &u.From, &to); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read units: %w", err)
		}
		if to != nil {
			u.To = *to
		}
		recs = append(recs, &u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	idx := newUnitIndex(recs)
	arows, err := q.Query(ctx, `SELECT a.folded_name, a.unit_code, coalesce(a.parent_code, '') FROM unit_alias a
		WHERE $1 OR NOT EXISTS (SELECT FROM unit u WHERE u.code = a.unit_code AND u.level = 'village')`, villages)
	if err != nil {
		return nil, fmt.Errorf("read unit aliases: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a unitAlias
		if err := arows.Scan(&a.folded, &a.code, &a.parent); err != nil {
			return nil, fmt.Errorf("read unit aliases: %w", err)
		}
		// The office types aliases by hand: fold them the way names are folded.
		k, _ := fold.UnitName(a.folded)
		if k == "" {
			k = fold.Text(a.folded)
		}
		idx.aliases[k] = append(idx.aliases[k], a)
	}
	return idx, arows.Err()
}

func newUnitIndex(recs []*unitRec) *UnitIndex {
	idx := &UnitIndex{
		byCode: map[string][]*unitRec{}, byParent: map[string][]*unitRec{}, byLevelName: map[string][]*unitRec{},
		children: map[string][]*unitRec{}, byLevel: map[string][]*unitRec{}, aliases: map[string][]unitAlias{},
	}
	for _, u := range recs {
		name, kind := foldUnitNameMemo(u.Name)
		if u.Folded == "" {
			u.Folded = name
		}
		u.kindKey = foldTextMemo.get(u.Kind, fold.Text)
		if u.kindKey == "" {
			u.kindKey = kind
		}
		idx.byCode[u.Code] = append(idx.byCode[u.Code], u)
		idx.byParent[u.Parent+"\x00"+u.Folded] = append(idx.byParent[u.Parent+"\x00"+u.Folded], u)
		idx.byLevelName[u.Level+"\x00"+u.Folded] = append(idx.byLevelName[u.Level+"\x00"+u.Folded], u)
		idx.children[u.Parent] = append(idx.children[u.Parent], u)
		idx.byLevel[u.Level] = append(idx.byLevel[u.Level], u)
	}
	idx.noHistory = true
	for _, u := range recs {
		if !u.To.IsZero() {
			idx.noHistory = false
		}
		if u.From.After(idx.latestFrom) {
			idx.latestFrom = u.From
		}
	}
	// Each unit's province: walk up the parents (any version; codes are stable enough for this).
	for _, u := range recs {
		p, seen := u, 0
		for p.Level != "province" && p.Parent != "" && seen < 5 {
			vs := idx.byCode[p.Parent]
			if len(vs) == 0 {
				break
			}
			p, seen = vs[len(vs)-1], seen+1
		}
		if p.Level == "province" {
			u.Province = p.Code
		}
	}
	return idx
}

// code returns the version of a unit in force at d (the newest version when d is zero).
func (x *UnitIndex) code(code string, d time.Time) *unitRec {
	vs := x.byCode[code]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].validAt(d) {
			return vs[i]
		}
	}
	return nil
}

// Len is the number of unit versions held.
func (x *UnitIndex) Len() int {
	n := 0
	for _, vs := range x.byCode {
		n += len(vs)
	}
	return n
}

// inForce filters units to those in force at d, dropping repeated codes.
func inForce(us []*unitRec, d time.Time) []*unitRec {
	var out []*unitRec
	seen := map[string]bool{}
	for _, u := range us {
		if u.validAt(d) && !seen[u.Code] {
			seen[u.Code] = true
			out = append(out, u)
		}
	}
	return out
}

// Kinds read from name prefixes, by level.
var (
	districtKinds = map[string]bool{"huyện": true, "quận": true, "thị xã": true, "thành phố": true}
	communeKinds  = map[string]bool{"xã": true, "phường": true, "thị trấn": true}
	villageKinds  = map[string]bool{"thôn": true, "tổ dân phố": true, "khối": true, "bản": true, "làng": true, "ấp": true, "tổ": true, "khu": true}
)

// unitName is a unit name read from a cell: folded name and the kind its prefix gave.
type unitName struct{ raw, name, kind string }

// readUnitName folds a cell holding a unit name: "UBND huyện Chi Lăng" → ("chi lăng", "huyện").
func readUnitName(s string) unitName {
	name, kind := foldUnitNameMemo(s)
	return unitName{raw: strings.TrimSpace(s), name: name, kind: kind}
}

// readGroupLabel reads a group row label such as "I. Huyện Chi Lăng" or "1. Xã Quang Lang"
// (fold.UnitName drops the list number in front of a kind prefix).
func readGroupLabel(s string) unitName { return readUnitName(s) }

// pick narrows same-named candidates by the kind the name was written with. A kind that
// matches none of several candidates leaves them all (the caller reports the ambiguity); a
// single candidate is accepted whatever kind was written.
func pick(cands []*unitRec, kind string) []*unitRec {
	if len(cands) <= 1 || kind == "" {
		return cands
	}
	var out []*unitRec
	for _, c := range cands {
		if c.kindKey == kind {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return cands
	}
	return out
}

// levelWord is the Vietnamese word for a level, used in messages.
func levelWord(level string) string {
	switch level {
	case "province":
		return "tỉnh"
	case "district":
		return "huyện"
	case "commune":
		return "xã"
	case "village":
		return "thôn"
	}
	return "đơn vị"
}

// lookup finds the units of a level named n under parent (parent "" = anywhere in the
// province scope, or the whole table when scope is ""), in force at d. Aliases are tried
// when the name itself matches nothing.
func (x *UnitIndex) lookup(level string, n unitName, parent *unitRec, scope string, d time.Time) []*unitRec {
	var cands []*unitRec
	if parent != nil {
		for _, u := range inForce(x.byParent[parent.Code+"\x00"+n.name], d) {
			if u.Level == level {
				cands = append(cands, u)
			}
		}
	} else {
		for _, u := range inForce(x.byLevelName[level+"\x00"+n.name], d) {
			if scope == "" || u.Province == scope {
				cands = append(cands, u)
			}
		}
	}
	if len(cands) == 0 {
		for _, a := range x.aliases[n.name] {
			if parent != nil && a.parent != "" && a.parent != parent.Code {
				continue
			}
			u := x.code(a.code, d)
			if u == nil || u.Level != level {
				continue
			}
			if parent != nil && !x.isUnder(u, parent.Code, d) {
				continue
			}
			if parent == nil && scope != "" && u.Province != scope {
				continue
			}
			cands = append(cands, u)
		}
		cands = inForce(cands, d)
	}
	return pick(cands, n.kind)
}

// isUnder reports whether u lies below the unit with code anc.
func (x *UnitIndex) isUnder(u *unitRec, anc string, d time.Time) bool {
	for i := 0; i < 5 && u != nil; i++ {
		if u.Parent == anc {
			return true
		}
		u = x.code(u.Parent, d)
	}
	return false
}

// closest names up to three units of a level under parent (or in scope) whose names are
// nearest to n, for "not found" messages.
func (x *UnitIndex) closest(level string, n unitName, parent *unitRec, scope string, d time.Time) string {
	var pool []*unitRec
	if parent != nil {
		pool = x.children[parent.Code]
	} else {
		pool = x.byLevel[level]
	}
	target := fold.ASCII(n.name)
	type scored struct {
		u *unitRec
		d int
	}
	var ss []scored
	for _, u := range inForce(pool, d) {
		if u.Level != level || (parent == nil && scope != "" && u.Province != scope) {
			continue
		}
		ss = append(ss, scored{u, editDistance(target, fold.ASCII(u.Folded))})
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].d != ss[j].d {
			return ss[i].d < ss[j].d
		}
		return ss[i].u.Code < ss[j].u.Code
	})
	var out []string
	for i := 0; i < len(ss) && i < 3; i++ {
		out = append(out, ss[i].u.label())
	}
	return strings.Join(out, ", ")
}

// editDistance is the Levenshtein distance between two strings, by rune.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// describe names a unit name for messages: the text as written, else its folded form.
func (n unitName) describe() string {
	if n.raw != "" {
		return n.raw
	}
	return n.name
}

// notFound and ambiguous build the reject reasons for names.
func (x *UnitIndex) notFound(level string, n unitName, parent *unitRec, scope string, d time.Time) string {
	where := "toàn tỉnh"
	if parent != nil {
		where = "trong " + parent.Name
	} else if scope == "" {
		where = "trong danh mục đơn vị"
	}
	msg := fmt.Sprintf("không tìm thấy %s %q %s", levelWord(level), n.describe(), where)
	if c := x.closest(level, n, parent, scope, d); c != "" {
		msg += "; gần nhất: " + c
	}
	return msg
}

func ambiguous(level string, n unitName, cands []*unitRec, x *UnitIndex, d time.Time) string {
	var ls []string
	for _, c := range cands {
		l := c.label()
		if p := x.code(c.Parent, d); p != nil && c.Level != "district" {
			l += " thuộc " + p.Name
		}
		ls = append(ls, l)
	}
	hint := "ghi rõ loại đơn vị (xã/thị trấn/phường) hoặc mã"
	if level == "commune" {
		hint = "ghi rõ loại đơn vị (xã/thị trấn/phường), huyện hoặc mã xã"
	}
	return fmt.Sprintf("tên %s %q không rõ ràng, khớp %d đơn vị: %s; %s", levelWord(level), n.describe(), len(cands),
		strings.Join(ls, "; "), hint)
}

// ---- per-row resolution ----

// byCodeCell resolves a code column; wantLevels limits the levels accepted.
func (p *rowParser) byCodeCell(f string, wantLevels ...string) (*unitRec, *rowError) {
	code := strings.TrimSpace(p.cell(f))
	if code == "" {
		return nil, nil
	}
	code = normaliseCode(code, wantLevels)
	u := p.idx.code(code, p.unitDate)
	if u == nil {
		// Name the levels searched: a load indexes only the levels its dataset can name (a
		// village code in a public-service export is "not found" among communes and districts).
		words := make([]string, len(wantLevels))
		for i, l := range wantLevels {
			words[i] = levelWord(l)
		}
		return nil, p.errf(f, "không tìm thấy mã %q trong danh mục đơn vị hành chính (cấp %s)", code, strings.Join(words, ", "))
	}
	for _, l := range wantLevels {
		if u.Level == l {
			return u, nil
		}
	}
	return nil, p.errf(f, "mã %q là của %s (%s), không phải cấp %s", code, u.Name, levelWord(u.Level), levelWord(wantLevels[0]))
}

// normaliseCode restores leading zeros lost when a spreadsheet stored a code as a number
// ("6187" → "06187" for a commune, "20" stays "20"), and drops a ".0" a number may carry.
func normaliseCode(code string, levels []string) string {
	code = strings.TrimSuffix(code, ".0")
	if code == "" || strings.ContainsAny(code, "-") || len(levels) != 1 {
		return code
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return code
		}
	}
	width := map[string]int{"province": 2, "district": 3, "commune": 5}[levels[0]]
	for len(code) < width {
		code = "0" + code
	}
	return code
}

// district finds the district of a row: its code or name column, else the nearest group
// row naming a district, else the file's title. nil with no error means "not given".
func (p *rowParser) district() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("district_code", "district"); u != nil || err != nil {
		return u, err
	}
	if s := strings.TrimSpace(p.cell("district")); s != "" {
		n := readUnitName(s)
		if n.kind != "" && !districtKinds[n.kind] {
			return nil, p.errf("district", "%q không phải tên huyện", s)
		}
		return p.one("district", "district", n, nil)
	}
	for i := len(p.row.Groups) - 1; i >= 0; i-- {
		n := readGroupLabel(p.row.Groups[i])
		if !districtKinds[n.kind] {
			continue
		}
		cands := p.idx.lookup("district", n, nil, p.tc.province, p.unitDate)
		if len(cands) == 1 {
			return cands[0], nil
		}
		if len(cands) == 0 {
			return nil, p.errf("", "dòng nhóm %q: %s", p.row.Groups[i], p.idx.notFound("district", n, nil, p.tc.province, p.unitDate))
		}
		return nil, p.errf("", "dòng nhóm %q: %s", p.row.Groups[i], ambiguous("district", n, cands, p.idx, p.unitDate))
	}
	if p.tc.district != nil && p.tc.district.validAt(p.unitDate) {
		return p.tc.district, nil
	}
	return nil, nil
}

// one resolves a name to exactly one unit of level under parent, or rejects.
func (p *rowParser) one(f, level string, n unitName, parent *unitRec) (*unitRec, *rowError) {
	if n.name == "" {
		return nil, p.errf(f, "thiếu tên %s", levelWord(level))
	}
	cands := p.idx.lookup(level, n, parent, p.tc.province, p.unitDate)
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, p.errf(f, "%s", p.idx.notFound(level, n, parent, p.tc.province, p.unitDate))
	default:
		return nil, p.errf(f, "%s", ambiguous(level, n, cands, p.idx, p.unitDate))
	}
}

// commune finds a row's commune. required=false lets a row without any commune column
// value return nil.
func (p *rowParser) commune() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("commune_code", "commune"); u != nil || err != nil {
		return u, err
	}
	var n unitName
	col := "commune"
	if s := strings.TrimSpace(p.cell("commune")); s != "" {
		n = readUnitName(s)
	} else {
		for i := len(p.row.Groups) - 1; i >= 0; i-- {
			if g := readGroupLabel(p.row.Groups[i]); communeKinds[g.kind] {
				n, col = g, ""
				break
			}
		}
		if n.name == "" && p.tc.commune != nil && p.tc.commune.validAt(p.unitDate) {
			return p.tc.commune, nil
		}
	}
	if n.name == "" {
		return nil, nil
	}
	d, err := p.district()
	if err != nil {
		return nil, err
	}
	// A commune directly under the province (no district level) has the province as parent.
	if d == nil {
		return p.one(col, "commune", n, nil)
	}
	u, rerr := p.one(col, "commune", n, d)
	if rerr != nil && len(p.idx.children[d.Code]) == 0 {
		return p.one(col, "commune", n, nil)
	}
	return u, rerr
}

// village finds a row's village: its code, else its name within its commune.
func (p *rowParser) village() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("village_code", "village"); u != nil || err != nil {
		return u, err
	}
	if u, err := p.byCodeCell("unit_code", "village"); u != nil || err != nil {
		return u, err
	}
	s := strings.TrimSpace(p.cell("village"))
	if s == "" {
		return nil, p.errf(p.firstPresent("village", "village_code"), "thiếu tên thôn")
	}
	c, err := p.commune()
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, p.errf("commune", "không biết thôn %q thuộc xã nào: cần cột \"Xã\" hoặc \"Mã xã\", hoặc mã thôn", s)
	}
	return p.one("village", "village", readUnitName(s), c)
}

// reportingUnit finds the unit of a dvc_* row: a district's or a commune's own unit, named
// in the unit column ("UBND huyện Chi Lăng", "UBND xã Quang Lang", "Huyện Chi Lăng"), or by
// code, or by the district/commune columns.
func (p *rowParser) reportingUnit() (*unitRec, *rowError) {
	if u, err := p.byCodeCell("unit_code", "district", "commune", "province"); u != nil || err != nil {
		return u, err
	}
	if u, err := p.byCodeCell("commune_code", "commune"); u != nil || err != nil {
		return u, err
	}
	s := strings.TrimSpace(p.cell("unit"))
	if s == "" {
		if strings.TrimSpace(p.cell("commune")) != "" {
			return p.commune()
		}
		if u, err := p.district(); u != nil || err != nil {
			if strings.TrimSpace(p.cell("district")) != "" || strings.TrimSpace(p.cell("district_code")) != "" {
				return u, err
			}
		}
		return nil, p.errf(p.firstPresent("unit", "commune", "district"), "thiếu tên đơn vị")
	}
	n := readUnitName(s)
	switch {
	case n.kind == "tỉnh":
		return p.one("unit", "province", n, nil)
	case districtKinds[n.kind]:
		return p.one("unit", "district", n, nil)
	case communeKinds[n.kind]:
		d, err := p.district()
		if err != nil {
			return nil, err
		}
		return p.one("unit", "commune", n, d)
	}
	// A bare name: a district of that name, or a commune of the row's district.
	d, err := p.district()
	if err != nil {
		return nil, err
	}
	cands := p.idx.lookup("district", n, nil, p.tc.province, p.unitDate)
	cands = append(cands, p.idx.lookup("commune", n, d, p.tc.province, p.unitDate)...)
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, p.errf("unit", "không tìm thấy đơn vị %q; gần nhất: %s", s,
			p.idx.closest("commune", n, d, p.tc.province, p.unitDate))
	default:
		return nil, p.errf("unit", "%s", ambiguous("unit", n, cands, p.idx, p.unitDate))
	}
}

// contextFromPreamble reads the province and district a file is about from its title lines
// ("UBND HUYỆN CHI LĂNG", "… trên địa bàn huyện Chi Lăng, tỉnh Lạng Sơn").
func contextFromPreamble(idx *UnitIndex, lines []string, d time.Time) (province string, district, commune *unitRec) {
	text := " " + headerWords(strings.Join(lines, " ")) + " "
	provinces := inForce(idx.byLevel["province"], d)
	var found []*unitRec
	for _, u := range provinces {
		if strings.Contains(text, " tỉnh "+headerWords(u.Folded)+" ") || strings.Contains(text, " thành phố "+headerWords(u.Folded)+" ") {
			found = append(found, u)
		}
	}
	if len(found) == 1 {
		province = found[0].Code
	} else if len(provinces) == 1 {
		province = provinces[0].Code
	}
	var ds []*unitRec
	for _, u := range inForce(idx.byLevel["district"], d) {
		if province != "" && u.Province != province {
			continue
		}
		if u.kindKey != "" && strings.Contains(text, " "+headerWords(u.kindKey)+" "+headerWords(u.Folded)+" ") {
			ds = append(ds, u)
		}
	}
	if len(ds) == 1 {
		district = ds[0]
	}
	// A commune named in the title ("UBND XÃ QUANG LANG"), within the district when known.
	var cs []*unitRec
	for _, u := range inForce(idx.byLevel["commune"], d) {
		if province != "" && u.Province != province || district != nil && u.Parent != district.Code {
			continue
		}
		if u.kindKey != "" && strings.Contains(text, " "+headerWords(u.kindKey)+" "+headerWords(u.Folded)+" ") {
			cs = append(cs, u)
		}
	}
	if len(cs) == 1 {
		commune = cs[0]
	}
	return province, district, commune
}
