package main

import (
	"context"
	"fmt"

	"ntm/transform"
)

func runUnits(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "-h" && args[0] != "--help") {
		return usagef("use: %s", commands["units"].synopsis)
	}
	if args[0] == "import" {
		args = args[1:]
	}
	var d dbFlags
	var validFrom string
	fs := newFlagSet(e, "units import", commands["units"].synopsis)
	d.register(fs)
	fs.StringVar(&validFrom, "valid-from", "", "start of validity for files without a valid_from column (default 1900-01-01)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one units FILE")
	}
	var opts transform.UnitsOptions
	if validFrom != "" {
		t, err := parseDateFlag(validFrom)
		if err != nil {
			return err
		}
		opts.ValidFrom = t
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	rep, err := transform.ImportUnits(ctx, pool, fs.Arg(0), opts)
	if err != nil {
		return err
	}
	printFileReport(e.stdout, rep)
	if rep.Rejected {
		// Exit 1 with the reason on stderr too (DESIGN §7), not only on stdout.
		return fmt.Errorf("%s was rejected whole, no unit was imported: %s", rep.File, rep.Message)
	}
	return nil
}
