package main

import (
	"context"
	"fmt"

	"ntm/reports"
)

func runReport(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var period, recipient, out string
	fs := newFlagSet(e, "report", commands["report"].synopsis)
	d.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	fs.StringVar(&recipient, "recipient", "", "write only this recipient's workbook (a unit code)")
	fs.StringVar(&out, "out", "reports", "output folder; workbooks go to OUT/<period>/")
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
	files, err := reports.Write(ctx, pool, p, reports.Options{OutDir: out, Recipient: recipient})
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(e.stdout, f)
	}
	return nil
}
