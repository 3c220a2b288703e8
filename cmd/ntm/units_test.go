package main

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"ntm/db/dbtest"
)

func dataFile(t *testing.T, dir, name string) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", dir, name)
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := ntmRun(t, args...)
	if code != exitOK {
		t.Fatalf("ntm %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func wantIn(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, got)
		}
	}
}

// The office's commands for the structure, on Lạng Sơn's real lists in date order.
func TestUnitsCommands(t *testing.T) {
	url := dbtest.URL(t)
	db := []string{"--database-url", url}
	out := mustRun(t, append([]string{"units", "import", dataFile(t, "sample/data", "langson_units_2022.csv"), "--valid-from", "2022-01-01"}, db...)...)
	wantIn(t, "2022 import", out, "danh mục đơn vị từ 01/01/2022", "Xã: mở 200", "Huyện: mở 11", "Có hiệu lực từ 01/01/2022: 1 tỉnh, 11 huyện, 200 xã")
	out = mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025h1.csv"), "--valid-from", "01/01/2025"}, db...)...)
	wantIn(t, "2025h1 import", out, "Xã: đóng 6, đổi tên 1", "1 tỉnh, 11 huyện, 194 xã",
		"chưa có đơn vị kế tiếp (6): Thị trấn Thất Khê (05995), Xã Vĩnh Tiến (06007), Xã Đồng Giáp (06295)",
		"ntm units successors add MÃ_CŨ MÃ_MỚI --from 01/01/2025")
	// By hand, then by the mapping file (which finds it already there).
	out = mustRun(t, append([]string{"units", "successors", "add", "05995", "06040", "--from", "2025-01-01", "--note", "sáp nhập"}, db...)...)
	wantIn(t, "successors add", out, "Đã ghi: Thị trấn Thất Khê (05995) → Thị trấn Thất Khê (06040) từ 01/01/2025 (toàn bộ)")
	out = mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_mapping_2025h1.csv"), "--valid-from", "2025-01-01"}, db...)...)
	wantIn(t, "h1 mapping", out, "bảng chuyển đổi đơn vị cũ → mới từ 01/01/2025", "1 liên kết mới hoặc sửa, 2 đã có", "chưa có đơn vị kế tiếp (4)")
	// The 2025 list without --close-villages is fine (no villages yet); without its date it is refused.
	code, out, errs := ntmRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025.csv")}, db...)...)
	if code != exitFailure {
		t.Fatalf("2025 list without a date: exit %d", code)
	}
	wantIn(t, "2025 list without a date", out+errs, "BỊ TỪ CHỐI", "--valid-from dd/mm/yyyy")
	out = mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025.csv"), "--valid-from", "2025-07-01"}, db...)...)
	wantIn(t, "2025 import", out, "Huyện: đóng 11", "Không còn cấp huyện từ 01/07/2025: 11 huyện đóng", "Liên kết đơn vị kế tiếp đã ghi: 196", "Có hiệu lực từ 01/07/2025: 1 tỉnh, 65 xã")
	out = mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_mapping_2025.csv"), "--valid-from", "2025-07-01"}, db...)...)
	wantIn(t, "2025 mapping", out, "0 liên kết mới hoặc sửa, 196 đã có")
	// The same file again: nothing changes.
	out = mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_mapping_2025.csv"), "--valid-from", "2025-07-01"}, db...)...)
	wantIn(t, "mapping again", out, "đã nhập trước đây")

	out = mustRun(t, append([]string{"units", "list", "--date", "2024-12-31"}, db...)...)
	wantIn(t, "list 2024", out, "ngày 31/12/2024: 1 tỉnh, 11 huyện, 200 xã", "  187", "    06463  Thị trấn Đồng Mỏ")
	out = mustRun(t, append([]string{"units", "list", "--date", "2025-07-01"}, db...)...)
	wantIn(t, "list 2025", out, "ngày 01/07/2025: 1 tỉnh, 65 xã", "  06463  Xã Chi Lăng", "từ 01/07/2025")
	if strings.Contains(out, "Huyện") {
		t.Errorf("a district in the 2025 list:\n%s", out)
	}
	out = mustRun(t, append([]string{"units", "successors", "--from", "2025-07-01"}, db...)...)
	wantIn(t, "successors", out, "Liên kết đơn vị kế tiếp từ ngày 01/07/2025:", "Xã Bính Xá (06622)", "Xã Kiên Mộc (06625)", "một phần",
		"cột merged_from_codes, lô", "Huyện Chi Lăng (187)")
	// Errors are one Vietnamese sentence on stderr.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"units", "successors", "add", "05995", "06040", "--from", "2025-01-01"}, "Đã có liên kết"},
		{[]string{"units", "successors", "add", "06999", "06040", "--from", "2025-01-01"}, "mã cũ 06999 không có trong danh mục"},
		{[]string{"units", "successors", "remove", "06295", "06301", "--from", "2025-01-01"}, "mã 06295 không có đơn vị kế tiếp nào"},
	} {
		code, _, errs := ntmRun(t, append(c.args, db...)...)
		if code != exitFailure || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	if code, _, errs := ntmRun(t, append([]string{"units", "successors", "add", "05995", "06040"}, db...)...); code != exitUsage || !strings.Contains(errs, "--from") {
		t.Errorf("add without --from: exit %d, %q", code, errs)
	}
	out = mustRun(t, append([]string{"units", "successors", "remove", "05995", "06040", "--from", "2025-01-01"}, db...)...)
	wantIn(t, "remove", out, "Đã bỏ liên kết 05995 → 06040 từ 01/01/2025")
}
