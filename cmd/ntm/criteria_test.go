package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm/db/dbtest"
)

// The criteria commands as the office uses them: list, show, export, check, import, and the
// commune groups, with exit codes and one-sentence errors that name the line.
func TestCriteriaCommands(t *testing.T) {
	url := dbtest.URL(t)
	dir := t.TempDir()
	db := []string{"--database-url", url}
	run := func(args ...string) (int, string, string) { return ntmRun(t, append(args, db...)...) }

	code, out, errs := run("criteria", "list")
	if code != exitOK || !strings.Contains(out, "langson-2021") || !strings.Contains(out, "từ 01/01/2021") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	code, out, _ = run("criteria", "show", "langson-2021")
	if code != exitOK || !strings.Contains(out, "Căn cứ: Quyết định số 1127/QĐ-BTTTT") || !strings.Contains(out, "Chỉ áp dụng cho: Xã") {
		t.Errorf("show: %d %q", code, out)
	}
	code, exported, _ := run("criteria", "export", "langson-2021")
	if code != exitOK || !strings.HasPrefix(exported, "# The built-in criteria set") {
		t.Fatalf("export: %d %q", code, exported)
	}
	if code, _, errs := run("criteria", "show", "nope"); code != exitFailure || !strings.Contains(errs, "Không có bộ tiêu chí nope") {
		t.Errorf("show of an unknown key: %d %q", code, errs)
	}

	// A copy for 2026 with a changed threshold checks and imports; a broken one is refused
	// with its lines, and nothing is stored.
	good := strings.NewReplacer("key: langson-2021", "key: thu-2026", "valid_from: 2021-01-01", "valid_from: 2026-01-01",
		"threshold: 70%", "threshold: 80%").Replace(exported)
	goodFile := filepath.Join(dir, "thu-2026.yaml")
	os.WriteFile(goodFile, []byte(good), 0o644)
	if code, out, errs := run("criteria", "check", goodFile); code != exitOK || !strings.Contains(out, "hợp lệ (11 tiêu chí") {
		t.Errorf("check: %d %q %q", code, out, errs)
	}
	bad := strings.Replace(good, "measure: survey_wifi", "measure: wifi_survey", 1)
	badFile := filepath.Join(dir, "sai.yaml")
	os.WriteFile(badFile, []byte(bad), 0o644)
	code, _, errs = run("criteria", "check", badFile)
	if code != exitFailure || !strings.Contains(errs, "sai.yaml có lỗi ở dòng 30: tiêu chí V3_WIFI dùng phép đo “wifi_survey” mà ntm không có") {
		t.Errorf("check of a bad file: %d %q", code, errs)
	}
	if code, _, errs := run("criteria", "import", badFile); code != exitFailure || !strings.Contains(errs, "dòng 30") {
		t.Errorf("import of a bad file: %d %q", code, errs)
	}
	if code, out, _ := run("criteria", "import", goodFile); code != exitOK || !strings.Contains(out, "Đã nạp bộ tiêu chí mới thu-2026") {
		t.Errorf("import: %d %q", code, out)
	}
	if code, out, _ := run("criteria", "import", goodFile); code != exitOK || !strings.Contains(out, "không có gì thay đổi") {
		t.Errorf("import again: %d %q", code, out)
	}
	// The same validity under another key overlaps.
	os.WriteFile(badFile, []byte(strings.Replace(good, "key: thu-2026", "key: thu-khac", 1)), 0o644)
	if code, _, errs := run("criteria", "check", badFile); code != exitFailure || !strings.Contains(errs, "trùng với bộ tiêu chí thu-2026") {
		t.Errorf("overlap: %d %q", code, errs)
	}
	code, out, _ = run("criteria", "list")
	if code != exitOK || !strings.Contains(out, "thu-2026") || !strings.Contains(out, "từ 01/01/2026") {
		t.Errorf("list after import: %q", out)
	}

	// Commune groups from a two-column file.
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte("province_code,province_name,district_code,district_name,commune_code,commune_name,village_code,village_name,village_kind,valid_from,valid_to\n"+
		"20,Tỉnh Lạng Sơn,,,06001,Xã Một,,,,2025-07-01,\n20,Tỉnh Lạng Sơn,,,06002,Xã Hai,,,,2025-07-01,\n"), 0o644)
	if code, out, errs := run("units", "import", units); code != exitOK {
		t.Fatalf("units import: %d %q %q", code, out, errs)
	}
	groups := filepath.Join(dir, "nhom-xa.csv")
	os.WriteFile(groups, []byte("Mã xã;Nhóm xã\n06001;1\n06002;Nhóm 3\n"), 0o644)
	if code, out, errs := run("criteria", "groups", "import", groups); code != exitUsage {
		t.Errorf("groups import without --valid-from: %d %q %q", code, out, errs)
	}
	if code, out, errs := run("criteria", "groups", "import", "--valid-from", "2026-01-01", groups); code != exitOK || !strings.Contains(out, "2 xã được xếp nhóm lần đầu") {
		t.Errorf("groups import: %d %q %q", code, out, errs)
	}
	if code, out, _ := run("criteria", "groups", "list", "--date", "2026-11-30"); code != exitOK || !strings.Contains(out, "06002") || !strings.Contains(out, "0 xã chưa xếp nhóm") {
		t.Errorf("groups list: %d %q", code, out)
	}
	os.WriteFile(groups, []byte("commune_code,commune_group\n06001,4\n"), 0o644)
	if code, _, errs := run("criteria", "groups", "import", "--valid-from", "2026-02-01", groups); code != exitFailure || !strings.Contains(errs, "dòng 2: nhóm xã “4”") {
		t.Errorf("bad groups file: %d %q", code, errs)
	}

	for _, args := range [][]string{{"criteria"}, {"criteria", "frob"}, {"criteria", "show"}, {"criteria", "list", "x"}, {"criteria", "groups"}} {
		if code, _, errs := run(args...); code != exitUsage || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
}
