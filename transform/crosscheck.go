package transform

import (
	"strings"

	"ntm"
)

// A unit code wins over the names in its row, but not over a row that contradicts it. A row
// that gives a village code and also the village's commune or district (by code or name) or its
// own name, naming other units than the code's, is rejected: one of them is wrong, and which one only the
// exporter can tell. A name that resolves to nothing (a typo) does not contradict the code.

// villageAgreed is village() with that check when the village came from a code.
func (p *rowParser) villageAgreed() (*unitRec, *rowError) {
	v, rerr := p.village()
	if rerr != nil || v == nil {
		return v, rerr
	}
	f := "village_code"
	if strings.TrimSpace(p.cell(f)) == "" {
		f = "unit_code"
		if strings.TrimSpace(p.cell(f)) == "" {
			return v, nil // resolved by name within its commune: nothing to contradict
		}
	}
	code := strings.TrimSpace(p.cell(f))
	if c, col := p.rowCommunes(); len(c) > 0 && !p.anyParentOf(v, c) {
		return nil, p.errf(col, "mã thôn %q là %s, thuộc %s, nhưng cột %q ghi %q (%s): sửa mã thôn hoặc cột %q cho khớp",
			code, v.label(), p.parentLabel(v), p.label(col), strings.TrimSpace(p.cell(col)), c[0].label(), p.label(col))
	}
	if d, col := p.rowDistricts(); len(d) > 0 && p.districtOf(v) != nil && !p.anyParentOf(v, d) {
		return nil, p.errf(col, "mã thôn %q là %s, thuộc %s, nhưng cột %q ghi %q (%s): sửa mã thôn hoặc cột %q cho khớp",
			code, v.label(), p.districtOf(v).label(), p.label(col), strings.TrimSpace(p.cell(col)), d[0].label(), p.label(col))
	}
	if s := strings.TrimSpace(p.cell("village")); s != "" && p.idx.parentOf(v, p.unitDate) != nil {
		n := readUnitName(s)
		cands := p.idx.lookup("village", n, p.idx.parentOf(v, p.unitDate), p.tc.province, p.unitDate)
		if len(cands) > 0 && !containsUnit(cands, v) {
			return nil, p.errf("village", "mã thôn %q là %s, nhưng cột %q ghi %q (%s): sửa mã thôn hoặc tên thôn cho khớp",
				code, v.label(), p.label("village"), s, cands[0].label())
		}
	}
	return v, nil
}

// rowCommunes are the communes the row's own commune cell can name (its code, else every commune
// of that name in the province, old ones included), and that cell's field.
func (p *rowParser) rowCommunes() ([]*unitRec, string) {
	if strings.TrimSpace(p.cell("commune_code")) != "" {
		if c, err := p.byCodeCtx("commune_code", "commune"); err == nil && c != nil {
			return []*unitRec{c}, "commune_code"
		}
		return nil, ""
	}
	s := strings.TrimSpace(p.cell("commune"))
	if s == "" {
		return nil, ""
	}
	n := readUnitName(s)
	cs := p.idx.lookup("commune", n, nil, p.tc.province, p.unitDate)
	cs = append(cs, p.idx.historical("commune", n, nil, p.tc.province, p.unitDate)...)
	return cs, "commune"
}

// rowDistricts are the districts the row's own district cell can name (its code, else every
// district of that name in the province, old ones included), and that cell's field.
func (p *rowParser) rowDistricts() ([]*unitRec, string) {
	if strings.TrimSpace(p.cell("district_code")) != "" {
		if d, err := p.byCodeCtx("district_code", "district"); err == nil && d != nil {
			return []*unitRec{d}, "district_code"
		}
		return nil, ""
	}
	s := strings.TrimSpace(p.cell("district"))
	if s == "" {
		return nil, ""
	}
	n := readUnitName(s)
	ds := p.idx.lookup("district", n, nil, p.tc.province, p.unitDate)
	ds = append(ds, p.idx.historical("district", n, nil, p.tc.province, p.unitDate)...)
	return ds, "district"
}

// districtOf is the district v lies in on the row's date; nil where the structure has no
// districts (since 1/7/2025 a district named in a row is an old one and contradicts nothing).
func (p *rowParser) districtOf(v *unitRec) *unitRec {
	u := v
	for i := 0; i < 5 && u != nil; i++ {
		if u = p.idx.parentOf(u, p.unitDate); u != nil && u.Level == ntm.LevelDistrict {
			return u
		}
	}
	return nil
}

// anyParentOf reports whether one of cs is v's commune (or an ancestor of it).
func (p *rowParser) anyParentOf(v *unitRec, cs []*unitRec) bool {
	for _, c := range cs {
		if c.Code == v.Parent || p.idx.isUnder(v, c.Code, p.unitDate) {
			return true
		}
	}
	return false
}

func (p *rowParser) parentLabel(u *unitRec) string {
	if par := p.idx.parentOf(u, p.unitDate); par != nil {
		return par.label()
	}
	return u.Parent
}

func containsUnit(us []*unitRec, u *unitRec) bool {
	for _, x := range us {
		if x.Code == u.Code {
			return true
		}
	}
	return false
}
