package transform

import (
	"errors"
	"fmt"
	"time"

	"ntm/transform/value"
)

// The order of day and month is decided for the whole file. Vietnamese files write the day
// first; a US-format export writes the month first, and then 03/04/2026 means 4 March. A value
// only one order reads (25/03/2026: day first; 03/25/2026: month first) proves the file's
// order; a file is read day first unless it proves month first, and a file that proves both is
// rejected whole with one example of each (its ambiguous dates cannot be read for sure).
//
// Proofs come in reading order, so a file whose first proof is month first has been read day
// first up to there: its load stops (errMonthFirst) and starts again, month first.

// errMonthFirst asks the loader to read the file again with the month first.
var errMonthFirst = errors.New("the file writes dates month first: read it again so")

// dateOrder is what the rows read so far proved about the file's dates.
type dateOrder struct {
	monthFirst bool   // read a/b/y as month/day/year
	dayProof   string // the first value proving day first, with its place
	monthProof string // the first value proving month first, with its place
	err        error  // errMonthFirst once a month-first proof asks for a second reading
	mixed      string // the whole-file reject once both orders are proved
}

// note records what one value proved; where is `dòng 7, cột "Ngày tiếp nhận"`.
func (d *dateOrder) note(order value.DateOrder, raw, where string) {
	switch order {
	case value.OrderDayFirst:
		if d.dayProof == "" {
			d.dayProof = fmt.Sprintf("%q ở %s", cleanText(raw), where)
		}
	case value.OrderMonthFirst:
		if d.monthProof == "" {
			d.monthProof = fmt.Sprintf("%q ở %s", cleanText(raw), where)
		}
	default:
		return
	}
	switch {
	case d.dayProof != "" && d.monthProof != "":
		if d.mixed == "" {
			d.mixed = fmt.Sprintf("tệp ghi ngày theo cả hai kiểu: ngày/tháng/năm (ví dụ %s) và tháng/ngày/năm (ví dụ %s), nên các ngày như 03/04 không đọc chắc chắn được; sửa mọi ngày theo một kiểu (nên dùng dd/mm/yyyy) rồi nạp lại",
				d.dayProof, d.monthProof)
		}
	case d.monthProof != "" && !d.monthFirst:
		d.err = errMonthFirst
	}
}

// parseDate reads a date cell of field f under the file's order, noting what it proves.
func (p *rowParser) parseDate(f, raw string) (time.Time, error) {
	mf := p.dates != nil && p.dates.monthFirst
	t, order, err := value.ParseDateOrder(raw, p.tc.table.Date1904, mf)
	if p.dates != nil && order >= value.OrderDayFirst {
		where := fmt.Sprintf("dòng %d, cột %q", p.row.Num, p.label(f))
		if p.row.Sheet != "" {
			where = fmt.Sprintf("trang %q, ", p.row.Sheet) + where
		}
		p.dates.note(order, raw, where)
	}
	return t, err
}
