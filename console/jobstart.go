package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.uber.org/zap"

	"ntm"
	"ntm/jobs"
	"ntm/runs"
)

// startRefusal says why a run was not started, for the office (and the API's error).
type startRefusal struct {
	Status  int
	Message string
	Holder  *runs.Run // the run holding the pipeline lock, when that is the reason
}

// startJob starts job for period ("" = the job's own period rule) on behalf of p, in the
// background, and returns the new run's id.
func (c *Console) startJob(ctx context.Context, p *principal, job, period string) (int64, *startRefusal) {
	job = strings.TrimSpace(job)
	if job == "" {
		job = c.d.JobNames[0]
	}
	if !slices.Contains(c.d.JobNames, job) {
		return 0, &startRefusal{Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Không có công việc %q trong cấu hình; chọn một trong: %s.", job, strings.Join(c.d.JobNames, ", "))}
	}
	req := jobs.Request{Job: job, Trigger: p.Trigger, By: p.Name}
	if period = strings.TrimSpace(period); period != "" {
		per, err := ntm.ParsePeriod(period)
		if err != nil {
			return 0, &startRefusal{Status: http.StatusBadRequest,
				Message: fmt.Sprintf("Kỳ %q không đúng dạng năm-tháng (ví dụ 2024-12).", period)}
		}
		req.Period = per
	}
	id, _, err := c.d.Jobs.Start(ctx, req)
	var locked *runs.LockedError
	switch {
	case err == nil:
		c.log.Info("run started", zap.Int64("run", id), zap.String("job", job), zap.String("period", period),
			zap.String("trigger", string(p.Trigger)), zap.String("by", p.Name))
		return id, nil
	case errors.As(err, &locked):
		return 0, &startRefusal{Status: http.StatusConflict, Message: c.lockedMessage(locked.Holder), Holder: locked.Holder}
	case errors.Is(err, runs.ErrLocked):
		return 0, &startRefusal{Status: http.StatusConflict, Message: c.lockedMessage(nil)}
	case errors.Is(err, jobs.ErrUnknownJob):
		return 0, &startRefusal{Status: http.StatusBadRequest, Message: fmt.Sprintf("Không có công việc %q trong cấu hình.", job)}
	default:
		c.log.Error("start run", zap.String("job", job), zap.Error(err))
		return 0, &startRefusal{Status: http.StatusServiceUnavailable, Message: "Không khởi động được lượt chạy: " + err.Error()}
	}
}

// lockedMessage names the run holding the pipeline lock.
func (c *Console) lockedMessage(h *runs.Run) string {
	if h == nil {
		return "Một lượt chạy khác vừa bắt đầu và đang giữ khóa của hệ thống. Hãy thử lại sau ít phút."
	}
	by := triggerLabel(h.Trigger)
	if h.TriggeredBy != "" {
		by = h.TriggeredBy + " (" + by + ")"
	}
	period := ""
	if h.Period != "" {
		period = ", kỳ " + h.Period
	}
	return fmt.Sprintf("Chưa thể chạy: lượt chạy số %d (công việc %s%s, do %s khởi động lúc %s) đang chạy. Chỉ một lượt chạy được phép tại một thời điểm; hãy đợi lượt đó kết thúc.",
		h.ID, h.Job, period, by, c.formatTime(h.StartedAt))
}
