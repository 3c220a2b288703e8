package sample

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
)

// The real Lạng Sơn 2022–2024 structure (sample/data/langson_units_2022.csv; sources in sample/data/SOURCES.md).
//
//go:embed data/langson_units_2022.csv
var langSonUnits2022 []byte

// Real Lạng Sơn OCOP product names (sample/data/langson_ocop_partial.csv; sources in sample/data/SOURCES.md).
//
//go:embed data/langson_ocop_partial.csv
var langSonOCOPPartial []byte

// unitList is a province's district and commune structure: the input every generator is
// parametrised by (a national variant would pass another list).
type unitList struct {
	ProvinceCode, ProvinceName string
	Districts                  []*district
}

type district struct {
	Code, Name, Kind string // "187", "Huyện Chi Lăng", "Huyện"
	Communes         []*commune
}

// Bare is the name without its kind ("Chi Lăng").
func (d *district) Bare() string { return strings.TrimSpace(strings.TrimPrefix(d.Name, d.Kind)) }

type commune struct {
	Code, Name, Kind string // "06523", "Xã Chi Lăng", "Xã"
	District         *district
	Villages         []*village
	Products         []*product

	pilot    bool // designed to have smart villages
	ocopPlan ocopPlan
}

func (c *commune) Bare() string { return strings.TrimSpace(strings.TrimPrefix(c.Name, c.Kind)) }
func (c *commune) Urban() bool  { return c.Kind != "Xã" }

func langSonUnits() (*unitList, error) {
	r := csv.NewReader(bytes.NewReader(langSonUnits2022))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("sample: embedded Lạng Sơn unit list: %w", err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("sample: embedded Lạng Sơn unit list is empty")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"province_code", "province_name", "district_code", "district_name", "district_kind", "commune_code", "commune_name", "commune_kind"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("sample: embedded Lạng Sơn unit list has no column %q", h)
		}
	}
	ul := &unitList{}
	byCode := map[string]*district{}
	for _, rec := range recs[1:] {
		ul.ProvinceCode, ul.ProvinceName = rec[col["province_code"]], rec[col["province_name"]]
		dc := rec[col["district_code"]]
		d := byCode[dc]
		if d == nil {
			d = &district{Code: dc, Name: rec[col["district_name"]], Kind: rec[col["district_kind"]]}
			byCode[dc] = d
			ul.Districts = append(ul.Districts, d)
		}
		d.Communes = append(d.Communes, &commune{
			Code: rec[col["commune_code"]], Name: rec[col["commune_name"]], Kind: rec[col["commune_kind"]], District: d,
		})
	}
	return ul, nil
}

// bare is a copy of the list's structure, its communes without villages or products: what a
// plan starts from.
func (ul *unitList) bare() *unitList {
	out := &unitList{ProvinceCode: ul.ProvinceCode, ProvinceName: ul.ProvinceName, Districts: make([]*district, len(ul.Districts))}
	for i, d := range ul.Districts {
		nd := &district{Code: d.Code, Name: d.Name, Kind: d.Kind, Communes: make([]*commune, len(d.Communes))}
		for j, c := range d.Communes {
			nd.Communes[j] = &commune{Code: c.Code, Name: c.Name, Kind: c.Kind, District: nd}
		}
		out.Districts[i] = nd
	}
	return out
}

// communeByCode finds a commune in the list.
func (ul *unitList) communeByCode(code string) *commune {
	for _, d := range ul.Districts {
		for _, c := range d.Communes {
			if c.Code == code {
				return c
			}
		}
	}
	return nil
}

func (ul *unitList) districtByCode(code string) *district {
	for _, d := range ul.Districts {
		if d.Code == code {
			return d
		}
	}
	return nil
}

func (ul *unitList) communes() []*commune {
	var out []*commune
	for _, d := range ul.Districts {
		out = append(out, d.Communes...)
	}
	return out
}

func (ul *unitList) villages() []*village {
	var out []*village
	for _, c := range ul.communes() {
		out = append(out, c.Villages...)
	}
	return out
}
