package main

import (
	"os"
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

// The canonical units file's commune_group column writes the commune groups, versioned from the
// import's date like `ntm criteria groups import`; a structure import ends the groups of the
// communes it closes and of a code that now names another unit, and a continuing commune keeps its
// group unless the file states another.
func TestUnitsFileCommuneGroups(t *testing.T) {
	url := dbtest.URL(t)
	db := []string{"--database-url", url}
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hdr := "province_code,province_name,district_code,district_name,commune_code,commune_name,commune_group,previous_codes"
	out := mustRun(t, append([]string{"units", "import", write("2024.csv", hdr,
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06463,Thị trấn Đồng Mỏ,1,",
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06466,Thị trấn Chi Lăng,Nhóm 2,",
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06523,Xã Chi Lăng,,",
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06469,Xã Vân An,3,",
		"20,Tỉnh Lạng Sơn,187,Huyện Chi Lăng,06475,Xã Bằng Mạc,1,"), "--valid-from", "2024-01-01"}, db...)...)
	wantIn(t, "2024 import", out, "Nhóm xã từ 01/01/2024: 4 xã được xếp nhóm lần đầu, 0 xã đổi nhóm, 0 xã giữ nguyên nhóm.")
	// 1/7/2025: 06463 continues (its own code among its predecessors) with another group; 06469
	// only moves and keeps its group; 06466 and 06523 close; 06475 now names a new unit ("-").
	out = mustRun(t, append([]string{"units", "import", write("2025.csv", hdr,
		"20,Tỉnh Lạng Sơn,,,06463,Xã Chi Lăng,2,06463;06466;06523",
		"20,Tỉnh Lạng Sơn,,,06469,Xã Vân An,,",
		"20,Tỉnh Lạng Sơn,,,06475,Xã Bằng Mạc,,-"), "--valid-from", "2025-07-01"}, db...)...)
	wantIn(t, "2025 import", out, "Nhóm xã từ 01/07/2025: 0 xã được xếp nhóm lần đầu, 1 xã đổi nhóm, 0 xã giữ nguyên nhóm.",
		"Nhóm xã của 2 xã đã đóng (hoặc có mã nay là của đơn vị khác) kết thúc ngày 30/06/2025.")
	out = strings.Join(strings.Fields(mustRun(t, append([]string{"criteria", "groups", "list", "--date", "2025-06-30"}, db...)...)), " ")
	wantIn(t, "groups on 30/06/2025", out, "06463 Thị trấn Đồng Mỏ 1", "06466 Thị trấn Chi Lăng 2", "06475 Xã Bằng Mạc 1")
	out = strings.Join(strings.Fields(mustRun(t, append([]string{"criteria", "groups", "list", "--date", "2025-07-01"}, db...)...)), " ")
	wantIn(t, "groups on 1/7/2025", out, "06463 Xã Chi Lăng 2 01/07/2025 2025.csv", "06469 Xã Vân An 3 01/01/2024 2024.csv",
		"06475 Xã Bằng Mạc chưa xếp nhóm", "3 xã có hiệu lực ngày 01/07/2025; 1 xã chưa xếp nhóm.")
	// A bad group, or two groups for one commune, rejects the whole file.
	code, out, errs := ntmRun(t, append([]string{"units", "import", write("bad.csv", hdr,
		"20,Tỉnh Lạng Sơn,,,06463,Xã Chi Lăng,4,06463",
		"20,Tỉnh Lạng Sơn,,,06469,Xã Vân An,,"), "--valid-from", "2026-01-01"}, db...)...)
	if code != exitFailure {
		t.Fatalf("bad group: exit %d\n%s", code, out)
	}
	wantIn(t, "bad group", out+errs, "BỊ TỪ CHỐI", `nhóm xã "4" của Xã Chi Lăng phải là 1, 2 hoặc 3`)
	// Groups stated later by the criteria list make an earlier-dated units file refuse them.
	mustRun(t, append([]string{"criteria", "groups", "import", write("nhom.csv", "commune_code,commune_group", "06469,1"), "--valid-from", "2026-03-01"}, db...)...)
	code, out, errs = ntmRun(t, append([]string{"units", "import", write("2026.csv", hdr,
		"20,Tỉnh Lạng Sơn,,,06463,Xã Chi Lăng,,",
		"20,Tỉnh Lạng Sơn,,,06469,Xã Vân An,2,",
		"20,Tỉnh Lạng Sơn,,,06475,Xã Bằng Mạc,,"), "--valid-from", "2026-01-01"}, db...)...)
	if code != exitFailure {
		t.Fatalf("groups out of order: exit %d\n%s", code, out)
	}
	wantIn(t, "groups out of order", out+errs, "đã có nhóm xã từ một ngày sau 01/01/2026 (06469)", "theo thứ tự ngày")
}

// Rows rejected because the master data was not yet right load once it is, without editing the
// file: the reject says what to record and how to load the file again; a plain ingest of the same
// bytes says it was loaded and how to reload; ntm ingest --reload N FILE loads the rows and
// replaces batch N (docs/structure-changes.md §6).
func TestReloadAfterRecordingASuccessor(t *testing.T) {
	url := dbtest.URL(t)
	db := []string{"--database-url", url}
	mustRun(t, append([]string{"units", "import", dataFile(t, "sample/data", "langson_units_2022.csv"), "--valid-from", "2022-01-01"}, db...)...)
	mustRun(t, append([]string{"units", "import", dataFile(t, "units/data", "langson_units_2025h1.csv"), "--valid-from", "2025-01-01"}, db...)...)
	path := filepath.Join(t.TempDir(), "tthc-2025-03.csv")
	os.WriteFile(path, []byte("STT,Huyện,Xã,Số TTHC đủ điều kiện cung cấp DVCTT,Toàn trình,Một phần,Ngày số liệu\n"+
		"1,Huyện Văn Quan,Xã Đồng Giáp,10,6,4,31/03/2025\n"+
		"2,Huyện Văn Quan,Xã Liên Hội,10,6,4,31/03/2025\n"+
		"3,Huyện Văn Quan,Xã Hòa Bình,10,6,4,31/03/2025\n"+
		"4,Huyện Văn Quan,Xã Tú Xuyên,10,6,4,31/03/2025\n"+
		"5,Huyện Văn Quan,Thị trấn Văn Quan,10,6,4,31/03/2025\n"+
		"6,Huyện Văn Quan,Xã Trấn Ninh,10,6,4,31/03/2025\n"), 0o644)
	out := mustRun(t, append([]string{"ingest", "--dataset", "dvc_procedures", path}, db...)...)
	wantIn(t, "first load", out, "lô số 3", "nạp 5, loại 1",
		"Xã Đồng Giáp (06295) đã thôi là đơn vị hành chính từ 01/01/2025 và chưa có đơn vị kế tiếp",
		"ntm units successors add 06295 MÃ_MỚI --from 01/01/2025", "ntm ingest --reload SỐ_LÔ")
	mustRun(t, append([]string{"units", "successors", "add", "06295", "06292", "--from", "2025-01-01"}, db...)...)
	out = mustRun(t, append([]string{"ingest", "--dataset", "dvc_procedures", path}, db...)...)
	wantIn(t, "the same bytes again", out, "đã nạp trước đây: lô số 3; không có gì thay đổi.", "ntm ingest --reload 3 "+path)
	out = mustRun(t, append([]string{"ingest", "--dataset", "dvc_procedures", "--reload", "3", path}, db...)...)
	wantIn(t, "reload", out, "lô số 4 (thay cho lô số 3, lô đó không còn được tính)", "nạp 6, loại 0", "đơn vị cũ: Xã Đồng Giáp (cũ, 06295) → Xã Lương Năng (06292)")
}
