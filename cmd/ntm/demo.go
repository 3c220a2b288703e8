package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db"
	"ntm/evaluate"
	"ntm/msg"
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

func runDemo(ctx context.Context, e *env, args []string) (err error) {
	var d dbFlags
	var out, scale, units string
	var records int
	var childExports bool
	fs := newFlagSet(e, "demo", commands["demo"].synopsis)
	d.register(fs)
	fs.StringVar(&out, "out", "ntm-demo", "folder for the sample exports (OUT/inputs) and the workbooks (OUT/reports)")
	fs.StringVar(&scale, "scale", "province", "province (Lạng Sơn) or national (63 provinces, about 80,000 made-up villages, a 1,000,000-row dossier export)")
	fs.StringVar(&units, "units", "", "national unit list for --scale national, a CSV like sample/data/vn_units_2024.csv (default: the 2024 list built into ntm)")
	fs.IntVar(&records, "records", 0, "rows of the national dossier-record export (default 1000000)")
	fs.BoolVar(&childExports, "child-exports", false, "")
	fs.Usage = func() { // without the flag the demo gives its child
		fmt.Fprintf(e.stdout, "usage: %s\n\nflags:\n", commands["demo"].synopsis)
		shown := flag.NewFlagSet("demo", flag.ContinueOnError)
		shown.SetOutput(e.stdout)
		fs.VisitAll(func(f *flag.Flag) {
			if f.Usage != "" {
				shown.Var(f.Value, f.Name, f.Usage)
			}
		})
		shown.PrintDefaults()
	}
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
	if childExports {
		if !national {
			return usagef("--child-exports writes the national exports only")
		}
		return runDemoChildExports(e, out, units, records)
	}
	database := demoDatabase
	if national {
		database = demoNationalDatabase
	}
	p, err := e.connectDemo(ctx, d, database)
	if err != nil {
		return err
	}
	// Recorded in ntm runs (of the demo's database), under the pipeline lock.
	run, err := e.beginRun(ctx, "demo", map[string]any{"period": demoPeriod.String(), "scale": scale, "out": out})
	if err != nil {
		return err
	}
	defer func() { run.Finish(err) }()
	ctx = run.Context()
	var files []sample.File // the province demo's, for its second part
	inputs, reportDir := filepath.Join(out, "inputs"), filepath.Join(out, "reports")
	loader := transform.NewLoader(p, e.log)
	if national {
		// The exports are written by a child process while this one loads each as soon as it is
		// on disk (see demoExports).
		st := time.Now()
		loaded, already, err := loadNationalDemo(ctx, e, loader, out, units, records)
		if err != nil {
			return err
		}
		loader.ReleaseUnitIndex() // evaluation follows: its memory, not the index's
		e.timed("load", st)
		fmt.Fprintln(e.stdout, msg.DemoLoaded(loaded, already))
	} else {
		man, err := sample.LangSon(sample.Options{Dir: inputs, Seed: 2024, Period: demoPeriod, Reform: true})
		if err != nil {
			return fmt.Errorf("write the sample exports: %w", err)
		}
		fmt.Fprintln(e.stdout, msg.DemoLangSonExportsWritten(inputs, len(man.Files)))
		files = man.Files
		loaded, already, _, err := loadDemoFiles(ctx, e, loader, man.Files, false, false, func(f sample.File) bool { return f.Period == demoPeriod })
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg.DemoLoaded(loaded, already))
	}
	evalSecs, writeSecs, err := evaluateAndReport(ctx, e, p, demoPeriod, reportDir, true, national)
	if err != nil {
		return err
	}
	split := msg.DemoPerDistrict
	if national {
		split = msg.DemoPerDistrictNational(evalSecs, writeSecs)
	}
	fmt.Fprintln(e.stdout, msg.DemoWorkbooksWhere(demoPeriod.String(), filepath.Join(reportDir, demoPeriod.String()), split))
	lastPeriod := demoPeriod
	if !national {
		ran, err := demoReform(ctx, e, p, loader, files, reportDir)
		if err != nil {
			return err
		}
		if ran {
			lastPeriod = sample.ReformPeriods[len(sample.ReformPeriods)-1]
		}
	}
	printDemoHint(ctx, e, p, lastPeriod)
	return nil
}

// loadDemoFiles loads the manifest's files that pick selects, through the same path as ntm ingest.
//
// With tolerate, a file rejected whole is counted in rejected and the others still load (the
// 2025–2026 exports, whose old names and group rows need resolution across the reform); without it,
// it ends the demo.
func loadDemoFiles(ctx context.Context, e *env, loader *transform.Loader, files []sample.File, quiet, tolerate bool, pick func(sample.File) bool) (loaded, already, rejected int, err error) {
	st := time.Now()
	var sel []sample.File
	for _, f := range files {
		if pick(f) && f.ValidFrom == nil {
			sel = append(sel, f)
		}
	}
	for i, f := range sel {
		opts := transform.LoadOptions{Dataset: f.Dataset, Period: f.Period}
		if f.AsOf != nil {
			opts.AsOf = *f.AsOf
		}
		rep, err := loader.LoadFile(ctx, f.Path, opts)
		if err != nil {
			return loaded, already, rejected, err
		}
		if !quiet {
			printFileReport(e.stdout, rep)
		} else if (i+1)%50 == 0 || i+1 == len(sel) {
			fmt.Fprintln(e.stdout, msg.DemoLoadProgress(i+1, len(sel), time.Since(st).Seconds()))
		}
		switch {
		case rep.Rejected && tolerate:
			rejected++
		case rep.Rejected:
			return loaded, already, rejected, fmt.Errorf("sample file %s was rejected whole: %s", f.Path, rep.Message)
		case rep.AlreadyLoaded:
			already++
		default:
			loaded++
		}
	}
	return loaded, already, rejected, nil
}

// evaluateAndReport evaluates one period, prints its summary and writes its workbooks (when report).
func evaluateAndReport(ctx context.Context, e *env, p *pgxpool.Pool, per ntm.Period, reportDir string, report, national bool) (evalSecs, writeSecs float64, err error) {
	st := time.Now()
	id, err := evaluate.Evaluate(ctx, p, per)
	if err != nil {
		return 0, 0, err
	}
	evalSecs = time.Since(st).Seconds()
	e.timed("evaluate", st)
	count, err := demoSummary(ctx, p, per)
	if err != nil {
		return 0, 0, err
	}
	set, err := evaluate.SetOf(ctx, p, id)
	if err != nil {
		return 0, 0, err
	}
	fmt.Fprintf(e.stdout, "\n%s\n", msg.DemoPeriod(per.String()))
	// The set and its warning as ntm evaluate prints them: 2026-11 is decided by the built-in
	// 2021–2025 set, since ntm ships no invented 2026–2030 thresholds.
	fmt.Fprintln(e.stdout, evaluate.SetLine(set))
	printDemoSummary(e, count)
	if w := evaluate.SetWarning(set, per); w != "" {
		fmt.Fprintln(e.stderr, "Cảnh báo: "+w)
	}
	if !report {
		return evalSecs, 0, nil
	}
	st = time.Now()
	w, err := reports.WriteAll(ctx, p, per, reports.Options{OutDir: reportDir})
	if err != nil {
		return evalSecs, 0, err
	}
	fmt.Fprintln(e.stdout, msg.DemoWorkbooksWritten(len(w.Paths)-len(w.Unchanged), len(w.Unchanged)))
	e.timed("reports", st)
	return evalSecs, time.Since(st).Seconds(), nil
}

// demoReform loads the 2025 changes of structure and the 2025–2026 exports, then evaluates 2025-09
// (a dossier window across the reform) and the current period 2026-11 on the 65 communes, with
// workbooks for 2026-11. It runs only where this build can import a structure from a date with its
// successors (see reformSupported); elsewhere it says what it skipped.
func demoReform(ctx context.Context, e *env, p *pgxpool.Pool, loader *transform.Loader, files []sample.File, reportDir string) (bool, error) {
	ok, err := reformSupported(ctx, p)
	if err != nil {
		return false, err
	}
	if !ok {
		fmt.Fprintf(e.stdout, "\n%s\n", msg.DemoReformSkipped)
		return false, nil
	}
	fmt.Fprintf(e.stdout, "\n%s\n", msg.DemoReformHeading)
	imported, already := 0, 0
	for _, f := range files {
		if f.ValidFrom == nil {
			continue
		}
		rep, err := transform.ImportUnits(ctx, p, f.Path, transform.UnitsOptions{ValidFrom: *f.ValidFrom})
		if err != nil {
			return false, err
		}
		printUnitsReport(e.stdout, rep)
		if rep.Rejected {
			return false, fmt.Errorf("sample file %s was rejected whole: %s", f.Path, rep.Message)
		}
		if rep.AlreadyLoaded {
			already++
		} else {
			imported++
		}
	}
	loaded, before, rejected, err := loadDemoFiles(ctx, e, loader, files, false, true, func(f sample.File) bool { return f.Period != demoPeriod })
	if err != nil {
		return false, err
	}
	fmt.Fprintln(e.stdout, msg.DemoReformLoaded(loaded, imported, before+already, rejected))
	for i, per := range sample.ReformPeriods {
		last := i == len(sample.ReformPeriods)-1
		if _, _, err := evaluateAndReport(ctx, e, p, per, reportDir, last, false); err != nil {
			return false, err
		}
		if last {
			fmt.Fprintln(e.stdout, msg.DemoWorkbooksWhere(per.String(), filepath.Join(reportDir, per.String()), msg.DemoPerCommune))
		}
	}
	return true, nil
}

// reformSupported reports whether this build can load a change of structure: the successor links
// of docs/structure-changes.md §3 (table unit_successor) exist in the migrated database. It is the
// seam the demo waits behind until structure imports land.
func reformSupported(ctx context.Context, p *pgxpool.Pool) (bool, error) {
	var ok bool
	if err := p.QueryRow(ctx, `SELECT to_regclass('unit_successor') IS NOT NULL`).Scan(&ok); err != nil {
		return false, fmt.Errorf("check whether structure changes can be loaded: %w", err)
	}
	return ok, nil
}

// demoTally counts the results of one criterion at one level, and those met.
type demoTally struct{ met, total int }

// demoSummary counts the newest evaluation's results of period per by criterion and level, in
// the database: the national one has 594,000 results, which need not come into memory.
func demoSummary(ctx context.Context, p *pgxpool.Pool, per ntm.Period) (map[string]demoTally, error) {
	rows, err := p.Query(ctx, `SELECT criterion || '/' || level, count(*) FILTER (WHERE status = 'met'), count(*)
		FROM result WHERE evaluation_id = (SELECT id FROM evaluation WHERE period = $1 ORDER BY id DESC LIMIT 1)
		GROUP BY 1`, per.String())
	if err != nil {
		return nil, fmt.Errorf("count the results of %s: %w", per, err)
	}
	defer rows.Close()
	count := map[string]demoTally{}
	for rows.Next() {
		var k string
		var t demoTally
		if err := rows.Scan(&k, &t.met, &t.total); err != nil {
			return nil, fmt.Errorf("count the results of %s: %w", per, err)
		}
		count[k] = t
	}
	return count, rows.Err()
}

// printDemoSummary prints the headline figures: smart villages, criterion-8 communes, 9.5 districts.
func printDemoSummary(e *env, count map[string]demoTally) {
	line := func(label, key string) {
		if t, ok := count[key]; ok {
			fmt.Fprintln(e.stdout, msg.DemoTally(label, t.met, t.total))
		}
	}
	line(msg.DemoSmartVillages, "SMART_VILLAGE/village")
	line(msg.DemoCommunesC8, "C8_SMART_VILLAGE/commune")
	line(msg.DemoDistrictsD95, "D95/district")
	if _, ok := count["D95/district"]; !ok { // without districts each commune decides on its own figures
		line(msg.DemoCommunesD95, "D95/commune")
	}
}

// printDemoHint closes the demo with commands that work on the demo's own database (every
// other command uses database ntm unless told otherwise), and says how to get an ntm command
// when the demo ran through go run.
func printDemoHint(ctx context.Context, e *env, q db.Querier, p ntm.Period) {
	// The first village not met, in the order ntm results lists them (by code), found in the
	// database: the national evaluation's results do not need to come into memory for it.
	var village string
	if err := q.QueryRow(ctx, `SELECT unit_code FROM result
		WHERE evaluation_id = (SELECT id FROM evaluation WHERE period = $1 ORDER BY id DESC LIMIT 1)
		  AND level = 'village' AND status = $2
		ORDER BY unit_code LIMIT 1`, p.String(), string(ntm.StatusNotMet)).Scan(&village); err != nil {
		village = ""
	}
	u := "'" + e.dbURL + "'"
	fmt.Fprintf(e.stdout, "\n%s\n", msg.DemoNext)
	fmt.Fprintf(e.stdout, "  ntm results --period %s --level commune --database-url %s\n", p, u)
	if village != "" {
		fmt.Fprintf(e.stdout, "  ntm explain %s --period %s --database-url %s\n", village, p, u)
	}
	fmt.Fprintf(e.stdout, "  ntm runs --database-url %s\n", u)
}
