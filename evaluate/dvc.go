package evaluate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ntm"
	"ntm/db"
	"ntm/units"
	"ntm/vnfmt"
)

type procedureRow struct {
	asOf                    time.Time
	batch                   int64
	eligible, full, partial int64
	via                     string           // set when the row sums (or stands for) predecessors' rows
	from                    []map[string]any // the predecessors' rows (detail "predecessors")
}

type dossierPeriod struct {
	from, to       time.Time
	label          string
	received, full int64
	batch          int64
}

// unitDossiers is one unit's dossier counts over the window.
type unitDossiers struct {
	source         string // "records", "aggregates" or "" (no data)
	received, full int64
	used           []dossierPeriod
	gaps           [][2]time.Time
	first, last    time.Time      // records: the first and last receipt dates seen
	version        *units.Version // the unit version the counts belong to (nil: unknown code)
	fromStart      bool           // aggregates covering the whole window up to the version's end
}

// window is the dossier window of the set ending at the period end.
func (e *evaluator) window() time.Time {
	switch e.set.DossierWindow {
	case "month":
		return e.p.Start()
	case "quarter":
		return ntm.Date(e.p.Year, time.Month((int(e.p.Month)-1)/3*3+1), 1)
	}
	return ntm.Date(e.p.Year, time.January, 1)
}

// loadProcedures reads the procedure coverage recorded under codes (a part's lineage) as of end.
func loadProcedures(ctx context.Context, q db.Querier, l *lineage, end time.Time, codes []string) (*byVersion[*procedureRow], error) {
	rows, err := q.Query(ctx, query("dvc_procedures"), end, codes)
	if err != nil {
		return nil, fmt.Errorf("read online-service coverage: %w", err)
	}
	defer rows.Close()
	out := newByVersion[*procedureRow]()
	for rows.Next() {
		var code string
		r := &procedureRow{}
		if err := rows.Scan(&code, &r.asOf, &r.batch, &r.eligible, &r.full, &r.partial); err != nil {
			return nil, fmt.Errorf("read online-service coverage: %w", err)
		}
		out.put(l, code, r.asOf, r)
	}
	return out, rows.Err()
}

// recordPiece is the record-level dossier count of one unit code over a part of the window
// between two structure changes (dvc_dossier_records.sql).
type recordPiece struct {
	received, full int64
	first, last    time.Time
}

// loadRecordCounts reads, once per evaluation, the record-level dossier counts in the window
// [from, to] by unit code, split at the structure's changes inside the window (a code can name
// another unit after one): one query over every record, since the records have no index by
// unit; its rows are a few per commune. Each part attributes its codes' pieces (loadDossiers).
func loadRecordCounts(ctx context.Context, q db.Querier, from, to time.Time) (map[string][]recordPiece, error) {
	var cuts []time.Time
	rows, err := q.Query(ctx, query("structure_changes"), from, to)
	if err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	cuts, err = pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	var batches []int64
	if err := q.QueryRow(ctx, `SELECT ARRAY(`+query("dvc_dossier_record_batches")+`)`).Scan(&batches); err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	sql, args := query("dvc_dossier_records"), []any{from, to, cuts}
	restore := ""
	if len(batches) == 1 {
		sql, args = query("dvc_dossier_records_one_batch"), append(args, batches[0])
		// The planner cannot tell how few groups the records make (a unit and a part of the
		// window: about 18,000 for the nation's 1,000,000 records), so it sorts every record,
		// to disk, rather than hash them: 0.5–1.0 s on three processes against 0.3–0.4 s on
		// one (EXPLAIN ANALYZE on the national demo's database). Sorting is turned off for this
		// query alone (in the transaction, and back as it was after it).
		if err := q.QueryRow(ctx, `SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)`).Scan(&restore, new(string)); err != nil {
			return nil, fmt.Errorf("read dossier records: %w", err)
		}
	}
	rows, err = q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	out := map[string][]recordPiece{}
	for rows.Next() {
		var code string
		var r recordPiece
		if err := rows.Scan(&code, &r.received, &r.full, &r.first, &r.last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read dossier records: %w", err)
		}
		out[code] = append(out[code], r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	if restore != "" {
		if _, err := q.Exec(ctx, `SELECT set_config('enable_sort', $1, true)`, restore); err != nil {
			return nil, fmt.Errorf("read dossier records: %w", err)
		}
	}
	return out, nil
}

// loadDossiers returns the dossier counts over [from, to] of every version of codes (a part's
// lineage): record-level data (records, by code: loadRecordCounts) where the version has
// records in the window, else the aggregate periods inside the window taken longest first
// without overlaps. A fact belongs to the version of its code at its unit date (a record's
// receipt date, an aggregate's last day); a version's gaps are judged over the part of the
// window it was in force (its own periods may reach back before its first day: a successor's
// figures for its whole area).
func loadDossiers(ctx context.Context, q db.Querier, l *lineage, from, to time.Time, codes []string, records map[string][]recordPiece) (*byVersion[*unitDossiers], error) {
	out := newByVersion[*unitDossiers]()
	for _, code := range codes {
		for _, r := range records[code] {
			v := l.version(code, r.first)
			d, ok := out.own(v, code)
			if !ok {
				d = &unitDossiers{source: "records", first: r.first, last: r.last, version: v}
				out.put(l, code, r.first, d)
			}
			d.received += r.received
			d.full += r.full
			if r.first.Before(d.first) {
				d.first = r.first
			}
			if r.last.After(d.last) {
				d.last = r.last
			}
		}
	}

	rows, err := q.Query(ctx, query("dvc_dossiers"), from, to, codes)
	if err != nil {
		return nil, fmt.Errorf("read dossier counts: %w", err)
	}
	defer rows.Close()
	var all []*unitDossiers
	for rows.Next() {
		var code string
		var p dossierPeriod
		if err := rows.Scan(&code, &p.from, &p.to, &p.label, &p.received, &p.full, &p.batch); err != nil {
			return nil, fmt.Errorf("read dossier counts: %w", err)
		}
		v := l.version(code, p.to)
		d, ok := out.own(v, code)
		if !ok {
			d = &unitDossiers{source: "aggregates", version: v}
			out.put(l, code, p.to, d)
			all = append(all, d)
		}
		if d.source != "aggregates" {
			continue // records win
		}
		// Rows arrive longest first (then earliest, then newest batch): take a period
		// unless it overlaps one already taken. Of identical periods the newest batch's
		// comes first, so the older ones are skipped here.
		overlaps := false
		for _, u := range d.used {
			if !p.from.After(u.to) && !u.from.After(p.to) {
				overlaps = true
				break
			}
		}
		if overlaps {
			continue
		}
		d.used = append(d.used, p)
		d.received += p.received
		d.full += p.full
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read dossier counts: %w", err)
	}
	for _, d := range all {
		sort.Slice(d.used, func(i, j int) bool { return d.used[i].from.Before(d.used[j].from) })
		last := to
		if d.version != nil && !d.version.To.IsZero() && d.version.To.Before(to) {
			last = d.version.To
		}
		d.gaps = gapsOf(d.used, from, last)
		d.fromStart = len(d.gaps) == 0
		if !d.fromStart && d.version != nil && d.version.From.After(from) {
			d.gaps = gapsOf(d.used, d.version.From, last)
		}
	}
	return out, nil
}

// gapsOf lists the days of [from, to] that no used period covers.
func gapsOf(used []dossierPeriod, from, to time.Time) [][2]time.Time {
	var gaps [][2]time.Time
	next := from
	for _, u := range used {
		if u.from.After(next) {
			gaps = append(gaps, [2]time.Time{next, u.from.AddDate(0, 0, -1)})
		}
		if n := u.to.AddDate(0, 0, 1); n.After(next) {
			next = n
		}
	}
	if !next.After(to) {
		gaps = append(gaps, [2]time.Time{next, to})
	}
	return gaps
}

// d95Subject reports whether indicator 9.5 is decided for u (not merely shown for information).
func d95Subject(u *unit) bool {
	switch u.Level {
	case ntm.LevelDistrict:
		return true
	case ntm.LevelCommune:
		return u.parent == nil || u.parent.Level != ntm.LevelDistrict
	}
	return false
}

// missingText names the units without usable data. One unit → its own message; several →
// "Thiếu số liệu TTHC của 2/13 đơn vị: Xã A, Xã B (số liệu ngày … đã quá 12 tháng)", where
// reasons[i] (may be "") qualifies a unit and single is the message for a lone unit.
func missingText(what string, members int, names, reasons []string, single string) string {
	if members == 1 {
		return single
	}
	items := make([]string, len(names))
	for i := range names {
		items[i] = names[i]
		if reasons[i] != "" {
			items[i] += " (" + reasons[i] + ")"
		}
	}
	return fmt.Sprintf("Thiếu số liệu %s của %d/%d đơn vị: %s", what, len(names), members, firstNames(items, 3))
}

// procedures decides the procedure ratio of unit u over its members: the service classes the
// criterion counts (full-process, and partial unless it counts full-process only) over the
// procedures eligible for online service.
func (e *evaluator) procedures(u *unit, c *SetCriterion, t Fraction, members []*unit, info bool) {
	fullOnly := len(c.Classes) == 1
	var online, eligible, full, partial int64
	var missing, reasons, missingCodes []string
	var units []map[string]any
	single, via := "", ""
	for _, m := range members {
		r, why := e.procOf(m)
		switch {
		case r == nil:
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, why)
			single = "Chưa có số liệu TTHC"
			if why != "" {
				single = sentence(why)
			}
			continue
		case r.asOf.Before(e.fresh):
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, fmt.Sprintf("số liệu ngày %s đã quá %d tháng", vnfmt.Date(r.asOf), e.set.StaleMonths))
			single = e.staleText(r.asOf) + " (TTHC)"
		}
		ud := map[string]any{"code": m.Code, "as_of": isoDate(r.asOf), "batch_id": r.batch,
			"eligible": r.eligible, "full_online": r.full, "partial_online": r.partial}
		if r.from != nil {
			ud["predecessors"] = r.from
			via = r.via
		}
		units = append(units, ud)
		if !r.asOf.Before(e.fresh) {
			eligible += r.eligible
			full += r.full
			partial += r.partial
		}
	}
	online = full + partial
	if fullOnly {
		online = full
	}
	d := map[string]any{"units": orEmptyMaps(units), "eligible": eligible, "online": online,
		"full_online": full, "partial_online": partial}
	if len(missing) > 0 {
		d["missing"] = missingCodes
		e.emit(u, c, t, ntm.StatusNoData, nil, missingText("TTHC", len(members), missing, reasons, single), d, info)
		return
	}
	if eligible == 0 {
		e.emit(u, c, t, ntm.StatusNoData, nil, "Tổng số TTHC đủ điều kiện cung cấp DVCTT bằng 0: cần kiểm tra lại số liệu", d, info)
		return
	}
	v := Frac(online, eligible)
	expl := fmt.Sprintf("%s/%s TTHC đủ điều kiện đã cung cấp DVCTT (%s; toàn trình %s, một phần %s)",
		vnfmt.Int(online), vnfmt.Int(eligible), v.Percent(), vnfmt.Int(full), vnfmt.Int(partial))
	if fullOnly {
		expl = fmt.Sprintf("%s/%s TTHC đủ điều kiện đã cung cấp DVCTT toàn trình (%s; một phần %s không tính)",
			vnfmt.Int(online), vnfmt.Int(eligible), v.Percent(), vnfmt.Int(partial))
	}
	if online < eligible {
		expl += "; còn thiếu " + vnfmt.Int(eligible-online)
	}
	if len(members) > 1 {
		expl += fmt.Sprintf("; gồm %d đơn vị", len(members))
	} else {
		expl += via
	}
	e.emit(u, c, t, decided(v, t), ptr(v), expl, d, info)
}

// dossiers decides the dossier ratio of unit u over its members in the set's window.
func (e *evaluator) dossiers(u *unit, c *SetCriterion, t Fraction, members []*unit, info bool) {
	wfrom := e.wfrom
	var received, full int64
	var missing, reasons, missingCodes, partialUnits []string
	var units []map[string]any
	covers := true
	var lone memberDossiers // the member's dossiers when there is one member
	var loneShort []string
	for _, m := range members {
		md := e.dossiersOf(m)
		lone = md
		if md.split != nil {
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, e.lin.splitText(md.split, "số hồ sơ"))
			continue
		}
		some := false
		for _, d := range md.parts {
			some = some || d != nil
		}
		if !some {
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, "")
			continue
		}
		if len(md.chain) > 1 {
			ud, r, f, short := e.lineageDossiers(m.Code, md)
			received += r
			full += f
			loneShort = short
			if len(short) > 0 {
				covers = false
				partialUnits = append(partialUnits, m.Name+" (thiếu số liệu của "+firstNames(short, 2)+")")
			}
			units = append(units, ud)
			continue
		}
		d := md.parts[0]
		received += d.received
		full += d.full
		ud := map[string]any{"code": m.Code, "source": d.source, "received": d.received, "full_online": d.full}
		if d.source == "aggregates" {
			labels := make([]string, len(d.used))
			for i, p := range d.used {
				labels[i] = periodLabel(p.from, p.to)
			}
			gaps := make([]string, len(d.gaps))
			for i, g := range d.gaps {
				gaps[i] = shortRange(g[0], g[1])
			}
			ud["periods"] = labels
			ud["gaps"] = gaps
			ud["covers_window"] = len(gaps) == 0
			if len(gaps) > 0 {
				covers = false
				partialUnits = append(partialUnits, m.Name+" (thiếu "+strings.Join(gaps, ", ")+")")
			}
		} else {
			ud["covers_window"] = true
			ud["first_received"], ud["last_received"] = isoDate(d.first), isoDate(d.last)
		}
		units = append(units, ud)
	}
	det := map[string]any{"window_from": isoDate(wfrom), "window_to": isoDate(e.end), "units": orEmptyMaps(units),
		"received": received, "full_online": full, "covers_window": covers && len(missing) == 0}
	if len(missing) > 0 {
		det["missing"] = missingCodes
		single := fmt.Sprintf("Chưa có số liệu hồ sơ từ %s đến %s", vnfmt.Date(wfrom), vnfmt.Date(e.end))
		if reasons[0] != "" {
			single = sentence(reasons[0])
		}
		e.emit(u, c, t, ntm.StatusNoData, nil, missingText(fmt.Sprintf("hồ sơ từ %s đến %s", vnfmt.Date(wfrom), vnfmt.Date(e.end)), len(members), missing, reasons,
			single), det, info)
		return
	}
	// Coverage: one unit says which periods it used; several say which units fall short.
	var coverage string
	if len(members) == 1 && len(lone.chain) > 1 {
		coverage = e.lineageCoverage(lone, loneShort)
	} else if len(members) == 1 {
		d := lone.parts[0]
		if d.source == "records" {
			coverage = fmt.Sprintf("theo %s hồ sơ chi tiết (tiếp nhận %s)", vnfmt.Int(d.received), shortRange(d.first, d.last))
		} else {
			labels := det["units"].([]map[string]any)[0]["periods"].([]string)
			gaps := det["units"].([]map[string]any)[0]["gaps"].([]string)
			coverage = "đã dùng: " + strings.Join(labels, ", ")
			if len(gaps) > 0 {
				coverage += "; còn thiếu " + strings.Join(gaps, ", ")
			} else {
				coverage += "; phủ đủ kỳ"
			}
		}
	} else if covers {
		coverage = "số liệu phủ đủ kỳ"
	} else {
		coverage = fmt.Sprintf("%d đơn vị chưa phủ đủ kỳ: %s", len(partialUnits), firstNames(partialUnits, 3))
	}
	if received == 0 {
		e.emit(u, c, t, ntm.StatusNoData, nil,
			fmt.Sprintf("Không có hồ sơ tiếp nhận từ %s đến %s; %s", vnfmt.Date(wfrom), vnfmt.Date(e.end), coverage), det, info)
		return
	}
	v := Frac(full, received)
	expl := fmt.Sprintf("%s/%s hồ sơ xử lý trực tuyến toàn trình (%s) từ %s đến %s; %s",
		vnfmt.Int(full), vnfmt.Int(received), v.Percent(), vnfmt.Date(wfrom), vnfmt.Date(e.end), coverage)
	e.emit(u, c, t, decided(v, t), ptr(v), expl, det, info)
}

func orEmptyMaps(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}
