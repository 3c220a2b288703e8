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
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	"ntm"
	"ntm/msg"
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
		token := bearer(r)
		key := tokenClientKey(c.clientAddr(r))
		if token != "" {
			// A client that sent too many wrong tokens is refused before its token is looked at.
			over, err := c.overLimit(r.Context(), key)
			if err != nil {
				c.apiError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
				return
			}
			if over {
				c.log.Warn("API refused: too many wrong tokens", zap.String("remote", c.clientAddr(r)))
				c.apiError(w, r, ntm.Errorf(ntm.CodeTooMany, "%s", msg.TokenTooMany))
				return
			}
		}
		name, ok := c.checkToken(token)
		if !ok {
			if token != "" {
				if allowed, err := c.takeAttempt(r.Context(), key); err == nil && !allowed {
					c.apiError(w, r, ntm.Errorf(ntm.CodeTooMany, "%s", msg.TokenTooMany))
					return
				}
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="ntm"`)
			c.apiError(w, r, ntm.Errorf(ntm.CodeUnauthorized, "%s", msg.TokenNeeded))
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
			c.pageError(w, r, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
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

// ---- attempt limits ----

// Limits of the console's defences. Logins are limited per user name (so a guesser cannot
// try many passwords on one account) and per client address (so one client cannot try many
// accounts); one client's failures do not lock anyone else out. Wrong API tokens are limited
// per client address.
const (
	maxFailures       = 10 // login attempts per user name in failureWindow
	maxClientFailures = 30 // login attempts per client address in failureWindow
	maxTokenFailures  = 30 // wrong API tokens per client address in failureWindow
	failureWindow     = 15 * time.Minute
)

// attemptKey is one counter of console_attempt and its limit.
type attemptKey struct {
	key string
	max int
}

func loginUserKey(name string) attemptKey {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(name))))
	return attemptKey{"login-user:" + hex.EncodeToString(sum[:]), maxFailures}
}

func loginClientKey(addr string) attemptKey {
	return attemptKey{"login-client:" + addr, maxClientFailures}
}
func tokenClientKey(addr string) attemptKey {
	return attemptKey{"token-client:" + addr, maxTokenFailures}
}

// bumpAttemptSQL counts one attempt in a key's current window (a window older than $3 starts
// again at 1) and returns the count. The upsert locks the row, so concurrent attempts are
// counted one after the other.
const bumpAttemptSQL = `INSERT INTO console_attempt AS a (key, attempts, window_start) VALUES ($1, 1, $2)
	ON CONFLICT (key) DO UPDATE SET
	  attempts = CASE WHEN a.window_start <= $2 - $3::interval THEN 1 ELSE a.attempts + 1 END,
	  window_start = CASE WHEN a.window_start <= $2 - $3::interval THEN $2 ELSE a.window_start END
	RETURNING attempts`

// takeAttempt counts one attempt against every key and tells whether all of them are still
// within their limits. It is called before the password is compared: an attempt over the
// limit is refused without being tried.
func (c *Console) takeAttempt(ctx context.Context, keys ...attemptKey) (bool, error) {
	ok := true
	for _, k := range keys {
		var n int
		if err := c.d.Pool.QueryRow(ctx, bumpAttemptSQL, k.key, c.now(), failureWindow.String()).Scan(&n); err != nil {
			return false, fmt.Errorf("count the attempt: %w", err)
		}
		if n > k.max {
			ok = false
		}
	}
	return ok, nil
}

// overLimit tells whether a key has used up its attempts in the current window (without
// counting one).
func (c *Console) overLimit(ctx context.Context, k attemptKey) (bool, error) {
	var n int
	err := c.d.Pool.QueryRow(ctx, `SELECT attempts FROM console_attempt WHERE key = $1 AND window_start > $2`,
		k.key, c.now().Add(-failureWindow)).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the attempt count: %w", err)
	}
	return n >= k.max, nil
}

// loginSucceeded forgets the user's failed attempts and gives the client its attempt back.
func (c *Console) loginSucceeded(ctx context.Context, user, client attemptKey) {
	if _, err := c.d.Pool.Exec(ctx, `DELETE FROM console_attempt WHERE key = $1`, user.key); err != nil {
		c.log.Warn("reset the login attempts", zap.Error(err))
	}
	if _, err := c.d.Pool.Exec(ctx, `UPDATE console_attempt SET attempts = greatest(attempts - 1, 0) WHERE key = $1`, client.key); err != nil {
		c.log.Warn("reset the login attempts", zap.Error(err))
	}
}

// forgetOldAttempts removes the counters of windows that have passed.
func (c *Console) forgetOldAttempts(ctx context.Context) {
	if _, err := c.d.Pool.Exec(ctx, `DELETE FROM console_attempt WHERE window_start <= $1`, c.now().Add(-failureWindow)); err != nil {
		c.log.Warn("remove old attempt counters", zap.Error(err))
	}
}

// ---- client address ----

// clientAddr is the address of the client a request comes from: the TCP peer, unless the peer
// is a trusted proxy (console.trusted_proxies), in which case the nearest address in
// X-Forwarded-For that is not a trusted proxy. A peer that is not trusted cannot choose its
// address by sending the header.
func (c *Console) clientAddr(r *http.Request) string {
	peer := peerAddr(r)
	ap, err := netip.ParseAddr(peer)
	if err != nil || !c.trusted(ap.Unmap()) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, part := range strings.Split(h, ",") {
			if part = strings.TrimSpace(part); part != "" {
				hops = append(hops, part)
			}
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.Trim(hops[i], "[]"))
		if err != nil {
			break // a garbled hop: trust nothing further left
		}
		client = a.Unmap().String()
		if !c.trusted(a.Unmap()) {
			break
		}
	}
	return client
}

func (c *Console) trusted(a netip.Addr) bool {
	for _, p := range c.d.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the TCP peer's address.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
