package main

import (
	"context"
	"fmt"
	"time"

	"ntm/jobs"
	"ntm/reports"
	"ntm/runs"
)

func runReport(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var cf configFlag
	var period, recipient, out string
	fs := newFlagSet(e, "report", commands["report"].synopsis)
	d.register(fs)
	cf.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	fs.StringVar(&recipient, "recipient", "", "write only this recipient's workbook (a unit code)")
	fs.StringVar(&out, "out", "", "output folder; workbooks go to OUT/<period>/ (default: the config's reports.out_dir, else ./ntm-reports)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := parsePeriodFlag(period)
	if err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if out == "" {
		out = cfg.Reports.OutDir
	}
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	if err := jobs.CheckPeriod(ctx, pool, p, time.Now(), e.location()); err != nil {
		return err
	}
	params := map[string]any{"period": p.String(), "out": out}
	if recipient != "" {
		params["recipient"] = recipient
	}
	return e.recordRun(ctx, "report", params, func(a *runs.Active) error {
		return recordStep(a, "report", func(st *runs.StepRun) error {
			w, err := reports.WriteAll(a.Context(), pool, p, reports.Options{OutDir: out, Recipient: recipient})
			if err != nil {
				return err
			}
			st.Set("workbooks", int64(len(w.Paths)))
			st.Set("unchanged", int64(len(w.Unchanged)))
			for _, f := range w.Paths {
				fmt.Fprintln(e.stdout, f)
			}
			if len(w.Unchanged) > 0 {
				fmt.Fprintf(e.stderr, "%d of %d workbooks unchanged since they were last written (same inputs): not rebuilt.\n", len(w.Unchanged), len(w.Paths))
			}
			return nil
		})
	})
}
