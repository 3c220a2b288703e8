package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// csvRecords splits CSV text into records, as RFC 4180 says and Excel writes: fields separated
// by one delimiter byte, a field that starts with a quote runs to the matching quote ("" inside
// is one quote) and may hold delimiters and line breaks; a quote elsewhere in a field is an
// ordinary character.
//
// It is strict where encoding/csv's LazyQuotes is not, and it never lets one stray quote
// swallow the rest of a file. A field that opens with a quote must close within
// maxQuotedLines lines and MaxCellSize bytes, with its closing quote followed by a delimiter
// or the end of the line. When it does not, the record is the line it started on alone, read
// with that quote as an ordinary character, and its field carries FlawUnclosedQuote; reading
// goes on with the next line.
//
// A quoted field that does close but spans lines must also fit the table: the record it ends
// must be as wide as the file's records (the most common width so far), and the field's lines
// must not look like the rows of the table (see looksLikeRows). A stray quote that happens to
// meet another quote lines later (an inch mark `12"` at the end of a row, a name `Bản "Co"`)
// would otherwise merge the rows between them into one field; such a span is refused like an
// unclosed quote, so the rows inside it are read as rows again and only the line the quote
// opened on is flagged. A real multi-line cell keeps its delimiters, however many: a note
// listing villages "Thôn A, Thôn B, …" over two lines is one field.
type csvRecords struct {
	br      *bufio.Reader
	comma   byte
	maxCell int
	maxLine int
	line    int // number of the last physical line read
	// cut: the last line read ended the file without a line break (it may be cut short).
	cut     bool
	back    [][]byte // lines read ahead while a quoted field was tried, to be read again
	buf     []byte   // the record's text being built
	lineBuf []byte   // a long line assembled from bufio fragments
	fields  []string
	ends    []int
	// widths counts the records of each width read so far (the table's width is the most
	// common one); width is that mode, 0 while unknown.
	widths     map[int]int
	width      int
	widthCount int
}

// maxQuotedLines is how many lines one quoted field may span (Excel writes a cell's line
// breaks inside quotes; a cell of more lines than this is not an export's).
const maxQuotedLines = 100

// errLineTooLong is a physical line longer than csvRecords.maxLine.
var errLineTooLong = errors.New("line too long")

func newCSVRecords(r *bufio.Reader, comma rune, maxCell int) *csvRecords {
	return &csvRecords{br: r, comma: byte(comma), maxCell: maxCell, maxLine: 64 << 20, widths: map[int]int{}}
}

// count records a record's width for the table's width.
func (c *csvRecords) count(n int) {
	if n < 2 {
		return // a title or a blank line says nothing about the table
	}
	c.widths[n]++
	if k := c.widths[n]; k > c.widthCount || k == c.widthCount && n > c.width {
		c.width, c.widthCount = n, k
	}
}

// spanFits tells whether a record with quoted fields spanning lines fits the table: as wide
// as the table (when its width is known), and none of those fields looking like rows of it.
func (c *csvRecords) spanFits(rowsLike bool) bool {
	if c.width < 2 {
		return true
	}
	return len(c.ends) == c.width && !rowsLike
}

// looksLikeRows tells whether the text of quoted field k, which spanned lines, is what a stray
// quote in column k swallows: the rest of the row it opened on (as many delimiters as the
// columns after k), then whole rows (a row's worth of delimiters each), then the start of the
// row it closed on (as many delimiters as the columns before k). Either the two ends fit a
// row's geometry, or every line between them holds exactly a row's delimiters. A line counts
// only when its delimiters are written as an export writes them, not as prose: a list typed
// in a cell puts a space after each ("Bản Chắt, Nà Sla, Hòa Bình"). A cell's own lines hardly
// ever fall on those counts, however many delimiters they hold.
func (c *csvRecords) looksLikeRows(k int, span []byte) bool {
	if c.width < 2 {
		return false
	}
	lines := bytes.Split(span, []byte{'\n'})
	if c.rowPart(lines[0], c.width-1-k) && c.rowPart(lines[len(lines)-1], k) {
		return true
	}
	if len(lines) < 3 {
		return false
	}
	for _, l := range lines[1 : len(lines)-1] {
		if !c.rowPart(l, c.width-1) {
			return false
		}
	}
	return true
}

// rowPart tells whether line holds exactly n delimiters, written as between a row's fields:
// not every one followed by a space (or ending the line), as in prose.
func (c *csvRecords) rowPart(line []byte, n int) bool {
	if bytes.Count(line, []byte{c.comma}) != n {
		return false
	}
	if n == 0 {
		return true
	}
	for i, b := range line {
		if b == c.comma && i+1 < len(line) && line[i+1] != ' ' {
			return true
		}
	}
	return false
}

// readLine returns the next physical line without its line break, or io.EOF.
func (c *csvRecords) readLine() ([]byte, error) {
	if n := len(c.back); n > 0 {
		l := c.back[0]
		c.back = c.back[1:]
		c.line++
		c.cut = false // (a line put back was followed by another)
		return l, nil
	}
	l, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.lineBuf = append(c.lineBuf[:0], l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(c.lineBuf) > c.maxLine {
				return nil, errLineTooLong
			}
			l, err = c.br.ReadSlice('\n')
			c.lineBuf = append(c.lineBuf, l...)
		}
		l = c.lineBuf
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(l) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	c.cut = err == io.EOF
	c.line++
	l = bytes.TrimSuffix(l, []byte{'\n'})
	l = bytes.TrimSuffix(l, []byte{'\r'})
	return l, nil
}

// read returns the next record: the line it starts on, its fields, and the index of a field
// with an unclosed quote (-1 when none). The fields share one string per record.
func (c *csvRecords) read() (line int, fields []string, flawed int, err error) {
	l, err := c.readLine()
	if err != nil {
		return 0, nil, -1, err
	}
	line = c.line
	if bytes.IndexByte(l, '"') < 0 {
		f := c.split(l)
		c.count(len(f))
		return line, f, -1, nil
	}
	// Quotes. The line is bufio's until the next read: a field that goes on past it copies it.
	first := l
	var ahead [][]byte
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	cur := first
	pos := 0
	spanField, rowsLike := -1, false // the first field that spans lines; whether one looks like rows
	for {
		// At the start of a field.
		if pos < len(cur) && cur[pos] == '"' {
			start := len(c.buf)
			pos++
			lines := 0
			closed := false
			for !closed {
				i := bytes.IndexByte(cur[pos:], '"')
				if i < 0 {
					// The field goes on past this line.
					c.buf = append(c.buf, cur[pos:]...)
					if lines == maxQuotedLines || len(c.buf)-start > c.maxCell {
						return c.literal(line, first, ahead, len(c.ends))
					}
					if ahead == nil {
						first = append([]byte(nil), first...)
						ahead = [][]byte{}
					}
					next, err := c.readLine()
					if err == io.EOF {
						return c.literal(line, first, ahead, len(c.ends))
					}
					if err != nil {
						return 0, nil, -1, err
					}
					next = append([]byte(nil), next...)
					ahead = append(ahead, next)
					lines++
					c.buf = append(c.buf, '\n')
					cur, pos = next, 0
					continue
				}
				c.buf = append(c.buf, cur[pos:pos+i]...)
				pos += i + 1
				switch {
				case pos < len(cur) && cur[pos] == '"':
					c.buf = append(c.buf, '"')
					pos++
				case pos == len(cur) || cur[pos] == c.comma:
					closed = true
					if lines > 0 {
						if spanField < 0 {
							spanField = len(c.ends)
						}
						rowsLike = rowsLike || c.looksLikeRows(len(c.ends), c.buf[start:])
					}
				default:
					// Text after the closing quote: not a field Excel writes.
					return c.literal(line, first, ahead, len(c.ends))
				}
			}
		} else {
			i := bytes.IndexByte(cur[pos:], c.comma)
			if i < 0 {
				i = len(cur) - pos
			}
			c.buf = append(c.buf, cur[pos:pos+i]...)
			pos += i
		}
		c.ends = append(c.ends, len(c.buf))
		if pos >= len(cur) {
			break
		}
		pos++ // the delimiter
		if pos == len(cur) {
			c.ends = append(c.ends, len(c.buf)) // a trailing empty field
			break
		}
	}
	if spanField >= 0 && !c.spanFits(rowsLike) {
		return c.literal(line, first, ahead, spanField)
	}
	c.count(len(c.ends))
	return line, c.fields1(string(c.buf)), -1, nil
}

// literal re-reads the record's first line with the quote of field k as an ordinary character
// (the fields before it as parsed), puts back the lines read ahead, and flags field k.
func (c *csvRecords) literal(line int, first []byte, ahead [][]byte, k int) (int, []string, int, error) {
	c.back = append(ahead, c.back...)
	c.line -= len(ahead)
	// Fields 0..k-1 parsed fine on the first line (a quoted field that spans lines is the
	// one at fault, so the earlier ones ended on it). Find where field k starts.
	pos, n := 0, 0
	inQuote := false
	for pos < len(first) && n < k {
		b := first[pos]
		switch {
		case b == '"' && (inQuote || pos == 0 || first[pos-1] == c.comma):
			inQuote = !inQuote
		case b == c.comma && !inQuote:
			n++
		}
		pos++
	}
	out := make([]string, 0, k+4)
	prev := 0
	for _, e := range c.ends[:k] {
		out = append(out, string(c.buf[prev:e]))
		prev = e
	}
	out = append(out, strings.Split(string(first[pos:]), string(c.comma))...)
	return line, out, k, nil
}

// fields1 slices the record text s at c.ends.
func (c *csvRecords) fields1(s string) []string {
	out := make([]string, len(c.ends))
	prev := 0
	for i, e := range c.ends {
		out[i] = s[prev:e]
		prev = e
	}
	return out
}

// split is the fast path: a line without quotes.
func (c *csvRecords) split(l []byte) []string {
	n := bytes.Count(l, []byte{c.comma}) + 1
	out := make([]string, 0, n)
	s := string(l)
	for {
		i := strings.IndexByte(s, c.comma)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}
