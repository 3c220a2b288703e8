package transform

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"ntm"
	"ntm/dataset"
	"ntm/ingest"
	"ntm/msg"
)

// Row conservation. Every row the reader reads from a table's sheet ends in exactly one of
// three places — loaded, rejected (with a reason naming sheet, row and column) or skipped as
// not data (with why) — and the report and the batch carry the three counts, so that
//
//	rows read = rows loaded + rows rejected + rows skipped
//
// holds for every file (docs/datasets.md). The reader (package ingest) reports the rows it
// does not deliver; the loader adds the delivered rows that hold nothing it reads.

// SkipReason says why a row read is not data: the reader's reasons (ingest.SkipTitle …) and
// the loader's own below. msg.SkipReason gives each its Vietnamese label.
type SkipReason = ingest.SkipReason

// The loader's skip reasons.
const (
	// SkipNoData: nothing in any column the dataset reads (a row of notes only).
	SkipNoData SkipReason = "no_data"
	// SkipUnitOnly: a row that only names its unit (a pre-listed row of a fill-in template left
	// blank): the unit has no data, which evaluation reports as such.
	SkipUnitOnly SkipReason = "unit_only"
	// SkipExample: the example row of a fill-in template (its first cell reads "Ví dụ").
	SkipExample SkipReason = "example"
)

// isExampleRow reports whether a row is the example row of a fill-in template: its first
// non-blank cell reads "Ví dụ" (or "VD"), alone or followed by a colon. No unit, product or
// dossier is called that, so a data row is never taken for it.
func isExampleRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if !mayBeExample(c) {
			return false
		}
		k := headerWords(c) // lower case, punctuation as spaces
		return k == "ví dụ" || k == "vd"
	}
	return false
}

// mayBeExample is false for a text whose header words cannot be "ví dụ" or "vd": one with an
// ASCII digit, or an ASCII letter other than v, i, d and u in either case (folding keeps both;
// a decomposed "í" or "ụ" holds an ASCII i or u). It spares folding the first cell of every data
// row (a dossier id, a unit code: new texts a big file's million rows would push through the
// header words' memo).
func mayBeExample(c string) bool {
	for i := 0; i < len(c); i++ {
		b := c[i]
		if b >= '0' && b <= '9' {
			return false
		}
		if l := b | 0x20; l >= 'a' && l <= 'z' && l != 'v' && l != 'i' && l != 'd' && l != 'u' {
			return false
		}
	}
	return true
}

// SkippedRows is a run of rows of one sheet skipped, one after the other, for the same reason.
type SkippedRows struct {
	Sheet    string
	From, To int        // first and last row number
	Rows     int        // rows read in the run (rows absent from a sheet are not read)
	Reason   SkipReason //
	Raw      string     // the first row's cells, joined with " | "
}

// String is the run for people: `Trang "Data", dòng 1–3: dòng tiêu đề, tên biểu trên bảng (BÁO CÁO …)`.
func (s SkippedRows) String() string {
	where := ""
	if s.Sheet != "" {
		where = fmt.Sprintf("Trang %q, d", s.Sheet)
	} else {
		where = "D"
	}
	if s.From == s.To {
		where += fmt.Sprintf("òng %d", s.From)
	} else {
		where += fmt.Sprintf("òng %d–%d", s.From, s.To)
	}
	out := where + ": " + msg.SkipReason(string(s.Reason))
	if s.Rows > 1 && s.Rows != s.To-s.From+1 {
		out += fmt.Sprintf(" (%d dòng)", s.Rows)
	}
	if s.Raw != "" {
		raw := s.Raw
		if utf8.RuneCountInString(raw) > 60 {
			raw = string([]rune(raw)[:60]) + "…"
		}
		out += " — " + raw
	}
	return out
}

// SkippedKept is how many skipped runs a FileReport carries (all are stored with the batch).
const SkippedKept = 1000

// SkippedSheet is a sheet of the file that was not read, and why.
type SkippedSheet struct {
	Sheet  string
	ReadAs string // hidden, very_hidden, no_header, not_matched
	Note   string // Vietnamese
}

// skipRun is the run of skipped rows being built.
type skipRun struct {
	open bool
	cur  SkippedRows
	seq  int // r.seq when the run last grew: a row of another kind in between ends it
}

// skip accounts for one row read that is not data.
func (r *run) skip(ctx context.Context, sheet string, num int, why SkipReason, cells []string) error {
	r.report.RowsRead++
	r.report.RowsSkipped++
	r.seq++
	c := &r.skips
	if c.open && c.cur.Sheet == sheet && c.cur.Reason == why && c.seq == r.seq-1 {
		c.cur.To, c.seq = num, r.seq
		c.cur.Rows++
		return nil
	}
	if err := r.endSkipRun(ctx); err != nil {
		return err
	}
	raw := ""
	if len(cells) > 0 {
		raw = rawRow(cells)
	}
	*c = skipRun{open: true, cur: SkippedRows{Sheet: sheet, From: num, To: num, Rows: 1, Reason: why, Raw: raw}, seq: r.seq}
	return nil
}

// endSkipRun records the open run of skipped rows.
func (r *run) endSkipRun(ctx context.Context) error {
	c := &r.skips
	if !c.open {
		return nil
	}
	c.open = false
	if len(r.report.Skipped) < SkippedKept {
		r.report.Skipped = append(r.report.Skipped, c.cur)
	}
	if r.skipSpill != nil {
		s := c.cur
		if !r.skipMemOver {
			r.skipMemBytes += len(s.Sheet) + len(s.Raw)
			if r.skipMemOver = len(r.skipMem) == skipMemRuns || r.skipMemBytes > skipMemBytes; r.skipMemOver {
				r.skipMem = nil
			} else {
				r.skipMem = append(r.skipMem, s)
			}
		}
		return r.skipSpill.add(s.Sheet, s.From, s.To, s.Rows, string(s.Reason), s.Raw)
	}
	return nil
}

// The most skipped runs, and bytes of their sheet names and texts, a load inserts with its last
// statements rather than by COPY (run.skipMem).
const (
	skipMemRuns  = 1000
	skipMemBytes = 256 << 10
)

// tableRoles says which cells of the table the reader must never skip as a group, subtotal
// or signature row (see ingest.Table.Roles), and the unit level of its rows.
func tableRoles(t *ingest.Table, m *HeaderMatch) {
	width := len(t.Columns)
	for _, i := range m.Col {
		width = max(width, i+1)
	}
	roles := make([]ingest.ColumnRole, width)
	for f, i := range m.Col {
		if keyFields[f] {
			roles[i] = ingest.ColumnKey
		} else {
			roles[i] = ingest.ColumnData
		}
	}
	t.Roles = roles
	t.RowUnitRank = rowUnitRank(m.Spec.Dataset)
	if m.Spec.Shape == "procedure_list" {
		t.RowUnitRank = ingest.RankRecords
	}
}

// keyFields name what a row is about: its unit, its record, its product.
var keyFields = map[string]bool{
	"district": true, "district_code": true, "commune": true, "commune_code": true,
	"village": true, "village_code": true, "unit": true, "unit_code": true,
	"dossier_id": true, "product_code": true, "name": true, "procedure_code": true, "procedure_name": true,
}

// rowUnitRank is the level of the units a dataset's rows name (its declaration's Rows).
func rowUnitRank(d ntm.Dataset) int {
	decl := dataset.Of(d)
	if decl == nil {
		return 0
	}
	switch decl.Rows {
	case ntm.LevelVillage:
		return ingest.RankVillage
	case ntm.LevelCommune, ntm.LevelDistrict:
		return ingest.RankCommune
	case "":
		return ingest.RankRecords
	}
	return 0
}

// flawReason is the reject of a row the reader flawed.
func flawReason(f ingest.Flaw) string {
	switch f.Kind {
	case ingest.FlawUnclosedQuote:
		return msg.UnclosedQuote
	case ingest.FlawMergedCell:
		return msg.MergedCell(f.Ref)
	}
	return "ô không đọc được"
}

// cellFault says why the database could not store a cell's text ("" when it can): a NUL
// character, or bytes that are not UTF-8. Checked on every cell the dataset reads, on load and
// on check alike, so that such a cell is a row reject naming it, never a failed COPY.
func cellFault(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			return msg.CellHasNUL
		}
		if c >= utf8.RuneSelf {
			rest := s[i:]
			if strings.IndexByte(rest, 0) >= 0 {
				return msg.CellHasNUL
			}
			if !utf8.ValidString(rest) {
				return msg.CellNotUTF8
			}
			return ""
		}
	}
	return ""
}

// storable makes a text storable whatever it holds (NUL and stray bytes shown as symbols), for
// the texts kept only to be shown: raw cells of rejected and skipped rows, headers, file names.
func storable(s string) string {
	if cellFault(s) == "" {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\u2400")
}

func storableAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = storable(c)
	}
	return out
}

// columnLabel names cell index i of a table for a reject: its header, else its letter.
func columnLabel(t *ingest.Table, i int) string {
	if i < len(t.Columns) && strings.TrimSpace(t.Columns[i]) != "" {
		return storable(strings.TrimSpace(t.Columns[i]))
	}
	return "cột " + columnLetter(i)
}

func columnLetter(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}
