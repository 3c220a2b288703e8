package evaluate

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"ntm"
)

// With one loaded batch of records, loadDossiers reads them without sorting every record by
// dossier id (dvc_dossier_records_one_batch.sql); its rows are the general query's, split at the
// structure's changes and across units, and the evaluation's results follow from them.
func TestDossierRecordsOneBatchAsTheGeneralQuery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.langSon()
	rb := f.batch(ntm.DatasetDVCDossierRecords)
	for i, u := range []string{"06463", "06463", "06523", "06463", "06523", "06463"} {
		on := d("2024-01-05").AddDate(0, i, 3*i)
		f.record(rb, fmt.Sprintf("H%d", i), u, on, []string{"online", "in_person"}[i%2], i%3 != 0)
	}
	f.record(rb, "H9", "06463", d("2023-12-31"), "online", true) // before the window
	old := f.batch(ntm.DatasetDVCDossierRecords)
	f.record(old, "H1", "06523", d("2024-02-01"), "online", true) // a revoked batch's record counts nowhere
	f.revoke(old)
	from, to := d("2024-01-01"), d("2024-12-31")
	read := func(sql string, args ...any) []string {
		rows, err := f.pool.Query(f.ctx, sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var code string
			var received, full int64
			var first, last time.Time
			if err := rows.Scan(&code, &received, &full, &first, &last); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(code, received, full, first.Format(time.DateOnly), last.Format(time.DateOnly)))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out) // the one-batch query's rows come in no order
		return out
	}
	for _, cuts := range [][]time.Time{nil, {d("2024-04-01")}, {d("2024-03-01"), d("2024-07-01")}} {
		general := read(query("dvc_dossier_records"), from, to, cuts)
		one := read(query("dvc_dossier_records_one_batch"), from, to, cuts, rb)
		if fmt.Sprint(general) != fmt.Sprint(one) || len(one) < 2 {
			t.Errorf("cuts %v: one batch %v, general %v", cuts, one, general)
		}
	}
	var batches []int64
	if err := f.pool.QueryRow(f.ctx, `SELECT ARRAY(`+query("dvc_dossier_record_batches")+`)`).Scan(&batches); err != nil || len(batches) != 1 || batches[0] != rb {
		t.Fatalf("record batches %v (%v), want [%d]: the revoked one is not loaded", batches, err, rb)
	}
	rs := f.evaluate("2024-12")
	// 06463: H0 (online, not full), H1 (in person), H3 (in person, full), H5 (in person, full): 0 of 4.
	want(t, rs, "06463/D95_DOSSIERS", ntm.StatusNotMet, "0")
}
