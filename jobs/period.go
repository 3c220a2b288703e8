package jobs

import (
	"context"
	"fmt"
	"time"

	"ntm"
	"ntm/db"
	"ntm/msg"
)

// CheckPeriod tells whether a period someone asked for can be run: not after the current month
// (in loc), and not before the first administrative structure loaded (when any is loaded; an
// empty database may still receive its units from the run's own sources). The error is an
// *ntm.Error (CodeInvalid) saying which periods can be chosen.
func CheckPeriod(ctx context.Context, q db.Querier, p ntm.Period, now time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	current := ntm.PeriodOf(now.In(loc))
	if p.Start().After(current.Start()) {
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.PeriodInFuture(p.String(), current.String()))
	}
	var first *time.Time
	if err := q.QueryRow(ctx, `SELECT min(valid_from) FROM unit`).Scan(&first); err != nil {
		return ntm.Wrap(ntm.CodeUnavailable, fmt.Errorf("read the first unit structure: %w", err), "%s", msg.DatabaseDown)
	}
	if first != nil && p.End().Before(ntm.PeriodOf(*first).Start()) {
		f := ntm.PeriodOf(*first).String()
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.PeriodBeforeUnits(p.String(), f))
	}
	return nil
}

// ParsePeriod reads a period typed by a user (YYYY-MM) and checks it with CheckPeriod. "" is
// the zero period (the job's own rule).
func (r *Runner) ParsePeriod(ctx context.Context, s string) (ntm.Period, error) {
	if s == "" {
		return ntm.Period{}, nil
	}
	p, err := ntm.ParsePeriod(s)
	if err != nil {
		return p, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.PeriodBadForm(s))
	}
	return p, CheckPeriod(ctx, r.Pool, p, r.Now(), r.Config.Location)
}
