package sample

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// How the offices write unit names: with or without the kind, abbreviated, in NFD, with the old tone
// placement (Hoà for Hòa), with stray spaces. Every variant here is one docs/datasets.md ("Units: how names become codes") promises to resolve.

type labeler struct{ r *rand.Rand }

// mess applies the spelling noise that does not change a folded name.
func (l labeler) mess(s string) string {
	if chance(l.r, 20) {
		s = oldTone(s)
	}
	switch x := l.r.IntN(100); {
	case x < 4:
		s = norm.NFD.String(s)
	case x < 6:
		s = s + " "
	case x < 8:
		s = strings.Replace(s, " ", "\u00a0", 1)
	case x < 9:
		s = "  " + s
	}
	return s
}

// oldTone moves the tone mark to the older position in oa/oe/uy syllables (Hòa → Hoà, Thủy → Thuỷ).
func oldTone(s string) string {
	r := strings.NewReplacer(
		"òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
		"òe", "oè", "óe", "oé", "ọe", "oẹ",
		"ùy", "uỳ", "úy", "uý", "ủy", "uỷ", "ũy", "uỹ", "ụy", "uỵ",
	)
	return r.Replace(s)
}

// kindAbbrev is the short form of a unit kind accepted as a prefix.
var kindAbbrev = map[string]string{"Xã": "X.", "Phường": "P.", "Thị trấn": "TT.", "Huyện": "H.", "Thành phố": "TP."}

func (l labeler) district(d *district) string {
	switch x := l.r.IntN(100); {
	case x < 20:
		if a, ok := kindAbbrev[d.Kind]; ok {
			return l.mess(a + " " + d.Bare())
		}
	case x < 30 && d.Kind == "Huyện":
		return l.mess(d.Bare())
	}
	return l.mess(d.Name)
}

// reportingDistrict writes a district as a reporting unit: always with its kind, since a bare
// "Đình Lập" would also name two of its communes.
func (l labeler) reportingDistrict(d *district) string {
	if a, ok := kindAbbrev[d.Kind]; ok && chance(l.r, 30) {
		return l.mess(a + " " + d.Bare())
	}
	return l.mess(d.Name)
}

// commune writes a commune name; a bare name shared by two communes of the district keeps its kind.
func (l labeler) commune(c *commune) string {
	ambiguous := false
	for _, o := range c.District.Communes {
		if o != c && strings.EqualFold(o.Bare(), c.Bare()) {
			ambiguous = true
		}
	}
	switch x := l.r.IntN(100); {
	case x < 15:
		return l.mess(kindAbbrev[c.Kind] + " " + c.Bare())
	case x < 35 && !ambiguous:
		return l.mess(c.Bare())
	case x < 40:
		return l.mess(strings.ToLower(c.Kind) + " " + c.Bare())
	}
	return l.mess(c.Name)
}

func (l labeler) village(v *village) string {
	name := v.Name
	switch {
	case strings.HasPrefix(name, "Thôn "):
		switch x := l.r.IntN(100); {
		case x < 25:
			name = strings.TrimPrefix(name, "Thôn ")
		case x < 30:
			name = "thôn " + strings.TrimPrefix(name, "Thôn ")
		}
	case strings.HasPrefix(name, "Tổ dân phố "):
		if chance(l.r, 30) {
			name = "TDP " + strings.TrimPrefix(name, "Tổ dân phố ")
		}
	}
	return l.mess(name)
}

// misspell doubles the last vowel of a name ("Nà Lìa" → "Nà Lììa"): a typo no folding repairs.
func misspell(s string) string {
	rs := []rune(s)
	for i := len(rs) - 1; i >= 0; i-- {
		if strings.ContainsRune("aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ", unicode.ToLower(rs[i])) {
			return string(rs[:i+1]) + string(rs[i:])
		}
	}
	return s + "h"
}

// vnNumber writes n with dots between thousands ("1.234"), as Vietnamese text.
func vnNumber(n int) string {
	s := itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// vnPercent writes num/den as a Vietnamese percentage with two decimals, rounded down ("97,92%").
func vnPercent(num, den int) string {
	if den == 0 {
		return ""
	}
	bp := num * 10000 / den
	return itoa(bp/100) + "," + pad2(bp%100) + "%"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
