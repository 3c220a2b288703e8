// Package reports owns what ntm hands to people: the Excel workbooks of an evaluation
// period — one per recipient (a district, or a commune where the province has no district level at
// the period end) and one per province —, the fill-in templates districts and communes return
// (template.go, `ntm template`), and the delivery of workbooks into the output folder and by e-mail,
// recorded in the delivery table (deliver.go). A workbook is built from what the database holds for
// the period: the results of the newest evaluation (and of the previous evaluated period, for the
// trends), the criteria of its set, the current facts (digital addresses, OCOP products and listings),
// the batches (source files) and their rejected rows. reports never imports ingest or transform; it
// reads the stored tables only. docs/reports.md describes the sheets and the decisions.
//
// Each sheet is written by its own function (sheet_*.go).
//
// Decisions (more in docs/reports.md):
//
//   - A workbook's bytes depend on the data only: it shows and stores the receipt time of its newest
//     source file (not the time it was written), and its zip parts are written in a fixed order, so an
//     unchanged workbook has the same SHA-256 and Deliver never sends it twice.
//   - Percentages are written as numbers already truncated to 0.1% (⌊1000·num/den⌋/1000) with the number
//     format "0.0%", so Excel shows a value rounded down (99.96% shows as 99.9%, never 100.0%) while
//     filters and sorting still work on numbers. Texts (thresholds, legends) use the same truncation.
//   - The village, digital-address, OCOP and data-quality sheets are written with excelize's
//     StreamWriter (a national workbook holds ~80,000 villages); their size is counted first because a
//     streamed sheet's dimension and page breaks are written when the stream starts (the
//     data-quality sheet lays its rows out on pages first, repeating a continued part's header). Small sheets (summary with its
//     charts, districts, online services, notes) are written in normal mode.
//   - Source files of a period: batches received before the evaluation ran whose as-of date (or, when
//     none, received date) lies within the criteria set's staleness window before the period end and
//     not after it. Revoked and replaced batches in that window are listed too, with their status,
//     because they explain missing data. Files rejected whole are not: they hold no data, and a
//     stray file (a README.md loaded by mistake) must not change every workbook's bytes, which
//     would deliver them all again. The console's file list and ntm batch list show them.
//   - Rejected rows carry no unit code. The province workbook lists every rejected row of the period's
//     source files. A recipient workbook lists those whose raw text names the recipient or one of its
//     communes (ASCII-folded name as whole words) or holds one of their 5-digit codes (village codes
//     "<commune>-NNN" included) — a row that names no unit cannot be attributed and shows in the
//     province workbook only. At most maxRejectRows rows are listed per workbook, then a line says how
//     many more there are.
//   - Missing data lists the no_data results of the scope except the composite criteria (SMART_VILLAGE,
//     C8_SMART_VILLAGE, D95), whose no_data only repeats their parts'. A result counts as stale data
//     when its detail says "stale": true or its explanation speaks of old data ("cũ", "quá hạn").
//   - Sheets with one table freeze the header and filter the table; sheets that stack several small
//     blocks (summary, data quality) filter their last, largest table and freeze nothing, so the
//     screen is not filled by frozen rows.
//   - Times are shown in Vietnam time (UTC+7, no daylight saving).
package reports
