// Package transform owns the middle of ingest: it turns the rows the ingest readers
// produce into typed facts and loads them into PostgreSQL. It holds the dataset specs
// (fields, header synonyms, required columns), the matching of a file's header to
// those fields and the detection of a file's dataset, the resolution of unit names
// and codes to the unit master data, the row parsers with their row-level rejects,
// the batch loader (one transaction per file, COPY), the units import and batch
// listing/revocation. Vietnamese value parsing lives in transform/value.
package transform

import (
	"fmt"
	"math/bits"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"ntm"
	"ntm/fold"
	"ntm/ingest"
)

// Field is one column a dataset knows.
type Field struct {
	Name     string   // internal name, e.g. "households_total"
	Label    string   // the canonical Vietnamese header, shown in messages and templates
	Synonyms []string // accepted headers (the label is always one of them)
	keys     []string // synonyms folded into space-separated words
}

// Spec describes one accepted file shape of a dataset.
type Spec struct {
	Dataset ntm.Dataset
	// Shape names the variant when a dataset accepts several shapes ("" for the main one,
	// "procedure_list" for the per-procedure list aggregated into dvc_procedures).
	Shape  string
	Fields []Field
	// Required lists the required columns; each entry is satisfied by any one of its field names.
	Required [][]string
	byName   map[string]int
	parse    rowParseFunc
	// required is Required as field indexes, and vocab every field's folded synonyms by their
	// first word: the header search's precompiled vocabulary, built once per process.
	required [][]int
	vocab    map[string][]headerKey
}

// Field returns the field called name, or nil.
func (s *Spec) Field(name string) *Field {
	if i, ok := s.byName[name]; ok {
		return &s.Fields[i]
	}
	return nil
}

// RequiredLabels lists the required columns as a user reads them ("Thôn" or "Mã thôn").
func (s *Spec) RequiredLabels() []string {
	out := make([]string, 0, len(s.Required))
	for _, alts := range s.Required {
		var ls []string
		for _, n := range alts {
			ls = append(ls, `"`+s.Field(n).Label+`"`)
		}
		out = append(out, strings.Join(ls, " hoặc "))
	}
	return out
}

// HeaderMatch is the result of matching a header row against a spec.
type HeaderMatch struct {
	Spec    *Spec
	Col     map[string]int    // field name → cell index
	Header  map[string]string // field name → the header as written in the file
	Missing []string          // labels of required columns not found
	// Satisfied counts the required entries found; Recognised counts all fields found.
	Satisfied, Recognised int
}

// Score ranks a match: required columns first, then every recognised column.
func (m *HeaderMatch) Score() int { return m.Satisfied*100 + m.Recognised }

// Complete reports whether every required column is present.
func (m *HeaderMatch) Complete() bool { return len(m.Missing) == 0 }

// enough reports whether the match is plausible as a header row at all: at least two
// required columns and at least half of them.
func (m *HeaderMatch) enough() bool {
	return m.Satisfied >= 2 && 2*m.Satisfied >= len(m.Spec.Required)
}

// headerWords folds a header for matching: fold.Text, then every run of characters that
// are not letters or digits becomes one space, so "Thôn/Bản", "Thôn, bản" and "THÔN - BẢN"
// are all "thôn bản".
//
// A text with spaces is folded word by word (each through the memo): headerWords of a text
// joined by spaces is the join of each part's (folding maps each character alone, tones are
// placed within a word, a space never composes in NFC, and every run of other characters becomes
// one space), and a header search folds a new text for every candidate header over data rows
// ("Thôn 3 Thôn 4 100"), whose words come back on every file.
func headerWords(s string) string { return headerWordsMemo.Get(s, headerWordsSplit) }

func headerWordsSplit(s string) string {
	if !strings.Contains(s, " ") {
		return headerWordsOf(s)
	}
	var b strings.Builder
	for part := range strings.SplitSeq(s, " ") {
		if part == "" {
			continue
		}
		w := headerWordsMemo.Get(part, headerWordsOf)
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// wordPrefix, wordSuffix and wordInside test " "+w+" " for " "+k+" " at its start, at its end
// or anywhere, without building the strings (Match runs thousands of times per file: every
// header candidate against every dataset).
func wordPrefix(w, k string) bool {
	return strings.HasPrefix(w, k) && (len(w) == len(k) || w[len(k)] == ' ')
}

func wordSuffix(w, k string) bool {
	return strings.HasSuffix(w, k) && (len(w) == len(k) || w[len(w)-len(k)-1] == ' ')
}

func wordInside(w, k string) bool {
	for i := 0; i+len(k) <= len(w); {
		j := strings.Index(w[i:], k)
		if j < 0 {
			return false
		}
		j += i
		if (j == 0 || w[j-1] == ' ') && (j+len(k) == len(w) || w[j+len(k)] == ' ') {
			return true
		}
		i = j + 1
	}
	return false
}

func headerWordsOf(s string) string {
	s = fold.Text(s)
	var b strings.Builder
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

var fullDate = regexp.MustCompile(`\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}`)

// stripTitlePrefix folds the columns and removes a text every non-empty column starts with:
// a title merged across the whole table that a reader took for a group header.
func stripTitlePrefix(columns []string) []string {
	words := make([]string, len(columns))
	var prefix []string
	n := 0
	for i, c := range columns {
		words[i] = headerWords(c)
		if words[i] == "" {
			continue
		}
		ws := strings.Fields(words[i])
		if n == 0 {
			prefix = ws
		} else {
			k := 0
			for k < len(prefix) && k < len(ws) && prefix[k] == ws[k] {
				k++
			}
			prefix = prefix[:k]
		}
		n++
	}
	if n < 3 || len(prefix) < 3 {
		return words
	}
	p := strings.Join(prefix, " ")
	for i, w := range words {
		words[i] = strings.TrimSpace(strings.TrimPrefix(w, p))
	}
	return words
}

// Match assigns the file's columns to the spec's fields. An exact (folded) synonym beats a
// contained one (at the start or end of the header, or anywhere for a synonym of three words
// or more), a longer synonym beats a shorter one, and each column and field is used once. A column about a rate ("Tỷ lệ …", "%") is only matched by a synonym that says so.
func (s *Spec) Match(columns []string) *HeaderMatch {
	return s.matchWords(columns, stripTitlePrefix(columns))
}

// matchWords is Match with the columns' words already folded (stripTitlePrefix): a header
// search tries every candidate header against every dataset, and folds it once for all.
func (s *Spec) matchWords(columns, words []string) *HeaderMatch {
	return s.matchHeader(columns, prepareHeader(columns, words), nil)
}

// headerColumn is one column of a candidate header, prepared once for every spec it is tried
// against: its folded words, and whether it is a rate column (or a title line with a date),
// which only an exact synonym matches.
type headerColumn struct {
	w     string
	words []string
	rate  bool
}

func prepareHeader(columns, words []string) []headerColumn {
	hc := make([]headerColumn, len(columns))
	for ci, c := range columns {
		w := words[ci]
		if w == "" {
			continue
		}
		hc[ci] = headerColumn{w: w, words: strings.Fields(w),
			rate: strings.Contains(" "+w+" ", " tỷ lệ ") || strings.Contains(c, "%") || strings.ContainsAny(c, "/.-") && fullDate.MatchString(c)}
	}
	return hc
}

// headerKey is one folded synonym of a field, found in Spec.vocab by its first word.
type headerKey struct {
	field int
	key   string
	n     int // its words
}

// headerCand is a column a field's synonym matches, with the synonym's score.
type headerCand struct{ score, col, field int }

// candidates lists, for every column and field, the best score of the field's synonyms on the
// column (an exact synonym beats a contained one, a longer one a shorter one). Every way a
// synonym can match needs its first word among the column's words, so only the synonyms of
// those words are tried (Spec.vocab, built once per process); best is scratch, one per field.
func (s *Spec) candidates(hc []headerColumn, cands []headerCand, best []int) []headerCand {
	for ci := range hc {
		c := &hc[ci]
		if c.w == "" {
			continue
		}
		clear(best)
		hit := false
		for wi, word := range c.words {
			if slices.Contains(c.words[:wi], word) {
				continue // its synonyms were tried
			}
			for _, k := range s.vocab[word] {
				score := 0
				switch {
				case k.key == c.w:
					score = 1000 + k.n
				case !c.rate && (wordPrefix(c.w, k.key) || wordSuffix(c.w, k.key)):
					score = k.n
				case !c.rate && k.n >= 3 && wordInside(c.w, k.key):
					// Inside a longer header only a specific synonym counts: "huyện" inside
					// "STT I. Huyện Chi Lăng" (a group row read as a header row) is no district column.
					score = k.n
				}
				if score > best[k.field] {
					best[k.field], hit = score, true
				}
			}
		}
		if !hit {
			continue
		}
		for fi, b := range best {
			if b > 0 {
				cands = append(cands, headerCand{b, ci, fi})
			}
		}
	}
	return cands
}

// assign gives each column to at most one field and each field at most one column, best
// candidates first; col is the column of each field (-1 for none) and it returns how many
// fields were assigned.
func assign(cands []headerCand, col []int, usedCol []bool) int {
	slices.SortFunc(cands, func(a, b headerCand) int {
		if a.score != b.score {
			return b.score - a.score
		}
		if a.col != b.col {
			return a.col - b.col
		}
		return a.field - b.field
	})
	for i := range col {
		col[i] = -1
	}
	n := 0
	for _, c := range cands {
		if usedCol[c.col] || col[c.field] >= 0 {
			continue
		}
		usedCol[c.col] = true
		col[c.field] = c.col
		n++
	}
	return n
}

// satisfied counts the required entries of which some field has a column.
func (s *Spec) satisfied(col []int) int {
	n := 0
	for _, alts := range s.required {
		if slices.ContainsFunc(alts, func(f int) bool { return col[f] >= 0 }) {
			n++
		}
	}
	return n
}

// matchHeader is matchWords with the columns prepared; sc is scratch reused between calls (nil
// for none).
func (s *Spec) matchHeader(columns []string, hc []headerColumn, sc *headerScratch) *HeaderMatch {
	if sc == nil {
		sc = &headerScratch{}
	}
	col := sc.match(s, hc)
	m := &HeaderMatch{Spec: s, Col: map[string]int{}, Header: map[string]string{}}
	for fi, ci := range col {
		if ci >= 0 {
			f := s.Fields[fi].Name
			m.Col[f] = ci
			m.Header[f] = strings.TrimSpace(columns[ci])
		}
	}
	m.Recognised = len(m.Col)
	for i, alts := range s.required {
		if slices.ContainsFunc(alts, func(f int) bool { return col[f] >= 0 }) {
			m.Satisfied++
		} else {
			m.Missing = append(m.Missing, s.RequiredLabels()[i])
		}
	}
	return m
}

// headerScratch is the memory a header search reuses from one candidate and spec to the next.
type headerScratch struct {
	cands   []headerCand
	best    []int
	col     []int
	usedCol []bool
}

// match is the column of each of s's fields (-1 for none) for the prepared header hc; the slice
// is the scratch's, valid until the next call.
func (sc *headerScratch) match(s *Spec, hc []headerColumn) []int {
	nf := len(s.Fields)
	if cap(sc.best) < nf {
		sc.best, sc.col = make([]int, nf), make([]int, nf)
	}
	sc.best, sc.col = sc.best[:nf], sc.col[:nf]
	if cap(sc.usedCol) < len(hc) {
		sc.usedCol = make([]bool, len(hc))
	}
	sc.usedCol = sc.usedCol[:len(hc)]
	clear(sc.usedCol)
	sc.cands = s.candidates(hc, sc.cands[:0], sc.best)
	assign(sc.cands, sc.col, sc.usedCol)
	return sc.col
}

// score is HeaderMatch.Score of s on the prepared header, and whether the match is enough
// (HeaderMatch.enough), without building the match.
func (sc *headerScratch) score(s *Spec, hc []headerColumn) (score int, enough bool) {
	col := sc.match(s, hc)
	recognised := 0
	for _, c := range col {
		if c >= 0 {
			recognised++
		}
	}
	sat := s.satisfied(col)
	return sat*100 + recognised, sat >= 2 && 2*sat >= len(s.required)
}

// Scorer is the ingest.HeaderScorer of one spec: 0 unless enough required columns are
// present, else HeaderMatch.Score.
func (s *Spec) Scorer() func(columns []string) int {
	return func(columns []string) int {
		m := s.Match(columns)
		if !m.enough() {
			return 0
		}
		return m.Score()
	}
}

// SpecsFor returns the shapes of a dataset.
func SpecsFor(d ntm.Dataset) []*Spec {
	var out []*Spec
	for _, s := range specs {
		if s.Dataset == d {
			out = append(out, s)
		}
	}
	return out
}

// datasetNamesVillages reports whether some shape of dataset d has a village column: only then
// does a load need the village level of the unit index.
func datasetNamesVillages(d ntm.Dataset) bool {
	for _, s := range SpecsFor(d) {
		if s.Field("village") != nil || s.Field("village_code") != nil {
			return true
		}
	}
	return false
}

// AllSpecs returns every spec, units included.
func AllSpecs() []*Spec { return slices.Clone(specs) }

// scorerFor scores a header row against several specs: the best plausible one (see Scorer).
// The candidate's columns are folded and split once for all specs, and no match is built.
// Scores are remembered per set of specs: with the filter (headerFilterFor) the candidates left
// are a sheet's titles and header, the same on every sheet of an export and in every file of a
// kind.
func scorerFor(ss []*Spec) func(columns []string) int {
	sc := &headerScratch{}
	memo := headerSearchFor(ss).scores
	score := func(columns []string) int {
		best := 0
		hc := prepareHeader(columns, stripTitlePrefix(columns))
		for _, s := range ss {
			if score, enough := sc.score(s, hc); enough {
				best = max(best, score)
			}
		}
		return best
	}
	var key []byte
	return func(columns []string) int {
		key = key[:0]
		for _, c := range columns {
			key = append(append(key, c...), 0)
		}
		if len(key) > 2048 {
			return score(columns)
		}
		return memo.Get(string(key), func(string) int { return score(columns) })
	}
}

// headerSearch is what the header search of one set of specs keeps for the whole process.
type headerSearch struct {
	filter *ingest.HeaderFilter
	scores *fold.Memo[int] // a candidate's columns, each ended by a NUL → its score
}

var headerSearches struct {
	mu sync.Mutex
	m  map[string]*headerSearch
}

// headerSearchFor is the headerSearch of the set of specs ss, made on first use.
func headerSearchFor(ss []*Spec) *headerSearch {
	var key strings.Builder // the specs themselves, not their names
	for _, s := range ss {
		fmt.Fprintf(&key, "%p;", s)
	}
	headerSearches.mu.Lock()
	defer headerSearches.mu.Unlock()
	if h, ok := headerSearches.m[key.String()]; ok {
		return h
	}
	h := &headerSearch{filter: newHeaderFilter(ss), scores: fold.NewMemo[int](4096)}
	if headerSearches.m == nil {
		headerSearches.m = map[string]*headerSearch{}
	}
	headerSearches.m[key.String()] = h
	return h
}

// headerFilterFor is the ingest.HeaderFilter of scorerFor(ss), built once per process and set
// of specs. A cell's marks are the required entries (one bit each, spec by spec) of which some
// field has a synonym whose first word is one of the cell's words; a candidate may score only
// when, for some spec, the entries marked could be enough (HeaderMatch.enough). That never
// refuses a header the scorer accepts: every way a synonym matches a column needs its first word
// among the column's words (Spec.candidates); a column's words are those of the cells it joins
// (headerWords of a text joined by spaces is the join of its parts', headerWordsSplit); dropping
// a title prefix only removes words; and a satisfied required entry has a field whose synonym
// matched. Nil when the specs have more than 64 required entries in all.
func headerFilterFor(ss []*Spec) *ingest.HeaderFilter { return headerSearchFor(ss).filter }

func newHeaderFilter(ss []*Spec) *ingest.HeaderFilter {
	first := map[string]uint64{} // a synonym's first word → the entries it may satisfy
	specBits := make([]uint64, len(ss))
	bit := 0
	for i, s := range ss {
		for _, alts := range s.required {
			if bit == 64 {
				return nil
			}
			b := uint64(1) << bit
			bit++
			specBits[i] |= b
			for _, fi := range alts {
				for _, k := range s.Fields[fi].keys {
					w, _, _ := strings.Cut(k, " ")
					first[w] |= b
				}
			}
		}
	}
	marks := fold.NewMemo[uint64](20000)
	cellMarks := func(text string) uint64 {
		var m uint64
		for w := range strings.SplitSeq(headerWords(text), " ") {
			m |= first[w]
		}
		return m
	}
	return &ingest.HeaderFilter{
		Cell: func(text string) uint64 { return marks.Get(text, cellMarks) },
		Possible: func(u uint64) bool {
			for i, sb := range specBits {
				if sat := bits.OnesCount64(u & sb); sat >= 2 && 2*sat >= len(ss[i].required) {
					return true
				}
			}
			return false
		},
	}
}

// DetectDataset picks the spec a header belongs to among ss: the one with all its required
// columns present and the best score. No complete spec, or a tie between two datasets, is
// an error that names the expected columns.
func DetectDataset(columns []string, ss []*Spec) (*HeaderMatch, error) {
	var best, runner *HeaderMatch
	var closest *HeaderMatch
	hc := prepareHeader(columns, stripTitlePrefix(columns))
	sc := &headerScratch{}
	for _, s := range ss {
		m := s.matchHeader(columns, hc, sc)
		if closest == nil || m.Score() > closest.Score() {
			closest = m
		}
		if !m.Complete() {
			continue
		}
		switch {
		case best == nil || m.Score() > best.Score():
			best, runner = m, best
		case runner == nil || m.Score() > runner.Score():
			runner = m
		}
	}
	if best == nil {
		if len(ss) == 1 || closest != nil && closest.enough() {
			return nil, fmt.Errorf("thiếu cột bắt buộc của dữ liệu %s: %s (các cột cần có: %s)",
				closest.Spec.Dataset, strings.Join(closest.Missing, ", "), strings.Join(closest.Spec.RequiredLabels(), ", "))
		}
		return nil, fmt.Errorf("không nhận ra loại dữ liệu của bảng; %s", expectedColumns(ss))
	}
	if runner != nil && runner.Score() == best.Score() && runner.Spec.Dataset != best.Spec.Dataset {
		return nil, fmt.Errorf("không xác định được loại dữ liệu: bảng khớp cả %s và %s; hãy chỉ rõ bằng --dataset",
			best.Spec.Dataset, runner.Spec.Dataset)
	}
	return best, nil
}

// expectedColumns describes the required columns of each spec, for whole-file rejects.
func expectedColumns(ss []*Spec) string {
	var parts []string
	for _, s := range ss {
		name := string(s.Dataset)
		if s.Shape != "" {
			name += " (" + s.Shape + ")"
		}
		parts = append(parts, fmt.Sprintf("%s cần các cột %s", name, strings.Join(s.RequiredLabels(), ", ")))
	}
	return strings.Join(parts, "; ")
}

func newSpec(d ntm.Dataset, shape string, parse rowParseFunc, required [][]string, fields ...Field) *Spec {
	s := &Spec{Dataset: d, Shape: shape, Fields: fields, Required: required, byName: map[string]int{}, parse: parse}
	for i := range s.Fields {
		f := &s.Fields[i]
		if _, dup := s.byName[f.Name]; dup {
			panic("transform: duplicate field " + f.Name)
		}
		s.byName[f.Name] = i
		seen := map[string]bool{}
		for _, syn := range append([]string{f.Label}, f.Synonyms...) {
			k := headerWords(syn)
			if k != "" && !seen[k] {
				seen[k] = true
				f.keys = append(f.keys, k)
			}
		}
	}
	s.required = make([][]int, len(required))
	for i, alts := range required {
		for _, n := range alts {
			fi, ok := s.byName[n]
			if !ok {
				panic("transform: required field " + n + " not in spec " + string(d))
			}
			s.required[i] = append(s.required[i], fi)
		}
	}
	s.vocab = map[string][]headerKey{}
	for fi := range s.Fields {
		for _, k := range s.Fields[fi].keys {
			first, _, _ := strings.Cut(k, " ")
			s.vocab[first] = append(s.vocab[first], headerKey{field: fi, key: k, n: strings.Count(k, " ") + 1})
		}
	}
	return s
}

func field(name, label string, synonyms ...string) Field {
	return Field{Name: name, Label: label, Synonyms: synonyms}
}

// Unit columns shared by the datasets.
var (
	fDistrictCode = field("district_code", "Mã huyện", "Mã huyện, thành phố", "Mã ĐVHC cấp huyện")
	fDistrict     = field("district", "Huyện", "Huyện, thành phố", "Tên huyện", "Huyện/thành phố",
		"Huyện, thị xã, thành phố", "Tên huyện, thành phố", "Đơn vị cấp huyện")
	fCommuneCode = field("commune_code", "Mã xã", "Mã xã, phường, thị trấn", "Mã ĐVHC cấp xã")
	fCommune     = field("commune", "Xã", "Xã, phường, thị trấn", "Tên xã", "Xã/phường/thị trấn",
		"Tên xã, phường, thị trấn", "Xã, phường", "Xã, thị trấn", "Đơn vị cấp xã")
	fVillageCode = field("village_code", "Mã thôn", "Mã thôn, tổ dân phố", "Mã thôn/tổ dân phố", "Mã thôn, bản")
	fVillage     = field("village", "Thôn", "Thôn, tổ dân phố", "Thôn/Bản", "Tên thôn", "Thôn, bản",
		"Tên thôn, tổ dân phố", "Thôn/tổ dân phố", "Thôn, bản, tổ dân phố", "Tên thôn, bản")
	fUnitCode = field("unit_code", "Mã đơn vị", "Mã ĐVHC", "Mã đơn vị hành chính")
	fAsOf     = field("as_of", "Ngày số liệu", "Thời điểm", "Số liệu đến ngày", "Thời điểm số liệu",
		"Thời điểm báo cáo", "Ngày cập nhật")
	fReportingUnit = field("unit", "Đơn vị", "Tên đơn vị", "Cơ quan", "Đơn vị tiếp nhận", "Cơ quan, đơn vị",
		"Tên cơ quan, đơn vị", "Cơ quan tiếp nhận", "Tên cơ quan")
)

// platformFields are the one-column-per-platform fields of an OCOP product list.
var platformFields = func() []Field {
	type p struct {
		code, label string
		more        []string
	}
	ps := []p{
		{"postmart", "Postmart", nil},
		{"voso", "Voso", []string{"Vỏ Sò", "Voso.vn"}},
		{"shopee", "Shopee", nil},
		{"lazada", "Lazada", nil},
		{"tiki", "Tiki", nil},
		{"sendo", "Sendo", nil},
		{"tiktok", "TikTok Shop", []string{"TikTok", "Tiktokshop"}},
		{"province", "Sàn TMĐT tỉnh", []string{"Sàn thương mại điện tử tỉnh", "Sàn TMĐT tỉnh Lạng Sơn",
			"Sàn thương mại điện tử tỉnh Lạng Sơn", "Sàn tỉnh"}},
		{"other", "Sàn khác", []string{"Sàn TMĐT khác", "Sàn thương mại điện tử khác"}},
	}
	var out []Field
	for _, x := range ps {
		syn := []string{}
		for _, n := range append([]string{x.label}, x.more...) {
			syn = append(syn, n, "Sàn TMĐT "+n, "Sàn thương mại điện tử "+n, "Trên sàn "+n, "Đã đưa lên sàn "+n)
		}
		out = append(out, field("platform_"+x.code, x.label, syn...))
	}
	return out
}()

func platformOfField(name string) (string, bool) {
	return strings.CutPrefix(name, "platform_")
}

var specs = []*Spec{
	newSpec(ntm.DatasetUnits, "", nil,
		[][]string{{"province_code"}, {"commune_code"}, {"commune_name"}},
		field("province_code", "province_code", "Mã tỉnh"),
		field("province_name", "province_name", "Tên tỉnh", "Tỉnh"),
		field("district_code", "district_code", "Mã huyện"),
		field("district_name", "district_name", "Tên huyện", "Huyện"),
		field("district_kind", "district_kind", "Loại huyện", "Cấp huyện"),
		field("commune_code", "commune_code", "Mã xã"),
		field("commune_name", "commune_name", "Tên xã", "Xã"),
		field("commune_kind", "commune_kind", "Loại xã", "Cấp xã"),
		field("village_code", "village_code", "Mã thôn"),
		field("village_name", "village_name", "Tên thôn", "Thôn"),
		field("village_kind", "village_kind", "Loại thôn"),
		field("valid_from", "valid_from", "Hiệu lực từ", "Từ ngày"),
		field("valid_to", "valid_to", "Hiệu lực đến", "Đến ngày"),
		field("previous_codes", "previous_codes", "Mã cũ", "Mã trước đây"),
		field("merged_from_codes", "merged_from_codes", "Hợp nhất từ mã", "Sáp nhập từ mã"),
		field("commune_group", "commune_group", "Nhóm xã", "Phân nhóm xã"),
	),
	// A successor mapping (old → new units from one day, given by --valid-from): the GSO/NQ
	// 1672 table langson_mapping_2025.csv, or old_code/new_code for any level.
	newSpec(ntm.DatasetUnits, shapeMapping, nil,
		[][]string{{"old_commune_code"}, {"new_commune_code"}},
		field("old_commune_code", "old_commune_code", "old_code", "Mã xã cũ", "Mã đơn vị cũ"),
		field("old_commune_name", "old_commune_name", "old_name", "Tên xã cũ", "Tên đơn vị cũ"),
		field("new_commune_code", "new_commune_code", "new_code", "Mã xã mới", "Mã đơn vị mới"),
		field("new_commune_name", "new_commune_name", "new_name", "Tên xã mới", "Tên đơn vị mới"),
		field("merge_type", "merge_type", "Hình thức", "Loại sắp xếp"),
	),
	newSpec(ntm.DatasetVpostcode, "", parseVpostcode,
		[][]string{{"village", "village_code", "unit_code"}, {"households_total"}, {"households_with"}, {"orgs_total"}, {"orgs_with"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fVillageCode, fVillage, fUnitCode, fAsOf,
		field("households_total", "Tổng số hộ", "Tổng số hộ gia đình", "Số hộ gia đình", "Hộ gia đình Tổng số",
			"Hộ gia đình Tổng số hộ", "Tổng số hộ dân", "Số hộ", "Hộ gia đình Số hộ", "Số hộ gia đình Tổng số"),
		field("households_with", "Số hộ đã gắn địa chỉ số", "Số hộ đã có địa chỉ số", "Hộ đã gắn mã địa chỉ",
			"Hộ gia đình Đã gắn địa chỉ số", "Hộ gia đình Đã có địa chỉ số", "Hộ gia đình Số đã gắn địa chỉ số",
			"Hộ gia đình Đã gắn mã địa chỉ", "Hộ gia đình Số hộ đã gắn địa chỉ số", "Hộ đã gắn địa chỉ số",
			"Số hộ gia đình đã gắn địa chỉ số", "Số hộ gia đình Đã gắn địa chỉ số"),
		field("orgs_total", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức, doanh nghiệp",
			"Cơ quan, tổ chức Tổng số", "Cơ quan, tổ chức, doanh nghiệp Tổng số", "Tổng số cơ quan, tổ chức, doanh nghiệp",
			"Số cơ quan, tổ chức", "Cơ quan, tổ chức, doanh nghiệp", "Số cơ quan, tổ chức, doanh nghiệp Tổng số"),
		field("orgs_with", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Cơ quan, tổ chức Đã gắn địa chỉ số",
			"Cơ quan, tổ chức Đã có địa chỉ số", "Số cơ quan, tổ chức, doanh nghiệp đã gắn địa chỉ số",
			"Cơ quan, tổ chức, doanh nghiệp Đã gắn địa chỉ số", "Cơ quan, tổ chức, doanh nghiệp Đã có địa chỉ số",
			"Số cơ quan, tổ chức đã có địa chỉ số", "Cơ quan, tổ chức Đã gắn mã địa chỉ",
			"Số cơ quan, tổ chức, doanh nghiệp Đã gắn địa chỉ số"),
	),
	newSpec(ntm.DatasetVillageSurvey, "", parseVillageSurvey,
		[][]string{{"village", "village_code", "unit_code"}, {"team"}, {"platform"}, {"wifi"}, {"models"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fVillageCode, fVillage, fUnitCode, fAsOf,
		field("team", "Tổ công nghệ số cộng đồng", "Có tổ công nghệ số cộng đồng", "Thành lập tổ công nghệ số cộng đồng",
			"Tổ công nghệ số cộng đồng Đã thành lập", "Tổ công nghệ số cộng đồng Có/Không", "Tổ CNSCĐ",
			"Tổ công nghệ số cộng đồng Thành lập"),
		field("team_decision", "Số quyết định thành lập tổ", "Quyết định thành lập tổ", "Tổ công nghệ số cộng đồng Số quyết định",
			"Tổ công nghệ số cộng đồng Số quyết định thành lập", "Tổ công nghệ số cộng đồng Quyết định thành lập",
			"Số quyết định thành lập"),
		field("platform", "Sử dụng nền tảng số", "Nền tảng số", "Sử dụng nền tảng số Có/Không",
			"Sử dụng nền tảng số để thông tin, tương tác", "Sử dụng nền tảng số Có sử dụng"),
		field("platform_name", "Nhóm Zalo/Facebook", "Tên nhóm", "Tên nhóm/đường link", "Đường link nhóm",
			"Sử dụng nền tảng số Tên nhóm", "Sử dụng nền tảng số Nhóm Zalo/Facebook", "Tên nhóm Zalo/Facebook",
			"Sử dụng nền tảng số Tên nhóm/đường link"),
		field("wifi", "WiFi miễn phí tại nhà văn hóa", "Nhà văn hóa có WiFi miễn phí", "WiFi miễn phí",
			"WiFi miễn phí tại nhà văn hóa thôn", "WiFi"),
		field("models", "Số mô hình chuyển đổi số", "Mô hình chuyển đổi số", "Mô hình chuyển đổi số Số lượng",
			"Mô hình chuyển đổi số Số mô hình", "Số lượng mô hình chuyển đổi số"),
		field("model_fields", "Lĩnh vực", "Lĩnh vực mô hình", "Mô hình chuyển đổi số Lĩnh vực",
			"Lĩnh vực mô hình chuyển đổi số", "Mô hình chuyển đổi số Tên mô hình, lĩnh vực"),
	),
	newSpec(ntm.DatasetOCOPProducts, "", parseOCOPProduct,
		[][]string{{"name"}, {"stars"}, {"owner"}, {"commune", "commune_code", "village_code", "unit_code"}, {"decision_no"},
			{"certified_on", "decision_no"}},
		append([]Field{fDistrictCode, fDistrict, fCommuneCode, fCommune, fVillageCode, fVillage, fUnitCode,
			field("product_code", "Mã sản phẩm", "Mã SP", "Mã sản phẩm OCOP"),
			field("name", "Tên sản phẩm", "Sản phẩm", "Tên sản phẩm OCOP", "Tên sản phẩm OCOP được công nhận"),
			field("stars", "Hạng sao", "Số sao", "Xếp hạng", "Phân hạng", "Kết quả phân hạng", "Hạng", "Số sao OCOP",
				"Xếp hạng sao", "Đạt hạng sao"),
			field("category", "Nhóm sản phẩm", "Bộ sản phẩm", "Phân nhóm", "Nhóm", "Ngành hàng"),
			field("owner", "Chủ thể", "Tên chủ thể", "Chủ thể sản xuất", "Chủ thể OCOP", "Tên chủ thể sản xuất",
				"Chủ thể sản phẩm", "Đơn vị sản xuất", "Tên chủ thể OCOP"),
			field("decision_no", "Số quyết định", "Quyết định công nhận", "Số quyết định công nhận", "Quyết định",
				"Quyết định công nhận Số", "Quyết định công nhận Số quyết định", "Số QĐ", "Số QĐ công nhận"),
			field("certified_on", "Ngày công nhận", "Ngày quyết định", "Quyết định công nhận Ngày",
				"Quyết định công nhận Ngày công nhận", "Ngày cấp", "Ngày QĐ", "Quyết định công nhận Ngày quyết định"),
			field("expires_on", "Ngày hết hạn", "Hết hạn", "Ngày hết hiệu lực", "Thời hạn đến"),
			field("platforms", "Sàn TMĐT", "Sàn thương mại điện tử", "Các sàn TMĐT", "Sàn TMĐT đã đưa lên",
				"Đưa lên sàn TMĐT", "Sàn TMĐT đã tham gia"),
		}, platformFields...)...,
	),
	newSpec(ntm.DatasetOCOPListings, "", parseOCOPListing,
		[][]string{{"product_code", "name"}, {"platform"}},
		field("product_code", "Mã sản phẩm", "Mã SP", "Mã sản phẩm OCOP"),
		field("name", "Tên sản phẩm", "Sản phẩm", "Tên sản phẩm OCOP"),
		field("owner", "Chủ thể", "Tên chủ thể", "Chủ thể sản xuất", "Chủ thể OCOP", "Tên chủ thể sản xuất"),
		field("platform", "Sàn TMĐT", "Sàn thương mại điện tử", "Sàn", "Nền tảng", "Tên sàn", "Tên sàn TMĐT"),
		field("url", "Đường dẫn", "Link", "URL", "Đường link", "Liên kết", "Link sản phẩm", "Đường dẫn sản phẩm"),
		field("listed_on", "Ngày đăng", "Ngày đưa lên sàn", "Ngày đăng bán", "Ngày đăng ký"),
		field("status", "Trạng thái", "Tình trạng", "Trạng thái bán"),
	),
	newSpec(ntm.DatasetDVCProcedures, "", parseDVCProcedures,
		[][]string{{"unit", "unit_code", "commune", "commune_code", "district", "district_code"}, {"eligible"}, {"full_online"}, {"partial_online"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fUnitCode, fReportingUnit, fAsOf,
		field("total", "Tổng số TTHC", "Tổng số thủ tục hành chính", "Tổng số TTHC thuộc thẩm quyền"),
		field("eligible", "Số TTHC đủ điều kiện cung cấp DVCTT", "TTHC đủ điều kiện", "Số TTHC đủ điều kiện",
			"Đủ điều kiện cung cấp DVCTT", "Số TTHC đủ điều kiện cung cấp DVCTT Tổng số", "TTHC đủ điều kiện Tổng số",
			"Số TTHC đủ điều kiện cung cấp dịch vụ công trực tuyến"),
		field("full_online", "Toàn trình", "DVCTT toàn trình", "Mức độ 4", "DVC mức độ 4", "DVCTT mức độ 4",
			"Số TTHC cung cấp DVCTT toàn trình", "Số TTHC đủ điều kiện cung cấp DVCTT Toàn trình", "TTHC đủ điều kiện Toàn trình",
			"Dịch vụ công trực tuyến toàn trình"),
		field("partial_online", "Một phần", "DVCTT một phần", "Mức độ 3", "DVC mức độ 3", "DVCTT mức độ 3",
			"Số TTHC cung cấp DVCTT một phần", "Số TTHC đủ điều kiện cung cấp DVCTT Một phần", "TTHC đủ điều kiện Một phần",
			"Dịch vụ công trực tuyến một phần"),
	),
	newSpec(ntm.DatasetDVCProcedures, "procedure_list", parseProcedureListRow,
		[][]string{{"unit", "unit_code", "commune", "commune_code", "district", "district_code"}, {"procedure_code", "procedure_name"}, {"level"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fUnitCode, fReportingUnit, fAsOf,
		field("procedure_code", "Mã TTHC", "Mã thủ tục", "Mã số TTHC", "Mã thủ tục hành chính"),
		field("procedure_name", "Tên TTHC", "Tên thủ tục hành chính", "Thủ tục hành chính", "Tên thủ tục"),
		field("level", "Mức độ DVC", "Mức độ", "Mức độ DVCTT", "Mức độ cung cấp", "Loại DVCTT", "Mức độ cung cấp DVCTT",
			"Hình thức cung cấp DVCTT", "Phân loại DVCTT"),
		field("eligible", "Đủ điều kiện cung cấp DVCTT", "Đủ điều kiện", "Đủ điều kiện cung cấp DVC trực tuyến"),
	),
	newSpec(ntm.DatasetDVCDossiers, "", parseDVCDossiers,
		[][]string{{"unit", "unit_code", "commune", "commune_code", "district", "district_code"}, {"received"}, {"full_online"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fUnitCode, fReportingUnit,
		field("period_label", "Kỳ báo cáo", "Kỳ số liệu", "Kỳ"),
		field("period_from", "Từ ngày", "Kỳ báo cáo Từ ngày"),
		field("period_to", "Đến ngày", "Kỳ báo cáo Đến ngày"),
		field("received", "Tổng số hồ sơ tiếp nhận", "Tổng số hồ sơ", "Tiếp nhận", "Tổng số", "Số hồ sơ tiếp nhận",
			"Hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận Tổng số", "Hồ sơ tiếp nhận Tổng số", "Tiếp nhận Tổng số",
			"Tổng số hồ sơ tiếp nhận Tổng số"),
		field("received_online", "Tiếp nhận trực tuyến", "Hồ sơ tiếp nhận trực tuyến", "Số hồ sơ tiếp nhận trực tuyến",
			"Số hồ sơ tiếp nhận Trực tuyến", "Hồ sơ tiếp nhận Trực tuyến", "Tiếp nhận Trực tuyến",
			"Tổng số hồ sơ tiếp nhận Trực tuyến", "Trực tuyến"),
		field("full_online", "Hồ sơ xử lý trực tuyến toàn trình", "Hồ sơ xử lý hoàn toàn trực tuyến", "Số hồ sơ toàn trình",
			"Xử lý trực tuyến toàn trình", "Số hồ sơ xử lý trực tuyến toàn trình", "Hồ sơ toàn trình",
			"Số hồ sơ xử lý hoàn toàn trực tuyến", "Toàn trình", "Tiếp nhận Toàn trình"),
	),
	newSpec(ntm.DatasetVNeID, "", parseVNeID,
		[][]string{{"unit", "unit_code", "commune", "commune_code", "district", "district_code"}, {"citizens"}, {"activated"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fUnitCode, fReportingUnit, fAsOf,
		field("citizens", "Số công dân đủ điều kiện cấp tài khoản", "Số công dân đủ điều kiện", "Công dân đủ điều kiện",
			"Số công dân từ 14 tuổi trở lên", "Số người đủ điều kiện cấp tài khoản định danh điện tử",
			"Tài khoản định danh điện tử Số công dân đủ điều kiện"),
		field("activated", "Số tài khoản VNeID đã kích hoạt", "Số tài khoản đã kích hoạt", "Tài khoản VNeID đã kích hoạt",
			"Số tài khoản định danh điện tử đã kích hoạt", "Tài khoản định danh điện tử Đã kích hoạt",
			"Đã kích hoạt tài khoản VNeID", "Số tài khoản định danh điện tử mức 2 đã kích hoạt"),
	),
	newSpec(ntm.DatasetDVCDossierRecords, "", parseDossierRecord,
		[][]string{{"dossier_id"}, {"unit", "unit_code", "commune", "commune_code"}, {"received_on"}, {"channel"}, {"full_process", "service_level"}},
		fDistrictCode, fDistrict, fCommuneCode, fCommune, fUnitCode,
		field("unit", "Đơn vị tiếp nhận", "Đơn vị", "Cơ quan tiếp nhận", "Cơ quan", "Tên đơn vị", "Đơn vị xử lý"),
		field("dossier_id", "Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "Số biên nhận"),
		field("received_on", "Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "Ngày nộp", "Ngày tiếp nhận hồ sơ"),
		field("channel", "Hình thức nộp", "Kênh nộp", "Hình thức tiếp nhận", "Kênh tiếp nhận", "Hình thức nộp hồ sơ"),
		field("full_process", "Toàn trình", "DVC toàn trình", "Dịch vụ công toàn trình", "Là DVC toàn trình"),
		field("service_level", "Mức độ DVC", "Mức độ", "Mức độ dịch vụ công", "Mức độ DVCTT", "Loại DVC"),
	),
}
