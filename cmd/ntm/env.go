package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"ntm"
	"ntm/config"
	"ntm/db"
	"ntm/msg"
)

// env is what every subcommand shares: output streams, the logger and the database.
type env struct {
	stdout, stderr io.Writer
	log            *zap.Logger
	runID          string
	pool           *pgxpool.Pool
	dbURL          string
	cfg            *config.Config // the config file's settings, once read (see fileConfig)
	// stage, when set, is told how long each stage of the demo took (ntm bench's children).
	stage func(name string, seconds float64)
	// helperPeak, when set, is told the peak resident memory of a process a command ran beside
	// itself (the national demo's export writer) and the largest sum of the two's resident
	// memory sampled while both ran.
	helperPeak func(helperMB, togetherMB float64)
}

// timed tells e.stage how long a stage took since st.
func (e *env) timed(name string, st time.Time) {
	if e.stage != nil {
		e.stage(name, time.Since(st).Seconds())
	}
}

func newEnv(stdout, stderr io.Writer) *env {
	var b [6]byte
	_, _ = rand.Read(b[:])
	e := &env{stdout: stdout, stderr: stderr, runID: hex.EncodeToString(b[:])}
	e.log = newLogger(stderr).With(zap.String("run_id", e.runID))
	return e
}

// newLogger logs to stderr at level warn by default, which keeps commands quiet (see newLoggerAt).
func newLogger(w io.Writer) *zap.Logger { return newLoggerAt(w, zapcore.WarnLevel) }

// newLoggerAt logs to w: human-readable on a terminal, JSON otherwise. NTM_LOG_LEVEL
// (debug, info, warn, error) overrides the default level def.
func newLoggerAt(w io.Writer, def zapcore.Level) *zap.Logger {
	level := def
	if s := os.Getenv("NTM_LOG_LEVEL"); s != "" {
		if l, err := zapcore.ParseLevel(s); err == nil {
			level = l
		}
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	} else {
		enc = zapcore.NewJSONEncoder(encCfg)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), level))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (e *env) Close() {
	if e.pool != nil {
		e.pool.Close()
	}
	_ = e.log.Sync()
}

// dbFlags registers the flags every database command takes.
type dbFlags struct{ url string }

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.url, "database-url", "", "PostgreSQL URL (default: NTM_DATABASE_URL, DATABASE_URL, else the local server, database ntm)")
}

// newFlagSet makes a subcommand's flag set whose -h prints usage to stdout.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "usage: %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag error into a usage error and moving flags that follow
// positional arguments to the front (so `ntm ingest a.xlsx --dataset vpostcode` works).
func parseFlags(fs *flag.FlagSet, args []string) error {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") {
				if f := fs.Lookup(name); f != nil {
					if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
						if i+1 < len(args) {
							flags = append(flags, args[i+1])
							i++
						}
					}
				}
			}
			continue
		}
		positional = append(positional, a)
	}
	// Parse quietly: a flag error becomes a one-sentence usage error, and -h prints usage once.
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(append(flags, positional...))
	fs.SetOutput(out)
	fs.Usage = usage
	if err == flag.ErrHelp {
		fs.Usage()
		return err
	}
	if err != nil {
		return usagef("%v; run with -h for help", err)
	}
	return nil
}

// connect opens the database (migrating it first): the configured URL, else the local server.
func (e *env) connect(ctx context.Context, d dbFlags) (*pgxpool.Pool, error) {
	return e.connectTo(ctx, d, db.LocalDatabase)
}

func (e *env) connectTo(ctx context.Context, d dbFlags, localName string) (*pgxpool.Pool, error) {
	if e.pool != nil {
		return e.pool, nil
	}
	url := db.URLFromEnv(d.url, "")
	if url == "" {
		// The config file (NTM_CONFIG or ./ntm.yaml) may name the database.
		if path := config.ResolvePath(""); path != "" {
			cfg, err := config.Load(path)
			if err != nil {
				return nil, err
			}
			url = cfg.DatabaseURL
		}
	}
	if url == "" {
		local, note, err := db.Local(ctx, localName)
		if err != nil {
			return nil, err
		}
		e.log.Info("local database", zap.String("note", note))
		if strings.HasPrefix(note, "đã khởi động") {
			fmt.Fprintln(e.stderr, "ntm: "+note)
		}
		url = local
	}
	if err := db.Migrate(ctx, url); err != nil {
		return nil, databaseError(err, url)
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return nil, databaseError(err, url)
	}
	e.pool, e.dbURL = pool, url
	e.log.Info("database ready", zap.String("url", db.Redact(url)))
	return pool, nil
}

func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "cli"
}

// connectDemo opens the demo's database: --database-url when given, else the local server's
// ntm_demo database. NTM_DATABASE_URL and DATABASE_URL are ignored on purpose: they may name
// the office's real database, and sample data must never land there.
func (e *env) connectDemo(ctx context.Context, d dbFlags, database string) (*pgxpool.Pool, error) {
	if d.url == "" {
		local, note, err := db.Local(ctx, database)
		if err != nil {
			return nil, err
		}
		e.log.Info("local database", zap.String("note", note))
		d.url = local
	}
	return e.connectTo(ctx, d, database)
}

// databaseError tells the operator, in one Vietnamese sentence, what to do about a database
// that cannot be used: a database missing on the server, a server that does not answer, a
// refused login. The driver's English text stays as the cause, for the log.
func databaseError(err error, url string) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000": // invalid_catalog_name
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseMissing(databaseName(url)))
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseAuth)
	case errors.As(err, new(*pgconn.ConnectError)), errors.As(err, new(*net.OpError)):
		return ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseRefused)
	}
	return err
}

// databaseName is the database a URL names ("" when it cannot be read).
func databaseName(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return ""
	}
	return cfg.Database
}
