package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"ntm/actions"
	"ntm/msg"
	"ntm/transform"
)

const batchSynopsis = "ntm batch list [--all] | show N | revoke N --reason TEXT | remove N --reason TEXT | rejects N [--out FILE]: loaded files, one file's rows and reasons, take one back, take a file rejected whole off the lists, or write its rejected rows as a workbook to send back"

func runBatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("use: %s", batchSynopsis)
	}
	var d dbFlags
	switch args[0] {
	case "list":
		var limit int
		var all bool
		fs := newFlagSet(e, "batch list", "ntm batch list [--limit N] [--all]")
		d.register(fs)
		fs.IntVar(&limit, "limit", 100, "how many batches to show, newest first")
		fs.BoolVar(&all, "all", false, "also the files rejected whole that were removed from the lists")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		pool, err := e.connect(ctx, d)
		if err != nil {
			return err
		}
		files, err := actions.Files(ctx, pool, limit, all)
		if err != nil {
			return err
		}
		loc := e.location()
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATASET\tSTATUS\tRECEIVED\tLOADED\tREJECTED\tSKIPPED\tFILE\tREASON")
		for _, f := range files {
			status := f.Status
			if f.Removed {
				status += " (removed)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", f.ID, orDash(f.Dataset), status,
				f.ReceivedAt.In(loc).Format("2006-01-02 15:04"), f.RowsLoaded, f.RowsRejected, f.RowsSkipped(), f.SourceURI, shorten(f.Reason, 70))
		}
		return tw.Flush()
	case "show":
		var limit int
		fs := newFlagSet(e, "batch show", "ntm batch show [--rejects N] N")
		d.register(fs)
		fs.IntVar(&limit, "rejects", 20, "how many rejected rows to print")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		id, err := batchArg(fs.Args())
		if err != nil {
			return err
		}
		pool, err := e.connect(ctx, d)
		if err != nil {
			return err
		}
		s, err := actions.Show(ctx, pool, id, limit)
		if err != nil {
			return err
		}
		printStory(e, s)
		return nil
	case "revoke", "remove":
		var who, reason string
		fs := newFlagSet(e, "batch "+args[0], "ntm batch "+args[0]+" --reason TEXT [--by NAME] N")
		d.register(fs)
		fs.StringVar(&who, "by", "", "who does it (default: the OS user)")
		fs.StringVar(&reason, "reason", "", "why (required; recorded with the action)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		id, err := batchArg(fs.Args())
		if err != nil {
			return err
		}
		if who == "" {
			who = osUser()
		}
		pool, err := e.connect(ctx, d)
		if err != nil {
			return err
		}
		if args[0] == "remove" {
			if err := actions.Remove(ctx, pool, id, who, reason); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, msg.BatchRemoved(id))
			return nil
		}
		if err := actions.Revoke(ctx, pool, id, who, reason); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg.BatchRevoked(id))
		return nil
	case "rejects":
		return runBatchRejects(ctx, e, args[1:])
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "usage: "+batchSynopsis)
		return nil
	default:
		return usagef("unknown batch subcommand %q: use list, show, revoke, remove or rejects", args[0])
	}
}

// batchArg reads the one batch number of a batch subcommand.
func batchArg(args []string) (int64, error) {
	if len(args) != 1 {
		return 0, usagef("name exactly one batch number (see ntm batch list)")
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("batch number %q is not a positive integer", args[0])
	}
	return id, nil
}

// printStory prints one file: what it is, its rows, its first rejects, what was done to it.
func printStory(e *env, s *actions.Story) {
	loc := e.location()
	w := e.stdout
	fmt.Fprintf(w, "Batch %d: %s\n", s.ID, s.SourceURI)
	fmt.Fprintf(w, "  dataset:   %s\n", orDash(s.Dataset))
	fmt.Fprintf(w, "  status:    %s (%s)\n", s.Status, s.StatusLabel())
	fmt.Fprintf(w, "  received:  %s, %d bytes, sha256 %s\n", s.ReceivedAt.In(loc).Format("2006-01-02 15:04:05"), s.SizeBytes, s.SHA256)
	if s.AsOf != nil {
		fmt.Fprintf(w, "  as of:     %s\n", s.AsOf.Format("2006-01-02"))
	}
	fmt.Fprintf(w, "  rows:      %d read, %d loaded, %d rejected, %d skipped\n", s.RowsRead, s.RowsLoaded, s.RowsRejected, s.RowsSkipped())
	if s.Reason != "" {
		fmt.Fprintf(w, "  reason:    %s\n", s.Reason)
	}
	if len(s.Rejects) > 0 {
		fmt.Fprintf(w, "Rejected rows (first %d of %d):\n", len(s.Rejects), s.RowsRejected)
		for _, r := range s.Rejects {
			fmt.Fprintf(w, "  %s\n", r.String())
		}
	}
	if len(s.Skipped) > 0 || len(s.SheetsNotRead) > 0 {
		fmt.Fprintln(w, "Skipped as not data:")
		for _, sh := range s.SheetsNotRead {
			note := sh.Note
			if note == "" {
				note = msg.SheetSkip(sh.ReadAs, sh.Sheet)
			}
			fmt.Fprintf(w, "  %s\n", note)
		}
		for _, r := range s.Skipped {
			fmt.Fprintf(w, "  %s\n", r.String())
		}
		if n := s.RowsSkipped(); len(s.Skipped) == transform.SkippedKept {
			fmt.Fprintf(w, "  … (the first %d runs of %d rows skipped are kept)\n", transform.SkippedKept, n)
		}
	}
	if len(s.Actions) > 0 {
		fmt.Fprintln(w, "Actions:")
		for _, a := range s.Actions {
			fmt.Fprintf(w, "  %s %s by %s: %s\n", a.At.In(loc).Format("2006-01-02 15:04"), a.Kind, a.By, a.Reason)
		}
	}
}
