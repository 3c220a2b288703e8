package reports

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ntm"
	"ntm/evaluate"
)

// addressDetail is the detail evaluation stores with a V4_ADDRESS result: the figures it read
// (batch 1, as of 31/12/2024), which the digital-address sheet and the totals show.
func addressDetail(row, hhTotal, hhWith, orgTotal, orgWith int) string {
	return fmt.Sprintf(`{"as_of": "2024-12-31", "batch_id": 1, "sheet": "Sheet1", "row": %d, "households_total": %d, "households_with": %d, "orgs_total": %d, "orgs_with": %d}`,
		row, hhTotal, hhWith, orgTotal, orgWith)
}

// The smart-villages chart prints each bar's number (data labels), and the status column a bar
// is not in stays empty, so no second "0" label is drawn over it.
func TestSmartVillageChartPrintsItsValues(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	for _, path := range writeAll(t, pool, "") {
		parts := zipFiles(t, path)
		var smart string
		for name, x := range parts {
			if strings.HasPrefix(name, "xl/charts/chart") && strings.Contains(x, "Số thôn thông minh theo") {
				smart = x
			}
		}
		bar := regexp.MustCompile(`(?s)<barChart>.*</barChart>`).FindString(smart)
		if bar == "" {
			t.Fatalf("%s: no smart-village bar chart", path)
		}
		if !regexp.MustCompile(`<dLbls>.*<showVal val="1">`).MatchString(strings.ReplaceAll(bar, "\n", "")) {
			t.Errorf("%s: the smart-village bars carry no value labels:\n%.1500s", path, bar)
		}
		line := regexp.MustCompile(`(?s)<lineChart>.*</lineChart>`).FindString(smart)
		if strings.Contains(line, `<showVal val="1">`) {
			t.Errorf("%s: the threshold line is labelled too", path)
		}
		if !strings.HasSuffix(path, "181-huyen-chi-lang.xlsx") {
			continue
		}
		f := open(t, path)
		sh := sheetSummary
		r := itoa(rowStarting(t, f, sh, "B", "Xã Quang Lang"))
		// Xã Quang Lang meets criterion 8 with 1 smart village: the bar is in F, G holds nothing.
		wantCell(t, f, sh, "F"+r, "1")
		if typ, _ := f.GetCellType(sh, "G"+r); typ != 0 || raw(t, f, sh, "G"+r) != "" {
			t.Errorf("G%s holds a value (type %v): the chart would label it", r, typ)
		}
	}
}

// After a change of structure the digital-address sheet and its totals show the figures the
// evaluation decided on — a village's predecessors' — never the facts of another village that
// had the same code before the reform.
func TestAddressSheetFollowsTheLineage(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	// Before 1/7/2025 06463-001 was Khu Hòa Bình (now 06463-002); now it is Thôn Làng Cang
	// (before: 06523-001). Their November 2024 figures:
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, as_of, status) VALUES
		(5, 'vpostcode', 'file:///in/vpostcode-2024-11.xlsx', 'vpostcode-2024-11.xlsx', 'a5', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded')`)
	exec1(t, pool, `INSERT INTO fact_vpostcode (batch_id, sheet, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with) VALUES
		(5, 'Chi Lăng', 10, '06463-001', '2024-11-30', 50, 40, 0, 0),
		(5, 'Chi Lăng', 11, '06523-001', '2024-11-30', 80, 80, 2, 2)`)
	if _, err := evaluate.Evaluate(ctx, pool, ntm.Period{Year: 2025, Month: time.September}); err != nil {
		t.Fatal(err)
	}
	paths, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "06463"})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, paths[0])
	sh := sheetAddresses
	// A STT, B Xã, C Thôn, D Mã, E date, F..I households, J..M organisations, N status.
	r := itoa(findRow(t, f, sh, "D", "06463-001"))
	for c, want := range map[string]string{"C": "Thôn Làng Cang", "F": "80", "G": "80", "H": "0", "J": "2", "N": "Đạt"} {
		wantCell(t, f, sh, c+r, want)
	}
	r = itoa(findRow(t, f, sh, "D", "06463-002"))
	for c, want := range map[string]string{"C": "Khu Hòa Bình", "F": "50", "G": "40", "H": "10", "N": "Chưa đạt"} {
		wantCell(t, f, sh, c+r, want)
	}
	if got := raw(t, f, sh, "A3"); !strings.HasPrefix(got, "2/2 thôn có số liệu; 120/130 hộ (92,3%)") {
		t.Errorf("the totals line: %q", got)
	}
	sum := sheetSummary
	r = itoa(findRow(t, f, sum, "A", "Hộ gia đình đã có địa chỉ số"))
	wantCell(t, f, sum, "C"+r, "120")
	if got := raw(t, f, sum, "F"+r); !strings.HasPrefix(got, "trên tổng số 130 hộ của 2 thôn có số liệu") {
		t.Errorf("summary: %q", got)
	}
}
