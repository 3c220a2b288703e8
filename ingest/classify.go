package ingest

import (
	"regexp"
	"strconv"
	"strings"

	"ntm/fold"
)

// headerKey is the folded form used to drop a header part repeated by a
// vertical merge ("STT" over "STT").
func headerKey(s string) string { return headerKeys.Get(s, fold.Text) }

// headerKeys, cleanTexts, subtotalLabels, footerTexts and groupRanks remember headerKey,
// cleanText, isSubtotalLabel, isFooterText and groupRank (the last four for short texts
// only).
var (
	headerKeys     = fold.NewMemo[string](50000)
	cleanTexts     = fold.NewMemo[string](50000)
	subtotalLabels = fold.NewMemo[bool](20000)
	footerTexts    = fold.NewMemo[bool](20000)
	groupRanks     = fold.NewMemo[int](20000)
)

// ReleaseMemos forgets what the reader's memos remember (a process done with loading; a later
// read fills them again).
func ReleaseMemos() {
	headerKeys.Reset()
	cleanTexts.Reset()
	subtotalLabels.Reset()
	footerTexts.Reset()
	groupRanks.Reset()
}

// firstNonBlank returns the index and trimmed text of the first non-blank
// cell, or -1.
func firstNonBlank(cells []string) (int, string) {
	for i, c := range cells {
		if !isBlank(c) {
			return i, strings.TrimSpace(c)
		}
	}
	return -1, ""
}

// isNumber reports whether a cell holds only a number as written in a
// spreadsheet or typed by hand: "12", "1234.5", "1.234", "97,92%",
// "-3", "4.5E-2".
func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == ',' || c == ' ':
		case (c == 'e' || c == 'E') && digits > 0 && i+1 < len(s):
			if s[i+1] == '-' || s[i+1] == '+' {
				i++
			}
		default:
			return false
		}
	}
	return digits > 0
}

// maxFooterCells is the most filled cells a signature row has ("Người lập
// biểu", "Thủ trưởng đơn vị" and a date, side by side).
const maxFooterCells = 4

func nonBlank(cells []string) int {
	n := 0
	for _, c := range cells {
		if !isBlank(c) {
			n++
		}
	}
	return n
}

func hasNumber(cells []string) bool {
	for _, c := range cells {
		if isNumber(c) {
			return true
		}
	}
	return false
}

// Column-number rows: "(1) (2) (3)", "1 2 3 4", "A B C", "A B 1 2 3=2/1".
var (
	colParen  = regexp.MustCompile(`^\((\d{1,3})\)(\s*[=*/+x:-].*)?$`)
	colPlain  = regexp.MustCompile(`^(\d{1,3})(\s*[=*/+:-].*)?$`)
	colLetter = regexp.MustCompile(`^\(?([A-Z])\)?$`)
)

// isColumnNumberRow recognises the row of column numbers that Vietnamese
// report forms put right under the header. Plain integers must run
// consecutively (1 2 3 …) so a first data row of small numbers is not
// mistaken for it; parenthesised numbers need only increase.
func isColumnNumberRow(cells []string) bool {
	tokens, lastNum, lastLetter := 0, 0, rune(0)
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		tokens++
		if m := colParen.FindStringSubmatch(c); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n <= lastNum {
				return false
			}
			lastNum = n
			continue
		}
		if m := colPlain.FindStringSubmatch(c); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n != lastNum+1 && !(lastNum == 0 && n <= 1) {
				return false
			}
			lastNum = n
			continue
		}
		if m := colLetter.FindStringSubmatch(c); m != nil && lastNum == 0 {
			l := rune(m[1][0])
			if lastLetter != 0 && l != lastLetter+1 {
				return false
			}
			lastLetter = l
			continue
		}
		return false
	}
	return tokens >= 2
}

// Subtotal labels, folded. Matched exactly, or as a prefix followed by more
// words for the entries of subtotalPrefixes. Commune names such as Cộng Hòa,
// Toàn Thắng or Tổng Cọt must not match.
var subtotalExact = map[string]bool{
	"cộng": true, "tổng": true, "tổng cộng": true, "tổng số": true, "cộng chung": true, "tổng chung": true,
	"toàn tỉnh": true, "toàn huyện": true, "toàn thành phố": true, "toàn thị xã": true, "toàn xã": true,
	"toàn quốc": true, "cả tỉnh": true, "cộng toàn tỉnh": true, "tổng toàn tỉnh": true, "tổng cộng toàn tỉnh": true,
}

var subtotalPrefixes = []string{
	"tổng cộng", "cộng toàn", "tổng toàn", "toàn tỉnh", "toàn huyện", "toàn thành phố", "toàn thị xã",
	"toàn xã", "cộng huyện", "cộng xã", "cộng thành phố", "cộng thị xã", "cộng phường", "cộng thị trấn",
	"cộng (", "tổng (", "tổng số (", "cộng:", "tổng:", "tổng số:",
}

// isSubtotalRow recognises a total line by its label in the STT or name
// position (one of the first three cells).
func isSubtotalRow(cells []string) bool { return subtotalCell(cells) >= 0 }

// subtotalCell is the index of a subtotal row's label, or -1.
func subtotalCell(cells []string) int {
	i, text := firstNonBlank(cells)
	if i < 0 || i > 2 || isNumber(text) || !isSubtotalLabel(text) {
		return -1
	}
	return i
}

func isSubtotalLabel(text string) bool {
	// Every subtotal label starts with c or t ("Cộng", "Cả tỉnh", "Tổng", "Toàn"): skip the
	// folding for the other rows (this runs on every row).
	if t := strings.TrimLeft(text, " \t\r\n"); t != "" && t[0] < 0x80 && !strings.ContainsRune("cCtT", rune(t[0])) {
		return false
	}
	// The short texts that start so ("Thôn 3", "Tân Lập") come back on every row and file.
	if len(text) > 64 {
		return foldedSubtotal(fold.Text(text))
	}
	return subtotalLabels.Get(text, func(t string) bool { return foldedSubtotal(fold.Text(t)) })
}

// foldedSubtotal is isSubtotalLabel of a folded text.
func foldedSubtotal(f string) bool {
	if subtotalExact[f] {
		return true
	}
	for _, p := range subtotalPrefixes {
		if strings.HasPrefix(f, p) {
			rest := f[len(p):]
			if strings.HasSuffix(p, "(") || strings.HasSuffix(p, ":") || strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "(") {
				return true
			}
		}
	}
	return false
}

// romanNumerals holds I … XL, the group numbers report forms use.
var romanNumerals = func() map[string]bool {
	m := map[string]bool{}
	tens := []string{"", "X", "XX", "XXX", "XL"}
	ones := []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}
	for _, t := range tens {
		for _, o := range ones {
			if t+o != "" {
				m[t+o] = true
			}
		}
	}
	return m
}()

var romanLabel = regexp.MustCompile(`^([IVXL]+)(?:\s*[.):\-–]\s*|\s+)(\S.*)$`)

// romanGroup recognises an outer group row: a Roman numeral in the STT
// position, alone ("I", "II.") with the label in a later cell, or as the
// start of the label ("I. Huyện Chi Lăng"). The label is returned as
// "I. Huyện Chi Lăng" in both cases.
func romanGroup(cells []string) (string, bool) {
	g, ok := romanGroupAt(cells)
	return g.label, ok
}

// groupRow is a row that looks like a group row: its label, the cell the label was read from
// (the numeral's cell when the numeral stands alone and nothing follows), that cell's numeral
// when it stands alone in a cell of its own, and the unit rank the label names.
type groupRow struct {
	label      string
	labelCol   int
	numeralCol int // the cell of a numeral standing alone, or -1
	rank       int // groupRank of the label without its numeral
}

func romanGroupAt(cells []string) (groupRow, bool) {
	i, text := firstNonBlank(cells)
	if i < 0 || i > 1 || !strings.ContainsRune("IVXL", rune(text[0])) {
		return groupRow{}, false // (the cheap test first: this runs on every row)
	}
	bare := strings.TrimRight(text, ".)")
	if romanNumerals[bare] {
		for j, c := range cells[i+1:] {
			if !isBlank(c) && !isNumber(c) {
				l := cleanText(c)
				return groupRow{label: bare + ". " + l, labelCol: i + 1 + j, numeralCol: i, rank: groupRank(l)}, true
			}
		}
		return groupRow{label: bare, labelCol: i, numeralCol: i, rank: 5}, true
	}
	if m := romanLabel.FindStringSubmatch(text); m != nil && romanNumerals[m[1]] {
		l := cleanText(m[2])
		// "X. Vân An" is Xã Vân An (X. is a commune prefix), not group X: the whole text's kind,
		// when it has one, says what the label names.
		rank := groupRank(cleanText(text))
		if rank == 5 {
			rank = groupRank(l)
		}
		return groupRow{label: m[1] + ". " + l, labelCol: i, numeralCol: -1, rank: rank}, true
	}
	return groupRow{}, false
}

// labelGroup recognises an inner group row: a single text cell in one of the
// first three positions and nothing else ("Xã Quang Lang", "1. Xã Quang
// Lang", "Huyện Chi Lăng").
func labelGroup(cells []string) (string, bool) {
	g, ok := labelGroupAt(cells)
	return g.label, ok
}

func labelGroupAt(cells []string) (groupRow, bool) {
	i, text := firstNonBlank(cells)
	if i < 0 || i > 2 || isNumber(text) {
		return groupRow{}, false
	}
	for _, c := range cells[i+1:] {
		if !isBlank(c) {
			return groupRow{}, false
		}
	}
	if !strings.ContainsFunc(text, func(r rune) bool { return r > '9' }) {
		return groupRow{}, false // punctuation only: not a label
	}
	l := cleanText(text)
	return groupRow{label: l, labelCol: i, numeralCol: -1, rank: groupRank(l)}, true
}

// groupRank orders group labels by the unit level they name, so that a
// commune label nests under a district label and a new district closes the
// commune. Roman-numbered groups are rank 0 (outermost).
func groupRank(label string) int {
	if len(label) <= 64 {
		return groupRanks.Get(label, groupRankOf)
	}
	return groupRankOf(label)
}

func groupRankOf(label string) int {
	_, kind := fold.UnitName(label)
	switch kind {
	case fold.KindProvince:
		return 1
	case fold.KindCity, fold.KindTown, fold.KindUrban, fold.KindDistrict:
		return 2
	case fold.KindCommune, fold.KindWard, fold.KindTownlet:
		return 3
	case fold.KindVillage, fold.KindStreet, fold.KindBlock:
		return 4
	}
	return 5
}

// Footer (signature block) texts, folded with dots read as spaces.
var footerPrefixes = []string{
	"người lập", "lập biểu", "người tổng hợp", "người báo cáo", "cán bộ tổng hợp", "thủ trưởng",
	"kt chủ tịch", "kt giám đốc", "kt trưởng", "tm ubnd", "tm uỷ ban", "tm đảng uỷ", "q chủ tịch",
	"chủ tịch", "phó chủ tịch", "giám đốc", "phó giám đốc", "trưởng phòng", "kế toán",
	"xác nhận của", "ký, ghi rõ", "ký ghi rõ", "ký và ghi rõ", "ký, họ tên", "ký tên", "ký, đóng dấu",
	"ghi chú", "nơi nhận",
}

var footerDate = regexp.MustCompile(`ngày[\s\d.…_/-]*tháng[\s\d.…_/-]*năm`)

// isFooterRow recognises signature and note rows under a table ("Người lập
// biểu", "KT. CHỦ TỊCH", "(Ký, ghi rõ họ tên)", "Lạng Sơn, ngày … tháng …
// năm …", "Ghi chú:"). The caller only asks for rows without numbers.
func isFooterRow(cells []string) bool { return footerCell(cells) >= 0 }

// footerCell is the index of the first signature or note text of a row, or -1.
func footerCell(cells []string) int {
	for i, c := range cells {
		if isFooterText(c) {
			return i
		}
	}
	return -1
}

// isFooterText is asked of the cells of every row without numbers (each village's name, its
// notes): short texts are remembered.
func isFooterText(c string) bool {
	if isBlank(c) || len(c) > 200 {
		return false
	}
	if len(c) <= 64 {
		return footerTexts.Get(c, isFooterTextOf)
	}
	return isFooterTextOf(c)
}

func isFooterTextOf(c string) bool {
	f := fold.Text(c)
	k := strings.Join(strings.Fields(strings.ReplaceAll(f, ".", " ")), " ")
	for _, p := range footerPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return footerDate.MatchString(f)
}
