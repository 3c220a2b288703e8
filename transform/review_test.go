package transform

import (
	"testing"

	"ntm"
)

// An OCOP product or listing file without an as-of date (no title date, no --as-of) must not
// be dated by its newest certificate or listing: evaluate ignores batches dated after the
// period end, so a list holding one product certified in October would otherwise drop every
// product (and "no product list" → V5 no data) for all earlier periods.
func TestOCOPListsAreNotDatedByCertificateOrListingDates(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	dir := t.TempDir()
	products := writeCSV(t, dir, "ocop.csv", [][]string{
		{"Tên sản phẩm", "Chủ thể", "Huyện", "Xã", "Hạng sao", "Số quyết định", "Ngày công nhận"},
		{"Na Chi Lăng", "HTX Chi Lăng", "Chi Lăng", "Xã Chi Lăng", "4", "12/QĐ-UBND", "15/08/2022"},
		{"Miến dong", "HTX Long Đống", "Bắc Sơn", "Long Đống", "3", "45/QĐ-UBND", "01/10/2024"},
	}, ',', false)
	rep := load(t, pool, products, LoadOptions{})
	if rep.Dataset != ntm.DatasetOCOPProducts || rep.RowsLoaded != 2 {
		t.Fatalf("report %+v", rep)
	}
	if !rep.AsOf.IsZero() {
		t.Errorf("product list dated %v by a certificate date", rep.AsOf)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE id = $1 AND as_of IS NULL`, rep.BatchID); n != 1 {
		t.Errorf("product batch has an as-of date")
	}
	listings := writeCSV(t, dir, "listings.csv", [][]string{
		{"Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Ngày đăng", "Trạng thái"},
		{"Na Chi Lăng", "HTX Chi Lăng", "Postmart", "01/02/2023", "Đang bán"},
		{"Miến dong", "HTX Long Đống", "Shopee", "20/11/2024", "Đang bán"},
	}, ',', false)
	rep = load(t, pool, listings, LoadOptions{})
	if rep.Dataset != ntm.DatasetOCOPListings || !rep.AsOf.IsZero() {
		t.Fatalf("listing report %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE id = $1 AND as_of IS NULL`, rep.BatchID); n != 1 {
		t.Errorf("listing batch has an as-of date")
	}
	// A date the office gives still dates the list.
	rep = load(t, pool, writeCSV(t, dir, "ocop2.csv", [][]string{
		{"Tên sản phẩm", "Chủ thể", "Huyện", "Xã", "Hạng sao", "Số quyết định", "Ngày công nhận"},
		{"Trà hoa vàng", "HTX Vân An", "Chi Lăng", "Vân An", "5", "47/QĐ-UBND", "01/03/2023"},
	}, ',', false), LoadOptions{AsOf: day(2024, 6, 30)})
	if rep.AsOf != day(2024, 6, 30) {
		t.Errorf("given as-of lost: %v", rep.AsOf)
	}
}
