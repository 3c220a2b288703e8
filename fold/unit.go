package fold

import (
	"strings"
)

// Canonical unit kinds returned by UnitName.
const (
	KindProvince = "tỉnh"
	KindCity     = "thành phố"
	KindTown     = "thị xã"
	KindUrban    = "quận"
	KindDistrict = "huyện"
	KindCommune  = "xã"
	KindWard     = "phường"
	KindTownlet  = "thị trấn"
	KindVillage  = "thôn"
	KindStreet   = "tổ dân phố"
	KindBlock    = "khối"
)

// unitPrefix is one way a unit kind is written in front of a name, folded.
// A prefix ending in "." may be glued to the name ("TP.Lạng Sơn"); any other
// must be followed by a space.
type unitPrefix struct {
	text, kind string
}

// unitPrefixes is ordered so that a longer prefix is tried before a shorter
// one that starts it ("thị xã" before "thị trấn" does not matter, but "tp."
// before "tp" and "tdp." before "tdp" do). Bản, Nà and Pò are deliberately
// absent: they are part of proper names (Bản Chắt, Nà Sla, Pò Mè).
var unitPrefixes = []unitPrefix{
	{"thành phố", KindCity}, {"tp.", KindCity}, {"tp", KindCity},
	{"thị xã", KindTown}, {"tx.", KindTown}, {"tx", KindTown},
	{"thị trấn", KindTownlet}, {"tt.", KindTownlet}, {"tt", KindTownlet},
	{"tổ dân phố", KindStreet}, {"tdp.", KindStreet}, {"tdp", KindStreet},
	{"tỉnh", KindProvince},
	{"quận", KindUrban},
	{"huyện", KindDistrict}, {"h.", KindDistrict},
	{"xã", KindCommune}, {"x.", KindCommune},
	{"phường", KindWard}, {"p.", KindWard},
	{"thôn", KindVillage},
	{"khối", KindBlock},
}

// authorityPrefixes name the people's committee in front of a unit
// ("UBND huyện Chi Lăng"): they are removed before the kind prefix.
var authorityPrefixes = []string{"ubnd", "ủy ban nhân dân", "uỷ ban nhân dân", "u.b.n.d."}

func init() {
	// Keep the tables in the exact form Text produces, whatever the source
	// file's normalisation; Text would trim the dot of "tp.", so fold the
	// word and put the dot back.
	for i := range unitPrefixes {
		p := unitPrefixes[i].text
		if w, ok := strings.CutSuffix(p, "."); ok {
			unitPrefixes[i].text = Text(w) + "."
		} else {
			unitPrefixes[i].text = Text(p)
		}
	}
	for i := range authorityPrefixes {
		authorityPrefixes[i] = Text(authorityPrefixes[i])
	}
}

// UnitName folds an administrative unit's name with Text and removes its
// unit-kind prefix, returning the bare name and the canonical kind read from
// the prefix ("" when there is none):
//
//	"Xã Quang Lang"          → "quang lang", "xã"
//	"UBND huyện Chi Lăng"    → "chi lăng", "huyện"
//	"TP. Lạng Sơn"           → "lạng sơn", "thành phố"
//	"Thị trấn NT Thái Bình"  → "nt thái bình", "thị trấn"
//	"I. Huyện Chi Lăng"      → "chi lăng", "huyện" (a list number before a prefix goes too)
//	"Bản Chắt"               → "bản chắt", ""
//
// A prefix is removed only when a name follows it, so "Xã" alone stays "xã".
func UnitName(s string) (name, kind string) {
	t := Text(s)
	rest := t
	if r, ok := stripAuthority(rest); ok {
		rest = r
	}
	if r, k, ok := stripKind(rest); ok {
		return nonEmpty(Text(r), t, k)
	}
	// A list number ("I.", "1.", "2)") in front of a prefix.
	if r, ok := stripEnumerator(rest); ok {
		if r2, ok := stripAuthority(r); ok {
			r = r2
		}
		if r2, k, ok := stripKind(r); ok {
			return nonEmpty(Text(r2), t, k)
		}
	}
	return nonEmpty(Text(rest), t, "")
}

// nonEmpty keeps the whole folded text when stripping left nothing that is
// a name ("Xã", "TP. -").
func nonEmpty(name, whole, kind string) (string, string) {
	if name == "" {
		return whole, ""
	}
	return name, kind
}

func stripAuthority(t string) (string, bool) {
	for _, p := range authorityPrefixes {
		if rest, ok := cutWord(t, p); ok {
			return rest, true
		}
		if rest, ok := cutGlued(t, p+"."); ok { // "UBND.Chi Lăng" is rare but seen
			return rest, true
		}
	}
	return t, false
}

func stripKind(t string) (name, kind string, ok bool) {
	for _, p := range unitPrefixes {
		var rest string
		if strings.HasSuffix(p.text, ".") {
			rest, ok = cutGlued(t, p.text)
		} else {
			rest, ok = cutWord(t, p.text)
		}
		if ok {
			return rest, p.kind, true
		}
	}
	return t, "", false
}

// cutWord removes prefix p from t when it is followed by a space and more text.
func cutWord(t, p string) (string, bool) {
	if len(t) > len(p)+1 && strings.HasPrefix(t, p) && t[len(p)] == ' ' {
		return strings.TrimLeft(t[len(p)+1:], " "), true
	}
	return t, false
}

// cutGlued removes prefix p (ending in ".") from t when more text follows,
// with or without a space.
func cutGlued(t, p string) (string, bool) {
	if strings.HasPrefix(t, p) {
		if rest := strings.TrimLeft(t[len(p):], " "); rest != "" {
			return rest, true
		}
	}
	return t, false
}

// stripEnumerator removes a leading list number: a Roman or Arabic numeral
// (or dotted numbers such as "1.2") followed by ".", ")", ":" or "-" and/or a
// space.
func stripEnumerator(t string) (string, bool) {
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' && i > 0 && i+1 < len(t) && t[i+1] >= '0' && t[i+1] <= '9') {
		i++
	}
	if i == 0 {
		for i < len(t) && strings.IndexByte("ivxlc", t[i]) >= 0 {
			i++
		}
	}
	if i == 0 || i > 8 {
		return t, false
	}
	j := i
	if j < len(t) && strings.IndexByte(".):-", t[j]) >= 0 {
		j++
	}
	for j < len(t) && t[j] == ' ' {
		j++
	}
	if j == i || j >= len(t) {
		return t, false
	}
	return t[j:], true
}
