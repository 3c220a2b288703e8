package evaluate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"ntm"
)

// "No data → empty value" (docs/cli.md), for every criterion as printed by ntm results. A
// smart village still undecided (5 met, 1 without data) keeps its partial count internally
// (the explanation says "Đạt 5/6"), but the CSV, table and JSON print no value for it.
func TestNoDataPrintsNoValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	sb := f.batch(ntm.DatasetVillageSurvey)
	f.batch(ntm.DatasetOCOPProducts)                   // an empty product list: every V5 met
	f.survey(sb, "06523-001", d("2024-12-01"), allYes) // no address data → V4 no data
	f.evaluate("2024-12")
	rs, err := Results(f.ctx, f.pool, ntm.Period{Year: 2024, Month: 12}, "")
	if err != nil {
		t.Fatal(err)
	}
	var sv []Result
	for _, r := range rs {
		if r.UnitCode == "06523-001" && r.Criterion == KeySmartVillage {
			sv = append(sv, r)
		}
	}
	if len(sv) != 1 || sv[0].Status != ntm.StatusNoData {
		t.Fatalf("smart village result %+v", sv)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, Builtin(), sv); err != nil {
		t.Fatal(err)
	}
	if want := CSVHeader + "\n2024-12,06523-001," + sv[0].UnitName + ",village,SMART_VILLAGE,no_data,,6,langson-2021," + Builtin().Version() + ",built-in\n"; b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	// Every no-data row of the evaluation prints an empty value.
	b.Reset()
	if err := WriteCSV(&b, Builtin(), rs); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n")[1:] {
		if f := strings.Split(line, ","); strings.Contains(line, ",no_data,") && f[len(f)-5] != "" {
			t.Errorf("no-data row with a value: %s", line)
		}
	}
	b.Reset()
	if err := WriteJSON(&b, Builtin(), sv); err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back[0]["value"] != nil || back[0]["value_num"] != nil || back[0]["threshold"] != "6" {
		t.Errorf("JSON: %s", b.String())
	}
	b.Reset()
	if err := WriteTable(&b, sv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Đạt 5/6 điều kiện") {
		t.Errorf("table lost the explanation:\n%s", b.String())
	}
}
