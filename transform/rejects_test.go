package transform

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ntm"
)

// The rejected-rows workbook holds every rejected row (not the first 1,000 the report keeps),
// in the file's own layout, with the row, column and reason added; readers that trust the
// recorded dimension (openpyxl) see all of it; and it loads again once corrected.
func TestRejectsWorkbookRoundTrip(t *testing.T) {
	pool := seededPool(t)
	ctx := context.Background()
	header := []any{"STT", "Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu", "Ghi chú"}
	rows := [][]any{{"BÁO CÁO GẮN ĐỊA CHỈ SỐ"}, header}
	const n = 3300
	for i := 1; i <= n; i++ {
		village, total := "Nà Sla", any(100)
		if i%2 == 0 {
			village = "Hòa Bình"
		}
		if i%3 == 0 {
			total = "một trăm" // rejected
		}
		rows = append(rows, []any{i, "Huyện Chi Lăng", "Xã Vân An", village, total, 90, 0, 0, 45000 + i, "ghi chú"})
	}
	path := writeXLSX(t, t.TempDir(), "vp-van-an.xlsx", sheet{name: "Vân An", rows: rows})
	rep := loadCase(t, pool, path, LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.5})
	if rep.RowsRejected != n/3 || len(rep.Rejects) != RejectsKept {
		t.Fatalf("loaded %d, rejected %d (%d in the report)", rep.RowsLoaded, rep.RowsRejected, len(rep.Rejects))
	}
	var buf bytes.Buffer
	written, err := WriteRejects(ctx, pool, rep.BatchID, &buf)
	if err != nil || written != n/3 {
		t.Fatalf("wrote %d rows: %v", written, err)
	}
	out := filepath.Join(t.TempDir(), "back.xlsx")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetRows("Vân An")
	f.Close()
	if len(got) != n/3+1 {
		t.Fatalf("%d rows in the workbook, want %d", len(got), n/3+1)
	}
	want := []string{"STT", "Huyện", "Xã", "Thôn", "Tổng số hộ"}
	if strings.Join(got[0][:5], "|") != strings.Join(want, "|") || got[0][10] != rejectsRowHeader || got[0][12] != rejectsReasonHeader {
		t.Fatalf("header %q", got[0])
	}
	if r := got[1]; r[0] != "3" || r[4] != "một trăm" || r[10] != "5" || r[11] != "Tổng số hộ" || !strings.Contains(r[12], "một trăm") || r[8] == "45003" {
		t.Fatalf("first row %q", r)
	}
	if openpyxl() {
		cmd := exec.Command("/usr/bin/python3", "-c", `import openpyxl,sys
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for _ in wb["Vân An"].iter_rows()))`, out)
		b, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(n/3+1) {
			t.Fatalf("openpyxl read %q rows (%v), want %d", b, err, n/3+1)
		}
	} else {
		t.Log("openpyxl is not installed (/usr/bin/python3 -c 'import openpyxl'): the dimension is not checked by it")
	}
	// Corrected (the totals typed as numbers), the workbook loads as a new file.
	f, _ = excelize.OpenFile(out)
	for i := 2; i <= n/3+1; i++ {
		f.SetCellValue("Vân An", fmt.Sprintf("E%d", i), 100)
	}
	fixed := filepath.Join(t.TempDir(), "fixed.xlsx")
	if err := f.SaveAs(fixed); err != nil {
		t.Fatal(err)
	}
	f.Close()
	again := loadCase(t, pool, fixed, LoadOptions{Dataset: ntm.DatasetVpostcode, AsOf: ntm.Date(2024, 11, 30)})
	if again.RowsLoaded != n/3 || again.RowsRejected != 0 {
		t.Fatalf("the corrected rows: %+v", again.Rejects[:min(3, len(again.Rejects))])
	}
	if _, err := WriteRejects(ctx, pool, again.BatchID, &buf); ntm.ErrorCode(err) != ntm.CodeNotFound {
		t.Errorf("a batch without rejects: %v", err)
	}
	b, _ := GetBatch(ctx, pool, rep.BatchID)
	if RejectsFileName(b) != "vp-van-an-dong-bi-loai.xlsx" {
		t.Errorf("file name %q", RejectsFileName(b))
	}
}

func openpyxl() bool {
	return exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run() == nil
}
