package runs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"ntm/db/dbtest"
)

// TestRequestCancelStopsTheRun: a cancellation requested through the database (as the console
// asks, from any process) cancels the run's context within seconds; the run ends cancelled
// naming who asked; an ended or unknown run cannot be cancelled. The run's log lines are kept.
func TestRequestCancelStopsTheRun(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	s := NewStore(pool, zap.NewNop())
	s.CancelPollEvery = 50 * time.Millisecond
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerWeb, By: "lan", Period: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	st := a.Step("pull vpostcode")
	a.Logger().Info("file loaded", zap.String("file", "a.xlsx"), zap.Int("rows", 12))
	if err := s.RequestCancel(ctx, a.ID, "lan"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not see the cancellation")
	}
	st.Finish(a.Context().Err())
	if got := a.Finish(a.Context().Err()); got != StatusCancelled {
		t.Fatalf("status %s", got)
	}
	r, err := s.Get(ctx, a.ID)
	if err != nil || r.Status != StatusCancelled || !strings.Contains(r.Error, "lan") || r.CancelRequestedBy != "lan" {
		t.Fatalf("cancelled run: %+v %v", r, err)
	}
	if err := s.RequestCancel(ctx, a.ID, "lan"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("cancel an ended run: %v", err)
	}
	if err := s.RequestCancel(ctx, 4242, "lan"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancel an unknown run: %v", err)
	}
	lines, err := s.LogPage(ctx, a.ID, 0, MaxLogLines)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, l := range lines {
		all = append(all, l.Level+" "+l.Message)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"run started", "file loaded file=a.xlsx rows=12", "step started step=pull vpostcode", "warn run cancelled on request by=lan"} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
}
