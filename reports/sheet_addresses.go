package reports

import (
	"context"
	"fmt"

	"ntm"
	"ntm/vnfmt"
)

// addressScopeSQL is the scope's villages (those with a V4_ADDRESS result of the evaluation) and
// the digital-address figures the evaluation read for each, from the result's detail: its own
// newest figures, or its predecessors' combined after a change of structure — never another
// village's facts under a code the reform reused. counted is true when the criterion decided on
// them (not stale, not a data error): only those are "with data" and in the sums. $1 evaluation,
// $2 commune order (jsonb).
const addressScopeSQL = `
WITH vf AS (
    SELECT r.unit_code, r.unit_name, r.parent_code, r.status, r.explanation,
           (r.detail ->> 'as_of')::date AS as_of,
           (r.detail ->> 'households_total')::bigint AS households_total,
           (r.detail ->> 'households_with')::bigint AS households_with,
           (r.detail ->> 'orgs_total')::bigint AS orgs_total,
           (r.detail ->> 'orgs_with')::bigint AS orgs_with,
           r.status <> 'no_data' AND r.detail ? 'households_total' AS counted,
           coalesce((r.detail ->> 'stale')::boolean, false) AS stale
    FROM jsonb_object_keys($2::jsonb) AS sc(code)
    CROSS JOIN LATERAL (SELECT * FROM result r
         WHERE r.evaluation_id = $1 AND r.level = 'village' AND r.parent_code = sc.code AND r.criterion = 'V4_ADDRESS' OFFSET 0) r
)`

// addressTotals sums the coverage of the scope's villages with data.
type addressTotals struct {
	Villages, WithData    int
	HouseTotal, HouseWith int64
	OrgTotal, OrgWith     int64
	Complete              int // villages with every household and organisation addressed
	Stale                 int
}

// addressTotals sums the scope's villages' figures as the evaluation counted them (addressScopeSQL:
// stale figures and a zero total are no data, neither "with data" nor in the sums), from the
// province's villages read once (villages).
func (w *workbook) addressTotals(ctx context.Context) (addressTotals, error) {
	var t addressTotals
	err := w.addressRows(ctx, func(a *addressRow) error {
		t.Villages++
		if a.stale {
			t.Stale++
		}
		if !a.counted {
			return nil
		}
		t.WithData++
		if a.ht != nil {
			t.HouseTotal += *a.ht
		}
		if a.hw != nil {
			t.HouseWith += *a.hw
		}
		if a.ot != nil {
			t.OrgTotal += *a.ot
		}
		if a.ow != nil {
			t.OrgWith += *a.ow
		}
		if a.ht != nil && a.hw != nil && a.ot != nil && a.ow != nil && *a.hw == *a.ht && *a.ow == *a.ot {
			t.Complete++
		}
		return nil
	})
	return t, err
}

// addressTotalsOf sums the coverage of the scope's villages evaluated by evalID, in the database
// (the previous period's, whose scope may differ).
func (w *workbook) addressTotalsOf(ctx context.Context, evalID int64) (addressTotals, error) {
	var t addressTotals
	err := w.q.QueryRow(ctx, addressScopeSQL+`
		-- Only the data the criteria count: stale figures (and a zero total) are no data, so
		-- they are neither "with data" nor in the sums.
		SELECT count(*), count(*) FILTER (WHERE counted),
		       coalesce(sum(households_total) FILTER (WHERE counted), 0), coalesce(sum(households_with) FILTER (WHERE counted), 0),
		       coalesce(sum(orgs_total) FILTER (WHERE counted), 0), coalesce(sum(orgs_with) FILTER (WHERE counted), 0),
		       count(*) FILTER (WHERE counted AND households_with = households_total AND orgs_with = orgs_total),
		       count(*) FILTER (WHERE stale)
		FROM vf`,
		evalID, w.sc.communeOrder()).
		Scan(&t.Villages, &t.WithData, &t.HouseTotal, &t.HouseWith, &t.OrgTotal, &t.OrgWith, &t.Complete, &t.Stale)
	if err != nil {
		return t, fmt.Errorf("sum the digital addresses: %w", err)
	}
	return t, nil
}

// communeAddresses is, per commune of the province, the households with a digital address and
// all households of its villages whose figures the evaluation counted (the peers' ranking on the
// verdict), read once per period.
func (w *workbook) communeAddresses(ctx context.Context) (map[string][2]int64, error) {
	c := w.d.addrByCommune
	c.once.Do(func() {
		c.m = map[string][2]int64{}
		rows, err := w.q.Query(ctx, `
			SELECT parent_code, sum((detail ->> 'households_with')::bigint), sum((detail ->> 'households_total')::bigint)
			FROM result
			WHERE evaluation_id = $1 AND level = 'village' AND criterion = 'V4_ADDRESS'
			  AND status <> 'no_data' AND detail ? 'households_total'
			GROUP BY parent_code`, w.d.eval.ID)
		if err != nil {
			c.err = fmt.Errorf("sum the digital addresses per commune: %w", err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var with, total int64
			if c.err = rows.Scan(&code, &with, &total); c.err != nil {
				return
			}
			c.m[code] = [2]int64{with, total}
		}
		if c.err = rows.Err(); c.err != nil {
			return
		}
		// Each province's peers with their households summed over their communes, ranked by the rate.
		sums := map[string][2]int64{}
		for _, s := range w.d.scopes() {
			if s.province {
				continue
			}
			var x [2]int64
			for _, cm := range s.communes {
				x[0] += c.m[cm.Code][0]
				x[1] += c.m[cm.Code][1]
			}
			sums[s.unit.Code] = x
		}
		withHouseholds := map[string][]peer{}
		for province, list := range w.d.peersByProvince() {
			ps := append([]peer(nil), list...)
			for i := range ps {
				ps[i].hhWith, ps[i].hhTotal = sums[ps[i].code][0], sums[ps[i].code][1]
			}
			withHouseholds[province] = ps
		}
		c.ranking = rankingsByProvince(withHouseholds, func(p peer) bool { return p.hhTotal > 0 },
			func(a, b peer) bool { return a.hhWith*b.hhTotal > b.hhWith*a.hhTotal })
	})
	return c.m, c.err
}

// addressRanking ranks the workbook's province's recipients by the digital-address rate of their
// households, over the villages whose figures the evaluation counted; built once per run.
func (w *workbook) addressRanking(ctx context.Context) (*ranking, error) {
	if _, err := w.communeAddresses(ctx); err != nil {
		return nil, err
	}
	return rankingIn(w.d.addrByCommune.ranking, w.sc.provinceCode()), nil
}

// writeAddresses writes one row per village: households and organisations, with and without a
// digital address, the rates (rounded down) and the V4_ADDRESS status. Streamed.
func (w *workbook) writeAddresses(ctx context.Context) error {
	const sh = sheetAddresses
	d, sc, st := w.d, w.sc, w.st
	t, err := w.addressTotals(ctx)
	if err != nil {
		return err
	}
	var cols []string
	var widths []float64
	add := func(name string, width float64) {
		cols = append(cols, name)
		widths = append(widths, width)
	}
	// Sized to print on one page width at 8 pt or more: names and the explanation wrap.
	add("STT", 5)
	if sc.withDistricts() {
		add("Huyện", 12)
	}
	add("Xã", 12)
	add("Thôn", 16)
	add("Mã thôn", 11)
	add("Ngày số liệu", 11)
	add("Tổng số hộ", 8)
	add("Hộ đã có địa chỉ số", 8)
	add("Hộ chưa có địa chỉ số", 8)
	add("Tỷ lệ hộ có địa chỉ số", 8)
	add("Tổng số cơ quan, tổ chức", 8)
	add("Cơ quan, tổ chức đã có địa chỉ số", 8)
	add("Cơ quan, tổ chức chưa có", 8)
	add("Tỷ lệ cơ quan, tổ chức", 8)
	add("Điều kiện 4", 10)
	add("Giải thích", 34)
	ncols := len(cols)
	const top = 6
	last := top + max(1, t.Villages)
	sw, err := w.streamSheet(sh, last, widths, fmt.Sprintf("$%d:$%d", top, top), freezePanes(top+1, 1))
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("%s/%s thôn có số liệu; %s/%s hộ (%s) và %s/%s cơ quan, tổ chức (%s) đã có địa chỉ số; %s thôn đạt điều kiện 4 về số liệu.",
		vnfmt.Int(int64(t.WithData)), vnfmt.Int(int64(t.Villages)),
		vnfmt.Int(t.HouseWith), vnfmt.Int(t.HouseTotal), orDash(percentText(t.HouseWith, t.HouseTotal, false)),
		vnfmt.Int(t.OrgWith), vnfmt.Int(t.OrgTotal), orDash(percentText(t.OrgWith, t.OrgTotal, false)),
		vnfmt.Int(int64(t.Complete)))
	if t.Stale > 0 {
		summary += fmt.Sprintf(" %s thôn có số liệu cũ hơn %d tháng (không được tính).", vnfmt.Int(int64(t.Stale)), d.eval.StaleMonths)
	}
	period := periodText(d.period)
	if sc.province {
		period += ". " + screenNote
		if err := w.screenOnly(sh, ncols, top); err != nil {
			return err
		}
	}
	head := []cell{
		{"ĐỊA CHỈ SỐ (VPOSTCODE) THEO THÔN – " + sc.unit.Name, st.title},
		w.plain(period),
		w.plain(summary),
		{"Điều kiện 4: mọi hộ gia đình và mọi cơ quan, tổ chức, doanh nghiệp của thôn đã được gắn địa chỉ số (thôn không có cơ quan, tổ chức thì phần đó coi như đạt).", st.subtitle},
	}
	if err := w.streamTitle(sw, head, top, cols); err != nil {
		return err
	}
	row := top + 1
	err = w.addressRows(ctx, func(a *addressRow) error {
		cells := []cell{w.num(row - top)}
		if sc.withDistricts() {
			dn := ""
			if dist := sc.districtOf[a.commune]; dist != nil {
				dn = dist.Name
			}
			cells = append(cells, w.wrap(dn))
		}
		cn := a.commune
		if u := d.units[a.commune]; u != nil {
			cn = u.Name
		}
		cells = append(cells, w.wrap(cn), w.wrap(a.name), w.txt(a.code))
		if a.asOf == nil {
			cells = append(cells, cell{nil, st.date}, w.txt(""), w.txt(""), w.txt(""), w.txt(""), w.txt(""), w.txt(""), w.txt(""), w.txt(""))
		} else {
			ht, hw, ot, ow := *a.ht, *a.hw, *a.ot, *a.ow
			cells = append(cells, cell{*a.asOf, st.date},
				cell{ht, st.integer}, cell{hw, st.integer}, cell{ht - hw, st.integer}, w.pct(hw, ht),
				cell{ot, st.integer}, cell{ow, st.integer}, cell{ot - ow, st.integer}, w.pct(ow, ot))
		}
		cells = append(cells, w.statusCell(ntm.Status(a.status)), w.wrap(a.expl))
		if err := w.streamRowOf(sw, sh, row, cells...); err != nil {
			return err
		}
		row++
		return nil
	})
	if err != nil {
		return err
	}
	if row == top+1 {
		if err := w.streamRowSpans(sw, sh, row, []cell{w.plain(""), w.wrapPlain("Chưa có kết quả đánh giá địa chỉ số của thôn nào.")}, map[int]int{2: ncols}); err != nil {
			return err
		}
	} else if err := w.f.AutoFilter(sh, rangeRef(1, top, ncols, row-1), nil); err != nil {
		return err
	}
	return sw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
