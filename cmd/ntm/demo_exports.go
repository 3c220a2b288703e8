package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"ntm/msg"
	"ntm/sample"
	"ntm/transform"
)

// The national demo writes its exports in a child process, `ntm demo --child-exports`, while
// it loads each file as soon as the child says it is on disk, in the manifest's order (the
// units of every province first): the writing (about 18 s of CPU, mostly building workbooks)
// runs on one core while the loads run on the other. A child rather than a goroutine because
// of the collector: the loads hold the unit index and the folding memos (about 60 MB at national
// scale) under ntm's soft memory limit, and the writer's 5 GB of garbage would make the collector
// mark them several hundred times; in a process of its own the writer's heap is small and
// collected on its own.

// demoExportsMemoryLimit is the writer's soft memory limit: what it uses adds to the loading
// process's memory. The writer holds the plans of a few provinces at a time and the workbooks
// being built, which sample.National keeps to about 16 MB by their estimates, so its live heap
// stays at 10–25 MB whatever the number of provinces; the limit keeps the collector from letting
// the heap double that. Its peak is set by its live heap (Hà Nội's workbooks), not by the
// limit: in the national demo, side by side (load average 15–16), at 40 MiB 55.1 MB and 19.8 s
// of CPU, at 32 MiB 54.5 MB and 23.1 s (the collector ran twice as often). The writer alone: at
// 96 MiB 102 MB, at 28 MiB 53–64 MB and about 6 s more CPU (the collector runs all the time).
// Before the plans were made a province at a time the writer held every plan (about 50 MB
// live) and peaked at 116–122 MB at 96 MiB.
const demoExportsMemoryLimit = 40 << 20

// demoExportsShare is what the writer holds resident at most (its live heap under its limit, the
// binary and the runtime: 54–56 MB measured at 16 and 63 provinces). While it runs, the demo
// lowers its own soft limit by that much (shareMemoryLimit), so that the two processes together
// stay within ntm's one limit instead of the writer's memory coming on top of the loads'.
const demoExportsShare = 56 << 20

// shareMemoryLimit lowers this process's soft memory limit by the writer's share and returns
// what gives it back; nothing when GOMEMLIMIT sets the limit (the user's choice stands).
func shareMemoryLimit() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(max(prev-demoExportsShare, prev/2))
	var once sync.Once
	return func() { once.Do(func() { debug.SetMemoryLimit(prev) }) }
}

// demoExportsLine is one line of the child's output (JSON): the number of files planned, a
// file written, or the end with the child's own figures.
type demoExportsLine struct {
	Planned int              `json:"planned,omitempty"`
	File    *sample.File     `json:"file,omitempty"`
	Done    *demoExportsDone `json:"done,omitempty"`
	Error   string           `json:"error,omitempty"`
}

type demoExportsDone struct {
	Files      int     `json:"files"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	PeakMB     float64 `json:"peak_mb"` // the child's VmHWM
}

// runDemoChildExports writes the national sample into OUT/inputs and tells the parent of each
// file on stdout (one demoExportsLine a line), and of its error if it fails.
func runDemoChildExports(e *env, out, units string, records int) (err error) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(demoExportsMemoryLimit)
	}
	st := time.Now()
	enc := json.NewEncoder(e.stdout)
	defer func() {
		if err != nil {
			enc.Encode(demoExportsLine{Error: err.Error()}) //nolint:errcheck // the exit status says it too
		}
	}()
	man, err := sample.National(sample.NationalOptions{Options: sample.Options{Dir: filepath.Join(out, "inputs"), Seed: 2024, Period: demoPeriod},
		Units: units, Records: records,
		Planned: func(n int) { enc.Encode(demoExportsLine{Planned: n}) }, //nolint:errcheck // a failed write shows as the next one's
		Written: func(f sample.File) error { return enc.Encode(demoExportsLine{File: &f}) }})
	if err != nil {
		return fmt.Errorf("write the sample exports: %w", err)
	}
	return enc.Encode(demoExportsLine{Done: &demoExportsDone{Files: len(man.Files), Seconds: time.Since(st).Seconds(),
		CPUSeconds: cpuSeconds(), PeakMB: peakRSSMB()}})
}

// demoExports is the child writing the national exports, seen from the demo.
type demoExports struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	cancel context.CancelFunc
	// Set by the goroutine reading the child's output, before it closes files:
	files  chan sample.File // each file written, in order; closed at the end of the output
	done   chan struct{}    // closed when the child says it has written them all
	mu     sync.Mutex
	total  int             // the files planned (the child's first line)
	end    demoExportsDone // once done is closed
	failed error           // the child's own error, or a line that could not be read
	// bothMB is the largest sum of the two processes' resident memory sampled while the
	// child ran (sampleRSS); sampled is closed when the sampling has ended.
	bothMB  float64
	sampled chan struct{}
}

// rssSampleEvery is how often the two processes' resident memory is read while both run.
const rssSampleEvery = 50 * time.Millisecond

// sampleRSS reads this process's and the child's resident memory (VmRSS) every rssSampleEvery
// until the child exits, and keeps the largest sum: the memory the demo and its writer hold at
// once, which neither's own peak says (their peaks need not coincide).
func (x *demoExports) sampleRSS(pid int) {
	defer close(x.sampled)
	t := time.NewTicker(rssSampleEvery)
	defer t.Stop()
	for range t.C {
		child, ok := residentMB(fmt.Sprintf("/proc/%d/status", pid))
		if !ok {
			return // the child has exited (or cannot be read)
		}
		self, _ := residentMB("/proc/self/status")
		x.mu.Lock()
		x.bothMB = max(x.bothMB, self+child)
		x.mu.Unlock()
	}
}

// residentMB is the VmRSS line of a /proc status file in MB; false when the file is gone or a
// zombie has no VmRSS line.
func residentMB(status string) (float64, bool) {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024, true
		}
	}
	return 0, false
}

// startDemoExports starts `ntm demo --child-exports` on this executable. Its output is read
// on a goroutine of its own, so the child never waits for a load to finish.
func startDemoExports(ctx context.Context, out, units string, records int) (*demoExports, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("write the sample exports: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	x := &demoExports{files: make(chan sample.File, 4096), done: make(chan struct{}), sampled: make(chan struct{}), cancel: cancel}
	args := []string{"demo", "--scale", "national", "--child-exports", "--out", out, "--records", fmt.Sprint(records)}
	if units != "" {
		args = append(args, "--units", units)
	}
	x.cmd = exec.CommandContext(ctx, self, args...)
	x.cmd.Stderr = &x.stderr
	pipe, err := x.cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("write the sample exports: %w", err)
	}
	if err := x.cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("write the sample exports: %w", err)
	}
	go x.read(pipe)
	go x.sampleRSS(x.cmd.Process.Pid)
	return x, nil
}

// read takes the child's lines until its output ends.
func (x *demoExports) read(pipe io.Reader) {
	defer close(x.files)
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l demoExportsLine
		err := json.Unmarshal(sc.Bytes(), &l)
		x.mu.Lock()
		switch {
		case err != nil:
			x.failed = fmt.Errorf("write the sample exports: the writer's line %q: %w", sc.Text(), err)
		case l.Error != "":
			x.failed = errors.New(l.Error)
		case l.Planned > 0:
			x.total = l.Planned
		case l.Done != nil:
			x.end = *l.Done
			close(x.done)
		}
		x.mu.Unlock()
		if err != nil {
			return
		}
		if l.File != nil {
			x.files <- *l.File
		}
	}
	if err := sc.Err(); err != nil {
		x.mu.Lock()
		x.failed = cmp.Or(x.failed, err)
		x.mu.Unlock()
	}
}

// planned is the number of files the child planned (0 before it says).
func (x *demoExports) planned() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.total
}

// wait ends the child (killing it when stop) and returns its error, with what it printed.
func (x *demoExports) wait(stop bool) error {
	if stop {
		x.cancel()
	}
	for range x.files { // the reader ends with the child's output
	}
	err := x.cmd.Wait()
	x.cancel()
	<-x.sampled
	switch {
	case stop:
		return nil
	case x.failed != nil:
		return x.failed
	case err != nil:
		if msg := strings.TrimSpace(x.stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return fmt.Errorf("write the sample exports: %w", err)
	}
	return nil
}

// loadNationalDemo writes the national exports under OUT/inputs (in a child, see demoExports) and
// loads each one as soon as it is written, through the same path as ntm ingest; it prints the
// progress every 50 files and when the exports are all written.
func loadNationalDemo(ctx context.Context, e *env, loader *transform.Loader, out, units string, records int) (loaded, already int, err error) {
	st := time.Now()
	inputs := filepath.Join(out, "inputs")
	restoreLimit := shareMemoryLimit()
	defer restoreLimit()
	x, err := startDemoExports(ctx, out, units, records)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			x.wait(true) //nolint:errcheck // the load's error is the one to report
		}
	}()
	var waited time.Duration // for the writer: what overlapping did not hide
	written := false
	writtenNote := func() { // once, between two loads or at the end
		if written {
			return
		}
		select {
		case <-x.done:
		default:
			return
		}
		written = true
		restoreLimit() // the writer has ended: its share is the loads' again
		end := x.end
		fmt.Fprintln(e.stdout, msg.DemoNationalExportsWritten(inputs, end.Files, end.Seconds))
		if e.stage != nil {
			e.stage("generate", end.Seconds)
		}
		e.log.Info("national demo: exports written", zap.Int("files", end.Files), zap.Float64("seconds", end.Seconds),
			zap.Float64("cpu_seconds", end.CPUSeconds), zap.Float64("peak_mb", end.PeakMB),
			zap.Float64("load_waited_seconds", waited.Seconds()), zap.Int("loaded_by_then", loaded+already))
	}
	n := 0
	for {
		w := time.Now()
		f, ok := <-x.files
		if !ok {
			break
		}
		waited += time.Since(w)
		if f.ValidFrom != nil || f.Period != demoPeriod {
			continue // never in the national sample
		}
		opts := transform.LoadOptions{Dataset: f.Dataset, Period: f.Period}
		if f.AsOf != nil {
			opts.AsOf = *f.AsOf
		}
		rep, err := loader.LoadFile(ctx, f.Path, opts)
		if err != nil {
			return loaded, already, err
		}
		switch {
		case rep.Rejected:
			return loaded, already, fmt.Errorf("sample file %s was rejected whole: %s", f.Path, rep.Message)
		case rep.AlreadyLoaded:
			already++
		default:
			loaded++
		}
		if n++; n%50 == 0 || n == x.planned() {
			fmt.Fprintln(e.stdout, msg.DemoLoadProgress(n, x.planned(), time.Since(st).Seconds()))
		}
		writtenNote()
	}
	if err := x.wait(false); err != nil {
		return loaded, already, err
	}
	writtenNote()
	if e.helperPeak != nil {
		e.helperPeak(x.end.PeakMB, x.bothMB)
	}
	e.log.Info("national demo: loaded", zap.Int("files", n), zap.Float64("seconds", time.Since(st).Seconds()),
		zap.Float64("waited_for_the_writer_seconds", waited.Seconds()))
	return loaded, already, nil
}
