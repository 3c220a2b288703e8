package reports

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/db/dbtest"
	"ntm/evaluate"
)

// twoStructures loads a small province on both structures, the way the structure imports leave
// it: to 30/06/2025 Huyện Chi Lăng (187: Thị trấn Đồng Mỏ 06463, Xã Chi Lăng 06523) and Huyện
// Đình Lập (200: Xã Đình Lập 06613, Xã Bính Xá 06622, Xã Kiên Mộc 06625); from 1/7/2025 no
// districts: Xã Chi Lăng (06463) ← 06463, 06523; Xã Đình Lập (06613) ← 06613 and part of 06622;
// Xã Kiên Mộc (06625) ← 06625 and part of 06622. Then the facts of 2024 and 2025 and the
// evaluations of 2024-12 and 2025-09.
func twoStructures(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to) VALUES
		('20', 'province', 'Tỉnh', 'Tỉnh Lạng Sơn', 'lạng sơn', NULL, '1900-01-01', NULL),
		('187', 'district', 'Huyện', 'Huyện Chi Lăng', 'chi lăng', '20', '1900-01-01', '2025-06-30'),
		('200', 'district', 'Huyện', 'Huyện Đình Lập', 'đình lập', '20', '1900-01-01', '2025-06-30'),
		('06463', 'commune', 'Thị trấn', 'Thị trấn Đồng Mỏ', 'đồng mỏ', '187', '1900-01-01', '2025-06-30'),
		('06523', 'commune', 'Xã', 'Xã Chi Lăng', 'chi lăng', '187', '1900-01-01', '2025-06-30'),
		('06613', 'commune', 'Xã', 'Xã Đình Lập', 'đình lập', '200', '1900-01-01', '2025-06-30'),
		('06622', 'commune', 'Xã', 'Xã Bính Xá', 'bính xá', '200', '1900-01-01', '2025-06-30'),
		('06625', 'commune', 'Xã', 'Xã Kiên Mộc', 'kiên mộc', '200', '1900-01-01', '2025-06-30'),
		('06463-001', 'village', 'Khu', 'Khu Hòa Bình', 'hòa bình', '06463', '1900-01-01', '2025-06-30'),
		('06523-001', 'village', 'Thôn', 'Thôn Làng Cang', 'làng cang', '06523', '1900-01-01', '2025-06-30'),
		('06613-001', 'village', 'Thôn', 'Thôn Bản Chắt', 'bản chắt', '06613', '1900-01-01', '2025-06-30'),
		('06622-001', 'village', 'Thôn', 'Thôn Lũng Sla', 'lũng sla', '06622', '1900-01-01', '2025-06-30'),
		('06625-001', 'village', 'Thôn', 'Thôn Khe Mò', 'khe mò', '06625', '1900-01-01', '2025-06-30'),
		('06463', 'commune', 'Xã', 'Xã Chi Lăng', 'chi lăng', '20', '2025-07-01', NULL),
		('06613', 'commune', 'Xã', 'Xã Đình Lập', 'đình lập', '20', '2025-07-01', NULL),
		('06625', 'commune', 'Xã', 'Xã Kiên Mộc', 'kiên mộc', '20', '2025-07-01', NULL),
		('06463-001', 'village', 'Thôn', 'Thôn Làng Cang', 'làng cang', '06463', '2025-07-01', NULL),
		('06463-002', 'village', 'Khu', 'Khu Hòa Bình', 'hòa bình', '06463', '2025-07-01', NULL),
		('06613-001', 'village', 'Thôn', 'Thôn Bản Chắt', 'bản chắt', '06613', '2025-07-01', NULL),
		('06613-002', 'village', 'Thôn', 'Thôn Lũng Sla', 'lũng sla', '06613', '2025-07-01', NULL),
		('06625-001', 'village', 'Thôn', 'Thôn Khe Mò', 'khe mò', '06625', '2025-07-01', NULL)`)
	exec1(t, pool, `INSERT INTO unit_successor (old_code, new_code, from_date, kind, source) VALUES
		('06463', '06463', '2025-07-01', 'full', 'merged_from_codes'), ('06523', '06463', '2025-07-01', 'full', 'merged_from_codes'),
		('06613', '06613', '2025-07-01', 'full', 'merged_from_codes'), ('06622', '06613', '2025-07-01', 'partial', 'merged_from_codes'),
		('06625', '06625', '2025-07-01', 'full', 'merged_from_codes'), ('06622', '06625', '2025-07-01', 'partial', 'merged_from_codes'),
		('06523-001', '06463-001', '2025-07-01', 'full', 'previous_codes'), ('06463-001', '06463-002', '2025-07-01', 'full', 'previous_codes'),
		('06613-001', '06613-001', '2025-07-01', 'full', 'previous_codes'), ('06622-001', '06613-002', '2025-07-01', 'full', 'previous_codes'),
		('06625-001', '06625-001', '2025-07-01', 'full', 'previous_codes')`)
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, sha256, received_at, as_of, status) VALUES
		(1, 'village_survey', 'file:///in/khao-sat.xlsx', 'a1', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded'),
		(2, 'dvc_procedures', 'file:///in/tthc.xlsx', 'a2', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded'),
		(3, 'dvc_procedures', 'file:///in/tthc-2025.xlsx', 'a3', '2025-09-05 03:00:00+00', '2025-08-31', 'loaded'),
		(4, 'ocop_products', 'file:///in/ocop.xlsx', 'a4', '2024-12-05 03:00:00+00', '2024-11-30', 'loaded')`)
	exec1(t, pool, `INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, owner,
		folded_owner, commune_code, certified_on) VALUES
		(4, 1, 'hồi khô bính xá|htx bính xá|06622', '', 'Hồi khô Bính Xá', 'hồi khô bính xá', 3, 'HTX Bính Xá', 'htx bính xá', '06622', '2024-06-14')`)
	for _, v := range []string{"06463-001", "06523-001", "06613-001", "06622-001", "06625-001"} {
		exec1(t, pool, `INSERT INTO fact_village_survey (batch_id, row_no, village_code, as_of, team, platform, wifi, models)
			VALUES (1, 1, $1, '2024-11-30', true, true, $2, 1)`, v, v != "06463-001")
	}
	exec1(t, pool, `INSERT INTO fact_dvc_procedures (batch_id, row_no, unit_code, as_of, eligible, full_online, partial_online) VALUES
		(2, 1, '187', '2024-11-30', 100, 100, 0), (2, 2, '200', '2024-11-30', 100, 100, 0),
		(2, 3, '06463', '2024-11-30', 100, 100, 0), (2, 4, '06523', '2024-11-30', 100, 80, 0),
		(2, 5, '06613', '2024-11-30', 100, 90, 0), (2, 6, '06622', '2024-11-30', 100, 90, 0), (2, 7, '06625', '2024-11-30', 100, 90, 0),
		(3, 1, '06613', '2025-08-31', 100, 95, 0), (3, 2, '06625', '2025-08-31', 100, 100, 0),
		(3, 3, '06463', '2025-08-31', 200, 190, 0)`)
	for _, p := range []ntm.Period{{Year: 2024, Month: time.December}, {Year: 2025, Month: time.September}} {
		if _, err := evaluate.Evaluate(ctx, pool, p); err != nil {
			t.Fatalf("evaluate %s: %v", p, err)
		}
	}
	return pool
}

// rowStarting returns the first row whose cell in column col starts with prefix.
func rowStarting(t *testing.T, f *excelize.File, sheet, col, prefix string) int {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := excelize.ColumnNameToNumber(col)
	for i, r := range rows {
		if len(r) >= c && strings.HasPrefix(r[c-1], prefix) {
			return i + 1
		}
	}
	t.Fatalf("%s: no row starting with %q in column %s", sheet, prefix, col)
	return 0
}

// sheetText is every cell of a sheet, joined.
func sheetText(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteString("\n")
	}
	return b.String()
}

// With both structures in the database, the recipients follow the structure in force at each
// period's end; the province workbook is written on either; a trend after the change compares a
// commune with its predecessors and says the structure changed, and a split commune's figure is
// "không so sánh được"; without districts the DVC sheet words 9.5 as the commune's own.
func TestRecipientsAndTrendsAcrossAChangeOfStructure(t *testing.T) {
	pool := twoStructures(t)
	ctx := context.Background()
	names := func(paths []string) string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return strings.Join(out, " ")
	}
	dec, err := Write(ctx, pool, ntm.Period{Year: 2024, Month: time.December}, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(dec); got != "187-huyen-chi-lang.xlsx 200-huyen-dinh-lap.xlsx 20-tinh-lang-son.xlsx" {
		t.Errorf("2024-12 workbooks: %s", got)
	}
	sep, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatalf("2025-09 (both structures loaded): %v", err)
	}
	if got := names(sep); got != "06463-xa-chi-lang.xlsx 06613-xa-dinh-lap.xlsx 06625-xa-kien-moc.xlsx 20-tinh-lang-son.xlsx" {
		t.Fatalf("2025-09 workbooks: %s (no workbook for a closed district)", got)
	}
	if _, err := Write(ctx, pool, ntm.Period{Year: 2025, Month: time.September}, Options{OutDir: t.TempDir(), Recipient: "187"}); err == nil ||
		!strings.Contains(err.Error(), "không có đơn vị nhận báo cáo mã \"187\"") {
		t.Errorf("a closed district as recipient: %v", err)
	}

	// Province: the trend column says the structure changed; the villages are compared through
	// the lineage (5 then, 5 now), not against whatever codes the old structure had.
	prov := open(t, sep[3])
	sh := sheetSummary
	hdr := rowStarting(t, prov, sh, "A", "Chỉ số")
	wantCell(t, prov, sh, "E"+itoa(hdr), "Thay đổi so với kỳ 2024-12 (theo đơn vị hiện nay; cơ cấu đơn vị thay đổi từ 01/07/2025)")
	r := findRow(t, prov, sh, "A", "Số thôn, tổ dân phố được đánh giá")
	wantCell(t, prov, sh, "C"+itoa(r), "5")
	wantCell(t, prov, sh, "E"+itoa(r), "không đổi so với 2024-12")
	if txt := sheetText(t, prov, sh); !strings.Contains(txt, "Cơ cấu đơn vị hành chính thay đổi từ 01/07/2025: số liệu kỳ 2024-12 được tính lại theo các đơn vị hiện nay") {
		t.Errorf("the summary does not explain the comparison across the change:\n%s", txt)
	}
	for _, sheet := range []string{sheetServices, sheetNotes} {
		if txt := sheetText(t, prov, sheet); strings.Contains(txt, "toàn huyện") || strings.Contains(strings.ToLower(txt), "tham khảo") {
			t.Errorf("%s after the reform still says toàn huyện / tham khảo:\n%s", sheet, txt)
		}
	}

	// New Xã Chi Lăng (06463): its own procedures of 2025 (190/200) compared with Đồng Mỏ and Xã
	// Chi Lăng of 2024 combined (180/200): up 5 points — never with Đồng Mỏ's 100% alone, whose
	// code it has.
	cl := open(t, sep[0])
	r = rowStarting(t, cl, sh, "A", "Tỷ lệ TTHC cung cấp DVCTT (ngưỡng")
	wantCell(t, cl, sh, "C"+itoa(r), "0.95")
	wantCell(t, cl, sh, "E"+itoa(r), "+5 điểm % so với 2024-12")
	if strings.Contains(raw(t, cl, sh, "A"+itoa(r)), "tham khảo") {
		t.Errorf("the commune's own ratio is labelled tham khảo: %q", raw(t, cl, sh, "A"+itoa(r)))
	}
	svc := sheetText(t, cl, sheetServices)
	if !strings.Contains(svc, "Không còn cấp huyện: chỉ tiêu 9.5 của mỗi xã, phường đánh giá trên số liệu của chính xã, phường đó.") ||
		strings.Contains(svc, "toàn huyện") || strings.Contains(strings.ToLower(svc), "tham khảo") {
		t.Errorf("DVC sheet of Xã Chi Lăng:\n%s", svc)
	}

	// Xã Đình Lập (06613) took part of split Xã Bính Xá: its 2024 figure cannot be mapped.
	dl := open(t, sep[1])
	r = rowStarting(t, dl, sh, "A", "Tỷ lệ TTHC cung cấp DVCTT (ngưỡng")
	wantCell(t, dl, sh, "C"+itoa(r), "0.95")
	wantCell(t, dl, sh, "E"+itoa(r), "không so sánh được")
	r = findRow(t, dl, sh, "A", "Số thôn, tổ dân phố được đánh giá")
	wantCell(t, dl, sh, "E"+itoa(r), "không so sánh được")

	// Split Xã Bính Xá's product is shown, and counts, for both its successors, and the sheets say so.
	for _, path := range []string{sep[1], sep[2]} {
		f := open(t, path)
		if txt := sheetText(t, f, sheetOCOP); !strings.Contains(txt, "Hồi khô Bính Xá") ||
			!strings.Contains(txt, "Sản phẩm của Xã Bính Xá (cũ, 06622), đã chia cho nhiều xã: tính cho mỗi xã kế tiếp") {
			t.Errorf("%s: OCOP sheet:\n%s", filepath.Base(path), txt)
		}
		if txt := sheetText(t, f, sheetQuality); !strings.Contains(txt, "Sản phẩm OCOP “Hồi khô Bính Xá” của Xã Bính Xá (cũ, 06622), xã đã chia cho nhiều xã: được tính cho mỗi xã kế tiếp") {
			t.Errorf("%s: data-quality sheet:\n%s", filepath.Base(path), txt)
		}
	}
	if txt := sheetText(t, open(t, sep[0]), sheetOCOP); strings.Contains(txt, "Hồi khô Bính Xá") {
		t.Errorf("Xã Chi Lăng shows Bính Xá's product:\n%s", txt)
	}
	// 2024-12: the product under its own commune, in Huyện Đình Lập's workbook, without a note.
	if txt := sheetText(t, open(t, dec[1]), sheetOCOP); !strings.Contains(txt, "Hồi khô Bính Xá") || strings.Contains(txt, "đã chia") {
		t.Errorf("Huyện Đình Lập 2024-12 OCOP sheet:\n%s", txt)
	}
}

// A commune that moved between provinces: Lào Cai's Xã Trịnh Tường (02662) joins Lạng Sơn's Xã
// Chi Lăng (06463) from 1/7/2025, its Thôn Lũng Pô (02662-001) becoming 06463-004. Each province's
// workbooks read the history of their own province only (units.LoadOptions.Provinces), and that
// history holds what came from the other province: the product Lào Cai's list names under the old
// commune and village is shown in Xã Chi Lăng's workbook with the old commune's name, and not in
// Lào Cai's.
func TestWorkbookNamesAUnitThatMovedBetweenProvinces(t *testing.T) {
	pool := twoStructures(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to) VALUES
		('10', 'province', 'Tỉnh', 'Tỉnh Lào Cai', 'lào cai', NULL, '1900-01-01', NULL),
		('080', 'district', 'Huyện', 'Huyện Bát Xát', 'bát xát', '10', '1900-01-01', '2025-06-30'),
		('02662', 'commune', 'Xã', 'Xã Trịnh Tường', 'trịnh tường', '080', '1900-01-01', '2025-06-30'),
		('02662-001', 'village', 'Thôn', 'Thôn Lũng Pô', 'lũng pô', '02662', '1900-01-01', '2025-06-30'),
		('02680', 'commune', 'Xã', 'Xã Bát Xát', 'bát xát', '10', '2025-07-01', NULL),
		('02680-001', 'village', 'Thôn', 'Thôn Tả Lừ', 'tả lừ', '02680', '2025-07-01', NULL),
		('06463-004', 'village', 'Thôn', 'Thôn Lũng Pô', 'lũng pô', '06463', '2025-07-01', NULL)`)
	exec1(t, pool, `INSERT INTO unit_successor (old_code, new_code, from_date, kind, source) VALUES
		('02662', '06463', '2025-07-01', 'full', 'merged_from_codes'),
		('02662-001', '06463-004', '2025-07-01', 'full', 'previous_codes')`)
	exec1(t, pool, `INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, owner,
		folded_owner, commune_code, village_code, certified_on) VALUES
		(4, 2, 'P7', 'P7', 'Chè Shan tuyết Lũng Pô', 'chè shan tuyết lũng pô', 4, 'HTX Lũng Pô', 'htx lũng pô', '02662', '02662-001', '2024-06-14')`)
	sep := ntm.Period{Year: 2025, Month: time.September}
	if _, err := evaluate.Evaluate(ctx, pool, sep); err != nil {
		t.Fatal(err)
	}
	paths, err := Write(ctx, pool, sep, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, p := range paths {
		byName[filepath.Base(p)] = p
	}
	cl, lc := byName["06463-xa-chi-lang.xlsx"], byName["02680-xa-bat-xat.xlsx"]
	if cl == "" || lc == "" {
		t.Fatalf("2025-09 workbooks: %v", paths)
	}
	if txt := sheetText(t, open(t, cl), sheetOCOP); !strings.Contains(txt, "Chè Shan tuyết Lũng Pô") ||
		!strings.Contains(txt, "Danh sách ghi Xã Trịnh Tường (cũ, 02662)") {
		t.Errorf("Xã Chi Lăng's OCOP sheet does not show Lào Cai's old commune's product under its name:\n%s", txt)
	}
	if txt := sheetText(t, open(t, lc), sheetOCOP); strings.Contains(txt, "Lũng Pô") {
		t.Errorf("Xã Bát Xát (Lào Cai) shows the product of the commune that left the province:\n%s", txt)
	}
}
