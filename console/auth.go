package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	"ntm/runs"
)

// principal is who makes a request: a console user or an API token.
type principal struct {
	Name    string       // user name, or the token's name
	Trigger runs.Trigger // TriggerWeb for a user, TriggerAPI for a token
	Session []byte       // SHA-256 of the session token (users only)
}

// who is the name recorded with what the principal does (runs, uploads).
func (p *principal) who() string {
	if p.Trigger == runs.TriggerAPI {
		return "api:" + p.Name
	}
	return p.Name
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// who returns the authenticated principal of a request (the middleware guarantees one).
func who(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	if p == nil {
		return &principal{}
	}
	return p
}

// ---- passwords ----

var (
	dummyOnce sync.Once
	dummyHash []byte
)

// checkPassword tells whether name and password match a configured user. An unknown name
// still costs one bcrypt comparison, so timing does not reveal which names exist.
func (c *Console) checkPassword(name, password string) bool {
	dummyOnce.Do(func() {
		dummyHash, _ = bcrypt.GenerateFromPassword([]byte("không phải mật khẩu"), bcrypt.DefaultCost)
	})
	hash, found := dummyHash, false
	for _, u := range c.d.Users {
		if subtle.ConstantTimeCompare([]byte(u.Name), []byte(name)) == 1 {
			hash, found = []byte(u.PasswordHash), true
		}
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	return ok && found
}

func (c *Console) userExists(name string) bool {
	for _, u := range c.d.Users {
		if u.Name == name {
			return true
		}
	}
	return false
}

// ---- API tokens ----

// checkToken returns the name of the configured token equal to token. Every configured hash
// is compared, in constant time, whatever matches.
func (c *Console) checkToken(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	got := []byte(hex.EncodeToString(sum[:]))
	name, ok := "", false
	for _, t := range c.d.Tokens {
		if subtle.ConstantTimeCompare([]byte(strings.ToLower(t.SHA256)), got) == 1 {
			name, ok = t.Name, true
		}
	}
	return name, ok
}

// bearer extracts the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// requireToken refuses API requests without a valid bearer token (401, JSON).
func (c *Console) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := c.checkToken(bearer(r))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ntm"`)
			writeJSONError(w, http.StatusUnauthorized, "cần mã truy cập hợp lệ: gửi tiêu đề Authorization: Bearer <mã>")
			return
		}
		p := &principal{Name: name, Trigger: runs.TriggerAPI}
		setLogUser(r, p.who())
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// ---- sessions ----

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// newSession records a session for user and returns the cookie's token.
func (c *Console) newSession(ctx context.Context, user string) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, fmt.Errorf("make a session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	expires := c.now().Add(c.d.SessionTTL)
	// Expired sessions are removed here, so the table never grows without bound.
	if _, err := c.d.Pool.Exec(ctx, `DELETE FROM console_session WHERE expires_at < now()`); err != nil {
		return "", time.Time{}, fmt.Errorf("remove expired sessions: %w", err)
	}
	if _, err := c.d.Pool.Exec(ctx, `INSERT INTO console_session (token_sha256, user_name, expires_at) VALUES ($1, $2, $3)`,
		hashToken(token), user, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("record the session: %w", err)
	}
	return token, expires, nil
}

// session returns the principal of the request's session cookie, or nil.
func (c *Console) session(r *http.Request) (*principal, error) {
	ck, err := r.Cookie(c.cookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, nil
	}
	h := hashToken(ck.Value)
	var user string
	err = c.d.Pool.QueryRow(r.Context(), `UPDATE console_session SET last_seen_at = now()
		WHERE token_sha256 = $1 AND expires_at > $2 RETURNING user_name`, h, c.now()).Scan(&user)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the session: %w", err)
	}
	if !c.userExists(user) { // removed from the config since logging in
		return nil, nil
	}
	return &principal{Name: user, Trigger: runs.TriggerWeb, Session: h}, nil
}

func (c *Console) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: c.cookie, Value: token, Path: "/", Expires: expires,
		MaxAge: int(time.Until(expires).Seconds()), Secure: !c.d.InsecureCookie, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.cookie, Value: "", Path: "/", MaxAge: -1,
		Secure: !c.d.InsecureCookie, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// requireSession sends requests without a valid session to the login page (303), keeping
// where they were going for a GET.
func (c *Console) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := c.session(r)
		if err != nil {
			c.log.Error("session lookup failed", zap.Error(err))
			c.errorPage(w, r, http.StatusServiceUnavailable, "Không đọc được phiên đăng nhập: cơ sở dữ liệu không trả lời. Hãy thử lại sau ít phút.")
			return
		}
		if p == nil {
			target := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		setLogUser(r, p.who())
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// localTarget keeps a post-login redirect on this site: a path, never "//host" or "/\host".
func localTarget(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/runs"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/runs"
	}
	return next
}

// ---- login throttling ----

// loginLimiter slows password guessing: after maxFailures failed logins from one address
// within failureWindow, that address is refused until the window has passed.
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

const (
	maxFailures   = 10
	failureWindow = 15 * time.Minute
)

func newLoginLimiter() *loginLimiter { return &loginLimiter{failures: map[string][]time.Time{}} }

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (l *loginLimiter) recent(addr string, now time.Time) []time.Time {
	var keep []time.Time
	for _, t := range l.failures[addr] {
		if now.Sub(t) < failureWindow {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(l.failures, addr)
	} else {
		l.failures[addr] = keep
	}
	return keep
}

// blocked tells whether addr has failed too often lately.
func (l *loginLimiter) blocked(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(addr, now)) >= maxFailures
}

func (l *loginLimiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[addr] = append(l.recent(addr, now), now)
	if len(l.failures) > 10000 { // a flood of addresses: forget the oldest state rather than grow
		l.failures = map[string][]time.Time{}
	}
}

func (l *loginLimiter) succeed(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, addr)
}
