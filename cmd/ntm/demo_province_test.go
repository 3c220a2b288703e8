package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm"
	"ntm/db/dbtest"
	"ntm/sample"
)

// Parts of the demo that wait for other streams. While one is pending, the demo still runs that
// part end to end and the test logs how far the results are from the design instead of failing;
// the stream that lands the capability sets it to false in the same commit (and fixes what differs).
const (
	// The evaluation counts facts through the successor lineage, C8 for xã only, 9.5 per commune
	// without districts (criteria stream; docs/structure-changes.md §5).
	pendingLineage = false
	// Workbooks follow the structure in force at the period's end: 65 communes + the province for
	// 2026-11 (workbooks stream; docs/structure-changes.md §7).
	pendingRecipients = false
	// Rows naming old units after the change resolve to their successor, old-district group rows
	// reject nothing (structure and rows streams; docs/structure-changes.md §6): until then some
	// 2025–2026 exports are rejected whole.
	pendingOldNames = false
)

// TestDemoEndToEnd runs the demo on a fresh database and checks that every result matches the
// status the sample data was designed to produce — at 2024-12 on the old structure and, where this
// build loads changes of structure, at 2025-09 and 2026-11 on the 65 communes —, that every
// workbook is written, and that a second run loads nothing new and changes no result.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("the province-scale demo takes a while")
	}
	url := dbtest.URL(t)
	out := t.TempDir()
	code, stdout, stderr := ntmRun(t, "demo", "--out", out, "--database-url", url)
	if code != exitOK {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"thôn thông minh (SMART_VILLAGE)", "xã đạt tiêu chí 8", "huyện đạt chỉ tiêu 9.5", "tệp báo cáo", "Bộ tiêu chí: Bộ tiêu chí thôn thông minh"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	// 2026-11 is decided by the built-in 2021–2025 set: the demo warns as ntm evaluate does, once
	// (2024-12 and 2025-09 are within the set's years).
	if n := strings.Count(stderr, "Cảnh báo: Kỳ 2026-11 được đánh giá theo bộ tiêu chí giai đoạn 2021–2025 có sẵn trong ntm (langson-2021)"); n != 1 || strings.Contains(stderr, "Cảnh báo: Kỳ 2024-12") || strings.Contains(stderr, "Cảnh báo: Kỳ 2025-09") {
		t.Errorf("demo warnings (%d for 2026-11):\n%s", n, stderr)
	}
	books, _ := filepath.Glob(filepath.Join(out, "reports", "2024-12", "*.xlsx"))
	if len(books) != 12 { // 11 districts and the province
		t.Errorf("workbooks: got %d (%v), want 12", len(books), books)
	}
	man, err := sample.LangSon(sample.Options{Dir: filepath.Join(out, "inputs"), Seed: 2024, Period: demoPeriod, Reform: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range man.Files { // the 2025–2026 exports are written in every case
		if _, err := os.Stat(f.Path); err != nil {
			t.Errorf("the demo did not write %s", f.Path)
		}
	}
	reformRan := !strings.Contains(stdout, "chưa nhập được danh mục đơn vị có hiệu lực từ một ngày")
	if !reformRan && strings.Contains(stdout, "2026-11") {
		t.Errorf("the demo says it skipped the 2025 changes, yet shows 2026-11:\n%s", stdout)
	}
	compareDemoResults(t, url, man, demoPeriod, false)
	if reformRan {
		for _, per := range sample.ReformPeriods {
			compareDemoResults(t, url, man, per, pendingLineage)
		}
		// New Xã Chi Lăng's third-quarter dossiers, listed under the three units it was formed from,
		// are summed into it (docs/structure-changes.md §6).
		if !strings.Contains(stdout, "đã cộng số hồ sơ của 3 đơn vị cũ vào Xã Chi Lăng (06463)") {
			t.Errorf("the demo does not say that it summed the old units' dossiers into Xã Chi Lăng:\n%s", stdout)
		}
		if !strings.Contains(stdout, ", 0 tệp bị loại cả tệp)") {
			if pendingOldNames {
				t.Log("pending (structure, rows streams): some 2025–2026 exports are rejected whole")
			} else {
				t.Errorf("2025–2026 exports rejected whole:\n%s", stdout)
			}
		}
		books, _ := filepath.Glob(filepath.Join(out, "reports", "2026-11", "*.xlsx"))
		if len(books) != 66 { // 65 communes and the province
			if pendingRecipients {
				t.Logf("pending (workbooks stream): 2026-11 workbooks: got %d, want 66", len(books))
			} else {
				t.Errorf("2026-11 workbooks: got %d, want 66 (65 communes and the province)", len(books))
			}
		}
	} else {
		t.Log("pending (structure stream): this build cannot import a structure from a date; the 2025–2026 part of the demo was skipped")
	}

	// A second run loads nothing new, and the results stay as designed.
	code, stdout, stderr = ntmRun(t, "demo", "--out", out, "--database-url", url)
	if code != exitOK {
		t.Fatalf("second demo: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Đã nạp 0 tệp") {
		t.Errorf("second demo loaded files again:\n%s", stdout)
	}
	if reformRan && !strings.Contains(stdout, "Đã nạp 0 tệp năm 2025–2026 và 0 tệp danh mục đơn vị") && !pendingOldNames {
		t.Errorf("second demo loaded 2025–2026 files again:\n%s", stdout)
	}
	compareDemoResults(t, url, man, demoPeriod, false)
}

// compareDemoResults compares every designed status of one period with `ntm results`; pending
// differences are logged, not failed (see the pending constants).
func compareDemoResults(t *testing.T, url string, man sample.Manifest, per ntm.Period, pending bool) {
	t.Helper()
	code, csvOut, stderr := ntmRun(t, "results", "--period", per.String(), "--format", "csv", "--database-url", url)
	if code != exitOK {
		t.Fatalf("results %s: exit %d: %s", per, code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file" {
		t.Fatalf("csv header: %s", got)
	}
	got := map[string]string{}
	seen := map[string]map[string]bool{} // criterion → statuses seen
	for _, r := range recs[1:] {
		got[r[1]+"/"+r[4]] = r[5]
		if seen[r[4]] == nil {
			seen[r[4]] = map[string]bool{}
		}
		seen[r[4]][r[5]] = true
	}
	report := t.Errorf
	if pending {
		report = t.Logf
	}
	mismatches, total := 0, 0
	for _, x := range man.Expected {
		if x.Period != per {
			continue
		}
		total++
		if g := got[x.UnitCode+"/"+x.Criterion]; g != string(x.Status) {
			mismatches++
			if mismatches <= 15 {
				report("%s %s %s: got %q, designed %q (%s)", per, x.UnitCode, x.Criterion, g, x.Status, x.Why)
			}
		}
	}
	if total == 0 {
		t.Fatalf("no designed status at %s", per)
	}
	if mismatches > 0 {
		report("%s: %d of %d designed statuses differ", per, mismatches, total)
	}
	if per != demoPeriod {
		return
	}
	for _, crit := range []string{"V1_TEAM", "V2_PLATFORM", "V3_WIFI", "V4_ADDRESS", "V6_DXMODEL", "SMART_VILLAGE",
		"C8_SMART_VILLAGE", "D95_PROCEDURES", "D95_DOSSIERS", "D95"} {
		for _, st := range []string{"met", "not_met", "no_data"} {
			if !seen[crit][st] {
				t.Errorf("criterion %s never has status %s in the demo at %s", crit, st, per)
			}
		}
	}
}
