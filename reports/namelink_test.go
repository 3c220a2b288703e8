package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"ntm"
	"ntm/evaluate"
)

// A rejected row that names a village only by its name is linked with both the village's and
// its commune's names: Xã Chi Lăng's and Xã Đình Lập's villages are both called Thôn Bản Chắt,
// and a row of Xã Đình Lập's explains Đình Lập's village only, in both communes' workbooks.
func TestRejectedRowNamedByVillageAndCommune(t *testing.T) {
	t.Parallel()
	pool := twoStructures(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to) VALUES
		('06463-003', 'village', 'Thôn', 'Thôn Bản Chắt', 'bản chắt', '06463', '2025-07-01', NULL)`)
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, sha256, received_at, as_of, status) VALUES
		(8, 'vpostcode', 'file:///in/vpostcode-2025-08.xlsx', 'vpostcode-2025-08.xlsx', 'a8', '2025-09-05 03:00:00+00', '2025-08-31', 'loaded')`)
	exec1(t, pool, `INSERT INTO rejected_row (batch_id, sheet, row_no, col, reason, raw) VALUES
		(8, 'Đình Lập', 12, 'Hộ gia đình Tổng số', '"5O" không phải số nguyên không âm', '3 | Xã Đình Lập | Thôn Bản Chắt | 5O | 40')`)
	per := ntm.Period{Year: 2025, Month: time.September}
	if _, err := evaluate.Evaluate(ctx, pool, per); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ recipient, village string }{{"06613", "06613-001"}, {"06463", "06463-003"}} {
		paths, err := Write(ctx, pool, per, Options{OutDir: t.TempDir(), Recipient: c.recipient})
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, paths[0])
		got := sheetRowText(t, f, sheetVillages, itoa(findRow(t, f, sheetVillages, "D", c.village)))
		linked := strings.Contains(got, "vpostcode-2025-08.xlsx, trang Đình Lập, dòng 12")
		if linked != (c.recipient == "06613") {
			t.Errorf("%s's Thôn Bản Chắt (%s), linked to Xã Đình Lập's row: %v\n%s", c.recipient, c.village, linked, got)
		}
	}
}
