package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"ntm/transform"
)

func runBatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("use: %s", commands["batch"].synopsis)
	}
	var d dbFlags
	switch args[0] {
	case "list":
		var limit int
		fs := newFlagSet(e, "batch list", "ntm batch list [--limit N]")
		d.register(fs)
		fs.IntVar(&limit, "limit", 100, "how many batches to show, newest first")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		pool, err := e.connect(ctx, d)
		if err != nil {
			return err
		}
		bs, err := transform.ListBatches(ctx, pool, limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATASET\tSTATUS\tRECEIVED\tLOADED\tREJECTED\tFILE")
		for _, b := range bs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\n", b.ID, b.Dataset, b.Status,
				b.ReceivedAt.Local().Format("2006-01-02 15:04"), b.RowsLoaded, b.RowsRejected, b.SourceURI)
		}
		return tw.Flush()
	case "revoke":
		var who string
		fs := newFlagSet(e, "batch revoke", "ntm batch revoke [--by NAME] N")
		d.register(fs)
		fs.StringVar(&who, "by", "", "who revokes it (default: the OS user)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("name exactly one batch number to revoke")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return usagef("batch number %q is not a positive integer", fs.Arg(0))
		}
		if who == "" {
			who = osUser()
		}
		pool, err := e.connect(ctx, d)
		if err != nil {
			return err
		}
		if err := transform.RevokeBatch(ctx, pool, id, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Batch %d revoked: its facts no longer count. Run ntm evaluate again for the periods it touched.\n", id)
		return nil
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "usage: "+commands["batch"].synopsis)
		return nil
	default:
		return usagef("unknown batch subcommand %q: use list or revoke", args[0])
	}
}
