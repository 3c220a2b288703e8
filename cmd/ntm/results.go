package main

import (
	"context"
	"io"

	"ntm"
	"ntm/evaluate"
)

func runResults(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var period, level, format string
	fs := newFlagSet(e, "results", commands["results"].synopsis)
	d.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	fs.StringVar(&level, "level", "", "only this level: village, commune, district or province")
	fs.StringVar(&format, "format", "table", "output format: table, csv or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := parsePeriodFlag(period)
	if err != nil {
		return err
	}
	var lv ntm.Level
	if level != "" {
		if lv, err = ntm.ParseLevel(level); err != nil {
			return usagef("%v", err)
		}
	}
	write := map[string]func(w io.Writer, rs []evaluate.Result) error{
		"table": func(w io.Writer, rs []evaluate.Result) error { return evaluate.WriteTable(w, rs) },
		"csv":   func(w io.Writer, rs []evaluate.Result) error { return evaluate.WriteCSV(w, rs) },
		"json":  func(w io.Writer, rs []evaluate.Result) error { return evaluate.WriteJSON(w, rs) },
	}[format]
	if write == nil {
		return usagef("unknown --format %q: use table, csv or json", format)
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rs, err := evaluate.Results(ctx, pool, p, lv)
	if err != nil {
		return err
	}
	return write(e.stdout, rs)
}
