package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"ntm"
	"ntm/runs"
)

// maxCatchUp bounds how many periods a catch-up runs (the newest are kept).
const maxCatchUp = 12

// maxFires bounds the schedule times examined per job (an "@every 1m" over months).
const maxFires = 200000

// Missed is a scheduled run that did not happen while the daemon was down.
type Missed struct {
	Job    string
	Period ntm.Period
	At     time.Time // the last scheduled time that would have run this period
}

// MissedRuns compares each scheduled job's last successful run with its schedule and returns
// the runs missed up to now: one per distinct period (the period each missed time would have
// evaluated), oldest first. A job that never ran has missed nothing (a fresh install waits
// for its schedule or a manual run); a job whose runs all failed catches up from its first.
// robfig/cron never catches up by itself.
func (r *Runner) MissedRuns(ctx context.Context, now time.Time) ([]Missed, error) {
	loc := r.Config.Location
	var out []Missed
	for _, j := range r.Config.Jobs {
		if j.Cron == nil {
			continue
		}
		ref, err := r.Store.LastSucceeded(ctx, j.Name)
		if err != nil {
			return nil, err
		}
		var since time.Time
		if ref != nil {
			since = ref.StartedAt
		} else {
			first, err := r.Store.First(ctx, j.Name)
			if err != nil {
				return nil, err
			}
			if first == nil {
				continue
			}
			since = first.StartedAt.Add(-time.Second)
		}
		var periods []Missed
		index := map[ntm.Period]int{}
		t := j.Cron.Next(since.In(loc))
		for n := 0; !t.IsZero() && !t.After(now) && n < maxFires; n++ {
			p := j.PeriodAt(t, loc)
			if i, ok := index[p]; ok {
				periods[i].At = t
			} else {
				index[p] = len(periods)
				periods = append(periods, Missed{Job: j.Name, Period: p, At: t})
			}
			t = j.Cron.Next(t)
		}
		if len(periods) > maxCatchUp {
			periods = periods[len(periods)-maxCatchUp:]
		}
		out = append(out, periods...)
	}
	return out, nil
}

// Scheduler runs the configured jobs on their schedules (config time zone), with panic
// recovery, and catches up missed runs at start.
type Scheduler struct {
	runner *Runner
	cron   *cron.Cron
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewScheduler prepares a scheduler; nothing runs before Start.
func NewScheduler(r *Runner) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	c := cron.New(cron.WithLocation(r.Config.Location), cron.WithChain(cron.Recover(cronLogger{r.Log})))
	s := &Scheduler{runner: r, cron: c, ctx: ctx, cancel: cancel}
	for _, j := range r.Config.Jobs {
		if j.Cron == nil {
			continue
		}
		name := j.Name
		c.Schedule(j.Cron, cron.FuncJob(func() { s.fire(Request{Job: name, Trigger: runs.TriggerSchedule}) }))
	}
	return s
}

// fire runs one scheduled job, waiting for it (so Stop waits too).
func (s *Scheduler) fire(req Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	if s.ctx.Err() != nil {
		return
	}
	_, err := s.runner.Run(s.ctx, req)
	var locked *runs.LockedError
	switch {
	case errors.As(err, &locked):
		s.runner.Log.Warn("scheduled run skipped: the pipeline is busy", zap.String("job", req.Job), zap.String("holder", locked.Error()))
	case err != nil:
		s.runner.Log.Error("scheduled run failed", zap.String("job", req.Job), zap.Error(err))
	}
}

// Start marks runs of dead processes abandoned, starts the schedule, and runs the missed
// runs in the background (one after another).
func (s *Scheduler) Start(ctx context.Context) ([]Missed, error) {
	if ids, err := s.runner.Store.RecoverAbandoned(ctx); err != nil {
		return nil, err
	} else if len(ids) > 0 {
		s.runner.Log.Warn("runs left running by a stopped process marked abandoned", zap.Int64s("runs", ids))
	}
	missed, err := s.runner.MissedRuns(ctx, s.runner.Now())
	if err != nil {
		return nil, fmt.Errorf("compute missed runs: %w", err)
	}
	s.cron.Start()
	for job, next := range s.Next() {
		s.runner.Log.Info("job scheduled", zap.String("job", job), zap.Time("next", next))
	}
	if len(missed) > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for _, m := range missed {
				s.runner.Log.Info("catching up a missed run", zap.String("job", m.Job), zap.String("period", m.Period.String()), zap.Time("was_due", m.At))
				s.fire(Request{Job: m.Job, Period: m.Period, Trigger: runs.TriggerSchedule, By: "catch-up",
					Params: map[string]any{"catch_up": true, "was_due": m.At.Format(time.RFC3339)}})
				if s.ctx.Err() != nil {
					return
				}
			}
		}()
	}
	return missed, nil
}

// Stop stops scheduling, cancels the running scheduled run (its step rolls back), and waits
// for it to record its end, or for ctx to expire.
func (s *Scheduler) Stop(ctx context.Context) error {
	cronDone := s.cron.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() { <-cronDone.Done(); s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("scheduled run still active after the shutdown wait: %w", ctx.Err())
	}
}

// Next lists the next time of each scheduled job.
func (s *Scheduler) Next() map[string]time.Time {
	out := map[string]time.Time{}
	now := s.runner.Now().In(s.runner.Config.Location)
	for _, j := range s.runner.Config.Jobs {
		if j.Cron != nil {
			out[j.Name] = j.Cron.Next(now)
		}
	}
	return out
}

// cronLogger sends robfig/cron's messages (a recovered panic, above all) to zap.
type cronLogger struct{ log *zap.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, zap.Any("detail", kv)) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, zap.Error(err), zap.Any("detail", kv))
}
