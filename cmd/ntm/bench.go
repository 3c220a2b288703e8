package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db"
	"ntm/evaluate"
	"ntm/ingest"
	"ntm/reports"
	"ntm/sample"
	"ntm/transform"
)

const benchSynopsis = "ntm bench [--scale province|national] [--rows N] [--out DIR]: run the whole pipeline on generated data; print rows/s, seconds per stage and peak memory beside unzip and psql \\copy"

// benchPeriod is the period the generated data is designed for.
var benchPeriod = ntm.Period{Year: 2024, Month: time.December}

// runBench generates province- or national-scale data, loads it, evaluates and writes the
// reports, and prints how long each stage took. The record-level export (the big file) is
// loaded in a child process of its own so that its peak memory is measured alone, at full size
// and at 100,000 rows, and it is compared with the machine's limits: the time `unzip` takes to
// decompress the same sheet, and the time `psql \copy` takes to load the same facts.
func runBench(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var scale, out, childLoad, childRead, childDemo, childEvaluate, dataset, unitsPath, cpuProfile, provinces string
	var rows, smallRows int
	fs := newFlagSet(e, "bench", benchSynopsis)
	d.register(fs)
	fs.StringVar(&scale, "scale", "province", "province (Lạng Sơn, 320,000 records) or national (63 provinces, 1,000,000 records)")
	fs.IntVar(&rows, "rows", 0, "rows of the record-level export (default: 320000 for province, 1000000 for national)")
	fs.IntVar(&smallRows, "small-rows", 100000, "rows of the smaller export whose peak memory the big one is compared with")
	fs.StringVar(&out, "out", "ntm-bench", "folder for the generated data and the reports")
	fs.StringVar(&unitsPath, "units", "", "national unit list, a CSV like sample/data/vn_units_2024.csv (default: $NTM_VN_UNITS, else the 2024 list built into ntm)")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of each record-level read and load, and of the evaluation, to this path plus .read.FILE, .load.FILE or .evaluate.PERIOD")
	fs.StringVar(&provinces, "provinces", "16,32,63", "national: also run ntm demo --scale national on the first N provinces of the list for each N given (each in a child process and a database of its own; records in proportion); \"\" skips it")
	fs.StringVar(&childDemo, "child-demo", "", "")
	fs.StringVar(&childLoad, "child-load", "", "")
	fs.StringVar(&childRead, "child-read", "", "")
	fs.StringVar(&childEvaluate, "child-evaluate", "", "")
	fs.StringVar(&dataset, "dataset", string(ntm.DatasetDVCDossierRecords), "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cpuProfile != "" && (childRead != "" || childLoad != "" || childEvaluate != "") {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if childRead != "" {
		return benchChildRead(ctx, e, childRead)
	}
	if childDemo != "" {
		return benchChildDemo(ctx, e, d, childDemo, rows, out)
	}
	if childLoad != "" {
		return benchChildLoad(ctx, e, d, childLoad, ntm.Dataset(dataset))
	}
	if childEvaluate != "" {
		return benchChildEvaluate(ctx, e, d, childEvaluate)
	}
	if scale != "province" && scale != "national" {
		return usagef("--scale is province or national, not %q", scale)
	}
	if rows <= 0 {
		rows = 320000
		if scale == "national" {
			rows = 1000000
		}
	}
	inputs := filepath.Join(out, "inputs")
	if err := os.MkdirAll(inputs, 0o755); err != nil {
		return err
	}
	var stages []benchStage
	stage := func(name string, rows int, f func() error) error {
		st, cpu := time.Now(), cpuSeconds()
		err := f()
		stages = append(stages, benchStage{Name: name, Rows: rows, Seconds: time.Since(st).Seconds(), CPUSeconds: cpuSeconds() - cpu})
		return err
	}

	// 1. Data.
	var man sample.Manifest
	var units []string
	err := stage("generate the sample exports", 0, func() error {
		var err error
		if scale == "province" {
			if man, err = sample.LangSon(sample.Options{Dir: inputs, Seed: 2024, Period: benchPeriod}); err != nil {
				return err
			}
			units, err = sample.LangSonRecordUnits()
			return err
		}
		if unitsPath == "" {
			unitsPath = os.Getenv("NTM_VN_UNITS") // "" is the copy built into ntm
		}
		if man, err = sample.National(sample.NationalOptions{Options: sample.Options{Dir: inputs, Seed: 2024, Period: benchPeriod},
			Units: unitsPath, Records: -1}); err != nil {
			return err
		}
		units, err = sample.NationalRecordUnits(unitsPath)
		return err
	})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	bigXLSX := filepath.Join(inputs, fmt.Sprintf("ho-so-dvc-%d.xlsx", rows))
	smallXLSX := filepath.Join(inputs, fmt.Sprintf("ho-so-dvc-%d.xlsx", smallRows))
	bigCSV := filepath.Join(inputs, fmt.Sprintf("ho-so-dvc-%d.csv", rows))
	var sheetBytes int64
	if err := stage("generate the record-level exports", 0, func() error {
		var err error
		if sheetBytes, err = sample.WriteRecords(sample.RecordsOptions{Path: bigXLSX, Rows: rows, Units: units, Seed: 1}); err != nil {
			return err
		}
		if _, err = sample.WriteRecords(sample.RecordsOptions{Path: smallXLSX, Rows: smallRows, Units: units, Seed: 2}); err != nil {
			return err
		}
		_, err = sample.WriteRecords(sample.RecordsOptions{Path: bigCSV, Rows: rows, Units: units, Seed: 3})
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Data written to %s: %d sample exports and the record-level exports (%d and %d rows; the big sheet is %.0f MB of XML).\n",
		inputs, len(man.Files), rows, smallRows, float64(sheetBytes)/1e6)

	// 2. A fresh database.
	url := db.URLFromEnv(d.url, "")
	if url == "" {
		if url, err = freshBenchDatabase(ctx); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "Using the database given (%s): the benchmark's batches are added to it.\n", db.Redact(url))
	}
	if err := db.Migrate(ctx, url); err != nil {
		return err
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()

	// 3. The sample exports, in process.
	loader := transform.NewLoader(pool, e.log)
	byDataset := map[ntm.Dataset]*benchStage{}
	var order []ntm.Dataset
	for _, f := range man.Files {
		opts := transform.LoadOptions{Dataset: f.Dataset, Period: benchPeriod}
		if f.AsOf != nil {
			opts.AsOf = *f.AsOf
		}
		st, c0 := time.Now(), cpuSeconds()
		rep, err := loader.LoadFile(ctx, f.Path, opts)
		if err != nil {
			return err
		}
		cpu := cpuSeconds() - c0
		if rep.Rejected {
			return fmt.Errorf("sample file %s was rejected whole: %s", f.Path, rep.Message)
		}
		s := byDataset[f.Dataset]
		if s == nil {
			s = &benchStage{Name: "load " + string(f.Dataset)}
			byDataset[f.Dataset] = s
			order = append(order, f.Dataset)
		}
		s.Rows += rep.RowsRead
		s.Files++
		s.Seconds += time.Since(st).Seconds()
		s.CPUSeconds += cpu
	}
	for _, ds := range order {
		stages = append(stages, *byDataset[ds])
	}
	overhead, overheadCPU, err := benchFileOverhead(ctx, pool, loader, filepath.Join(out, "overhead"))
	if err != nil {
		return fmt.Errorf("per-file overhead: %w", err)
	}
	loader.ReleaseUnitIndex()

	// 4. The record-level exports, each in a child process (peak memory of that load alone).
	self, err := os.Executable()
	if err != nil {
		return err
	}
	child := func(name string, rows int, args ...string) (benchStage, error) {
		if cpuProfile != "" { // P.load.ho-so-dvc-320000.csv, P.read.ho-so-dvc-320000.xlsx: one per child
			args = append(args, "--cpuprofile", cpuProfile+"."+strings.TrimPrefix(args[0], "--child-")+"."+filepath.Base(args[1]))
		}
		r, err := runBenchChild[benchChildResult](ctx, e, self, name, append([]string{"--database-url", url}, args...)...)
		if err != nil {
			return benchStage{}, err
		}
		return benchStage{Name: name, Rows: r.Rows, Seconds: r.Seconds, CPUSeconds: r.CPUSeconds, ServerCPUSeconds: r.ServerCPUSeconds,
			BatchID: r.BatchID, PeakMB: r.PeakMB}, nil
	}
	unzip, unzipCPU := unzipSeconds(bigXLSX)
	readBig, err := child("read the .xlsx export only (no database)", rows, "--child-read", bigXLSX)
	if err != nil {
		return err
	}
	loadSmall, err := child(fmt.Sprintf("load the %d-row .xlsx export", smallRows), smallRows, "--child-load", smallXLSX)
	if err != nil {
		return err
	}
	loadCSV, err := child(fmt.Sprintf("load the %d-row .csv export", rows), rows, "--child-load", bigCSV)
	if err != nil {
		return err
	}
	loadBig, err := child(fmt.Sprintf("load the %d-row .xlsx export", rows), rows, "--child-load", bigXLSX)
	if err != nil {
		return err
	}
	// Only the big .xlsx counts for the evaluation: the others were loaded to be measured.
	for _, s := range []benchStage{loadSmall, loadCSV} {
		if err := transform.RevokeBatch(ctx, pool, s.BatchID, "ntm bench"); err != nil {
			return err
		}
	}
	stages = append(stages, readBig, loadSmall, loadCSV, loadBig)
	copySecs, copyCPU, copyErr := psqlCopySeconds(ctx, pool, url, loadBig.BatchID, filepath.Join(out, "copy.csv"))

	// 5. Evaluate (in a child process: its peak memory alone) and report.
	evalStage, err := child("evaluate "+benchPeriod.String(), 0, "--child-evaluate", benchPeriod.String())
	if err != nil {
		return err
	}
	stages = append(stages, evalStage)
	nResults, evalSecs := evalStage.Rows, evalStage.Seconds
	var nFiles, nSkipped int
	if err := stage("write the reports", 0, func() error {
		w, err := reports.WriteAll(ctx, pool, benchPeriod, reports.Options{OutDir: filepath.Join(out, "reports")})
		nFiles = len(w.Paths) - len(w.Unchanged)
		return err
	}); err != nil {
		return err
	}
	stages[len(stages)-1].Files = nFiles
	reportSecs, reportCPU, reportLoad := stages[len(stages)-1].Seconds, stages[len(stages)-1].CPUSeconds, loadAverage()
	if err := stage("write the reports again (inputs unchanged)", 0, func() error {
		w, err := reports.WriteAll(ctx, pool, benchPeriod, reports.Options{OutDir: filepath.Join(out, "reports")})
		nSkipped = len(w.Unchanged)
		return err
	}); err != nil {
		return err
	}
	rerunSecs := stages[len(stages)-1].Seconds

	// 6. The demo on a quarter, half and the whole country, each alone in a process.
	var curve []benchDemo
	if scale == "national" && provinces != "" {
		if curve, err = benchDemoCurve(ctx, e, self, provinces, unitsPath, rows, out, url); err != nil {
			return err
		}
	}
	// The evaluation alone, again in the databases of the curve's quarter of the country and its
	// whole (its peak's flatness, below).
	var evalPeaks map[int]benchChildResult
	if a, b := flatPoints(curve); a.Provinces < b.Provinces {
		if evalPeaks, err = benchEvalPeaks(ctx, e, self, url, a.Provinces, b.Provinces); err != nil {
			return err
		}
	}

	// 6. The table.
	w := e.stdout
	fmt.Fprintf(w, "\nntm bench --scale %s (%d record rows), %s%s\n\n", scale, rows, time.Now().Format("2006-01-02 15:04"), loadAverage())
	fmt.Fprintf(w, "%-52s %10s %9s %11s %9s\n", "stage", "rows", "seconds", "rows/s", "peak MB")
	for _, s := range stages {
		rps, peak := "", ""
		if s.Rows > 0 && s.Seconds > 0 && !strings.HasPrefix(s.Name, "evaluate") {
			rps = fmt.Sprintf("%.0f", float64(s.Rows)/s.Seconds)
		}
		if s.PeakMB > 0 {
			peak = fmt.Sprintf("%.0f", s.PeakMB)
		}
		name := s.Name
		if s.Files > 1 {
			name = fmt.Sprintf("%s (%d files)", name, s.Files)
		}
		fmt.Fprintf(w, "%-52s %10d %9.2f %11s %9s\n", name, s.Rows, s.Seconds, rps, peak)
	}
	benchSmallFiles(w, order, byDataset, overhead, overheadCPU)
	benchBigFile(w, rows, sheetBytes, benchBase{unzip, unzipCPU, copySecs, copyCPU, copyErr}, readBig, loadBig, loadCSV, loadSmall, smallRows)
	fmt.Fprintf(w, "\nEvaluation, same run:\n")
	fmt.Fprintf(w, "  evaluate %s (%d results): %.2f s, %.1f s of CPU in ntm and %.1f s in its PostgreSQL backends, peak %.0f MB (a province's facts and results at a time)\n",
		benchPeriod, nResults, evalSecs, evalStage.CPUSeconds, evalStage.ServerCPUSeconds, evalStage.PeakMB)

	// 7. Each figure beside its limit.
	fmt.Fprintf(w, "\nTargets (measured in this run%s):\n", loadAverage())
	lim := func(what, got, limit string, ok bool) {
		verdict := "met"
		if !ok {
			verdict = "NOT MET"
		}
		fmt.Fprintf(w, "  %-62s %16s   limit %-14s %s\n", what, got, limit, verdict)
	}
	lim("per-file overhead (a 1-row vpostcode file, mean of 20)", fmt.Sprintf("%.1f ms", overhead*1000), "≤ 20 ms", overhead <= smallFileOverheadLimit)
	if s := byDataset[ntm.DatasetVpostcode]; s != nil && s.Seconds > 0 {
		rps := float64(s.Rows) / s.Seconds
		lim(fmt.Sprintf("vpostcode, %d files of %d rows", s.Files, s.Rows), fmt.Sprintf("%.0f rows/s", rps), "≥ 50,000 rows/s", rps >= smallFileRowsLimit)
	}
	if base := max(unzip, copySecs); base > 0 && copyErr == nil {
		lim(fmt.Sprintf("the %d-row .xlsx load / max(unzip -p, psql \\copy)", rows), fmt.Sprintf("%.2f×", loadBig.Seconds/base), "≤ 1.5×", loadBig.Seconds/base <= bigFileRatioLimit)
	}
	lim(fmt.Sprintf("peak memory of the %d-row .xlsx load", rows), fmt.Sprintf("%.0f MB", loadBig.PeakMB), "< 100 MB", loadBig.PeakMB < bigFilePeakLimit)
	if scale == "national" {
		lim(fmt.Sprintf("evaluate the nation (%d results)", nResults), fmt.Sprintf("%.1f s", evalSecs), "≤ 5 s", evalSecs <= 5)
		// The evaluation reads and holds one or two provinces at a time (docs/performance.md,
		// "Evaluation"): its peak, alone in a process, is small; its flatness in the provinces is
		// judged on the curve's databases below.
		lim("evaluation peak (VmHWM; a province's facts and results)", fmt.Sprintf("%.0f MB", evalStage.PeakMB), fmt.Sprintf("≤ %d MB", evalPeakLimit), evalStage.PeakMB <= evalPeakLimit)
		lim(fmt.Sprintf("write the %d workbooks (%.1f s of CPU in ntm%s)", nFiles, reportCPU, reportLoad), fmt.Sprintf("%.1f s", reportSecs), "≤ 30 s", reportSecs <= 30)
	} else {
		lim(fmt.Sprintf("evaluate the province (%d results)", nResults), fmt.Sprintf("%.2f s", evalSecs), "< 1 s", evalSecs < 1)
	}
	lim(fmt.Sprintf("workbooks not rebuilt when run again, inputs unchanged (%.1f s)", rerunSecs), fmt.Sprintf("%d of %d", nSkipped, nFiles), "all", nSkipped == nFiles)
	if len(curve) > 0 {
		fmt.Fprintf(w, "\nntm demo --scale national on part of the country, each in a process and database of its own\n"+
			"(the exports are loaded as they are written, so generate and load overlap; CPU s with the export writer's;\n"+
			"peak MB the demo's, writer MB its writer's, together MB the two's sum sampled every 50 ms while both ran;\n"+
			"then the demo's peak in its stages: the loads (the writer beside them), the evaluation, the workbooks):\n")
		fmt.Fprintf(w, "  %-10s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "provinces", "records", "total s", "generate", "load", "evaluate", "reports", "CPU s", "peak MB", "writer MB", "together", "load avg")
		for _, c := range curve {
			fmt.Fprintf(w, "  %-10d %9d %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.0f %9.0f %9.0f %9s\n", c.Provinces, c.Records, c.Seconds,
				c.Stages["generate"], c.Stages["load"], c.Stages["evaluate"], c.Stages["reports"], c.CPUSeconds, c.PeakMB, c.ExportsPeakMB, c.TogetherPeakMB, c.Load)
		}
		fmt.Fprintf(w, "  %-10s %12s %12s %12s   (the demo's peak MB in each stage)\n", "provinces", "loads", "evaluation", "workbooks")
		for _, c := range curve {
			fmt.Fprintf(w, "  %-10d %12.0f %12.0f %12.0f\n", c.Provinces, c.StagePeakMB["load"], c.StagePeakMB["evaluate"], c.StagePeakMB["reports"])
		}
		for _, c := range curve {
			lim(fmt.Sprintf("ntm demo --scale national, %d provinces, end to end", c.Provinces), fmt.Sprintf("%.1f s", c.Seconds), "≤ 60 s", c.Seconds <= 60)
			lim(fmt.Sprintf("its peak memory with its export writer's, %d provinces", c.Provinces), fmt.Sprintf("%.0f MB", c.TogetherPeakMB), "≤ 400 MB", c.TogetherPeakMB <= 400)
		}
		// Flat: from a quarter of the country on, the peak no longer grows with it (below that the
		// data is smaller than the soft memory limit's working set, so the peak is lower).
		first, last := curve[0], curve[len(curve)-1]
		for _, c := range curve {
			if c.Provinces*4 >= last.Provinces {
				first = c
				break
			}
		}
		if first.TogetherPeakMB > 0 && first.Provinces < last.Provinces {
			r := last.TogetherPeakMB / first.TogetherPeakMB
			lim(fmt.Sprintf("peak memory, %d provinces / %d provinces", last.Provinces, first.Provinces), fmt.Sprintf("%.2f×", r), "flat (≤ 1.25×)", r <= 1.25)
		}
		// The evaluation alone (a child process evaluating again in the databases of those two
		// points): flat in the provinces, bounded by a province's working set.
		if a, b := flatPoints(curve); a.Provinces < b.Provinces {
			a, b := evalPeaks[a.Provinces], evalPeaks[b.Provinces]
			if a.PeakMB > 0 {
				r := b.PeakMB / a.PeakMB
				lim(fmt.Sprintf("evaluation peak, %d / %d provinces (%.0f / %.0f MB; %.1f / %.1f s)", last.Provinces, first.Provinces, b.PeakMB, a.PeakMB, b.Seconds, a.Seconds),
					fmt.Sprintf("%.2f×", r), fmt.Sprintf("≤ %.2f×, ≤ %d MB", evalPeakFlatLimit, evalPeakLimit), r <= evalPeakFlatLimit && b.PeakMB <= evalPeakLimit)
			}
		}
	}
	return nil
}

// The small files' limits: what a file costs whatever its size, and the rows per second of a
// dataset of small files.
const (
	smallFileOverheadLimit = 0.020 // seconds
	smallFileRowsLimit     = 50000 // rows/s
	bigFileRatioLimit      = 1.5   // the big .xlsx load over max(unzip -p, psql \copy)
	bigFilePeakLimit       = 100   // MB
)

// benchSmallFiles prints the sample exports' loads per dataset beside the small-file limits:
// files, rows, seconds and CPU seconds, per file and rows/s, then the per-file overhead measured
// with 1-row files. The CPU is ntm's (the server's is not counted), the steadier figure on a
// shared machine.
func benchSmallFiles(w io.Writer, order []ntm.Dataset, byDataset map[ntm.Dataset]*benchStage, overhead, overheadCPU float64) {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	fmt.Fprintf(w, "\nSmall files, loaded in one process with one loader (limits: ≤ %.0f ms a file, ≥ %d rows/s)%s:\n",
		smallFileOverheadLimit*1000, smallFileRowsLimit, loadAverage())
	fmt.Fprintf(w, "  %-22s %6s %8s %9s %8s %8s %11s %10s  %s\n", "dataset", "files", "rows", "seconds", "CPU s", "ms/file", "CPU ms/file", "rows/s", "≥ limit")
	for _, ds := range order {
		s := byDataset[ds]
		if s.Files == 0 || s.Seconds <= 0 {
			continue
		}
		rps := float64(s.Rows) / s.Seconds
		fmt.Fprintf(w, "  %-22s %6d %8d %9.2f %8.2f %8.1f %11.1f %10.0f  %s\n", ds, s.Files, s.Rows, s.Seconds, s.CPUSeconds,
			s.Seconds*1000/float64(s.Files), s.CPUSeconds*1000/float64(s.Files), rps, verdict(rps >= smallFileRowsLimit))
	}
	fmt.Fprintf(w, "  per-file overhead (a 1-row vpostcode file, mean of 20): %.1f ms, %.1f ms of CPU; limit ≤ %.0f ms: %s\n",
		overhead*1000, overheadCPU*1000, smallFileOverheadLimit*1000, verdict(overhead <= smallFileOverheadLimit))
}

// benchBigFile prints the big .xlsx load side by side with what only decompressing its sheet
// (unzip -p) and only storing its facts (psql \copy) cost in the same run, each with the load's
// ratio to it, and the limit on the larger of the two.
// benchBase is what the big file's load is compared with: unzip -p of its sheet and psql \copy of
// its facts, each in seconds and CPU seconds (psql's with its backend's).
type benchBase struct {
	unzip, unzipCPU, copy, copyCPU float64
	copyErr                        error
}

func benchBigFile(w io.Writer, rows int, sheetBytes int64, b benchBase, readBig, loadBig, loadCSV, loadSmall benchStage, smallRows int) {
	unzip, copySecs, copyErr := b.unzip, b.copy, b.copyErr
	fmt.Fprintf(w, "\nThe %d-row record-level export beside the machine's limits, same data, same run%s:\n", rows, loadAverage())
	fmt.Fprintf(w, "  %-56s %9s %8s %9s %12s %12s\n", "", "seconds", "CPU s", "server s", "xlsx load ÷", "its CPU ÷")
	loadCPU := loadBig.CPUSeconds + loadBig.ServerCPUSeconds
	line := func(what string, secs, cpu, server float64) {
		c, sv, ratio, cratio := "", "", "", ""
		if cpu > 0 {
			c = fmt.Sprintf("%.2f", cpu)
		}
		if server > 0 {
			sv = fmt.Sprintf("%.2f", server)
		}
		if secs > 0 {
			ratio = fmt.Sprintf("%.2f×", loadBig.Seconds/secs)
		}
		if cpu+server > 0 && loadCPU > 0 {
			cratio = fmt.Sprintf("%.2f×", loadCPU/(cpu+server))
		}
		fmt.Fprintf(w, "  %-56s %9.2f %8s %9s %12s %12s\n", what, secs, c, sv, ratio, cratio)
	}
	if unzip > 0 {
		line(fmt.Sprintf("unzip -p of the sheet (%.0f MB of XML)", float64(sheetBytes)/1e6), unzip, b.unzipCPU, 0)
	} else {
		fmt.Fprintf(w, "  unzip is not installed: no decompression baseline\n")
	}
	if copyErr == nil {
		line(fmt.Sprintf("psql \\copy of the same facts (%.0f rows/s)¹", float64(rows)/copySecs), copySecs, b.copyCPU, 0)
	} else {
		fmt.Fprintf(w, "  psql \\copy baseline not measured: %v\n", copyErr)
	}
	line("ntm: read the .xlsx only (no database)", readBig.Seconds, readBig.CPUSeconds, 0)
	line("ntm: load the .csv", loadCSV.Seconds, loadCSV.CPUSeconds, loadCSV.ServerCPUSeconds)
	line("ntm: load the .xlsx", loadBig.Seconds, loadBig.CPUSeconds, loadBig.ServerCPUSeconds)
	fmt.Fprintf(w, "  ¹ psql's CPU with its backend's (sampled every 50 ms); \"server s\" is the load's backends'; \"its CPU ÷\" is the .xlsx load's CPU with its backends' over the line's\n")
	if base := max(unzip, copySecs); base > 0 && copyErr == nil {
		r := loadBig.Seconds / base
		v := "met"
		if r > bigFileRatioLimit {
			v = "NOT MET"
		}
		fmt.Fprintf(w, "  the .xlsx load ÷ the larger of unzip -p and psql \\copy: %.2f×; limit ≤ %.1f×: %s\n", r, bigFileRatioLimit, v)
	}
	if loadSmall.PeakMB > 0 {
		v := "met"
		if loadBig.PeakMB >= bigFilePeakLimit {
			v = "NOT MET"
		}
		fmt.Fprintf(w, "  peak memory: %.0f MB for %d rows, %.0f MB for %d rows (%.2f×); limit < %d MB: %s\n",
			loadBig.PeakMB, rows, loadSmall.PeakMB, smallRows, loadBig.PeakMB/loadSmall.PeakMB, bigFilePeakLimit, v)
	}
}

// benchFileOverhead loads 20 vpostcode files of one row each (a village of the loaded list) with
// the run's loader, and returns the mean seconds and CPU seconds per file: what every file pays
// whatever its size. Their batches are revoked afterwards, so they do not count in the evaluation.
func benchFileOverhead(ctx context.Context, pool *pgxpool.Pool, loader *transform.Loader, dir string) (secs, cpu float64, err error) {
	var code string
	if err := pool.QueryRow(ctx, `SELECT code FROM unit WHERE level = 'village' ORDER BY code LIMIT 1`).Scan(&code); err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	const n = 20
	var total, totalCPU float64
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("vpostcode-1-row-%d.csv", i))
		body := fmt.Sprintf("Mã thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu\n%s,%d,0,0,0,01/01/2020\n", code, 1000+i)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return 0, 0, err
		}
		st, c0 := time.Now(), cpuSeconds()
		rep, err := loader.LoadFile(ctx, path, transform.LoadOptions{Dataset: ntm.DatasetVpostcode})
		total, totalCPU = total+time.Since(st).Seconds(), totalCPU+cpuSeconds()-c0
		if err != nil {
			return 0, 0, err
		}
		if rep.Rejected || rep.RowsLoaded != 1 {
			return 0, 0, fmt.Errorf("%s: loaded %d rows: %s %v", path, rep.RowsLoaded, rep.Message, rep.Rejects)
		}
		if err := transform.RevokeBatch(ctx, pool, rep.BatchID, "ntm bench"); err != nil {
			return 0, 0, err
		}
	}
	return total / n, totalCPU / n, nil
}

// benchDemo is one child run of ntm demo --scale national on part of the country.
type benchDemo struct {
	Provinces int                `json:"provinces"`
	Records   int                `json:"records"`
	Seconds   float64            `json:"seconds"`
	PeakMB    float64            `json:"peak_mb"`
	Stages    map[string]float64 `json:"stages"`
	// StagePeakMB is the demo's peak resident memory in each of its stages: the loads (with the
	// export writer's run beside them), the evaluation, the workbooks. Between two stages the
	// bench's child returns the freed heap to the system and resets VmHWM (/proc/self/clear_refs),
	// so each stage's peak is its own.
	StagePeakMB map[string]float64 `json:"stage_peak_mb,omitempty"`
	// CPUSeconds is the child's user and system time with its export writer's (the server's not
	// counted); Load the machine's load average over the last minute when it ended.
	CPUSeconds float64 `json:"cpu_seconds"`
	// ExportsPeakMB is the peak of the demo's export writer, a process of its own that runs
	// beside the loads (see demoExports), and TogetherPeakMB what the two held at once: the
	// larger of the demo's peak and the largest sum of the two's resident memory sampled every
	// 50 ms while the writer ran.
	ExportsPeakMB  float64 `json:"exports_peak_mb"`
	TogetherPeakMB float64 `json:"together_peak_mb"`
	Load           string  `json:"load"`
	Error          string  `json:"error,omitempty"`
}

// benchDemoCurve runs ntm demo --scale national on the first N provinces for each N of list,
// each in a child process (its own peak memory) and a fresh database beside the benchmark's
// (ntm_bench_pN, or DB_pN for the database DB given), with records in proportion to the
// provinces.
func benchDemoCurve(ctx context.Context, e *env, self, list, unitsPath string, rows int, out, benchURL string) ([]benchDemo, error) {
	var curve []benchDemo
	for _, f := range strings.Split(list, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n <= 0 {
			return nil, usagef("--provinces is a list of province counts (16,32,63), not %q", list)
		}
		dir := filepath.Join(out, fmt.Sprintf("demo-%d", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		units := filepath.Join(dir, "units.csv")
		if err := sample.WriteNationalUnits(unitsPath, n, units); err != nil {
			return nil, err
		}
		url, err := freshSibling(ctx, benchURL, fmt.Sprintf("_p%d", n))
		if err != nil {
			return nil, err
		}
		records := max(1000, rows*n/63)
		fmt.Fprintf(e.stdout, "ntm demo --scale national on %d provinces (%d records)…\n", n, records)
		r, err := runBenchChild[benchDemo](ctx, e, self, fmt.Sprintf("demo on %d provinces", n),
			"--database-url", url, "--child-demo", units, "--rows", fmt.Sprint(records), "--out", dir)
		if err != nil {
			return nil, err
		}
		r.Provinces, r.Records = n, records
		curve = append(curve, r)
	}
	return curve, nil
}

// benchChildDemo runs ntm demo --scale national on the unit list at units into the database
// given, and prints its stage times and peak memory as JSON (a child of benchDemoCurve).
func benchChildDemo(ctx context.Context, e *env, d dbFlags, units string, records int, out string) error {
	r := benchDemo{Stages: map[string]float64{}, StagePeakMB: map[string]float64{}}
	sub := newEnv(io.Discard, e.stderr)
	var peak float64 // the demo's peak over the stages whose peaks were reset
	sub.stage = func(name string, secs float64) {
		r.Stages[name] += secs
		if name == "generate" { // the writer's stage ends while the loads go on
			return
		}
		p := peakRSSMB()
		r.StagePeakMB[name], peak = max(r.StagePeakMB[name], p), max(peak, p)
		debug.FreeOSMemory() // what the stage freed leaves the process, so the next one's peak is its own
		resetPeakRSS()
	}
	sub.helperPeak = func(helper, together float64) {
		r.ExportsPeakMB = max(r.ExportsPeakMB, helper)
		r.TogetherPeakMB = max(r.TogetherPeakMB, together)
	}
	st := time.Now()
	err := runDemo(ctx, sub, []string{"--scale", "national", "--units", units, "--records", fmt.Sprint(records),
		"--out", out, "--database-url", db.URLFromEnv(d.url, "")})
	r.Seconds = time.Since(st).Seconds()
	r.PeakMB, r.CPUSeconds = max(peak, peakRSSMB()), cpuSeconds()+childrenCPUSeconds()
	r.TogetherPeakMB = max(r.TogetherPeakMB, r.PeakMB)
	r.Load = strings.TrimPrefix(loadAverage(), ", load average ")
	if err != nil {
		r.Error = err.Error()
	}
	return json.NewEncoder(e.stdout).Encode(r)
}

// benchChild is what a bench child prints on stdout (one JSON value) with the error it met.
type benchChild interface{ childError() string }

func (r benchChildResult) childError() string { return r.Error }
func (r benchDemo) childError() string        { return r.Error }

// runBenchChild runs `ntm bench ARGS` (a --child-… mode) on this executable and decodes its
// result; what names the child in errors.
func runBenchChild[T benchChild](ctx context.Context, e *env, self, what string, args ...string) (T, error) {
	var r T
	cmd := exec.CommandContext(ctx, self, append([]string{"bench"}, args...)...)
	cmd.Stderr = e.stderr
	outb, err := cmd.Output()
	if err != nil {
		return r, fmt.Errorf("%s: %w", what, err)
	}
	if err := json.Unmarshal(outb, &r); err != nil {
		return r, fmt.Errorf("%s: reading the child's result %q: %w", what, outb, err)
	}
	if msg := r.childError(); msg != "" {
		return r, fmt.Errorf("%s: %s", what, msg)
	}
	return r, nil
}

type benchStage struct {
	Name       string
	Rows       int
	Files      int
	Seconds    float64
	CPUSeconds float64
	// ServerCPUSeconds is the CPU time of the child's PostgreSQL backends (a local server; 0
	// when their /proc entries cannot be read).
	ServerCPUSeconds float64
	PeakMB           float64
	BatchID          int64
}

type benchChildResult struct {
	Rows             int     `json:"rows"`
	Seconds          float64 `json:"seconds"`
	CPUSeconds       float64 `json:"cpu_seconds"`
	BatchID          int64   `json:"batch_id"`
	PeakMB           float64 `json:"peak_mb"` // the child's peak resident memory (VmHWM)
	ServerCPUSeconds float64 `json:"server_cpu_seconds,omitempty"`
	Error            string  `json:"error,omitempty"`
}

// resetPeakRSS sets the process's peak resident set size (VmHWM) to what it holds now, so that
// peakRSSMB then tells the peak of what follows (Linux 4.0 and later; otherwise the peak goes on
// from the process's start).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMB reads the process's peak resident set size from /proc (VmHWM). (The rusage of a
// child is no use here: Linux carries the parent's peak over into a forked child.)
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// childrenCPUSeconds is the user and system time of the children this process waited for.
func childrenCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func writeChildResult(e *env, r benchChildResult, err error) error {
	r.PeakMB = peakRSSMB()
	if err != nil {
		r.Error = err.Error()
	}
	return json.NewEncoder(e.stdout).Encode(r)
}

// benchLimits are the reader's limits for the bench's own exports: the defaults, but a sheet may
// unpack to 64 GiB (10,000,000 rows are 6.6 GB of XML; the default refuses more than 2 GiB).
var benchLimits = ingest.Limits{UnzipSize: 64 << 30}

// benchChildLoad loads one file and prints the result as JSON (a child of runBench).
func benchChildLoad(ctx context.Context, e *env, d dbFlags, path string, ds ntm.Dataset) error {
	url := db.URLFromEnv(d.url, "")
	pool, err := db.Open(ctx, url)
	if err != nil {
		return writeChildResult(e, benchChildResult{}, err)
	}
	defer pool.Close()
	l := transform.NewLoader(pool, e.log)
	if fi, err := os.Stat(path); err == nil { // the bench's own export, whatever its size (10M rows: 650 MB)
		l.MaxFileSize = max(e.fileConfig().MaxFileSize, fi.Size())
	}
	l.Limits = benchLimits
	st, c0 := time.Now(), cpuSeconds()
	rep, err := l.LoadFile(ctx, path, transform.LoadOptions{Dataset: ds, Period: benchPeriod})
	r := benchChildResult{Rows: rep.RowsLoaded, Seconds: time.Since(st).Seconds(), CPUSeconds: cpuSeconds() - c0, BatchID: rep.BatchID}
	// The load's backends (the fresh pool's connections, still open): their CPU is the load's.
	for _, c := range pool.AcquireAllIdle(ctx) {
		r.ServerCPUSeconds += procCPUSeconds(int(c.Conn().PgConn().PID()))
		c.Release()
	}
	if err == nil && rep.Rejected {
		err = fmt.Errorf("rejected: %s", rep.Message)
	}
	if err == nil && rep.RowsRejected > 0 {
		err = fmt.Errorf("%d rows rejected, first: %v", rep.RowsRejected, rep.Rejects[0])
	}
	return writeChildResult(e, r, err)
}

// benchChildEvaluate evaluates one period and prints, as JSON, its results, time, CPU in ntm and
// in the server's backends, and peak memory (a child of runBench).
func benchChildEvaluate(ctx context.Context, e *env, d dbFlags, period string) error {
	p, err := ntm.ParsePeriod(period)
	if err != nil {
		return writeChildResult(e, benchChildResult{}, err)
	}
	pool, err := db.Open(ctx, db.URLFromEnv(d.url, ""))
	if err != nil {
		return writeChildResult(e, benchChildResult{}, err)
	}
	defer pool.Close()
	// The pool's two connections (the ones the evaluation takes): their backends' CPU time.
	var pids []int
	var conns []*pgxpool.Conn
	for range 2 {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return writeChildResult(e, benchChildResult{}, err)
		}
		conns = append(conns, c)
		var pid int
		if c.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid) == nil {
			pids = append(pids, pid)
		}
	}
	for _, c := range conns {
		c.Release()
	}
	server := func() float64 {
		var s float64
		for _, pid := range pids {
			s += procCPUSeconds(pid)
		}
		return s
	}
	st, c0, s0 := time.Now(), cpuSeconds(), server()
	id, err := evaluate.Evaluate(ctx, pool, p)
	r := benchChildResult{Seconds: time.Since(st).Seconds(), CPUSeconds: cpuSeconds() - c0, ServerCPUSeconds: server() - s0}
	if err == nil {
		err = pool.QueryRow(ctx, `SELECT count(*) FROM result WHERE evaluation_id = $1`, id).Scan(&r.Rows)
	}
	return writeChildResult(e, r, err)
}

// procCPUSeconds is the user and system CPU time of process pid from /proc (0 if unreadable).
func procCPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime and stime are the 12th and 13th.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, stime float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &stime)
	return (ut + stime) / 100 // clock ticks (USER_HZ, 100 on Linux)
}

// benchChildRead only reads a file (no parsing into facts, no database).
func benchChildRead(ctx context.Context, e *env, path string) error {
	st, c0 := time.Now(), cpuSeconds()
	n := 0
	err := ingest.Reader{Limits: benchLimits}.ReadFile(ctx, path, func(cols []string) int {
		for _, c := range cols {
			if c == "Mã hồ sơ" {
				return 1
			}
		}
		return 0
	}, func(*ingest.Table) error { return nil }, func(*ingest.Table, ingest.Row) error { n++; return nil })
	return writeChildResult(e, benchChildResult{Rows: n, Seconds: time.Since(st).Seconds(), CPUSeconds: cpuSeconds() - c0}, err)
}

// freshBenchDatabase recreates the database ntm_bench on the local server.
func freshBenchDatabase(ctx context.Context) (string, error) { return freshDatabase(ctx, "ntm_bench") }

// freshSibling recreates, on the server of the database at url, a database named like it plus
// suffix (the benchmark's own), and returns its URL.
func freshSibling(ctx context.Context, url, suffix string) (string, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return "", fmt.Errorf("benchmark database %s: %w", db.Redact(url), err)
	}
	name := strings.TrimPrefix(u.Path, "/") + suffix
	server := *u
	server.Path = "/postgres"
	return freshOn(ctx, &server, name)
}

// freshDatabase recreates the database name (a benchmark's own) on the local server.
func freshDatabase(ctx context.Context, name string) (string, error) {
	server, err := db.LocalServer(ctx)
	if err != nil {
		return "", err
	}
	return freshOn(ctx, server, name)
}

// freshOn recreates the database name on the server whose maintenance database is at server.
func freshOn(ctx context.Context, server *neturl.URL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("drop the benchmark database %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create the benchmark database %s: %w", name, err)
	}
	u := *server
	u.Path = "/" + name
	return u.String(), nil
}

// unzipSeconds times `unzip -p` of the first worksheet to /dev/null; 0 when unzip is missing.
func unzipSeconds(path string) (secs, cpu float64) {
	bin, err := exec.LookPath("unzip")
	if err != nil {
		return 0, 0
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0
	}
	defer devnull.Close()
	cmd := exec.Command(bin, "-p", path, "xl/worksheets/sheet1.xml")
	cmd.Stdout = devnull
	st := time.Now()
	if cmd.Run() != nil {
		return 0, 0
	}
	return time.Since(st).Seconds(), (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

// psqlCopySeconds writes a batch's facts to CSV and times `psql \copy` of them into a fresh
// table shaped like fact_dvc_dossier_record (same columns, constraints and indexes). cpu is
// psql's CPU time and its backend's (sampled from /proc every 50 ms while it runs: its last
// moments are missed; 0 for a server that is not local).
func psqlCopySeconds(ctx context.Context, pool *pgxpool.Pool, url string, batch int64, csvPath string) (float64, float64, error) {
	bin, err := exec.LookPath("psql")
	if err != nil {
		return 0, 0, errors.New("psql is not installed")
	}
	f, err := os.Create(csvPath)
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(csvPath)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		f.Close()
		return 0, 0, err
	}
	_, err = conn.Conn().PgConn().CopyTo(ctx, f, fmt.Sprintf(`COPY (SELECT batch_id, sheet, row_no, dossier_id, unit_code, received_on, channel, full_process FROM fact_dvc_dossier_record WHERE batch_id = %d) TO STDOUT (FORMAT csv)`, batch))
	conn.Release()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, err
	}
	if _, err := pool.Exec(ctx, `DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE fact_dvc_dossier_record INCLUDING ALL)`); err != nil {
		return 0, 0, err
	}
	defer pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS bench_copy`) //nolint:errcheck
	abs, _ := filepath.Abs(csvPath)
	app := fmt.Sprintf("ntm-bench-copy-%d", os.Getpid())
	cmd := exec.CommandContext(ctx, bin, url, "-v", "ON_ERROR_STOP=1", "-qc",
		`\copy bench_copy (batch_id, sheet, row_no, dossier_id, unit_code, received_on, channel, full_process) FROM '`+abs+`' (FORMAT csv)`)
	cmd.Env = append(os.Environ(), "PGAPPNAME="+app)
	// The backend's CPU, sampled while psql runs.
	stop, sampled := make(chan struct{}), make(chan float64, 1)
	go func() {
		pid, last := 0, 0.0
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				sampled <- last
				return
			case <-t.C:
			}
			if pid == 0 {
				pool.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&pid) //nolint:errcheck // 0: not yet
			}
			if pid != 0 {
				if c := procCPUSeconds(pid); c > 0 {
					last = c
				}
			}
		}
	}()
	st := time.Now()
	b, err := cmd.CombinedOutput()
	secs := time.Since(st).Seconds()
	close(stop)
	server := <-sampled
	if err != nil {
		return 0, 0, fmt.Errorf("psql: %v: %s", err, b)
	}
	return secs, server + (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), nil
}

// loadAverage is ", load average 1.52" (the last minute's, from /proc/loadavg), or "" where
// there is none: figures taken while the machine was busy are slower, and the reader should know.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return ", load average " + f[0]
}
