package main

import (
	"context"
	"fmt"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
)

// parsePeriodFlag parses --period values (a usage error when missing or not YYYY-MM).
func parsePeriodFlag(s string) (ntm.Period, error) {
	if s == "" {
		return ntm.Period{}, ntm.Errorf(ntm.CodeUsage, "%s", msg.PeriodRequired)
	}
	p, err := ntm.ParsePeriod(s)
	if err != nil {
		return ntm.Period{}, ntm.Wrap(ntm.CodeUsage, err, "%s", msg.PeriodBadForm(s))
	}
	return p, nil
}

func runEvaluate(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var period string
	fs := newFlagSet(e, "evaluate", commands["evaluate"].synopsis)
	d.register(fs)
	fs.StringVar(&period, "period", "", "period to evaluate, YYYY-MM")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := parsePeriodFlag(period)
	if err != nil {
		return err
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	if err := jobs.CheckPeriod(ctx, pool, p, time.Now(), e.location()); err != nil {
		return err
	}
	return e.recordRun(ctx, "evaluate", map[string]any{"period": p.String()}, func(a *runs.Active) error {
		return recordStep(a, "evaluate", func(st *runs.StepRun) error {
			id, err := evaluate.Evaluate(a.Context(), pool, p)
			if err != nil {
				return err
			}
			rs, err := evaluate.Results(a.Context(), pool, p, "")
			if err != nil {
				return err
			}
			set, err := evaluate.SetOf(a.Context(), pool, id)
			if err != nil {
				return err
			}
			st.Set("evaluation_id", id)
			st.Set("results", int64(len(rs)))
			detail := fmt.Sprintf("lần đánh giá số %d, kỳ %s, bộ tiêu chí %s", id, p, set.Key)
			warning := evaluate.SetWarning(set, p)
			if warning != "" {
				detail += ". Cảnh báo: " + warning
			}
			st.Progress(int64(len(rs)), detail)
			fmt.Fprintf(e.stdout, "Evaluated period %s (evaluation %d): %d results.\n", p, id, len(rs))
			fmt.Fprintln(e.stdout, evaluate.SetLine(set))
			printStatusCounts(e, rs)
			if warning != "" {
				fmt.Fprintln(e.stderr, "Cảnh báo: "+warning)
			}
			return nil
		})
	})
}

// printStatusCounts prints, per criterion, how many units met, did not meet, or had no data.
func printStatusCounts(e *env, rs []evaluate.Result) {
	type counts struct{ met, notMet, noData int }
	byCrit := map[string]*counts{}
	var order []string
	for _, r := range rs {
		c, ok := byCrit[r.Criterion]
		if !ok {
			c = &counts{}
			byCrit[r.Criterion] = c
			order = append(order, r.Criterion)
		}
		switch r.Status {
		case ntm.StatusMet:
			c.met++
		case ntm.StatusNotMet:
			c.notMet++
		default:
			c.noData++
		}
	}
	fmt.Fprintf(e.stdout, "  %-22s %8s %8s %8s\n", "criterion", "met", "not met", "no data")
	for _, k := range order {
		c := byCrit[k]
		fmt.Fprintf(e.stdout, "  %-22s %8d %8d %8d\n", k, c.met, c.notMet, c.noData)
	}
}
