package evaluate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"ntm"
	"ntm/db"
	"ntm/vnfmt"
)

type procedureRow struct {
	asOf                    time.Time
	batch                   int64
	eligible, full, partial int64
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
	first, last    time.Time // records: the first and last receipt dates seen
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

func loadProcedures(ctx context.Context, q db.Querier, end time.Time) (map[string]*procedureRow, error) {
	rows, err := q.Query(ctx, query("dvc_procedures"), end)
	if err != nil {
		return nil, fmt.Errorf("read online-service coverage: %w", err)
	}
	defer rows.Close()
	out := map[string]*procedureRow{}
	for rows.Next() {
		var code string
		r := &procedureRow{}
		if err := rows.Scan(&code, &r.asOf, &r.batch, &r.eligible, &r.full, &r.partial); err != nil {
			return nil, fmt.Errorf("read online-service coverage: %w", err)
		}
		out[code] = r
	}
	return out, rows.Err()
}

// loadDossiers returns every unit's dossier counts over [from, to]: record-level data where
// the unit has records in the window, else the aggregate periods inside the window taken
// longest first without overlaps.
func loadDossiers(ctx context.Context, q db.Querier, from, to time.Time) (map[string]*unitDossiers, error) {
	out := map[string]*unitDossiers{}
	rows, err := q.Query(ctx, query("dvc_dossier_records"), from, to)
	if err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}
	for rows.Next() {
		var code string
		d := &unitDossiers{source: "records"}
		if err := rows.Scan(&code, &d.received, &d.full, &d.first, &d.last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read dossier records: %w", err)
		}
		out[code] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read dossier records: %w", err)
	}

	rows, err = q.Query(ctx, query("dvc_dossiers"), from, to)
	if err != nil {
		return nil, fmt.Errorf("read dossier counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var p dossierPeriod
		if err := rows.Scan(&code, &p.from, &p.to, &p.label, &p.received, &p.full, &p.batch); err != nil {
			return nil, fmt.Errorf("read dossier counts: %w", err)
		}
		d := out[code]
		if d == nil {
			d = &unitDossiers{source: "aggregates"}
			out[code] = d
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
	for _, d := range out {
		if d.source != "aggregates" {
			continue
		}
		sort.Slice(d.used, func(i, j int) bool { return d.used[i].from.Before(d.used[j].from) })
		next := from
		for _, u := range d.used {
			if u.from.After(next) {
				d.gaps = append(d.gaps, [2]time.Time{next, u.from.AddDate(0, 0, -1)})
			}
			if n := u.to.AddDate(0, 0, 1); n.After(next) {
				next = n
			}
		}
		if !next.After(to) {
			d.gaps = append(d.gaps, [2]time.Time{next, to})
		}
	}
	return out, nil
}

// loadServices reads, once per evaluation, the facts a 9.5 measure needs: the latest
// procedure coverage as of the period end, or the dossier counts over the set's window.
func (e *evaluator) loadServices(ctx context.Context, q db.Querier, measure string) error {
	var err error
	switch {
	case measure == MeasureProcedureRatio && e.procs == nil:
		e.procs, err = loadProcedures(ctx, q, e.end)
	case measure == MeasureDossierRatio && e.doss == nil:
		e.wfrom = e.window()
		e.doss, err = loadDossiers(ctx, q, e.wfrom, e.end)
	}
	return err
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
	procs := e.procs
	fullOnly := len(c.Classes) == 1
	var online, eligible, full, partial int64
	var missing, reasons, missingCodes []string
	var units []map[string]any
	single := ""
	for _, m := range members {
		r := procs[m.Code]
		switch {
		case r == nil:
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, "")
			single = "Chưa có số liệu TTHC"
			continue
		case r.asOf.Before(e.fresh):
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, fmt.Sprintf("số liệu ngày %s đã quá %d tháng", vnfmt.Date(r.asOf), e.set.StaleMonths))
			single = e.staleText(r.asOf) + " (TTHC)"
		}
		units = append(units, map[string]any{"code": m.Code, "as_of": isoDate(r.asOf), "batch_id": r.batch,
			"eligible": r.eligible, "full_online": r.full, "partial_online": r.partial})
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
	}
	e.emit(u, c, t, decided(v, t), ptr(v), expl, d, info)
}

// dossiers decides the dossier ratio of unit u over its members in the set's window.
func (e *evaluator) dossiers(u *unit, c *SetCriterion, t Fraction, members []*unit, info bool) {
	doss, wfrom := e.doss, e.wfrom
	var received, full int64
	var missing, reasons, missingCodes, partialUnits []string
	var units []map[string]any
	covers := true
	for _, m := range members {
		d := doss[m.Code]
		if d == nil {
			missing, missingCodes = append(missing, m.Name), append(missingCodes, m.Code)
			reasons = append(reasons, "")
			continue
		}
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
		e.emit(u, c, t, ntm.StatusNoData, nil, missingText(fmt.Sprintf("hồ sơ từ %s đến %s", vnfmt.Date(wfrom), vnfmt.Date(e.end)), len(members), missing, reasons,
			fmt.Sprintf("Chưa có số liệu hồ sơ từ %s đến %s", vnfmt.Date(wfrom), vnfmt.Date(e.end))), det, info)
		return
	}
	// Coverage: one unit says which periods it used; several say which units fall short.
	var coverage string
	if len(members) == 1 {
		d := doss[members[0].Code]
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
