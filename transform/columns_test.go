package transform

import (
	"context"
	"testing"

	"ntm"
	"ntm/dataset"
)

// TestFactColumnsByName loads one row of every dataset, every value distinct, and reads each
// declared column of its fact table back by name: a parser whose values are in another order
// than the table's columns (two counts swapped would COPY without complaint) fails here. A
// dataset with a fact table and no case here fails too.
func TestFactColumnsByName(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	cases := []struct {
		ds     ntm.Dataset
		header []string
		row    []string
		table  *dataset.Table
		want   map[string]string // column → value as text; every declared column but sheet
	}{
		{ntm.DatasetVpostcode,
			[]string{"Mã thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
			[]string{"06523-001", "97", "95", "13", "11", "30/11/2024"}, dataset.VpostcodeTable,
			map[string]string{"row_no": "2", "village_code": "06523-001", "as_of": "2024-11-30", "households_total": "97",
				"households_with": "95", "orgs_total": "13", "orgs_with": "11"}},
		{ntm.DatasetVillageSurvey,
			[]string{"Mã thôn", "Tổ công nghệ số cộng đồng", "Số quyết định thành lập tổ", "Sử dụng nền tảng số", "Nhóm Zalo/Facebook",
				"WiFi miễn phí tại nhà văn hóa", "Số mô hình chuyển đổi số", "Lĩnh vực", "Ngày số liệu"},
			[]string{"06523-002", "Có", "12/QĐ-UBND", "Không", "Zalo Bản Chắt", "", "3", "Du lịch", "15/10/2024"}, dataset.SurveyTable,
			map[string]string{"row_no": "2", "village_code": "06523-002", "as_of": "2024-10-15", "team": "true", "team_decision": "12/QĐ-UBND",
				"platform": "false", "platform_name": "Zalo Bản Chắt", "wifi": "", "models": "3", "model_fields": "Du lịch"}},
		{ntm.DatasetOCOPProducts,
			[]string{"Mã sản phẩm", "Tên sản phẩm", "Hạng sao", "Nhóm sản phẩm", "Chủ thể", "Mã xã", "Mã thôn", "Số quyết định", "Ngày công nhận", "Ngày hết hạn"},
			[]string{"LS-7", "Na Chi Lăng", "4", "Thực phẩm", "HTX Chi Lăng", "06523", "06523-001", "12/QĐ-UBND", "01/02/2023", "01/02/2026"}, dataset.ProductTable,
			map[string]string{"row_no": "2", "product_key": "LS-7", "product_code": "LS-7", "name": "Na Chi Lăng", "folded_name": "na chi lăng",
				"stars": "4", "category": "Thực phẩm", "owner": "HTX Chi Lăng", "folded_owner": "htx chi lăng", "commune_code": "06523",
				"village_code": "06523-001", "decision_no": "12/QĐ-UBND", "certified_on": "2023-02-01", "expires_on": "2026-02-01"}},
		{ntm.DatasetOCOPListings,
			[]string{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT", "Đường dẫn", "Ngày đăng", "Trạng thái"},
			[]string{"LS-7", "Na Chi Lăng", "HTX Chi Lăng", "Shopee", "https://shopee.vn/na", "01/03/2024", "Đã gỡ"}, dataset.ListingTable,
			map[string]string{"row_no": "2", "product_code": "LS-7", "product_name": "Na Chi Lăng", "folded_name": "na chi lăng",
				"folded_owner": "htx chi lăng", "platform": "shopee", "url": "https://shopee.vn/na", "listed_on": "2024-03-01", "active": "false"}},
		{ntm.DatasetDVCProcedures,
			[]string{"Mã đơn vị", "Tổng số TTHC", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
			[]string{"06469", "130", "120", "70", "40", "31/12/2024"}, dataset.ProceduresTable,
			map[string]string{"row_no": "2", "unit_code": "06469", "as_of": "2024-12-31", "total": "130", "eligible": "120",
				"full_online": "70", "partial_online": "40"}},
		{ntm.DatasetDVCDossiers,
			[]string{"Mã đơn vị", "Kỳ báo cáo", "Tổng số hồ sơ tiếp nhận", "Tiếp nhận trực tuyến", "Hồ sơ xử lý trực tuyến toàn trình"},
			[]string{"06469", "Quý III/2026", "300", "210", "180"}, dataset.DossiersTable,
			map[string]string{"row_no": "2", "unit_code": "06469", "period_from": "2026-07-01", "period_to": "2026-09-30",
				"period_label": "Quý III/2026", "received": "300", "received_online": "210", "full_online": "180"}},
		{ntm.DatasetDVCDossierRecords,
			[]string{"Mã hồ sơ", "Mã đơn vị", "Ngày tiếp nhận", "Hình thức nộp", "Toàn trình"},
			[]string{"H36-0001", "06328", "16/10/2026", "Trực tuyến", "Có"}, dataset.RecordsTable,
			map[string]string{"row_no": "2", "dossier_id": "H36-0001", "unit_code": "06328", "received_on": "2026-10-16",
				"channel": "online", "full_process": "true"}},
		{ntm.DatasetVNeID,
			[]string{"Mã đơn vị", "Số công dân đủ điều kiện cấp tài khoản", "Số tài khoản VNeID đã kích hoạt", "Ngày số liệu"},
			[]string{"06331", "1530", "1477", "30/11/2026"}, dataset.VNeIDTable,
			map[string]string{"row_no": "2", "unit_code": "06331", "as_of": "2026-11-30", "citizens": "1530", "activated": "1477"}},
	}
	covered := map[*dataset.Table]bool{}
	for _, c := range cases {
		covered[c.table] = true
		rep := load(t, pool, writeCSV(t, t.TempDir(), string(c.ds)+".csv", [][]string{c.header, c.row}, ',', false), LoadOptions{Dataset: c.ds})
		if rep.RowsLoaded != 1 {
			t.Fatalf("%s: %+v", c.ds, rep)
		}
		for _, col := range c.table.Names() {
			if col == "sheet" {
				continue
			}
			want, ok := c.want[col]
			if !ok {
				t.Errorf("%s: no expected value for column %s", c.ds, col)
				continue
			}
			var got string
			q := `SELECT coalesce(` + col + `::text, '') FROM ` + c.table.Name + ` WHERE batch_id = $1`
			if err := pool.QueryRow(context.Background(), q, rep.BatchID).Scan(&got); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got != want {
				t.Errorf("%s: column %s holds %q, want %q", c.table.Name, col, got, want)
			}
		}
	}
	for _, tb := range dataset.Tables() {
		if !covered[tb] {
			t.Errorf("fact table %s has no row in TestFactColumnsByName", tb.Name)
		}
	}
}
