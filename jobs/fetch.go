package jobs

import (
	"archive/zip"
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
	"strings"
	"time"

	"go.uber.org/zap"

	"ntm"
	"ntm/config"
	"ntm/faults"
)

// maxBackoff caps the wait between two attempts.
const maxBackoff = 5 * time.Minute

// Fetcher downloads HTTP(S) sources with a timeout per attempt and retries with exponential
// backoff on network errors, timeouts, 5xx, 408 and 429 answers and cut-off bodies. Other 4xx
// answers are not retried: asking again would get the same answer.
//
// A download is complete or it is nothing. It is written to a ".part" file renamed only when
// all of it arrived; the part is removed on every other way out (an error, a cut connection, a
// full disk, Ctrl-C or SIGTERM through ctx), and a process killed outright leaves it in a
// folder package scratch sweeps. It stops at Network.MaxDownload bytes. A body is cut off when
// it holds fewer bytes than its Content-Length, when an .xlsx is not a complete zip archive, or
// when a CSV sent without Content-Length does not end with a line break (a feed cut in the
// middle of a line would otherwise load the rows before the cut).
type Fetcher struct {
	Client  *http.Client // nil: a client without a global timeout (each attempt has its own)
	Network config.Network
	Log     *zap.Logger
	// Sleep waits between attempts; tests shorten it. nil = a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// fetchError is why one attempt failed: a Vietnamese reason (completing "không tải được …:
// "), the English cause, the code of the fault, and whether trying again can help.
//
// It stays its own type rather than an *ntm.Error: it is internal to one download (Fetch turns
// the last one into an *ntm.Error), its reason is a phrase completing Fetch's sentence rather
// than a sentence of its own (runs also show it alone, via sourceFailure), and it carries
// "permanent", which ntm.Error has no place for.
type fetchError struct {
	code      ntm.Code
	reason    string
	cause     error
	permanent bool
}

func (e *fetchError) Error() string { return e.cause.Error() }
func (e *fetchError) Unwrap() error { return e.cause }

func failed(code ntm.Code, permanent bool, cause error, format string, args ...any) *fetchError {
	return &fetchError{code: code, reason: fmt.Sprintf(format, args...), cause: cause, permanent: permanent}
}

func (f *Fetcher) maxBytes() int64 {
	if f.Network.MaxDownload > 0 {
		return f.Network.MaxDownload
	}
	return config.DefaultMaxDownload
}

// Fetch downloads src into dir and returns the file written and the number of attempts made.
// The error is an *ntm.Error: CodeTooLarge over the size limit, CodeOperator when the file
// cannot be written (disk full, permissions), CodeCancelled, else CodeUnavailable.
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
	where := redactURL(src.Location)
	var last *fetchError
	tried := 0
	for i := 1; i <= attempts; i++ {
		tried = i
		p, err := f.once(ctx, src, dir, timeout)
		if err == nil {
			return p, i, nil
		}
		if ctx.Err() != nil {
			return "", i, ntm.Wrap(ntm.CodeCancelled, ctx.Err(), "Đã dừng việc tải nguồn %q từ %s; không có gì được giữ lại.", src.Name, where)
		}
		last = err
		if err.permanent || i == attempts {
			break
		}
		f.log().Warn("download failed, retrying", zap.String("source", src.Name), zap.String("url", where),
			zap.Int("attempt", i), zap.Duration("wait", wait), zap.Error(err))
		if err := f.sleep(ctx, wait); err != nil {
			return "", i, ntm.Wrap(ntm.CodeCancelled, err, "Đã dừng việc tải nguồn %q từ %s; không có gì được giữ lại.", src.Name, where)
		}
		wait = min(wait*2, maxBackoff)
	}
	tries := ""
	if attempts > 1 && !last.permanent {
		tries = fmt.Sprintf(" (đã thử %d lần)", attempts)
	}
	return "", tried, ntm.Wrap(last.code, fmt.Errorf("download of source %q from %s failed: %w", src.Name, where, last),
		"Không tải được nguồn %q từ %s%s: %s.", src.Name, where, tries, last.reason)
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

func (f *Fetcher) once(ctx context.Context, src config.Source, dir string, timeout time.Duration) (string, *fetchError) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.Location, nil)
	if err != nil {
		return "", failed(ntm.CodeInvalid, true, fmt.Errorf("the address is not valid: %w", err), "địa chỉ không hợp lệ")
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
			return "", failed(ntm.CodeUnavailable, false, fmt.Errorf("no answer within %s", timeout), "máy chủ không trả lời trong %s", timeout)
		}
		return "", failed(ntm.CodeUnavailable, false, scrub(err, src.Location), "không kết nối được tới máy chủ")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return "", failed(ntm.CodeUnavailable, false, fmt.Errorf("the server answered %s", resp.Status), "máy chủ trả lời %s", resp.Status)
	default:
		return "", failed(ntm.CodeUnavailable, true, fmt.Errorf("the server answered %s", resp.Status),
			"máy chủ trả lời %s (kiểm tra địa chỉ và tiêu đề của nguồn trong cấu hình)", resp.Status)
	}
	limit := f.maxBytes()
	if resp.ContentLength > limit {
		return "", tooLarge(limit, fmt.Errorf("Content-Length %d is over the limit of %d bytes", resp.ContentLength, limit))
	}
	dst := filepath.Join(dir, fileName(src, resp))
	part := dst + ".part"
	out, err := os.Create(part)
	if err != nil {
		return "", writeFailed(part, err)
	}
	ok := false
	defer func() {
		if !ok {
			out.Close()
			os.Remove(part)
		}
	}()
	n, ferr := copyBody(out, resp.Body, limit, part)
	if ferr != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", failed(ntm.CodeUnavailable, false, fmt.Errorf("the download did not finish within %s", timeout), "tải chưa xong sau %s", timeout)
		}
		return "", ferr
	}
	if n > limit {
		return "", tooLarge(limit, fmt.Errorf("the body is larger than %d bytes", limit))
	}
	if err := out.Close(); err != nil {
		return "", writeFailed(part, err)
	}
	if cerr := complete(part, n, resp.ContentLength); cerr != nil {
		return "", cerr
	}
	if err := os.Rename(part, dst); err != nil {
		return "", writeFailed(dst, err)
	}
	ok = true
	return dst, nil
}

// copyBody copies up to limit+1 bytes into the file at path, telling a failed write (the
// machine's fault) from a failed read (the connection's).
func copyBody(w io.Writer, r io.Reader, limit int64, path string) (int64, *fetchError) {
	buf := make([]byte, 256<<10)
	var n int64
	lr := io.LimitReader(r, limit+1)
	for {
		k, rerr := lr.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, writeFailed(path, werr)
			}
			n += int64(k)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, failed(ntm.CodeUnavailable, false, fmt.Errorf("the download broke off after %d bytes: %w", n, rerr),
				"kết nối bị ngắt khi đang tải (sau %d byte)", n)
		}
	}
}

func tooLarge(limit int64, cause error) *fetchError {
	return failed(ntm.CodeTooLarge, true, cause,
		"tệp lớn hơn giới hạn %d MiB (network.max_download_mb trong cấu hình): kiểm tra nguồn, hoặc nâng giới hạn", limit>>20)
}

func writeFailed(path string, err error) *fetchError {
	e := faults.OS(err, "ghi tệp tải về %s", path)
	if e == nil {
		return failed(ntm.CodeOperator, true, err, "không ghi được tệp tải về %s", path)
	}
	return &fetchError{code: e.Code, reason: strings.TrimSuffix(e.Message, "."), cause: err, permanent: true}
}

// complete checks that a downloaded body is whole (see Fetcher).
func complete(path string, n, contentLength int64) *fetchError {
	if contentLength >= 0 && n != contentLength {
		return failed(ntm.CodeUnavailable, false, fmt.Errorf("the download broke off after %d of %d bytes", n, contentLength),
			"tệp bị cắt: chỉ nhận được %d trên %d byte", n, contentLength)
	}
	f, err := os.Open(path)
	if err != nil {
		return writeFailed(path, err)
	}
	defer f.Close()
	head := make([]byte, 4)
	k, _ := io.ReadFull(f, head)
	if k == 4 && string(head) == "PK\x03\x04" {
		if _, err := zip.NewReader(f, n); err != nil {
			return failed(ntm.CodeUnavailable, false, fmt.Errorf("the .xlsx downloaded is not a complete zip archive: %w", err),
				"tệp .xlsx tải về không trọn vẹn (không phải tệp zip đầy đủ), có thể do kết nối bị ngắt")
		}
		return nil
	}
	if contentLength >= 0 || n == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, n-1); err != nil {
		return writeFailed(path, err)
	}
	if last[0] != '\n' {
		return failed(ntm.CodeUnavailable, false, errors.New("the body, sent without Content-Length, does not end with a line break: it was probably cut off"),
			"tệp bị cắt giữa chừng: máy chủ không báo độ dài và tệp không kết thúc bằng dấu xuống dòng")
	}
	return nil
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
