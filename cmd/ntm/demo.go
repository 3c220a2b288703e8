package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"ntm"
	"ntm/evaluate"
	"ntm/reports"
	"ntm/sample"
	"ntm/transform"
)

// demoDatabase is the local database the demo uses, so sample data never mixes with real data.
const demoDatabase = "ntm_demo"

// demoPeriod is the period the sample data is made for.
var demoPeriod = ntm.Period{Year: 2024, Month: time.December}

func runDemo(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var out string
	fs := newFlagSet(e, "demo", commands["demo"].synopsis)
	d.register(fs)
	fs.StringVar(&out, "out", "ntm-demo", "folder for the sample exports (OUT/inputs) and the workbooks (OUT/reports)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments")
	}
	p, err := e.connectDemo(ctx, d)
	if err != nil {
		return err
	}
	inputs, reportDir := filepath.Join(out, "inputs"), filepath.Join(out, "reports")
	man, err := sample.LangSon(sample.Options{Dir: inputs, Seed: 2024, Period: demoPeriod})
	if err != nil {
		return fmt.Errorf("write the sample exports: %w", err)
	}
	fmt.Fprintf(e.stdout, "Sample exports for Lạng Sơn written to %s (%d files).\n", inputs, len(man.Files))

	loader := transform.NewLoader(p, e.log)
	loaded, already := 0, 0
	for _, f := range man.Files {
		opts := transform.LoadOptions{Dataset: f.Dataset, Period: demoPeriod}
		if f.AsOf != nil {
			opts.AsOf = *f.AsOf
		}
		rep, err := loader.LoadFile(ctx, f.Path, opts)
		if err != nil {
			return err
		}
		printFileReport(e.stdout, rep)
		if rep.Rejected {
			return fmt.Errorf("sample file %s was rejected whole: %s", f.Path, rep.Message)
		}
		if rep.AlreadyLoaded {
			already++
		} else {
			loaded++
		}
	}
	fmt.Fprintf(e.stdout, "Loaded %d files (%d already loaded before).\n", loaded, already)

	if _, err := evaluate.Evaluate(ctx, p, demoPeriod); err != nil {
		return err
	}
	rs, err := evaluate.Results(ctx, p, demoPeriod, "")
	if err != nil {
		return err
	}
	files, err := reports.Write(ctx, p, demoPeriod, reports.Options{OutDir: reportDir})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nPeriod %s:\n", demoPeriod)
	printDemoSummary(e, rs)
	fmt.Fprintf(e.stdout, "\n%d workbooks written to %s (one per district and one for the province).\n",
		len(files), filepath.Join(reportDir, demoPeriod.String()))
	fmt.Fprintf(e.stdout, "See every result: ntm results --period %s --database-url '%s'\n", demoPeriod, e.dbURL)
	return nil
}

// printDemoSummary prints the headline figures: smart villages, criterion-8 communes, 9.5 districts.
func printDemoSummary(e *env, rs []evaluate.Result) {
	type tally struct{ met, total int }
	count := map[string]*tally{}
	for _, r := range rs {
		t := count[r.Criterion+"/"+string(r.Level)]
		if t == nil {
			t = &tally{}
			count[r.Criterion+"/"+string(r.Level)] = t
		}
		t.total++
		if r.Status == ntm.StatusMet {
			t.met++
		}
	}
	line := func(label, key string) {
		if t := count[key]; t != nil {
			fmt.Fprintf(e.stdout, "  %-50s %5d of %d\n", label, t.met, t.total)
		}
	}
	line("smart villages (SMART_VILLAGE)", "SMART_VILLAGE/village")
	line("communes meeting criterion 8 (C8_SMART_VILLAGE)", "C8_SMART_VILLAGE/commune")
	line("districts meeting indicator 9.5 (D95)", "D95/district")
}
