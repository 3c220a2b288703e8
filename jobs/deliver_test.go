package jobs

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/sample"
)

// TestReportStepDeliversAndKeepsFailedMailForTheNextRun: the report step records every workbook
// in its folder and queues an e-mail per configured address; a mail server that refuses the
// connection does not fail the run, and the failed e-mail stays open for the next run.
func TestReportStepDeliversAndKeepsFailedMailForTheNextRun(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	// A port that refuses connections: listen, then close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cfg := testConfig(t, nil, config.Job{Name: "report", Steps: []string{config.StepEvaluate, config.StepReport}, Period: config.PeriodYesterday})
	cfg.Reports.Recipients = map[string][]string{"187": {"vanphong@chilang.example"}}
	cfg.Reports.SMTP = config.SMTP{Host: "127.0.0.1", Port: port, From: "ntm@example"}
	r := NewRunner(pool, cfg, nil)
	res, err := r.Run(context.Background(), Request{Job: "report", Period: dec2024, Trigger: runs.TriggerCLI})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if res.Status != runs.StatusSucceeded || len(res.Reports) == 0 {
		t.Fatalf("status %s, %d workbooks", res.Status, len(res.Reports))
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery WHERE channel = 'folder'`); n != len(res.Reports) {
		t.Errorf("folder deliveries: %d, want %d", n, len(res.Reports))
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery WHERE channel = 'email' AND outcome = 'failed' AND address = 'vanphong@chilang.example'`); n != 1 {
		t.Errorf("failed e-mails recorded: %d, want 1", n)
	}
	// The next run over unchanged data writes identical workbooks: nothing new is queued, the
	// failed e-mail is tried again (and fails again).
	if _, err := r.Run(context.Background(), Request{Job: "report", Period: dec2024, Trigger: runs.TriggerCLI}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery WHERE channel = 'email'`); n != 1 {
		t.Errorf("e-mail rows after a second run: %d, want 1", n)
	}
	if n := count(t, pool, `SELECT max(attempts) FROM delivery WHERE channel = 'email'`); n != 2 {
		t.Errorf("attempts after a second run: %d, want 2", n)
	}
}

// TestPullFailureHoldsTheDelivery: a feed that refuses the connection fails the run with a
// Vietnamese sentence (no "dial tcp"), but the run still evaluates and writes the workbooks,
// whose notes name the missing source; nothing is delivered until the office sends the period
// (SendPeriod), which records who and is then not repeated.
func TestPullFailureHoldsTheDelivery(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	src := config.Source{Name: "vpostcode-feed", Dataset: ntm.DatasetVpostcode, Kind: config.SourceURL, Location: "http://" + addr + "/export.csv"}
	cfg := testConfig(t, []config.Source{src}, config.Job{Name: "nightly", Steps: []string{config.StepPull, config.StepEvaluate, config.StepReport}},
		config.Job{Name: "report", Steps: []string{config.StepEvaluate, config.StepReport}})
	cfg.Network.Retries = 0
	r := NewRunner(pool, cfg, nil)
	r.Fetcher.Sleep = func(context.Context, time.Duration) error { return nil }
	// The same data's workbooks written before, without a missing source: the held run must
	// write them again with the note (the missing sources are one of their inputs).
	if _, err := r.Run(context.Background(), Request{Job: "report", Period: dec2024, Trigger: runs.TriggerCLI}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), `DELETE FROM delivery`); err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), Request{Job: "nightly", Period: dec2024, Trigger: runs.TriggerCLI})
	if err == nil || res.Status != runs.StatusFailed {
		t.Fatalf("a run without its source: %s %v", res.Status, err)
	}
	if msg := ntm.ErrorMessage(err); strings.Contains(msg, "dial tcp") || strings.Contains(msg, "connection refused") ||
		!strings.Contains(msg, "vpostcode-feed") || !strings.Contains(msg, "Chạy lại") {
		t.Errorf("run error for the office: %q", msg)
	}
	if !res.Held || len(res.Reports) == 0 || len(res.Missing) != 1 || !strings.Contains(res.Missing[0], "không kết nối được") {
		t.Fatalf("held %v, %d workbooks, missing %q", res.Held, len(res.Reports), res.Missing)
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery`); n != 0 {
		t.Errorf("%d deliveries recorded for a run with a missing source", n)
	}
	notes := workbookText(t, res.Reports[0])
	if !strings.Contains(notes, "không lấy được số liệu mới từ Nguồn vpostcode-feed: không kết nối được") {
		t.Errorf("the workbook does not say the source is missing:\n%s", notes)
	}
	// The office sends the period explicitly.
	rep, err := r.SendPeriod(context.Background(), dec2024, "lan", "nguồn vpostcode hỏng, gửi bản hiện có")
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM delivery WHERE channel = 'folder'`); n != len(res.Reports) || rep.Failed != 0 {
		t.Errorf("folder deliveries after sending: %d, want %d", n, len(res.Reports))
	}
	if n := count(t, pool, `SELECT count(*) FROM office_action WHERE kind = 'deliver_period' AND by_user = 'lan'`); n != 1 {
		t.Errorf("period delivery actions: %d", n)
	}
	if _, err := r.SendPeriod(context.Background(), ntm.Period{Year: 2020, Month: 1}, "lan", ""); ntm.ErrorCode(err) != ntm.CodeNotFound {
		t.Errorf("sending a period without workbooks: %v", err)
	}
}

// workbookText is every cell of a workbook, one row a line.
func workbookText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "|") + "\n")
		}
	}
	return b.String()
}
