package jobs

import (
	"context"
	"os"
	"path/filepath"
	"sort"

	"go.uber.org/zap"

	"ntm"
	"ntm/actions"
	"ntm/config"
	"ntm/msg"
	"ntm/reports"
)

// SMTP is the configured mail server as reports sends through it.
func (r *Runner) SMTP() reports.SMTPConfig {
	s := r.Config.Reports.SMTP
	return reports.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From,
		Timeout: r.Config.Network.Timeout}
}

// Resend sends one recorded e-mail again now (the console's "Gửi lại", ntm deliveries resend N)
// and records it as an office action with who asked and why (the reason may be empty).
func (r *Runner) Resend(ctx context.Context, id int64, by, reason string) (*reports.Delivery, error) {
	d, err := reports.Resend(ctx, r.Pool, id, r.SMTP())
	if err != nil {
		return nil, err
	}
	detail := map[string]any{"recipient": d.Recipient, "address": d.Address, "file": filepath.Base(d.FilePath), "outcome": d.Outcome}
	if err := actions.Record(context.WithoutCancel(ctx), r.Pool, actions.KindDeliveryResend, id, reason, by, detail); err != nil {
		r.Log.Error("record resend", zap.Int64("delivery", id), zap.Error(err))
	}
	return d, nil
}

// SendPeriod delivers the period's workbooks now, as a run does after writing them: what a run
// held back because sources were missing (the console's "Gửi báo cáo", ntm deliveries send P).
// Workbooks already sent to an address are not sent again. Recorded as an office action.
func (r *Runner) SendPeriod(ctx context.Context, p ntm.Period, by, reason string) (reports.DeliveryReport, error) {
	dir := filepath.Join(r.Config.Reports.OutDir, p.String())
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if err != nil || len(files) == 0 {
		if _, serr := os.Stat(dir); serr != nil || err == nil {
			return reports.DeliveryReport{}, ntm.Errorf(ntm.CodeNotFound, "%s", msg.NoWorkbooks(p.String()))
		}
		return reports.DeliveryReport{}, ntm.Wrap(ntm.CodeOperator, err, "%s", msg.NoWorkbooks(p.String()))
	}
	sort.Strings(files)
	rep, err := reports.Deliver(ctx, r.Pool, files, r.Config.Reports.Recipients, r.SMTP())
	if err != nil {
		return rep, ntm.Wrap(ntm.CodeUnavailable, err, "%s", msg.DatabaseDown)
	}
	detail := map[string]any{"period": p.String(), "workbooks": len(files), "sent": rep.Sent, "failed": rep.Failed, "already": rep.Already}
	if err := actions.Record(context.WithoutCancel(ctx), r.Pool, actions.KindDeliverPeriod, 0, reason, by, detail); err != nil {
		r.Log.Error("record period delivery", zap.String("period", p.String()), zap.Error(err))
	}
	return rep, nil
}

// PlannedSteps are the step names a run of job will record, in order ("pull SOURCE" per
// source, "evaluate", "report"), so a run's page can list the steps not started yet.
func (r *Runner) PlannedSteps(job string) []string {
	j, err := r.job(job)
	if err != nil {
		return nil
	}
	var out []string
	for _, step := range j.Steps {
		switch step {
		case config.StepPull:
			sources := r.Config.SourcesOf(j)
			if len(sources) == 0 {
				out = append(out, "pull")
			}
			for _, src := range sources {
				out = append(out, "pull "+src.Name)
			}
		default:
			out = append(out, step)
		}
	}
	return out
}
