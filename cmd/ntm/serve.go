package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"ntm/config"
	"ntm/console"
	"ntm/db"
	"ntm/jobs"
	"ntm/runs"
)

const serveSynopsis = "ntm serve [--listen ADDR]: the daemon: runs the scheduled jobs and serves the web console and API"

// shutdownWait bounds how long SIGTERM waits for the running step to roll back and record.
const shutdownWait = 60 * time.Second

// Daemon is what the HTTP console and API get from `ntm serve`.
type Daemon struct {
	Config    *config.Config
	Pool      *pgxpool.Pool
	Runner    *jobs.Runner    // Start(ctx, jobs.Request{…, Trigger: runs.TriggerWeb, By: user}) → run id
	Runs      *runs.Store     // List, Get, Holder
	Scheduler *jobs.Scheduler // Next() for "next nightly run at …"
	Log       *zap.Logger
}

func runServe(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var cf configFlag
	var listen string
	fs := newFlagSet(e, "serve", serveSynopsis)
	d.register(fs)
	cf.register(fs)
	fs.StringVar(&listen, "listen", "", "HTTP address (default: the config's listen, 127.0.0.1:8080)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if listen != "" {
		cfg.Listen = listen
	}
	log := newLoggerAt(e.stderr, zap.InfoLevel)
	e.log = log
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	log.Info("ntm serve starting", zap.String("config", orDash(cfg.File)), zap.String("database", db.Redact(e.dbURL)),
		zap.String("time_zone", cfg.TimeZone), zap.String("listen", cfg.Listen))

	runner := jobs.NewRunner(pool, cfg, log)
	sched := jobs.NewScheduler(runner)
	dmn := &Daemon{Config: cfg, Pool: pool, Runner: runner, Runs: runner.Store, Scheduler: sched, Log: log}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz(dmn))
	h, err := consoleHandler(ctx, dmn)
	if err != nil {
		return fmt.Errorf("start the web console: %w", err)
	}
	mux.Handle("/", h)
	missed, err := sched.Start(ctx)
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stop requested during start")
			_ = sched.Stop(context.Background())
			return nil
		}
		return err
	}
	for _, m := range missed {
		log.Info("missed run to catch up", zap.String("job", m.Job), zap.String("period", m.Period.String()), zap.Time("was_due", m.At))
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = sched.Stop(context.Background())
		return fmt.Errorf("listen on %s: %w (set listen in the config or --listen)", cfg.Listen, err)
	}
	srv := console.NewServer(mux, 0, log)
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	log.Info("listening", zap.String("address", ln.Addr().String()))

	var serveFailed error
	select {
	case <-ctx.Done():
		log.Info("stop requested: no new runs; cancelling the running one")
	case err := <-srvErr:
		serveFailed = fmt.Errorf("the HTTP server stopped: %w", err)
		log.Error("http server stopped", zap.Error(err))
	}
	wait, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := sched.Stop(wait); err != nil {
		log.Error("shutdown", zap.Error(err))
	}
	if err := runner.Stop(wait); err != nil {
		log.Error("shutdown", zap.Error(err))
	}
	if err := srv.Shutdown(wait); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http shutdown", zap.Error(err))
	}
	log.Info("ntm serve stopped")
	return serveFailed
}

// healthz answers 200 with the database reachable, else 503, and whether a run is in
// progress. It needs no login, so it says nothing about who started what.
func healthz(d *Daemon) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		out := map[string]any{"status": "ok"}
		code := http.StatusOK
		if err := d.Pool.Ping(ctx); err != nil {
			out["status"], out["database"] = "error", "không kết nối được cơ sở dữ liệu"
			code = http.StatusServiceUnavailable
		} else {
			out["database"] = "ok"
			h, err := d.Runs.Holder(ctx)
			out["running"] = err == nil && h != nil
		}
		next := map[string]string{}
		for job, t := range d.Scheduler.Next() {
			next[job] = t.Format(time.RFC3339)
		}
		out["next"] = next
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(out)
	}
}
