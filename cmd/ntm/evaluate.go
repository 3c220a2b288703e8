package main

import (
	"context"
	"fmt"

	"ntm"
	"ntm/evaluate"
)

// periodFlag parses --period values.
func parsePeriodFlag(s string) (ntm.Period, error) {
	if s == "" {
		return ntm.Period{}, usagef("--period is required (YYYY-MM, for example 2024-12)")
	}
	p, err := ntm.ParsePeriod(s)
	if err != nil {
		return ntm.Period{}, usagef("%v", err)
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
	id, err := evaluate.Evaluate(ctx, pool, p)
	if err != nil {
		return err
	}
	rs, err := evaluate.Results(ctx, pool, p, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Evaluated period %s (evaluation %d): %d results.\n", p, id, len(rs))
	printStatusCounts(e, rs)
	return nil
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
