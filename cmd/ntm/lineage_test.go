package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm/db/dbtest"
)

// An old name in an export, dated before and after the change: a row naming Xã Vân An dated
// 31/03/2025 belongs to Xã Vân An (06469), in force then; one dated 30/09/2025 resolves to its
// successor Xã Chiến Thắng (06481) and is that commune's own figure at 2025-09, where 9.5 is decided
// per commune (docs/structure-changes.md §4–§6).
func TestOldNameBeforeAndAfterTheChange(t *testing.T) {
	url := dbtest.URL(t)
	db := []string{"--database-url", url}
	mustRun(t, append([]string{"units", "import", dataFile(t, "sample/data", "langson_units_2022.csv"), "--valid-from", "2022-01-01"}, db...)...)
	mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025h1.csv"), "--valid-from", "2025-01-01"}, db...)...)
	mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025.csv"), "--valid-from", "2025-07-01"}, db...)...)
	path := filepath.Join(t.TempDir(), "tthc-2025.csv")
	os.WriteFile(path, []byte("STT,Huyện,Xã,Số TTHC đủ điều kiện cung cấp DVCTT,Toàn trình,Một phần,Ngày số liệu\n"+
		"1,Huyện Chi Lăng,Xã Vân An,10,10,0,31/03/2025\n"+
		"2,Huyện Chi Lăng,Xã Vân An,10,6,3,30/09/2025\n"), 0o644)
	out := mustRun(t, append([]string{"ingest", "--dataset", "dvc_procedures", path}, db...)...)
	wantIn(t, "ingest", out, "nạp 2, loại 0", "đơn vị cũ: Xã Vân An (cũ, 06469) → Xã Chiến Thắng (06481)")

	results := func(period string) map[string][]string {
		t.Helper()
		mustRun(t, append([]string{"evaluate", "--period", period}, db...)...)
		code, csvOut, stderr := ntmRun(t, append([]string{"results", "--period", period, "--format", "csv"}, db...)...)
		if code != exitOK {
			t.Fatalf("results %s: exit %d: %s", period, code, stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, r := range recs[1:] {
			got[r[1]+"/"+r[4]] = r
		}
		return got
	}
	h1 := results("2025-06")
	if r := h1["06469/D95_PROCEDURES"]; r == nil || r[5] != "met" {
		t.Errorf("2025-06 Xã Vân An: %v, want met on its 31/03/2025 figures (10/10)", r)
	}
	if r := h1["06481/D95_PROCEDURES"]; r == nil || r[2] != "Xã Chiến Thắng" || r[5] != "no_data" {
		t.Errorf("2025-06 old Xã Chiến Thắng: %v, want no data (the 30/09 row is not its)", r)
	}
	h2 := results("2025-09")
	if r := h2["06481/D95_PROCEDURES"]; r == nil || r[5] != "not_met" {
		t.Errorf("2025-09 Xã Chiến Thắng: %v, want not met on its own 30/09/2025 figures (9/10)", r)
	}
	if _, ok := h2["06469/D95_PROCEDURES"]; ok {
		t.Error("Xã Vân An, closed on 30/06/2025, is evaluated at 2025-09")
	}
}
