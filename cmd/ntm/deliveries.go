package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"ntm"
	"ntm/jobs"
	"ntm/msg"
	"ntm/reports"
)

const deliveriesSynopsis = "ntm deliveries [list] [--period P] [--failed] | resend N [--reason TEXT] | send --period P [--reason TEXT]: who received which workbook and which sends failed; send one e-mail again; send a period's workbooks a run held back"

func runDeliveries(ctx context.Context, e *env, args []string) error {
	sub := "list"
	if len(args) > 0 && (args[0] == "list" || args[0] == "resend" || args[0] == "send") {
		sub, args = args[0], args[1:]
	}
	var d dbFlags
	var cf configFlag
	var period, reason string
	var failed bool
	fs := newFlagSet(e, "deliveries "+sub, deliveriesSynopsis)
	d.register(fs)
	cf.register(fs)
	fs.StringVar(&period, "period", "", "period, YYYY-MM")
	if sub == "list" {
		fs.BoolVar(&failed, "failed", false, "only the e-mails not sent yet (failed, or waiting)")
	} else {
		fs.StringVar(&reason, "reason", "", "why, recorded with the action")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	pool, err := e.connectConfig(ctx, d, cfg)
	if err != nil {
		return err
	}
	r := jobs.NewRunner(pool, cfg, e.log)
	loc := e.location()
	switch sub {
	case "resend":
		if fs.NArg() != 1 {
			return usagef("name exactly one delivery number (see ntm deliveries)")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || id <= 0 {
			return usagef("delivery number %q is not a positive integer", fs.Arg(0))
		}
		got, err := r.Resend(ctx, id, osUser(), reason)
		if err != nil {
			return err
		}
		if got.Outcome != "sent" {
			return ntm.Errorf(ntm.CodeUnavailable, "Gửi lại lần gửi số %d tới %s không được: %s", id, got.Address, got.Error)
		}
		fmt.Fprintln(e.stdout, msg.DeliveryResent(id, filepath.Base(got.FilePath), got.Address))
		return nil
	case "send":
		if fs.NArg() != 0 {
			return usagef("ntm deliveries send takes no arguments: name the period with --period")
		}
		p, err := parsePeriodFlag(period)
		if err != nil {
			return err
		}
		rep, err := r.SendPeriod(ctx, p, osUser(), reason)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg.DeliveriesSent(p.String(), rep.Sent, rep.Already, rep.Failed))
		if rep.Failed > 0 {
			return rep.Err()
		}
		return nil
	}
	if fs.NArg() != 0 {
		return usagef("use: %s", deliveriesSynopsis)
	}
	var p ntm.Period
	if period != "" {
		if p, err = parsePeriodFlag(period); err != nil {
			return err
		}
	}
	list, err := reports.DeliveryStatus(ctx, pool, p)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tRECIPIENT\tTO\tWORKBOOK\tOUTCOME\tATTEMPTS\tAT\tERROR")
	for _, x := range list {
		if failed && (x.Channel != "email" || (x.Outcome != "failed" && x.Outcome != "pending")) {
			continue
		}
		at := x.LastAttemptAt
		if x.SentAt != nil {
			at = x.SentAt
		}
		when := "-"
		if at != nil {
			when = at.In(loc).Format("2006-01-02 15:04")
		}
		to := x.Address
		if x.Channel == "folder" {
			to = "folder " + x.Address
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", x.ID, x.Period, x.Recipient, to, filepath.Base(x.FilePath),
			x.Outcome, x.Attempts, when, shorten(orDash(x.Error), 70))
	}
	return tw.Flush()
}
