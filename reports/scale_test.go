package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

// TestRejectListIsBounded: a file with thousands of rejects lists maxRejectRows of them and says
// how many more there are.
func TestRejectListIsBounded(t *testing.T) {
	t.Parallel()
	pool := fixture(t)
	exec1(t, pool, `INSERT INTO rejected_row (batch_id, sheet, row_no, reason, raw)
		SELECT 1, 'Sheet1', 100 + g, 'Số hộ không phải số nguyên', 'Xã Quang Lang | x' FROM generate_series(1, $1::int) g`, maxRejectRows+2)
	for _, code := range []string{"181", "20"} {
		paths := writeAll(t, pool, code)
		f := open(t, paths[0])
		rows, err := f.GetRows(sheetQuality)
		if err != nil {
			t.Fatal(err)
		}
		listed, more, section := 0, "", ""
		for _, r := range rows {
			if len(r) == 0 {
				continue
			}
			if strings.HasPrefix(r[0], "2. ") || strings.HasPrefix(r[0], "3. ") {
				section = r[0][:2]
				continue
			}
			if section == "2." && r[0] != "STT" && r[0] != "" {
				listed++
			}
			if section == "2." && len(r) > 1 && strings.HasPrefix(r[1], "… và ") {
				more = r[1]
			}
		}
		// Province: 5,003 + 1 other reject; district: 5,003 matching.
		wantMore := "… và 3 dòng bị loại khác: xem bằng lệnh ntm check với từng tệp."
		if code == "20" {
			wantMore = "… và 4 dòng bị loại khác: xem bằng lệnh ntm check với từng tệp."
		}
		if listed != maxRejectRows || more != wantMore {
			t.Errorf("%s: listed %d rejects, then %q; want %d and %q", code, listed, more, maxRejectRows, wantMore)
		}
		lastCol := "J" // a recipient's sheet has no batch, hash and raw-row columns
		if code == "20" {
			lastCol = "L"
		}
		if dim, _ := f.GetSheetDimension(sheetQuality); dim != "A1:"+lastCol+itoa(len(rows)) {
			t.Errorf("%s: dimension %s for %d rows", code, dim, len(rows))
		}
	}
}

// provinceScale fills a province of 11 districts × 20 communes × 8 villages (1,760 villages, the
// size of Lạng Sơn) with results of one evaluation.
func provinceScale(tb testing.TB) *pgxpool.Pool {
	pool := dbtest.New(tb)
	stmts := []string{
		`INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ('20', 'province', 'Tỉnh', 'Tỉnh Lạng Sơn', 'lạng sơn', NULL)`,
		`INSERT INTO unit (code, level, kind, name, folded_name, parent_code)
		 SELECT 'D' || d, 'district', 'Huyện', 'Huyện Số ' || d, 'số ' || d, '20' FROM generate_series(1, 11) d`,
		`INSERT INTO unit (code, level, kind, name, folded_name, parent_code)
		 SELECT lpad((d * 100 + c)::text, 5, '0'), 'commune', 'Xã', 'Xã Số ' || d || '.' || c, 'số ' || d || '.' || c, 'D' || d
		 FROM generate_series(1, 11) d, generate_series(1, 20) c`,
		`INSERT INTO evaluation (id, period, set_key) VALUES (1, '2024-12', 'langson-2021')`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den, explanation)
		 SELECT 1, u.code || '-' || lpad(v::text, 3, '0'), 'Thôn ' || v, 'village', u.code, k.key,
		        (ARRAY['met', 'not_met', 'no_data'])[1 + (v + k.n) % 3], CASE WHEN (v + k.n) % 3 = 2 THEN NULL ELSE 1 END,
		        CASE WHEN (v + k.n) % 3 = 2 THEN NULL ELSE 1 END, 1, 1, 'Giải thích ' || k.key
		 FROM unit u, generate_series(1, 8) v,
		      (VALUES ('V1_TEAM', 1), ('V2_PLATFORM', 2), ('V3_WIFI', 3), ('V4_ADDRESS', 4), ('V5_OCOP', 5), ('V6_DXMODEL', 6), ('SMART_VILLAGE', 7)) k(key, n)
		 WHERE u.level = 'commune'`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den)
		 SELECT 1, code, name, 'commune', parent_code, 'C8_SMART_VILLAGE', 'met', 2, 1, 1, 1 FROM unit WHERE level = 'commune'`,
		`INSERT INTO result (evaluation_id, unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den, threshold_num, threshold_den)
		 SELECT 1, code, name, 'district', parent_code, k, 'met', 1, 1, 1, 1 FROM unit, unnest(ARRAY['D95_PROCEDURES', 'D95_DOSSIERS', 'D95']) k
		 WHERE level = 'district'`,
		// Digital addresses for every village, two OCOP products per commune (one listed).
		`INSERT INTO batch (id, dataset, source_uri, sha256, received_at, as_of, status) VALUES
		 (1, 'vpostcode', 'x', 'a', '2024-12-20', '2024-12-15', 'loaded'), (2, 'ocop_products', 'y', 'b', '2024-12-20', NULL, 'loaded'),
		 (3, 'ocop_listings', 'z', 'c', '2024-12-20', NULL, 'loaded')`,
		`INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		 SELECT 1, row_number() OVER (), unit_code, '2024-12-15', 100, 90 + (length(unit_code) % 11), 3, 3
		 FROM result WHERE evaluation_id = 1 AND level = 'village' AND criterion = 'V4_ADDRESS'`,
		`INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, owner, folded_owner,
		   commune_code, certified_on)
		 SELECT 2, row_number() OVER (), code || '-P' || p, code || '-P' || p, 'Sản phẩm ' || p, 'sản phẩm ' || p, 3, 'HTX', 'htx', code, '2023-01-01'
		 FROM unit, generate_series(1, 2) p WHERE level = 'commune'`,
		`INSERT INTO fact_ocop_listing (batch_id, row_no, product_code, platform, active)
		 SELECT 3, row_number() OVER (), code || '-P1', 'postmart', true FROM unit WHERE level = 'commune'`,
	}
	return seeded(tb, pool, stmts)
}

// seeded runs the statements that fill a test database, failing on the first that fails.
func seeded(tb testing.TB, pool *pgxpool.Pool, stmts []string) *pgxpool.Pool {
	tb.Helper()
	for _, s := range stmts {
		if _, err := pool.Exec(context.Background(), s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	return pool
}

func TestProvinceScale(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes a province-sized workbook")
	}
	pool := provinceScale(t)
	paths := writeAll(t, pool, "20")
	f := open(t, paths[0])
	if dim, _ := f.GetSheetDimension(sheetVillages); dim != "A1:N1763" {
		t.Errorf("village sheet dimension = %s, want A1:T1762", dim)
	}
	wantCell(t, f, sheetVillages, "E1763", "00920-008") // districts D1, D10, D11, D2 … D9: codes sort as text
	wantCell(t, f, sheetVillages, "A1763", "1760")
	if dim, _ := f.GetSheetDimension(sheetAddresses); dim != "A1:P1766" {
		t.Errorf("address sheet dimension = %s, want A1:P1766", dim)
	}
	wantCell(t, f, sheetAddresses, "A1766", "1760")
	if dim, _ := f.GetSheetDimension(sheetOCOP); dim != "A1:N446" {
		t.Errorf("OCOP sheet dimension = %s, want A1:N446", dim)
	}
	wantCell(t, f, sheetOCOP, "K446", "Chưa lên sàn")
}

func BenchmarkWriteProvince(b *testing.B) {
	pool := provinceScale(b)
	out := b.TempDir()
	now := func() time.Time { return fixedNow }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Write(context.Background(), pool, ntm.Period{Year: 2024, Month: time.December}, Options{OutDir: out, Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}
