package transform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
)

// messyVpostcode is a real-looking district export: titles, a 2-row merged header, a
// column-number row, group rows per district, subtotal rows, Vietnamese text numbers,
// NFD text and a signature block.
func messyVpostcode(t *testing.T, dir string) string {
	return writeXLSX(t, dir, "dia-chi-so.xlsx", sheet{name: "Biểu 01", rows: [][]any{
		{"UBND TỈNH LẠNG SƠN", nil, nil, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
		{"SỞ KHOA HỌC VÀ CÔNG NGHỆ", nil, nil, nil, nil, "Lạng Sơn, ngày 05 tháng 12 năm 2024"},
		{"BÁO CÁO KẾT QUẢ GẮN ĐỊA CHỈ SỐ CHO HỘ GIA ĐÌNH, CƠ QUAN, TỔ CHỨC"},
		{"(Số liệu đến ngày 30/11/2024)"},
		{},
		{"STT", "Tên xã", "Tên thôn", "Hộ gia đình", nil, "Cơ quan, tổ chức", nil, "Ghi chú"},
		{nil, nil, nil, "Tổng số", "Đã gắn địa chỉ số", "Tổng số", "Đã gắn địa chỉ số"},
		{"(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"},
		{"I. Huyện Chi Lăng"},
		{1, "TT Chi Lăng", "Khối Phố Mới", "1.234", 1234, 5, 5},
		{2, "Xã Chi Lăng", "Thôn Làng Cống", 120, 118, 2, 1},
		{3, "Xa\u0303 Va\u0302n An", "Thôn Hoà Bình", "80", "80", nil, nil, "không có cơ quan"},
		{"Cộng", nil, nil, 1434, 1432, 7, 6},
		{"II. Huyện Bắc Sơn"},
		{1, "Long Đống", "Bản Chắt", 50, 45, 1, 0},
		{"Tổng cộng", nil, nil, 1484, 1477, 8, 6},
		{},
		{"Người lập biểu", nil, nil, nil, nil, "KT. GIÁM ĐỐC"},
	}, merges: [][2]string{{"A6", "A7"}, {"B6", "B7"}, {"C6", "C7"}, {"D6", "E6"}, {"F6", "G6"}, {"H6", "H7"}}})
}

func TestLoadMessyVpostcode(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	l := NewLoader(pool, nil)
	path := messyVpostcode(t, t.TempDir())
	rep, err := l.LoadFile(ctx, path, LoadOptions{}) // dataset detected
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected || rep.Dataset != ntm.DatasetVpostcode || rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.AsOf != day(2024, 11, 30) {
		t.Errorf("as of %v", rep.AsOf)
	}
	type fact struct {
		code          string
		ht, hw, o, ow int
	}
	rows, err := pool.Query(ctx, `SELECT village_code, households_total, households_with, orgs_total, orgs_with FROM fact_vpostcode
		WHERE batch_id = $1 AND as_of = '2024-11-30' ORDER BY village_code`, rep.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	var got []fact
	for rows.Next() {
		var f fact
		if err := rows.Scan(&f.code, &f.ht, &f.hw, &f.o, &f.ow); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	want := []fact{{"06328-001", 50, 45, 1, 0}, {"06466-001", 1234, 1234, 5, 5}, {"06469-002", 80, 80, 0, 0}, {"06523-001", 120, 118, 2, 1}}
	if len(got) != len(want) {
		t.Fatalf("facts %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fact %v, want %v", got[i], want[i])
		}
	}
	b, err := GetBatch(ctx, pool, rep.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "loaded" || b.RowsLoaded != 4 || b.Dataset != "vpostcode" || b.AsOf == nil || *b.AsOf != day(2024, 11, 30) || len(b.SHA256) != 64 {
		t.Errorf("batch %+v", b)
	}

	// The same bytes again: already loaded, nothing changes.
	again, err := l.LoadFile(ctx, path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyLoaded || again.BatchID != rep.BatchID || !strings.Contains(again.Message, "lô số") {
		t.Errorf("second load %+v", again)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode`); n != 4 {
		t.Errorf("facts after second load: %d", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`); n != 1 {
		t.Errorf("batches after second load: %d", n)
	}
	// Also when the dataset is given.
	again, err = l.LoadFile(ctx, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil || !again.AlreadyLoaded {
		t.Errorf("third load %+v %v", again, err)
	}
}

func vpostcodeCSV(rows ...[]string) [][]string {
	return append([][]string{{"Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức",
		"Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"}}, rows...)
}

func TestLoadRowRejects(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	path := writeCSV(t, t.TempDir(), "vp.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Chi Lăng", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Bắc Sơn", "Xã Long Đốg", "Nà Lay", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Bắc Sơn", "Xã Long Đống", "Nà Lay", "12,5", "9", "0", "0", "30/11/2024"},
		[]string{"Huyện Bắc Sơn", "Xã Long Đống", "Nà Lay", "245", "250", "0", "0", "30/11/2024"},
		[]string{"Huyện Bắc Sơn", "Xã Long Đống", "Nà Lay", "245", "240", "0", "0", "31/02/2024"},
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Thôn Làng Cống", "101", "91", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", "10", "10", "", "", "30/11/2024"},
	), ';', true)
	rep, err := NewLoader(pool, nil).LoadFile(ctx, path, LoadOptions{Dataset: ntm.DatasetVpostcode, MaxRejectShare: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected || rep.RowsRead != 9 || rep.RowsLoaded != 2 || rep.RowsRejected != 6 || rep.RowsSkipped != 1 {
		t.Fatalf("report %+v", rep)
	}
	wants := []struct {
		row    int
		column string
		parts  []string
	}{
		{3, "Xã", []string{"không rõ ràng", "Thị trấn Chi Lăng (06466)", "Xã Chi Lăng (06523)"}},
		{4, "Xã", []string{`không tìm thấy xã "Xã Long Đốg" trong Huyện Bắc Sơn`, "gần nhất: Xã Long Đống (06328)"}},
		{5, "Tổng số hộ", []string{"12,5"}},
		{6, "Số hộ đã gắn địa chỉ số", []string{"lớn hơn tổng số hộ"}},
		{7, "Ngày số liệu", []string{"31/02/2024"}},
		{8, "", []string{"trùng khóa với dòng 2"}},
	}
	for i, w := range wants {
		r := rep.Rejects[i]
		if r.Row != w.row || r.Column != w.column {
			t.Errorf("reject %d: row %d column %q, want %d %q (%s)", i, r.Row, r.Column, w.row, w.column, r.Reason)
		}
		mustContain(t, r.String(), w.parts...)
		if w.column != "" {
			mustContain(t, r.String(), `cột "`+w.column+`"`)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM rejected_row WHERE batch_id = $1`, rep.BatchID); n != 6 {
		t.Errorf("stored rejects %d", n)
	}
	stored, err := RejectedRows(ctx, pool, rep.BatchID, 0)
	if err != nil || len(stored) != 6 || stored[0].Row != 3 || stored[0].Column != "Xã" || !strings.Contains(stored[0].Raw, "Chi Lăng") {
		t.Errorf("stored rejects %+v %v", stored, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1`, rep.BatchID); n != 2 {
		t.Errorf("facts %d", n)
	}
}

func TestLoadRejectsShownWithSheet(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeXLSX(t, t.TempDir(), "x.xlsx", sheet{name: "Số liệu", rows: [][]any{
		{"Huyện", "Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số", "Ngày số liệu"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", 100, 90, 0, 0, "30/11/2024"},
		{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", 100, 101, 0, 0, "30/11/2024"},
	}})
	rep, err := NewLoader(pool, nil).LoadFile(context.Background(), path, LoadOptions{MaxRejectShare: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejects) != 1 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Rejects[0].String(), `Trang "Số liệu", dòng 3, cột "Số hộ đã gắn địa chỉ số": số hộ đã gắn địa chỉ số (101) lớn hơn tổng số hộ (100)`)
}

func assertNothingLoaded(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for _, tbl := range []string{"fact_vpostcode", "fact_village_survey", "fact_ocop_product", "fact_ocop_listing",
		"fact_dvc_procedures", "fact_dvc_dossiers", "fact_dvc_dossier_record"} {
		if n := count(t, pool, `SELECT count(*) FROM `+tbl); n != 0 {
			t.Errorf("%s has %d rows", tbl, n)
		}
	}
}

func TestLoadFileRejectedWhole(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	l := NewLoader(pool, nil)
	dir := t.TempDir()

	// No header at all.
	path := writeCSV(t, dir, "random.csv", [][]string{{"Họ và tên", "Ngày sinh"}, {"Nguyễn Văn A", "01/01/1990"}}, ',', false)
	rep, err := l.LoadFile(ctx, path, LoadOptions{Dataset: ntm.DatasetVpostcode})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Rejected {
		t.Fatalf("not rejected: %+v", rep)
	}
	mustContain(t, rep.Message, "không tìm thấy dòng tiêu đề", `"Tổng số hộ"`, `"Số hộ đã gắn địa chỉ số"`)
	b, err := GetBatch(ctx, pool, rep.BatchID)
	if err != nil || b.Status != "rejected" || b.Message != rep.Message {
		t.Errorf("batch %+v %v", b, err)
	}

	// More than 20% rejected rows.
	path = writeCSV(t, dir, "bad.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", "100", "190", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", "abc", "10", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Hòa Bình", "10", "10", "0", "0", "30/11/2024"},
	), ',', false)
	rep, err = l.LoadFile(ctx, path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Rejected || rep.RowsRejected != 2 || rep.RowsRead != 5 || rep.DataRows() != 2 {
		t.Fatalf("report %+v", rep)
	}
	mustContain(t, rep.Message, "2/4 dòng bị loại", "20%", "Tổng số hộ")
	if n := count(t, pool, `SELECT count(*) FROM rejected_row WHERE batch_id = $1`, rep.BatchID); n != 2 {
		t.Errorf("rejects of the rejected batch: %d", n)
	}
	assertNothingLoaded(t, pool)

	// A rejected file may be loaded again once fixed; the same rejected bytes are not "already loaded".
	rep2, err := l.LoadFile(ctx, path, LoadOptions{})
	if err != nil || rep2.AlreadyLoaded || !rep2.Rejected {
		t.Errorf("reload of rejected file: %+v %v", rep2, err)
	}

	// No as-of date anywhere.
	path = writeCSV(t, dir, "noasof.csv", [][]string{
		{"Xã", "Thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số", "Tổng số cơ quan, tổ chức", "Số cơ quan, tổ chức đã gắn địa chỉ số"},
		{"Xã Vân An", "Nà Sla", "10", "10", "0", "0"},
	}, ',', false)
	rep, err = l.LoadFile(ctx, path, LoadOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("no as-of accepted: %+v %v", rep, err)
	}
	mustContain(t, rep.Message, "--as-of")
	assertNothingLoaded(t, pool)
	// With --period the as-of date is the period's end.
	rep, err = l.LoadFile(ctx, path, LoadOptions{Period: ntm.Period{Year: 2024, Month: 11}})
	if err != nil || rep.Rejected || rep.AsOf != day(2024, 11, 30) || rep.RowsLoaded != 1 {
		t.Fatalf("with period: %+v %v", rep, err)
	}
}

func TestLoadFailureAtLastRowLeavesNothing(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := writeCSV(t, t.TempDir(), "vp.csv", vpostcodeCSV(
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Làng Cống", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Chi Lăng", "Bản Chắt", "100", "90", "0", "0", "30/11/2024"},
		[]string{"Huyện Chi Lăng", "Xã Vân An", "Nà Sla", "10", "10", "0", "0", "30/11/2024"},
	), ',', false)
	before := count(t, pool, `SELECT count(*) FROM batch`)

	// Cancelled while the last row is handled.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := NewLoader(pool, nil)
	l.afterRow = func(_ context.Context, n int) {
		if n == 3 {
			cancel()
		}
	}
	if _, err := l.LoadFile(ctx, path, LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertNothingLoaded(t, pool)
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != before {
		t.Errorf("batches %d, want %d", n, before)
	}

	// The database refuses the last row during COPY.
	if _, err := pool.Exec(context.Background(), `
		CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.village_code = '06469-001' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON fact_vpostcode FOR EACH ROW EXECUTE FUNCTION refuse_row();`); err != nil {
		t.Fatal(err)
	}
	_, err := NewLoader(pool, nil).LoadFile(context.Background(), path, LoadOptions{})
	var e *ntm.Error
	if !errors.As(err, &e) || !strings.Contains(e.Cause(), "disk full (test)") || !strings.Contains(e.Message, "vp.csv") {
		t.Fatalf("err = %v", err)
	}
	assertNothingLoaded(t, pool)
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != before {
		t.Errorf("batches %d, want %d", n, before)
	}
	if n := count(t, pool, `SELECT count(*) FROM rejected_row`); n != 0 {
		t.Errorf("rejected rows %d", n)
	}
}

func TestCheckFileWritesNothing(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	path := messyVpostcode(t, t.TempDir())
	before := count(t, pool, `SELECT count(*) FROM batch`)
	rep, err := NewLoader(pool, nil).CheckFile(context.Background(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dataset != ntm.DatasetVpostcode || rep.RowsLoaded != 4 || rep.Rejected || rep.BatchID != 0 {
		t.Errorf("check %+v", rep)
	}
	if n := count(t, pool, `SELECT count(*) FROM batch`); n != before {
		t.Errorf("check wrote a batch")
	}
	assertNothingLoaded(t, pool)
}

func TestRevokeBatch(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	ctx := context.Background()
	rep, err := NewLoader(pool, nil).LoadFile(ctx, messyVpostcode(t, t.TempDir()), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := RevokeBatch(ctx, pool, rep.BatchID, "thanh.nv"); err != nil {
		t.Fatal(err)
	}
	b, _ := GetBatch(ctx, pool, rep.BatchID)
	if b.Status != "revoked" || b.RevokedBy != "thanh.nv" || b.RevokedAt == nil {
		t.Errorf("batch %+v", b)
	}
	if n := count(t, pool, `SELECT count(*) FROM fact_vpostcode WHERE batch_id = $1`, rep.BatchID); n != 4 {
		t.Errorf("revoking deleted facts: %d left", n)
	}
	err = RevokeBatch(ctx, pool, rep.BatchID, "x")
	if err == nil || !strings.Contains(err.Error(), "đã bị thu hồi") || !strings.Contains(err.Error(), "thanh.nv") {
		t.Errorf("second revoke: %v", err)
	}
	if err := RevokeBatch(ctx, pool, 9999, "x"); !errors.Is(err, ErrBatchNotFound) {
		t.Errorf("missing batch: %v", err)
	}
	// The units import batch cannot be revoked.
	bs, err := ListBatches(ctx, pool, 10)
	if err != nil || len(bs) != 2 || bs[0].ID != rep.BatchID || bs[1].Dataset != "units" {
		t.Fatalf("list %+v %v", bs, err)
	}
	if err := RevokeBatch(ctx, pool, bs[1].ID, "x"); err == nil || !strings.Contains(err.Error(), "danh mục đơn vị") {
		t.Errorf("revoke units: %v", err)
	}
	// A revoked file's bytes still count as loaded.
	again, err := NewLoader(pool, nil).LoadFile(ctx, filepath.Join(filepath.Dir(rep.File), "dia-chi-so.xlsx"), LoadOptions{})
	if err != nil || !again.AlreadyLoaded {
		t.Errorf("reload after revoke: %+v %v", again, err)
	}
}

func TestLoadMissingFileIsAnError(t *testing.T) {
	t.Parallel()
	pool := seededDB(t)
	_, err := NewLoader(pool, nil).LoadFile(context.Background(), filepath.Join(t.TempDir(), "none.xlsx"), LoadOptions{})
	if err == nil || !os.IsNotExist(errors.Unwrap(err)) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v", err)
	}
}
