package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The five Vietnamese tone marks as combining characters (NFD).
func isTone(r rune) bool {
	switch r {
	case 0x0300, 0x0301, 0x0303, 0x0309, 0x0323: // huyền, sắc, ngã, hỏi, nặng
		return true
	}
	return false
}

// The vowel modifiers that make â ê ô, ă and ơ ư.
func isModifier(r rune) bool {
	switch r {
	case 0x0302, 0x0306, 0x031B:
		return true
	}
	return false
}

// letter is one base letter of a syllable with its vowel modifiers (the tone
// is kept apart).
type letter struct {
	base rune
	mods [2]rune
	n    int
}

func (l letter) vowel() bool {
	switch l.base {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// placeTones rewrites every word of s (a lower-case NFC string) with its tone
// mark in the canonical position.
func placeTones(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	changed := false
	start := -1
	flush := func(end int) {
		w := s[start:end]
		if nw := placeTone(w); nw != w {
			if !changed {
				b.Grow(len(s) + 8)
				b.WriteString(s[:start])
				changed = true
			}
			b.WriteString(nw)
		} else if changed {
			b.WriteString(w)
		}
		start = -1
	}
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsMark(r)
		if inWord && start < 0 {
			start = i
		} else if !inWord {
			if start >= 0 {
				flush(i)
			}
			if changed {
				b.WriteRune(r)
			}
		}
	}
	if start >= 0 {
		flush(len(s))
	}
	if !changed {
		return s
	}
	return b.String()
}

// placeTone moves the single tone mark of a one-syllable Vietnamese word to
// its canonical position. Anything else is returned unchanged.
func placeTone(w string) string { return placeToneOf(w, true) }

// placeToneOf is placeTone; without fast, it builds the answer even when the tone is already in
// its place (the tests compare both ways).
func placeToneOf(w string, fast bool) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	// Each character's decomposition (NFD), from the tables without allocating: canonically
	// equivalent to the word's NFD, and a mark of one combining class keeps its place among
	// those of the same class, so the answer built below is the same. A syllable has at most 12
	// letters, two modifiers on each and one tone.
	var rbuf [40]rune
	runes := rbuf[:0]
	for i := 0; i < len(w); {
		p := norm.NFD.PropertiesString(w[i:])
		if p.Size() == 0 {
			return w
		}
		if d := p.Decomposition(); d != nil {
			for len(d) > 0 {
				r, size := utf8.DecodeRune(d)
				d = d[size:]
				if len(runes) == len(rbuf) {
					return w
				}
				runes = append(runes, r)
			}
		} else {
			r, _ := utf8.DecodeRuneInString(w[i:])
			if len(runes) == len(rbuf) {
				return w
			}
			runes = append(runes, r)
		}
		i += p.Size()
	}
	var letters []letter
	var arr [12]letter
	letters = arr[:0]
	var tone rune
	tones := 0
	// at is the letter the tone follows in w, and last says that moving the tone after that
	// letter's modifiers gives a canonically equivalent text (no modifier of the same combining
	// class follows it: the circumflex and the breve after a tone other than the dot below).
	// Then a tone already in its canonical place leaves w as it is.
	at, last := -1, false
	for _, r := range runes {
		switch {
		case isTone(r):
			if len(letters) == 0 {
				return w
			}
			tone = r
			tones++
			at, last = len(letters)-1, true
		case isModifier(r):
			if len(letters) == 0 {
				return w
			}
			l := &letters[len(letters)-1]
			if l.n == len(l.mods) {
				return w
			}
			l.mods[l.n] = r
			l.n++
			if at == len(letters)-1 && tone != 0x0323 && r != 0x031B {
				last = false
			}
		case (r >= 'a' && r <= 'z') || r == 'đ':
			if len(letters) == 12 {
				return w // no Vietnamese syllable is this long
			}
			letters = append(letters, letter{base: r})
		default:
			return w
		}
	}
	if tones != 1 {
		return w
	}
	pos := tonePosition(letters)
	if pos < 0 {
		return w
	}
	if fast && pos == at && last {
		// What is written below is equivalent to w's decomposition, and w is NFC (placeTones'
		// input): the answer is w, without building it.
		return w
	}
	var b strings.Builder
	b.Grow(len(w) + 8)
	for i, l := range letters {
		b.WriteRune(l.base)
		for _, m := range l.mods[:l.n] {
			b.WriteRune(m)
		}
		if i == pos {
			b.WriteRune(tone)
		}
	}
	out := norm.NFC.String(b.String())
	if !utf8.ValidString(out) {
		return w
	}
	return out
}

// tonePosition returns the index of the letter that carries the tone in the
// canonical (new-style) spelling, or -1 when the letters are not one
// Vietnamese syllable.
func tonePosition(ls []letter) int {
	first := -1
	for i, l := range ls {
		if l.vowel() {
			first = i
			break
		}
	}
	if first < 0 {
		return -1
	}
	end := first
	for end < len(ls) && ls[end].vowel() {
		end++
	}
	for _, l := range ls[end:] {
		if l.vowel() {
			return -1 // two vowel groups: not one syllable
		}
	}
	// In "qu" the u and in "gi" (before another vowel) the i belong to the
	// initial consonant: quý, già, giường.
	if first > 0 && end-first > 1 {
		prev, cur := ls[first-1].base, ls[first]
		if (prev == 'q' && cur.base == 'u' && cur.n == 0) || (prev == 'g' && cur.base == 'i' && cur.n == 0) {
			first++
		}
	}
	for i := end - 1; i >= first; i-- {
		if ls[i].n > 0 {
			return i // the vowel with a circumflex, breve or horn: ấ, ươ → ơ
		}
	}
	if end < len(ls) {
		return end - 1 // closed syllable: toán, hoàng, huỳnh
	}
	switch end - first {
	case 1:
		return first
	case 2:
		pair := string([]rune{ls[first].base, ls[first+1].base})
		if pair == "oa" || pair == "oe" || pair == "uy" {
			return first + 1 // new style: hoà, khoẻ, thuý
		}
		return first // tài, múa, túi
	case 3:
		return first + 1 // ngoài, xoáy, khuỷu
	}
	return -1
}
