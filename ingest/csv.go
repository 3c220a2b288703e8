package ingest

import (
	"bufio"
	"bytes"
	"context"
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
// consistently. A file that is UTF-8 but for a few bytes (a row pasted from
// a legacy-encoded file) is read as UTF-8: the caller rejects those rows.
func readCSV(ctx context.Context, file string, lim Limits, cb *callbacks) (err error) {
	defer recoverReader(file, cb, &err)
	f, err := os.Open(file)
	if err != nil {
		return readFault(file, err)
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
		return readFault(file, perr)
	}
	if binarySample(sample) {
		return bad(fmt.Errorf("%s holds binary data (NUL bytes)", file),
			"Tệp %s không phải tệp văn bản CSV (có dữ liệu nhị phân): xuất bảng ra .xlsx hoặc CSV UTF-8.", file)
	}
	if !mostlyUTF8(sample, len(sample) < sniffSize) {
		enc := detectLegacy(sample)
		switch {
		case enc == nil:
			return bad(fmt.Errorf("%s is not UTF-8 and reads as no legacy Vietnamese encoding", file),
				"Tệp %s không phải văn bản UTF-8, và cũng không đọc được thành tiếng Việt theo bảng mã Windows-1258, TCVN3 hay VNI: lưu lại dạng \"CSV UTF-8\" hoặc .xlsx.", file)
		case !enc.safe:
			return bad(fmt.Errorf("%s is in the legacy encoding %s", file, enc.name),
				"Tệp %s dùng bảng mã cũ %s, không chuyển đổi an toàn được: %s.", file, enc.name, enc.advice)
		}
		br = bufio.NewReaderSize(enc.reader(br), sniffSize)
		encoding = enc.name
		if sample, perr = br.Peek(sniffSize); perr != nil && perr != io.EOF && !errors.Is(perr, bufio.ErrBufferFull) {
			return readFault(file, perr)
		}
	}
	rr := newCSVRecords(br, sniffDelimiter(sample), lim.MaxCellSize)
	st := newSheetReader(cb, lim, file, "", false, nil)
	st.encoding = encoding
	for n := 1; ; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, rec, flawed, err := rr.read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errLineTooLong) {
			return bad(fmt.Errorf("%s: line %d is longer than %d MiB", file, rr.line+1, rr.maxLine>>20),
				"Tệp %s, dòng %d dài hơn %d MiB: tệp không phải bản xuất bình thường.", file, rr.line+1, rr.maxLine>>20)
		}
		if err != nil {
			return readFault(file, err)
		}
		if flawed >= 0 {
			st.flaws = append(st.flaws[:0], Flaw{Col: flawed, Kind: FlawUnclosedQuote})
		}
		st.cut = rr.cut && len(rr.back) == 0
		done, err := st.add(line, rec)
		st.flaws = st.flaws[:0]
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	return st.end()
}

// binarySample tells a binary file from a text with a stray NUL or two (which the caller
// rejects row by row, naming the cell).
func binarySample(b []byte) bool {
	n := bytes.Count(b, []byte{0})
	return n > 16 || n > 0 && n*100 > len(b)
}

// mostlyUTF8 accepts a sample that is UTF-8, or UTF-8 but for a few stray bytes (at most
// one for every ten well-formed multi-byte letters): a legacy file has no well-formed ones.
func mostlyUTF8(b []byte, whole bool) bool {
	if validUTF8Prefix(b, whole) {
		return true
	}
	good, badBytes := 0, 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			badBytes++
		} else {
			good++
		}
		b = b[size:]
	}
	return good > 0 && badBytes*10 <= good
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
