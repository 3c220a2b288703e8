package main

import (
	"context"
	"fmt"

	"ntm/msg"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	fs := newFlagSet(e, "migrate", commands["migrate"].synopsis)
	d.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate takes no arguments")
	}
	if _, err := e.connect(ctx, d); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, msg.DatabaseUpToDate)
	return nil
}
