// Package dataset declares every kind of input ntm loads, once: its key, its one Vietnamese
// label, the fact tables its rows become with their typed columns, whether its facts carry an
// as-of date, how its key reads in a duplicate-row message, whether the criteria read it and
// whether `ntm template` writes a fill-in workbook for it. The loader (transform) derives its
// COPY column lists from the tables declared here, the reports and the console their labels and
// the data-quality sheet its missing datasets; a test compares every declared table with the
// migrated database (information_schema), so the DDL and the declaration cannot drift apart.
//
// How a dataset's headers are recognised (fields and synonyms) and how a row becomes facts
// (its parser) stay in transform; docs/extending.md walks through adding a dataset.
package dataset

import (
	"fmt"
	"slices"

	"ntm"
)

// Type is a column's SQL type as the loader writes it.
type Type string

const (
	Text     Type = "text"
	Int      Type = "integer"
	SmallInt Type = "smallint"
	Date     Type = "date"
	Bool     Type = "boolean"
)

// Column is one column of a fact table.
type Column struct {
	Name     string
	Type     Type
	Nullable bool // NULL stands for unknown (a blank answer); false: NOT NULL
}

// Table is a fact table: its columns in the order the loader COPYs them. Every fact table
// starts with batch_id (bigint NOT NULL), written by the loader and not listed here; the
// first two listed are always sheet and row_no, where the fact was read.
type Table struct {
	Name    string
	Columns []Column
}

// Names are the table's column names in COPY order (without batch_id).
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Index is the position of column name in the COPY order (without batch_id); it panics for a
// column the table does not have, so a misspelt name fails at start-up, not in a load.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	panic(fmt.Sprintf("dataset: table %s has no column %s", t.Name, name))
}

// Dataset is the declaration of one kind of input.
type Dataset struct {
	Key   ntm.Dataset
	Label string // the office's name for it, in every workbook, console page and message
	// Tables are the fact tables its rows become, the main one first (an OCOP product list with
	// platform columns also yields listings). None for the units, which go to the unit tables.
	Tables []*Table
	// AsOf: its facts carry an as-of date (a column, the title, --as-of or the period's end).
	AsOf bool
	// KeyText says which rows count as the same fact, after "trùng khóa (…)".
	KeyText string
	// Criteria: the criteria read it, so the data-quality sheet names it when no file of it is
	// loaded. Covered is a dataset that stands in for this one when loaded (record-level
	// dossiers for the dossier statistics).
	Criteria  bool
	CoveredBy ntm.Dataset
	// Template: `ntm template` writes a fill-in workbook for it.
	Template bool
	// Rows is the level of the units its rows name (a group row "I. Huyện …" above it is a
	// heading, not data); "" for rows that name records (a dossier, a listing), not units.
	Rows ntm.Level
}

// Table is the main fact table (nil for the units).
func (d *Dataset) Table() *Table {
	if len(d.Tables) == 0 {
		return nil
	}
	return d.Tables[0]
}

func cols(extra ...Column) []Column {
	return append([]Column{{"sheet", Text, false}, {"row_no", Int, false}}, extra...)
}

func text(n string) Column  { return Column{n, Text, false} }
func count(n string) Column { return Column{n, Int, false} }
func date(n string) Column  { return Column{n, Date, false} }
func maybe(c Column) Column { c.Nullable = true; return c }

// The fact tables.
var (
	VpostcodeTable = &Table{"fact_vpostcode", cols(text("village_code"), date("as_of"),
		count("households_total"), count("households_with"), count("orgs_total"), count("orgs_with"))}
	SurveyTable = &Table{"fact_village_survey", cols(text("village_code"), date("as_of"),
		maybe(Column{"team", Bool, false}), text("team_decision"), maybe(Column{"platform", Bool, false}), text("platform_name"),
		maybe(Column{"wifi", Bool, false}), maybe(count("models")), text("model_fields"))}
	ProductTable = &Table{"fact_ocop_product", cols(text("product_key"), text("product_code"), text("name"),
		text("folded_name"), Column{"stars", SmallInt, false}, text("category"), text("owner"), text("folded_owner"),
		text("commune_code"), maybe(text("village_code")), text("decision_no"), maybe(date("certified_on")), maybe(date("expires_on")))}
	ListingTable = &Table{"fact_ocop_listing", cols(text("product_code"), text("product_name"), text("folded_name"),
		text("folded_owner"), text("platform"), text("url"), maybe(date("listed_on")), Column{"active", Bool, false})}
	ProceduresTable = &Table{"fact_dvc_procedures", cols(text("unit_code"), date("as_of"), maybe(count("total")),
		count("eligible"), count("full_online"), count("partial_online"))}
	DossiersTable = &Table{"fact_dvc_dossiers", cols(text("unit_code"), date("period_from"), date("period_to"),
		text("period_label"), count("received"), maybe(count("received_online")), count("full_online"))}
	RecordsTable = &Table{"fact_dvc_dossier_record", cols(text("dossier_id"), text("unit_code"), date("received_on"),
		text("channel"), Column{"full_process", Bool, false})}
	VNeIDTable = &Table{"fact_vneid", cols(text("unit_code"), date("as_of"), count("citizens"), count("activated"))}
)

// All declares every dataset, in the order the office reads them (the data-quality sheet lists
// missing datasets in this order).
var All = []*Dataset{
	{Key: ntm.DatasetUnits, Label: "Danh mục đơn vị hành chính", KeyText: "cùng mã đơn vị và ngày hiệu lực"},
	{Key: ntm.DatasetVillageSurvey, Label: "Phiếu tự đánh giá của thôn", Tables: []*Table{SurveyTable}, AsOf: true,
		KeyText: "cùng thôn và ngày số liệu", Criteria: true, Template: true, Rows: ntm.LevelVillage},
	{Key: ntm.DatasetVpostcode, Label: "Địa chỉ số (Vpostcode)", Tables: []*Table{VpostcodeTable}, AsOf: true,
		KeyText: "cùng thôn và ngày số liệu", Criteria: true, Template: true, Rows: ntm.LevelVillage},
	{Key: ntm.DatasetOCOPProducts, Label: "Sản phẩm OCOP", Tables: []*Table{ProductTable, ListingTable},
		KeyText: "cùng mã sản phẩm, hoặc cùng tên, chủ thể và xã", Criteria: true, Template: true, Rows: ntm.LevelCommune},
	{Key: ntm.DatasetOCOPListings, Label: "Sản phẩm OCOP trên sàn TMĐT", Tables: []*Table{ListingTable},
		KeyText: "cùng sản phẩm và sàn", Criteria: true, Template: true},
	{Key: ntm.DatasetDVCProcedures, Label: "TTHC cung cấp dịch vụ công trực tuyến", Tables: []*Table{ProceduresTable}, AsOf: true,
		KeyText: "cùng đơn vị và ngày số liệu", Criteria: true, Rows: ntm.LevelCommune},
	{Key: ntm.DatasetDVCDossiers, Label: "Hồ sơ dịch vụ công (số liệu tổng hợp)", Tables: []*Table{DossiersTable},
		KeyText: "cùng đơn vị và kỳ báo cáo", Criteria: true, CoveredBy: ntm.DatasetDVCDossierRecords, Rows: ntm.LevelCommune},
	{Key: ntm.DatasetDVCDossierRecords, Label: "Hồ sơ dịch vụ công (từng hồ sơ)", Tables: []*Table{RecordsTable},
		KeyText: "cùng mã hồ sơ"},
	// VNeID accounts per commune at a date (the police's activation statistics): read, stored and
	// listed among the workbooks' sources; no criterion reads it yet.
	{Key: ntm.DatasetVNeID, Label: "Tài khoản định danh điện tử (VNeID)", Tables: []*Table{VNeIDTable}, AsOf: true,
		KeyText: "cùng đơn vị và ngày số liệu", Rows: ntm.LevelCommune},
}

// Of returns the declaration of dataset key, or nil.
func Of(key ntm.Dataset) *Dataset {
	i := slices.IndexFunc(All, func(d *Dataset) bool { return d.Key == key })
	if i < 0 {
		return nil
	}
	return All[i]
}

// Label is the office's name for dataset key ("" names no dataset: the console's "detect").
// A key ntm does not know is shown as it is.
func Label(key string) string {
	if d := Of(ntm.Dataset(key)); d != nil {
		return d.Label
	}
	return key
}

// Tables lists every fact table once.
func Tables() []*Table {
	var out []*Table
	for _, d := range All {
		for _, t := range d.Tables {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// Missing are the datasets the criteria read that loaded holds none of (loaded: the datasets of
// the period's loaded files), in the order of All.
func Missing(loaded map[ntm.Dataset]bool) []ntm.Dataset {
	var out []ntm.Dataset
	for _, d := range All {
		if d.Criteria && !loaded[d.Key] && (d.CoveredBy == "" || !loaded[d.CoveredBy]) {
			out = append(out, d.Key)
		}
	}
	return out
}

// Templates are the datasets `ntm template` writes.
func Templates() []ntm.Dataset {
	var out []ntm.Dataset
	for _, d := range All {
		if d.Template {
			out = append(out, d.Key)
		}
	}
	return out
}
