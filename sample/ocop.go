package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Local specialities per district code, used to invent OCOP products around the real ones.
var specialities = map[string][]string{
	"178": {"Vịt quay", "Lạp sườn", "Bánh cuốn trứng", "Phở chua", "Khau nhục", "Bánh áp chao", "Trà hoa vàng", "Mắc ca sấy", "Mật ong"},
	"180": {"Thạch đen", "Hạt dẻ", "Gạo nếp", "Miến dong", "Măng khô", "Chè", "Gà đồi"},
	"181": {"Chè dưới tán hồi", "Trà hoa vàng", "Hoa hồi khô", "Thạch đen", "Mật ong", "Gạo Bao Thai"},
	"182": {"Hồng vành khuyên", "Thạch đen", "Bún gấc", "Gạo Bao Thai", "Miến", "Lạc đỏ"},
	"183": {"Hồng Bảo Lâm", "Rượu men lá", "Mật ong Mẫu Sơn", "Đào Mẫu Sơn", "Chè Mẫu Sơn", "Hạt dẻ", "Vịt quay"},
	"184": {"Hồi Văn Quan", "Tinh dầu hồi", "Rượu men lá", "Khẩu sli", "Chè xanh", "Quế"},
	"185": {"Quýt vàng Bắc Sơn", "Hồng không hạt", "Gạo Bao Thai Bắc Sơn", "Na", "Bánh gio", "Rượu ngô"},
	"186": {"Na Hữu Lũng", "Bưởi", "Nhãn", "Bánh chưng cẩm", "Mật ong", "Dưa hấu", "Rượu"},
	"187": {"Na Chi Lăng", "Hoa hồi khô", "Măng", "Rượu", "Nhãn", "Tinh dầu hồi"},
	"188": {"Khau nhục", "Rượu Mẫu Sơn", "Phở khô", "Hạt dẻ", "Thạch đen", "Khoai lang"},
	"189": {"Chè Đình Lập", "Mật ong rừng", "Quế", "Nấm hương", "Gà đồi", "Thông nhựa"},
}

var brands = []string{"Hoàng Quyên", "Thuận Anh", "Xứ Lạng", "Mẫu Sơn", "Kỳ Lừa", "Đồng Đăng", "Hữu Nghị", "Việt Bắc", "Tô Thị", "Nhất Thanh", "Phai Vệ", "Bắc Lệ"}

func category(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "rượu") || strings.Contains(n, "chè") || strings.Contains(n, "trà"):
		return "Đồ uống"
	case strings.Contains(n, "tinh dầu") || strings.Contains(n, "cao") || strings.Contains(n, "quy linh") || strings.Contains(n, "quế"):
		return "Thảo dược"
	}
	return "Thực phẩm"
}

func upperFirst(s string) string {
	for i, c := range s {
		return string(unicode.ToUpper(c)) + s[i+len(string(c)):]
	}
	return s
}

// slug makes an ASCII URL slug out of a Vietnamese name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case c == 'đ':
			b.WriteRune('d')
			dash = false
		case c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
			dash = false
		case unicode.Is(unicode.Mn, c):
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// certDate draws a certificate date: mostly valid at the period end, some expired; never within
// 45 days of the 36-month boundary so the design does not hinge on a day.
func (p *plan) certDate(r *rand.Rand, valid bool) time.Time {
	end := p.end()
	if valid {
		return end.AddDate(0, -34, 0).AddDate(0, 0, r.IntN(34*30-40))
	}
	return end.AddDate(0, -60, 0).AddDate(0, 0, r.IntN(22*30-45))
}

// makeProducts builds about target products: the real ones first, then invented ones.
func (p *plan) makeProducts(r *rand.Rand, target int) {
	seen := map[string]bool{}
	add := func(pr *product) bool {
		// Unique by name and commune (the product key) and by name and owner (how listings find it).
		k1 := strings.ToLower(pr.Name) + "|" + pr.Commune.Code
		k2 := strings.ToLower(pr.Name) + "|" + strings.ToLower(pr.Owner)
		if seen[k1] || seen[k2] {
			return false
		}
		seen[k1], seen[k2] = true, true
		pr.Commune.Products = append(pr.Commune.Products, pr)
		return true
	}
	owner := func(c *commune, base string) string {
		switch r.IntN(4) {
		case 0:
			return "HTX Nông nghiệp " + c.Bare()
		case 1:
			return "HTX " + base + " " + c.Bare()
		case 2:
			return "Hộ kinh doanh " + personName(r)
		}
		return "Công ty TNHH " + pick(r, brands...)
	}
	n := 0
	recs, _ := csv.NewReader(bytes.NewReader(langSonOCOPPartial)).ReadAll()
	if len(recs) > 1 {
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, rec := range recs[1:] {
			if rec[col["language"]] != "vi" || rec[col["district_code"]] == "" && rec[col["commune_code_2025"]] != "" {
				continue
			}
			stars := int(rec[col["star_rating"]][0] - '0')
			if stars < 3 || stars > 5 {
				continue
			}
			name := upperFirst(rec[col["product_name"]])
			c := p.units.communeByCode(rec[col["commune_code_2024"]])
			if c == nil {
				d := p.units.districtByCode(rec[col["district_code"]])
				if d == nil {
					d = guessDistrict(p.units, name, r)
				}
				if d == nil {
					continue
				}
				c = d.Communes[r.IntN(len(d.Communes))]
			}
			cert, err := time.Parse("2006-01-02", rec[col["event_date"]])
			if err != nil {
				continue
			}
			if strings.Contains(rec[col["status"]], "pending") || strings.Contains(rec[col["status"]], "council") {
				cert = cert.AddDate(0, 0, 40) // the certificate follows the council's score
			}
			ow := rec[col["owner"]]
			if ow == "" {
				ow = owner(c, strings.Fields(name)[0])
			}
			// Real certificates from before the boundary are expired at the period end, as in reality;
			// keep clear of the boundary itself.
			if d := cert.AddDate(0, 36, 0).Sub(p.end()); d > -45*24*time.Hour && d < 45*24*time.Hour {
				cert = cert.AddDate(0, 0, 60)
			}
			if add(&product{Name: name, Category: category(name), Owner: ow, Stars: stars, Commune: c, Certified: cert, Real: true}) {
				n++
			}
		}
	}
	ds := p.units.Districts
	for tries := 0; n < target && tries < 100*target; tries++ {
		d := ds[r.IntN(len(ds))]
		sp := specialities[d.Code]
		if len(sp) == 0 {
			sp = []string{"Mật ong", "Chè", "Rượu men lá", "Gạo nếp"}
		}
		c := d.Communes[r.IntN(len(d.Communes))]
		base := pick(r, sp...)
		var name string
		switch r.IntN(3) {
		case 0:
			name = base + " " + c.Bare()
		case 1:
			name = base + " " + pick(r, brands...)
		default:
			name = base
		}
		if strings.EqualFold(name, base) && strings.Count(base, " ") < 2 {
			name = base + " " + d.Bare()
		}
		stars := 3
		if chance(r, 30) {
			stars = 4
		}
		if chance(r, 2) {
			stars = 5
		}
		if add(&product{Name: name, Category: category(name), Owner: owner(c, strings.Fields(base)[0]), Stars: stars, Commune: c, Certified: p.certDate(r, chance(r, 78))}) {
			n++
		}
	}
	for _, c := range p.units.communes() {
		for _, pr := range c.Products {
			pr.DecisionNo = fmt.Sprintf("%d/QĐ-UBND", 300+r.IntN(2400))
			pr.starsText = pick(r, "%d sao", "%d★", "%d", "%d", "%d*")
			pr.dateAsCell = chance(r, 40)
			pr.expiryColumn = chance(r, 30)
		}
	}
	p.planListings(r)
}

func guessDistrict(ul *unitList, name string, r *rand.Rand) *district {
	n := strings.ToLower(name)
	for _, d := range ul.Districts {
		if strings.Contains(n, strings.ToLower(d.Bare())) {
			return d
		}
	}
	switch {
	case strings.Contains(n, "vạn linh"):
		return ul.districtByCode("187")
	case strings.Contains(n, "thạch đen"):
		return ul.districtByCode("180")
	}
	if len(ul.Districts) == 0 {
		return nil
	}
	return ul.Districts[r.IntN(len(ul.Districts))]
}

var (
	fileplatforms = []string{"Postmart", "Shopee", "Voso", "Sàn TMĐT tỉnh"}
	listplatforms = []string{"Lazada", "Tiki", "TikTok Shop", "Sendo", "Postmart", "Shopee"}
)

func platformURL(r *rand.Rand, platform, name string) string {
	s := slug(name)
	id := 100000 + r.IntN(900000)
	switch platform {
	case "Postmart":
		return fmt.Sprintf("https://postmart.vn/san-pham/%s-%d", s, id)
	case "Shopee":
		return fmt.Sprintf("https://shopee.vn/%s-i.%d.%d", s, 1000+r.IntN(9000), id)
	case "Voso":
		return fmt.Sprintf("https://voso.vn/%s-p%d", s, id)
	case "Lazada":
		return fmt.Sprintf("https://www.lazada.vn/products/%s-i%d.html", s, id)
	case "Tiki":
		return fmt.Sprintf("https://tiki.vn/%s-p%d.html", s, id)
	case "TikTok Shop":
		return fmt.Sprintf("https://shop.tiktok.com/view/product/%d", id)
	case "Sendo":
		return fmt.Sprintf("https://www.sendo.vn/%s-%d.html", s, id)
	}
	return fmt.Sprintf("https://santhuongmai.langson.gov.vn/san-pham/%s", s)
}

// planListings decides which communes fail V5 and gives every product its listings accordingly.
func (p *plan) planListings(r *rand.Rand) {
	end := p.end()
	for _, c := range p.units.communes() {
		switch {
		case len(c.Products) == 0:
			c.ocopPlan = ocopNone
		case chance(r, 22):
			c.ocopPlan = ocopUnlisted
		default:
			c.ocopPlan = ocopListed
		}
		unlistedDone := false
		for _, pr := range c.Products {
			listedDate := func() time.Time {
				from := pr.Certified
				if from.Before(end.AddDate(-3, 0, 0)) {
					from = end.AddDate(-3, 0, 0)
				}
				days := int(end.Sub(from).Hours()/24) - 20
				return from.AddDate(0, 0, r.IntN(max(1, days)))
			}
			wantListed := true
			if pr.valid(end) && c.ocopPlan == ocopUnlisted && (!unlistedDone || chance(r, 40)) {
				wantListed, unlistedDone = false, true
			}
			if !pr.valid(end) && chance(r, 50) {
				wantListed = false
			}
			if !wantListed {
				// Sometimes a stopped listing shows it was once on a platform.
				if chance(r, 40) {
					pf := pick(r, listplatforms...)
					pr.Listings = append(pr.Listings, &listing{Platform: pf, URL: platformURL(r, pf, pr.Name), Listed: listedDate(), Active: false})
				}
				continue
			}
			used := map[string]bool{}
			if chance(r, 75) {
				for _, pf := range fileplatforms {
					if chance(r, 45) || len(pr.Listings) == 0 && pf == "Sàn TMĐT tỉnh" {
						used[pf] = true
						pr.Listings = append(pr.Listings, &listing{Platform: pf, InProductFile: true, URL: platformURL(r, pf, pr.Name), Listed: listedDate(), Active: true})
					}
				}
			}
			if len(pr.Listings) == 0 || chance(r, 35) {
				for range 1 + r.IntN(2) {
					pf := pick(r, listplatforms...)
					if used[pf] {
						continue
					}
					used[pf] = true
					pr.Listings = append(pr.Listings, &listing{Platform: pf, URL: platformURL(r, pf, pr.Name), Listed: listedDate(), Active: true})
				}
			}
			if !pr.listed() { // the guard above never leaves it so, but keep the design honest
				pf := "Sàn TMĐT tỉnh"
				pr.Listings = append(pr.Listings, &listing{Platform: pf, InProductFile: true, URL: platformURL(r, pf, pr.Name), Listed: listedDate(), Active: true})
			}
			// An extra, stopped listing on another platform now and then.
			if chance(r, 10) {
				for _, pf := range listplatforms {
					if !used[pf] {
						pr.Listings = append(pr.Listings, &listing{Platform: pf, URL: platformURL(r, pf, pr.Name), Listed: listedDate(), Active: false})
						break
					}
				}
			}
		}
	}
	p.plantProductRejects(r)
}

// plantProductRejects adds two product rows the loader must reject (stars out of range, a date that
// does not exist) and repeats one listing row; none of them changes a commune's V5 outcome, whether
// or not the loader rejects them.
func (p *plan) plantProductRejects(r *rand.Rand) {
	var listed []*commune
	for _, c := range p.units.communes() {
		if c.ocopPlan == ocopListed {
			listed = append(listed, c)
		}
	}
	if len(listed) == 0 {
		return
	}
	for _, kind := range []string{"stars", "baddate"} {
		c := listed[r.IntN(len(listed))]
		name := pick(r, "Bánh khảo", "Mứt gừng", "Trám đen ướp muối", "Măng ớt") + " " + c.Bare()
		pr := &product{Name: name, Category: "Thực phẩm", Owner: "Hộ kinh doanh " + personName(r), Stars: 3, Commune: c,
			Certified: p.end().AddDate(0, -8, 0), Reject: kind, DecisionNo: fmt.Sprintf("%d/QĐ-UBND", 300+r.IntN(2400)), starsText: "%d sao"}
		if kind == "stars" {
			pr.starsText = "2 sao"
		}
		pr.Listings = []*listing{{Platform: "Postmart", InProductFile: true, URL: "x", Listed: p.end().AddDate(0, -6, 0), Active: true}}
		c.Products = append(c.Products, pr)
	}
	// The duplicate: a listings-file row of a product that is also marked in the product list.
	for _, c := range listed {
		for _, pr := range c.Products {
			if pr.Reject != "" {
				continue
			}
			var inFile, inList *listing
			for _, l := range pr.Listings {
				if l.InProductFile && l.Active {
					inFile = l
				} else if !l.InProductFile && l.Active {
					inList = l
				}
			}
			if inFile != nil && inList != nil {
				inList.Duplicate = true
				return
			}
		}
	}
}

// products lists all products, commune by commune.
func (p *plan) products() []*product {
	var out []*product
	for _, c := range p.units.communes() {
		out = append(out, c.Products...)
	}
	return out
}
