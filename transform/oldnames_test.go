package transform

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm"
	"ntm/db/dbtest"
)

// factCodes returns the unit code of the procedure facts of a batch, by row.
func factCodes(t *testing.T, pool *pgxpool.Pool, batch int64) map[int]string {
	t.Helper()
	return rowUnits(t, pool, "SELECT row_no, unit_code FROM fact_dvc_procedures WHERE batch_id = $1", batch)
}

// villageCodes returns the village code of the digital-address facts of a batch, by row.
func villageCodes(t *testing.T, pool *pgxpool.Pool, batch int64) map[int]string {
	t.Helper()
	return rowUnits(t, pool, "SELECT row_no, village_code FROM fact_vpostcode WHERE batch_id = $1", batch)
}

func rowUnits(t *testing.T, pool *pgxpool.Pool, query string, batch int64) map[int]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), query, batch)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var n int
		var c string
		if err := rows.Scan(&n, &c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

func rejectOf(rep FileReport, row int) string {
	for _, r := range rep.Rejects {
		if r.Row == row {
			return r.String()
		}
	}
	return ""
}

// Exports dated after 1/7/2025 that still name old communes and districts, on Lạng Sơn's real
// structures (docs/structure-changes.md §6).
func TestOldNamesInNewExports(t *testing.T) {
	t.Parallel()
	pool, _ := reformedLangSon(t)
	path := writeCSV(t, t.TempDir(), "tthc-2026.csv", [][]string{
		{"STT", "Huyện", "Xã", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
		{"1", "Huyện Chi Lăng", "Xã Vân An", "10", "6", "4", "30/11/2026"},          // 2: old name → Xã Chiến Thắng
		{"2", "", "Xã Bính Xá", "10", "6", "4", "30/11/2026"},                       // 3: split: a reject naming both
		{"3", "Huyện Tràng Định", "Xã Chi Lăng", "10", "6", "4", "30/11/2026"},      // 4: old Tràng Định's Chi Lăng → Xã Thất Khê
		{"4", "", "Xã Chi Lăng", "10", "6", "4", "30/11/2026"},                      // 5: today's Xã Chi Lăng (06463)
		{"5", "Huyện Chi Lăng", "", "10", "6", "4", "30/11/2026"},                   // 6: a district's own figures: no longer a unit
		{"6", "Huyện Chi Lăng", "Xã Vân An", "10", "6", "4", "31/12/2024"},          // 7: dated before the change
		{"7", "Huyện Tràng Định", "Thị trấn Thất Khê", "10", "6", "4", "31/3/2025"}, // 8: 06040 in the first half of 2025
		{"8", "Huyện Tràng Định", "Xã Vĩnh Tiến", "10", "6", "4", "30/4/2025"},      // 9: merged on 1/1/2025 → Thị trấn Thất Khê
		{"9", "Huyện Văn Quan", "Xã Đồng Giáp", "10", "6", "4", "31/3/2025"},        // 10: closed without a successor
		{"10", "Huyện Chi Lăng", "Xã Vân Ann", "10", "6", "4", "30/11/2026"},        // 11: a misspelling: spelling neighbours
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures, MaxRejectShare: 0.9})
	got := factCodes(t, pool, rep.BatchID)
	for row, want := range map[int]string{2: "06481", 4: "06040", 5: "06463", 7: "06469", 8: "06040", 9: "06040"} {
		if got[row] != want {
			t.Errorf("row %d: unit %q, want %s (reject: %s)", row, got[row], want, rejectOf(rep, row))
		}
	}
	mustContain(t, rejectOf(rep, 3), "Xã Bính Xá (06622) đã được chia cho 2 đơn vị từ 01/07/2025 (Xã Đình Lập (06613), Xã Kiên Mộc (06625))")
	mustContain(t, rejectOf(rep, 6), "Huyện Chi Lăng (187) không còn từ 01/07/2025 (đã bỏ cấp huyện)")
	mustContain(t, rejectOf(rep, 10), "Xã Đồng Giáp (06295) đã thôi là đơn vị hành chính từ 01/01/2025 và chưa có đơn vị kế tiếp", "ntm units successors add 06295")
	mustContain(t, rejectOf(rep, 11), "gần nhất")
	for _, row := range []int{3, 6, 10} {
		if strings.Contains(rejectOf(rep, row), "gần nhất") {
			t.Errorf("row %d: a closed unit's reject names spelling neighbours: %s", row, rejectOf(rep, row))
		}
	}
	notes := strings.Join(rep.Notes, "\n")
	mustContain(t, notes, "đơn vị cũ: Xã Vân An (cũ, 06469) → Xã Chiến Thắng (06481)", "đơn vị cũ: Xã Chi Lăng (cũ, 06034) → Xã Thất Khê (06040)",
		"đơn vị cũ: Xã Vĩnh Tiến (cũ, 06007) → Thị trấn Thất Khê (06040)")
	if strings.Count(notes, "Xã Vân An") != 1 {
		t.Errorf("one note per old unit: %s", notes)
	}
	var message string
	pool.QueryRow(context.Background(), `SELECT message FROM batch WHERE id = $1`, rep.BatchID).Scan(&message)
	mustContain(t, message, "Xã Vân An (cũ, 06469) → Xã Chiến Thắng (06481)")
}

// Group rows of old districts never reject the rows below them; codes of closed units carry too.
func TestOldDistrictGroupRowsAndCodes(t *testing.T) {
	t.Parallel()
	pool, _ := reformedLangSon(t)
	path := writeXLSX(t, t.TempDir(), "tthc.xlsx", sheet{name: "Biểu 2", rows: [][]any{
		{"UBND HUYỆN CHI LĂNG"},
		{"BÁO CÁO TÌNH HÌNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN"},
		{"Số liệu đến ngày 30/11/2026"},
		{"STT", "Đơn vị", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần"},
		{"I. Huyện Chi Lăng"},
		{1, "UBND xã Vân An", 100, 60, 40},
		{2, "UBND xã Quan Sơn", 100, 50, 30},
		{"II. Huyện Tràng Định"},
		{3, "UBND xã Chi Lăng", 95, 45, 50},
		{"III. Huyện Không Có"},
		{4, "UBND xã Đoàn Kết", 95, 45, 50},
	}})
	rep := load(t, pool, path, LoadOptions{})
	if rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
		t.Fatalf("report %+v", rep)
	}
	got := factCodes(t, pool, rep.BatchID)
	for row, want := range map[int]string{6: "06481", 7: "06517", 9: "06040", 11: "06001"} {
		if got[row] != want {
			t.Errorf("row %d: %q, want %s", row, got[row], want)
		}
	}
	// By code: 06034 (Tràng Định's Xã Chi Lăng) in 2026 is Xã Thất Khê; 06463 is today's Xã
	// Chi Lăng in 2026 and Thị trấn Đồng Mỏ in 2024 (the code is the same, the unit is not).
	path = writeCSV(t, t.TempDir(), "ma.csv", [][]string{
		{"Mã đơn vị", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
		{"06034", "10", "6", "4", "30/11/2026"},
		{"06463", "10", "6", "4", "30/11/2026"},
		{"06463", "10", "6", "4", "31/12/2024"},
		{"06622", "10", "6", "4", "30/11/2026"},
	}, ',', false)
	rep = load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures, MaxRejectShare: 0.9})
	got = factCodes(t, pool, rep.BatchID)
	if got[2] != "06040" || got[3] != "06463" || got[4] != "06463" {
		t.Errorf("codes: %v (rejects %v)", got, rep.Rejects)
	}
	mustContain(t, rejectOf(rep, 5), "Xã Bính Xá (06622) đã được chia cho 2 đơn vị")
	mustContain(t, strings.Join(rep.Notes, "\n"), "Xã Chi Lăng (cũ, 06034) → Xã Thất Khê (06040)")
}

// A fact dated before a unit's first version belongs to that version: with only the 2025 list
// imported, 2024 exports still load.
func TestFactBeforeFirstVersion(t *testing.T) {
	t.Parallel()
	pool := seededEmpty(t)
	jul, _ := parseDay("2025-07-01")
	importUnitsFile(t, pool, structureFile(t, "langson_units_2025.csv"), UnitsOptions{ValidFrom: jul})
	path := writeCSV(t, t.TempDir(), "2024.csv", [][]string{
		{"Mã xã", "Xã", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
		{"06463", "", "10", "6", "4", "31/12/2024"},
		{"", "Xã Thất Khê", "10", "6", "4", "31/12/2024"},
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures})
	got := factCodes(t, pool, rep.BatchID)
	if got[2] != "06463" || got[3] != "06040" || rep.RowsRejected != 0 {
		t.Errorf("2024 rows on the 2025 list: %v %v", got, rep.Rejects)
	}
}

func seededEmpty(t *testing.T) *pgxpool.Pool { return dbtest.New(t) }

func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

// Villages: the code-reuse trap (06463-001 is another village from 1/7/2025), a village merge
// (two → one through previous_codes), and old village names in a 2026 export.
func TestOldVillageNames(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	hdr := []string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind", "valid_from", "valid_to", "previous_codes"}
	importUnitsFile(t, pool, writeCSV(t, t.TempDir(), "2024.csv", [][]string{hdr,
		{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06463", "Thị trấn Đồng Mỏ", "06463-001", "Khối Hòa Bình", "Khối", "2022-01-01", "", ""},
		{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-001", "Thôn Làng Cống", "Thôn", "2022-01-01", "", ""},
		{"20", "Tỉnh Lạng Sơn", "187", "Huyện Chi Lăng", "06523", "Xã Chi Lăng", "06523-002", "Thôn Bản Chắt", "Thôn", "2022-01-01", "", ""},
	}, ',', false), UnitsOptions{})
	rep := importUnitsFile(t, pool, writeCSV(t, t.TempDir(), "2025.csv", [][]string{hdr,
		{"20", "Tỉnh Lạng Sơn", "", "", "06463", "Xã Chi Lăng", "", "", "", "2025-07-01", "", "06463;06523"},
		{"20", "Tỉnh Lạng Sơn", "", "", "06463", "Xã Chi Lăng", "06463-001", "Thôn Làng Cống", "Thôn", "2025-07-01", "", "06523-001;06523-002"},
		{"20", "Tỉnh Lạng Sơn", "", "", "06463", "Xã Chi Lăng", "06463-002", "Khối Hòa Bình", "Khối", "2025-07-01", "", "06463-001"},
	}, ',', false), UnitsOptions{})
	s := rep.Structure
	if s.Closed[ntm.LevelVillage] != 3 || s.Opened[ntm.LevelVillage] != 2 || s.Links != 5 || len(s.WithoutSuccessor) != 0 {
		t.Errorf("2025 villages: opened %v closed %v links %d without %v", s.Opened, s.Closed, s.Links, s.WithoutSuccessor)
	}
	path := writeCSV(t, t.TempDir(), "vpostcode.csv", [][]string{
		{"Mã thôn", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
		{"06463-001", "", "", "100", "90", "2", "2", "30/11/2026"},                // 2: today's Thôn Làng Cống
		{"06463-001", "", "", "100", "90", "2", "2", "30/11/2024"},                // 3: then Khối Hòa Bình (the fact stays 06463-001, of that version)
		{"", "Xã Chi Lăng", "Thôn Bản Chắt", "100", "90", "2", "2", "31/10/2026"}, // 4: an old village under the new commune
		{"06523-002", "", "", "100", "90", "2", "2", "30/9/2026"},                 // 5: an old code → the merged village
		{"", "Xã Chi Lăng", "Khối Hòa Bình", "100", "90", "2", "2", "31/8/2026"},  // 6: renumbered: 06463-002 now
		{"", "Xã Chi Lăng", "Thôn Bản Chắt", "100", "90", "2", "2", "31/12/2024"}, // 7: old Xã Chi Lăng's own village then
	}, ',', false)
	frep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	got := villageCodes(t, pool, frep.BatchID)
	for row, want := range map[int]string{2: "06463-001", 3: "06463-001", 4: "06463-001", 5: "06463-001", 6: "06463-002", 7: "06523-002"} {
		if got[row] != want {
			t.Errorf("row %d: %q, want %s (%s)", row, got[row], want, rejectOf(frep, row))
		}
	}
	mustContain(t, strings.Join(frep.Notes, "\n"), "Thôn Bản Chắt (cũ, 06523-002) → Thôn Làng Cống (06463-001)")
}

// Under an old district's heading a 2026 export lists today's communes by their own names: the
// kind written tells today's commune from an old one of the same bare name, old units that all
// passed wholly into one commune are that commune, and a divided commune whose name lives on is
// today's commune of that name (docs/structure-changes.md §6).
func TestOldDistrictHeadingsOverTodaysCommunes(t *testing.T) {
	t.Parallel()
	pool, _ := reformedLangSon(t)
	path := writeCSV(t, t.TempDir(), "tthc-2026-11.csv", [][]string{
		{"STT", "Đơn vị", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
		{"II. Huyện Tràng Định", "", "", "", "", ""},
		{"1", "UBND xã Thất Khê", "10", "6", "4", "30/11/2026"},       // 3: today's Xã Thất Khê, not the old Thị trấn Thất Khê
		{"2", "UBND thị trấn Thất Khê", "10", "6", "4", "31/10/2026"}, // 4: both old Thị trấn Thất Khê became Xã Thất Khê
		{"3", "UBND xã Chi Lăng", "10", "6", "4", "30/09/2026"},       // 5: old Tràng Định's Xã Chi Lăng → Xã Thất Khê
		{"V. Huyện Cao Lộc", "", "", "", "", ""},
		{"4", "UBND xã Cao Lộc", "10", "6", "4", "30/11/2026"},       // 7: today's Xã Cao Lộc (06211)
		{"5", "UBND thị trấn Cao Lộc", "10", "6", "4", "30/11/2026"}, // 8: old Thị trấn Cao Lộc → Phường Kỳ Lừa
		{"6", "UBND phường Kỳ Lừa", "10", "6", "4", "31/10/2026"},    // 9: a new name under an old heading
		{"XI. Huyện Đình Lập", "", "", "", "", ""},
		{"7", "UBND xã Kiên Mộc", "10", "6", "4", "30/11/2026"}, // 11: today's Xã Kiên Mộc, though old Kiên Mộc was divided
		{"8", "UBND xã Bính Xá", "10", "6", "4", "30/11/2026"},  // 12: divided, its name gone: a reject naming both
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures, MaxRejectShare: 0.9})
	got := factCodes(t, pool, rep.BatchID)
	for row, want := range map[int]string{3: "06040", 4: "06040", 5: "06040", 7: "06211", 8: "06187", 9: "06187", 11: "06625"} {
		if got[row] != want {
			t.Errorf("row %d: unit %q, want %s (reject: %s)", row, got[row], want, rejectOf(rep, row))
		}
	}
	if rep.RowsRejected != 1 {
		t.Errorf("%d rejects, want 1: %v", rep.RowsRejected, rep.Rejects)
	}
	mustContain(t, rejectOf(rep, 12), "Xã Bính Xá (06622) đã được chia cho 2 đơn vị")
	notes := strings.Join(rep.Notes, "\n")
	mustContain(t, notes, "Thị trấn Thất Khê (cũ, 05995) → Xã Thất Khê (06040)", "Thị trấn Thất Khê (cũ, 06040) → Xã Thất Khê (06040)",
		"Xã Chi Lăng (cũ, 06034) → Xã Thất Khê (06040)", "Thị trấn Cao Lộc (cũ, 06187) → Phường Kỳ Lừa (06187)")
	for _, not := range []string{"Xã Kiên Mộc (cũ", "Xã Cao Lộc (cũ", "Xã Thất Khê (cũ"} {
		if strings.Contains(notes, not) {
			t.Errorf("a unit named as it is today got an old-unit note %q:\n%s", not, notes)
		}
	}
}

// Two villages of one kind whose names fold alike ("Tổ dân phố 4" and "Khối 4", both of kind Tổ
// dân phố, both "4" once the kind is dropped) are told apart by the word the name starts with.
func TestVillageNamePrefixDecides(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	hdr := []string{"province_code", "province_name", "commune_code", "commune_name", "village_code", "village_name", "village_kind"}
	importUnitsFile(t, pool, writeCSV(t, t.TempDir(), "units.csv", [][]string{hdr,
		{"20", "Tỉnh Lạng Sơn", "06187", "Phường Kỳ Lừa", "06187-004", "Tổ dân phố 4", "Tổ dân phố"},
		{"20", "Tỉnh Lạng Sơn", "06187", "Phường Kỳ Lừa", "06187-041", "Khối 4", "Tổ dân phố"},
	}, ',', false), UnitsOptions{})
	path := writeCSV(t, t.TempDir(), "vpostcode.csv", [][]string{
		{"Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
		{"Phường Kỳ Lừa", "Tổ dân phố 4", "100", "90", "2", "2", "30/11/2026"}, // 2
		{"Phường Kỳ Lừa", "Khối 4", "100", "90", "2", "2", "30/11/2026"},       // 3
		{"Phường Kỳ Lừa", "TDP 4", "100", "90", "2", "2", "31/10/2026"},        // 4
		{"Phường Kỳ Lừa", "4", "100", "90", "2", "2", "30/09/2026"},            // 5: no word: ambiguous
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.9})
	got := villageCodes(t, pool, rep.BatchID)
	for row, want := range map[int]string{2: "06187-004", 3: "06187-041", 4: "06187-004"} {
		if got[row] != want {
			t.Errorf("row %d: %q, want %s (%s)", row, got[row], want, rejectOf(rep, row))
		}
	}
	mustContain(t, rejectOf(rep, 5), "không rõ ràng", "Tổ dân phố 4 (06187-004)", "Khối 4 (06187-041)")
}

// An export of a period after a merger that still lists the old communes one per row: for a
// flow (dossiers) the rows of several old units of one full successor are summed into it, with a
// note naming them; for a snapshot (procedures) the second row is a reject saying which old units
// merged into the successor and that its own figure is needed (docs/structure-changes.md §6).
func TestRowsOfOldUnitsOfOneSuccessor(t *testing.T) {
	t.Parallel()
	pool, _ := reformedLangSon(t)
	ctx := context.Background()
	path := writeCSV(t, t.TempDir(), "ho-so-2025.csv", [][]string{
		{"STT", "Đơn vị", "Huyện", "Kỳ báo cáo", "Tổng số hồ sơ tiếp nhận", "Tiếp nhận trực tuyến", "Hồ sơ xử lý trực tuyến toàn trình"},
		{"1", "UBND thị trấn Đồng Mỏ", "Huyện Chi Lăng", "Quý III/2025", "100", "80", "70"}, // 2 ┐
		{"2", "UBND xã Chi Lăng", "Huyện Chi Lăng", "Quý III/2025", "50", "40", "30"},       // 3 ├ summed into 06463
		{"3", "UBND thị trấn Chi Lăng", "Huyện Chi Lăng", "Quý III/2025", "20", "10", "5"},  // 4 ┘
		{"4", "UBND xã Vân An", "Huyện Chi Lăng", "Quý III/2025", "30", "20", "10"},         // 5: alone → 06481
		{"5", "UBND xã Chiến Thắng", "", "Quý III/2025", "35", "20", "10"},                  // 6: the successor's own: a reject
		{"6", "UBND thị trấn Đồng Mỏ", "Huyện Chi Lăng", "Quý III/2025", "100", "80", "70"}, // 7: the same old unit twice
		{"7", "UBND xã Chi Lăng", "Huyện Chi Lăng", "Tháng 10/2025", "10", "5", "5"},        // 8 ┐ summed; online unknown
		{"8", "UBND thị trấn Chi Lăng", "Huyện Chi Lăng", "Tháng 10/2025", "4", "", "1"},    // 9 ┘
	}, ',', false)
	rep := load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossiers, MaxRejectShare: 0.9})
	if rep.RowsLoaded != 6 || rep.RowsRejected != 2 || rep.FactsWritten != 3 {
		t.Errorf("loaded %d, rejected %d, facts %d; want 6, 2, 3 (%v)", rep.RowsLoaded, rep.RowsRejected, rep.FactsWritten, rep.Rejects)
	}
	rows, err := pool.Query(ctx, `SELECT row_no, unit_code, period_label, received, coalesce(received_online, -1), full_online
		FROM fact_dvc_dossiers WHERE batch_id = $1 ORDER BY row_no`, rep.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var n, rcv, onl, full int
		var code, label string
		if err := rows.Scan(&n, &code, &label, &rcv, &onl, &full); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %s %d/%d/%d", n, code, label, rcv, onl, full))
	}
	rows.Close()
	if want := "2 06463 Quý III/2025 170/130/105; 5 06481 Quý III/2025 30/20/10; 8 06463 Tháng 10/2025 14/-1/6"; strings.Join(got, "; ") != want {
		t.Errorf("facts:\n got %s\nwant %s", strings.Join(got, "; "), want)
	}
	mustContain(t, rejectOf(rep, 6), "trùng khóa với dòng 5", "dòng đọc trước (Xã Vân An (cũ, 06469)) và dòng này (Xã Chiến Thắng (06481)) đều là Xã Chiến Thắng (06481)",
		"đã có số liệu của chính Xã Chiến Thắng (06481) nên không cộng thêm số liệu ghi theo đơn vị cũ")
	mustContain(t, rejectOf(rep, 7), "trùng khóa với dòng 2 (cùng đơn vị và kỳ báo cáo); dòng đọc trước được giữ")
	notes := strings.Join(rep.Notes, "\n")
	mustContain(t, notes, "đã cộng số hồ sơ của 3 đơn vị cũ vào Xã Chi Lăng (06463): Thị trấn Đồng Mỏ (cũ, 06463), Xã Chi Lăng (cũ, 06523), Thị trấn Chi Lăng (cũ, 06466) — Quý III/2025 (dòng 2, 3, 4)",
		"đã cộng số hồ sơ của 2 đơn vị cũ vào Xã Chi Lăng (06463): Xã Chi Lăng (cũ, 06523), Thị trấn Chi Lăng (cũ, 06466) — Tháng 10/2025 (dòng 8, 9)")
	var message string
	pool.QueryRow(ctx, `SELECT message FROM batch WHERE id = $1`, rep.BatchID).Scan(&message)
	mustContain(t, message, "đã cộng số hồ sơ của 3 đơn vị cũ vào Xã Chi Lăng (06463)")

	// ntm check says the same without writing.
	chk, err := NewLoader(pool, zap.NewNop()).CheckFile(ctx, path, LoadOptions{Dataset: ntm.DatasetDVCDossiers, MaxRejectShare: 0.9})
	if err != nil || chk.RowsLoaded != 6 || chk.FactsWritten != 3 {
		t.Errorf("check: %+v %v", chk, err)
	}

	// A snapshot: the procedures of today's Xã Chi Lăng are not the sum of its predecessors'.
	path = writeCSV(t, t.TempDir(), "tthc-2025-09.csv", [][]string{
		{"STT", "Đơn vị", "Huyện", "Số TTHC đủ điều kiện cung cấp DVCTT", "Toàn trình", "Một phần", "Ngày số liệu"},
		{"1", "UBND thị trấn Đồng Mỏ", "Huyện Chi Lăng", "10", "6", "4", "30/09/2025"},
		{"2", "UBND xã Chi Lăng", "Huyện Chi Lăng", "10", "6", "4", "30/09/2025"},
	}, ',', false)
	rep = load(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCProcedures, MaxRejectShare: 0.9})
	if got := factCodes(t, pool, rep.BatchID); got[2] != "06463" || len(got) != 1 {
		t.Errorf("procedures: %v", got)
	}
	mustContain(t, rejectOf(rep, 3), "trùng khóa với dòng 2 (cùng đơn vị và ngày số liệu)",
		"dòng đọc trước (Thị trấn Đồng Mỏ (cũ, 06463)) và dòng này (Xã Chi Lăng (cũ, 06523)) đều là Xã Chi Lăng (06463)",
		"(hợp nhất ngày 01/07/2025 từ Thị trấn Đồng Mỏ (06463), Thị trấn Chi Lăng (06466), Xã Chi Lăng (06523))",
		"cần số liệu của chính Xã Chi Lăng (06463)")
}
