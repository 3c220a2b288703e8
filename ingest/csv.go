package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a CSV file is looked at to choose the delimiter
// and check the encoding.
const sniffSize = 64 << 10

// readCSV streams a CSV file through a sheetReader. The file is UTF-8 (a BOM
// is skipped) or, as Excel's "Unicode text" export, UTF-16 with a BOM; the
// delimiter is ",", ";" or tab, whichever splits the first records most
// consistently.
func readCSV(ctx context.Context, file string, lim Limits, cb *callbacks) (err error) {
	defer recoverReader(file, cb, &err)
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", file, err)
	}
	defer f.Close()
	raw := bufio.NewReaderSize(f, sniffSize)
	var src io.Reader = raw
	head, _ := raw.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		raw.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		src = transform.NewReader(raw, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	encoding := ""
	if src == io.Reader(raw) {
		head, _ := raw.Peek(sniffSize)
		switch utf16WithoutBOM(head) {
		case 1:
			src, encoding = transform.NewReader(raw, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), "UTF-16LE"
		case -1:
			src, encoding = transform.NewReader(raw, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), "UTF-16BE"
		}
	} else {
		encoding = "UTF-16"
	}
	br := raw
	if src != io.Reader(raw) {
		br = bufio.NewReaderSize(src, sniffSize)
	}
	sample, perr := br.Peek(sniffSize)
	if perr != nil && perr != io.EOF && !errors.Is(perr, bufio.ErrBufferFull) {
		return fmt.Errorf("cannot read %s: %w", file, perr)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return fmt.Errorf("%s is not a CSV text file (it holds binary data): export the table as .xlsx or as CSV UTF-8", file)
	}
	if !validUTF8Prefix(sample, len(sample) < sniffSize) {
		enc := detectLegacy(sample)
		switch {
		case enc == nil:
			return fmt.Errorf("%s is not UTF-8 text and does not read as Vietnamese in Windows-1258, TCVN3 or VNI either: save it again as \"CSV UTF-8\" or as .xlsx", file)
		case !enc.safe:
			return fmt.Errorf("%s is in the legacy Vietnamese encoding %s, which cannot be converted safely here: %s", file, enc.name, enc.advice)
		}
		br = bufio.NewReaderSize(enc.reader(br), sniffSize)
		encoding = enc.name
		if sample, perr = br.Peek(sniffSize); perr != nil && perr != io.EOF && !errors.Is(perr, bufio.ErrBufferFull) {
			return fmt.Errorf("cannot read %s: %w", file, perr)
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(sample)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	st := newSheetReader(cb, lim, file, "", false, nil)
	st.encoding = encoding
	for n := 1; ; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w: check the quotes on that line", file, err)
		}
		line, _ := cr.FieldPos(0)
		done, err := st.add(line, rec)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	return st.end()
}

// validUTF8Prefix checks a sample that may end in the middle of a character
// (unless it is the whole file).
func validUTF8Prefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
		if utf8.Valid(b[:len(b)-k]) {
			return true
		}
	}
	return false
}

// sniffDelimiter counts each candidate delimiter outside quotes in the first
// records and picks the one whose count is the same on the most records
// (titles and decimal commas vary from line to line; the real delimiter does
// not), then the larger count. "," wins when nothing splits.
func sniffDelimiter(sample []byte) rune {
	cands := []byte{',', ';', '\t'}
	const maxRecords = 50
	counts := make([][]int, len(cands))
	cur := make([]int, len(cands))
	inQuote := false
	records := 0
	flush := func() {
		for i := range cands {
			counts[i] = append(counts[i], cur[i])
			cur[i] = 0
		}
		records++
	}
	for _, c := range sample {
		if records == maxRecords {
			break
		}
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '\n':
			flush()
		default:
			for i, d := range cands {
				if c == d {
					cur[i]++
				}
			}
		}
	}
	if records < maxRecords {
		flush()
	}
	best, bestFreq, bestMode := rune(','), 0, 0
	for i, d := range cands {
		freq := map[int]int{}
		mode, modeFreq := 0, 0
		for _, n := range counts[i] {
			if n == 0 {
				continue
			}
			freq[n]++
			if freq[n] > modeFreq || freq[n] == modeFreq && n > mode {
				mode, modeFreq = n, freq[n]
			}
		}
		if modeFreq > bestFreq || modeFreq == bestFreq && mode > bestMode {
			best, bestFreq, bestMode = rune(d), modeFreq, mode
		}
	}
	return best
}
