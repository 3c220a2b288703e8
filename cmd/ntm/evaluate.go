package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/jobs"
	"ntm/msg"
	"ntm/runs"
	"ntm/vnfmt"
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
			set, err := evaluate.SetOf(a.Context(), pool, id)
			if err != nil {
				return err
			}
			// Counted in the database: the results need not come back into memory.
			counts, err := evaluate.StatusCounts(a.Context(), pool, id, set)
			if err != nil {
				return err
			}
			n := 0
			for _, c := range counts {
				n += c.Met + c.NotMet + c.NoData
			}
			st.Set("evaluation_id", id)
			st.Set("results", int64(n))
			detail := fmt.Sprintf("lần đánh giá số %d, kỳ %s, bộ tiêu chí %s", id, p, set.Key)
			warning := evaluate.SetWarning(set, p)
			if warning != "" {
				detail += ". Cảnh báo: " + warning
			}
			st.Progress(int64(n), detail)
			fmt.Fprintln(e.stdout, msg.Evaluated(p.String(), id, n))
			fmt.Fprintln(e.stdout, evaluate.SetLine(set))
			printStatusCounts(e, counts)
			if warning != "" {
				fmt.Fprintln(e.stderr, "Cảnh báo: "+warning)
			}
			return nil
		})
	})
}

// printStatusCounts prints, per criterion, how many units met, did not meet, or had no data.
func printStatusCounts(e *env, counts []evaluate.StatusCount) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	h := msg.EvaluatedColumns
	fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", h[0], h[1], h[2], h[3])
	for _, c := range counts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", c.Criterion, vnfmt.Int(int64(c.Met)), vnfmt.Int(int64(c.NotMet)), vnfmt.Int(int64(c.NoData)))
	}
	tw.Flush()
}
