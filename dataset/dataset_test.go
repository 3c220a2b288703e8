package dataset_test

import (
	"context"
	"slices"
	"testing"

	"ntm"
	"ntm/dataset"
	"ntm/db/dbtest"
)

// Every declared fact table is the migrated table: the same columns, in the same order, of the
// same types and nullability, batch_id first. A migration that adds, drops, retypes or reorders
// a column without the declaration (or the reverse) fails here, not in a load.
func TestTablesMatchTheMigratedDatabase(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	for _, tb := range dataset.Tables() {
		rows, err := pool.Query(context.Background(), `SELECT column_name, data_type, is_nullable = 'YES'
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		var got []dataset.Column
		for rows.Next() {
			var c dataset.Column
			if err := rows.Scan(&c.Name, &c.Type, &c.Nullable); err != nil {
				t.Fatal(err)
			}
			got = append(got, c)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := append([]dataset.Column{{Name: "batch_id", Type: "bigint"}}, tb.Columns...)
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n migrated %v\n declared %v", tb.Name, got, want)
		}
		if tb.Columns[0].Name != "sheet" || tb.Columns[1].Name != "row_no" {
			t.Errorf("%s: the first columns must be sheet and row_no", tb.Name)
		}
	}
}

// Every dataset ntm accepts is declared, once, with a label of its own and a key description;
// every one but the units has a fact table.
func TestEveryDatasetDeclared(t *testing.T) {
	t.Parallel()
	labels := map[string]ntm.Dataset{}
	for _, k := range ntm.Datasets {
		d := dataset.Of(k)
		if d == nil {
			t.Errorf("dataset %s has no declaration", k)
			continue
		}
		if d.Label == "" || d.KeyText == "" {
			t.Errorf("%s: label %q, key %q", k, d.Label, d.KeyText)
		}
		if other, dup := labels[d.Label]; dup {
			t.Errorf("%s and %s share the label %q", k, other, d.Label)
		}
		labels[d.Label] = k
		if (d.Table() == nil) != (k == ntm.DatasetUnits) {
			t.Errorf("%s: tables %v", k, d.Tables)
		}
	}
	if len(dataset.All) != len(ntm.Datasets) {
		t.Errorf("%d declarations for %d datasets", len(dataset.All), len(ntm.Datasets))
	}
	if dataset.Label("nope") != "nope" {
		t.Errorf("an unknown key is shown as it is")
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	got := dataset.Missing(map[ntm.Dataset]bool{ntm.DatasetVpostcode: true, ntm.DatasetDVCDossierRecords: true})
	want := []ntm.Dataset{ntm.DatasetVillageSurvey, ntm.DatasetOCOPProducts, ntm.DatasetOCOPListings, ntm.DatasetDVCProcedures}
	if !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v (record-level dossiers stand in for the statistics)", got, want)
	}
}
