package console

import (
	"net"
	"net/http"
	"strings"

	"go.uber.org/zap"
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
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu đăng nhập không đọc được.")
		return
	}
	name, password := r.PostForm.Get("name"), r.PostForm.Get("password")
	next := localTarget(r.PostForm.Get("next"))
	addr := clientAddr(r)
	fail := func(status int, msg string) {
		c.render(w, r, status, "login", layoutData{Title: "Đăng nhập", Page: loginPage{Next: next, Name: name, Message: msg, Warning: c.plainHTTPWarning(r)}})
	}
	if c.limiter.blocked(addr, c.now()) {
		c.log.Warn("login refused: too many failures", zap.String("remote", addr))
		fail(http.StatusTooManyRequests, "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.")
		return
	}
	if name == "" || password == "" || !c.checkPassword(name, password) {
		c.limiter.fail(addr, c.now())
		// The name is logged to trace guessing; the password never is.
		c.log.Warn("login failed", zap.String("user", name), zap.String("remote", addr))
		fail(http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng.")
		return
	}
	c.limiter.succeed(addr)
	token, expires, err := c.newSession(r.Context(), name)
	if err != nil {
		c.log.Error("login: session", zap.Error(err))
		fail(http.StatusServiceUnavailable, "Không tạo được phiên đăng nhập: cơ sở dữ liệu không trả lời. Hãy thử lại.")
		return
	}
	c.setSessionCookie(w, token, expires)
	c.log.Info("login", zap.String("user", name), zap.String("remote", addr))
	setLogUser(r, name)
	http.Redirect(w, r, next, http.StatusSeeOther)
}
