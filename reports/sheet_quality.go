package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/dataset"
	"ntm/db"
	"ntm/fold"
	"ntm/units"
	"ntm/vnfmt"
)

// maxRejectRows bounds the rejected rows listed in one workbook (a million-row export with 15%
// rejects must not make a million-row report); the sheet says how many more there are.
const maxRejectRows = 5000

// batchInfo is one source file of the period.
type batchInfo struct {
	ID                        int64
	Dataset, FileName, Source string
	Received                  time.Time
	AsOf                      *time.Time
	Read, Loaded, Rejected    int
	Status, Message, SHA256   string
}

// rejectInfo is one rejected row with its file.
type rejectInfo struct {
	BatchID                 int64
	FileName, Dataset       string
	Sheet, Col, Reason, Raw string
	Row                     int
	Date                    time.Time // the file's as-of date, else the day it was received
}

// sourceBatches are the files of the period: received before the evaluation, with data (as-of date,
// else received date) within the staleness window ending at the period end. A file rejected whole
// holds no data and is left out: a stray README.md must neither show in every recipient's
// workbook nor change its bytes (and so send it again); the console and ntm batch list show it.
// Of the files that loaded, only those the evaluation's snapshot counted (evaluation.batch_ids):
// one committed after the snapshot, by a load that ran while the evaluation did, was received
// before evaluated_at yet gave nothing to the figures. The same for every workbook of a run: read
// once (sources).
func (w *workbook) sourceBatches(ctx context.Context) ([]batchInfo, error) {
	src, err := w.d.sources(ctx, w.q)
	if err != nil {
		return nil, err
	}
	return src.batches, nil
}

func readSourceBatches(ctx context.Context, q db.Querier, d *data) ([]batchInfo, error) {
	end := d.period.End()
	cutoff := end.AddDate(0, -d.eval.StaleMonths, 0)
	rows, err := q.Query(ctx, `
		SELECT id, dataset, file_name, source_uri, received_at, as_of, rows_read, rows_loaded, rows_rejected,
		       status, message, sha256
		FROM batch
		WHERE received_at <= $1 AND (as_of IS NULL OR as_of <= $2) AND status <> 'rejected'
		  AND COALESCE(as_of, (received_at AT TIME ZONE 'UTC')::date) > $3
		  AND ($4::bigint[] IS NULL OR id = ANY($4))
		ORDER BY dataset, received_at, id`, d.eval.At, end, cutoff, d.eval.Batches)
	if err != nil {
		return nil, fmt.Errorf("read the source files: %w", err)
	}
	defer rows.Close()
	var out []batchInfo
	for rows.Next() {
		var b batchInfo
		if err := rows.Scan(&b.ID, &b.Dataset, &b.FileName, &b.Source, &b.Received, &b.AsOf, &b.Read, &b.Loaded,
			&b.Rejected, &b.Status, &b.Message, &b.SHA256); err != nil {
			return nil, fmt.Errorf("read the source files: %w", err)
		}
		if b.FileName == "" {
			b.FileName = b.Source
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// rejectTokens are the scope's unit names and codes as rejected rows' folded text would hold them
// (" name words ", " code "), with those of the units its communes were formed from; nil for a
// province's workbook, which lists every rejected row.
func (w *workbook) rejectTokens(h *units.History) []string {
	if w.sc.province {
		return nil
	}
	var tokens []string
	add := func(name, folded, code string) {
		if folded == "" {
			folded = name
		}
		if t := words(fold.ASCII(folded)); t != "" {
			tokens = append(tokens, " "+t+" ")
		}
		if len(code) >= 5 {
			tokens = append(tokens, " "+words(code)+" ")
		}
	}
	addUnit := func(u *unit) {
		add(u.Name, u.Folded, u.Code)
		// After a change of structure a file may still name the units a commune was formed
		// from (its 2024 export, "X. Liên Sơn"): their rows concern it too.
		if v := h.At(u.Code, w.d.period.End()); v != nil {
			for _, a := range h.Predecessors(v) {
				if !a.Partial {
					add(a.Version.Name, a.Version.Folded, a.Version.Code)
				}
			}
		}
	}
	addUnit(w.sc.unit)
	for _, c := range w.sc.communes {
		if c != w.sc.unit {
			addUnit(c)
		}
	}
	return tokens
}

// rejectText is a rejected row's raw text as rejectTokens are compared with.
func rejectText(raw string) string { return " " + words(fold.ASCII(raw)) + " " }

// matchesTokens tells whether a rejected row's folded text (rejectText) names one of the tokens;
// nil tokens match every row.
func matchesTokens(text string, tokens []string) bool {
	if tokens == nil {
		return true
	}
	for _, t := range tokens {
		if strings.Contains(text, t) {
			return true
		}
	}
	return false
}

// rejects lists the rejected rows of the batches that concern the scope, at most maxRejectRows, and
// how many matching rows there are in all.
func (w *workbook) rejects(ctx context.Context, batches []batchInfo) ([]rejectInfo, int, error) {
	out, _, total, err := w.scopeRejects(ctx, batches)
	return out, total, err
}

// scopeRejects is rejects with each listed row's folded text in lower case (the tracer's). The
// run's source files' rejected rows are read and folded once (sources) when there are not too
// many; else each workbook reads them.
func (w *workbook) scopeRejects(ctx context.Context, batches []batchInfo) (out []rejectInfo, lower []string, total int, err error) {
	if len(batches) == 0 {
		return nil, nil, 0, nil
	}
	src, err := w.d.sources(ctx, w.q)
	if err != nil {
		return nil, nil, 0, err
	}
	h, err := w.history(ctx) // not while rows are open: a transaction's connection runs one query at a time
	if err != nil {
		return nil, nil, 0, err
	}
	tokens := w.rejectTokens(h)
	if src.allRejects {
		for i := range src.rejects {
			r := &src.rejects[i]
			if !matchesTokens(r.text, tokens) {
				continue
			}
			total++
			if len(out) < maxRejectRows {
				out = append(out, r.rejectInfo)
				lower = append(lower, r.lower)
			}
		}
		return out, lower, total, nil
	}
	err = eachReject(ctx, w.q, batches, func(r rejectInfo) {
		text := rejectText(r.Raw)
		if !matchesTokens(text, tokens) {
			return
		}
		total++
		if len(out) < maxRejectRows {
			out = append(out, r)
			lower = append(lower, strings.ToLower(text))
		}
	})
	return out, lower, total, err
}

// eachReject calls fn with every rejected row of the batches, in the order the workbooks list them.
func eachReject(ctx context.Context, q db.Querier, batches []batchInfo, fn func(rejectInfo)) error {
	ids := make([]int64, len(batches))
	for i, b := range batches {
		ids[i] = b.ID
	}
	rows, err := q.Query(ctx, `
		SELECT r.batch_id, b.file_name, b.source_uri, b.dataset, r.sheet, r.row_no, r.col, r.reason, r.raw,
		       COALESCE(b.as_of, (b.received_at AT TIME ZONE 'UTC')::date)
		FROM rejected_row r JOIN batch b ON b.id = r.batch_id
		WHERE r.batch_id = ANY($1)
		ORDER BY b.dataset, b.received_at, r.batch_id, r.sheet, r.row_no, r.col`, ids)
	if err != nil {
		return fmt.Errorf("read the rejected rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r rejectInfo
		var src string
		if err := rows.Scan(&r.BatchID, &r.FileName, &src, &r.Dataset, &r.Sheet, &r.Row, &r.Col, &r.Reason, &r.Raw, &r.Date); err != nil {
			return fmt.Errorf("read the rejected rows: %w", err)
		}
		if r.FileName == "" {
			r.FileName = src
		}
		fn(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the rejected rows: %w", err)
	}
	return nil
}

// missingAbove lists the no_data results of the scope's units above the villages.
func (w *workbook) missingAbove() []*result {
	d, sc := w.d, w.sc
	var units []*unit
	if sc.province {
		units = append(units, sc.unit)
	}
	units = append(units, sc.districts...)
	units = append(units, sc.communes...)
	var out []*result
	for _, u := range units {
		var keys []string
		for k, r := range d.resultsOf(u.Code) {
			if r.Status == ntm.StatusNoData && !d.composite(k) {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return d.criterionLess(keys[i], keys[j]) })
		for _, k := range keys {
			out = append(out, d.res(u.Code, k))
		}
	}
	return out
}

// missingDatasets are the datasets the criteria need with no loaded file in the period's window
// (their declarations say which).
func missingDatasets(batches []batchInfo) []string {
	loaded := map[ntm.Dataset]bool{}
	for _, b := range batches {
		if b.Status == "loaded" {
			loaded[ntm.Dataset(b.Dataset)] = true
		}
	}
	var out []string
	for _, ds := range dataset.Missing(loaded) {
		out = append(out, string(ds))
	}
	return out
}

// writeQuality writes the data-quality sheet: the source files, the rejected rows, then every unit
// and criterion without usable data (the long, filtered table, last). Streamed: a national workbook
// may list hundreds of thousands of missing values.
func (w *workbook) writeQuality(ctx context.Context) error {
	const sh = sheetQuality
	d, sc, st := w.d, w.sc, w.st
	batches, err := w.sourceBatches(ctx)
	if err != nil {
		return err
	}
	rejects, rejectTotal, err := w.rejects(ctx, batches)
	if err != nil {
		return err
	}
	above := w.missingAbove()
	villageMissing, err := w.countMissingVillages(ctx)
	if err != nil {
		return err
	}
	noDatasets := missingDatasets(batches)
	shared, err := w.sharedProducts(ctx)
	if err != nil {
		return err
	}

	// Columns. A recipient sees no batch numbers, hashes or raw row contents (its office has
	// them): each rejected row is told by its file, place and reason. The province's workbook,
	// for the office, keeps them (the batch number is what ntm batch commands take).
	office := sc.province
	widths := []float64{5, 28, 18, 16, 11, 9, 9, 9, 11, 36}
	if office {
		widths = []float64{5, 22, 14, 16, 11, 8, 8, 8, 9, 40, 7, 14}
	}
	ncols := len(widths)
	// A load message longer than a row can print (the office's workbook has them whole: a
	// province-wide file names every old unit) continues on the rows under its file's, across the
	// table's width from the second column, its lines run on.
	const msgCol = 10
	fitted := fitWidths(append([]float64(nil), widths...))
	wide := 0.0
	for _, wd := range fitted[1:] {
		wide += wd
	}
	// The files' notes as the workbook shows them: a recipient's own units' only, the old names
	// counted in the file's row and listed by commune in section 4.
	h, err := w.history(ctx)
	if err != nil {
		return err
	}
	ns := w.noteScope(h)
	msgs := make([][]string, len(batches))
	var olds []oldName
	for i, b := range batches {
		fn := ns.notesOf(b)
		olds = append(olds, fn.olds...)
		msgs[i] = w.textChunks(fn.rowMessage(4), fitted[msgCol-1], w.st.wrap, "\n")
		if len(msgs[i]) > 1 {
			msgs[i] = append(msgs[i][:1], w.textChunks(strings.Join(msgs[i][1:], "\n"), wide, w.st.wrap, "; ")...)
		}
	}
	// Section 4: per commune and file, the old names, in as many rows as the list needs.
	const oldCol = 6 // the list spans from here to the last column
	listWide := 0.0
	for _, wd := range fitted[oldCol-1:] {
		listWide += wd
	}
	order := sc.communeOrder()
	groups := groupOldNames(olds, func(a, b string) bool {
		i, okA := order[a]
		j, okB := order[b]
		if okA != okB {
			return okA
		}
		if okA && i != j {
			return i < j
		}
		return a < b
	})
	lists := make([][]string, len(groups))
	for i, g := range groups {
		texts := make([]string, len(g.names))
		for j, o := range g.names {
			texts[j] = o.text()
		}
		lists[i] = w.textChunks(strings.Join(texts, "\n"), listWide, w.st.wrap, "; ")
	}
	missingTotal := len(above) + villageMissing

	// The rows are laid out first, then streamed: the dimension and the page breaks of a streamed
	// sheet are written before its rows, and where a table continues on the next printed page its
	// header is written again (print titles repeat only the sheet's title).
	var buf []qualityRow
	put := func(cells ...cell) error {
		buf = append(buf, qualityRow{cells: cells})
		return nil
	}
	putSpans := func(spans map[int]int, cells ...cell) error {
		buf = append(buf, qualityRow{cells: cells, spans: spans})
		return nil
	}
	// section starts a part: a blank row, its title (kept with its header and first rows).
	section := func(title string) {
		buf = append(buf, qualityRow{}, qualityRow{cells: []cell{{title, st.section}}, section: true})
	}
	// header writes a table's header row (spans as putSpans).
	header := func(spans map[int]int, cells ...cell) {
		buf = append(buf, qualityRow{cells: cells, spans: spans, header: true})
	}
	hdr := func(names ...string) error {
		header(nil, hdrCells(w, names)...)
		return nil
	}
	if err := put(cell{"CHẤT LƯỢNG DỮ LIỆU – " + sc.unit.Name, st.title}); err != nil {
		return err
	}
	period := periodText(d.period)
	if office {
		// The office's list of missing values is long: it prints the files and the rejected rows.
		period += ". Phần 3 (đơn vị thiếu số liệu hoặc có số liệu cũ) và phần 4 (tên cũ trong tệp nguồn) để lọc, tìm trên máy và không in; từng đơn vị có trong báo cáo gửi đơn vị đó."
	}
	if err := put(w.plain(period)); err != nil {
		return err
	}

	// 1. Source files.
	section("1. Tệp nguồn đã dùng")
	names := []string{"STT", "Tệp", "Bộ dữ liệu", "Nhận lúc", "Số liệu đến ngày", "Dòng đã đọc", "Dòng đã nạp",
		"Dòng bị loại", "Trạng thái", "Ghi chú"}
	if office {
		names = append(names, "Lô số", "SHA-256 (12 ký tự đầu)")
	}
	if err := hdr(names...); err != nil {
		return err
	}
	if len(batches) == 0 {
		if err := put(w.plain(""), w.plain("Chưa có tệp nguồn nào trong kỳ.")); err != nil {
			return err
		}
	}
	for i, b := range batches {
		asOf := w.txt("")
		if b.AsOf != nil {
			asOf = w.txt(b.AsOf.Format("02/01/2006"))
		}
		status := batchStatusNames[b.Status]
		if status == "" {
			status = b.Status
		}
		statusStyle := st.text
		if b.Status != "loaded" {
			statusStyle = st.notMet
		}
		cells := []cell{w.num(i + 1), w.wrap(b.FileName), w.wrap(datasetName(b.Dataset)),
			w.txt(dateTimeText(b.Received)), asOf, w.num(b.Read), w.num(b.Loaded), w.num(b.Rejected),
			cell{status, statusStyle}, w.wrap(msgs[i][0])}
		if office {
			sha := b.SHA256
			if len(sha) > 12 {
				sha = sha[:12]
			}
			cells = append(cells, cell{b.ID, st.integer}, w.txt(sha))
		}
		if err := put(cells...); err != nil {
			return err
		}
		for _, more := range msgs[i][1:] {
			if err := putSpans(map[int]int{2: ncols}, w.txt(""), w.wrap(more)); err != nil {
				return err
			}
		}
	}
	for _, ds := range noDatasets {
		if err := putSpans(map[int]int{2: ncols}, w.plain(""), cell{fmt.Sprintf("Chưa có tệp nào của bộ dữ liệu “%s” trong %d tháng đến cuối kỳ: các tiêu chí dùng bộ dữ liệu này chưa có số liệu.",
			datasetName(ds), d.eval.StaleMonths), st.noDataWrap}); err != nil {
			return err
		}
	}
	for _, text := range shared {
		if err := putSpans(map[int]int{2: ncols}, w.plain(""), w.wrapPlain(text)); err != nil {
			return err
		}
	}

	// 2. Rejected rows.
	title := "2. Dòng số liệu bị loại khi nạp tệp"
	if !sc.province {
		title += " (các dòng có nhắc đến tên hoặc mã của đơn vị; danh sách đầy đủ trong báo cáo toàn tỉnh)"
	}
	section(title)
	reasonSpan := map[int]int{7: ncols}
	rejHdr := []cell{w.hdr("STT"), w.hdr("Tệp"), w.hdr("Bộ dữ liệu"), w.hdr("Trang tính"), w.hdr("Dòng"), w.hdr("Cột"), w.hdr("Lý do")}
	if office {
		reasonSpan = map[int]int{7: 9, 10: ncols}
		rejHdr = append(rejHdr, w.hdr("Nội dung dòng"))
	}
	header(reasonSpan, rejHdr...)
	if len(rejects) == 0 {
		if err := put(w.plain(""), w.plain("Không có dòng nào bị loại.")); err != nil {
			return err
		}
	}
	for i, r := range rejects {
		cells := []cell{w.num(i + 1), w.wrap(r.FileName), w.wrap(datasetName(r.Dataset)),
			w.wrap(r.Sheet), w.num(r.Row), w.wrap(r.Col), w.wrap(r.Reason)}
		if office {
			cells = append(cells, w.wrap(r.Raw))
		}
		if err := putSpans(reasonSpan, cells...); err != nil {
			return err
		}
	}
	if rejectTotal > len(rejects) {
		if err := put(w.plain(""), w.plain(fmt.Sprintf("… và %s dòng bị loại khác: xem bằng lệnh ntm check với từng tệp.",
			vnfmt.Int(int64(rejectTotal-len(rejects)))))); err != nil {
			return err
		}
	}

	// 3. Missing and stale data (the office's workbook prints what is above it).
	section("3. Đơn vị thiếu số liệu hoặc có số liệu cũ")
	missingTitle := len(buf) - 1
	// The condition spans two columns and the explanation the rest (a condition's name in one
	// narrow column took five lines).
	explSpan := map[int]int{6: 7, 9: ncols}
	header(explSpan, w.hdr("STT"), w.hdr("Đơn vị"), w.hdr("Cấp"), w.hdr("Mã"), w.hdr("Thuộc"), w.hdr("Tiêu chí"), w.hdr("Loại"), w.hdr("Giải thích"))
	missingHeader := len(buf) - 1
	if missingTotal == 0 {
		if err := put(w.plain(""), w.plain("Mọi đơn vị đều có đủ số liệu.")); err != nil {
			return err
		}
	}
	t, err := w.newTracer(ctx)
	if err != nil {
		return err
	}
	n := 0
	// names: a village's, to link a rejected row that names it (nil above the villages).
	missingRow := func(r *result, unitName, parentName string, names []villageName) error {
		n++
		expl, _ := w.cause(t, r, names)
		kind, style := "Thiếu số liệu", st.noDataWrap
		if stale(r) {
			kind = "Số liệu cũ"
		}
		return putSpans(explSpan, w.num(n), w.wrap(unitName), w.txt(levelNames[r.Level]), w.txt(r.UnitCode), w.wrap(parentName),
			w.wrap(d.shortName(r.Criterion)), cell{kind, style}, w.wrap(expl))
	}
	nameOf := func(code string) string {
		if u := d.units[code]; u != nil {
			return u.Name
		}
		return code
	}
	for _, r := range above {
		name := r.UnitName
		if u := d.units[r.UnitCode]; u != nil {
			name = u.Name
		}
		if err := missingRow(r, name, nameOf(r.Parent), nil); err != nil {
			return err
		}
	}
	if villageMissing > 0 {
		err := w.villageRows(ctx, w.missingVillageData, func(code, name, commune string, rs map[string]*result) error {
			// A recipient's rejected rows are few: each missing value is matched against them.
			// The province's are the whole country's and listed above in full: not matched.
			var names []villageName
			if !w.sc.province {
				names = w.villageNames(t, code, name, commune)
			}
			keys := make([]string, 0, len(rs))
			for k := range rs {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return d.criterionLess(keys[i], keys[j]) })
			for _, k := range keys {
				if err := missingRow(rs[k], name, nameOf(commune), names); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	missingEnd := len(buf) // the rows of part 3 end before this one

	// 4. Old names in the source files, by the commune they concern now.
	if len(groups) > 0 {
		section("4. Thôn, xã tệp nguồn còn ghi theo tên hoặc mã trước khi sắp xếp")
		if err := putSpans(map[int]int{1: ncols}, w.wrapPlain("Các tệp này còn ghi thôn, xã theo tên hoặc mã cũ (trước khi sắp xếp đơn vị hành chính). "+
			"Mỗi tên cũ đã được nhận đúng đơn vị mới và số liệu được tính cho đơn vị mới: xã không cần làm gì. "+
			"Lần gửi số liệu sau nên ghi theo tên và mã mới (biểu mẫu ntm template đã theo danh mục mới).")); err != nil {
			return err
		}
		oldSpan := map[int]int{3: 4, oldCol: ncols}
		header(oldSpan, w.hdr("STT"), w.hdr("Xã (hiện nay)"), w.hdr("Tệp"), w.hdr("Số thôn, xã"), w.hdr("Tên cũ trong tệp → đơn vị mới"))
		for i, g := range groups {
			name := g.commune
			if u := d.units[g.commune]; u != nil {
				name = u.Name
			} else if v := h.At(g.commune, d.period.End()); v != nil {
				name = v.Name
			}
			for j, l := range lists[i] {
				cells := []cell{w.txt(""), w.txt(""), w.txt(""), w.txt(""), w.wrap(l)}
				if j == 0 {
					cells = []cell{w.num(i + 1), w.wrap(name), w.wrap(strings.Join(g.files, "\n")), w.num(len(g.names)), w.wrap(l)}
				}
				if err := putSpans(oldSpan, cells...); err != nil {
					return err
				}
			}
		}
	}

	// Pages, then the rows streamed.
	printed := len(buf)
	if office {
		printed = missingTitle - 1 // the blank row before part 3 ends the print area
	}
	w.widths[sh] = fitted
	rows, breaks, at := w.paginateQuality(sh, buf, printed)
	w.breaks[sh] = breaks
	sw, err := w.streamSheet(sh, len(rows), widths, "$1:$2", nil)
	if err != nil {
		return err
	}
	if office {
		if err := w.printOnly(sh, ncols, at[missingTitle]-1); err != nil {
			return err
		}
	}
	for i, r := range rows {
		var err error
		if r.spans != nil {
			err = w.streamRowSpans(sw, sh, i+1, r.cells, r.spans)
		} else if len(r.cells) > 0 {
			err = w.streamRowOf(sw, sh, i+1, r.cells...)
		}
		if err != nil {
			return err
		}
	}
	if missingTotal > 0 {
		if err := w.f.AutoFilter(sh, rangeRef(1, at[missingHeader], ncols, at[missingEnd-1]), nil); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// qualityRow is a row of the data-quality sheet while its pages are laid out.
type qualityRow struct {
	cells   []cell
	spans   map[int]int // as streamRowSpans takes them; nil: one cell a column
	section bool        // a part's title: kept on the page of its header and first rows
	header  bool        // a table's header row: written again on each page the table continues on
}

// paginateQuality lays the data-quality sheet's rows out on printed pages: a part's title moves
// to the next page with its header and first two rows when they do not fit, and a table that
// continues on the next page starts it with its header again. Only the first printed rows are
// paginated (the office's workbook prints parts 1–2; the rest is for filtering on screen). It
// returns the rows to write, the rows after which a page breaks, and each given row's number in
// the sheet (1-based).
func (w *workbook) paginateQuality(sh string, buf []qualityRow, printed int) (out []qualityRow, breaks []int, at []int) {
	p := w.newPager(sh)
	at = make([]int, len(buf))
	height := func(r qualityRow) float64 {
		if len(r.cells) == 0 {
			return oneLinePt
		}
		return p.height(r.cells, r.spans)
	}
	var hdr *qualityRow
	for i, r := range buf {
		if i >= printed { // not printed: no pages to follow
			at[i] = len(out) + 1
			out = append(out, r)
			continue
		}
		h := height(r)
		if i >= 2 { // rows 1–2 are the print titles on every page
			switch {
			case r.section:
				hdr = nil
				hs := []float64{h}
				for _, next := range buf[i+1 : min(len(buf), i+4)] {
					hs = append(hs, height(next))
				}
				if p.used > p.top && !p.fits(hs...) && p.onePage(hs...) {
					p.used = p.top
					breaks = append(breaks, len(out))
				}
			case r.header:
				hdr = &buf[i]
			case hdr != nil && len(r.cells) > 0 && !p.fits(h):
				p.used = p.top
				breaks = append(breaks, len(out))
				out = append(out, *hdr)
				p.add(height(*hdr))
			}
		}
		at[i] = len(out) + 1
		out = append(out, r)
		p.add(h)
		if i == 1 {
			p.top = p.used
		}
	}
	return out, breaks, at
}

// sharedProducts says, once per product, which OCOP products of the scope belong to a split
// commune and therefore count for each of its successors (docs/structure-changes.md §5).
func (w *workbook) sharedProducts(ctx context.Context) ([]string, error) {
	ps, err := w.currentProducts(ctx, w.sc.communes, w.d.period.End())
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !p.Shared || seen[p.Key] {
			continue
		}
		seen[p.Key] = true
		old := p.Listed
		if v := w.oldUnit(ctx, p.Listed); v != "" {
			old = v
		}
		of := ""
		if old != "" {
			of = " của " + old
		}
		out = append(out, fmt.Sprintf("Sản phẩm OCOP “%s”%s, xã đã chia cho nhiều xã: được tính cho mỗi xã kế tiếp (mỗi xã cần sản phẩm này trên sàn TMĐT để đạt điều kiện 5).", p.Name, of))
	}
	return out, nil
}
