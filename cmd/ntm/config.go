package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/config"
	"ntm/db"
	"ntm/msg"
)

// configFlag is the --config flag of the commands that read the config file.
type configFlag struct{ path string }

func (c *configFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&c.path, "config", "", "config file (default: NTM_CONFIG, else ./ntm.yaml when present, else built-in defaults)")
}

// load reads and validates the config file.
func (c *configFlag) load() (*config.Config, error) {
	return config.Load(config.ResolvePath(c.path))
}

// connectConfig opens the database named by --database-url, the environment, or the config
// file, in that order (else the local server).
func (e *env) connectConfig(ctx context.Context, d dbFlags, cfg *config.Config) (*pgxpool.Pool, error) {
	if u := db.URLFromEnv(d.url, cfg.DatabaseURL); u != "" {
		d.url = u
	}
	if cfg.Location != nil {
		e.cfg = cfg // its time zone and limits for this command
	}
	return e.connect(ctx, d)
}

const configSynopsis = "ntm config check [FILE] | ntm config hash-password | ntm config new-token: check the config file, make secrets for it"

func runConfig(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "usage: %s\n", configSynopsis)
		if len(args) == 0 {
			return usagef("name a subcommand: check, hash-password or new-token")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "check":
		return runConfigCheck(e, args[1:])
	case "hash-password":
		return runHashPassword(e)
	case "new-token":
		return runNewToken(e)
	}
	return usagef("unknown subcommand %q: use check, hash-password or new-token", args[0])
}

// runConfigCheck prints OK, or every mistake with its line and column (exit 1).
func runConfigCheck(e *env, args []string) error {
	var cf configFlag
	fs := newFlagSet(e, "config check", "ntm config check [FILE]: validate the config file")
	cf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("name at most one config file")
	}
	path := cf.path
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	path = config.ResolvePath(path)
	if path == "" {
		fmt.Fprintln(e.stdout, msg.ConfigDefaults)
		return nil
	}
	cfg, err := config.Load(path)
	var errs *config.Errors
	if errors.As(err, &errs) {
		for _, p := range errs.Problems {
			if p.Line > 0 {
				fmt.Fprintf(e.stdout, "%s:%d:%d: %s\n", path, p.Line, p.Column, p.Message)
			} else {
				fmt.Fprintf(e.stdout, "%s: %s\n", path, p.Message)
			}
		}
		fmt.Fprintf(e.stderr, "ntm config check: %s has %d mistake(s).\n", path, len(errs.Problems))
		return errReported
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, msg.ConfigValid(path, len(cfg.Sources), cfg.JobNames(), cfg.TimeZone))
	return nil
}

// runHashPassword reads a password from stdin and prints its bcrypt hash for console.users.
func runHashPassword(e *env) error {
	if isTerminal(os.Stdin) {
		fmt.Fprint(e.stderr, "Password (it will be shown as you type; or pipe it in): ")
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	pw := strings.TrimRight(line, "\r\n")
	if len(pw) < 8 {
		return ntm.Errorf(ntm.CodeInvalid, "%s", msg.PasswordTooShort)
	}
	h, err := config.HashPassword(pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password_hash: %q\n", h)
	return nil
}

// runNewToken makes a random API token and prints it with the line for api.tokens.
func runNewToken(e *env) error {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	fmt.Fprintf(e.stdout, "Mã truy cập (đưa cho chương trình gọi API; ntm không lưu mã này): %s\n", tok)
	fmt.Fprintf(e.stdout, "Dòng cấu hình thêm dưới api.tokens:  - {name: script, sha256: %s}\n", config.HashToken(tok))
	return nil
}
