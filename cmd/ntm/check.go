package main

import (
	"context"
	"fmt"

	"ntm/transform"
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
	opts, err := lf.options()
	if err != nil {
		return err
	}
	// The check needs the units to resolve names, so it reads the database but writes nothing.
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rep, err := transform.NewLoader(pool, e.log).CheckFile(ctx, fs.Arg(0), opts)
	if err != nil {
		return err
	}
	if rep.Rejected {
		fmt.Fprintf(e.stdout, "%s: would be REJECTED whole: %s\n", rep.File, rep.Message)
		// Exit 1 with the reason on stderr too (DESIGN §7), not only on stdout.
		return fmt.Errorf("%s would be rejected whole: %s", rep.File, rep.Message)
	}
	fmt.Fprintf(e.stdout, "%s: %s, %d rows would load, %d would be rejected.\n", rep.File, rep.Dataset, rep.RowsLoaded, rep.RowsRejected)
	for _, rej := range rep.Rejects {
		fmt.Fprintf(e.stdout, "  %s\n", rej.String())
	}
	return nil
}
