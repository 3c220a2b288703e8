package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"ntm/msg"
	"ntm/transform"
)

// runBatchRejects writes a batch's rejected rows as a workbook in the file's own layout, to
// send back to whoever must correct them: ntm batch rejects N [--out FILE].
func runBatchRejects(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var out string
	fs := newFlagSet(e, "batch rejects", "ntm batch rejects [--out FILE] N")
	d.register(fs)
	fs.StringVar(&out, "out", "", "the workbook to write (default: the file's name with -dong-bi-loai.xlsx, in the current folder)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one batch number")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usagef("batch number %q is not a positive integer", fs.Arg(0))
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	b, err := transform.GetBatch(ctx, pool, id)
	if err != nil {
		return err
	}
	if out == "" {
		out = transform.RejectsFileName(b)
	}
	// Written beside the target and renamed: a reader never sees half a workbook.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := transform.WriteRejects(ctx, pool, id, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, msg.RejectsWritten(out, n, id, b.FileName))
	return nil
}
