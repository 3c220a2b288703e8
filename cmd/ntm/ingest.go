package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/config"
	"ntm/jobs"
	"ntm/msg"
	"ntm/scratch"
	"ntm/transform"
)

// loadFlags are the flags ingest and check share.
type loadFlags struct {
	dataset, asOf, period string
	reload                int64
}

func (l *loadFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.dataset, "dataset", "", "dataset of the files (detected from the header when omitted): "+datasetNames())
	fs.StringVar(&l.asOf, "as-of", "", "as-of date (dd/mm/yyyy or YYYY-MM-DD) for files whose rows and title give none")
	fs.StringVar(&l.period, "period", "", "reporting period YYYY-MM: its last day is the as-of date of last resort")
	fs.Int64Var(&l.reload, "reload", 0, "replace batch N with FILE (the same dataset; the same bytes allowed): N stops counting")
}

func datasetNames() string {
	var s []string
	for _, d := range ntm.Datasets {
		s = append(s, string(d))
	}
	return strings.Join(s, ", ")
}

func (l *loadFlags) options(files int) (transform.LoadOptions, error) {
	var o transform.LoadOptions
	if l.dataset != "" {
		d, err := ntm.ParseDataset(l.dataset)
		if err != nil {
			return o, usagef("%v", err)
		}
		o.Dataset = d
	}
	if l.asOf != "" {
		t, err := parseDateFlag(l.asOf)
		if err != nil {
			return o, err
		}
		o.AsOf = t
	}
	if l.period != "" {
		p, err := ntm.ParsePeriod(l.period)
		if err != nil {
			return o, usagef("%v", err)
		}
		o.Period = p
	}
	if l.reload < 0 {
		return o, usagef("--reload %d is not a batch number", l.reload)
	}
	if l.reload > 0 && files != 1 {
		return o, usagef("--reload replaces one batch with one FILE: name exactly one")
	}
	o.Replace = l.reload
	return o, nil
}

func parseDateFlag(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("date %q is not dd/mm/yyyy or YYYY-MM-DD", s)
}

func runIngest(ctx context.Context, e *env, args []string) (err error) {
	var d dbFlags
	var lf loadFlags
	fs := newFlagSet(e, "ingest", commands["ingest"].synopsis)
	d.register(fs)
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("name at least one FILE or URL to load")
	}
	opts, err := lf.options(fs.NArg())
	if err != nil {
		return err
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	// Recorded in ntm runs, under the pipeline lock (a run holding it is named).
	run, err := e.beginRun(ctx, "ingest", ingestParams(lf, fs.Args()))
	if err != nil {
		return err
	}
	defer func() { run.Finish(err) }()
	loader := e.loader(pool)
	var failed []string
	progress := newProgressPrinter(e)
	for _, src := range fs.Args() {
		opts.Progress = progress.fileProgress("ingest", filepath.Base(src))
		rep, err := loadSource(run.Context(), e, loader, src, opts)
		progress.clear()
		recordLoad(run, "ingest", src, rep, err)
		if err != nil {
			e.tell("ingest", err)
			failed = append(failed, src)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		printFileReport(e.stdout, rep)
		if rep.Rejected {
			failed = append(failed, src)
		}
	}
	if len(failed) > 0 {
		// Name the files: the one sentence on stderr is often all a script or a mail shows.
		names := failed
		more := ""
		if len(names) > 5 {
			names, more = names[:5], fmt.Sprintf(" và %d tệp khác", len(failed)-5)
		}
		summary := fmt.Sprintf("%d/%d tệp không được nạp (%s%s): xem lý do ở các dòng trên, sửa các tệp đó rồi chạy lại.", len(failed), fs.NArg(), strings.Join(names, ", "), more)
		fmt.Fprintf(e.stderr, "ntm ingest: %s\n", summary)
		return reported(summary)
	}
	return nil
}

// loadSource loads a file, or an HTTP(S) URL downloaded first as the nightly job downloads its
// feeds (jobs.Fetcher: the config's network settings, its size cap, retries, whole files only).
func loadSource(ctx context.Context, e *env, loader *transform.Loader, src string, opts transform.LoadOptions) (transform.FileReport, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return loader.LoadFile(ctx, src, opts)
	}
	network := config.Default().Network
	if path := config.ResolvePath(""); path != "" {
		cfg, err := config.Load(path)
		if err != nil {
			return transform.FileReport{File: src}, err
		}
		network = cfg.Network
	}
	dir, err := scratch.MkdirTemp("fetch")
	if err != nil {
		return transform.FileReport{File: src}, err
	}
	defer os.RemoveAll(dir)
	f := &jobs.Fetcher{Network: network, Log: e.log}
	tmp, _, err := f.Fetch(ctx, config.Source{Name: "url", Kind: config.SourceURL, Location: src}, dir)
	if err != nil {
		return transform.FileReport{File: src}, err
	}
	opts.SourceURI = src
	rep, err := loader.LoadFile(ctx, tmp, opts)
	rep.File = src
	return rep, err
}

// printFileReport prints one line per file, the first reasons for rejected rows, the rows
// skipped as not data by reason, and the notes.
func printFileReport(w io.Writer, r transform.FileReport) {
	switch {
	case r.AlreadyLoaded:
		fmt.Fprintln(w, msg.FileAlreadyLoaded(r.File, r.Message))
		// Rows it rejected for master data fixed since (a successor recorded) load this way.
		fmt.Fprintf(w, "  %s\n", msg.ReloadHint(r.BatchID, r.File))
		return
	case r.Rejected:
		fmt.Fprintf(w, "%s: %s (%s): %s\n", r.File, msg.RejectedWhole, orDash(string(r.Dataset)), r.Message)
	default:
		fmt.Fprintln(w, msg.FileLoaded(r.File, string(r.Dataset), r.BatchID, r.Replaced, r.RowsRead, r.RowsLoaded, r.RowsRejected, r.RowsSkipped))
	}
	const shown = 5
	for i, rej := range r.Rejects {
		if i == shown {
			fmt.Fprintf(w, "  %s\n", msg.MoreRejected(r.RowsRejected-shown, r.BatchID))
			break
		}
		fmt.Fprintf(w, "  %s\n", rej.String())
	}
	if s := skippedSummary(r); s != "" {
		fmt.Fprintf(w, "  %s\n", msg.SkippedSummary(s))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s%s\n", msg.NotePrefix, n)
	}
}

// skippedSummary counts the skipped rows by reason, in Vietnamese: "5 dòng tiêu đề, tên biểu
// trên bảng; 2 dòng tên cột".
func skippedSummary(r transform.FileReport) string {
	by := map[transform.SkipReason]int{}
	var order []transform.SkipReason
	for _, s := range r.Skipped {
		if by[s.Reason] == 0 {
			order = append(order, s.Reason)
		}
		by[s.Reason] += s.Rows
	}
	sort.SliceStable(order, func(i, j int) bool { return skipOrder(order[i]) < skipOrder(order[j]) })
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%d %s", by[k], msg.SkipReason(string(k)))
	}
	return strings.Join(parts, "; ")
}

func skipOrder(r transform.SkipReason) int {
	for i, k := range []transform.SkipReason{"title", "header", "column_numbers", "repeated_header", "group", "subtotal", "signature", "blank", "no_data", "unit_only", "example"} {
		if k == r {
			return i
		}
	}
	return 99
}

// printSkipped lists the skipped runs and the sheets not read, in Vietnamese (ntm check).
func printSkipped(w io.Writer, r transform.FileReport) {
	for _, s := range r.SkippedSheets {
		if s.Note != "" {
			fmt.Fprintf(w, "  %s\n", s.Note)
		} else {
			fmt.Fprintf(w, "  %s\n", msg.SheetSkip(s.ReadAs, s.Sheet))
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  %s\n", s.String())
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
