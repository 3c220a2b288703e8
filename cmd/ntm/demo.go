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

// demoDatabase is the local database the demo uses, so sample data never mixes with real data;
// the national demo has its own, so the two samples never mix either.
const (
	demoDatabase         = "ntm_demo"
	demoNationalDatabase = "ntm_demo_national"
)

// demoPeriod is the period the sample data is made for.
var demoPeriod = ntm.Period{Year: 2024, Month: time.December}

func runDemo(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var out, scale, units string
	var records int
	fs := newFlagSet(e, "demo", commands["demo"].synopsis)
	d.register(fs)
	fs.StringVar(&out, "out", "ntm-demo", "folder for the sample exports (OUT/inputs) and the workbooks (OUT/reports)")
	fs.StringVar(&scale, "scale", "province", "province (Lạng Sơn) or national (63 provinces, about 80,000 made-up villages, a 1,000,000-row dossier export)")
	fs.StringVar(&units, "units", "", "national unit list for --scale national, a CSV like shared/reference/vn_units_2024.csv (default: the 2024 list built into ntm)")
	fs.IntVar(&records, "records", 0, "rows of the national dossier-record export (default 1000000)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments")
	}
	if scale != "province" && scale != "national" {
		return usagef("--scale is province or national, not %q", scale)
	}
	national := scale == "national"
	database := demoDatabase
	if national {
		database = demoNationalDatabase
	}
	p, err := e.connectDemo(ctx, d, database)
	if err != nil {
		return err
	}
	inputs, reportDir := filepath.Join(out, "inputs"), filepath.Join(out, "reports")
	var man sample.Manifest
	if national {
		st := time.Now()
		man, err = sample.National(sample.NationalOptions{Options: sample.Options{Dir: inputs, Seed: 2024, Period: demoPeriod},
			Units: units, Records: records})
		if err != nil {
			return fmt.Errorf("write the sample exports: %w", err)
		}
		fmt.Fprintf(e.stdout, "National sample exports written to %s (%d files, %.0f s).\n", inputs, len(man.Files), time.Since(st).Seconds())
	} else {
		if man, err = sample.LangSon(sample.Options{Dir: inputs, Seed: 2024, Period: demoPeriod}); err != nil {
			return fmt.Errorf("write the sample exports: %w", err)
		}
		fmt.Fprintf(e.stdout, "Sample exports for Lạng Sơn written to %s (%d files).\n", inputs, len(man.Files))
	}

	loader := transform.NewLoader(p, e.log)
	loaded, already := 0, 0
	st := time.Now()
	for i, f := range man.Files {
		opts := transform.LoadOptions{Dataset: f.Dataset, Period: demoPeriod}
		if f.AsOf != nil {
			opts.AsOf = *f.AsOf
		}
		rep, err := loader.LoadFile(ctx, f.Path, opts)
		if err != nil {
			return err
		}
		if !national {
			printFileReport(e.stdout, rep)
		} else if (i+1)%50 == 0 || i+1 == len(man.Files) {
			fmt.Fprintf(e.stdout, "Loaded %d of %d files (%.0f s).\n", i+1, len(man.Files), time.Since(st).Seconds())
		}
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

	st = time.Now()
	if _, err := evaluate.Evaluate(ctx, p, demoPeriod); err != nil {
		return err
	}
	rs, err := evaluate.Results(ctx, p, demoPeriod, "")
	if err != nil {
		return err
	}
	evalSecs := time.Since(st).Seconds()
	st = time.Now()
	files, err := reports.Write(ctx, p, demoPeriod, reports.Options{OutDir: reportDir})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nPeriod %s:\n", demoPeriod)
	printDemoSummary(e, rs)
	per := "one per district and one for the province"
	if national {
		per = fmt.Sprintf("one per district and one per province; evaluated in %.0f s, written in %.0f s", evalSecs, time.Since(st).Seconds())
	}
	fmt.Fprintf(e.stdout, "\n%d workbooks written to %s (%s).\n", len(files), filepath.Join(reportDir, demoPeriod.String()), per)
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
