package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"ntm"
	"ntm/msg"

	"go.uber.org/zap"
)

// securityHeaders forbids framing, inline scripts, sniffing and caching of pages.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// logInfo is filled in by the handlers for the access log line.
type logInfo struct{ user string }

type logInfoKey struct{}

func setLogUser(r *http.Request, user string) {
	if li, ok := r.Context().Value(logInfoKey{}).(*logInfo); ok {
		li.user = user
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog logs one line per request: method, path (never the query string, the headers or
// the body, where a token or password could be), status, size, time and who.
func (c *Console) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		li := &logInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), logInfoKey{}, li)))
		if strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		c.log.Info("http", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Int("status", status),
			zap.Int64("bytes", sw.bytes), zap.Duration("took", time.Since(start)), zap.String("user", li.user),
			zap.String("remote", c.clientAddr(r)))
	})
}

// recoverPanics turns a panic in a handler into a 500 and a log line, never a dead daemon.
func (c *Console) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				c.log.Error("panic in a console handler", zap.Any("panic", v), zap.String("path", r.URL.Path), zap.Stack("stack"))
				http.Error(w, "Lỗi nội bộ", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOriginRefused answers a state-changing request sent from another site.
func (c *Console) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	c.log.Warn("cross-origin request refused", zap.String("method", r.Method), zap.String("path", r.URL.Path),
		zap.String("origin", r.Header.Get("Origin")), zap.String("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")))
	err := ntm.Errorf(ntm.CodeForbidden, "%s", msg.CrossSite)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		c.apiError(w, r, err)
		return
	}
	c.pageError(w, r, err)
}
