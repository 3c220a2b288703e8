package console

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"ntm/runs"
)

// zipBytes is a minimal zip archive: it passes the .xlsx sniff but is no workbook.
func zipBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("hello.txt")
	_, _ = w.Write([]byte("xin chào"))
	_ = zw.Close()
	return buf.Bytes()
}

func TestUploadRefusesTooBigAndWrongTypes(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.MaxUpload = 64 << 10 })
	c := e.login()
	files := tinySample(t)
	xlsx := readFile(t, files["vpostcode-2024-11.xlsx"].Path)
	big := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 80<<10)...)
	cases := []struct {
		name    string
		file    string
		content []byte
		status  int
		msg     string
	}{
		{"too big", "lon.xlsx", big, http.StatusRequestEntityTooLarge, "Tệp quá lớn"},
		{"pdf", "bao-cao.pdf", []byte("%PDF-1.4 ..."), http.StatusUnsupportedMediaType, "chỉ nhận bảng tính .xlsx hoặc .csv"},
		{"old xls", "cu.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3}, http.StatusUnsupportedMediaType, "lưu lại dưới dạng .xlsx"},
		{"xlsx that is text", "gia.xlsx", []byte("Thôn,Tổng số hộ\nA,1\n"), http.StatusUnsupportedMediaType, "không phải bảng tính Excel"},
		{"xlsx that is OLE", "mat-khau.xlsx", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1}, http.StatusUnsupportedMediaType, "mật khẩu"},
		{"csv that is a workbook", "bang.csv", xlsx[:1024], http.StatusUnsupportedMediaType, "đổi đuôi thành .xlsx"},
		{"csv that is binary", "nhi-phan.csv", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1}, http.StatusUnsupportedMediaType, "không phải văn bản"},
		{"empty", "rong.csv", nil, http.StatusUnprocessableEntity, "rỗng"},
		{"no file", "", nil, http.StatusUnprocessableEntity, "Chưa chọn tệp"},
		{"path in name", "../../etc/passwd", []byte("x"), http.StatusUnsupportedMediaType, "passwd"},
	}
	for _, tc := range cases {
		body, ct := multipartBody(t, map[string]string{"dataset": "vpostcode"}, tc.file, tc.content)
		h := e.sameOrigin()
		h["Content-Type"] = ct
		resp, page := e.do(c, http.MethodPost, "/uploads", body, h)
		if resp.StatusCode != tc.status || !strings.Contains(page, tc.msg) {
			t.Errorf("%s: %d, want %d with %q", tc.name, resp.StatusCode, tc.status, tc.msg)
		}
		// The API answers the same, in JSON.
		body, ct = multipartBody(t, map[string]string{"dataset": "vpostcode"}, tc.file, tc.content)
		resp, js := e.api(http.MethodPost, "/api/uploads", body, ct)
		if resp.StatusCode != tc.status || !strings.Contains(js, `"error"`) {
			t.Errorf("API %s: %d %s", tc.name, resp.StatusCode, js)
		}
	}
	// A body announced bigger than the limit is refused before it is read.
	h := e.sameOrigin()
	h["Content-Type"] = "multipart/form-data; boundary=x"
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/uploads", bytes.NewReader(make([]byte, 2<<20)))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("announced too big: %d", resp.StatusCode)
		}
	}
	// A bad dataset name is refused.
	body, ct := multipartBody(t, map[string]string{"dataset": "khong-co"}, "a.xlsx", xlsx)
	hh := e.sameOrigin()
	hh["Content-Type"] = ct
	if resp, _ := e.do(c, http.MethodPost, "/uploads", body, hh); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad dataset: %d", resp.StatusCode)
	}
	// Nothing refused is left in the staging folder, and nothing was recorded.
	if left := dirEntries(t, e.uploadDir); len(left) != 0 {
		t.Errorf("staging folder after refused uploads: %v", left)
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM console_upload`).Scan(&n); err != nil || n != 0 {
		t.Errorf("uploads recorded: %d %v", n, err)
	}
}

var uploadURL = regexp.MustCompile(`^/uploads/(\d+)$`)

// upload posts a file through the page form and returns the upload page's path.
func (e *env) upload(c *http.Client, fields map[string]string, name string, content []byte) string {
	e.t.Helper()
	body, ct := multipartBody(e.t, fields, name, content)
	h := e.sameOrigin()
	h["Content-Type"] = ct
	resp, page := e.do(c, http.MethodPost, "/uploads", body, h)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !uploadURL.MatchString(loc) {
		e.t.Fatalf("upload %s: %d %q %s", name, resp.StatusCode, loc, page)
	}
	return loc
}

// waitUpload polls an upload page until it no longer says it is loading.
func (e *env) waitUpload(c *http.Client, path string) string {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, page := e.do(c, http.MethodGet, path, nil, nil)
		if !strings.Contains(page, `id="upload-status">Đang nạp`) {
			return page
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("upload %s still loading", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestUploadCheckThenConfirmLoadsThroughARun(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	files := tinySample(t)
	loadTiny(t, e.pool, files, "vpostcode-2024-11.xlsx", "khao-sat-thon-thong-minh-chi-lang.xlsx")

	// The check shows what would load and what would be rejected, and why; nothing is loaded yet.
	path := e.upload(c, map[string]string{"dataset": "vpostcode", "period": "2024-12"}, "vpostcode-2024-11.xlsx",
		readFile(t, files["vpostcode-2024-11.xlsx"].Path))
	_, page := e.do(c, http.MethodGet, path, nil, nil)
	for _, want := range []string{"Chờ xác nhận", "dòng sẽ được nạp", "1 dòng bị loại", "Xác nhận nạp", "Nà Lìa"} {
		if !strings.Contains(page, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	var batches int
	_ = e.pool.QueryRow(t.Context(), `SELECT count(*) FROM batch WHERE dataset = 'vpostcode'`).Scan(&batches)
	if batches != 1 { // the stale 2023 file only
		t.Fatalf("batches before confirming: %d", batches)
	}
	staged := dirEntries(t, e.uploadDir)
	if len(staged) != 1 {
		t.Fatalf("staging folder: %v", staged)
	}

	// Confirm: a run of job "upload" loads it, holding the pipeline lock.
	resp, _ := e.postForm(c, path+"/confirm", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("confirm: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = e.waitUpload(c, path)
	if !strings.Contains(page, `id="upload-status">Đã nạp`) || !strings.Contains(page, "1 dòng bị loại") || !strings.Contains(page, "lượt chạy số") {
		t.Fatalf("after confirm:\n%s", page)
	}
	_ = e.pool.QueryRow(t.Context(), `SELECT count(*) FROM batch WHERE dataset = 'vpostcode' AND status = 'loaded'`).Scan(&batches)
	if batches != 2 {
		t.Fatalf("vpostcode batches after confirming: %d", batches)
	}
	var runJob, runBy string
	if err := e.pool.QueryRow(t.Context(), `SELECT r.job, r.triggered_by FROM console_upload u JOIN run r ON r.id = u.run_id`).Scan(&runJob, &runBy); err != nil ||
		runJob != "upload" || runBy != testUser {
		t.Fatalf("load run: %q %q %v", runJob, runBy, err)
	}
	if left := dirEntries(t, e.uploadDir); len(left) != 0 {
		t.Errorf("staged file kept after loading: %v", left)
	}
	// A second confirm changes nothing.
	resp, page = e.postForm(c, path+"/confirm", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "đã được xử lý") {
		t.Fatalf("second confirm: %d", resp.StatusCode)
	}

	// Cancel: nothing loaded, the staged file removed.
	path2 := e.upload(c, map[string]string{}, "khao-sat.xlsx", readFile(t, files["khao-sat-thon-thong-minh-chi-lang.xlsx"].Path))
	_, page = e.do(c, http.MethodGet, path2, nil, nil)
	if !strings.Contains(page, "Phiếu tự đánh giá của thôn") { // detected from the header
		t.Errorf("detected dataset not shown:\n%s", page)
	}
	resp, _ = e.postForm(c, path2+"/cancel", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	_, page = e.do(c, http.MethodGet, path2, nil, nil)
	if !strings.Contains(page, `id="upload-status">Đã hủy`) {
		t.Fatalf("after cancel:\n%s", page)
	}
	if left := dirEntries(t, e.uploadDir); len(left) != 0 {
		t.Errorf("staged file kept after cancelling: %v", left)
	}
	_ = e.pool.QueryRow(t.Context(), `SELECT count(*) FROM batch WHERE dataset = 'village_survey'`).Scan(&batches)
	if batches != 0 {
		t.Fatalf("a cancelled upload was loaded")
	}
	if resp, _ := e.postForm(c, path2+"/confirm", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("confirm after cancel: %d", resp.StatusCode)
	}
	// The list shows both.
	_, page = e.do(c, http.MethodGet, "/uploads", nil, nil)
	if !strings.Contains(page, "vpostcode-2024-11.xlsx") || !strings.Contains(page, "khao-sat.xlsx") {
		t.Errorf("upload list:\n%s", page)
	}
}

func TestUploadRejectedWholeCannotBeConfirmed(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	path := e.upload(c, map[string]string{"dataset": "vpostcode"}, "linh-tinh.csv", []byte("Cột A;Cột B\n1;2\n"))
	_, page := e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, "bị loại toàn bộ") || strings.Contains(page, `id="confirm"`) ||
		!strings.Contains(page, `id="upload-status">Bị loại toàn bộ`) || strings.Contains(page, "Chờ xác nhận") {
		t.Fatalf("whole-file reject page:\n%s", page)
	}
	resp, page := e.postForm(c, path+"/confirm", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "không thể nạp") {
		t.Fatalf("confirming a rejected file: %d", resp.StatusCode)
	}
	// A zip that is no workbook: rejected with a reason, not a crash.
	path = e.upload(c, nil, "hong.xlsx", zipBytes(t))
	_, page = e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, "bị loại toàn bộ") || strings.Contains(page, e.uploadDir) {
		t.Fatalf("broken workbook page:\n%s", page)
	}
}

func TestUploadConfirmWhileARunHoldsTheLock(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	files := tinySample(t)
	loadTiny(t, e.pool, files, "vpostcode-2024-11.xlsx")
	path := e.upload(c, map[string]string{"dataset": "vpostcode"}, "v.xlsx", readFile(t, files["vpostcode-2024-11.xlsx"].Path))
	holder, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerCLI, By: "an", Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	resp, page := e.postForm(c, path+"/confirm", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "lượt chạy số") || !strings.Contains(page, "nightly") {
		t.Fatalf("confirm while locked: %d\n%s", resp.StatusCode, page)
	}
	holder.Finish(nil)
	// The upload still waits, and loads once the lock is free.
	if resp, _ := e.postForm(c, path+"/confirm", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm after the lock was freed: %d", resp.StatusCode)
	}
	if page := e.waitUpload(c, path); !strings.Contains(page, `id="upload-status">Đã nạp`) {
		t.Fatalf("after confirm:\n%s", page)
	}
}

func TestAPIUploadCheckConfirm(t *testing.T) {
	e := newEnv(t)
	files := tinySample(t)
	loadTiny(t, e.pool, files, "vpostcode-2024-11.xlsx")
	body, ct := multipartBody(t, map[string]string{"period": "2024-12"}, "vpostcode-2024-11.xlsx", readFile(t, files["vpostcode-2024-11.xlsx"].Path))
	resp, js := e.api(http.MethodPost, "/api/uploads", body, ct)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("API upload: %d %s", resp.StatusCode, js)
	}
	var up apiUpload
	if err := json.Unmarshal([]byte(js), &up); err != nil {
		t.Fatal(err)
	}
	if up.Status != "checked" || up.Check.Dataset != "vpostcode" || up.Check.RowsRejected != 1 || len(up.Check.Rejects) != 1 ||
		up.Check.Rejects[0].Reason == "" || up.User != "api:script" {
		t.Fatalf("check = %+v", up)
	}
	resp, js = e.api(http.MethodPost, "/api/uploads/"+itoa(up.ID)+"/confirm", nil, "")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("confirm: %d %s", resp.StatusCode, js)
	}
	deadline := time.Now().Add(60 * time.Second)
	for up.Status != "loaded" && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		_, js = e.api(http.MethodGet, "/api/uploads/"+itoa(up.ID), nil, "")
		_ = json.Unmarshal([]byte(js), &up)
	}
	if up.Status != "loaded" || up.Load == nil || up.Load.BatchID == 0 || up.Load.RowsRejected != 1 || up.RunID == 0 {
		t.Fatalf("after confirm: %s", js)
	}
	resp, js = e.api(http.MethodGet, "/api/runs/"+itoa(up.RunID), nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(js, `"trigger": "api"`) || !strings.Contains(js, `"triggered_by": "script"`) {
		t.Fatalf("load run: %s", js)
	}
}

func TestStagedUploadsExpire(t *testing.T) {
	now := time.Now()
	e := newEnv(t, func(d *Deps) { d.Now = func() time.Time { return now } })
	c := e.login()
	path := e.upload(c, nil, "a.csv", []byte("Thôn;Số hộ\nA;1\n"))
	if len(dirEntries(t, e.uploadDir)) != 1 {
		t.Fatal("not staged")
	}
	now = now.Add(stagedTTL + time.Hour)
	c = e.login()                                          // the session expired meanwhile
	e.upload(c, nil, "b.csv", []byte("Thôn;Số hộ\nB;2\n")) // a new upload sweeps old ones
	_, page := e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, `id="upload-status">Đã hủy`) {
		t.Fatalf("expired upload:\n%s", page)
	}
	if left := dirEntries(t, e.uploadDir); len(left) != 1 {
		t.Fatalf("staging after sweep: %v", left)
	}
}

// plainStarter starts runs but cannot run loads (no StartLoad), as a JobStarter other than
// *jobs.Runner might be: confirmed uploads are then loaded in the request.
type plainStarter struct{ JobStarter }

func TestUploadConfirmWithoutALoadRunner(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.Jobs = plainStarter{d.Jobs} })
	c := e.login()
	files := tinySample(t)
	loadTiny(t, e.pool, files, "vpostcode-2024-11.xlsx")
	path := e.upload(c, map[string]string{"dataset": "vpostcode"}, "v.xlsx", readFile(t, files["vpostcode-2024-11.xlsx"].Path))
	resp, _ := e.postForm(c, path+"/confirm", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	_, page := e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, `id="upload-status">Đã nạp`) || !strings.Contains(page, "1 dòng bị loại") || strings.Contains(page, "lượt chạy số") {
		t.Fatalf("after confirm:\n%s", page)
	}
	// Loading the same bytes again changes nothing and says so.
	path = e.upload(c, map[string]string{"dataset": "vpostcode"}, "v-lan-2.xlsx", readFile(t, files["vpostcode-2024-11.xlsx"].Path))
	_, page = e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, "đã nạp trước đây") {
		t.Errorf("check of already loaded bytes:\n%s", page)
	}
	e.postForm(c, path+"/confirm", nil)
	_, page = e.do(c, http.MethodGet, path, nil, nil)
	if !strings.Contains(page, "đã được nạp trước đây") {
		t.Errorf("second load:\n%s", page)
	}
	if left := dirEntries(t, e.uploadDir); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
}
