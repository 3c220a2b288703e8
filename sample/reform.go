package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/units"
)

// The 2025 changes of Lạng Sơn's structure come from the project's copies of the real lists in
// package units (units/data: the GSO lists of 1/1/2025 and 1/7/2025 and the two successor mappings).
// The 1/1/2025 change: Thị trấn Thất Khê 05995 and Xã Vĩnh Tiến 06007 merged with Xã Đại Đồng
// 06040 into a new Thị trấn Thất Khê that keeps code 06040. Four other communes closed that day
// (06295, 06301, 06454, 06574) with successors the reference data does not give: the sample invents
// none.
var (
	langSonUnits2025H1   = referenceFile("langson_units_2025h1.csv")
	langSonUnits2025     = referenceFile("langson_units_2025.csv")
	langSonMapping2025H1 = referenceFile("langson_mapping_2025h1.csv")
	langSonMapping2025   = referenceFile("langson_mapping_2025.csv")
)

func referenceFile(name string) []byte {
	b, err := units.Reference.ReadFile("data/" + name)
	if err != nil {
		panic("sample: units/data lacks " + name) // embedded at build time: a missing file is a build mistake
	}
	return b
}

// The dates the two structures start.
var (
	reformH1 = ntm.Date(2025, time.January, 1)
	reformH2 = ntm.Date(2025, time.July, 1)
)

// thatKheMerged are the communes merged into 06040 on 1/1/2025 (besides 06040 itself).
var thatKheMerged = []string{"05995", "06007"}

// cver is one version of a commune: a 2024 commune, a commune of the first half of 2025 (the same
// object as its 2024 version when nothing about it changed) or one of the 65 communes from 1/7/2025.
type cver struct {
	Code, Name, Kind string
	District         *district // nil from 1/7/2025
	From             time.Time
	Villages         []*vver
	Full             []*cver // the versions it continues wholly (one step back)
	Partial          []*cver // the versions it continues in part (a split commune)
	old              *commune

	// designed facts of this version (see reformFacts)
	proc     *procFact
	doss     *dossFact
	records  bool  // its 2025 dossiers also come as records
	oldName  *cver // rows from 1/7/2025 written under this predecessor's name (a stale letterhead)
	products []*product
}

func (c *cver) Bare() string { return strings.TrimSpace(strings.TrimPrefix(c.Name, c.Kind)) }

// vver is one version of a village.
type vver struct {
	Code, Name, Kind string
	Commune          *cver
	Prev             []*vver // full predecessors one step back (previous_codes)
	old              *village

	survey *surveyFact
	addr   *addrFact
	smart  bool
}

type surveyFact struct {
	AsOf                 time.Time
	Team, Platform, WiFi tri
	Models               int
	Fields               []string
	// SplitCommune: planted, the row names its village under split Xã Bính Xá; the village passed
	// wholly into one new village, so the row loads for it (docs/structure-changes.md §6).
	SplitCommune bool
	OldCommune   *cver // the row names this closed commune instead of the village's own
}

type addrFact struct {
	AsOf time.Time
	addrCounts
}

type procFact struct {
	AsOf time.Time
	procFigures
}

type dossFact struct {
	Months map[time.Month]dossierMonth // month → figures
	Year   int
}

// reform is the designed truth after the 2024 plan: the two new structures and the 2025–2026 facts.
type reform struct {
	p      *plan
	c24    map[string]*cver // 2024 versions by code
	h1     []*cver          // in force 1/1/2025–30/6/2025
	h2     []*cver          // in force from 1/7/2025
	h1v    []*vver          // villages in force in the first half of 2025
	h2v    []*vver
	seed   int64
	oldSet map[*cver]bool // every pre-1/7/2025 version
	// extra products of the 2026 list (certified in 2025–2026)
	products26 []*product
	// rows of the 2026 OCOP list written under an abolished commune's name
	oldNameProducts map[*product]*cver
	splitProduct    *product // its 2026 row names Xã Bính Xá: a reject naming the candidates
	y26             reform2026
}

func readCSVTable(data []byte, what string) ([]map[string]string, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("sample: embedded %s: %w", what, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("sample: embedded %s is empty", what)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out, nil
}

// buildReform derives the 2025 structures from the 2024 plan and the embedded lists.
func buildReform(p *plan) (*reform, error) {
	rf := &reform{p: p, c24: map[string]*cver{}, seed: p.seed, oldSet: map[*cver]bool{}}
	for _, c := range p.units.communes() {
		cv := &cver{Code: c.Code, Name: c.Name, Kind: c.Kind, District: c.District, From: time.Time{}, old: c}
		for _, v := range c.Villages {
			cv.Villages = append(cv.Villages, &vver{Code: v.Code, Name: v.Name, Kind: v.Kind, Commune: cv, old: v})
		}
		rf.c24[c.Code] = cv
		rf.oldSet[cv] = true
	}
	// 1/1/2025.
	h1, err := readCSVTable(langSonUnits2025H1, "2025h1 unit list")
	if err != nil {
		return nil, err
	}
	h1ByCode := map[string]*cver{}
	for _, row := range h1 {
		code := row["commune_code"]
		prev := rf.c24[code]
		if prev == nil {
			return nil, fmt.Errorf("sample: 2025h1 commune %s is not in the 2022 list", code)
		}
		cv := prev
		if prev.Name != row["commune_name"] || prev.Kind != row["commune_kind"] {
			cv = &cver{Code: code, Name: row["commune_name"], Kind: row["commune_kind"], District: prev.District, From: reformH1, Full: []*cver{prev}}
			rf.oldSet[cv] = true
			cv.Villages = append(cv.Villages, prev.Villages...) // the same village versions, unchanged
			for _, m := range thatKheMerged {
				if code != "06040" {
					return nil, fmt.Errorf("sample: commune %s changed on 1/1/2025 unexpectedly", code)
				}
				mc := rf.c24[m]
				cv.Full = append(cv.Full, mc)
				for _, v := range mc.Villages {
					cv.Villages = append(cv.Villages, &vver{Code: fmt.Sprintf("%s-%03d", code, len(cv.Villages)+1), Name: v.Name, Kind: v.Kind, Commune: cv, Prev: []*vver{v}})
				}
			}
			dedupeVillageNames(cv.Villages)
		}
		rf.h1 = append(rf.h1, cv)
		h1ByCode[code] = cv
		rf.h1v = append(rf.h1v, cv.Villages...)
	}
	// 1/7/2025.
	h2, err := readCSVTable(langSonUnits2025, "2025 unit list")
	if err != nil {
		return nil, err
	}
	// A split commune's villages go half to each successor, in the order of the mapping.
	split := map[string][]string{} // old code → new codes
	mapping, err := readCSVTable(langSonMapping2025, "2025 mapping")
	if err != nil {
		return nil, err
	}
	for _, m := range mapping {
		if m["merge_type"] == "partial" {
			split[m["old_commune_code"]] = append(split[m["old_commune_code"]], m["new_commune_code"])
		}
	}
	r := rng(p.seed, 40)
	for _, row := range h2 {
		cv := &cver{Code: row["commune_code"], Name: row["commune_name"], Kind: row["commune_kind"], From: reformH2}
		var own, others []*vver // predecessors' villages: those of the commune whose code it keeps last
		for _, m := range strings.Split(row["merged_from_codes"], ";") {
			code, partial := strings.CutSuffix(m, "(partial)")
			pc := h1ByCode[code]
			if pc == nil {
				return nil, fmt.Errorf("sample: 2025 commune %s is formed from %s, not in the 2025h1 list", cv.Code, code)
			}
			vs := pc.Villages
			if partial {
				cv.Partial = append(cv.Partial, pc)
				half := (len(vs) + 1) / 2
				if split[code][0] == cv.Code {
					vs = vs[:half]
				} else {
					vs = vs[half:]
				}
			} else {
				cv.Full = append(cv.Full, pc)
			}
			if code == cv.Code {
				own = append(own, vs...)
			} else {
				others = append(others, vs...)
			}
		}
		preds := append(others, own...)
		// Some neighbouring villages of one predecessor merge two into one (about one commune in four).
		var singles []*vver
		var merged [][]*vver
		for i := 0; i < len(preds); i++ {
			if i+1 < len(preds) && preds[i].Commune == preds[i+1].Commune && len(merged) < 2 && chance(r, 3) {
				merged = append(merged, []*vver{preds[i], preds[i+1]})
				i++
				continue
			}
			singles = append(singles, preds[i])
		}
		for _, v := range singles {
			cv.Villages = append(cv.Villages, &vver{Code: fmt.Sprintf("%s-%03d", cv.Code, len(cv.Villages)+1), Name: v.Name, Kind: v.Kind, Commune: cv, Prev: []*vver{v}})
		}
		for _, pair := range merged {
			code := fmt.Sprintf("%s-%03d", cv.Code, len(cv.Villages)+1)
			if code == pair[0].Code || code == pair[1].Code {
				// A merged village never keeps a predecessor's code, so "its own newest fact" and "its
				// predecessors' facts combined" cannot be read two ways (docs/structure-changes.md §5).
				last := cv.Villages[len(cv.Villages)-1]
				last.Code, code = code, last.Code
			}
			cv.Villages = append(cv.Villages, &vver{Code: code, Name: pair[0].Name, Kind: pair[0].Kind, Commune: cv, Prev: pair})
		}
		sort.Slice(cv.Villages, func(i, j int) bool { return cv.Villages[i].Code < cv.Villages[j].Code })
		dedupeVillageNames(cv.Villages)
		rf.h2 = append(rf.h2, cv)
		rf.h2v = append(rf.h2v, cv.Villages...)
	}
	return rf, nil
}

// dedupeVillageNames keeps village names unique after folding within a commune: two "Tổ dân phố 1"
// of merged towns become "Tổ dân phố 1" and "Tổ dân phố 1B", as the province renames them.
func dedupeVillageNames(vs []*vver) {
	seen := map[string]int{}
	for _, v := range vs {
		k := strings.ToLower(v.Name)
		seen[k]++
		if n := seen[k]; n > 1 {
			v.Name = fmt.Sprintf("%s%c", v.Name, 'A'+n-1)
			seen[strings.ToLower(v.Name)]++
		}
	}
}

// successorsOf gives the versions from 1/7/2025 that continue version c (wholly or in part).
func (rf *reform) successorsOf(c *cver) []*cver {
	var out []*cver
	for _, n := range rf.h2 {
		for _, x := range append(append([]*cver{}, n.Full...), n.Partial...) {
			if x == c || rf.reaches(x, c) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// reaches: is old among the full predecessors of c (transitively)?
func (rf *reform) reaches(c, old *cver) bool {
	for _, x := range c.Full {
		if x == old || rf.reaches(x, old) {
			return true
		}
	}
	return false
}

func (rf *reform) h2ByCode(code string) *cver {
	for _, c := range rf.h2 {
		if c.Code == code {
			return c
		}
	}
	return nil
}

func (rf *reform) h1ByCode(code string) *cver {
	for _, c := range rf.h1 {
		if c.Code == code {
			return c
		}
	}
	return nil
}
