package transform

import (
	"context"
	"path/filepath"
	"testing"

	"ntm"
)

// The VNeID dataset, added through its one declaration (docs/extending.md): a province's messy
// export loads, detected from its header, with its as-of date from the title, group and total
// rows skipped, and a row reject naming its column; the example file of the docs loads as well.
func TestLoadVNeID(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "vneid.xlsx", sheet{name: "Biểu VNeID", rows: [][]any{
		{"CÔNG AN TỈNH LẠNG SƠN"},
		{"KẾT QUẢ KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ"},
		{"(Số liệu đến ngày 30/11/2026)"},
		{"STT", "Đơn vị", "Tài khoản định danh điện tử", nil},
		{nil, nil, "Số công dân đủ điều kiện", "Đã kích hoạt"},
		{"I. Huyện Chi Lăng"},
		{1, "UBND xã Chi Lăng", "1.250", 1104},
		{2, "UBND xã Vân An", 980, 1002},
		{"II. Huyện Bắc Sơn"},
		{1, "Xã Long Đống", 1530, 1477},
		{"Tổng cộng", nil, 3760, 3583},
	}, merges: [][2]string{{"A4", "A5"}, {"B4", "B5"}, {"C4", "D4"}}})
	rep := load(t, pool, path, LoadOptions{MaxRejectShare: 0.5})
	if rep.Dataset != ntm.DatasetVNeID || rep.RowsLoaded != 2 || rep.RowsRejected != 1 || rep.AsOf != day(2026, 11, 30) {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "dòng 8", `cột "Tài khoản định danh điện tử Đã kích hoạt"`, "(1002) lớn hơn số công dân đủ điều kiện cấp tài khoản (980)")
	if n := count(t, pool, `SELECT count(*) FROM fact_vneid WHERE as_of = '2026-11-30'
		AND ((unit_code = '06523' AND citizens = 1250 AND activated = 1104) OR (unit_code = '06328' AND citizens = 1530 AND activated = 1477))`); n != 2 {
		t.Errorf("VNeID facts: %d of 2", n)
	}

	// The example in docs/examples: three communes resolve, one does not; Xã Vân An's row has more
	// accounts than citizens.
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), filepath.Join("..", "docs", "examples", "vneid.csv"), LoadOptions{MaxRejectShare: 0.6})
	if err != nil || rep.Dataset != ntm.DatasetVNeID || rep.Rejected || rep.RowsLoaded != 2 || rep.RowsRejected != 2 {
		t.Fatalf("docs/examples/vneid.csv: %+v %v", rep, err)
	}
	mustContain(t, rep.Rejects[1].String(), `không tìm thấy xã "Xã Không Có"`)
}
