package console

import (
	"net"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"ntm"
	"ntm/msg"
)

type loginPage struct {
	Next    string
	Name    string
	Message string
	Warning string // the browser will not keep the session (plain HTTP away from this machine)
}

// plainHTTPWarning explains a login that cannot stick: the session cookie is Secure, and
// browsers drop Secure cookies on plain HTTP except for localhost.
func (c *Console) plainHTTPWarning(r *http.Request) string {
	if c.d.InsecureCookie || r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return ""
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ""
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsLoopback() {
		return ""
	}
	return "Trang này được mở qua HTTP không mã hóa: trình duyệt sẽ không giữ phiên đăng nhập. Hãy truy cập qua HTTPS (máy chủ web đứng trước ntm), hoặc báo quản trị hệ thống."
}

// loginForm shows the login form (or goes on to the console when already logged in).
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	if p, err := c.session(r); err == nil && p != nil {
		http.Redirect(w, r, localTarget(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "login", layoutData{Title: "Đăng nhập", Page: loginPage{Next: localTarget(r.URL.Query().Get("next")), Warning: c.plainHTTPWarning(r)}})
}

// login checks the name and password against the configured users and starts a session.
// The attempt is counted (per user name and per client address, in PostgreSQL) before the
// password is compared, so parallel guesses beyond the limit are refused without being tried.
// The typed name is never logged: people type passwords into it.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeInvalid, err, "%s", msg.FormUnreadable))
		return
	}
	name, password := r.PostForm.Get("name"), r.PostForm.Get("password")
	next := localTarget(r.PostForm.Get("next"))
	addr := c.clientAddr(r)
	fail := func(err *ntm.Error) {
		c.render(w, r, httpStatus(err), "login", layoutData{Title: "Đăng nhập", Page: loginPage{Next: next, Name: name, Message: err.Message, Warning: c.plainHTTPWarning(r)}})
	}
	if name == "" || password == "" {
		fail(ntm.Errorf(ntm.CodeUnauthorized, "%s", msg.LoginWrong))
		return
	}
	userKey, clientKey := loginUserKey(name), loginClientKey(addr)
	allowed, err := c.takeAttempt(r.Context(), userKey, clientKey)
	if err != nil {
		c.log.Error("login: count the attempt", zap.Error(err))
		fail(ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	if !allowed {
		c.log.Warn("login refused: too many attempts", zap.String("remote", addr), zap.Bool("known_user", c.userExists(name)))
		fail(ntm.Errorf(ntm.CodeTooMany, "%s", msg.LoginTooMany))
		return
	}
	if !c.checkPassword(name, password) {
		// Whether the name exists is enough to trace guessing; the typed text is not logged.
		c.log.Warn("login failed", zap.Bool("known_user", c.userExists(name)), zap.String("remote", addr))
		fail(ntm.Errorf(ntm.CodeUnauthorized, "%s", msg.LoginWrong))
		return
	}
	c.loginSucceeded(r.Context(), userKey, clientKey)
	token, expires, err := c.newSession(r.Context(), name)
	if err != nil {
		c.log.Error("login: session", zap.Error(err))
		fail(ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown))
		return
	}
	c.setSessionCookie(w, token, expires)
	c.log.Info("login", zap.String("user", name), zap.String("remote", addr))
	setLogUser(r, name)
	http.Redirect(w, r, next, http.StatusSeeOther)
}
