package sample

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/transform"
)

var (
	langSonOnce sync.Once
	langSonDir  string
	langSonMan  Manifest
	langSonErr  error
)

// langSon generates the province sample once per test binary (it takes well under a second).
func langSon(t *testing.T) (string, Manifest) {
	t.Helper()
	langSonOnce.Do(func() {
		langSonDir, langSonErr = os.MkdirTemp("", "ntm-sample-")
		if langSonErr == nil {
			langSonMan, langSonErr = LangSon(Options{Dir: langSonDir, Seed: 42})
		}
	})
	if langSonErr != nil {
		t.Fatal(langSonErr)
	}
	return langSonDir, langSonMan
}

func TestMain(m *testing.M) {
	code := m.Run()
	if langSonDir != "" {
		os.RemoveAll(langSonDir)
	}
	if reformDir != "" {
		os.RemoveAll(reformDir)
	}
	os.Exit(code)
}

func fileOf(t *testing.T, m Manifest, ds ntm.Dataset, nameContains string) string {
	t.Helper()
	for _, f := range m.Files {
		if f.Dataset == ds && strings.Contains(filepath.Base(f.Path), nameContains) {
			return f.Path
		}
	}
	t.Fatalf("no %s file containing %q in the manifest", ds, nameContains)
	return ""
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestLangSonIsDeterministicAndLeavesIdenticalFilesAlone(t *testing.T) {
	dir := t.TempDir()
	m1, err := LangSon(Options{Dir: dir, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	first := readAll(t, dir)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for name := range first {
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	m2, err := LangSon(Options{Dir: dir, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	second := readAll(t, dir)
	if len(first) != len(second) || len(m1.Files) != len(m2.Files) || len(first) != len(m1.Files) {
		t.Fatalf("file sets differ: %d/%d files, manifest %d/%d (temporary files left behind?)", len(first), len(second), len(m1.Files), len(m2.Files))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s: second generation differs", name)
		}
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(old) {
			t.Errorf("%s was rewritten although its bytes did not change", name)
		}
	}
	// A fresh folder gets the same bytes too (nothing depends on the clock or map order).
	other := t.TempDir()
	if _, err := LangSon(Options{Dir: other, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for name, b := range readAll(t, other) {
		if !bytes.Equal(b, first[name]) {
			t.Errorf("%s differs between two folders", name)
		}
	}
	// Another seed gives other villages.
	u7, _ := langSonUnits()
	u8, _ := langSonUnits()
	p7 := buildLangSonPlan(u7, 7, ntm.Period{Year: 2024, Month: time.December})
	p8 := buildLangSonPlan(u8, 8, ntm.Period{Year: 2024, Month: time.December})
	a, _ := p7.unitsCSV(nil)
	b, _ := p8.unitsCSV(nil)
	if bytes.Equal(a, b) {
		t.Error("seeds 7 and 8 gave the same villages")
	}
}

func TestReplacesAChangedFile(t *testing.T) {
	dir := t.TempDir()
	m, err := Tiny(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	path := m.Files[0].Path
	want, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte("hỏng"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Tiny(Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, want) {
		t.Error("a changed file was not rewritten")
	}
}

func TestOptionsErrors(t *testing.T) {
	if _, err := LangSon(Options{}); err == nil {
		t.Error("no folder: want an error")
	}
	f := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(f, nil, 0o644)
	if _, err := LangSon(Options{Dir: f}); err == nil || !strings.Contains(err.Error(), f) {
		t.Errorf("folder is a file: want an error naming it, got %v", err)
	}
	if _, err := Tiny(Options{Dir: t.TempDir(), Period: ntm.Period{Year: 2024, Month: 13}}); err == nil {
		t.Error("month 13: want an error")
	}
}

func readCSV(t *testing.T, path string, comma rune) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func TestLangSonUnits(t *testing.T) {
	_, m := langSon(t)
	if m.Files[0].Dataset != ntm.DatasetUnits {
		t.Fatalf("the units file must come first, got %s", m.Files[0].Dataset)
	}
	recs := readCSV(t, m.Files[0].Path, ',')
	want := "province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name,village_kind,valid_from,valid_to"
	if got := strings.Join(recs[0], ","); got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	codes, names := map[string]bool{}, map[string]bool{}
	districts, communes := map[string]bool{}, map[string]bool{}
	kinds := map[string]int{}
	codeRe := regexp.MustCompile(`^\d{5}-\d{3}$`)
	for _, r := range recs[1:] {
		code := r[6]
		if !codeRe.MatchString(code) || !strings.HasPrefix(code, r[4]+"-") {
			t.Errorf("village code %q does not follow <commune code>-NNN", code)
		}
		if codes[code] {
			t.Errorf("duplicate village code %s", code)
		}
		codes[code] = true
		key := r[4] + "|" + strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(r[7], "Thôn "), "Tổ dân phố "), "Khối "))
		if names[key] {
			t.Errorf("village name %q repeats in commune %s", r[7], r[4])
		}
		names[key] = true
		districts[r[2]], communes[r[4]] = true, true
		kinds[r[8]]++
		if r[9] != "2020-01-01" || r[10] != "" || r[0] != "20" {
			t.Errorf("row %v: want province 20, valid from 2020-01-01, open end", r)
		}
	}
	if len(codes) != 1676 || kinds["Thôn"] != 1523 || kinds["Tổ dân phố"] != 153 {
		t.Errorf("villages: %d (%v), want 1,676 = 1,523 thôn + 153 tổ dân phố", len(codes), kinds)
	}
	if len(districts) != 11 || len(communes) != 200 {
		t.Errorf("%d districts and %d communes, want 11 and 200", len(districts), len(communes))
	}
}

// headerNames are the headers the readers accept (every field's label and synonyms, from the
// loader's dataset specs: not retyped here) and the extras the exports carry.
var headerNames = map[string]bool{}

func init() {
	for _, sp := range transform.AllSpecs() {
		for _, fd := range sp.Fields {
			headerNames[fd.Label] = true
			for _, syn := range fd.Synonyms {
				headerNames[syn] = true
			}
		}
	}
	// extras the readers ignore
	for _, h := range []string{"STT", "Ghi chú", "Tỷ lệ (%)", "Tình trạng xử lý"} {
		headerNames[h] = true
	}
}

// sheetRows reads a sheet with merged cells as excelize gives them (top-left only).
func sheetRows(t *testing.T, f *excelize.File, sh string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// effectiveHeaders finds the header (the row starting with STT) and joins group and sub-header.
func effectiveHeaders(rows [][]string) (hdr []string, at int) {
	for i, r := range rows {
		if len(r) == 0 || r[0] != "STT" {
			continue
		}
		hdr = append([]string(nil), r...)
		if i+1 < len(rows) && len(rows[i+1]) > len(hdr) {
			hdr = append(hdr, make([]string, len(rows[i+1])-len(hdr))...)
		}
		if i+1 < len(rows) && len(rows[i+1]) > 0 && rows[i+1][0] == "" && len(rows[i+1]) > 1 {
			group := ""
			for j := range hdr {
				if hdr[j] != "" {
					group = hdr[j]
				}
				if j < len(rows[i+1]) && rows[i+1][j] != "" {
					hdr[j] = group + " " + rows[i+1][j]
				}
			}
		}
		return hdr, i
	}
	return nil, -1
}

func TestExportsOpenAndUsePromisedHeaders(t *testing.T) {
	_, m := langSon(t)
	for _, file := range m.Files {
		name := filepath.Base(file.Path)
		if strings.HasSuffix(name, ".csv") {
			recs := readCSV(t, file.Path, map[bool]rune{true: ';', false: ','}[strings.HasPrefix(name, "khao-sat")])
			for _, r := range recs {
				if len(r) > 2 && (r[0] == "STT" || strings.HasPrefix(r[0], "Mã ")) || r[0] == "province_code" {
					if r[0] == "province_code" {
						break
					}
					for _, h := range r {
						if !headerNames[h] {
							t.Errorf("%s: header %q is not among the promised synonyms", name, h)
						}
					}
					break
				}
			}
			continue
		}
		f, err := excelize.OpenFile(file.Path)
		if err != nil {
			t.Fatalf("%s does not open: %v", name, err)
		}
		for _, sh := range f.GetSheetList() {
			rows := sheetRows(t, f, sh)
			hdr, at := effectiveHeaders(rows)
			if at < 0 {
				t.Errorf("%s › %s: no header row", name, sh)
				continue
			}
			for _, h := range hdr {
				if h != "" && !headerNames[h] {
					t.Errorf("%s › %s: header %q is not among the promised synonyms", name, sh, h)
				}
			}
			if sh != "Bổ sung" && (len(rows[0]) == 0 || rows[0][0] != "UBND TỈNH LẠNG SƠN") {
				t.Errorf("%s › %s: no office title block", name, sh)
			}
			last := strings.Join(rows[len(rows)-1], "|")
			if sh != "Bổ sung" && !strings.Contains(strings.Join(flatten(rows[len(rows)-6:]), "|"), "Người lập biểu") || last == "" {
				t.Errorf("%s › %s: no signature block at the end", name, sh)
			}
		}
		f.Close()
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestVpostcodeLayout(t *testing.T) {
	_, m := langSon(t)
	f, err := excelize.OpenFile(fileOf(t, m, ntm.DatasetVpostcode, "2024-11"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 11 {
		t.Errorf("%d sheets, want one per district", len(sheets))
	}
	rows := sheetRows(t, f, sheets[0])
	if !strings.Contains(strings.Join(flatten(rows[:8]), "|"), "Số liệu đến ngày 30/11/2024") {
		t.Error("no as-of title line")
	}
	merges, _ := f.GetMergeCells(sheets[0])
	var ms []string
	for _, mc := range merges {
		ms = append(ms, mc.GetStartAxis()+":"+mc.GetEndAxis()+"="+mc.GetCellValue())
	}
	all := strings.Join(ms, " ")
	for _, want := range []string{"=Hộ gia đình", "=Cơ quan, tổ chức", "A8:A9=STT"} {
		if !strings.Contains(all, want) {
			t.Errorf("merged cells %s lack %q", all, want)
		}
	}
	text := strings.Join(flatten(rows), "|")
	for _, want := range []string{"(1)|(2)|(3)", "I. Thành phố Lạng Sơn", "|Cộng|", "|Tổng cộng|", "KT. GIÁM ĐỐC"} {
		if !strings.Contains(text, want) {
			t.Errorf("first sheet lacks %q", want)
		}
	}
}

// TestPlantedRejects checks the deliberate bad rows are there, and stay well under 20% of a file.
func TestPlantedRejects(t *testing.T) {
	_, m := langSon(t)
	units := map[string]bool{}
	for _, r := range readCSV(t, m.Files[0].Path, ',')[1:] {
		units[r[6]] = true
	}

	// vpostcode: with address > total (twice), a count with a letter, an unknown village.
	f, err := excelize.OpenFile(fileOf(t, m, ntm.DatasetVpostcode, "2024-11"))
	if err != nil {
		t.Fatal(err)
	}
	gt, letter, unknown, data := 0, 0, 0, 0
	for _, sh := range f.GetSheetList() {
		rows := sheetRows(t, f, sh)
		hdr, at := effectiveHeaders(rows)
		idx := map[string]int{}
		for i, h := range hdr {
			idx[h] = i
		}
		for _, r := range rows[at+2:] {
			if len(r) <= idx["Hộ gia đình Đã gắn địa chỉ số"] || r[0] == "" || strings.HasPrefix(r[0], "(") {
				continue
			}
			data++
			total, err1 := strconv.Atoi(strings.ReplaceAll(r[idx["Hộ gia đình Tổng số"]], ".", ""))
			with, _ := strconv.Atoi(strings.ReplaceAll(r[idx["Hộ gia đình Đã gắn địa chỉ số"]], ".", ""))
			if err1 != nil && strings.HasSuffix(r[idx["Hộ gia đình Tổng số"]], "O") {
				letter++
			}
			if err1 == nil && with > total {
				gt++
			}
			if r[idx["Thôn, tổ dân phố"]] == "Thôn Mới" {
				unknown++
			}
		}
	}
	f.Close()
	if gt != 2 || letter != 1 || unknown != 1 {
		t.Errorf("vpostcode: %d with>total, %d bad counts, %d unknown villages; want 2, 1, 1", gt, letter, unknown)
	}
	if 4*5 >= data {
		t.Errorf("vpostcode: 4 rejects in %d rows is not well under 20%%", data)
	}

	// survey: misspelt village names and an impossible date in the per-row-date export.
	f, err = excelize.OpenFile(fileOf(t, m, ntm.DatasetVillageSurvey, "huu-lung"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(flatten(sheetRows(t, f, f.GetSheetList()[0])), "|")
	f.Close()
	if !strings.Contains(text, "|31/11/2024|") {
		t.Error("survey: no impossible date 31/11/2024")
	}
	// survey CSV: an unknown village code.
	for _, r := range readCSV(t, fileOf(t, m, ntm.DatasetVillageSurvey, "dinh-lap"), ';') {
		if regexp.MustCompile(`^\d{5}-\d{3}$`).MatchString(r[0]) && !units[r[0]] {
			unknown++
		}
	}
	if unknown != 2 {
		t.Error("survey CSV: no row with an unknown village code")
	}

	// OCOP: stars out of range, an impossible date; listings: a repeated row.
	f, err = excelize.OpenFile(fileOf(t, m, ntm.DatasetOCOPProducts, "san-pham"))
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(flatten(sheetRows(t, f, f.GetSheetList()[0])), "|")
	f.Close()
	if !strings.Contains(text, "|2 sao|") || !regexp.MustCompile(`\|31/04/\d{4}\|`).MatchString(text) {
		t.Error("OCOP products: no 2-star row or no 31/04 date")
	}
	f, err = excelize.OpenFile(fileOf(t, m, ntm.DatasetOCOPListings, "gian-hang"))
	if err != nil {
		t.Fatal(err)
	}
	seen, dups := map[string]bool{}, 0
	for _, r := range sheetRows(t, f, f.GetSheetList()[0]) {
		if len(r) > 4 && strings.HasPrefix(r[4], "http") {
			k := strings.Join(r[1:4], "|")
			if seen[k] {
				dups++
			}
			seen[k] = true
		}
	}
	f.Close()
	if dups != 1 {
		t.Errorf("listings: %d repeated rows, want 1", dups)
	}

	// Records: a repeated dossier id and a 30 February.
	recs := readCSV(t, fileOf(t, m, ntm.DatasetDVCDossierRecords, "chi-lang"), ',')
	ids, dupIDs, feb30 := map[string]bool{}, 0, 0
	for _, r := range recs[1:] {
		if ids[r[1]] {
			dupIDs++
		}
		ids[r[1]] = true
		if strings.HasPrefix(r[5], "30/02/") {
			feb30++
		}
	}
	if dupIDs != 1 || feb30 != 1 || len(recs) < 5000 {
		t.Errorf("records: %d repeated ids, %d 30/02 dates in %d rows; want 1, 1 and thousands of rows", dupIDs, feb30, len(recs))
	}
}

// TestLangSonDesignCoversEveryStatus: every criterion gets met, not met and no data, in realistic
// proportions (V5_OCOP no_data needs no product list at all and cannot occur here).
func TestLangSonDesignCoversEveryStatus(t *testing.T) {
	_, m := langSon(t)
	count := map[string]map[ntm.Status]int{}
	for _, e := range m.Expected {
		if count[e.Criterion] == nil {
			count[e.Criterion] = map[ntm.Status]int{}
		}
		count[e.Criterion][e.Status]++
	}
	for _, k := range []string{"V1_TEAM", "V2_PLATFORM", "V3_WIFI", "V4_ADDRESS", "V5_OCOP", "V6_DXMODEL", "SMART_VILLAGE", "C8_SMART_VILLAGE", "D95_PROCEDURES", "D95_DOSSIERS", "D95"} {
		for _, st := range []ntm.Status{ntm.StatusMet, ntm.StatusNotMet, ntm.StatusNoData} {
			if k == "V5_OCOP" && st == ntm.StatusNoData {
				continue
			}
			if count[k][st] == 0 {
				t.Errorf("%s: no %s (%v)", k, st, count[k])
			}
		}
		t.Logf("%-17s %v", k, count[k])
	}
	smart := count["SMART_VILLAGE"]
	if n := smart[ntm.StatusMet]; n*100 < 10*1676 || n*100 > 35*1676 {
		t.Errorf("%d smart villages of 1,676: want a realistic minority (10–35%%)", n)
	}
	// Criterion 8 concerns the 181 xã only (no row for the 19 phường and thị trấn).
	if len(m.Expected) != 1676*7+181+11*3 {
		t.Errorf("%d expectations, want one per village criterion, xã and district criterion", len(m.Expected))
	}
}

// The district just below the dossier threshold is at exactly 69.9%.
func TestJustBelowDistrict(t *testing.T) {
	units, _ := langSonUnits()
	p := buildLangSonPlan(units, 42, ntm.Period{Year: 2024, Month: time.December})
	for _, dd := range p.dvc {
		if !dd.JustBelow {
			continue
		}
		var rec, full int
		for _, u := range dd.Units {
			for _, r := range p.unitDossierRows(u) {
				if r.taken {
					rec += r.Received
					full += r.Full
				}
			}
		}
		if rec%1000 != 0 || full*1000 != rec*699 {
			t.Errorf("district %s: %d/%d, want exactly 69.9%%", dd.D.Code, full, rec)
		}
		return
	}
	t.Error("no district is designed just below 70%")
}

func TestDossierPeriodRule(t *testing.T) {
	p := &plan{period: ntm.Period{Year: 2024, Month: time.December}}
	u := &dvcUnit{Scheme: "half", Revised6: 5, Months: make([]dossierMonth, 12)}
	for i := range u.Months {
		u.Months[i] = dossierMonth{Received: 10, Online: 8, Full: 7}
	}
	var labels []string
	rec := 0
	for _, r := range p.unitDossierRows(u) {
		if r.taken {
			labels = append(labels, r.Label)
			rec += r.Received
		}
	}
	if got := strings.Join(labels, ","); got != "6 tháng đầu năm 2024,Quý III/2024,Quý IV/2024" || rec != 125 {
		t.Errorf("taken %q with %d received; want the half-year (revised) and quarters III, IV, 125 received", got, rec)
	}
	u.Scheme = "year"
	labels = nil
	for _, r := range p.unitDossierRows(u) {
		if r.taken {
			labels = append(labels, r.Label)
		}
	}
	if strings.Join(labels, ",") != "Năm 2024" {
		t.Errorf("year scheme took %v", labels)
	}
}

func TestTiny(t *testing.T) {
	dir := t.TempDir()
	m, err := Tiny(Options{Dir: dir, Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, filepath.Base(f.Path)+"="+string(f.Dataset))
	}
	want := "don-vi-hanh-chinh.csv=units vpostcode-2023-05.xlsx=vpostcode vpostcode-2024-11.xlsx=vpostcode " +
		"khao-sat-thon-thong-minh-chi-lang.xlsx=village_survey ocop-san-pham-2024.xlsx=ocop_products " +
		"ocop-gian-hang-tmdt-2024.xlsx=ocop_listings dvc-tthc-2024.xlsx=dvc_procedures dvc-ho-so-2024.xlsx=dvc_dossiers"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files:\n got %s\nwant %s", got, want)
	}
	recs := readCSV(t, m.Files[0].Path, ',')
	if len(recs) != 11 {
		t.Errorf("%d villages, want 10", len(recs)-1)
	}
	got := map[string]string{}
	for _, e := range m.Expected {
		got[e.UnitCode+" "+e.Criterion] = string(e.Status)
	}
	// The table of the Tiny doc comment, criterion by criterion: V1 V2 V3 V4 V5 V6 SMART.
	table := map[string]string{
		"06463-001": "met met met met met met met",
		"06463-002": "met met met not_met met met not_met",
		"06463-003": "met met no_data met met met no_data",
		"06523-001": "met met met met not_met met not_met",
		"06523-002": "not_met met not_met no_data not_met met not_met",
		"06523-003": "no_data no_data no_data met not_met no_data not_met",
		"06523-004": "met not_met met no_data not_met not_met not_met",
		"06505-001": "met met met met met not_met not_met",
		"06505-002": "met met met no_data met met no_data",
		"06505-003": "no_data no_data no_data met met no_data no_data",
	}
	for v, row := range table {
		for i, st := range strings.Fields(row) {
			if k := v + " " + villageCriteria[i]; got[k] != st {
				t.Errorf("%s: designed %s, documented %s", k, got[k], st)
			}
		}
	}
	if st, ok := got["06463 C8_SMART_VILLAGE"]; ok {
		t.Errorf("Thị trấn Đồng Mỏ has a criterion 8 expectation (%s): C8 concerns xã only", st)
	}
	for k, st := range map[string]string{"06523 C8_SMART_VILLAGE": "not_met", "06505 C8_SMART_VILLAGE": "no_data",
		"187 D95_PROCEDURES": "met", "187 D95_DOSSIERS": "not_met", "187 D95": "not_met"} {
		if got[k] != st {
			t.Errorf("%s: designed %s, documented %s", k, got[k], st)
		}
	}
	// The seed does not change Tiny.
	dir2 := t.TempDir()
	if _, err := Tiny(Options{Dir: dir2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	a, b := readAll(t, dir), readAll(t, dir2)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("Tiny %s depends on the seed", name)
		}
	}
	// The misspelt survey row is in the file.
	f, err := excelize.OpenFile(fileOf(t, m, ntm.DatasetVillageSurvey, "khao-sat"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if text := strings.Join(flatten(sheetRows(t, f, f.GetSheetList()[0])), "|"); !strings.Contains(text, "Bản Chắắt") {
		t.Error("Tiny survey: no misspelt Bản Chắắt row")
	}
}

func BenchmarkLangSon(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		if _, err := LangSon(Options{Dir: dir, Seed: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}
