// Command ntm is the one binary of the pipeline: each subcommand wires the stages
// (ingest → transform → evaluate → reports) together. See `ntm -h`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"go.uber.org/zap"

	"ntm"
	"ntm/faults"
	"ntm/scratch"
)

// Exit codes (docs/cli.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usagef is an error caused by how the command was called: code usage, whose exit code is 2
// (errors.go). Usage sentences name flags and arguments, in the language of the help texts.
func usagef(format string, args ...any) error { return ntm.Errorf(ntm.CodeUsage, format, args...) }

// command is one subcommand: its one-line synopsis and what it runs.
type command struct {
	synopsis string
	run      func(ctx context.Context, env *env, args []string) error
}

// commands is filled in init: the commands' functions refer back to it for their synopses.
var commands map[string]command

func init() {
	commands = map[string]command{
		"demo":       {"ntm demo [--scale province|national] [--out DIR]: make sample data for Lạng Sơn (or the whole country), load it, evaluate 2024-12, write reports", runDemo},
		"migrate":    {"ntm migrate: apply database migrations", runMigrate},
		"units":      {unitsSynopsis, runUnits},
		"ingest":     {"ntm ingest [--dataset D] [--as-of DATE] [--period P] [--reload N] FILE|URL...: load files (--reload N: FILE replaces batch N)", runIngest},
		"check":      {"ntm check [--dataset D] [--as-of DATE] FILE: validate a file without loading it", runCheck},
		"criteria":   {criteriaSynopsis, runCriteria},
		"evaluate":   {"ntm evaluate --period P: compute results for period P (YYYY-MM)", runEvaluate},
		"results":    {resultsSynopsis, runResults},
		"explain":    {explainSynopsis, runExplain},
		"report":     {"ntm report --period P [--recipient CODE] [--out DIR]: write workbooks", runReport},
		"batch":      {batchSynopsis, runBatch},
		"deliveries": {deliveriesSynopsis, runDeliveries},
		"run":        {runSynopsis, runRun},
		"runs":       {runsSynopsis, runRuns},
		"serve":      {serveSynopsis, runServe},
		"config":     {configSynopsis, runConfig},
		"template":   {templateSynopsis, runTemplate},
		"bench":      {benchSynopsis, runBench},
	}
}

// memoryLimit is the Go heap's soft limit when GOMEMLIMIT is not set: a national run's
// evaluation and reports make garbage fast, and with the default collector pacing the heap
// doubles what is live (docs/performance.md, "Memory"). The limit makes the collector run
// sooner instead; it never makes an allocation fail. 170 MiB: since every stage reads a province
// at a time its live heap stays under about 110 MB at national scale, and the limit is where the
// collector's headroom stops, so the peak is about the same for a quarter of the country as for
// all of it (national demo, 16 / 63 provinces: at 200 MiB 159 / 216 MB, at 180 151 / 193, at 170
// 155 / 187 for 6 % more CPU than at 180; docs/performance.md, "Memory").
const memoryLimit = 170 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ntm: unknown command %q; run ntm -h for the list of commands.\n", args[0])
		return exitUsage
	}
	e := newEnv(stdout, stderr)
	defer e.Close()
	// What a crashed ntm left in the temporary folder (kill -9 mid-load: key spills, row
	// spills, feed downloads) goes now.
	if removed, err := scratch.Sweep(""); len(removed) > 0 || err != nil {
		e.log.Info("temporary files of ended processes removed", zap.Strings("paths", removed), zap.Error(err))
	}
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitFailure
	default:
		e.log.Debug("command failed", zap.String("command", args[0]), zap.Error(err))
		return ntm.ErrorCode(e.tell(args[0], err)).ExitCode()
	}
}

// tell prints an error to stderr as users read it and returns it as told: the Vietnamese
// sentence of its *ntm.Error (ntm.ErrorMessage), with the English cause in the log only, at
// info level (NTM_LOG_LEVEL=info shows it). An error no *ntm.Error carries is classified by
// package faults when it is the machine's or a cancellation (Ctrl-C: "Đã dừng khi …"), else
// told by the generic sentence with its cause logged at error level: a bug to report.
func (e *env) tell(command string, err error) error {
	var ne *ntm.Error
	if !errors.As(err, &ne) {
		if ne = faults.Of(err, "chạy lệnh ntm %s", command); ne != nil {
			err = ne
		}
	}
	switch {
	case ne == nil:
		e.log.Error("unclassified error", zap.String("command", command), zap.String("cause", err.Error()))
	case ne.Err != nil:
		e.log.Info("cause", zap.String("command", command), zap.String("cause", ne.Cause()))
	}
	fmt.Fprintf(e.stderr, "ntm %s: %s\n", command, sentence(ntm.ErrorMessage(err)))
	return err
}

// errReported means the command already printed what went wrong; exit 1 without more text.
var errReported = errors.New("failure already reported")

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ntm: smart-village, criterion 8 and indicator 9.5 compliance for Lạng Sơn.")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", commands[n].synopsis)
	}
	fmt.Fprintln(w, "\nEvery command accepts --database-url URL (else NTM_DATABASE_URL, else DATABASE_URL, else the")
	fmt.Fprintln(w, "local PostgreSQL server, database ntm). Run ntm COMMAND -h for its flags.")
}
