package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ntm/db/dbtest"
)

// ntm template: the period in the title, --prefill accepted, and one-sentence usage errors.
func TestTemplateCommand(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	units := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, []byte("province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name,village_kind\n"+
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06469,Xã Vân An,06469-001,Thôn Nà Sla,Thôn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "units", "import", units, "--valid-from", "2024-01-01", "--database-url", url)
	out := filepath.Join(dir, "phieu.xlsx")
	got := mustRun(t, "template", "--dataset", "village_survey", "--recipient", "187", "--period", "2024-12", "--prefill", "--out", out, "--database-url", url)
	if strings.TrimSpace(got) != out {
		t.Errorf("stdout = %q", got)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if a1, _ := f.GetCellValue("Biểu mẫu", "A1"); a1 != "PHIẾU TỰ ĐÁNH GIÁ THÔN THÔNG MINH – KỲ THÁNG 12/2024" {
		t.Errorf("A1 = %q", a1)
	}
	for _, args := range [][]string{
		{"template", "--dataset", "village_survey", "--period", "12/2024", "--out", out},
		{"template", "--dataset", "village_survey", "--out", "x.csv"},
		{"template", "--out", out},
	} {
		code, _, errs := ntmRun(t, append(args, "--database-url", url)...)
		if code != exitUsage || errs == "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
