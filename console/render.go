package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"ntm"

	"go.uber.org/zap"

	"ntm/msg"
	"ntm/runs"
	"ntm/vnfmt"
)

// layoutData is what every page's layout sees; Page is the page's own data.
type layoutData struct {
	Title   string
	User    string // "" on the login page
	Nav     string // the active menu entry
	Refresh int    // seconds before the page reloads itself; 0 = never
	Page    any
}

// parsePages parses each page template together with the layout.
func parsePages(c *Console) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"when":     c.formatTime,
		"whenp":    func(t *time.Time) string { return c.formatTimePtr(t) },
		"duration": vnfmt.Duration,
		"num":      formatInt,
		"size":     formatSize,
		"st":       func(s any) string { return "st-" + fmt.Sprint(s) },
		"outcome":  runs.FileOutcomeLabel,
		"add":      func(a, b int) int { return a + b },
		"join":     strings.Join,
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: parse template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render writes a page with the layout. It renders into a buffer first, so a template error
// gives a clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, ld layoutData) {
	t, ok := c.pages[page]
	if !ok {
		c.log.Error("no such page template", zap.String("page", page))
		http.Error(w, "Lỗi nội bộ", http.StatusInternalServerError)
		return
	}
	if ld.User == "" {
		if p := who(r); p.Name != "" {
			ld.User = p.Name
		}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, ld); err != nil {
		c.log.Error("render page", zap.String("page", page), zap.Error(err))
		http.Error(w, "Lỗi nội bộ khi hiển thị trang", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a message for the office with a way back.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", layoutData{Title: "Lỗi", Page: struct {
		Status  int
		Message string
	}{status, msg}})
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.pageError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.PageNotFound))
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/runs", http.StatusSeeOther)
}

// static serves the embedded style sheet.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(assets, "static/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".png":
		w.Header().Set("Content-Type", "image/png")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

// ---- JSON ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (c *Console) apiNotFound(w http.ResponseWriter, r *http.Request) {
	c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.APINotFound))
}

// ---- formatting ----

func (c *Console) formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(c.d.Location).Format("02/01/2006 15:04:05")
}

func (c *Console) formatTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return c.formatTime(*t)
}

// formatInt groups thousands with dots, as Vietnamese writes numbers: 1.234.567.
func formatInt(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	default:
		return fmt.Sprint(v)
	}
	return vnfmt.Int(n)
}

// formatSize writes a byte count with one decimal (Vietnamese comma): "1,5 MB".
func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return strings.Replace(fmt.Sprintf("%.1f KB", float64(n)/(1<<10)), ".", ",", 1)
	default:
		return fmt.Sprintf("%d byte", n)
	}
}
