package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"ntm/db/dbtest"
)

// ntm evaluate and ntm results name the set in force and its legal basis; a period after 2025
// evaluated with the built-in 2021–2025 set warns (stderr, and the run record) with what the
// office must do; with no set in force the refusal says which set to write; once the office
// imports a 2026 set, 2026-11 uses it without a warning while 2025-12 keeps the built-in one.
func TestEvaluateNamesTheSetAndWarnsPast2025(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) { return ntmRun(t, append(args, "--database-url", url)...) }
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte("province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name,village_kind,valid_from,valid_to\n"+
		"20,Tỉnh Lạng Sơn,,,06001,Xã Một,06001-001,Thôn Một,Thôn,2025-07-01,\n"), 0o644)
	if code, out, errs := run("units", "import", units); code != exitOK {
		t.Fatalf("units import: %d %q %q", code, out, errs)
	}
	code, out, errs := run("evaluate", "--period", "2025-12")
	if code != exitOK || strings.Contains(errs, "Cảnh báo") ||
		!strings.Contains(out, "Bộ tiêu chí: Bộ tiêu chí thôn thông minh và chỉ tiêu 9.5 tỉnh Lạng Sơn giai đoạn 2021–2025 (mã langson-2021, hiệu lực từ 01/01/2021); căn cứ: Quyết định số 1127/QĐ-BTTTT") {
		t.Errorf("evaluate 2025-12: %d %q %q", code, out, errs)
	}
	warning := "Cảnh báo: Kỳ 2026-11 được đánh giá theo bộ tiêu chí giai đoạn 2021–2025 có sẵn trong ntm (langson-2021), đã hết giai đoạn áp dụng: văn phòng cần soạn bộ tiêu chí giai đoạn 2026–2030"
	code, _, errs = run("evaluate", "--period", "2026-11")
	if code != exitOK || !strings.Contains(errs, warning) || !strings.Contains(errs, "nạp bằng ntm criteria import TỆP") {
		t.Errorf("evaluate 2026-11: %d %q", code, errs)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var detail string
	conn.QueryRow(context.Background(), `SELECT s.detail FROM run_step s JOIN run r ON r.id = s.run_id WHERE r.period = '2026-11' AND s.name = 'evaluate' ORDER BY r.id DESC LIMIT 1`).Scan(&detail)
	if !strings.Contains(detail, strings.TrimPrefix(warning, "Cảnh báo: ")) {
		t.Errorf("run record detail %q", detail)
	}
	code, out, _ = run("results", "--period", "2026-11")
	if code != exitOK || !strings.HasPrefix(out, "Bộ tiêu chí: ") || !strings.Contains(out, warning) {
		t.Errorf("results table: %d %q", code, out)
	}
	// csv and json name the set on every row: key, version (the file's SHA-256, first 12 hex
	// digits) and file ("built-in" for the set built into ntm).
	builtinVersion := shortSHA(t, []byte(mustRun(t, "criteria", "export", "langson-2021", "--database-url", url)))
	assertResultsNameTheSet(t, url, "2026-11", "langson-2021", builtinVersion, "built-in")

	// The built-in set ended at 2025 by the office, and nothing after it: refused, naming the set to write.
	_, exported, _ := run("criteria", "export", "langson-2021")
	ended := filepath.Join(dir, "langson-2021.yaml")
	os.WriteFile(ended, []byte(strings.Replace(exported, "valid_to:\n", "valid_to: 2025-12-31\n", 1)), 0o644)
	if code, out, errs := run("criteria", "import", ended); code != exitOK {
		t.Fatalf("import the ended built-in set: %d %q %q", code, out, errs)
	}
	code, _, errs = run("evaluate", "--period", "2026-11")
	if code != exitFailure || !strings.Contains(errs, "Không có bộ tiêu chí nào có hiệu lực ngày 30/11/2026: văn phòng cần soạn bộ tiêu chí giai đoạn 2026–2030 theo Quyết định số 51/2025/QĐ-TTg") {
		t.Errorf("evaluate with no set in force: %d %q", code, errs)
	}
	// A 2026 set: 2026-11 uses it, no warning.
	next := filepath.Join(dir, "thu-2026.yaml")
	os.WriteFile(next, []byte(strings.NewReplacer("key: langson-2021", "key: thu-2026", "valid_from: 2021-01-01", "valid_from: 2026-01-01",
		"  - Quyết định số 1127/QĐ-BTTTT ngày 22/6/2022 của Bộ Thông tin và Truyền thông\n", "  - Quyết định số 51/2025/QĐ-TTg ngày 01/12/2025 (thử)\n").Replace(exported)), 0o644)
	if code, out, errs := run("criteria", "import", next); code != exitOK {
		t.Fatalf("import 2026: %d %q %q", code, out, errs)
	}
	code, out, errs = run("evaluate", "--period", "2026-11")
	if code != exitOK || strings.Contains(errs, "Cảnh báo") || !strings.Contains(out, "(mã thu-2026, hiệu lực từ 01/01/2026); căn cứ: Quyết định số 51/2025/QĐ-TTg") {
		t.Errorf("evaluate 2026-11 with a 2026 set: %d %q %q", code, out, errs)
	}
	if code, out, _ := run("results", "--period", "2026-11"); code != exitOK || strings.Contains(out, "Cảnh báo") || !strings.Contains(out, "mã thu-2026") {
		t.Errorf("results after: %d %q", code, out)
	}
	nextBytes, _ := os.ReadFile(next)
	assertResultsNameTheSet(t, url, "2026-11", "thu-2026", shortSHA(t, nextBytes), "thu-2026.yaml")
	if code, out, _ := run("evaluate", "--period", "2025-12"); code != exitOK || !strings.Contains(out, "mã langson-2021, hiệu lực 01/01/2021 – 31/12/2025") {
		t.Errorf("2025-12 keeps the built-in set: %d %q", code, out)
	}
	// The built-in key imported again from a file (ended at 2025) is no longer "built-in": its file is named.
	endedBytes, _ := os.ReadFile(ended)
	assertResultsNameTheSet(t, url, "2025-12", "langson-2021", shortSHA(t, endedBytes), "langson-2021.yaml")
	// ntm criteria show names the version in force, the one the results name.
	if out := mustRun(t, "criteria", "show", "thu-2026", "--database-url", url); !strings.Contains(out, "Phiên bản: "+shortSHA(t, nextBytes)) {
		t.Errorf("criteria show without its version:\n%s", out)
	}
}

func shortSHA(t *testing.T, b []byte) string {
	t.Helper()
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])[:12]
}

// assertResultsNameTheSet checks that ntm results --format csv and json name the set on every row.
func assertResultsNameTheSet(t *testing.T, url, period, key, version, file string) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(mustRun(t, "results", "--period", period, "--format", "csv", "--database-url", url))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("results %s csv: %v %v", period, err, rows)
	}
	if got := strings.Join(rows[0], ","); got != "period,unit_code,unit_name,level,criterion,status,value,threshold,criteria_set,criteria_set_version,criteria_set_file" {
		t.Errorf("csv header %s", got)
	}
	for _, r := range rows[1:] {
		if r[8] != key || r[9] != version || r[10] != file {
			t.Fatalf("results %s csv row names set %v, want %s %s %s", period, r[8:], key, version, file)
		}
	}
	var js []struct {
		Set struct{ Key, Name, Version, File string } `json:"criteria_set"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "results", "--period", period, "--format", "json", "--database-url", url)), &js); err != nil || len(js) != len(rows)-1 {
		t.Fatalf("results %s json: %v (%d objects, %d csv rows)", period, err, len(js), len(rows)-1)
	}
	for _, j := range js {
		if j.Set.Key != key || j.Set.Version != version || j.Set.File != file || j.Set.Name == "" {
			t.Fatalf("results %s json names set %+v, want %s %s %s", period, j.Set, key, version, file)
		}
	}
}
