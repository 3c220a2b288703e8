package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"ntm"
	"ntm/config"
	"ntm/runs"
	"ntm/sample"
)

// A run that evaluates a period after 2025 with the built-in 2021–2025 set says what the office
// must do, on its output and in the run record; 2025-12 says nothing.
func TestEvaluateWarnsWhenTheBuiltinSetIsPastItsPeriod(t *testing.T) {
	pool, _ := setup(t, sample.Tiny)
	cfg := testConfig(t, nil, config.Job{Name: "eval", Steps: []string{config.StepEvaluate}})
	r := NewRunner(pool, cfg, nil)
	var mu sync.Mutex
	var lines []string
	r.Observe = func(ev Event) {
		if ev.Done {
			mu.Lock()
			lines = append(lines, ev.Message)
			mu.Unlock()
		}
	}
	ctx := context.Background()
	detail := func(id int64) string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT detail FROM run_step WHERE run_id = $1 AND name = 'evaluate'`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	res, err := r.Run(ctx, Request{Job: "eval", Trigger: runs.TriggerCLI, Period: ntm.Period{Year: 2025, Month: time.December}})
	if err != nil {
		t.Fatal(err)
	}
	if d := detail(res.RunID); strings.Contains(d, "Cảnh báo") || !strings.Contains(d, "bộ tiêu chí langson-2021") {
		t.Errorf("2025-12 step detail %q", d)
	}
	if strings.Contains(strings.Join(lines, "\n"), "Cảnh báo") {
		t.Errorf("2025-12 output %q", lines)
	}
	lines = nil
	res, err = r.Run(ctx, Request{Job: "eval", Trigger: runs.TriggerCLI, Period: ntm.Period{Year: 2026, Month: time.November}})
	if err != nil || res.Status != runs.StatusSucceeded {
		t.Fatalf("2026-11: %v %v", res.Status, err)
	}
	want := "Cảnh báo: Kỳ 2026-11 được đánh giá theo bộ tiêu chí giai đoạn 2021–2025 có sẵn trong ntm (langson-2021), đã hết giai đoạn áp dụng"
	if got := strings.Join(lines, "\n"); !strings.Contains(got, want) || !strings.Contains(got, "ntm criteria import TỆP") {
		t.Errorf("2026-11 output %q", got)
	}
	if d := detail(res.RunID); !strings.Contains(d, want) {
		t.Errorf("2026-11 step detail %q", d)
	}
}
