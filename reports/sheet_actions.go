package reports

import (
	"context"
	"fmt"
	"strings"

	"ntm"
)

// villageTodo is a village that is not smart yet, with what it must do.
type villageTodo struct {
	code, name, commune string
	order               int // the commune's position in the scope
	steps               []step
}

// maxPriorityRows bounds the first part of the action list (the villages one condition away),
// so that it stays on the first printed page: the others are at the head of their commune.
const maxPriorityRows = 10

// writeActions writes what the recipient's villages must do, one row per village and condition,
// grouped by commune (a row names the commune responsible and its counts), villages one step
// away from smart first within each commune, each with the action and — for missing data — its
// cause (no form, a blank answer, a rejected row with its file, row and reason, data too old).
// With several communes (a district), a first part lists the villages one condition away across
// the communes, so the first page says on its own where to start. A recipient holds a few
// hundred villages: the list is sorted in memory (the province's workbook has no such sheet; the
// office filters its village sheet).
func (w *workbook) writeActions(ctx context.Context) error {
	const sh = sheetActions
	d, sc, st := w.d, w.sc, w.st
	todos, err := w.villageTodos(ctx)
	if err != nil {
		return err
	}
	widths := []float64{5, 14, 18, 9, 16, 38, 48}
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	communeName := func(code string) string {
		if u := d.units[code]; u != nil {
			return u.Name
		}
		return code
	}
	var oneStep []villageTodo
	byCommune := map[string][]villageTodo{}
	for _, v := range todos {
		if len(v.steps) == 1 {
			oneStep = append(oneStep, v)
		}
		byCommune[v.commune] = append(byCommune[v.commune], v)
	}
	withTodos := 0
	for _, c := range sc.communes {
		if len(byCommune[c.Code]) > 0 {
			withTodos++
		}
	}
	// The list follows its printed pages: the header repeats on each (print titles), a village
	// never starts on the last row of a page, and a village's rows continued on the next page name
	// its commune and the village again, so no page starts with blank columns.
	p := w.newPager(sh)
	row := 1
	titleCell := cell{"VIỆC CẦN LÀM CỦA TỪNG THÔN CHƯA ĐẠT – " + sc.unit.Name, st.title}
	if err := w.put(sh, row, titleCell); err != nil {
		return err
	}
	p.add(p.height([]cell{titleCell}, nil))
	row++
	intro := periodText(d.period) + "."
	if len(todos) > 0 {
		intro += fmt.Sprintf(" %d thôn chưa là thôn thông minh", len(todos))
		if len(sc.communes) > 1 {
			intro += fmt.Sprintf(" ở %d xã", withTodos)
		}
		intro += fmt.Sprintf("; %d thôn chỉ còn thiếu 1 điều kiện.", len(oneStep))
	}
	intro += " Danh sách theo từng xã, thôn gần đạt nhất (còn ít điều kiện nhất) xếp trước; giao việc theo xã ở trang " + sheetTasks + "."
	if err := w.put(sh, row, w.plain(intro)); err != nil {
		return err
	}
	p.add(p.height([]cell{w.plain(intro)}, nil))
	p.add(oneLinePt)
	row += 2
	hdr := []cell{w.hdr("STT"), w.hdr("Xã chịu trách nhiệm"), w.hdr("Thôn"), w.hdr("Còn thiếu (điều kiện)"),
		w.hdr("Điều kiện"), w.hdr("Việc cần làm"), w.hdr("Nguyên nhân thiếu số liệu (tệp, dòng, lý do)")}
	titleRow := row
	if err := w.put(sh, row, hdr...); err != nil {
		return err
	}
	p.top = p.height(hdr, nil)
	p.add(p.top)
	row++
	// band writes a bold row across the table: a part's title or a commune's heading.
	bandSpan := map[int]int{1: len(widths)}
	bandHeight := func(text string) float64 { return p.height([]cell{{text, st.groupRow}}, bandSpan) }
	band := func(text string, then ...float64) error {
		cells := []cell{{text, st.groupRow}}
		for range widths[1:] {
			cells = append(cells, cell{nil, st.groupRow})
		}
		// A heading never ends a page: it is kept with the first rows under it.
		if err := p.keep(row, append([]float64{bandHeight(text)}, then...)...); err != nil {
			return err
		}
		p.add(bandHeight(text))
		if err := w.put(sh, row, cells...); err != nil {
			return err
		}
		if err := w.f.MergeCell(sh, cellName(1, row), cellName(len(widths), row)); err != nil {
			return err
		}
		row++
		return nil
	}
	// stepRow is a village's row for one of its steps; the first names the village (and so does
	// the first of a page, "(tiếp)": continued).
	stepRow := func(v villageTodo, num, j int, named bool) []cell {
		s := v.steps[j]
		n, commune, name, left := w.txt(""), w.txt(""), w.txt(""), w.txt("")
		switch {
		case j == 0:
			n, commune, name, left = w.num(num), w.wrap(communeName(v.commune)), w.wrap(v.name+" ("+v.code+")"), w.num(len(v.steps))
		case named:
			commune, name = w.wrap(communeName(v.commune)), w.wrap(v.name+" ("+v.code+") (tiếp)")
		}
		return []cell{n, commune, name, left, cell{d.shortName(s.Key), st.statusWrap(s.Status)}, w.wrap(s.Action), w.wrap(s.Cause)}
	}
	// firstRows are the heights of a village's first rows (all of them, up to three).
	firstRows := func(v villageTodo, num int) []float64 {
		var hs []float64
		for j := range v.steps[:min(3, len(v.steps))] {
			hs = append(hs, p.height(stepRow(v, num, j, false), nil))
		}
		return hs
	}
	village := func(v villageTodo, num int) error {
		var hs []float64
		for j := range v.steps {
			hs = append(hs, p.height(stepRow(v, num, j, false), nil))
		}
		// A village's first two rows are kept together (it never starts on the last row of a
		// page); its rows continued on the next page name it again.
		if err := p.keep(row, hs[:min(2, len(hs))]...); err != nil {
			return err
		}
		for j := range v.steps {
			cells := stepRow(v, num, j, false)
			if j > 0 && !p.fits(hs[j]) {
				if err := p.breakAt(row); err != nil {
					return err
				}
				cells = stepRow(v, num, j, true)
				hs[j] = p.height(cells, nil)
			}
			if err := w.put(sh, row, cells...); err != nil {
				return err
			}
			p.add(hs[j])
			row++
		}
		return nil
	}
	if len(sc.communes) > 1 && len(oneStep) > 0 {
		// Part A: where to start, across the communes.
		title := fmt.Sprintf("A. ƯU TIÊN: %d THÔN CHỈ CÒN THIẾU 1 ĐIỀU KIỆN", len(oneStep))
		if len(oneStep) > maxPriorityRows {
			title += fmt.Sprintf(" (%d thôn đầu; các thôn khác ở đầu danh sách của xã mình, phần B)", maxPriorityRows)
		}
		if err := band(title, firstRows(oneStep[0], 1)...); err != nil {
			return err
		}
		for i, v := range oneStep[:min(len(oneStep), maxPriorityRows)] {
			if err := village(v, i+1); err != nil {
				return err
			}
		}
		row++
		p.add(oneLinePt)
		if err := band("B. THEO TỪNG XÃ (mỗi thôn chưa đạt, thôn gần đạt nhất trước)", p.top, oneLinePt, oneLinePt); err != nil {
			return err
		}
		// The filter's header row: part B is the full list.
		titleRow = row
		if err := w.put(sh, row, hdr...); err != nil {
			return err
		}
		p.add(p.top)
		row++
	}
	listTop := titleRow
	if len(todos) == 0 {
		if err := w.put(sh, row, w.plain(""), w.plain("Mọi thôn đều đã là thôn thông minh.")); err != nil {
			return err
		}
		row++
	}
	num := 0
	for _, c := range sc.communes {
		vs := byCommune[c.Code]
		if len(vs) == 0 {
			continue
		}
		one := 0
		for _, v := range vs {
			if len(v.steps) == 1 {
				one++
			}
		}
		vc := d.villages[c.Code]
		if err := band(fmt.Sprintf("%s: %d/%d thôn chưa là thôn thông minh, %d thôn chỉ còn thiếu 1 điều kiện", c.Name, len(vs), vc.Villages, one),
			firstRows(vs[0], num+1)...); err != nil {
			return err
		}
		for _, v := range vs {
			num++
			if err := village(v, num); err != nil {
				return err
			}
		}
	}
	if err := w.f.AutoFilter(sh, rangeRef(1, listTop, len(widths), row-1), nil); err != nil {
		return err
	}
	if err := w.f.SetPanes(sh, freezePanes(5, 1)); err != nil {
		return err
	}
	return w.printSetup(sh, "$4:$4")
}

// villageTodos are the scope's villages that are not smart, with their steps, nearest to smart
// first (read once per workbook: the action list and the task table share them).
func (w *workbook) villageTodos(ctx context.Context) ([]villageTodo, error) {
	if w.todos != nil {
		return *w.todos, nil
	}
	keys := w.d.villageCriteria()
	t, err := w.newTracer(ctx)
	if err != nil {
		return nil, err
	}
	order := w.sc.communeOrder()
	var todos []villageTodo
	err = w.villageRows(ctx, nil, func(code, name, commune string, rs map[string]*result) error {
		if sv := rs[keySmartVillage]; sv != nil && sv.Status == ntm.StatusMet {
			return nil
		}
		todos = append(todos, villageTodo{code: code, name: name, commune: commune, order: order[commune],
			steps: w.steps(t, keys, code, name, commune, rs)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortByDistance(todos, func(v villageTodo) []step { return v.steps })
	w.todos = &todos
	return todos, nil
}

// writeTasks writes the commune × condition table for handing out tasks: for each commune, how
// many of its villages must act on each condition (not met, or without data), and how many are
// one condition away from smart.
func (w *workbook) writeTasks(ctx context.Context) error {
	const sh = sheetTasks
	d, sc, st := w.d, w.sc, w.st
	keys := d.villageCriteria()
	todos, err := w.villageTodos(ctx)
	if err != nil {
		return err
	}
	widths := []float64{5, 18, 9, 9}
	for range keys {
		widths = append(widths, 14)
	}
	widths = append(widths, 12)
	if err := w.setWidths(sh, widths...); err != nil {
		return err
	}
	row := 1
	if err := w.put(sh, row, cell{"GIAO VIỆC THEO XÃ: SỐ THÔN CẦN LÀM THEO TỪNG ĐIỀU KIỆN – " + sc.unit.Name, st.title}); err != nil {
		return err
	}
	row++
	if err := w.put(sh, row, w.plain(periodText(d.period)+". Ô đỏ: có thôn chưa đạt; ô xám: có thôn thiếu số liệu; từng thôn ở trang "+sheetActions+".")); err != nil {
		return err
	}
	row += 2
	top := row
	hdr := []cell{w.hdr("STT"), w.hdr("Xã chịu trách nhiệm"), w.hdr("Số thôn"), w.hdr("Thôn thông minh")}
	for _, k := range keys {
		hdr = append(hdr, w.hdr(d.shortName(k)))
	}
	hdr = append(hdr, w.hdr("Thôn chỉ còn thiếu 1 điều kiện"))
	if err := w.put(sh, row, hdr...); err != nil {
		return err
	}
	row++
	type tally struct{ notMet, noData map[string]int }
	per := map[string]*tally{}
	oneStep := map[string]int{}
	for _, v := range todos {
		tl := per[v.commune]
		if tl == nil {
			tl = &tally{notMet: map[string]int{}, noData: map[string]int{}}
			per[v.commune] = tl
		}
		for _, s := range v.steps {
			if s.Status == ntm.StatusNotMet {
				tl.notMet[s.Key]++
			} else {
				tl.noData[s.Key]++
			}
		}
		if len(v.steps) == 1 {
			oneStep[v.commune]++
		}
	}
	n := 0
	for _, c := range sc.communes {
		tl := per[c.Code]
		n++
		vc := d.villages[c.Code]
		cells := []cell{w.num(n), w.wrap(c.Name), w.num(vc.Villages), w.num(vc.Smart)}
		for _, k := range keys {
			text := ""
			if tl != nil {
				var parts []string
				if m := tl.notMet[k]; m > 0 {
					parts = append(parts, fmt.Sprintf("%d chưa đạt", m))
				}
				if m := tl.noData[k]; m > 0 {
					parts = append(parts, fmt.Sprintf("%d thiếu số liệu", m))
				}
				text = strings.Join(parts, "\n")
			}
			style := st.metWrap
			switch {
			case tl != nil && tl.notMet[k] > 0:
				style = st.notMetWrap
			case tl != nil && tl.noData[k] > 0:
				style = st.noDataWrap
			}
			if text == "" {
				text = "–"
			}
			cells = append(cells, cell{text, style})
		}
		cells = append(cells, w.num(oneStep[c.Code]))
		if err := w.put(sh, row, cells...); err != nil {
			return err
		}
		row++
	}
	if err := w.f.AutoFilter(sh, rangeRef(1, top, len(widths), row-1), nil); err != nil {
		return err
	}
	if err := w.f.SetPanes(sh, freezePanes(top+1, 1)); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("$%d:$%d", top, top))
}
