package reports

import (
	"context"
	"strings"
	"testing"

	"ntm/evaluate"
)

// The notes sheet is the evaluation's set: a set the office wrote names its own basis and
// validity, its per-group thresholds one line per group where they differ (once where they do
// not), and its own criteria only.
func TestNotesSheetFromTheSet(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	src := strings.NewReplacer(
		"key: langson-2021", "key: langson-copy",
		"valid_from: 2021-01-01", "valid_from: 2024-12-01",
		"  - Quyết định số 1127/QĐ-BTTTT ngày 22/6/2022 của Bộ Thông tin và Truyền thông\n", "  - Quyết định số 99/QĐ-UBND ngày 01/12/2024 (thử)\n",
	).Replace(string(evaluate.Builtin().Source))
	// V4 by commune group, different per group; V5 by group, the same for all three.
	src = strings.Replace(src, "measure: address_coverage\n    threshold: 100%", "measure: address_coverage\n    thresholds_by_group: {1: 100%, 2: 95%, 3: \"9/10\"}", 1)
	src = strings.Replace(src, "measure: ocop_listed\n    threshold: 100%", "measure: ocop_listed\n    thresholds_by_group: {1: 100%, 2: 100%, 3: 100%}", 1)
	if !strings.Contains(src, "thresholds_by_group: {1: 100%, 2: 95%") || !strings.Contains(src, "{1: 100%, 2: 100%") {
		t.Fatalf("the built-in file changed shape:\n%s", evaluate.Builtin().Source)
	}
	if _, _, err := evaluate.ImportSet(context.Background(), pool, "copy.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	exec1(t, pool, `UPDATE evaluation SET set_key = 'langson-copy' WHERE id = 1`)
	f := open(t, writeAll(t, pool, "20")[0])
	const sh = "Ghi chú"
	wantCell(t, f, sh, "A3", "Căn cứ: Quyết định số 99/QĐ-UBND ngày 01/12/2024 (thử); Quyết định số 1494/QĐ-UBND ngày 14/9/2022 của UBND tỉnh Lạng Sơn; Hướng dẫn của Sở Thông tin và Truyền thông Lạng Sơn thực hiện tiêu chí 8 xã NTM kiểu mẫu (tháng 10/2022)")
	wantCell(t, f, sh, "A4", "Hiệu lực: từ 01/12/2024")
	wantCell(t, f, sh, "E"+itoa(findRow(t, f, sh, "B", "V4_ADDRESS")), "nhóm 1: ≥ 100%\nnhóm 2: ≥ 95%\nnhóm 3: ≥ 90%")
	wantCell(t, f, sh, "E"+itoa(findRow(t, f, sh, "B", "V5_OCOP")), "≥ 100% (mọi nhóm xã)")
	found := false
	rows, _ := f.GetRows(sh)
	for _, r := range rows {
		found = found || len(r) > 1 && strings.Contains(r[1], "Ngưỡng theo nhóm xã")
	}
	if !found {
		t.Error("no note on per-group thresholds")
	}
}
