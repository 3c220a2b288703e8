package sample

import (
	"fmt"
	"math/rand/v2"
	"time"

	"ntm"
)

// surveyFile says how one village_survey export is laid out and which districts it covers.
type surveyFile struct {
	Name      string
	Districts []string
	Format    string    // "xlsx-title" (as-of in the title), "xlsx-rowdate" (a Ngày số liệu column), "csv"
	AsOf      time.Time // for "xlsx-title"
	ModelList bool      // models written as a ";"/newline list instead of a count
}

// rng gives an independent stream per stage, so changing one stage does not reshuffle the others.
func rng(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x6e746d0000+stream))
}

// buildLangSonPlan designs the province-scale sample.
func buildLangSonPlan(ul *unitList, seed int64, per ntm.Period) *plan {
	p := &plan{units: ul, period: per, seed: seed}
	fa := p.freshAsOf()
	p.surveyFiles = []surveyFile{
		{Name: "khao-sat-thon-thong-minh-tp-trang-dinh-binh-gia-van-lang.xlsx", Districts: []string{"178", "180", "181", "182"}, Format: "xlsx-title", AsOf: fa.AddDate(0, 0, -fa.Day())},
		{Name: "khao-sat-thon-thong-minh-huu-lung-chi-lang-loc-binh.xlsx", Districts: []string{"186", "187", "188"}, Format: "xlsx-rowdate", ModelList: true},
		{Name: "khao-sat-thon-thong-minh-cao-loc-van-quan-bac-son.xlsx", Districts: []string{"183", "184", "185"}, Format: "xlsx-title", AsOf: fa},
		{Name: "khao-sat-thon-dinh-lap.csv", Districts: []string{"189"}, Format: "csv", ModelList: true},
	}
	p.makeVillages(rng(seed, 1), 153, 1523)
	p.makeProducts(rng(seed, 2), 200)
	p.plantSplitCommuneProduct()
	p.makeProfiles(rng(seed, 3))
	p.plantVillageRejects(rng(seed, 4))
	p.makeDVC(rng(seed, 5), langSonDVCDesign)
	return p
}

// makeVillages gives every commune its villages: urbanTotal tổ dân phố over the phường and thị trấn,
// ruralTotal thôn over the xã.
func (p *plan) makeVillages(r *rand.Rand, urbanTotal, ruralTotal int) {
	var urban, rural []*commune
	for _, c := range p.units.communes() {
		if c.Urban() {
			urban = append(urban, c)
		} else {
			rural = append(rural, c)
		}
	}
	assign := func(cs []*commune, total int) {
		if len(cs) == 0 {
			return
		}
		lo, hi := 3, 15
		if total < lo*len(cs) {
			lo = 1
		}
		for total > hi*len(cs) {
			hi *= 2
		}
		counts := distribute(r, len(cs), total, lo, hi)
		for i, c := range cs {
			names, kinds := villageNames(r, c, counts[i])
			for j := range names {
				c.Villages = append(c.Villages, &village{
					Code: c.Code + "-" + pad3(j+1), Name: names[j], Kind: kinds[j], Commune: c,
				})
			}
		}
	}
	assign(urban, urbanTotal)
	assign(rural, ruralTotal)
}

func pad3(n int) string { return fmt.Sprintf("%03d", n) }

// plantSplitCommuneProduct makes sure Xã Bính Xá (06622), split between two communes on 1/7/2025,
// has a product still certified in 2026 and listed: it must count for both successors.
func (p *plan) plantSplitCommuneProduct() {
	c := p.units.communeByCode("06622")
	if c == nil {
		return
	}
	cert := ntm.Date(2024, time.June, 14)
	for _, pr := range c.Products {
		if !pr.Certified.Before(cert) {
			return
		}
	}
	pr := &product{Name: "Hồi khô Bính Xá", Category: category("Hồi khô"), Owner: "HTX Nông nghiệp Bính Xá", Stars: 3, Commune: c,
		Certified: cert, DecisionNo: "1128/QĐ-UBND", starsText: "%d sao",
		Listings: []*listing{{Platform: "Postmart", InProductFile: true, URL: "x", Listed: ntm.Date(2024, time.August, 2), Active: true}}}
	c.Products = append(c.Products, pr)
	if c.ocopPlan == ocopNone {
		c.ocopPlan = ocopListed
	}
}
