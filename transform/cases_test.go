package transform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"ntm"
)

// Rows must never vanish: each case below once lost rows with exit 0 and "0 rejected". Every
// test also checks the conservation equation, against the report and against the batch stored.

// assertConserved checks rows read = loaded + rejected + skipped, in the report and in the
// database (batch counts, skipped_row runs, rejected_row rows).
func assertConserved(t *testing.T, pool *pgxpool.Pool, rep FileReport) {
	t.Helper()
	if rep.RowsRead != rep.RowsLoaded+rep.RowsRejected+rep.RowsSkipped && !rep.Rejected {
		t.Errorf("report: read %d ≠ loaded %d + rejected %d + skipped %d", rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped)
	}
	skipped := 0
	for _, s := range rep.Skipped {
		skipped += s.Rows
	}
	if skipped != rep.RowsSkipped && len(rep.Skipped) < SkippedKept {
		t.Errorf("skipped runs hold %d rows, the report says %d", skipped, rep.RowsSkipped)
	}
	if pool == nil || rep.BatchID == 0 || rep.AlreadyLoaded {
		return
	}
	var read, loaded, rejected, skip, runs, rejRows int
	err := pool.QueryRow(context.Background(), `SELECT rows_read, rows_loaded, rows_rejected, rows_skipped,
		(SELECT coalesce(sum(rows), 0) FROM skipped_row WHERE batch_id = b.id),
		(SELECT count(*) FROM rejected_row WHERE batch_id = b.id) FROM batch b WHERE id = $1`, rep.BatchID).
		Scan(&read, &loaded, &rejected, &skip, &runs, &rejRows)
	if err != nil {
		t.Fatal(err)
	}
	if read != rep.RowsRead || loaded != rep.RowsLoaded || rejected != rep.RowsRejected || skip != rep.RowsSkipped {
		t.Errorf("batch %d stores %d/%d/%d/%d, the report says %d/%d/%d/%d", rep.BatchID, read, loaded, rejected, skip,
			rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped)
	}
	if runs != skip || rejRows != rejected {
		t.Errorf("batch %d: skipped_row holds %d rows for %d skipped, rejected_row %d for %d rejected", rep.BatchID, runs, skip, rejRows, rejected)
	}
}

func loadCase(t *testing.T, pool *pgxpool.Pool, path string, opts LoadOptions) FileReport {
	t.Helper()
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	assertConserved(t, pool, rep)
	return rep
}

// villagesCSV is a vpostcode export of n village rows (all fixture villages in turn, each at
// its own date so that keys do not repeat), with line(i) replacing row i when it returns one.
func villagesCSV(n int, line func(i int) string) []byte {
	villages := [][3]string{{"Xã Vân An", "Nà Sla", ""}, {"Xã Vân An", "Hòa Bình", ""}, {"Xã Chi Lăng", "Làng Cống", ""}, {"Xã Chi Lăng", "Bản Chắt", ""}}
	var b strings.Builder
	b.WriteString("Huyện,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu,Ghi chú\n")
	for i := 1; i <= n; i++ {
		if l := line(i); l != "" {
			b.WriteString(l + "\n")
			continue
		}
		v := villages[i%len(villages)]
		d := ntm.Date(2024, 1, 1).AddDate(0, 0, i)
		fmt.Fprintf(&b, "Huyện Chi Lăng,%s,%s,%d,%d,2,1,%s,\n", v[0], v[1], 100+i, 90, d.Format("02/01/2006"))
	}
	return []byte(b.String())
}

// Case 1: a stray quote at the start of a field swallowed the rest of the file (150 rows
// loaded 4). Now the line with the quote is rejected, naming its column, and the rest loads.
func TestCaseStrayQuoteRejectsItsLineOnly(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	// "… closed later": another quote further down (an inch mark ending a row's note) meets
	// the stray one; the rows between them once loaded as one note (or one skipped row).
	for _, where := range []string{"village", "note", "village closed later", "note closed later"} {
		t.Run(where, func(t *testing.T) {
			data := villagesCSV(150, func(i int) string {
				switch {
				case i == 10 && strings.HasSuffix(where, "closed later"):
					return `Huyện Chi Lăng,Xã Vân An,Hòa Bình,110,90,2,1,11/01/2024,cột cao 12"`
				case i != 4:
					return ""
				case strings.HasPrefix(where, "village"):
					return `Huyện Chi Lăng,Xã Vân An,"Nà Sla,104,90,2,1,05/01/2024,`
				}
				return `Huyện Chi Lăng,Xã Vân An,Nà Sla,104,90,2,1,05/01/2024,"chưa rà soát`
			})
			rep := loadCase(t, pool, writeBytes(t, "quote.csv", data), LoadOptions{Dataset: ntm.DatasetVpostcode})
			if rep.RowsLoaded != 149 || rep.RowsRejected != 1 || rep.RowsSkipped != 1 {
				t.Fatalf("loaded %d, rejected %d, skipped %d; want 149, 1, 1", rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped)
			}
			mustContain(t, rep.Rejects[0].String(), "Dòng 5", "dấu ngoặc kép")
			col := map[string]string{"village": "Thôn", "note": "Ghi chú"}[strings.Fields(where)[0]]
			if rep.Rejects[0].Column != col {
				t.Errorf("column %q, want %q", rep.Rejects[0].Column, col)
			}
		})
	}
}

// Case 2: a row whose first cell looks like a Roman-numeral group label was dropped, numbers
// and all: communes written "X. Vân An" without an STT column, dossier ids V-…, X-…, IV-….
func TestCaseRomanLookingFirstCellsLoad(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	var b strings.Builder
	b.WriteString("Đơn vị,Tổng số hồ sơ tiếp nhận,Hồ sơ xử lý trực tuyến toàn trình,Kỳ báo cáo\n")
	b.WriteString("I. Huyện Chi Lăng,500,300,Tháng 10/2026\n") // the district's subtotal row: a group
	for i := 0; i < 150; i++ {
		unit := []string{"X. Vân An", "X. Chi Lăng"}[i%2]
		fmt.Fprintf(&b, "%s,%d,%d,Tháng %d/%d\n", unit, 10+i, 5, 1+i/2%12, 2010+i/24)
	}
	rep := loadCase(t, pool, writeBytes(t, "x-communes.csv", []byte(b.String())), LoadOptions{Dataset: ntm.DatasetDVCDossiers})
	if rep.RowsLoaded != 150 || rep.RowsSkipped != 2 {
		t.Fatalf("loaded %d + rejected %d of 150, skipped %d (%v); rejects %v", rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped, rep.Skipped, rep.Rejects[:min(3, len(rep.Rejects))])
	}

	b.Reset()
	b.WriteString("Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\n")
	for i := 0; i < 200; i++ {
		id := []string{"V-%04d", "X-%04d", "IV-%04d", "H36.%04d"}[i%4]
		fmt.Fprintf(&b, "%s,UBND xã Vân An,02/03/2026,Trực tuyến,Toàn trình\n", fmt.Sprintf(id, i))
	}
	rep = loadCase(t, pool, writeBytes(t, "ids.csv", []byte(b.String())), LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if rep.RowsLoaded != 200 {
		t.Fatalf("loaded %d of 200 records (skipped %v)", rep.RowsLoaded, rep.Skipped)
	}
}

// Case 6: a NUL byte or a Windows-1258 byte after the first 64 KiB failed the whole file with a
// raw COPY error while the check said the file was fine. Now both reject that row, naming the
// cell, and the load and the check agree.
func TestCaseNULAndStrayBytesAfter64KiB(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	l := NewLoader(pool, nil)
	pad := strings.Repeat("đã rà soát ", 40)
	data := villagesCSV(400, func(i int) string {
		d := ntm.Date(2024, 1, 1).AddDate(0, 0, i).Format("02/01/2006")
		switch i {
		case 300:
			return "Huyện Chi Lăng,Xã Vân An,Nà Sla\x00,100,90,2,1," + d + ","
		case 301:
			return "Huyện Chi Lăng,Xã Vân An,Nà Sla,100,90,2,1," + d + ",ghi ch\xfa" // 0xFA: "ú" in Windows-1258
		case 302:
			return "Huyện Chi Lăng,Xã Vân An,Hòa B\xecnh,100,90,2,1," + d + ","
		}
		v := []string{"Nà Sla", "Hòa Bình"}[i%2]
		return "Huyện Chi Lăng,Xã Vân An," + v + ",100,90,2,1," + d + "," + pad
	})
	if i := strings.Index(string(data), "\x00"); i < 64<<10 {
		t.Fatalf("the NUL is at byte %d, before 64 KiB", i)
	}
	path := writeBytes(t, "late-bytes.csv", data)
	check, err := l.CheckFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil {
		t.Fatal(err)
	}
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	// Row 301's stray byte sits in the notes, which are not read: it loads.
	if rep.RowsRejected != 2 || check.RowsRejected != 2 || check.RowsLoaded != rep.RowsLoaded || rep.RowsLoaded != 398 {
		t.Fatalf("load: %d loaded, %d rejected; check: %d, %d", rep.RowsLoaded, rep.RowsRejected, check.RowsLoaded, check.RowsRejected)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 301", `cột "Thôn"`, "NUL")
	mustContain(t, rep.Rejects[1].String(), "Dòng 303", `cột "Thôn"`, "UTF-8")
	if check.Rejects[0].String() != rep.Rejects[0].String() {
		t.Errorf("check %q, load %q", check.Rejects[0], rep.Rejects[0])
	}
}

// Case 7: hidden sheets were read like visible ones, and an old hidden sheet placed first won
// the duplicate rule; the reject did not name the sheet.
func TestCaseHiddenSheetsAreNotRead(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	header := []any{"Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"}
	rowsOf := func(households int) [][]any {
		return [][]any{header,
			{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", households, 40, 0, 0, "30/11/2024"},
			{"Huyện Chi Lăng", "Xã Vân An", "Hòa Bình", households, 40, 0, 0, "30/11/2024"}}
	}
	path := writeXLSX(t, t.TempDir(), "hidden.xlsx", sheet{name: "Cũ", rows: rowsOf(50)}, sheet{name: "Mới", rows: rowsOf(100)}, sheet{name: "Nháp", rows: rowsOf(70)})
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(1)
	if err := f.SetSheetVisible("Cũ", false); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetVisible("Nháp", false, true); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if rep.RowsLoaded != 2 || rep.RowsRejected != 0 || len(rep.SkippedSheets) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1 AND households_total = 100 AND sheet = 'Mới'`, rep.BatchID); n != 2 {
		t.Fatalf("%d villages kept the visible sheet's 100 households", n)
	}
	mustContain(t, strings.Join(rep.Notes, "\n"), `bỏ qua trang "Cũ": trang bị ẩn`, `trang "Nháp": trang bị ẩn hoàn toàn`)
	sheets, err := BatchSheets(context.Background(), pool, rep.BatchID)
	if err != nil || len(sheets) != 3 || sheets[0].ReadAs != "hidden" || sheets[1].ReadAs != "table" || sheets[2].ReadAs != "very_hidden" {
		t.Fatalf("batch sheets %+v %v", sheets, err)
	}

	// Two visible sheets with the same keys: the duplicate names the other sheet.
	path = writeXLSX(t, t.TempDir(), "two.xlsx", sheet{name: "Tháng 10", rows: rowsOf(50)}, sheet{name: "Tháng 11", rows: rowsOf(100)})
	rep = loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.6})
	if rep.RowsRejected != 2 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), `Trang "Tháng 11", dòng 2`, `trùng khóa với dòng 2 của trang "Tháng 10"`)
}

// Case 10, merged cells: organisations 12 merged over three villages were stored as 12, 12, 12.
func TestCaseMergedCountIsNotCopied(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	path := writeXLSX(t, t.TempDir(), "merged.xlsx", sheet{name: "Vân An", rows: [][]any{
		{"Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
		{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", 100, 90, 12, 6, "30/11/2024"},
		{nil, nil, "Hòa Bình", 100, 90, nil, 3, "30/11/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 2, 1, "30/11/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", 100, 90, 2, 1, "30/11/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 2, 1, "01/12/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", 100, 90, 2, 1, "01/12/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 2, 1, "02/12/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", 100, 90, 2, 1, "02/12/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", 100, 90, 2, 1, "03/12/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 2, 1, "03/12/2024"},
	}, merges: [][2]string{{"A2", "A3"}, {"B2", "B3"}, {"F2", "F3"}}})
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if rep.RowsRejected != 2 || rep.RowsLoaded != 8 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), `Trang "Vân An", dòng 2`, `cột "Tổng số cơ quan, tổ chức"`, "F2:F3")
	mustContain(t, rep.Rejects[1].String(), `Trang "Vân An", dòng 3`, "F2:F3")
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE orgs_total = 12`); n != 0 {
		t.Errorf("a merged count was stored %d times", n)
	}
}

// Case 10, codes: a village code that contradicts the row's own commune and names was accepted
// under the code.
func TestCaseVillageCodeContradictingItsRow(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	data := "Mã thôn,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu\n" +
		"06469-001,Xã Vân An,Nà Sla,100,90,0,0,30/11/2024\n" + // agrees
		"06469-002,Xã Chi Lăng,Hòa Bình,100,90,0,0,30/11/2024\n" + // the code is Vân An's
		"06523-001,Xã Chi Lăng,Bản Chắt,100,90,0,0,30/11/2024\n" + // 001 is Làng Cống
		"06523-002,Xã Chi Lăng,Bản Chắtt,100,90,0,0,30/11/2024\n" // a typo contradicts nothing
	rep := loadCase(t, pool, writeBytes(t, "codes.csv", []byte(data)), LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.6})
	if rep.RowsLoaded != 2 || rep.RowsRejected != 2 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 3", `cột "Xã"`, "06469-002", "Xã Vân An", "Xã Chi Lăng")
	mustContain(t, rep.Rejects[1].String(), "Dòng 4", `cột "Thôn"`, "Làng Cống", "Bản Chắt")

	// The district too, by name or code: Vân An's villages are in Huyện Chi Lăng, not Bắc Sơn.
	data = "Mã huyện,Huyện,Mã thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu\n" +
		"187,Huyện Chi Lăng,06469-001,100,90,0,0,30/11/2024\n" + // agrees
		",Huyện Bắc Sơn,06469-002,100,90,0,0,30/11/2024\n" +
		"185,,06523-001,100,90,0,0,30/11/2024\n" +
		",Huyện Chi Lăng,06523-002,100,90,0,0,30/11/2024\n"
	rep = loadCase(t, pool, writeBytes(t, "district-codes.csv", []byte(data)), LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.6})
	if rep.RowsLoaded != 2 || rep.RowsRejected != 2 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), "Dòng 3", `cột "Huyện"`, "06469-002", "Huyện Chi Lăng", "Huyện Bắc Sơn")
	mustContain(t, rep.Rejects[1].String(), "Dòng 4", `cột "Mã huyện"`, "06523-001", "Huyện Bắc Sơn (185)")
}

// Case 10, dates: US-format dates loaded with day and month swapped for the ambiguous ones
// while the impossible ones were rejected in the same file.
func TestCaseDateOrderDecidedForTheFile(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	records := func(dates ...string) string {
		var b strings.Builder
		b.WriteString("Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\n")
		for i, d := range dates {
			fmt.Fprintf(&b, "H-%d,UBND xã Vân An,%s,Trực tuyến,Toàn trình\n", i, d)
		}
		return b.String()
	}
	// Month first, proved by 03/25/2026 after the ambiguous ones: all read month first.
	path := writeBytes(t, "us.csv", []byte(records("03/04/2026", "03/05/2026", "03/25/2026", "2026-03-06")))
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
		t.Fatalf("report %+v", rep)
	}
	var got []string
	rows, _ := pool.Query(context.Background(), `SELECT to_char(received_on, 'YYYY-MM-DD') FROM fact_dvc_dossier_record WHERE batch_id = $1 ORDER BY row_no`, rep.BatchID)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	if strings.Join(got, " ") != "2026-03-04 2026-03-05 2026-03-25 2026-03-06" {
		t.Errorf("dates %v", got)
	}
	mustContain(t, strings.Join(rep.Notes, "\n"), "tháng/ngày/năm", `"03/25/2026"`)

	// Day first unless proved otherwise.
	rep = loadCase(t, pool, writeBytes(t, "vn.csv", []byte(records("03/04/2026", "25/03/2026"))), LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if n := count(t, pool, `SELECT count(*) FROM fact_dvc_dossier_record WHERE batch_id = $1 AND received_on = '2026-04-03'`, rep.BatchID); n != 1 {
		t.Errorf("03/04/2026 not read day first")
	}

	// Both orders proved: rejected whole with both examples.
	rep = loadCase(t, pool, writeBytes(t, "mixed.csv", []byte(records("25/03/2026", "03/04/2026", "03/26/2026"))), LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if !rep.Rejected {
		t.Fatalf("a file mixing both orders loaded: %+v", rep)
	}
	mustContain(t, rep.Message, `"25/03/2026" ở dòng 2`, `"03/26/2026" ở dòng 4`, "cả hai kiểu")
	// Proved month first, then day first later on: rejected on the second reading.
	rep = loadCase(t, pool, writeBytes(t, "mixed2.csv", []byte(records("03/26/2026", "03/04/2026", "25/03/2026"))), LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if !rep.Rejected {
		t.Fatalf("a file mixing both orders loaded: %+v", rep)
	}
	mustContain(t, rep.Message, `"03/26/2026" ở dòng 2`, `"25/03/2026" ở dòng 4`)
}

// Case 10, repeated headers: a header row repeated mid-data became a date reject.
func TestCaseRepeatedHeaderIsSkipped(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	data := villagesCSV(10, func(i int) string {
		if i == 5 {
			return "Huyện,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu,Ghi chú"
		}
		return ""
	})
	rep := loadCase(t, pool, writeBytes(t, "rep.csv", data), LoadOptions{Dataset: ntm.DatasetVpostcode})
	if rep.RowsLoaded != 9 || rep.RowsRejected != 0 || rep.RowsSkipped != 2 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Skipped[1].Reason != "repeated_header" || rep.Skipped[1].From != 6 {
		t.Errorf("skipped %v", rep.Skipped)
	}
}

// Case 10, OCOP listings: listings that match no product were accepted and never flagged.
func TestCaseUnmatchedListingsAreFlagged(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	ocopProductsForListings(t, pool)
	path := writeCSV(t, t.TempDir(), "listings.csv", [][]string{
		{"Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Sàn TMĐT"},
		{"LS-001", "Na Chi Lăng", "HTX Chi Lăng", "Postmart"},
		{"LS-999", "Na Chi Lăng", "HTX Chi Lăng", "Shopee"},
		{"", "Miến dong", "HTX Long Đống", "Voso"},
		{"", "Miến dong", "HTX Khác", "Tiki"},
	}, ',', false)
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetOCOPListings})
	if rep.RowsLoaded != 4 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, strings.Join(rep.Notes, "\n"), "2 dòng sàn TMĐT không khớp sản phẩm OCOP", "dòng 3", "dòng 5")
	un, err := UnmatchedListings(context.Background(), pool, 0)
	if err != nil || len(un) != 2 || un[0].Row != 3 || un[1].Row != 5 {
		t.Fatalf("unmatched %+v %v", un, err)
	}
	var msg string
	pool.QueryRow(context.Background(), `SELECT message FROM batch WHERE id = $1`, rep.BatchID).Scan(&msg)
	mustContain(t, msg, "không khớp sản phẩm OCOP")
}

// Case 5: a full temporary folder was recorded as a bad file. It is the machine's fault: an
// error of code operator, nothing recorded.
func TestCaseFullTempDirIsAnOperatorFault(t *testing.T) {
	pool := seededPool(t)
	path := writeBytes(t, "vp.csv", villagesCSV(20, func(int) string { return "" }))
	for _, c := range faultyTempDirs(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("TMPDIR", c.dir)
			rep, err := NewLoader(pool, nil).LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetVpostcode})
			var e *ntm.Error
			if !errors.As(err, &e) || e.Code != ntm.CodeOperator || rep.Rejected {
				t.Fatalf("err %v (%T), report %+v", err, err, rep)
			}
			mustContain(t, e.Message, c.says, "vp.csv")
			if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 0 {
				t.Errorf("%d batches recorded", n)
			}
		})
	}
}

type faultyDir struct{ name, dir, says string }

// faultyTempDirs are temporary folders where writing fails: a full file system (when this test
// may mount one, as root does) and a folder that does not exist.
func faultyTempDirs(t *testing.T) []faultyDir {
	t.Helper()
	out := []faultyDir{{"missing folder", filepath.Join(t.TempDir(), "gone"), "Không tìm thấy tệp hoặc thư mục"}}
	dir := t.TempDir()
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).Run(); err != nil {
		t.Logf("no full file system to test with (mount: %v); the missing folder stands for it", err)
		return out
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	buf := make([]byte, 4096)
	for {
		if _, err := filler.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the file system: %v", err)
			}
			break
		}
	}
	filler.Close()
	return append(out, faultyDir{"full file system", dir, "Ổ đĩa đã đầy"})
}

// Case 11: ntm ingest of a FIFO or /dev/zero hung.
func TestCaseFIFOAndDevicesAreRefused(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	fifo := filepath.Join(t.TempDir(), "feed.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero", t.TempDir()} {
		done := make(chan error, 1)
		go func() {
			_, err := NewLoader(pool, nil).LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetVpostcode})
			done <- err
		}()
		select {
		case err := <-done:
			if ntm.ErrorCode(err) != ntm.CodeInvalid || !strings.Contains(err.Error(), "không phải tệp dữ liệu") {
				t.Errorf("%s: %v", path, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the load hangs", path)
		}
	}
}

// A file whose rows were rejected before the master data was fixed loads again with
// LoadOptions.Replace (ntm ingest --reload N): the same bytes are allowed, the new batch
// replaces batch N in the same transaction, and N's facts stop counting; nothing is deleted.
func TestReloadReplacesTheBatch(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	ctx := context.Background()
	data := "Huyện,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu\n" +
		"Huyện Chi Lăng,Xã Vân An,Nà Sla,100,90,0,0,30/11/2024\n" +
		"Huyện Chi Lăng,Xã Vân An,Hòa Bình,100,90,0,0,30/11/2024\n" +
		"Huyện Chi Lăng,Xã Chi Lăng,Làng Cống,100,90,0,0,30/11/2024\n" +
		"Huyện Chi Lăng,Xã Chi Lăng,Bản Chắt,100,90,0,0,30/11/2024\n" +
		"Huyện Chi Lăng,Xã Vân An,Khuổi Cấp,100,90,0,0,30/11/2024\n"
	path := writeBytes(t, "vp.csv", []byte(data))
	first := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if first.RowsLoaded != 4 || first.RowsRejected != 1 {
		t.Fatalf("first load %+v", first)
	}
	// Without --reload the same bytes are already loaded.
	if again := loadCase(t, pool, path, LoadOptions{}); !again.AlreadyLoaded || again.BatchID != first.BatchID {
		t.Fatalf("again %+v", again)
	}
	// The master data is fixed: Khuổi Cấp is a village of Vân An.
	if _, err := pool.Exec(ctx, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES ('06469-003', 'village', 'Thôn', 'Thôn Khuổi Cấp', 'khuổi cấp', '06469')`); err != nil {
		t.Fatal(err)
	}
	l := NewLoader(pool, nil)
	// A reload with another dataset is refused before anything is read.
	if _, err := l.LoadFile(ctx, path, LoadOptions{Dataset: ntm.DatasetVillageSurvey, Replace: first.BatchID}); ntm.ErrorCode(err) != ntm.CodeInvalid || !strings.Contains(err.Error(), "cùng loại dữ liệu") {
		t.Fatalf("other dataset: %v", err)
	}
	rep := loadCase(t, pool, path, LoadOptions{Replace: first.BatchID})
	if rep.RowsLoaded != 5 || rep.Replaced != first.BatchID || rep.BatchID == first.BatchID {
		t.Fatalf("reload %+v", rep)
	}
	old, _ := GetBatch(ctx, pool, first.BatchID)
	if old.Status != "replaced" || old.ReplacedBy == nil || *old.ReplacedBy != rep.BatchID || old.ReplacedAt == nil {
		t.Fatalf("old batch %+v", old)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode f JOIN batch b ON b.id = f.batch_id WHERE b.status = 'loaded'`); n != 5 {
		t.Errorf("%d facts count, want 5 (the old batch's must not)", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1`, first.BatchID); n != 4 {
		t.Errorf("the replaced batch's facts: %d left, want 4 (nothing is deleted)", n)
	}
	// Batch N again: already replaced. The old bytes normally: already loaded (as the new batch).
	if _, err := l.LoadFile(ctx, path, LoadOptions{Replace: first.BatchID}); ntm.ErrorCode(err) != ntm.CodeConflict || !strings.Contains(err.Error(), fmt.Sprintf("lô số %d", rep.BatchID)) {
		t.Fatalf("reload of a replaced batch: %v", err)
	}
	if again := loadCase(t, pool, path, LoadOptions{}); !again.AlreadyLoaded || again.BatchID != rep.BatchID {
		t.Fatalf("the same bytes once more: %+v", again)
	}
	if err := RevokeBatch(ctx, pool, first.BatchID, "x"); ntm.ErrorCode(err) != ntm.CodeConflict || !strings.Contains(err.Error(), "đã được thay") {
		t.Errorf("revoke of a replaced batch: %v", err)
	}
	// A reload rejected whole replaces nothing.
	bad := writeBytes(t, "vp-bad.csv", []byte(strings.ReplaceAll(data, ",100,90,", ",abc,90,")))
	rej := loadCase(t, pool, bad, LoadOptions{Replace: rep.BatchID})
	if !rej.Rejected || rej.Replaced != 0 {
		t.Fatalf("bad reload %+v", rej)
	}
	if b, _ := GetBatch(ctx, pool, rep.BatchID); b.Status != "loaded" {
		t.Fatalf("a rejected reload replaced batch %d: %+v", rep.BatchID, b)
	}
	// A check of a reload says what would load.
	chk, err := l.CheckFile(ctx, path, LoadOptions{Replace: rep.BatchID})
	if err != nil || chk.AlreadyLoaded || chk.RowsLoaded != 5 {
		t.Fatalf("check of a reload: %+v %v", chk, err)
	}
}

// Case 4, for files: a CSV whose last line has no line break may be cut short; when that line
// carries no data (only a unit's name, or what looks like a group label) it is rejected as
// possibly cut, never skipped; a cut line with data loads or is rejected as any other.
func TestCaseCutLastLineIsNeverSkipped(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	whole := string(villagesCSV(10, func(int) string { return "" }))
	for _, c := range []struct {
		name, tail string
		rejected   bool
	}{
		{"unit only", "Huyện Chi Lăng,Xã Vân An,Nà Sla", true},
		{"group-looking", "X. Vân An", true},
		{"with data", "Huyện Chi Lăng,Xã Vân An,Nà Sla,120,90,2,1,30/11/2024", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := loadCase(t, pool, writeBytes(t, "cut.csv", []byte(whole+c.tail)), LoadOptions{Dataset: ntm.DatasetVpostcode})
			if rep.RowsSkipped != 1 { // the header only
				t.Fatalf("skipped %d (%+v)", rep.RowsSkipped, rep.Skipped)
			}
			if got := rep.RowsRejected == 1; got != c.rejected {
				t.Fatalf("rejected %d: %+v", rep.RowsRejected, rep.Rejects)
			}
			if c.rejected {
				mustContain(t, rep.Rejects[0].String(), "Dòng 12", "bị cắt cụt")
			}
		})
	}
	// The same last line ending with a line break is an ordinary unit-only row: skipped.
	rep := loadCase(t, pool, writeBytes(t, "whole.csv", []byte(whole+"Huyện Chi Lăng,Xã Vân An,Nà Sla\n")), LoadOptions{Dataset: ntm.DatasetVpostcode})
	if rep.RowsSkipped != 2 || rep.RowsRejected != 0 {
		t.Fatalf("with a final line break: skipped %d, rejected %d", rep.RowsSkipped, rep.RowsRejected)
	}
}

// The loader refuses to commit a load whose counts break the guarantee (a bug must not lose
// rows silently either).
func TestConservedRefusesABrokenCount(t *testing.T) {
	t.Parallel()
	ok := FileReport{File: "a.csv", RowsRead: 5, RowsLoaded: 2, RowsRejected: 1, RowsSkipped: 2}
	if err := ok.conserved(); err != nil {
		t.Fatal(err)
	}
	broken := ok
	broken.RowsSkipped = 1
	if err := broken.conserved(); ntm.ErrorCode(err) != ntm.CodeInternal || !strings.Contains(err.Error(), "a.csv") {
		t.Fatalf("conserved() = %v", err)
	}
}
