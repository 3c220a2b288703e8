package console

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.uber.org/zap"

	"ntm"
	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
)

// startJob starts job for period ("" = the job's own period rule) on behalf of p, in the
// background, and returns the new run's id. A refusal is an *ntm.Error; when the reason is
// another run holding the pipeline lock, that run is returned too.
func (c *Console) startJob(ctx context.Context, p *principal, job, period string) (int64, *runs.Run, *ntm.Error) {
	job = strings.TrimSpace(job)
	if job == "" {
		job = c.d.JobNames[0]
	}
	if !slices.Contains(c.d.JobNames, job) {
		return 0, nil, ntm.Errorf(ntm.CodeInvalid, "%s", msg.UnknownJob(job, c.d.JobNames))
	}
	req := jobs.Request{Job: job, Trigger: p.Trigger, By: p.Name}
	if period = strings.TrimSpace(period); period != "" {
		per, err := ntm.ParsePeriod(period)
		if err != nil {
			return 0, nil, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(period))
		}
		req.Period = per
	}
	id, _, err := c.d.Jobs.Start(ctx, req)
	if err != nil {
		holder, e := c.startError(err)
		return 0, holder, e
	}
	c.log.Info("run started", zap.Int64("run", id), zap.String("job", job), zap.String("period", period),
		zap.String("trigger", string(p.Trigger)), zap.String("by", p.Name))
	return id, nil, nil
}

// startError says why a run (or a load) could not start: another run holds the lock (that run
// is returned), a period or job refused, the daemon stopping, the database down.
func (c *Console) startError(err error) (*runs.Run, *ntm.Error) {
	var locked *runs.LockedError
	var e *ntm.Error
	switch {
	case errors.As(err, &locked):
		locked.Loc = c.d.Location
		return locked.Holder, locked.AsError()
	case errors.Is(err, runs.ErrLocked):
		return nil, ntm.Wrap(ntm.CodeConflict, err, "%s", msg.PipelineBusyUnknown)
	case errors.As(err, &e):
		return nil, e
	case errors.Is(err, jobs.ErrShuttingDown):
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.ShuttingDown)
	case errors.Is(err, jobs.ErrUnknownJob):
		return nil, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.UnknownJob("?", c.d.JobNames))
	default:
		c.log.Error("start run", zap.Error(err))
		return nil, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
}

// lockedMessage names the run holding the pipeline lock.
func (c *Console) lockedMessage(h *runs.Run) string { return runs.BusyMessage(h, c.d.Location) }
