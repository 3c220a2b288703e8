package console

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"ntm/runs"
)

// The delivery log and a run's log are read a page at a time in the browser: 250 deliveries
// of a period show 100 a page, newest first, with where the page stands and links to the
// others (the period kept); a run that logged more than runs.MaxLogLines lines shows its kept
// lines 300 a page, newest first, and says how many lines were not kept and where to read them.
// Before, the delivery log stopped at 300 rows and the run page at its last 300 lines, silently.
func TestBrowserDeliveryLogAndRunLogPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := 1; i <= 250; i++ {
		if _, err := e.pool.Exec(ctx, `INSERT INTO delivery (recipient, channel, address, period, file_path, file_sha256, outcome, attempts, created_at, sent_at)
			VALUES ($1, 'email', $2, '2024-12', $3, $4, 'sent', 1, now() - make_interval(mins => $5), now())`,
			fmt.Sprintf("%05d", i), fmt.Sprintf("xa%d@langson.example", i), fmt.Sprintf("/r/2024-12/%05d-xa.xlsx", i), fmt.Sprintf("sha%d", i), 250-i); err != nil {
			t.Fatal(err)
		}
	}
	// A folder delivery of another period: not on the 2024-12 pages.
	if _, err := e.pool.Exec(ctx, `INSERT INTO delivery (recipient, channel, address, period, file_path, file_sha256, outcome) VALUES ('20', 'folder', '/r', '2024-11', '/r/2024-11/20-tinh.xlsx', 'x', 'sent')`); err != nil {
		t.Fatal(err)
	}
	a, err := e.runner.Store.Begin(ctx, runs.Spec{Job: "ingest", Trigger: runs.TriggerCLI, By: "lan"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= runs.MaxLogLines+150; i++ {
		a.Logger().Info("file pulled", zap.Int("n", i))
	}
	a.Finish(nil)
	var dropped int
	must(t, e.pool.QueryRow(ctx, `SELECT log_dropped FROM run WHERE id = $1`, a.ID).Scan(&dropped))
	if dropped != 152 { // "run started", 2,150 lines, "run finished": 2,152 logged, 2,000 kept
		t.Fatalf("log_dropped = %d, want 152", dropped)
	}

	b := newBrowserSession(t, e)
	rows := func() string { return b.eval(`String(document.querySelectorAll("table.deliveries tbody tr").length)`) }
	firstRecipient := func() string {
		return b.eval(`document.querySelector("table.deliveries tbody tr td.code").textContent`)
	}
	b.open("/deliveries?period=2024-12")
	b.waitFor("#deliveries-pager", "Lần gửi 1–100 trong 250 (mới nhất trước) · trang 1/3", 10*time.Second)
	if n, first := rows(), firstRecipient(); n != "100" || first != "00250" {
		t.Fatalf("page 1: %s rows, first %s", n, first)
	}
	if b.eval(`String(!!document.querySelector("#deliveries-prev"))`) != "false" {
		t.Error("page 1 links to a page before it")
	}
	clickAndWait(t, b.ctx, "next page", "#deliveries-next")
	b.waitFor("#deliveries-pager", "Lần gửi 101–200 trong 250", 10*time.Second)
	if n, first := rows(), firstRecipient(); n != "100" || first != "00150" {
		t.Fatalf("page 2: %s rows, first %s", n, first)
	}
	clickAndWait(t, b.ctx, "last page", "#deliveries-next")
	b.waitFor("#deliveries-pager", "Lần gửi 201–250 trong 250 (mới nhất trước) · trang 3/3", 10*time.Second)
	if n, loc := rows(), b.eval(`location.search`); n != "50" || !strings.Contains(loc, "period=2024-12") || b.eval(`String(!!document.querySelector("#deliveries-next"))`) != "false" {
		t.Fatalf("page 3: %s rows at %s", n, loc)
	}
	b.shot("deliveries-paged")
	// Every period: 251 rows, still paged.
	b.open("/deliveries")
	b.waitFor("#deliveries-pager", "trong 251", 10*time.Second)

	// The run's log: the newest page first, the older ones a click away, the lines not kept told.
	b.open(fmt.Sprintf("/runs/%d", a.ID))
	b.waitFor("#log-pager", "Dòng 1.801–2.000 trong 2.000 dòng đã lưu · trang 7/7", 10*time.Second)
	cut := b.waitFor("#log-cut", "Mỗi lượt chạy chỉ lưu 2.000 dòng nhật ký đầu tiên; 152 dòng sau đó không được lưu ở đây", 10*time.Second)
	if !strings.Contains(cut, fmt.Sprintf(`journalctl -u ntm | grep '"run":%d'`, a.ID)) {
		t.Errorf("the notice does not say where the lines are: %q", cut)
	}
	logRows := func() string { return b.eval(`String(document.querySelectorAll("table.log tbody tr").length)`) }
	lastLine := func() string {
		return b.eval(`Array.from(document.querySelectorAll("table.log tbody tr td.raw")).pop().textContent`)
	}
	if n, last := logRows(), lastLine(); n != "200" || last != "file pulled n=1999" {
		t.Fatalf("newest log page: %s lines, last %q", n, last)
	}
	clickAndWait(t, b.ctx, "older lines", "#log-prev")
	b.waitFor("#log-pager", "Dòng 1.501–1.800 trong 2.000", 10*time.Second)
	if last := lastLine(); last != "file pulled n=1799" {
		t.Fatalf("older page ends with %q", last)
	}
	b.shot("run-log-paged")
}
