package main

import (
	"context"
	"encoding/json"
	"fmt"

	"ntm/explain"
)

const explainSynopsis = "ntm explain UNIT --period P [--format text|json]: why a unit stands where it does: each criterion, its figures, since when, and the files and rows behind them"

func runExplain(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var period, format string
	fs := newFlagSet(e, "explain", explainSynopsis)
	d.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	fs.StringVar(&format, "format", "text", "text (for people, in Vietnamese) or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one unit code (for example ntm explain 05971-001 --period 2024-12)")
	}
	if format != "text" && format != "json" {
		return usagef("unknown --format %q: use text or json", format)
	}
	p, err := parsePeriodFlag(period)
	if err != nil {
		return err
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	u, err := explain.Explain(ctx, pool, fs.Arg(0), p)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(u)
	}
	loc := e.location()
	w := e.stdout
	fmt.Fprintf(w, "%s: %s, kỳ %s\n", u.Level.Label(), u.Place(), u.Period)
	for _, c := range u.Criteria {
		name := c.CriterionName
		if name == "" {
			name = c.Criterion
		}
		fmt.Fprintf(w, "\n%s (%s): %s, %s\n", name, c.Criterion, c.Status.Label(), c.SinceText())
		if c.Explanation != "" {
			fmt.Fprintf(w, "  Vì sao: %s\n", c.Explanation)
		}
		if v := c.ValueText(); v != "" {
			fmt.Fprintf(w, "  Giá trị: %s\n", v)
		}
		if len(c.History) > 1 {
			fmt.Fprintf(w, "  Các kỳ: %s\n", c.HistoryText())
		}
		for _, s := range c.Sources {
			fmt.Fprintf(w, "  Nguồn: %s\n", s.Text(loc))
		}
	}
	return nil
}
