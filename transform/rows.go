package transform

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"ntm"
	"ntm/dataset"
	"ntm/fold"
	"ntm/ingest"
	"ntm/transform/value"
)

// factTable is a fact table declared in package dataset and the columns a row parser fills,
// in COPY order (batch_id comes first and is added by the loader). A parser's values follow
// this order; TestFactColumnsByName loads a row of every dataset and reads each column back by
// name, so two values swapped in a parser fail there.
type factTable struct {
	Name    string
	Columns []string
}

// factTables holds the one factTable of each declared table (tableOf).
var factTables = map[*dataset.Table]*factTable{}

// tableOf is the factTable of declared table t, made once whatever the order in which package
// variables are initialised.
func tableOf(t *dataset.Table) *factTable {
	if ft, ok := factTables[t]; ok {
		return ft
	}
	ft := &factTable{t.Name, t.Names()}
	factTables[t] = ft
	return ft
}

var (
	tVpostcode  = tableOf(dataset.VpostcodeTable)
	tSurvey     = tableOf(dataset.SurveyTable)
	tProduct    = tableOf(dataset.ProductTable)
	tListing    = tableOf(dataset.ListingTable)
	tProcedures = tableOf(dataset.ProceduresTable)
	tDossiers   = tableOf(dataset.DossiersTable)
	tRecords    = tableOf(dataset.RecordsTable)
	tVNeID      = tableOf(dataset.VNeIDTable)
)

type factRow struct {
	table *factTable
	vals  []any
}

// parsed is what a row parser makes of one row: its key (for duplicate detection within
// the file), the facts to store, the date it is about, and, for aggregated shapes, the
// step that adds it to the aggregate once the row is accepted.
type parsed struct {
	key   string
	facts []factRow
	date  time.Time
	apply func()
	// unmatched: an OCOP listing that matches no loaded product (loaded, and flagged).
	unmatched bool
}

type rowParseFunc func(p *rowParser) (parsed, *rowError)

// rowError is a row reject: the field whose column is at fault ("" for the row) and why.
type rowError struct {
	field  string
	reason string
}

// tableCtx is what the loader knows about one table (sheet) while parsing its rows.
type tableCtx struct {
	table    *ingest.Table
	match    *HeaderMatch
	spec     *Spec
	province string   // province scope from the title, or the only province
	district *unitRec // district named in the title
	commune  *unitRec // commune named in the title
	fileAsOf time.Time
	// Default reporting period (dvc_dossiers) from the title or --period.
	periodFrom, periodTo time.Time
	periodLabel          string
	refDate              time.Time // structure date for rows without a date of their own
	agg                  *procedureAggregate
	// unitCache maps the unit cells of a row (see cachedReportingUnit), then the structure
	// epoch of its date, to the resolved unit; valueCache maps a field, then a raw cell, to its
	// parsed value.
	unitCache  map[string]unitMemo
	unitKey    []byte // reused to build unitCache keys without allocating
	valueCache map[string]map[string]cachedValue
	// records is what parseDossierRecord looks up once per table (nil until its first row).
	records *recordCols
	// cols lists the recognised columns in a fixed order (onRow walks it on every row).
	cols     []fieldCol
	sheetBox any // see boxedSheet
	// unitCols are the columns of reportingUnitFields (-1 when absent), for cachedReportingUnit.
	unitCols []int
}

type fieldCol struct {
	field string
	col   int
	// identity: the field only names the row's unit; unitField: it is one of the unit's name
	// cells (a subtotal row says so there). Kept here: onRow asks on every row.
	identity, unitField bool
}

// cachedValue is a parsed cell value, remembered because record-level exports repeat the
// same few channel, level and date texts a million times.
type cachedValue struct {
	v   any
	err error
}

// cached parses raw with parse once per distinct (field, raw) in a table. The maps are
// per field so that a lookup allocates nothing (a million rows go through here).
func (p *rowParser) cached(f, raw string, parse func(string) (any, error)) (any, error) {
	m := p.tc.valueCache[f]
	if c, ok := m[raw]; ok {
		return c.v, c.err
	}
	v, err := parse(raw)
	if p.tc.valueCache == nil {
		p.tc.valueCache = map[string]map[string]cachedValue{}
	}
	if m == nil {
		m = map[string]cachedValue{}
		p.tc.valueCache[f] = m
	}
	if len(m) < 20000 {
		m[raw] = cachedValue{v, err}
	}
	return v, err
}

type unitCacheEntry struct {
	u   *unitRec
	err *rowError
	via []*unitRec // the old units u was carried from (rowParser.via)
	// code is u's code as an interface value, made with the entry: a fact takes it from the
	// memo's slot, just read, rather than from u, elsewhere in memory (a record-level export's
	// million rows each paid a cache miss there).
	code any
}

// unitMemo is what cachedReportingUnit remembers of one combination of unit cells: the unit
// for the first structure epoch asked, in the map's own slot, and for other epochs in more.
// Nearly every row of a file falls in one epoch, so a row costs one map lookup, not two (a
// record-level export's million rows each made a second lookup into one of ten thousand small
// maps: a quarter of its unit resolution's CPU).
type unitMemo struct {
	epoch int64
	e     unitCacheEntry
	more  map[int64]unitCacheEntry
}

// rowParser parses one row.
type rowParser struct {
	tc       *tableCtx
	row      ingest.Row
	idx      *UnitIndex
	unitDate time.Time
	dates    *dateOrder   // the file's order of day and month; nil reads day first
	products *productKeys // the loaded OCOP products (a listings file); nil matches no listing
	// err is the row's first reject (see keep): a row parser reads on past a bad cell with a
	// zero value and returns this one.
	err *rowError
	// via are the old units the row named that were carried to carriedTo, their successor in
	// force on the unit date (resolve.go; merged.go sums or rejects rows of one successor).
	via       []*unitRec
	carriedTo *unitRec
}

// keep records e as the row's reject unless an earlier one was recorded. A row parser calls
// the value readers one after the other, keeps the first reject, checks p.err only before it
// uses a value a failed step left nil (a unit), and ends with p.result.
func (p *rowParser) keep(e *rowError) {
	if e != nil && p.err == nil {
		p.err = e
	}
}

// rejectf keeps a reject of field f.
func (p *rowParser) rejectf(f, format string, args ...any) { p.keep(p.errf(f, format, args...)) }

// result is the row parser's answer: out, or the first reject.
func (p *rowParser) result(out parsed) (parsed, *rowError) {
	if p.err != nil {
		return parsed{}, p.err
	}
	return out, nil
}

// unitOf keeps a unit lookup's reject and returns the unit (nil after a reject).
func (p *rowParser) unitOf(u *unitRec, e *rowError) *unitRec {
	p.keep(e)
	if e != nil {
		return nil
	}
	return u
}

// need reads a required count, keeping its reject (0 then).
func (p *rowParser) need(f string) int64 {
	n, e := p.count(f)
	p.keep(e)
	return n
}

// maybe reads an optional count (nil when blank), keeping its reject.
func (p *rowParser) maybe(f string) (any, int64) {
	v, n, e := p.optCount(f)
	p.keep(e)
	return v, n
}

// day reads an optional date (zero when blank), keeping its reject.
func (p *rowParser) day(f string) time.Time {
	t, e := p.date(f)
	p.keep(e)
	return t
}

// asOfDay is asOf, keeping its reject.
func (p *rowParser) asOfDay() time.Time {
	t, e := p.asOf()
	p.keep(e)
	return t
}

// yes reads a yes/no cell (nil when blank), keeping its reject.
func (p *rowParser) yes(f string) any {
	v, e := yesNo(p, f)
	p.keep(e)
	return v
}

func (p *rowParser) cell(f string) string {
	i, ok := p.tc.match.Col[f]
	if !ok || i < 0 || i >= len(p.row.Cells) {
		return ""
	}
	return p.row.Cells[i]
}

func (p *rowParser) has(f string) bool {
	_, ok := p.tc.match.Col[f]
	return ok
}

// firstPresent returns the first of the fields that has a column ("" if none).
func (p *rowParser) firstPresent(fs ...string) string {
	for _, f := range fs {
		if p.has(f) {
			return f
		}
	}
	return ""
}

func (p *rowParser) errf(f, format string, args ...any) *rowError {
	return &rowError{field: f, reason: fmt.Sprintf(format, args...)}
}

// label names a field for messages: its header in the file, else its canonical header.
func (p *rowParser) label(f string) string {
	if h := p.tc.match.Header[f]; h != "" {
		return h
	}
	if fd := p.tc.spec.Field(f); fd != nil {
		return fd.Label
	}
	return f
}

// text returns a cell's text, trimmed, with NFC and collapsed spaces but case kept.
func (p *rowParser) text(f string) string { return cleanText(p.cell(f)) }

// cleanText turns every run of blanks (Unicode spaces and the invisible characters exports
// carry) into one space and trims the ends.
func cleanText(s string) string {
	if isCleanASCII(s) {
		return s // the usual case for codes and ids, a million times per record-level export
	}
	return cleanTextSlow(s)
}

func cleanTextSlow(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u200b', '\u200c', '\u200d', '\ufeff':
			return ' '
		}
		return r
	}, s)), " ")
}

// isCleanASCII: printable ASCII with single inner spaces only, which cleanText leaves alone.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
			continue
		}
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// count reads a required non-negative integer.
func (p *rowParser) count(f string) (int64, *rowError) {
	n, err := value.ParseCount(p.cell(f))
	if errors.Is(err, value.ErrBlank) {
		return 0, p.errf(f, "thiếu số liệu %q", p.label(f))
	}
	if err != nil {
		return 0, p.errf(f, "%v", err)
	}
	if n > math.MaxInt32 {
		return 0, p.errf(f, "%d quá lớn", n)
	}
	return n, nil
}

// optCount reads an optional count: nil when blank.
func (p *rowParser) optCount(f string) (any, int64, *rowError) {
	if strings.TrimSpace(p.cell(f)) == "" {
		return nil, 0, nil
	}
	n, err := value.ParseCount(p.cell(f))
	if errors.Is(err, value.ErrBlank) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, p.errf(f, "%v", err)
	}
	if n > math.MaxInt32 {
		return nil, 0, p.errf(f, "%d quá lớn", n)
	}
	return n, n, nil
}

// date reads an optional date: zero when blank.
func (p *rowParser) date(f string) (time.Time, *rowError) {
	t, err := p.parseDate(f, p.cell(f))
	if errors.Is(err, value.ErrBlank) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, p.errf(f, "ngày không hợp lệ: %v", err)
	}
	return t, nil
}

// asOf is the row's as-of date: its column, else the file's.
func (p *rowParser) asOf() (time.Time, *rowError) {
	t, rerr := p.date("as_of")
	if rerr != nil {
		return t, rerr
	}
	if t.IsZero() {
		t = p.tc.fileAsOf
	}
	if t.IsZero() {
		return t, p.errf(p.firstPresent("as_of"), "thiếu ngày số liệu")
	}
	return t, nil
}

// yesNo is a yes/no cell's answer (nil for blank), parsed once per distinct text in a table
// (a village survey's "Có", "x", "Không" on every row).
func yesNo(p *rowParser, f string) (any, *rowError) {
	v, err := p.cached(f, p.cell(f), parseYesNo)
	if err != nil {
		return nil, p.errf(f, "%v", err)
	}
	return v, nil
}

func parseYesNo(s string) (any, error) {
	v, err := value.ParseYesNo(s)
	if err != nil {
		return nil, err
	}
	if b := v.Ptr(); b != nil {
		return *b, nil
	}
	return nil, nil
}

func dateKey(t time.Time) string { return t.Format("2006-01-02") }

func parseVpostcode(p *rowParser) (parsed, *rowError) {
	asOf := p.asOfDay()
	p.unitDate = asOf
	v := p.unitOf(p.villageAgreed())
	ht, hw := p.need("households_total"), p.need("households_with")
	if hw > ht {
		p.rejectf("households_with", "số hộ đã gắn địa chỉ số (%d) lớn hơn tổng số hộ (%d)", hw, ht)
	}
	// Organisations: a village without any leaves both cells blank (or "-"); that is 0/0.
	var ot, ow int64
	if strings.TrimSpace(p.cell("orgs_total")) != "" || strings.TrimSpace(p.cell("orgs_with")) != "" {
		_, ot = p.maybe("orgs_total")
		var owv any
		owv, ow = p.maybe("orgs_with")
		if owv == nil && ot > 0 {
			p.rejectf("orgs_with", "thiếu số liệu %q", p.label("orgs_with"))
		}
		if ow > ot {
			p.rejectf("orgs_with", "số cơ quan, tổ chức đã gắn địa chỉ số (%d) lớn hơn tổng số cơ quan, tổ chức (%d)", ow, ot)
		}
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	return p.result(parsed{
		key:   v.Code + "|" + dateKey(asOf),
		date:  asOf,
		facts: []factRow{{tVpostcode, []any{p.row.Sheet, p.row.Num, v.Code, asOf, ht, hw, ot, ow}}},
	})
}

func parseVillageSurvey(p *rowParser) (parsed, *rowError) {
	asOf := p.asOfDay()
	p.unitDate = asOf
	v := p.unitOf(p.villageAgreed())
	team, platform, wifi := p.yes("team"), p.yes("platform"), p.yes("wifi")
	n, known, err := value.ParseModels(p.cell("models"))
	if err != nil {
		p.rejectf("models", "%v", err)
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	var models any
	if known {
		models = int64(n)
	}
	fields := p.text("model_fields")
	if m := p.text("models"); fields == "" && known && n > 0 && !isNumberText(m) {
		fields = m // the models cell listed them
	}
	return p.result(parsed{
		key:  v.Code + "|" + dateKey(asOf),
		date: asOf,
		facts: []factRow{{tSurvey, []any{p.row.Sheet, p.row.Num, v.Code, asOf, team, p.text("team_decision"),
			platform, p.text("platform_name"), wifi, models, fields}}},
	})
}

func isNumberText(s string) bool {
	_, err := value.ParseCount(s)
	return err == nil
}

// decisionDate finds "ngày dd/mm/yyyy" in a decision reference ("123/QĐ-UBND ngày 12/10/2023").
var decisionDate = regexp.MustCompile(`(\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})`)

// OCOPValidityMonths is how long an OCOP certificate is valid when the file has no expiry.
const OCOPValidityMonths = 36

func parseOCOPProduct(p *rowParser) (parsed, *rowError) {
	p.unitDate = p.tc.refDate
	name := p.text("name")
	if name == "" {
		p.rejectf("name", "thiếu tên sản phẩm")
	}
	stars, err := value.ParseStars(p.cell("stars"))
	switch {
	case errors.Is(err, value.ErrBlank):
		p.rejectf("stars", "thiếu hạng sao")
	case err != nil:
		p.rejectf("stars", "%v", err)
	}
	owner := p.text("owner")
	code := p.text("product_code")
	if owner == "" && code == "" {
		p.rejectf("owner", "thiếu chủ thể sản phẩm")
	}
	commune, village := p.productUnits()
	decision := p.text("decision_no")
	certified := p.day("certified_on")
	if certified.IsZero() && p.err == nil {
		if m := decisionDate.FindString(decision); m != "" {
			if t, err := value.ParseDate(m, false); err == nil {
				certified = t
			}
		}
		if certified.IsZero() {
			p.rejectf(p.firstPresent("certified_on", "decision_no"), "thiếu ngày công nhận (cột %q hoặc \"ngày dd/mm/yyyy\" trong số quyết định)", "Ngày công nhận")
		}
	}
	expires := p.day("expires_on")
	if expires.IsZero() {
		expires = certified.AddDate(0, OCOPValidityMonths, 0)
	}
	if expires.Before(certified) {
		p.rejectf("expires_on", "ngày hết hạn %s trước ngày công nhận %s", expires.Format("02/01/2006"), certified.Format("02/01/2006"))
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	fname, fowner := fold.Text(name), fold.Text(owner)
	key := code
	if key == "" {
		key = fname + "|" + fowner + "|" + commune.Code
	}
	var villageCode any
	if village != nil {
		villageCode = village.Code
	}
	// No date: a certificate date is not the list's as-of date. Were the batch dated by its
	// newest certificate, the whole list would stop counting for every earlier period
	// (evaluate ignores batches dated after the period end).
	out := parsed{key: key, facts: []factRow{{tProduct, []any{p.row.Sheet, p.row.Num, key, code, name, fname,
		int16(stars), p.text("category"), owner, fowner, commune.Code, villageCode, decision, certified, expires}}}}
	// Listings held in the same row: one column per platform, or one column listing them.
	seen := map[string]bool{}
	add := func(platform, url string, active bool) {
		if seen[platform] {
			return
		}
		seen[platform] = true
		out.facts = append(out.facts, factRow{tListing, []any{p.row.Sheet, p.row.Num, code, name, fname, fowner,
			platform, url, nil, active}})
	}
	for _, f := range p.tc.spec.Fields {
		plat, ok := platformOfField(f.Name)
		if !ok || !p.has(f.Name) {
			continue
		}
		c := p.text(f.Name)
		if c == "" {
			continue
		}
		if looksLikeURL(c) {
			add(plat, c, true)
			continue
		}
		if yn, err := value.ParseYesNo(c); err == nil && yn != value.Yes {
			continue // "Không", "0", "-": not on this platform
		}
		active, _, err := value.ParseActive(c)
		if err != nil {
			active = true // some other note: the platform is named, take it as listed
		}
		add(plat, "", active)
	}
	if c := p.cell("platforms"); strings.TrimSpace(c) != "" {
		for _, plat := range value.ParsePlatformList(c) {
			add(plat, "", true)
		}
	}
	return p.result(out)
}

// productUnits resolves a product's commune, and its village when the row names one (by code,
// or by name within the commune); a reject is kept and leaves both nil.
func (p *rowParser) productUnits() (commune, village *unitRec) {
	if strings.TrimSpace(p.cell("village_code")) != "" {
		if village = p.unitOf(p.village()); village == nil {
			return nil, nil
		}
		if commune = p.idx.parentOf(village, p.unitDate); commune == nil {
			p.rejectf("village_code", "không xác định được xã của thôn")
		}
		return commune, village
	}
	commune = p.unitOf(p.commune())
	if p.err != nil {
		return nil, nil
	}
	if commune == nil {
		u := p.unitOf(p.byCodeCell("unit_code", "commune", "village"))
		if u != nil && u.Level == "village" {
			village, commune = u, p.idx.parentOf(u, p.unitDate)
		} else {
			commune = u
		}
	}
	if commune == nil {
		if p.err == nil {
			p.rejectf(p.firstPresent("commune", "commune_code"), "thiếu xã của sản phẩm")
		}
		return nil, nil
	}
	if s := strings.TrimSpace(p.cell("village")); s != "" && village == nil {
		village = p.unitOf(p.one("village", "village", readUnitName(s), commune))
	}
	return commune, village
}

func looksLikeURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "www.")
}

func parseOCOPListing(p *rowParser) (parsed, *rowError) {
	code, name, owner := p.text("product_code"), p.text("name"), p.text("owner")
	if code == "" && name == "" {
		p.rejectf(p.firstPresent("product_code", "name"), "thiếu mã hoặc tên sản phẩm")
	}
	raw := p.text("platform")
	plat, ok := value.Platform(raw)
	url := p.text("url")
	if !ok && looksLikeURL(url) {
		plat, ok = value.Platform(url)
	}
	switch {
	case !ok && raw == "":
		p.rejectf("platform", "thiếu tên sàn TMĐT")
	case !ok:
		p.rejectf("platform", "%q không phải tên sàn TMĐT", raw)
	}
	listed := p.day("listed_on")
	active, _, err := value.ParseActive(p.cell("status"))
	if err != nil {
		p.rejectf("status", "%v", err)
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	fname, fowner := fold.Text(name), fold.Text(owner)
	unmatched := false
	if p.products != nil {
		unmatched = !p.products.matches(code, fname, fowner)
	}
	prod := code
	if prod == "" {
		prod = fname + "|" + fowner
	}
	var listedOn any
	if !listed.IsZero() {
		listedOn = listed
	}
	// No date, as for products: a listing date is not the list's as-of date.
	return p.result(parsed{key: prod + "|" + plat, unmatched: unmatched,
		facts: []factRow{{tListing, []any{p.row.Sheet, p.row.Num, code, name, fname, fowner, plat, url, listedOn, active}}}})
}

// reportingUnitFields are the cells a dvc unit is resolved from.
var reportingUnitFields = []string{"unit", "unit_code", "commune", "commune_code", "district", "district_code"}

// cachedReportingUnit resolves a dvc unit once per distinct cell combination and date.
// The key is built in a reused buffer and looked up without allocating: record-level
// exports come through here a million times with a few hundred distinct units.
func (p *rowParser) cachedReportingUnit() (*unitRec, *rowError) {
	u, _, err := p.cachedReportingUnitCode()
	return u, err
}

// cachedReportingUnitCode is cachedReportingUnit with the unit's code as an interface value
// (nil with no unit), boxed once per memo entry.
func (p *rowParser) cachedReportingUnitCode() (*unitRec, any, *rowError) {
	if p.tc.unitCols == nil {
		for _, f := range reportingUnitFields {
			i, ok := p.tc.match.Col[f]
			if !ok {
				i = -1
			}
			p.tc.unitCols = append(p.tc.unitCols, i)
		}
	}
	b := p.tc.unitKey[:0]
	for _, i := range p.tc.unitCols {
		if i >= 0 && i < len(p.row.Cells) {
			b = append(b, p.row.Cells[i]...)
		}
		b = append(b, 0)
	}
	for i, g := range p.row.Groups {
		if i > 0 {
			b = append(b, 1)
		}
		b = append(b, g...)
	}
	p.tc.unitKey = b
	day := p.idx.epoch(p.unitDate) // every day between two structure changes resolves alike
	m, ok := p.tc.unitCache[string(b)]
	if ok {
		e, hit := m.e, m.epoch == day
		if !hit {
			e, hit = m.more[day]
		}
		if hit {
			if e.via != nil {
				p.via, p.carriedTo = e.via, e.u
			}
			return e.u, e.code, e.err
		}
	}
	u, err := p.reportingUnit()
	e := unitCacheEntry{u: u, err: err, via: p.via}
	if u != nil {
		e.code = u.Code
	}
	switch {
	case !ok:
		if p.tc.unitCache == nil {
			p.tc.unitCache = map[string]unitMemo{}
		}
		if len(p.tc.unitCache) < 100000 {
			p.tc.unitCache[string(b)] = unitMemo{epoch: day, e: e}
		}
	case len(m.more) < 10000:
		if m.more == nil {
			m.more = map[int64]unitCacheEntry{}
			p.tc.unitCache[string(b)] = m
		}
		m.more[day] = e
	}
	return u, e.code, err
}

func parseDVCProcedures(p *rowParser) (parsed, *rowError) {
	asOf := p.asOfDay()
	p.unitDate = asOf
	u := p.unitOf(p.cachedReportingUnit())
	total, totalN := p.maybe("total")
	eligible, full, partial := p.need("eligible"), p.need("full_online"), p.need("partial_online")
	if total != nil && eligible > totalN {
		p.rejectf("eligible", "số TTHC đủ điều kiện (%d) lớn hơn tổng số TTHC (%d)", eligible, totalN)
	}
	if full+partial > eligible {
		p.rejectf("full_online", "số TTHC cung cấp trực tuyến (toàn trình %d + một phần %d) lớn hơn số TTHC đủ điều kiện (%d)", full, partial, eligible)
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	return p.result(parsed{key: u.Code + "|" + dateKey(asOf), date: asOf,
		facts: []factRow{{tProcedures, []any{p.row.Sheet, p.row.Num, u.Code, asOf, total, eligible, full, partial}}}})
}

// parseVNeID reads a commune's VNeID accounts at a date: citizens eligible, accounts activated.
func parseVNeID(p *rowParser) (parsed, *rowError) {
	asOf := p.asOfDay()
	p.unitDate = asOf
	u := p.unitOf(p.cachedReportingUnit())
	citizens, activated := p.need("citizens"), p.need("activated")
	if activated > citizens {
		p.rejectf("activated", "số tài khoản VNeID đã kích hoạt (%d) lớn hơn số công dân đủ điều kiện cấp tài khoản (%d)", activated, citizens)
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	return p.result(parsed{key: u.Code + "|" + dateKey(asOf), date: asOf,
		facts: []factRow{{tVNeID, []any{p.row.Sheet, p.row.Num, u.Code, asOf, citizens, activated}}}})
}

// procedureAggregate sums a procedure-level list into one dvc_procedures fact per unit and date.
type procedureAggregate struct {
	order []string
	byKey map[string]*procedureCounts
}

type procedureCounts struct {
	sheet                          string
	row                            int
	unit                           string
	asOf                           time.Time
	total, eligible, full, partial int64
}

// serviceClass reads a procedure's online-service class: full-process, partial, or neither
// (information only, level 1–2, not offered).
func serviceClass(s string) (full, partial bool, err error) {
	k := fold.ASCII(s)
	if strings.Contains(k, "mot phan") {
		return false, true, nil
	}
	f, err := value.ParseServiceLevel(s)
	if err != nil {
		return false, false, err
	}
	if f {
		return true, false, nil
	}
	k = serviceWords.Replace(k)
	return false, k == "3" || k == "3.0", nil
}

var serviceWords = strings.NewReplacer("dvctt", "", "dvc", "", "muc do", "", "muc", "", " ", "")

func parseProcedureListRow(p *rowParser) (parsed, *rowError) {
	asOf := p.asOfDay()
	p.unitDate = asOf
	u := p.unitOf(p.cachedReportingUnit())
	proc := p.text("procedure_code")
	if proc == "" {
		proc = fold.Text(p.text("procedure_name"))
	}
	if proc == "" {
		p.rejectf(p.firstPresent("procedure_code", "procedure_name"), "thiếu mã hoặc tên thủ tục hành chính")
	}
	lvl := p.cell("level")
	full, partial, err := serviceClass(lvl)
	switch {
	case errors.Is(err, value.ErrBlank):
		full, partial = false, false
	case err != nil:
		p.rejectf("level", "%v", err)
	}
	eligible := !strings.Contains(fold.ASCII(lvl), "khong du dieu kien")
	if p.has("eligible") {
		v, err := value.ParseYesNo(p.cell("eligible"))
		if err != nil {
			p.rejectf("eligible", "%v", err)
		}
		if v != value.Unknown {
			eligible = v == value.Yes
		}
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	if (full || partial) && !eligible {
		eligible = true // offered online, so it was eligible
	}
	agg, sheet, row := p.tc.agg, p.row.Sheet, p.row.Num
	return p.result(parsed{key: u.Code + "|" + proc + "|" + dateKey(asOf), date: asOf, apply: func() {
		k := u.Code + "|" + dateKey(asOf)
		c := agg.byKey[k]
		if c == nil {
			c = &procedureCounts{sheet: sheet, row: row, unit: u.Code, asOf: asOf}
			agg.byKey[k] = c
			agg.order = append(agg.order, k)
		}
		c.total++
		if eligible {
			c.eligible++
		}
		if full {
			c.full++
		} else if partial {
			c.partial++
		}
	}})
}

// facts returns the aggregated dvc_procedures facts, in the order units first appeared.
func (a *procedureAggregate) facts() []factRow {
	var out []factRow
	for _, k := range a.order {
		c := a.byKey[k]
		out = append(out, factRow{tProcedures, []any{c.sheet, c.row, c.unit, c.asOf, c.total, c.eligible, c.full, c.partial}})
	}
	return out
}

// periodSpan is a parsed period label, remembered per distinct text (every row of a report says
// the same "Năm 2024").
type periodSpan struct{ from, to time.Time }

func parsePeriodLabel(s string) (any, error) {
	f, t, err := value.ParsePeriodLabel(s)
	return periodSpan{f, t}, err
}

func parseDVCDossiers(p *rowParser) (parsed, *rowError) {
	from, to, label := p.tc.periodFrom, p.tc.periodTo, p.tc.periodLabel
	if l := p.text("period_label"); l != "" {
		v, err := p.cached("period_label", l, parsePeriodLabel)
		if err != nil {
			return parsed{}, p.errf("period_label", "%v", err)
		}
		from, to, label = v.(periodSpan).from, v.(periodSpan).to, l
	} else if strings.TrimSpace(p.cell("period_from")) != "" || strings.TrimSpace(p.cell("period_to")) != "" {
		f, t := p.day("period_from"), p.day("period_to")
		if (f.IsZero() || t.IsZero()) && p.err == nil {
			p.rejectf(p.firstPresent("period_from", "period_to"), "cần cả \"Từ ngày\" và \"Đến ngày\"")
		}
		if p.err != nil {
			return p.result(parsed{})
		}
		from, to, label = f, t, ""
	}
	if from.IsZero() {
		return parsed{}, p.errf(p.firstPresent("period_label", "period_from"), "thiếu kỳ báo cáo")
	}
	if to.Before(from) {
		return parsed{}, p.errf(p.firstPresent("period_to", "period_label"), "kỳ báo cáo kết thúc (%s) trước khi bắt đầu (%s)",
			to.Format("02/01/2006"), from.Format("02/01/2006"))
	}
	p.unitDate = to
	u := p.unitOf(p.cachedReportingUnit())
	received := p.need("received")
	online, onlineN := p.maybe("received_online")
	full := p.need("full_online")
	if online != nil && onlineN > received {
		p.rejectf("received_online", "số hồ sơ tiếp nhận trực tuyến (%d) lớn hơn tổng số hồ sơ tiếp nhận (%d)", onlineN, received)
	}
	if full > received {
		p.rejectf("full_online", "số hồ sơ xử lý trực tuyến toàn trình (%d) lớn hơn tổng số hồ sơ tiếp nhận (%d)", full, received)
	}
	if p.err != nil {
		return p.result(parsed{})
	}
	return p.result(parsed{key: u.Code + "|" + dateKey(from) + "|" + dateKey(to), date: to,
		facts: []factRow{{tDossiers, []any{p.row.Sheet, p.row.Num, u.Code, from, to, label, received, online, full}}}})
}

// recordCols are the columns parseDossierRecord reads, their value memos and the fact it
// fills, found once per table: a record-level export's million rows would otherwise each look
// every column and memo up by field name, and allocate a fact of seven boxed values.
type recordCols struct {
	id, received, channel, full, level   int // indexes into Cells; -1 when the column is absent
	receivedMemo, channelMemo, levelMemo map[string]cachedValue
	// fact is the one fact of every row, filled again for each: the run sends it to the sink,
	// which encodes it at once, before the next row (records are checked for duplicate keys
	// by keySpill, which keeps no fact; spilledKeyTables).
	fact []factRow
}

func (p *rowParser) recordCols() *recordCols {
	if rc := p.tc.records; rc != nil {
		return rc
	}
	col := func(f string) int {
		if i, ok := p.tc.match.Col[f]; ok && i >= 0 {
			return i
		}
		return -1
	}
	memo := func(f string) map[string]cachedValue {
		if p.tc.valueCache == nil {
			p.tc.valueCache = map[string]map[string]cachedValue{}
		}
		m := p.tc.valueCache[f]
		if m == nil {
			m = map[string]cachedValue{}
			p.tc.valueCache[f] = m
		}
		return m
	}
	rc := &recordCols{id: col("dossier_id"), received: col("received_on"), channel: col("channel"),
		full: col("full_process"), level: col("service_level"),
		receivedMemo: memo("received_on"), channelMemo: memo("channel"), levelMemo: memo("service_level"),
		fact: []factRow{{tRecords, make([]any, len(tRecords.Columns))}}}
	p.tc.records = rc
	return rc
}

// at is the cell at index i ("" when the column is absent or the row shorter): p.cell by index.
func (p *rowParser) at(i int) string {
	if i < 0 || i >= len(p.row.Cells) {
		return ""
	}
	return p.row.Cells[i]
}

// remember keeps a parsed value in memo m (bounded as rowParser.cached bounds its own).
func remember(m map[string]cachedValue, raw string, v any, err error) {
	if len(m) < 20000 {
		m[raw] = cachedValue{v, err}
	}
}

func parseDossierRecord(p *rowParser) (parsed, *rowError) {
	rc := p.recordCols()
	id := cleanText(p.at(rc.id))
	if id == "" {
		return parsed{}, p.errf("dossier_id", "thiếu mã hồ sơ")
	}
	raw := p.at(rc.received)
	c, ok := rc.receivedMemo[raw]
	if !ok {
		t, err := p.parseDate("received_on", raw)
		c = cachedValue{t, err}
		remember(rc.receivedMemo, raw, t, err)
	}
	rv, err := c.v, c.err
	received, _ := rv.(time.Time)
	if err != nil && !errors.Is(err, value.ErrBlank) {
		return parsed{}, p.errf("received_on", "ngày không hợp lệ: %v", err)
	}
	if received.IsZero() {
		return parsed{}, p.errf("received_on", "thiếu ngày tiếp nhận")
	}
	p.unitDate = received
	u, code, uerr := p.cachedReportingUnitCode()
	if u = p.unitOf(u, uerr); u == nil {
		return p.result(parsed{})
	}
	raw = p.at(rc.channel)
	if c, ok = rc.channelMemo[raw]; !ok {
		v, err := value.ParseChannel(raw)
		c = cachedValue{v, err}
		remember(rc.channelMemo, raw, v, err)
	}
	cv, err := c.v, c.err
	if errors.Is(err, value.ErrBlank) {
		cv, err = unknownChannel, nil
	}
	if err != nil {
		return parsed{}, p.errf("channel", "%v", err)
	}
	f, fi := "full_process", rc.full
	if strings.TrimSpace(p.at(fi)) == "" {
		f, fi = "service_level", rc.level
	}
	raw = p.at(fi)
	if c, ok = rc.levelMemo[raw]; !ok {
		v, err := value.ParseServiceLevel(raw)
		c = cachedValue{v, err}
		remember(rc.levelMemo, raw, v, err)
	}
	full, _ := c.v.(bool)
	if err := c.err; errors.Is(err, value.ErrBlank) {
		return parsed{}, p.errf(p.firstPresent("full_process", "service_level"), "thiếu mức độ dịch vụ (toàn trình hay không)")
	} else if err != nil {
		return parsed{}, p.errf(f, "%v", err)
	}
	// The cached values are passed on boxed as they are (rv, cv), and the sheet and unit code
	// are boxed once: a record-level export has a million rows, and each box is an allocation.
	vals := rc.fact[0].vals
	vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6] = p.tc.boxedSheet(p.row.Sheet), p.row.Num, id, code, rv, cv, full
	return parsed{key: id, date: received, facts: rc.fact}, nil
}

var unknownChannel any = "unknown"

// boxedSheet returns the sheet name as an interface value made once per table.
func (tc *tableCtx) boxedSheet(sheet string) any {
	if s, ok := tc.sheetBox.(string); !ok || s != sheet {
		tc.sheetBox = sheet
	}
	return tc.sheetBox
}

// datasetNeedsAsOf reports whether a dataset's facts carry an as-of date (its declaration).
func datasetNeedsAsOf(d ntm.Dataset) bool {
	decl := dataset.Of(d)
	return decl != nil && decl.AsOf
}

// preambleAsOf finds "Số liệu đến ngày dd/mm/yyyy" (or "tính đến ngày …") in title lines.
var preambleAsOfRe = regexp.MustCompile(`(?:den|toi) ngay:? ?(\d{1,2} ?[/.-] ?\d{1,2} ?[/.-] ?\d{2,4}|\d{1,2} thang \d{1,2} nam \d{4})`)

func preambleAsOf(lines []string) time.Time {
	for _, l := range lines {
		if m := preambleAsOfRe.FindStringSubmatch(fold.ASCII(l)); m != nil {
			if t, err := value.ParseDate(strings.ReplaceAll(m[1], " ", ""), false); err == nil {
				return t
			} else if t, err := value.ParseDate(m[1], false); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// preamblePeriod finds a reporting period in title lines ("Kỳ báo cáo: Quý III/2026",
// "BÁO CÁO … 9 THÁNG NĂM 2026").
var preamblePeriodRe = regexp.MustCompile(`\d{1,2} thang (?:dau |cuoi )?nam \d{4}|quy [ivx1-4]+ ?(?:/|nam) ?\d{4}|thang \d{1,2} ?(?:/|nam) ?\d{4}|nam \d{4}`)

var signedDateRe = regexp.MustCompile(`ngay \d{1,2} thang \d{1,2} nam \d{4}`)

func preamblePeriod(lines []string) (from, to time.Time, label string) {
	for _, l := range lines {
		// "Lạng Sơn, ngày 05 tháng 12 năm 2026" is the date the report was signed, not its period.
		a := signedDateRe.ReplaceAllString(fold.ASCII(l), " ")
		if m := preamblePeriodRe.FindString(a); m != "" {
			if f, t, err := value.ParsePeriodLabel(m); err == nil {
				return f, t, m
			}
		}
	}
	return
}
