package reports

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"ntm/db"
	"ntm/units"
)

// ocopValidityMonths is how long a certificate holds when the list gives no expiry (docs/datasets.md;
// transform.OCOPValidityMonths, not imported: reports reads stored facts only).
const ocopValidityMonths = 36

//go:embed sql/ocop_products.sql
var ocopProductsSQL string

// ocopListing is a product's current state on one platform.
type ocopListing struct {
	Platform string     `json:"platform"`
	URL      string     `json:"url"`
	Listed   *time.Time `json:"-"`
	ListedOn string     `json:"listed_on"`
	Active   bool       `json:"active"`
}

// ocopProduct is a current OCOP product of the scope.
type ocopProduct struct {
	Key, Code, Name, Owner, Category, Commune, Village, Decision string
	Stars                                                        int
	Certified, Expires                                           *time.Time
	Valid                                                        bool
	Listings                                                     []ocopListing
	// Listed is the commune the list names when it is no longer in force (the product is shown
	// under its successor, Commune); Shared says that commune was split and the product counts
	// for each of its successors (docs/structure-changes.md §5).
	Listed string
	Shared bool
}

// activePlatforms are the platforms the product is on now.
func (p *ocopProduct) activePlatforms() []string {
	var out []string
	for _, l := range p.Listings {
		if l.Active {
			out = append(out, platformLabel(l.Platform))
		}
	}
	return out
}

// ocopCache holds the current OCOP products of the whole country as listed, by day. A report run
// reads the same one or two days for every workbook (the period end, and the previous period's
// for the trend); they come from one query per day, not three per workbook (at national scale
// that query was four fifths of the reports' time). Each province places the products in its
// units with its own history (ocopPlaces).
type ocopCache struct {
	mu    sync.Mutex // workbooks are built side by side (Workers)
	byDay map[time.Time][]listedProduct
}

// listedProduct is a current product as its list names its unit: commune, village and the date
// the codes were resolved at.
type listedProduct struct {
	ocopProduct
	id       string // the product's identity: its code, else its folded name and owner
	unitDate time.Time
}

// ocopPlaces are the current products placed in the units of one province's history, by day:
// day → commune code → products by name.
type ocopPlaces struct {
	mu    sync.Mutex
	byDay map[time.Time]map[string][]ocopProduct
}

// drop forgets the placed products (the province's last workbook is written).
func (p *ocopPlaces) drop() {
	if p != nil {
		p.mu.Lock()
		p.byDay = nil
		p.mu.Unlock()
	}
}

// listed returns the country's current products at day, read on first use.
func (c *ocopCache) listed(ctx context.Context, q db.Querier, day time.Time) ([]listedProduct, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.byDay[day]; ok {
		return ps, nil
	}
	ps, err := readCurrentProducts(ctx, q, day)
	if err != nil {
		return nil, err
	}
	if c.byDay == nil {
		c.byDay = map[time.Time][]listedProduct{}
	}
	c.byDay[day] = ps
	return ps, nil
}

// placesCache is where the workbook's province keeps its placed products (histCache's twin).
func (w *workbook) placesCache() *ocopPlaces {
	if pv := w.sc.villages; pv != nil && pv.ocop != nil {
		return pv.ocop
	}
	if w.ownOCOP == nil {
		w.ownOCOP = &ocopPlaces{}
	}
	return w.ownOCOP
}

// currentProducts returns the current OCOP products of the communes at day, in commune order,
// placed with the workbook's province's history.
func (w *workbook) currentProducts(ctx context.Context, communes []*unit, day time.Time) ([]ocopProduct, error) {
	pl := w.placesCache()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	byCommune, ok := pl.byDay[day]
	if !ok {
		ps, err := w.d.ocop.listed(ctx, w.q, day)
		if err != nil {
			return nil, err
		}
		h, err := w.history(ctx)
		if err != nil {
			return nil, err
		}
		byCommune = placeProducts(ps, h, day)
		if pl.byDay == nil {
			pl.byDay = map[time.Time]map[string][]ocopProduct{}
		}
		pl.byDay[day] = byCommune
	}
	var out []ocopProduct
	for _, c := range communes {
		out = append(out, byCommune[c.Code]...)
	}
	return out, nil
}

// countryProducts is currentProducts read and placed for the country, kept by no cache (the
// templates').
func countryProducts(ctx context.Context, q db.Querier, communes []*unit, day time.Time) ([]ocopProduct, error) {
	ps, err := readCurrentProducts(ctx, q, day)
	if err != nil {
		return nil, err
	}
	h, err := units.Load(ctx, q, units.LoadOptions{})
	if err != nil {
		return nil, err
	}
	byCommune := placeProducts(ps, h, day)
	var out []ocopProduct
	for _, c := range communes {
		out = append(out, byCommune[c.Code]...)
	}
	return out, nil
}

// readCurrentProducts reads the current products at day as listed, in the query's order.
func readCurrentProducts(ctx context.Context, q db.Querier, day time.Time) ([]listedProduct, error) {
	rows, err := q.Query(ctx, ocopProductsSQL, day, ocopValidityMonths)
	if err != nil {
		return nil, fmt.Errorf("read the OCOP products: %w", err)
	}
	defer rows.Close()
	var out []listedProduct
	for rows.Next() {
		var p listedProduct
		var stars int16
		var foldedName, foldedOwner string
		if err := rows.Scan(&p.Key, &p.Code, &p.Name, &p.Owner, &stars, &p.Category, &p.Commune, &p.Village, &p.Decision,
			&p.Certified, &p.Expires, &p.Valid, &p.Listings, &foldedName, &foldedOwner, &p.unitDate); err != nil {
			return nil, fmt.Errorf("read the OCOP products: %w", err)
		}
		p.Stars = int(stars)
		for i := range p.Listings {
			if t, err := time.Parse("2006-01-02", p.Listings[i].ListedOn); err == nil {
				p.Listings[i].Listed = &t
			}
		}
		p.id = p.Code
		if p.id == "" {
			p.id = foldedName + "|" + foldedOwner
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// placeProducts places the products whose commune or village h holds in the communes in force at
// day whose product it is (units.Attribution.Places, as the evaluation does): a closed commune's
// product under its successor, a split commune's under each successor; one product reaching a
// commune twice (listed under the old commune and again under the new one) counts once, as the
// newer list has it. A province's history holds every code linked to its units, so its communes
// get from it what the country's history gives them.
func placeProducts(ps []listedProduct, h *units.History, day time.Time) map[string][]ocopProduct {
	att := h.Attribute(day)
	out := map[string][]ocopProduct{}
	type at struct {
		i    int
		date time.Time
	}
	seen := map[string]map[string]at{} // commune → product identity → position and unit date
	for i := range ps {
		p := &ps[i]
		if len(h.Versions(p.Commune)) == 0 && (p.Village == "" || len(h.Versions(p.Village)) == 0) {
			continue // no unit of the history's: another province's
		}
		places, shared := att.Places(p.Commune, p.Village, p.unitDate, false)
		listed := p.Commune
		for _, c := range places {
			x := p.ocopProduct
			x.Commune, x.Shared = c, shared
			if c != listed {
				x.Listed = listed
			}
			m := seen[c]
			if m == nil {
				m = map[string]at{}
				seen[c] = m
			}
			if prev, ok := m[p.id]; ok {
				if p.unitDate.After(prev.date) {
					out[c][prev.i] = x
					m[p.id] = at{prev.i, p.unitDate}
				}
				continue
			}
			m[p.id] = at{len(out[c]), p.unitDate}
			out[c] = append(out[c], x)
		}
	}
	return out
}

// ocopState is what a product's row says about it at the period end.
func ocopState(p *ocopProduct, end time.Time) (label string, kind int) {
	switch {
	case p.Certified != nil && p.Certified.After(end):
		return "Chưa đến ngày công nhận", ocopExpired
	case !p.Valid:
		return "Hết hạn", ocopExpired
	case len(p.activePlatforms()) == 0:
		return "Chưa lên sàn", ocopUnlisted
	}
	return "Đã lên sàn", ocopListed
}

const (
	ocopListed = iota
	ocopUnlisted
	ocopExpired
)

// writeOCOP writes one row per current OCOP product of the scope: stars, owner, commune, the
// certificate and its validity at the period end, the platforms it is on. Unlisted valid products
// (they fail V5_OCOP) are filled red, expired ones amber. Streamed: a national list is long.
func (w *workbook) writeOCOP(ctx context.Context) error {
	const sh = sheetOCOP
	d, sc, st := w.d, w.sc, w.st
	end := d.period.End()
	ps, err := w.currentProducts(ctx, sc.communes, end)
	if err != nil {
		return err
	}
	var cols []string
	var widths []float64
	add := func(name string, width float64) {
		cols = append(cols, name)
		widths = append(widths, width)
	}
	// Sized to print on one page width at 8 pt or more: the long texts wrap.
	add("STT", 5)
	if sc.withDistricts() {
		add("Huyện", 12)
	}
	add("Xã", 12)
	add("Tên sản phẩm", 18)
	add("Mã sản phẩm", 9)
	add("Hạng sao", 6)
	add("Chủ thể", 16)
	add("Số quyết định", 13)
	add("Ngày công nhận", 11)
	add("Ngày hết hạn", 11)
	add("Tình trạng cuối kỳ", 11)
	add("Số sàn đang bán", 6)
	add("Các sàn đang bán", 16)
	add("Ghi chú", 26)
	ncols := len(cols)
	const top = 6
	last := top + max(1, len(ps))
	sw, err := w.streamSheet(sh, last, widths, fmt.Sprintf("$%d:$%d", top, top), freezePanes(top+1, 1))
	if err != nil {
		return err
	}
	var valid, listed, unlisted, expired int
	for i := range ps {
		switch _, k := ocopState(&ps[i], end); k {
		case ocopListed:
			valid++
			listed++
		case ocopUnlisted:
			valid++
			unlisted++
		default:
			expired++
		}
	}
	summary := fmt.Sprintf("%d sản phẩm; %d còn hiệu lực cuối kỳ, trong đó %d đã lên sàn TMĐT, %d chưa lên sàn nào (tô đỏ); %d hết hạn hoặc chưa đến ngày công nhận (tô vàng, không tính).",
		len(ps), valid, listed, unlisted, expired)
	period := periodText(d.period)
	if sc.province {
		period += ". " + screenNote
		if err := w.screenOnly(sh, ncols, top); err != nil {
			return err
		}
	}
	head := []cell{
		{"SẢN PHẨM OCOP VÀ CÁC SÀN THƯƠNG MẠI ĐIỆN TỬ – " + sc.unit.Name, st.title},
		w.plain(period),
		w.plain(summary),
		{"Điều kiện 5 của thôn thông minh: mọi sản phẩm OCOP còn hiệu lực của xã có ít nhất một gian hàng đang bán trên sàn TMĐT.", st.subtitle},
	}
	if err := w.streamTitle(sw, head, top, cols); err != nil {
		return err
	}
	if len(ps) == 0 {
		if err := w.streamRowSpans(sw, sh, top+1, []cell{w.plain(""), w.wrapPlain("Chưa có sản phẩm OCOP nào của đơn vị trong danh sách đã nạp.")}, map[int]int{2: ncols}); err != nil {
			return err
		}
	}
	for i := range ps {
		p := &ps[i]
		label, kind := ocopState(p, end)
		text, integer, date := st.wrap, st.integer, st.date
		switch kind {
		case ocopUnlisted:
			text, integer, date = st.rowRedWrap, st.rowRedInt, st.rowRedDate
		case ocopExpired:
			text, integer, date = st.rowAmberWrap, st.rowAmberInt, st.rowAmberDate
		}
		cells := []cell{{i + 1, integer}}
		if sc.withDistricts() {
			dn := ""
			if dist := sc.districtOf[p.Commune]; dist != nil {
				dn = dist.Name
			}
			cells = append(cells, cell{dn, text})
		}
		cn := p.Commune
		if u := d.units[p.Commune]; u != nil {
			cn = u.Name
		}
		dateCell := func(t *time.Time) cell {
			if t == nil {
				return cell{nil, date}
			}
			return cell{*t, date}
		}
		platforms := p.activePlatforms()
		var notes []string
		switch kind {
		case ocopUnlisted:
			notes = append(notes, "Cần đưa lên ít nhất một sàn TMĐT")
		case ocopExpired:
			notes = append(notes, "Không tính vào điều kiện 5")
		}
		var stopped []string
		for _, l := range p.Listings {
			if !l.Active {
				stopped = append(stopped, platformLabel(l.Platform))
			}
		}
		if len(stopped) > 0 {
			notes = append(notes, "Ngừng bán trên "+strings.Join(stopped, ", "))
		}
		if p.Listed != "" {
			old := p.Listed
			if v := w.oldUnit(ctx, p.Listed); v != "" {
				old = v
			}
			if p.Shared {
				notes = append(notes, "Sản phẩm của "+old+", đã chia cho nhiều xã: tính cho mỗi xã kế tiếp")
			} else {
				notes = append(notes, "Danh sách ghi "+old)
			}
		}
		cells = append(cells, cell{cn, text}, cell{p.Name, text}, cell{p.Code, text}, cell{p.Stars, integer},
			cell{p.Owner, text}, cell{p.Decision, text}, dateCell(p.Certified), dateCell(p.Expires),
			cell{label, text}, cell{len(platforms), integer}, cell{strings.Join(platforms, ", "), text},
			cell{strings.Join(notes, "; "), text})
		if err := w.streamRowOf(sw, sh, top+1+i, cells...); err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		if err := w.f.AutoFilter(sh, rangeRef(1, top, ncols, last), nil); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// ocopCounts is a scope's products at the period end, for the summary.
func ocopCounts(ps []ocopProduct, end time.Time) (valid, listed int) {
	for i := range ps {
		switch _, k := ocopState(&ps[i], end); k {
		case ocopListed:
			valid++
			listed++
		case ocopUnlisted:
			valid++
		}
	}
	return valid, listed
}

// oldUnit names a commune code as the unit it was before the period end: "Xã Bính Xá (cũ,
// 06622)"; "" when the structure does not know it.
func (w *workbook) oldUnit(ctx context.Context, code string) string {
	h, err := w.history(ctx) // read by currentProducts, which found the product
	if err != nil {
		return ""
	}
	end := w.d.period.End()
	vs := h.Versions(code)
	for i := len(vs) - 1; i >= 0; i-- {
		if !vs[i].InForce(end) && vs[i].From.Before(end) {
			return fmt.Sprintf("%s (cũ, %s)", vs[i].Name, vs[i].Code)
		}
	}
	return ""
}
