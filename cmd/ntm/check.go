package main

import (
	"context"
	"fmt"

	"ntm"
	"ntm/msg"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var lf loadFlags
	fs := newFlagSet(e, "check", commands["check"].synopsis)
	d.register(fs)
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one FILE to check")
	}
	opts, err := lf.options(1)
	if err != nil {
		return err
	}
	// The check needs the units to resolve names, so it reads the database but writes nothing.
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rep, err := e.loader(pool).CheckFile(ctx, fs.Arg(0), opts)
	if err != nil {
		return err
	}
	if rep.Rejected {
		fmt.Fprintf(e.stdout, "%s: %s\n", rep.File, msg.WouldBeRejectedWhole(rep.File, rep.Message))
	} else {
		fmt.Fprintln(e.stdout, msg.FileWouldLoad(rep.File, string(rep.Dataset), rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, rep.RowsSkipped))
	}
	if len(rep.Rejects) > 0 {
		fmt.Fprintln(e.stdout, msg.RejectedRowsHeading)
	}
	for _, rej := range rep.Rejects {
		fmt.Fprintf(e.stdout, "  %s\n", rej.String())
	}
	if len(rep.Skipped) > 0 || len(rep.SkippedSheets) > 0 {
		fmt.Fprintln(e.stdout, msg.SkippedRowsHeading)
	}
	printSkipped(e.stdout, rep)
	sheetNotes := map[string]bool{}
	for _, s := range rep.SkippedSheets {
		sheetNotes[s.Note] = true
	}
	for _, n := range rep.Notes {
		if !sheetNotes[n] {
			fmt.Fprintf(e.stdout, "  %s%s\n", msg.NotePrefix, n)
		}
	}
	if rep.Rejected {
		// Exit 1 with the reason on stderr too, not only on stdout: one Vietnamese sentence.
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.WouldBeRejectedWhole(rep.File, rep.Message))
	}
	return nil
}
