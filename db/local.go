package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// LocalDatabase is the database name ntm uses on a local server.
const LocalDatabase = "ntm"

// privatePort is the port of the private cluster; it listens on its own socket folder only.
const privatePort = 54329

// Local finds a local PostgreSQL server (default socket, then 127.0.0.1:5432, as the current
// OS user and then as postgres); failing that it starts a private cluster of its own when the
// server binaries are installed. It returns the URL of database dbName (created when missing)
// and a sentence saying what it did, for the user.
func Local(ctx context.Context, dbName string) (rawURL, note string, err error) {
	base, err := localServer(ctx)
	if err != nil {
		return "", "", err
	}
	note = "dùng PostgreSQL cục bộ " + Redact(base.String())
	if base.Query().Get("host") != "" && strings.HasPrefix(base.Query().Get("host"), privateDataDir()) {
		note = "đã khởi động cụm PostgreSQL riêng tại " + privateDataDir()
	}
	if err := ensureDatabase(ctx, base, dbName); err != nil {
		return "", "", err
	}
	u := *base
	u.Path = "/" + dbName
	return u.String(), note, nil
}

// LocalServer returns the URL of a local server's maintenance database, starting a private cluster if needed.
func LocalServer(ctx context.Context) (*url.URL, error) { return localServer(ctx) }

func localServer(ctx context.Context) (*url.URL, error) {
	var tried []string
	for _, c := range localCandidates() {
		if ping(ctx, c.String()) == nil {
			return c, nil
		}
		tried = append(tried, Redact(c.String()))
	}
	u, err := startPrivateCluster(ctx)
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL answers (tried %s) and a private cluster could not be started: %w; set NTM_DATABASE_URL or start PostgreSQL (pg_ctlcluster 15 main start)", strings.Join(tried, ", "), err)
	}
	return u, nil
}

func localCandidates() []*url.URL {
	users := []string{}
	if u, err := user.Current(); err == nil {
		users = append(users, u.Username)
	}
	users = append(users, "postgres")
	var out []*url.URL
	for _, name := range users {
		for _, host := range []string{"/var/run/postgresql", "127.0.0.1"} {
			q := url.Values{}
			q.Set("sslmode", "disable")
			u := &url.URL{Scheme: "postgres", User: url.User(name), Path: "/postgres"}
			if strings.HasPrefix(host, "/") {
				if _, err := os.Stat(filepath.Join(host, ".s.PGSQL.5432")); err != nil {
					continue
				}
				q.Set("host", host)
			} else {
				u.Host = host + ":5432"
			}
			u.RawQuery = q.Encode()
			out = append(out, u)
		}
	}
	// A private cluster started by an earlier run.
	q := url.Values{"host": {privateDataDir()}, "port": {strconv.Itoa(privatePort)}, "sslmode": {"disable"}}
	out = append(out, &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres", RawQuery: q.Encode()})
	return out
}

func ping(ctx context.Context, rawURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func ensureDatabase(ctx context.Context, server *url.URL, dbName string) error {
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", Redact(server.String()), err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", dbName, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize()); err != nil {
		var again bool
		// Another process may have created it at the same moment.
		if qerr := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&again); qerr == nil && again {
			return nil
		}
		return fmt.Errorf("create database %s: %w", dbName, err)
	}
	return nil
}

// privateDataDir is where the private cluster lives: $NTM_PGDATA, else ~/.local/share/ntm/pgdata.
func privateDataDir() string {
	if d := os.Getenv("NTM_PGDATA"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return filepath.Join(home, ".local", "share", "ntm", "pgdata")
}

// postgresBinDir finds initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin (newest first).
func postgresBinDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
}

func startPrivateCluster(ctx context.Context) (*url.URL, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	dir := privateDataDir()
	asRoot := os.Geteuid() == 0
	run := func(name string, args ...string) error {
		cmdPath := filepath.Join(bin, name)
		var cmd *exec.Cmd
		if asRoot {
			// PostgreSQL refuses to run as root: run it as the postgres OS user.
			cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", cmdPath}, args...)...)
		} else {
			cmd = exec.CommandContext(ctx, cmdPath, args...)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if asRoot {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres OS user: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("give %s to postgres: %w", dir, err)
		}
		// The server must be able to reach its data folder through every parent.
		for p := filepath.Dir(dir); p != "/" && p != "."; p = filepath.Dir(p) {
			if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o001 == 0 {
				_ = os.Chmod(p, st.Mode().Perm()|0o011)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		if err := run("initdb", "-D", dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
			return nil, err
		}
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -p %d", dir, privatePort)
	if err := run("pg_ctl", "-D", dir, "-l", filepath.Join(dir, "server.log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		return nil, err
	}
	q := url.Values{"host": {dir}, "port": {strconv.Itoa(privatePort)}, "sslmode": {"disable"}}
	u := &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres", RawQuery: q.Encode()}
	if err := ping(ctx, u.String()); err != nil {
		return nil, fmt.Errorf("private cluster in %s started but does not answer: %w", dir, err)
	}
	return u, nil
}
