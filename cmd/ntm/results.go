package main

import (
	"context"
	"fmt"
	"io"

	"ntm"
	"ntm/evaluate"
	"ntm/explain"
)

const resultsSynopsis = "ntm results --period P [--level L] [--unit CODE] [--parent CODE] [--format table|csv|json] [--explain] [--bom]: print results"

func runResults(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var period, level, format, unit, parent string
	var explained, bom bool
	fs := newFlagSet(e, "results", resultsSynopsis)
	d.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	fs.StringVar(&level, "level", "", "only this level: village, commune, district or province")
	fs.StringVar(&unit, "unit", "", "only this unit (a unit code)")
	fs.StringVar(&parent, "parent", "", "only the units under this unit (a district's communes and villages, a commune's villages)")
	fs.StringVar(&format, "format", "table", "output format: table, csv or json")
	fs.BoolVar(&explained, "explain", false, "csv: add a last column, explanation (the Vietnamese explanation of each result)")
	fs.BoolVar(&bom, "bom", false, "start the output with a UTF-8 byte-order mark, so Excel opens the CSV with its Vietnamese letters intact")
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
	csvWriter := evaluate.WriteCSV
	if explained {
		csvWriter = evaluate.WriteCSVExplained
	}
	write := map[string]func(w io.Writer, set *evaluate.Set, rs []evaluate.Result) error{
		"table": func(w io.Writer, _ *evaluate.Set, rs []evaluate.Result) error { return evaluate.WriteTable(w, rs) },
		"csv":   csvWriter,
		"json":  evaluate.WriteJSON,
	}[format]
	if write == nil {
		return usagef("unknown --format %q: use table, csv or json", format)
	}
	if explained && format != "csv" {
		return usagef("--explain adds a CSV column: use it with --format csv (table and json show explanations already)")
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rows, err := explain.Results(ctx, pool, p, explain.Filter{Level: lv, Unit: unit, Parent: parent})
	if err != nil {
		return err
	}
	rs := make([]evaluate.Result, len(rows))
	for i, r := range rows {
		rs[i] = r.Result
	}
	// Every format names the set the evaluation used: the table in a line for people, csv and
	// json on each row (its key, version and file).
	_, set, err := evaluate.Latest(ctx, pool, p)
	if err != nil {
		return err
	}
	if bom {
		if _, err := io.WriteString(e.stdout, "\uFEFF"); err != nil {
			return err
		}
	}
	if format == "table" {
		fmt.Fprintln(e.stdout, evaluate.SetLine(set))
		if w := evaluate.SetWarning(set, p); w != "" {
			fmt.Fprintln(e.stdout, "Cảnh báo: "+w)
		}
		fmt.Fprintln(e.stdout)
	}
	return write(e.stdout, set, rs)
}
