package console

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ntm/actions"
	"ntm/config"
	"ntm/jobs"
	"ntm/runs"
	"ntm/transform"
)

// TestResultsSearchFiltersAndUnitPage: a village is found by a name without diacritics, the
// commune filter keeps one commune's villages, each row names its commune and district and
// links to the unit's page, which says why, since when, and from which file and row.
func TestResultsSearchFiltersAndUnitPage(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	loadTiny(t, e.pool, tinySample(t))

	_, page := e.do(c, http.MethodGet, "/results?level=village&criterion=SMART_VILLAGE&q=na+lia", nil, nil)
	if !strings.Contains(page, "Thôn Nà Lìa") || strings.Contains(page, "Tổ dân phố 1</a>") {
		t.Fatalf("search without diacritics:\n%s", page)
	}
	if !strings.Contains(page, `<td class="place">Xã Chi Lăng · Huyện Chi Lăng</td>`) {
		t.Errorf("no commune and district column:\n%s", page)
	}
	if !strings.Contains(page, `href="/results/unit/06523-002?period=2024-12"`) {
		t.Errorf("no link to the unit's page")
	}
	_, page = e.do(c, http.MethodGet, "/results?level=village&criterion=SMART_VILLAGE&district=187&commune=06505", nil, nil)
	if !strings.Contains(page, "Thôn Khòn Phổ") || strings.Contains(page, "Thôn Nà Lìa") || !strings.Contains(page, `<option value="06505" selected>`) {
		t.Fatalf("commune filter:\n%s", page)
	}
	_, page = e.do(c, http.MethodGet, "/results?level=village&q=06463-00", nil, nil)
	if !strings.Contains(page, "Tổ dân phố 3</a>") || strings.Contains(page, "Khòn Phổ") {
		t.Errorf("search by code")
	}

	resp, page := e.do(c, http.MethodGet, "/results/unit/06523-002?period=2024-12", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unit page: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"Thôn Nà Lìa", "Xã Chi Lăng", "Huyện Chi Lăng", "Vì sao:", "kỳ đầu tiên được đánh giá",
		"V4_ADDRESS", `href="/files/`, "vpostcode-2023-05.xlsx", "Chưa đạt"} {
		if !strings.Contains(page, want) {
			t.Errorf("unit page lacks %q", want)
		}
	}
	// A commune's page lists its villages.
	_, page = e.do(c, http.MethodGet, "/results/unit/06523", nil, nil)
	if !strings.Contains(page, "Các đơn vị trực thuộc") || !strings.Contains(page, `href="/results/unit/06523-004?period=2024-12"`) {
		t.Errorf("commune page without its villages:\n%s", page)
	}
	// Failure paths: an unknown unit, a period typed wrong, a period not evaluated.
	if resp, page := e.do(c, http.MethodGet, "/results/unit/99999-009", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "Không có đơn vị mã") {
		t.Errorf("unknown unit: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, http.MethodGet, "/results/unit/06523?period=9999-99", nil, nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d", resp.StatusCode)
	}
	if resp, page := e.do(c, http.MethodGet, "/results/unit/06523?period=2023-01", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "chưa được đánh giá") {
		t.Errorf("unevaluated period: %d", resp.StatusCode)
	}
}

// TestFilesRevokeRemoveAndRejects: the file list says a stray file is rejected whole (not
// waiting); it can be removed with a reason, not revoked; a loaded file is revoked with its
// reason; its rejected rows download as a workbook.
func TestFilesRevokeRemoveAndRejects(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	files := tinySample(t)
	loadTiny(t, e.pool, files)
	ctx := context.Background()
	readme := filepath.Join(t.TempDir(), "README.md")
	must(t, os.WriteFile(readme, []byte("# ntm\nhello\n"), 0o644))
	rep, err := transform.NewLoader(e.pool, nil).LoadFile(ctx, readme, transform.LoadOptions{})
	if err != nil || !rep.Rejected {
		t.Fatalf("stray file: %v %+v", err, rep)
	}
	stray := itoa(rep.BatchID)
	var vpost int64
	must(t, e.pool.QueryRow(ctx, `SELECT id FROM batch WHERE file_name = 'vpostcode-2024-11.xlsx'`).Scan(&vpost))

	_, page := e.do(c, http.MethodGet, "/files", nil, nil)
	if !strings.Contains(page, "README.md") || !strings.Contains(page, "Bị loại toàn bộ") || strings.Contains(page, "Chờ xác nhận") {
		t.Fatalf("file list:\n%s", page)
	}
	_, page = e.do(c, http.MethodGet, "/files/"+stray, nil, nil)
	if !strings.Contains(page, `id="remove"`) || strings.Contains(page, `id="revoke"`) {
		t.Fatalf("stray file page:\n%s", page)
	}
	// No reason: refused, nothing recorded.
	resp, page := e.postForm(c, "/files/"+stray+"/remove", url.Values{"reason": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="file-message"`) {
		t.Fatalf("remove without a reason: %d\n%s", resp.StatusCode, page)
	}
	// A file rejected whole cannot be revoked: the answer says what to do instead.
	if resp, _ := e.postForm(c, "/files/"+stray+"/revoke", url.Values{"reason": {"nhầm"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("revoking a rejected file: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(c, "/files/"+stray+"/remove", url.Values{"reason": {"không phải dữ liệu"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if _, page := e.do(c, http.MethodGet, "/files", nil, nil); strings.Contains(page, "README.md") {
		t.Errorf("a removed file is still listed")
	}
	_, page = e.do(c, http.MethodGet, "/files/"+stray, nil, nil)
	if !strings.Contains(page, "đã gỡ") || !strings.Contains(page, "không phải dữ liệu") || !strings.Contains(page, testUser) {
		t.Errorf("removed file page:\n%s", page)
	}

	// The loaded export: its rejected row downloads as a workbook, in the file's layout with a reason.
	id := itoa(vpost)
	_, page = e.do(c, http.MethodGet, "/files/"+id, nil, nil)
	if !strings.Contains(page, `id="rejects-download"`) || !strings.Contains(page, "Nà Lìa") {
		t.Fatalf("loaded file page:\n%s", page)
	}
	// Its skipped rows are listed with why, not only counted.
	if !strings.Contains(page, `id="skipped-rows"`) || !strings.Contains(page, "dòng tên cột") {
		t.Errorf("the file page does not list the skipped rows:\n%s", page)
	}
	resp, body := e.do(c, http.MethodGet, "/files/"+id+"/rejects", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"), "dong-bi-loai.xlsx") {
		t.Fatalf("rejects download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	wb := filepath.Join(t.TempDir(), "rejects.xlsx")
	must(t, os.WriteFile(wb, []byte(body), 0o644))
	out, err := exec.Command("/usr/bin/python3", "-c", `import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        print("|".join("" if v is None else str(v) for v in row))`, wb).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v %s", err, out)
	}
	if !bytes.Contains(out, []byte("Lý do bị loại")) || !bytes.Contains(out, []byte("Nà Lìa")) {
		t.Errorf("rejects workbook:\n%s", out)
	}
	// A file without rejected rows: nothing to download, said in Vietnamese.
	var clean int64
	must(t, e.pool.QueryRow(ctx, `SELECT id FROM batch WHERE status = 'loaded' AND rows_rejected = 0 ORDER BY id LIMIT 1`).Scan(&clean))
	if resp, page := e.do(c, http.MethodGet, "/files/"+itoa(clean)+"/rejects", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "không có dòng nào bị loại") {
		t.Errorf("rejects of a clean file: %d", resp.StatusCode)
	}

	// Revoke the export with a reason: its status and the reason show, the action is recorded.
	if resp, _ := e.postForm(c, "/files/"+id+"/revoke", url.Values{"reason": {"tải nhầm tệp tháng trước"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	_, page = e.do(c, http.MethodGet, "/files/"+id, nil, nil)
	if !strings.Contains(page, `id="file-status">Đã thu hồi`) || !strings.Contains(page, "tải nhầm tệp tháng trước") || strings.Contains(page, `id="revoke"`) {
		t.Errorf("revoked file page:\n%s", page)
	}
	if resp, _ := e.postForm(c, "/files/"+id+"/revoke", url.Values{"reason": {"lần nữa"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second revoke: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, http.MethodGet, "/files/999999", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown batch: %d", resp.StatusCode)
	}
}

// TestReloadFromTheConsole: a loaded file is re-loaded through the upload check with a reason;
// once confirmed the old batch reads 'Đã được nạp lại' and the reason is recorded.
func TestReloadFromTheConsole(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	files := tinySample(t)
	loadTiny(t, e.pool, files)
	ctx := context.Background()
	var old int64
	must(t, e.pool.QueryRow(ctx, `SELECT id FROM batch WHERE file_name = 'vpostcode-2024-11.xlsx'`).Scan(&old))
	content := readFile(t, files["vpostcode-2024-11.xlsx"].Path)

	// Without a reason the re-load is refused before anything is checked.
	body, ct := multipartBody(t, map[string]string{"reload": itoa(old)}, "vpostcode-2024-11.xlsx", content)
	h := e.sameOrigin()
	h["Content-Type"] = ct
	if resp, page := e.do(c, http.MethodPost, "/uploads", body, h); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "lý do") {
		t.Fatalf("reload without a reason: %d\n%s", resp.StatusCode, page)
	}
	path := e.upload(c, map[string]string{"reload": itoa(old), "reason": "danh mục thôn đã sửa"}, "vpostcode-2024-11.xlsx", content)
	_, page := e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, "nạp lại lô số") || !strings.Contains(page, `id="confirm"`) {
		t.Fatalf("reload check:\n%s", page)
	}
	if resp, _ := e.postForm(c, path+"/confirm", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if page := e.waitUpload(c, path); !strings.Contains(page, `id="upload-status">Đã nạp`) {
		t.Fatalf("after confirm:\n%s", page)
	}
	_, page = e.do(c, http.MethodGet, "/files/"+itoa(old), nil, nil)
	if !strings.Contains(page, "Đã được nạp lại") || !strings.Contains(page, "danh mục thôn đã sửa") {
		t.Errorf("replaced batch page:\n%s", page)
	}
	acts, err := actions.Of(ctx, e.pool, []string{actions.KindReload}, old)
	if err != nil || len(acts) != 1 || acts[0].By != testUser {
		t.Errorf("reload action: %v %+v", err, acts)
	}
	// A revoked batch cannot be re-loaded: the upload is refused, saying what to do instead.
	var survey int64
	must(t, e.pool.QueryRow(ctx, `SELECT id FROM batch WHERE dataset = 'village_survey' ORDER BY id LIMIT 1`).Scan(&survey))
	must(t, actions.Revoke(ctx, e.pool, survey, testUser, "thử"))
	body, ct = multipartBody(t, map[string]string{"reload": itoa(survey), "reason": "sửa"}, "vpostcode-2024-11.xlsx", content)
	h["Content-Type"] = ct
	if resp, page := e.do(c, http.MethodPost, "/uploads", body, h); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "đã bị thu hồi") {
		t.Errorf("reload of a revoked batch: %d\n%s", resp.StatusCode, page)
	}
}

// TestDeliveriesLogAndResend: the delivery log says which workbook went where and which
// e-mail failed with why; "Gửi lại" tries again and says the outcome; "Gửi báo cáo" sends a
// period by hand; bad periods and periods without workbooks are refused.
func TestDeliveriesLogAndResend(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	loadTiny(t, e.pool, tinySample(t))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	e.runner.Config.Reports.Recipients = map[string][]string{"187": {"vanphong@chilang.example"}}
	e.runner.Config.Reports.SMTP = config.SMTP{Host: "127.0.0.1", Port: port, From: "ntm@example"}
	if _, err := e.runner.Run(context.Background(), jobs.Request{Job: "nightly", Period: period2412, Trigger: runs.TriggerCLI}); err != nil {
		t.Fatal(err)
	}
	_, page := e.do(c, http.MethodGet, "/deliveries?period=2024-12", nil, nil)
	for _, want := range []string{"vanphong@chilang.example", "Gửi không được", "thư mục báo cáo", "Đã lưu vào thư mục", "1 thư chưa gửi được"} {
		if !strings.Contains(page, want) {
			t.Errorf("delivery log lacks %q", want)
		}
	}
	var id int64
	must(t, e.pool.QueryRow(context.Background(), `SELECT id FROM delivery WHERE channel = 'email'`).Scan(&id))
	if !strings.Contains(page, `id="resend-`+itoa(id)+`"`) {
		t.Fatalf("no resend button:\n%s", page)
	}
	resp, page := e.postForm(c, "/deliveries/"+itoa(id)+"/resend", url.Values{"period": {"2024-12"}, "reason": {"đơn vị chưa nhận"}})
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "không được") {
		t.Errorf("resend to a server that refuses: %d\n%s", resp.StatusCode, page)
	}
	var attempts int
	must(t, e.pool.QueryRow(context.Background(), `SELECT attempts FROM delivery WHERE id = $1`, id).Scan(&attempts))
	if attempts != 2 {
		t.Errorf("attempts after a resend: %d", attempts)
	}
	if acts, _ := actions.Of(context.Background(), e.pool, []string{actions.KindDeliveryResend}, id); len(acts) != 1 || acts[0].Reason != "đơn vị chưa nhận" {
		t.Errorf("resend action: %+v", acts)
	}
	var folder int64
	must(t, e.pool.QueryRow(context.Background(), `SELECT id FROM delivery WHERE channel = 'folder' LIMIT 1`).Scan(&folder))
	if resp, _ := e.postForm(c, "/deliveries/"+itoa(folder)+"/resend", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("resend of a folder delivery: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(c, "/deliveries/999999/resend", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("resend of an unknown delivery: %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(c, "/deliveries/send", url.Values{"period": {"2024-13"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("send a bad period: %d", resp.StatusCode)
	}
	if resp, page := e.postForm(c, "/deliveries/send", url.Values{"period": {"2020-01"}}); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "Chưa có báo cáo nào của kỳ 2020-01") {
		t.Errorf("send a period without workbooks: %d", resp.StatusCode)
	}
	resp, page = e.postForm(c, "/deliveries/send", url.Values{"period": {"2024-12"}, "reason": {"gửi bù"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Đã gửi báo cáo kỳ 2024-12") || !strings.Contains(page, "gửi bù") {
		t.Errorf("send the period: %d\n%s", resp.StatusCode, page)
	}
}

// TestRunWithAMissingSourceHoldsTheDelivery: a feed that refuses the connection: the run page
// says which source is missing and that nothing was sent, in Vietnamese (no "dial tcp"), with
// Gửi báo cáo; once sent by hand the page says so.
func TestRunWithAMissingSourceHoldsTheDelivery(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	loadTiny(t, e.pool, tinySample(t))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	l.Close()
	e.runner.Config.Sources = []config.Source{{Name: "vpostcode-feed", Dataset: "vpostcode", Kind: config.SourceURL, Location: "http://" + addr + "/export.csv"}}
	e.runner.Config.Network.Retries = 0
	res, _ := e.runner.Run(context.Background(), jobs.Request{Job: "nightly", Period: period2412, Trigger: runs.TriggerCLI})
	if !res.Held {
		t.Fatalf("run: %+v", res)
	}
	_, page := e.do(c, http.MethodGet, "/runs/"+itoa(res.RunID), nil, nil)
	for _, want := range []string{`id="run-held"`, "Chưa gửi báo cáo tự động vì thiếu dữ liệu nguồn (Nguồn vpostcode-feed", `id="send-held"`,
		`id="run-error">Không tải được nguồn`, "Kết quả kỳ này được tính trên dữ liệu đã có"} {
		if !strings.Contains(page, want) {
			t.Errorf("held run page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="run-error">`+"dial tcp") {
		t.Errorf("raw error on the run page")
	}
	if resp, _ := e.postForm(c, "/deliveries/send", url.Values{"period": {"2024-12"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	_, page = e.do(c, http.MethodGet, "/runs/"+itoa(res.RunID), nil, nil)
	if !strings.Contains(page, "đã được gửi bằng tay ("+testUser) || strings.Contains(page, `id="send-held"`) {
		t.Errorf("held run page after sending:\n%s", page)
	}
}
