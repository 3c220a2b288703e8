package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"ntm"
	"ntm/transform"
)

// loadFlags are the flags ingest and check share.
type loadFlags struct {
	dataset, asOf, period string
}

func (l *loadFlags) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&l.dataset, "dataset", "", "dataset of the files (detected from the header when omitted): "+datasetNames())
	fs.StringVar(&l.asOf, "as-of", "", "as-of date (dd/mm/yyyy or YYYY-MM-DD) for files whose rows and title give none")
	fs.StringVar(&l.period, "period", "", "reporting period YYYY-MM: its last day is the as-of date of last resort")
}

func datasetNames() string {
	var s []string
	for _, d := range ntm.Datasets {
		s = append(s, string(d))
	}
	return strings.Join(s, ", ")
}

func (l *loadFlags) options() (transform.LoadOptions, error) {
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
	opts, err := lf.options()
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
	loader := transform.NewLoader(pool, e.log)
	var failed []string
	progress := newProgressPrinter(e)
	for _, src := range fs.Args() {
		opts.Progress = progress.fileProgress("ingest", filepath.Base(src))
		rep, err := loadSource(run.Context(), e, loader, src, opts)
		progress.clear()
		recordLoad(run, "ingest", src, rep, err)
		if err != nil {
			fmt.Fprintf(e.stderr, "ntm ingest: %s\n", sentence(err.Error()))
			failed = append(failed, src)
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
			names, more = names[:5], fmt.Sprintf(" and %d more", len(failed)-5)
		}
		summary := fmt.Sprintf("%d of %d files were not loaded (%s%s); see above for why.", len(failed), fs.NArg(), strings.Join(names, ", "), more)
		fmt.Fprintf(e.stderr, "ntm ingest: %s\n", summary)
		return reported(summary)
	}
	return nil
}

// loadSource loads a file, or an HTTP(S) URL fetched to a temporary file first.
func loadSource(ctx context.Context, e *env, loader *transform.Loader, src string, opts transform.LoadOptions) (transform.FileReport, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return loader.LoadFile(ctx, src, opts)
	}
	tmp, err := fetch(ctx, src)
	if err != nil {
		return transform.FileReport{File: src}, err
	}
	defer os.RemoveAll(filepath.Dir(tmp))
	opts.SourceURI = src
	rep, err := loader.LoadFile(ctx, tmp, opts)
	rep.File = src
	return rep, err
}

// fetch downloads a URL into a temporary folder, keeping the file name's extension.
func fetch(ctx context.Context, src string) (string, error) {
	u, err := url.Parse(src)
	if err != nil {
		return "", fmt.Errorf("%s is not a valid URL: %w", src, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return "", fmt.Errorf("request %s: %w", src, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: the server answered %s", src, resp.Status)
	}
	dir, err := os.MkdirTemp("", "ntm-fetch-")
	if err != nil {
		return "", err
	}
	name := path.Base(u.Path)
	if name == "" || name == "/" || name == "." {
		name = "feed.csv"
	}
	dst := filepath.Join(dir, name)
	f, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	return dst, f.Close()
}

// printFileReport prints one line per file and the first reasons for rejected rows.
func printFileReport(w io.Writer, r transform.FileReport) {
	switch {
	case r.AlreadyLoaded:
		fmt.Fprintf(w, "%s: already loaded as batch %d; nothing changed.\n", r.File, r.BatchID)
		return
	case r.Rejected:
		fmt.Fprintf(w, "%s: REJECTED whole (%s): %s\n", r.File, orDash(string(r.Dataset)), r.Message)
	default:
		batch := ""
		if r.BatchID > 0 {
			batch = fmt.Sprintf(" as batch %d", r.BatchID)
		}
		fmt.Fprintf(w, "%s: %s%s, %d rows loaded, %d rejected.\n", r.File, r.Dataset, batch, r.RowsLoaded, r.RowsRejected)
		// The file's notes: old units resolved to their successors, sheets skipped, encodings.
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  Ghi chú: %s\n", n)
		}
	}
	const shown = 5
	for i, rej := range r.Rejects {
		if i == shown {
			fmt.Fprintf(w, "  … and %d more rejected rows.\n", r.RowsRejected-shown)
			break
		}
		fmt.Fprintf(w, "  %s\n", rej.String())
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
