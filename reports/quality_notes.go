package reports

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/units"
)

// A source file's load message is its notes, one a line (transform's FileReport.Notes). Most of
// a province-wide export's notes are of one kind — a unit the file still names as it was before
// a change of structure, resolved to its successor: "đơn vị cũ: Thôn Lũng Lìa (cũ, 06022-003) →
// Thôn Lũng Lìa (06019-001)" (transform's UnitIndex.note) —, and concern one commune each. The
// data-quality sheet counts them in the file's row and lists them, grouped by the commune they
// concern now, in a section of their own; a recipient sees only the notes about its own units
// (itself, its communes and villages, and the units that became them).

// oldNameRe reads an old-unit note: old name, old code, new name, new code.
var oldNameRe = regexp.MustCompile(`^đơn vị cũ: (.+) \(cũ, ([^()]+)\) → (.+) \(([^()]+)\)$`)

// noteCodeRe finds the unit codes a note names: "(06463)", "(cũ, 06523-002)".
var noteCodeRe = regexp.MustCompile(`\((?:cũ, )?([0-9]{2,5}(?:-[0-9]{1,4})?)\)`)

// oldName is one old-unit note, with the commune its successor lies in now.
type oldName struct {
	file                               string
	oldName, oldCode, newName, newCode string
	oldParent                          string // the old unit's commune (or district) then, "" when unknown
	commune                            string // the code of the commune the successor lies in at the period end
}

// fileNotes is what a source file's message says to one workbook.
type fileNotes struct {
	other  []string  // the notes shown in the file's row
	olds   []oldName // the old-unit notes of the workbook's units
	hidden int       // notes about other units (a recipient's workbook), left to the province's
}

// noteScope decides which units' notes a workbook shows; nil codes: every unit (the province's
// workbook).
type noteScope struct {
	h        *units.History
	end      time.Time
	communes map[string]bool // the scope's communes, districts and the recipient itself
	all      bool
}

func (w *workbook) noteScope(h *units.History) *noteScope {
	s := &noteScope{h: h, end: w.d.period.End(), all: w.sc.province, communes: map[string]bool{w.sc.unit.Code: true}}
	for _, c := range w.sc.communes {
		s.communes[c.Code] = true
	}
	for _, c := range w.sc.districts {
		s.communes[c.Code] = true
	}
	return s
}

// owners are the units in force at the period end that carry code's facts (itself when in
// force; its successors once it closed).
func (s *noteScope) owners(code string) []*units.Version {
	if s.h == nil {
		return nil
	}
	var out []*units.Version
	seen := map[*units.Version]bool{}
	for _, v := range s.h.Versions(code) {
		for _, o := range s.h.Owners(v, s.end) {
			if !seen[o.Version] {
				seen[o.Version] = true
				out = append(out, o.Version)
			}
		}
	}
	return out
}

// communeOf is the commune (or district, province) a unit in force at the period end belongs to
// for the notes: a village's commune, else the unit itself.
func communeOf(h *units.History, v *units.Version, end time.Time) string {
	if v.Level == ntm.LevelVillage {
		if p := h.Parent(v, end); p != nil {
			return p.Code
		}
		return v.Parent
	}
	return v.Code
}

// concerns tells whether a unit code's facts are the scope's.
func (s *noteScope) concerns(code string) bool {
	if s.all {
		return true
	}
	if s.communes[code] {
		return true
	}
	for _, o := range s.owners(code) {
		if s.communes[communeOf(s.h, o, s.end)] {
			return true
		}
	}
	return false
}

// notesOf splits a file's message into what the scope's workbook shows.
func (s *noteScope) notesOf(b batchInfo) fileNotes {
	var fn fileNotes
	for _, line := range strings.Split(b.Message, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := oldNameRe.FindStringSubmatch(line); m != nil {
			o := oldName{file: b.FileName, oldName: m[1], oldCode: m[2], newName: m[3], newCode: m[4], commune: m[4]}
			if !s.concerns(o.newCode) {
				fn.hidden++
				continue
			}
			if s.h != nil {
				if os := s.owners(o.newCode); len(os) > 0 {
					o.commune = communeOf(s.h, os[0], s.end)
				}
				for _, v := range s.h.Versions(o.oldCode) {
					if v.Name == o.oldName && v.Parent != "" {
						at := v.To
						if at.IsZero() {
							at = v.From
						}
						if p := s.h.Parent(v, at); p != nil {
							o.oldParent = p.Name
						}
					}
				}
			}
			fn.olds = append(fn.olds, o)
			continue
		}
		mine := true
		if !s.all {
			if codes := noteCodeRe.FindAllStringSubmatch(line, -1); len(codes) > 0 {
				mine = false
				for _, c := range codes {
					if s.concerns(c[1]) {
						mine = true
						break
					}
				}
			}
		}
		if mine {
			fn.other = append(fn.other, line)
		} else {
			fn.hidden++
		}
	}
	return fn
}

// rowMessage is the file's row's note: its other notes, the count of old names (listed in
// section listed), and, in a recipient's workbook, how many notes concern other units.
func (fn fileNotes) rowMessage(section int) string {
	lines := append([]string(nil), fn.other...)
	if n := len(fn.olds); n > 0 {
		lines = append(lines, fmt.Sprintf("%d thôn, xã tệp còn ghi theo tên hoặc mã trước khi sắp xếp: đã được nhận theo đơn vị mới và số liệu được tính cho đơn vị mới, không cần làm gì (danh sách ở mục %d).", n, section))
	}
	if fn.hidden > 0 {
		lines = append(lines, fmt.Sprintf("%d ghi chú khác của tệp nói về đơn vị khác trong tỉnh: xem báo cáo toàn tỉnh.", fn.hidden))
	}
	return strings.Join(lines, "\n")
}

// oldNameGroup is old names that concern one commune now, named by the same files (a
// province's survey and digital-address exports name the same villages: listed once).
type oldNameGroup struct {
	commune string
	files   []string
	names   []oldName
}

// groupOldNames groups the old names by the commune they concern now (in the order communeLess
// gives), then by the files that name them, each old name once.
func groupOldNames(olds []oldName, communeLess func(a, b string) bool) []oldNameGroup {
	type entry struct {
		o     oldName
		files []string
	}
	var entries []*entry
	byName := map[[3]string]*entry{}
	for _, o := range olds {
		k := [3]string{o.commune, o.oldCode + "\x00" + o.oldName, o.newCode}
		e := byName[k]
		if e == nil {
			e = &entry{o: o}
			byName[k] = e
			entries = append(entries, e)
		}
		if !slices.Contains(e.files, o.file) {
			e.files = append(e.files, o.file)
		}
	}
	at := map[string]int{}
	var out []oldNameGroup
	for _, e := range entries {
		k := e.o.commune + "\x00" + strings.Join(e.files, "\x00")
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, oldNameGroup{commune: e.o.commune, files: e.files})
		}
		out[i].names = append(out[i].names, e.o)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].commune != out[j].commune {
			return communeLess(out[i].commune, out[j].commune)
		}
		return len(out[i].names) > len(out[j].names)
	})
	return out
}

// text is one old name as a commune reads it: "Thôn Lũng Lìa (mã cũ 06022-003, thuộc Xã Tân Yên
// cũ) → mã mới 06019-001", or, renamed, "… → Thôn Nà Pá (06019-001)".
func (o oldName) text() string {
	old := fmt.Sprintf("%s (mã cũ %s", o.oldName, o.oldCode)
	if o.oldParent != "" {
		old += ", thuộc " + o.oldParent + " cũ"
	}
	old += ")"
	if o.newName == o.oldName {
		return old + " → mã mới " + o.newCode
	}
	return fmt.Sprintf("%s → %s (%s)", old, o.newName, o.newCode)
}
