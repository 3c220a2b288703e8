package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ntm"
	"ntm/reports"
	"ntm/transform/value"
)

const templateSynopsis = "ntm template --dataset D [--recipient CODE] [--period P] [--prefill] [--date DATE] --out FILE: " +
	"write a fill-in workbook (village_survey, vpostcode, ocop_products, ocop_listings)"

// runTemplate writes a fill-in workbook for a district or commune (reports.WriteTemplate).
func runTemplate(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var dataset, recipient, out, date, period string
	var prefill bool
	fs := newFlagSet(e, "template", templateSynopsis)
	d.register(fs)
	fs.StringVar(&dataset, "dataset", "", "dataset: village_survey, vpostcode, ocop_products or ocop_listings")
	fs.StringVar(&recipient, "recipient", "", "the district's, commune's or province's unit code (default: the whole province)")
	fs.StringVar(&period, "period", "", "the reporting period the answers are for, YYYY-MM, named in the title (default: the month of --date, else this month)")
	fs.BoolVar(&prefill, "prefill", false, "village_survey, vpostcode: pre-fill each village's last loaded answers (as of the period's end), shaded, to check")
	fs.StringVar(&date, "date", "", "the unit structure in force on this day, dd/mm/yyyy or YYYY-MM-DD (default: today, or the end of --period when earlier)")
	fs.StringVar(&out, "out", "", "the workbook to write (.xlsx)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var names []string
	for _, ds := range reports.TemplateDatasets {
		names = append(names, string(ds))
	}
	if dataset == "" {
		return usagef("--dataset is required: one of %s", strings.Join(names, ", "))
	}
	ds, err := ntm.ParseDataset(dataset)
	if err != nil {
		return usagef("%v", err)
	}
	if out == "" {
		return usagef("--out is required: the .xlsx file to write")
	}
	if !strings.HasSuffix(strings.ToLower(out), ".xlsx") {
		return usagef("--out %s: the template is an Excel workbook, name it .xlsx", out)
	}
	var day time.Time
	if date != "" {
		if day, err = value.ParseDate(date, false); err != nil {
			return usagef("--date %q: %v", date, err)
		}
	}
	var p ntm.Period
	if period != "" {
		if p, err = parsePeriodFlag(period); err != nil {
			return err
		}
	}
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	if err := reports.WriteTemplate(ctx, pool, ds, out, reports.TemplateOptions{Recipient: recipient, Date: day, Period: p, Prefill: prefill}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}
