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

const templateSynopsis = "ntm template --dataset D [--recipient CODE] [--date DATE] --out FILE: write a fill-in workbook " +
	"(village_survey, vpostcode, ocop_products, ocop_listings)"

// runTemplate writes a fill-in workbook for a district or commune (reports.WriteTemplate).
func runTemplate(ctx context.Context, e *env, args []string) error {
	var d dbFlags
	var dataset, recipient, out, date string
	fs := newFlagSet(e, "template", templateSynopsis)
	d.register(fs)
	fs.StringVar(&dataset, "dataset", "", "dataset: village_survey, vpostcode, ocop_products or ocop_listings")
	fs.StringVar(&recipient, "recipient", "", "the district's, commune's or province's unit code (default: the whole province)")
	fs.StringVar(&date, "date", "", "the unit structure in force on this day, dd/mm/yyyy or YYYY-MM-DD (default: today)")
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
	pool, err := e.connect(ctx, d)
	if err != nil {
		return err
	}
	if err := reports.WriteTemplate(ctx, pool, ds, out, reports.TemplateOptions{Recipient: recipient, Date: day}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}
