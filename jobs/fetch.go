package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"ntm/config"
)

// maxBackoff caps the wait between two attempts.
const maxBackoff = 5 * time.Minute

// maxDownload bounds one feed's size: a runaway server cannot fill the disk.
const maxDownload = 2 << 30

// Fetcher downloads HTTP(S) sources with a timeout per attempt and retries with exponential
// backoff on network errors, timeouts, 5xx, 408 and 429 answers. Other 4xx answers are not
// retried: asking again would get the same answer.
type Fetcher struct {
	Client  *http.Client // nil: a client without a global timeout (each attempt has its own)
	Network config.Network
	Log     *zap.Logger
	// Sleep waits between attempts; tests shorten it. nil = a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// errPermanent marks an answer that retrying will not change.
type errPermanent struct{ err error }

func (e errPermanent) Error() string { return e.err.Error() }
func (e errPermanent) Unwrap() error { return e.err }

// Fetch downloads src into dir and returns the file written and the number of attempts made.
func (f *Fetcher) Fetch(ctx context.Context, src config.Source, dir string) (string, int, error) {
	timeout := src.Timeout
	if timeout <= 0 {
		timeout = f.Network.Timeout
	}
	if timeout <= 0 {
		timeout = time.Minute
	}
	wait := f.Network.Backoff
	if wait <= 0 {
		wait = 2 * time.Second
	}
	attempts := 1 + max(f.Network.Retries, 0)
	var last error
	for i := 1; i <= attempts; i++ {
		p, err := f.once(ctx, src, dir, timeout)
		if err == nil {
			return p, i, nil
		}
		last = err
		if ctx.Err() != nil {
			return "", i, ctx.Err()
		}
		var perm errPermanent
		if errors.As(err, &perm) || i == attempts {
			break
		}
		f.log().Warn("download failed, retrying", zap.String("source", src.Name), zap.String("url", redactURL(src.Location)),
			zap.Int("attempt", i), zap.Duration("wait", wait), zap.Error(err))
		if err := f.sleep(ctx, wait); err != nil {
			return "", i, err
		}
		wait = min(wait*2, maxBackoff)
	}
	return "", attempts, fmt.Errorf("download of source %q from %s failed: %w", src.Name, redactURL(src.Location), last)
}

func (f *Fetcher) log() *zap.Logger {
	if f.Log == nil {
		return zap.NewNop()
	}
	return f.Log
}

func (f *Fetcher) sleep(ctx context.Context, d time.Duration) error {
	if f.Sleep != nil {
		return f.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var envRefRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} in a header value with the variable's value, so tokens stay out
// of the config file.
func expandEnv(s string) string {
	return envRefRE.ReplaceAllStringFunc(s, func(m string) string { return os.Getenv(m[2 : len(m)-1]) })
}

func (f *Fetcher) once(ctx context.Context, src config.Source, dir string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.Location, nil)
	if err != nil {
		return "", errPermanent{fmt.Errorf("the address is not valid: %w", err)}
	}
	req.Header.Set("User-Agent", "ntm (Lang Son digital transformation pipeline)")
	for k, v := range src.Headers {
		req.Header.Set(k, expandEnv(v))
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("no answer within %s", timeout)
		}
		return "", scrub(err, src.Location)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return "", fmt.Errorf("the server answered %s", resp.Status)
	default:
		return "", errPermanent{fmt.Errorf("the server answered %s (check the url and headers of the source)", resp.Status)}
	}
	name := fileName(src, resp)
	dst := filepath.Join(dir, name)
	out, err := os.Create(dst)
	if err != nil {
		return "", errPermanent{err}
	}
	n, err := io.Copy(out, io.LimitReader(resp.Body, maxDownload+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("the download did not finish within %s", timeout)
		}
		return "", fmt.Errorf("the download broke off: %w", scrub(err, src.Location))
	}
	if n > maxDownload {
		os.Remove(dst)
		return "", errPermanent{fmt.Errorf("the file is larger than %d bytes", int64(maxDownload))}
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if want, err := strconv.ParseInt(cl, 10, 64); err == nil && want != n {
			os.Remove(dst)
			return "", fmt.Errorf("the download broke off after %d of %d bytes", n, want)
		}
	}
	return dst, nil
}

// fileName keeps the feed's file name (from Content-Disposition, else the URL path), so
// messages and batches name it as the office knows it.
func fileName(src config.Source, resp *http.Response) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		if n := filepath.Base(params["filename"]); n != "." && n != "/" && n != "" {
			return safeName(n)
		}
	}
	if u, err := url.Parse(src.Location); err == nil {
		if n := path.Base(u.Path); n != "." && n != "/" && n != "" {
			return safeName(n)
		}
	}
	return src.Name + ".csv"
}

func safeName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, n)
	if strings.HasPrefix(n, ".") {
		n = "_" + n
	}
	return n
}

// redactURL hides a password and the query string (which often carries a token).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid url)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

// scrub replaces the full URL in an error (net/http quotes it) with its redacted form.
func scrub(err error, raw string) error {
	msg := err.Error()
	if !strings.Contains(msg, raw) {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, raw, redactURL(raw)))
}
