package transform

import (
	"context"
	"testing"

	"ntm"
)

// A public-service export is resolved against communes, districts and the province only (the
// village level is left out of its unit index): a village code there is not found, and the
// message says which levels were searched. Village datasets still resolve villages.
func TestRecordExportsDoNotResolveVillages(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	var village, commune string
	if err := pool.QueryRow(context.Background(), `SELECT code, parent_code FROM unit WHERE level = 'village' ORDER BY code LIMIT 1`).Scan(&village, &commune); err != nil {
		t.Fatal(err)
	}
	path := writeCSV(t, t.TempDir(), "ho-so.csv", [][]string{
		{"Mã hồ sơ", "Mã đơn vị", "Ngày tiếp nhận", "Hình thức nộp", "Toàn trình"},
		{"H-1", commune, "02/03/2026", "Trực tuyến", "x"},
		{"H-2", commune, "02/03/2026", "Trực tuyến", "x"},
		{"H-3", village, "02/03/2026", "Trực tuyến", "x"},
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords, MaxRejectShare: 0.5})
	if rep.RowsLoaded != 2 || rep.RowsRejected != 1 {
		t.Fatalf("loaded %d, rejected %d; want 2, 1", rep.RowsLoaded, rep.RowsRejected)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 4", village, "cấp huyện, xã, tỉnh")
}
