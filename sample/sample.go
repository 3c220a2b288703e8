// Package sample generates realistic, messy sample exports for the demo and the benchmarks.
//
// It writes files only and never touches the database: `ntm demo` loads what it writes through the
// normal `ntm ingest` path. The exports look like the ones the offices really send (title blocks,
// merged two-row headers, column-number rows, group and subtotal rows, signatures, Vietnamese number
// text, NFD text, varied column orders) and contain a few planted row errors the loader must reject.
//
// Everything is drawn from a plan (see plan.go) that is built first from the unit list and a seed;
// the same plan yields the files and the statuses the evaluation is expected to produce
// (Manifest.Expected), so tests elsewhere can compare the pipeline's results with the design.
// Output is deterministic for a seed, and a file whose bytes would not change is left untouched.
package sample

import (
	"fmt"
	"time"

	"ntm"
)

// Options says where to write and how to vary the data.
type Options struct {
	Dir    string     // the folder written into (the demo passes DIR/inputs); created when missing
	Seed   int64      // the same seed gives byte-identical files
	Period ntm.Period // the period the data is designed for; zero means 2024-12
	// Reform adds Lạng Sơn's 2025 changes of structure and the exports of 2025–2026 after the
	// 2024 files (LangSon only; see reform.go): Manifest.Files then holds both, in load order, and
	// Manifest.Expected the designed statuses at 2024-12, 2025-09 and 2026-11.
	Reform bool
}

// Manifest lists the files written, in the order they should be loaded (units first).
type Manifest struct {
	Files []File
	// Expected holds the status the plan was designed to give every village, commune and district
	// criterion at the period (sorted by unit code, then criterion). See Expectation.
	Expected []Expectation
}

// File is one written export.
type File struct {
	Path        string
	Dataset     ntm.Dataset
	AsOf        *time.Time // set when the file itself carries no as-of date and the loader needs --as-of
	Description string
	// Period is the period the file's data belongs to (passed as --period when loading).
	Period ntm.Period
	// ValidFrom is set on a structure or successor file of a change of structure: it is imported with
	// `ntm units import FILE --valid-from D` (never through ingest).
	ValidFrom *time.Time
}

// Expectation is the designed outcome of one criterion for one unit at Options.Period.
type Expectation struct {
	Period    ntm.Period
	UnitCode  string
	Level     ntm.Level
	Criterion string
	Status    ntm.Status
	Why       string // a short English note on how the data was built to give this status
}

func (o Options) period() ntm.Period {
	if o.Period.Year == 0 {
		return ntm.Period{Year: 2024, Month: time.December}
	}
	return o.Period
}

func (o Options) check() error {
	if o.Dir == "" {
		return fmt.Errorf("sample: no output folder given")
	}
	p := o.period()
	if p.Month < 1 || p.Month > 12 || p.Year < 2000 || p.Year > 9999 {
		return fmt.Errorf("sample: period %s is not a valid month", p)
	}
	return nil
}

// LangSon writes the province-scale sample for Lạng Sơn as it stood in 2022–2024: the real 11
// districts and 200 communes, 1,676 made-up villages (1,523 thôn and 153 tổ dân phố), and messy
// exports for every dataset. Every criterion's three statuses occur at the period, except V5_OCOP
// no_data, which needs no OCOP product list at all (load the manifest without its ocop_* files).
//
// Villages: about one in five is designed smart (pilot communes only); the rest fail a condition or
// lack data (not in the survey, a survey answer left blank, a survey or vpostcode row older than 12
// months, a planted bad row). About a fifth of the communes with OCOP products have a valid product
// with no active listing, which fails V5 for all their villages.
//
// Indicator 9.5 by district (see langSonDVCDesign): procedures met everywhere except Tràng Định and
// Hữu Lũng (a few short: not met), Đình Lập (nothing reported) and Văn Quan (only the district and ten
// communes reported; expected no_data on the assumption that a missing unit means no data). Dossiers
// met (75–88%) except Văn Lãng (~55%), Đình Lập (~45%), Hữu Lũng (exactly 69.9%) and Văn Quan (nothing
// reported: no data). Cao Lộc and Chi Lăng also come as record-level CSV exports whose totals equal
// their aggregated rows.
func LangSon(opts Options) (Manifest, error) {
	if err := opts.check(); err != nil {
		return Manifest{}, err
	}
	if opts.Reform && opts.period() != (ntm.Period{Year: 2024, Month: time.December}) {
		return Manifest{}, fmt.Errorf("sample: the 2025 changes follow the 2024-12 sample; period %s is not supported with them", opts.period())
	}
	units, err := langSonUnits()
	if err != nil {
		return Manifest{}, err
	}
	p := buildLangSonPlan(units, opts.Seed, opts.period())
	man, err := p.write(opts.Dir)
	if err != nil || !opts.Reform {
		return man, err
	}
	rf, err := buildReform(p)
	if err != nil {
		return Manifest{}, err
	}
	rf.design()
	more, err := rf.write(opts.Dir)
	if err != nil {
		return Manifest{}, err
	}
	man.Files = append(man.Files, more.Files...)
	man.Expected = append(man.Expected, more.Expected...)
	return man, nil
}
