package console

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ntm"
)

// reportFile is one workbook in the report folder.
type reportFile struct {
	Period   string    `json:"period"`
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	URL      string    `json:"url"` // the page download; the API adds /api in front
}

type reportPeriod struct {
	Period string       `json:"period"`
	Files  []reportFile `json:"files"`
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// listReports lists <ReportDir>/<YYYY-MM>/*.xlsx, newest period first. Symbolic links are not
// listed; a missing report folder is an empty list (no run has written reports yet).
func (c *Console) listReports() ([]reportPeriod, error) {
	entries, err := os.ReadDir(c.d.ReportDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the report folder %s: %w", c.d.ReportDir, err)
	}
	var out []reportPeriod
	for _, e := range entries {
		if !e.IsDir() || !isPeriodName(e.Name()) {
			continue
		}
		files, err := os.ReadDir(filepath.Join(c.d.ReportDir, e.Name()))
		if err != nil {
			continue
		}
		rp := reportPeriod{Period: e.Name(), Files: []reportFile{}}
		for _, f := range files {
			if !f.Type().IsRegular() || !isReportName(f.Name()) {
				continue
			}
			info, err := f.Info()
			if err != nil {
				continue
			}
			rp.Files = append(rp.Files, reportFile{Period: e.Name(), Name: f.Name(), Size: info.Size(), Modified: info.ModTime(),
				URL: "/reports/" + e.Name() + "/" + f.Name()})
		}
		if len(rp.Files) > 0 {
			out = append(out, rp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Period > out[j].Period })
	return out, nil
}

func isPeriodName(s string) bool {
	p, err := ntm.ParsePeriod(s)
	return err == nil && p.String() == s
}

// isReportName accepts a plain workbook name: no folder part, no leading dot, .xlsx.
func isReportName(s string) bool {
	return s != "" && filepath.IsLocal(s) && !strings.ContainsAny(s, `/\`) && !strings.HasPrefix(s, ".") &&
		strings.EqualFold(filepath.Ext(s), ".xlsx")
}

var errNoReport = errors.New("no such report")

// serveReport sends <ReportDir>/<period>/<name> as a download. The names are checked (a
// period, a plain .xlsx name), and the file is opened through an os.Root on the report folder,
// so neither "..", an absolute path nor a symbolic link can reach a file outside it.
func (c *Console) serveReport(w http.ResponseWriter, r *http.Request) error {
	period, name := r.PathValue("period"), r.PathValue("name")
	if !isPeriodName(period) || !isReportName(name) {
		return errNoReport
	}
	root, err := os.OpenRoot(c.d.ReportDir)
	if err != nil {
		return errNoReport
	}
	defer root.Close()
	f, err := root.Open(period + "/" + name)
	if err != nil {
		return errNoReport
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return errNoReport
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, name, info.ModTime(), f)
	return nil
}
