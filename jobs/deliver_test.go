package jobs

import (
	"context"
	"net"
	"testing"

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
