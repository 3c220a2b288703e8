package console

import (
	"errors"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"ntm/runs"
)

type runPage struct {
	Run runView
}

// runShow shows one run: its steps with their progress and counts, its files and its error.
// The page reloads itself every few seconds while the run is in progress.
func (c *Console) runShow(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return
	}
	run, err := c.d.Runs.Get(r.Context(), id)
	if errors.Is(err, runs.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "Không có lượt chạy số "+strconv.FormatInt(id, 10)+".")
		return
	}
	if err != nil {
		c.log.Error("get run", zap.Int64("run", id), zap.Error(err))
		c.errorPage(w, r, http.StatusServiceUnavailable, "Không đọc được lượt chạy: cơ sở dữ liệu không trả lời.")
		return
	}
	v := newRunView(run)
	refresh := 0
	if v.Running {
		refresh = 2
	}
	c.render(w, r, http.StatusOK, "run", layoutData{Title: "Lượt chạy số " + strconv.FormatInt(id, 10), Nav: "runs", Refresh: refresh, Page: runPage{Run: v}})
}
