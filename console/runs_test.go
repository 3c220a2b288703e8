package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ntm/runs"
)

var runURL = regexp.MustCompile(`^/runs/(\d+)$`)

// waitRun polls a run page until the run is no longer running; it returns the last page.
func (e *env) waitRun(c *http.Client, path string) string {
	e.t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		_, page := e.do(c, http.MethodGet, path, nil, nil)
		if !strings.Contains(page, `id="run-status">Đang chạy`) {
			return page
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run %s still running", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestStartRunFromTheFormAndWatchIt(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	loadTiny(t, e.pool, tinySample(t))
	resp, page := e.postForm(c, "/runs", url.Values{"job": {"nightly"}, "period": {"2024-12"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !runURL.MatchString(loc) {
		t.Fatalf("start: %d %q %s", resp.StatusCode, loc, page)
	}
	page = e.waitRun(c, loc)
	for _, want := range []string{`id="run-status">Thành công`, "nightly", "2024-12", "trang quản trị · lan", "Đánh giá", "Viết báo cáo", "tệp báo cáo"} {
		if !strings.Contains(page, want) {
			t.Errorf("finished run page lacks %q", want)
		}
	}
	if strings.Contains(page, `http-equiv="refresh"`) {
		t.Error("a finished run still refreshes")
	}
	_, page = e.do(c, http.MethodGet, "/runs", nil, nil)
	if !strings.Contains(page, "Thành công") || !strings.Contains(page, `href="`+loc+`"`) {
		t.Errorf("run list:\n%s", page)
	}
	// The workbooks are listed and download.
	_, page = e.do(c, http.MethodGet, "/reports", nil, nil)
	m := regexp.MustCompile(`href="(/reports/2024-12/187-[^"]+\.xlsx)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("reports page:\n%s", page)
	}
	resp, body := e.do(c, http.MethodGet, m[1], nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") || resp.Header.Get("Content-Type") != xlsxType ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestRunPageRefreshesWhileRunningAndNamesTheLockHolder(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	holder, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-11"})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Finish(nil)
	holder.Step("pull vpostcode").Progress(1500, "vpostcode.xlsx")
	_, page := e.do(c, http.MethodGet, "/runs/"+itoa(holder.ID), nil, nil)
	if !strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "Lấy dữ liệu: vpostcode") || !strings.Contains(page, "1.500 dòng") {
		t.Fatalf("running run page:\n%s", page)
	}
	_, page = e.do(c, http.MethodGet, "/runs", nil, nil)
	// The list does not reload itself (it would wipe a start form being filled in); it links
	// to the running run's page, which does.
	if strings.Contains(page, `http-equiv="refresh"`) || !strings.Contains(page, "Đang chạy: <a href=\"/runs/"+itoa(holder.ID)) {
		t.Fatalf("runs page while running:\n%s", page)
	}
	// A second trigger is told which run holds the lock.
	resp, page := e.postForm(c, "/runs", url.Values{"job": {"nightly"}, "period": {"2024-12"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "lượt chạy số "+itoa(holder.ID)) || !strings.Contains(page, "theo lịch") {
		t.Fatalf("second trigger: %d\n%s", resp.StatusCode, page)
	}
	resp, js := e.api(http.MethodPost, "/api/runs", strings.NewReader(`{"job":"nightly","period":"2024-12"}`), "application/json")
	var out struct {
		Error   string `json:"error"`
		Running apiRun `json:"running"`
	}
	if resp.StatusCode != http.StatusConflict || json.Unmarshal([]byte(js), &out) != nil || out.Running.ID != holder.ID || out.Error == "" {
		t.Fatalf("API second trigger: %d %s", resp.StatusCode, js)
	}
	// Bad input is a clear 422 (ntm.CodeInvalid), and so are periods that cannot be run.
	resp, page = e.postForm(c, "/runs", url.Values{"job": {"nightly"}, "period": {"12/2024"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "năm-tháng") {
		t.Fatalf("bad period: %d", resp.StatusCode)
	}
	resp, _ = e.postForm(c, "/runs", url.Values{"job": {"khong-co"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown job: %d", resp.StatusCode)
	}
	if resp, _ := e.do(c, http.MethodGet, "/runs/999999", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown run: %d", resp.StatusCode)
	}
}

func TestAPIStartRunAndGetIt(t *testing.T) {
	e := newEnv(t)
	loadTiny(t, e.pool, tinySample(t))
	resp, js := e.api(http.MethodPost, "/api/runs", strings.NewReader(`{"period":"2024-12"}`), "application/json")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("API start: %d %s", resp.StatusCode, js)
	}
	var started struct{ ID int64 }
	_ = json.Unmarshal([]byte(js), &started)
	var run apiRun
	deadline := time.Now().Add(120 * time.Second)
	for run.Status == "" || run.Status == "running" {
		if time.Now().After(deadline) {
			t.Fatal("run did not finish")
		}
		time.Sleep(100 * time.Millisecond)
		_, js = e.api(http.MethodGet, "/api/runs/"+itoa(started.ID), nil, "")
		_ = json.Unmarshal([]byte(js), &run)
	}
	if run.Status != "succeeded" || run.Trigger != "api" || run.TriggeredBy != "script" || run.Period != "2024-12" || len(run.Steps) != 3 {
		t.Fatalf("run = %s", js)
	}
	resp, js = e.api(http.MethodGet, "/api/runs?limit=5", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(js, `"id": `+itoa(started.ID)) {
		t.Fatalf("API list: %s", js)
	}
	resp, js = e.api(http.MethodPost, "/api/runs", strings.NewReader(`not json`), "application/json")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad JSON: %d %s", resp.StatusCode, js)
	}
}

// TestRunCancelRerunLogAndPendingSteps: a running run's page lists the steps not started and
// offers Dừng; the cancel reaches the run, which ends cancelled naming who asked, with its log
// lines on the page and Chạy lại, which starts the job again for the same period. A raw English
// error reads as one Vietnamese sentence, the English kept apart as the technical detail.
func TestRunCancelRerunLogAndPendingSteps(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	loadTiny(t, e.pool, tinySample(t))
	e.runner.Store.CancelPollEvery = 50 * time.Millisecond
	holder, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	st := holder.Step("pull")
	_, page := e.do(c, http.MethodGet, "/runs/"+itoa(holder.ID), nil, nil)
	if !strings.Contains(page, `<tr class="pending"><td></td><td>Đánh giá</td><td><span class="badge st-not_started">Chưa bắt đầu`) ||
		!strings.Contains(page, "Viết báo cáo") || !strings.Contains(page, `id="cancel-run"`) || strings.Contains(page, `id="rerun"`) {
		t.Fatalf("running run page:\n%s", page)
	}
	if resp, _ := e.postForm(c, "/runs/"+itoa(holder.ID)+"/cancel", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	select {
	case <-holder.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not see the cancellation")
	}
	st.Finish(holder.Context().Err())
	holder.Finish(holder.Context().Err())
	_, page = e.do(c, http.MethodGet, "/runs/"+itoa(holder.ID), nil, nil)
	for _, want := range []string{"Đã hủy", "theo yêu cầu của " + testUser, `id="rerun"`, "run cancelled on request", "Không chạy"} {
		if !strings.Contains(page, want) {
			t.Errorf("cancelled run page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="cancel-run"`) || strings.Contains(page, `<div class="err">context canceled`) {
		t.Errorf("cancelled run page:\n%s", page)
	}
	if resp, page := e.postForm(c, "/runs/"+itoa(holder.ID)+"/cancel", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "đã kết thúc") {
		t.Errorf("cancel an ended run: %d", resp.StatusCode)
	}
	if resp, js := e.api(http.MethodPost, "/api/runs/"+itoa(holder.ID)+"/cancel", nil, ""); resp.StatusCode != http.StatusConflict || !strings.Contains(js, `"code": "conflict"`) {
		t.Errorf("API cancel of an ended run: %d %s", resp.StatusCode, js)
	}
	if resp, _ := e.api(http.MethodPost, "/api/runs/424242/cancel", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("API cancel of an unknown run: %d", resp.StatusCode)
	}
	// Chạy lại: the same job and period, as a new run.
	resp, _ := e.postForm(c, "/runs/"+itoa(holder.ID)+"/rerun", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/runs/") || loc == "/runs/"+itoa(holder.ID) {
		t.Fatalf("rerun: %d %q", resp.StatusCode, loc)
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		_, page = e.do(c, http.MethodGet, loc, nil, nil)
		if !strings.Contains(page, `id="run-status">Đang chạy`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the re-run did not finish")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(page, "Kỳ</dt><dd>2024-12") || !strings.Contains(page, `id="run-status">Thành công`) {
		t.Errorf("re-run:\n%s", page)
	}

	// An English error from an older run: one Vietnamese sentence, the English apart.
	old, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	old.Finish(errors.New("dial tcp 127.0.0.1:18802: connect: connection refused"))
	_, page = e.do(c, http.MethodGet, "/runs/"+itoa(old.ID), nil, nil)
	if !strings.Contains(page, `id="run-error">Không kết nối được cơ sở dữ liệu`) || !strings.Contains(page, "Chi tiết kỹ thuật") {
		t.Errorf("English error:\n%s", page)
	}
	// A script stops a run through the API.
	h2, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "nightly", Trigger: runs.TriggerSchedule, Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, js := e.api(http.MethodPost, "/api/runs/"+itoa(h2.ID)+"/cancel", nil, ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("API cancel: %d %s", resp.StatusCode, js)
	}
	select {
	case <-h2.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not see the API's cancellation")
	}
	h2.Finish(h2.Context().Err())
	// A run of a job the form does not offer cannot be re-run from here.
	up, err := e.runner.Store.Begin(context.Background(), runs.Spec{Job: "upload", Trigger: runs.TriggerWeb, By: testUser})
	if err != nil {
		t.Fatal(err)
	}
	up.Finish(nil)
	if resp, page := e.postForm(c, "/runs/"+itoa(up.ID)+"/rerun", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "không chạy lại được") {
		t.Errorf("re-run of an upload: %d", resp.StatusCode)
	}
}
