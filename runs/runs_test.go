package runs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"ntm/db"
	"ntm/db/dbtest"
)

// The test binary re-invokes itself as a second process that holds the pipeline lock.
const helperEnv = "NTM_RUNS_TEST_HOLDER"

func TestMain(m *testing.M) {
	if url := os.Getenv(helperEnv); url != "" {
		os.Exit(holdLock(url))
	}
	os.Exit(m.Run())
}

// holdLock begins a run, prints its id, and waits until stdin closes (or it is killed).
func holdLock(url string) int {
	ctx := context.Background()
	pool, err := db.Open(ctx, url)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	s := NewStore(pool, nil)
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerWeb, By: "lan", Period: "2024-12"})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	a.Step("pull vpostcode").Progress(10, "a.xlsx")
	fmt.Println("holding", a.ID)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	a.Finish(nil)
	return 0
}

// startHolder runs the helper process and returns it once it holds the lock.
func startHolder(t *testing.T, url string) (cmd *exec.Cmd, runID int64, release func()) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+url)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "holding ") {
		t.Fatalf("helper process: %q %v", line, err)
	}
	runID, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "holding ")), 10, 64)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, runID, func() { stdin.Close(); _ = cmd.Wait() }
}

func TestLockAcrossProcessesNamesTheHolder(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	pool, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	_, holderID, release := startHolder(t, url)

	s := NewStore(pool, nil)
	s.Loc = time.UTC
	_, err = s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerCLI, By: "an"})
	var locked *LockedError
	if !errors.As(err, &locked) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second run: got %v, want a LockedError", err)
	}
	if locked.Holder == nil || locked.Holder.ID != holderID {
		t.Fatalf("holder = %+v, want run %d", locked.Holder, holderID)
	}
	msg := err.Error()
	for _, want := range []string{fmt.Sprintf("run %d", holderID), "job nightly", "trigger web by lan", "period 2024-12", "started "} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	// The console can ask who holds it.
	h, err := s.Holder(ctx)
	if err != nil || h == nil || h.ID != holderID {
		t.Fatalf("Holder = %v, %v", h, err)
	}
	// A live run is never marked abandoned.
	if ids, err := s.RecoverAbandoned(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("RecoverAbandoned while the holder lives = %v, %v", ids, err)
	}

	release()
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerCLI, By: "an"})
	if err != nil {
		t.Fatalf("after the holder finished: %v", err)
	}
	a.Finish(nil)
	r, err := s.Get(ctx, holderID)
	if err != nil || r.Status != StatusSucceeded {
		t.Fatalf("holder run = %+v, %v", r, err)
	}
}

func TestDeadProcessRunIsAbandoned(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	pool, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	cmd, holderID, _ := startHolder(t, url)
	if err := cmd.Process.Kill(); err != nil { // a crash: no Finish, the row stays 'running'
		t.Fatal(err)
	}
	_ = cmd.Wait()

	s := NewStore(pool, nil)
	// The server notices the closed session within moments.
	var ids []int64
	deadline := time.Now().Add(10 * time.Second)
	for len(ids) == 0 && time.Now().Before(deadline) {
		if ids, err = s.RecoverAbandoned(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(ids) != 1 || ids[0] != holderID {
		t.Fatalf("abandoned = %v, want [%d]", ids, holderID)
	}
	r, err := s.Get(ctx, holderID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusAbandoned || r.FinishedAt == nil || r.Error == "" {
		t.Fatalf("run after crash = %+v", r)
	}
	if len(r.Steps) != 1 || r.Steps[0].Status != StatusAbandoned {
		t.Fatalf("steps after crash = %+v", r.Steps)
	}
	// And the lock is free.
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerSchedule})
	if err != nil {
		t.Fatal(err)
	}
	a.Finish(nil)
}

func TestBeginMarksLeftoverRunsAbandoned(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	// A row left running by a process of another machine that died long ago.
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO run (job, trigger, status, host, pid, backend_pid) VALUES ('nightly', 'schedule', 'running', 'other', 1, 1) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	s := NewStore(pool, nil)
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerCLI})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Finish(nil)
	r, _ := s.Get(ctx, id)
	if r.Status != StatusAbandoned {
		t.Fatalf("leftover run status = %s, want abandoned", r.Status)
	}
}

func TestStepsProgressCountsAndFiles(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	s := NewStore(pool, nil)
	s.ProgressEvery = time.Hour // only the first progress write and the end are written
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerAPI, By: "script", Period: "2024-12", Params: map[string]any{"redo": true}})
	if err != nil {
		t.Fatal(err)
	}
	st := a.Step("pull survey")
	st.Progress(1, "survey.xlsx")
	st.Progress(500, "survey.xlsx")
	r, _ := s.Get(ctx, a.ID)
	if r.Steps[0].RowsDone != 1 || r.Steps[0].Status != StatusRunning {
		t.Fatalf("throttled progress = %+v", r.Steps[0])
	}
	st.Add("rows_loaded", 498)
	st.Add("rows_rejected", 2)
	a.File(File{Source: "survey", URI: "/in/survey.xlsx", Outcome: FileLoaded, RowsLoaded: 498, RowsRejected: 2})
	st.Finish(nil)
	ev := a.Step("evaluate")
	ev.Finish(errors.New("no criteria set in force"))
	if got := a.Finish(errors.New("step evaluate failed")); got != StatusFailed {
		t.Fatalf("Finish = %s", got)
	}
	r, err = s.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusFailed || r.Error != "step evaluate failed" || r.Params["redo"] != true || r.TriggeredBy != "script" {
		t.Fatalf("run = %+v", r)
	}
	if len(r.Steps) != 2 || r.Steps[0].RowsDone != 500 || r.Steps[0].Counts["rows_loaded"] != 498 || r.Steps[0].Status != StatusSucceeded {
		t.Fatalf("steps = %+v", r.Steps)
	}
	if r.Steps[1].Status != StatusFailed || r.Steps[1].Error != "no criteria set in force" {
		t.Fatalf("evaluate step = %+v", r.Steps[1])
	}
	if len(r.Files) != 1 || r.Files[0].RowsLoaded != 498 || r.Files[0].Outcome != FileLoaded {
		t.Fatalf("files = %+v", r.Files)
	}
	list, err := s.List(ctx, Filter{Limit: 10})
	if err != nil || len(list) != 1 || len(list[0].Steps) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if ok, _ := s.Succeeded(ctx, "nightly", "2024-12"); ok {
		t.Fatal("a failed run counted as succeeded")
	}
}

func TestCancelledRun(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := NewStore(pool, nil)
	a, err := s.Begin(ctx, Spec{Job: "nightly", Trigger: TriggerSchedule})
	if err != nil {
		t.Fatal(err)
	}
	a.Step("pull x")
	cancel()
	if st := a.Finish(a.Context().Err()); st != StatusCancelled {
		t.Fatalf("status = %s", st)
	}
	r, _ := s.Get(context.Background(), a.ID)
	if r.Status != StatusCancelled || r.Steps[0].Status != StatusCancelled {
		t.Fatalf("run = %+v", r)
	}
}
