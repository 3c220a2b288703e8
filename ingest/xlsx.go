package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"ntm"
	"ntm/faults"
)

// The .xlsx read path is our own: archive/zip plus the xmlScanner over each
// part. (excelize's Rows() iterator goes through encoding/xml and reads about
// 15,000 rows a second; this reads several hundred thousand. excelize stays
// for writing.) Values are the raw ones excelize gives with RawCellValue:
// numbers, dates and booleans as written in the XML, shared and inline
// strings as text with rich-text runs joined (phonetic runs left out) and
// "_xHHHH_" escapes decoded, formula results as cached.

// partLimit caps the small parts (relationships, workbook.xml) read whole.
const partLimit = 16 << 20

// workbook is an open .xlsx package.
type workbook struct {
	file     string
	lim      Limits
	zr       *zip.ReadCloser
	parts    map[string]*zip.File // by normalised name
	sheets   []sheetRef
	date1904 bool
	sst      []string
	// sink, when set, receives the raw rows instead of a sheetReader (tests).
	sink func(sheet string, merges []mergeRange) rowSink
	// general: the tokenizer without its one-step paths (tests).
	general bool
	// readAgain: Reader.ReadAgain (xlsxagain.go).
	readAgain bool
}

type sheetRef struct {
	name, part string
	state      SheetSkip // "" for a visible sheet, else SheetHidden or SheetVeryHidden
}

// readXLSX streams every sheet of a workbook through a sheetReader.
func readXLSX(ctx context.Context, file string, lim Limits, cb *callbacks) (err error) {
	defer recoverReader(file, cb, &err)
	wb, err := openWorkbook(file, lim)
	if err != nil {
		return err
	}
	defer wb.zr.Close()
	wb.readAgain = cb.readAgain
	for i, sh := range wb.sheets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if sh.state != "" {
			// A hidden sheet is an old copy, a lookup list or a scratch area: what the office sees
			// is what loads.
			cb.sheetSkipped(sh.name, sh.state)
			continue
		}
		if err := wb.readSheet(ctx, sh, cb); err != nil {
			if errors.Is(err, ErrReadAgain) {
				wb.scanLaterSheets(ctx, i)
			}
			return err
		}
	}
	return nil
}

// damaged is the advice for a package that cannot be read.
const damaged = "tệp bị hỏng, bị cắt cụt, hoặc là định dạng khác bị đổi tên; mở bằng Excel và lưu lại dạng .xlsx"

func openWorkbook(file string, lim Limits) (*workbook, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		if e := faults.OS(err, "đọc tệp %s", file); e != nil && !errors.Is(err, zip.ErrFormat) {
			return nil, e
		}
		return nil, bad(fmt.Errorf("%s is not a valid .xlsx workbook: %w", file, err), "Tệp %s không phải sổ tính .xlsx hợp lệ: %s.", file, damaged)
	}
	useFastInflate(&zr.Reader)
	wb := &workbook{file: file, lim: lim, zr: zr, parts: map[string]*zip.File{}}
	ok := false
	defer func() {
		if !ok {
			zr.Close()
		}
	}()
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.UnzipSize) || f.UncompressedSize64 > uint64(lim.UnzipSize) {
			return nil, bad(fmt.Errorf("%s unpacks to more than %d bytes", file, lim.UnzipSize),
				"Tệp %s quá lớn: giải nén ra hơn %s (có thể là \"bom zip\", hoặc một bản xuất cần chia nhỏ): chia tệp, hoặc nâng giới hạn giải nén.", file, sizeText(lim.UnzipSize))
		}
		wb.parts[normPart(f.Name)] = f
	}
	if mt, ok := wb.parts["mimetype"]; ok {
		b, _ := wb.readPart(mt)
		if bytes.Contains(b, []byte("opendocument")) {
			return nil, bad(fmt.Errorf("%s is an OpenDocument spreadsheet", file),
				"Tệp %s là bảng tính OpenDocument (.ods), không phải sổ tính .xlsx: mở bằng LibreOffice hoặc Excel và lưu lại dạng .xlsx.", file)
		}
	}
	if _, ok := wb.parts["EncryptedPackage"]; ok {
		return nil, encryptedError(file)
	}
	wbPath := "xl/workbook.xml"
	rels, err := wb.rels("_rels/.rels")
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			wbPath = r.target
		}
	}
	wbPart, found := wb.parts[wbPath]
	if !found {
		return nil, bad(fmt.Errorf("%s is a zip archive without a workbook part", file),
			"Tệp %s không phải sổ tính .xlsx (là tệp zip không có phần sổ tính): %s.", file, damaged)
	}
	wbXML, err := wb.readPart(wbPart)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(wbPath)
	wbRels, err := wb.rels(path.Join(dir, "_rels", path.Base(wbPath)+".rels"))
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	sstPath := ""
	for _, r := range wbRels {
		targets[r.id] = r.target
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sstPath = r.target
		}
	}
	if err := wb.parseWorkbook(wbXML, targets); err != nil {
		return nil, err
	}
	if sstPath == "" {
		if _, ok := wb.parts[path.Join(dir, "sharedStrings.xml")]; ok {
			sstPath = path.Join(dir, "sharedStrings.xml")
		}
	}
	if sstPath != "" {
		if err := wb.loadSharedStrings(sstPath); err != nil {
			return nil, err
		}
	}
	if err := wb.verifyOtherParts(); err != nil {
		return nil, err
	}
	ok = true
	return wb, nil
}

// verifyOtherParts decompresses the parts that are not read (styles, themes,
// properties) so that damage anywhere in the package is reported, as Excel
// would, rather than only damage in the cells.
func (wb *workbook) verifyOtherParts() error {
	sheets := map[string]bool{}
	for _, sh := range wb.sheets {
		sheets[sh.part] = true
	}
	for name, f := range wb.parts {
		if sheets[name] || f.UncompressedSize64 > partLimit || strings.HasSuffix(name, "/") {
			continue
		}
		rc, err := f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil {
			return wb.partError(f.Name, err)
		}
	}
	return nil
}

// normPart gives a part name as used in relationship targets.
func normPart(name string) string {
	return strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(name, "\\", "/")), "/")
}

// readAllSized is io.ReadAll of at most limit+1 bytes into a buffer sized for the part's
// recorded size (io.ReadAll's would grow from 512 bytes, copying), which is only a hint: a part
// bigger than it said grows it as io.ReadAll would (archive/zip then fails it on its size).
func readAllSized(r io.Reader, limit int64, size uint64) ([]byte, error) {
	r = io.LimitReader(r, limit+1)
	b := make([]byte, 0, min(size, uint64(limit))+1) // +1: the read that meets the end
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// readPart reads a small part whole.
func (wb *workbook) readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > partLimit {
		return nil, bad(fmt.Errorf("%s: part %s is too large (%d MiB)", wb.file, f.Name, f.UncompressedSize64>>20),
			"Tệp %s: phần %s quá lớn (%d MiB): %s.", wb.file, f.Name, f.UncompressedSize64>>20, damaged)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, wb.partError(f.Name, err)
	}
	defer rc.Close()
	b, err := readAllSized(rc, partLimit, f.UncompressedSize64)
	if err != nil {
		return nil, wb.partError(f.Name, err)
	}
	if len(b) > partLimit {
		return nil, bad(fmt.Errorf("%s: part %s is larger than declared", wb.file, f.Name), "Tệp %s: phần %s quá lớn: %s.", wb.file, f.Name, damaged)
	}
	return b, nil
}

func (wb *workbook) partError(part string, err error) error {
	cause := fmt.Errorf("%s, part %s: %w", wb.file, part, err)
	if errors.Is(err, errDTD) {
		return bad(cause, "Tệp %s bị từ chối: phần %s có khai báo DTD (<!DOCTYPE …>), điều sổ tính không bao giờ có; các thực thể DTD có thể nở ra hàng gigabyte.", wb.file, part)
	}
	if errors.Is(err, errTokenTooBig) {
		return bad(cause, "Tệp %s: phần %s có một ô hoặc thẻ XML quá lớn (giới hạn MaxCellSize): tệp không phải bản xuất bình thường; kiểm tra bằng Excel.", wb.file, part)
	}
	return bad(cause, "Không đọc được tệp %s (phần %s): %s.", wb.file, part, damaged)
}

type relationship struct{ id, typ, target string }

// rels reads a relationships part (missing: none) with targets resolved
// against the part's folder.
func (wb *workbook) rels(name string) ([]relationship, error) {
	f, ok := wb.parts[normPart(name)]
	if !ok {
		return nil, nil
	}
	b, err := wb.readPart(f)
	if err != nil {
		return nil, err
	}
	base := path.Dir(path.Dir(normPart(name))) // "xl/_rels/workbook.xml.rels" → "xl"
	var out []relationship
	s := newXMLScanner(bytes.NewReader(b), partLimit)
	defer s.release()
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return nil, wb.partError(f.Name, s.err)
			}
			return out, nil
		case tokStart:
			if string(s.name) != "Relationship" {
				continue
			}
			var r relationship
			if v, ok := s.attr("Id"); ok {
				r.id = attrString(v)
			}
			if v, ok := s.attr("Type"); ok {
				r.typ = attrString(v)
			}
			if v, ok := s.attr("Target"); ok {
				t := strings.ReplaceAll(attrString(v), "\\", "/")
				if strings.HasPrefix(t, "/") {
					r.target = normPart(t)
				} else {
					r.target = normPart(path.Join(base, t))
				}
			}
			out = append(out, r)
		}
	}
}

// parseWorkbook reads the sheet list and the date system.
func (wb *workbook) parseWorkbook(b []byte, targets map[string]string) error {
	s := newXMLScanner(bytes.NewReader(b), partLimit)
	defer s.release()
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return wb.partError("workbook.xml", s.err)
			}
			return nil
		case tokStart:
			switch string(s.name) {
			case "workbookPr":
				if v, ok := s.attr("date1904"); ok {
					wb.date1904 = string(v) == "1" || string(v) == "true"
				}
			case "sheet":
				var name, id string
				if v, ok := s.attr("name"); ok {
					name = attrString(v)
				}
				if v, ok := s.attrLocal("id", true); ok {
					id = attrString(v)
				}
				var state SheetSkip
				if v, ok := s.attr("state"); ok {
					switch string(v) {
					case "hidden":
						state = SheetHidden
					case "veryHidden":
						state = SheetVeryHidden
					}
				}
				if t, ok := targets[id]; ok && name != "" {
					wb.sheets = append(wb.sheets, sheetRef{name: name, part: t, state: state})
				}
			}
		}
	}
}

// loadSharedStrings reads the shared strings table once, bounded by
// Limits.SharedStrings (total bytes of text).
func (wb *workbook) loadSharedStrings(name string) error {
	f, ok := wb.parts[name]
	if !ok {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return wb.partError(f.Name, err)
	}
	defer rc.Close()
	s := newXMLScanner(rc, wb.lim.MaxCellSize)
	defer s.release()
	var cur []byte
	var total int64
	inSI, inT, phonetic := false, false, 0
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return wb.partError(f.Name, s.err)
			}
			return nil
		case tokStart:
			switch string(s.name) {
			case "si":
				inSI, cur = true, cur[:0]
				if s.selfClose {
					inSI = false
					wb.sst = append(wb.sst, "")
				}
			case "t":
				inT = !s.selfClose
			case "rPh":
				if !s.selfClose {
					phonetic++
				}
			}
		case tokEnd:
			switch string(s.name) {
			case "si":
				if inSI {
					total += int64(len(cur)) + 16
					if total > wb.lim.SharedStrings {
						return bad(fmt.Errorf("%s: shared strings over %d MiB", wb.file, wb.lim.SharedStrings>>20),
							"Tệp %s: bảng chuỗi dùng chung có hơn %d MiB chữ (giới hạn SharedStrings): chia tệp, hoặc nâng giới hạn.", wb.file, wb.lim.SharedStrings>>20)
					}
					wb.sst = append(wb.sst, bstrUnescape(string(cur)))
				}
				inSI = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case tokText:
			if inSI && inT && phonetic == 0 {
				if s.cdata {
					cur = append(cur, s.text...)
				} else if cur, err = appendText(cur, s.text); err != nil {
					return wb.partError(f.Name, err)
				}
			}
		}
	}
}

// bstrUnescape decodes the "_xHHHH_" escapes Office uses for characters XML
// cannot hold ("_x000D_" is a carriage return; "_x005F_" a literal "_").
func bstrUnescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || i+7 > len(s) {
			break
		}
		h := s[i+2 : i+6]
		if s[i+6] != '_' || !isHex4(h) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		if h == "005F" || h == "005f" {
			b.WriteByte('_')
		} else {
			n, _ := strconv.ParseUint(h, 16, 16)
			r := rune(n)
			if r >= 0xD800 && r <= 0xDFFF {
				r = utf8.RuneError
			}
			b.WriteRune(r)
		}
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

func isHex4(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// openSheet opens a worksheet part for streaming.
func (wb *workbook) openSheet(sh sheetRef) (io.ReadCloser, *zip.File, error) {
	f, ok := wb.parts[sh.part]
	if !ok {
		return nil, nil, nil // listed but absent (chart sheet, damaged entry): nothing to read
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, bad(fmt.Errorf("%s, sheet %q: %w", wb.file, sh.name, err), "Tệp %s, trang %q: %s.", wb.file, sh.name, damaged)
	}
	return rc, f, nil
}

// readSheet reads one worksheet. Merged ranges sit after the cell data in the
// XML but are needed from the first row, so a small sheet is decompressed
// into memory once and searched; a big one (over UnzipXMLSize) is
// decompressed twice: a search for the merges at memory speed, then the rows
// — or once, for a caller that can read again (Reader.ReadAgain, xlsxagain.go).
//
// The XML is tokenised on a goroutine of its own, a batch of rows ahead of
// the caller's callbacks, so that reading and what the caller does with the
// rows (parsing, COPY) use both cores.
func (wb *workbook) readSheet(ctx context.Context, sh sheetRef, cb *callbacks) error {
	rc, f, err := wb.openSheet(sh)
	if err != nil || rc == nil {
		return err
	}
	var src io.Reader
	var merges []mergeRange
	if f.UncompressedSize64 <= uint64(wb.lim.UnzipXMLSize) {
		b, err := readAllSized(rc, wb.lim.UnzipXMLSize, f.UncompressedSize64)
		rc.Close()
		if err != nil {
			return wb.sheetError(sh, 0, err)
		}
		if int64(len(b)) > wb.lim.UnzipXMLSize {
			return bad(fmt.Errorf("%s, sheet %q unpacks to more than its recorded size", wb.file, sh.name),
				"Tệp %s, trang %q giải nén ra nhiều hơn kích thước ghi trong tệp: %s.", wb.file, sh.name, damaged)
		}
		merges = findMerges(b, nil, wb.lim.MaxMerges)
		src = bytes.NewReader(b)
	} else if wb.readAgain {
		known, again := knownLateMerges(wb.mergeKey(f))
		return wb.readOnce(ctx, sh, rc, f, cb, known, again)
	} else {
		// Decompressing twice costs less than keeping a decompressed copy
		// on disk (measured: 1 s against 2.5 s of system time for 1M rows).
		merges, err = scanMergesStream(rc, wb.lim.MaxMerges)
		rc.Close()
		if err != nil {
			return wb.sheetError(sh, 0, err)
		}
		rc, _, err = wb.openSheet(sh)
		if err != nil {
			return err
		}
		defer rc.Close()
		ra := newReadAhead(rc)
		defer ra.Close() // before rc.Close: the goroutine reads rc
		src = ra
	}
	return wb.pipeRows(ctx, sh, src, wb.newSink(sh, cb, merges))
}

// newSink is what receives a sheet's rows: a sheetReader (tests: wb.sink).
func (wb *workbook) newSink(sh sheetRef, cb *callbacks, merges []mergeRange) rowSink {
	if wb.sink != nil {
		return wb.sink(sh.name, merges)
	}
	return newSheetReader(cb, wb.lim, wb.file, sh.name, wb.date1904, merges)
}

// rowBatch carries rows from the tokenising goroutine to the caller's.
type rowBatch struct {
	nums  []int
	cells [][]string
}

const rowBatchSize = 512

// batcher is the rowSink of the tokenising goroutine.
type batcher struct {
	out  chan<- rowBatch
	stop <-chan struct{}
	cur  rowBatch
}

func (b *batcher) add(num int, cells []string) (bool, error) {
	if b.cur.nums == nil {
		b.cur = rowBatch{nums: make([]int, 0, rowBatchSize), cells: make([][]string, 0, rowBatchSize)}
	}
	b.cur.nums = append(b.cur.nums, num)
	b.cur.cells = append(b.cur.cells, cells)
	if len(b.cur.nums) == rowBatchSize {
		return b.flush(), nil
	}
	return false, nil
}

// flush sends the batch; true means the reader stopped listening.
func (b *batcher) flush() bool {
	if len(b.cur.nums) == 0 {
		return false
	}
	select {
	case b.out <- b.cur:
		b.cur = rowBatch{}
		return false
	case <-b.stop:
		return true
	}
}

func (b *batcher) end() error {
	b.flush()
	return nil
}

// pipeRows runs scanRows on a goroutine and feeds its rows to sink here.
func (wb *workbook) pipeRows(ctx context.Context, sh sheetRef, src io.Reader, sink rowSink) (err error) {
	batches := make(chan rowBatch, 8)
	stop := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		defer func() {
			if p := recover(); p != nil {
				errc <- bad(fmt.Errorf("%s, sheet %q: the reader panicked: %v", wb.file, sh.name, p),
					"Không đọc được tệp %s, trang %q (trình đọc gặp lỗi): %s.", wb.file, sh.name, damaged)
			}
		}()
		errc <- wb.scanRows(ctx, sh, src, &batcher{out: batches, stop: stop})
	}()
	defer func() {
		close(stop)
		for range batches { // let the goroutine finish before src is closed
		}
	}()
	for b := range batches {
		for i, num := range b.nums {
			done, err := sink.add(num, b.cells[i])
			if err != nil {
				return err
			}
			if done {
				return nil
			}
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	return sink.end()
}

func (wb *workbook) sheetError(sh sheetRef, row int, err error) error {
	where := fmt.Sprintf("tệp %s, trang %q", wb.file, sh.name)
	if row > 0 {
		where += fmt.Sprintf(", dòng %d", row)
	}
	cause := fmt.Errorf("%s, sheet %q, row %d: %w", wb.file, sh.name, row, err)
	if e := faults.OS(err, "đọc %s", where); e != nil && e.Code != ntm.CodeInvalid {
		return e
	}
	switch {
	case errors.Is(err, errDTD):
		return bad(cause, "Từ chối %s: có khai báo DTD (<!DOCTYPE …>), điều sổ tính không bao giờ có; các thực thể DTD có thể nở ra hàng gigabyte.", where)
	case errors.Is(err, errTokenTooBig):
		return bad(cause, "Ở %s có một ô quá lớn (giới hạn MaxCellSize): một ô Excel chứa tối đa 32.767 ký tự, nên tệp không phải bản xuất bình thường.", where)
	}
	return bad(cause, "Không đọc được %s: %s.", where, damaged)
}

// rowSink receives a sheet's rows in order (the sheetReader; tests use a
// recorder).
type rowSink interface {
	add(num int, cells []string) (done bool, err error)
	end() error
}

// cellSpan is one cell's decoded value inside the row buffer.
type cellSpan struct{ col, start, end int }

// scanRows tokenises the sheet XML and feeds rows to st. All the text of a
// row is decoded into one buffer and turned into one string, which the
// row's cells slice: one allocation per row for the text.
func (wb *workbook) scanRows(ctx context.Context, sh sheetRef, src io.Reader, st rowSink) error {
	s := newXMLScanner(src, wb.lim.MaxCellSize)
	defer s.release()
	s.general = wb.general
	var (
		rowBuf               []byte
		spans                []cellSpan
		rowNum, col, maxCol  int
		inRow, inCell, inV   bool
		inIS, inT, hasV      bool
		hasF                 bool
		phonetic             int
		cellType             []byte
		cellStart            int
		nRows                int
		typeBuf              [16]byte
		inSheetData, pastEnd bool
	)
	emit := func() (bool, error) {
		nRows++
		if nRows&255 == 0 {
			if err := ctx.Err(); err != nil {
				return true, err
			}
		}
		if len(spans) == 0 {
			return false, nil
		}
		// Bytes that are not UTF-8 are kept as they are: the caller rejects the row naming the
		// cell, rather than loading a value silently changed.
		text := string(rowBuf)
		cells := make([]string, maxCol+1)
		for _, sp := range spans {
			cells[sp.col] = text[sp.start:sp.end]
		}
		return st.add(rowNum, cells)
	}
	endCell := func() error {
		if err := wb.finishCell(sh, rowNum, col, cellType, hasV, hasF, &rowBuf, cellStart); err != nil {
			return err
		}
		if len(rowBuf) > cellStart {
			if col > wb.lim.MaxColumns {
				return bad(fmt.Errorf("%s, sheet %q, row %d: a value in column %s, beyond %d columns", wb.file, sh.name, rowNum, colName(col), wb.lim.MaxColumns),
					"Tệp %s, trang %q, dòng %d: có giá trị ở cột %s, vượt quá %d cột cho phép (giới hạn MaxColumns): xóa các ô lạc ở xa bên phải, hoặc nâng giới hạn.", wb.file, sh.name, rowNum, colName(col), wb.lim.MaxColumns)
			}
			spans = append(spans, cellSpan{col: col - 1, start: cellStart, end: len(rowBuf)})
			if col-1 > maxCol {
				maxCol = col - 1
			}
		}
		return nil
	}
	// cells takes a cell whose start tag was just read (ref: its r attribute; typ: its t), and
	// the cells after it while their start tags have the usual shape and their bodies fit
	// fastCellBody; it stops inside a cell of another layout (inCell), which the caller then
	// tokenises, or before whatever is not a cell's start tag.
	cells := func(ref []byte, hasRef bool, typ []byte, selfClose bool) error {
		for {
			col++
			if hasRef {
				c, ok := colFromRef(ref)
				if !ok {
					return bad(fmt.Errorf("%s, sheet %q, row %d: invalid cell reference %q", wb.file, sh.name, rowNum, truncate(ref, 20)),
						"Tệp %s, trang %q, dòng %d: tham chiếu ô %q không hợp lệ: %s.", wb.file, sh.name, rowNum, truncate(ref, 20), damaged)
				}
				col = c
			}
			cellType = append(typeBuf[:0], typ...)
			cellStart = len(rowBuf)
			hasV, hasF, inIS, inT, inV, phonetic = false, false, false, false, false, 0
			if !selfClose {
				inCell = true
				text, inline, ok := s.fastCellBody()
				if !ok {
					return nil
				}
				hasV = !inline
				if len(text) > wb.lim.MaxCellSize {
					return wb.sheetError(sh, rowNum, fmt.Errorf("%w: more than %d bytes in one cell", errTokenTooBig, wb.lim.MaxCellSize))
				}
				var err error
				if rowBuf, err = appendText(rowBuf, text); err != nil {
					return badXML(wb.file, sh.name, rowNum, err)
				}
				inCell = false
				if err := endCell(); err != nil {
					return err
				}
			}
			var ok bool
			if ref, hasRef, typ, selfClose, ok = s.fastCellStart(); !ok {
				return nil
			}
		}
	}
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return wb.sheetError(sh, rowNum, s.err)
			}
			if inRow {
				return wb.sheetError(sh, rowNum, io.ErrUnexpectedEOF)
			}
			return st.end()
		case tokStart:
			name := s.name
			switch {
			case !inSheetData:
				if string(name) == "sheetData" {
					inSheetData = !s.selfClose
					pastEnd = s.selfClose
				}
				if pastEnd {
					return st.end() // merges were read beforehand; nothing else is needed
				}
			case !inRow:
				if string(name) != "row" {
					continue
				}
				n := rowNum + 1
				if v, ok := s.attr("r"); ok {
					if x, err := atoiBytes(v); err == nil && x > 0 {
						n = x
					}
				}
				if n > maxSheetRows {
					return bad(fmt.Errorf("%s, sheet %q: row number %d is beyond 1,048,576", wb.file, sh.name, n),
						"Tệp %s, trang %q: số dòng %d vượt quá 1.048.576 dòng mà một trang có thể có: %s.", wb.file, sh.name, n, damaged)
				}
				openCol := col
				rowNum, col, maxCol = n, 0, -1
				rowBuf, spans = rowBuf[:0], spans[:0]
				if inCell {
					// A cell of an earlier row never closed: what follows is inside it (its column
					// kept, its text from the start of this row's buffer).
					col, cellStart = openCol, 0
				}
				if !s.selfClose {
					inRow = true
					if inCell {
						continue
					}
					if ref, hasRef, typ, selfClose, ok := s.fastCellStart(); ok {
						if err := cells(ref, hasRef, typ, selfClose); err != nil {
							return err
						}
					}
				}
			case !inCell:
				if string(name) != "c" {
					continue
				}
				ref, hasRef := s.attr("r")
				typ, _ := s.attr("t")
				if err := cells(ref, hasRef, typ, s.selfClose); err != nil {
					return err
				}
			default: // inside a cell
				switch string(name) {
				case "v":
					hasV = true
					inV = !s.selfClose
					rowBuf = rowBuf[:cellStart] // the last <v> wins
				case "f":
					hasF = true
					s.skipElement()
				case "is":
					inIS = !s.selfClose
				case "t":
					inT = inIS && !s.selfClose
				case "rPh":
					if !s.selfClose {
						phonetic++
					}
				}
			}
		case tokEnd:
			switch string(s.name) {
			case "v":
				inV = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			case "is":
				inIS = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				if err := endCell(); err != nil {
					return err
				}
			case "row":
				if !inRow {
					continue
				}
				inRow = false
				done, err := emit()
				if err != nil || done {
					return err
				}
			case "sheetData":
				return st.end()
			}
		case tokText:
			if !inCell || !(inV || inT && phonetic == 0) {
				continue
			}
			if len(rowBuf)-cellStart+len(s.text) > wb.lim.MaxCellSize {
				return wb.sheetError(sh, rowNum, fmt.Errorf("%w: more than %d bytes in one cell", errTokenTooBig, wb.lim.MaxCellSize))
			}
			if s.cdata {
				rowBuf = append(rowBuf, s.text...)
				continue
			}
			var err error
			if rowBuf, err = appendText(rowBuf, s.text); err != nil {
				return badXML(wb.file, sh.name, rowNum, err)
			}
		}
	}
}

// sizeText writes a byte count for people: "2 GiB", "16 MiB", "900 KiB", "512 byte".
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// badXML is a sheet whose XML text cannot be decoded.
func badXML(file, sheet string, row int, err error) error {
	return bad(fmt.Errorf("%s, sheet %q, row %d: %w", file, sheet, row, err),
		"Tệp %s, trang %q, dòng %d có XML không hợp lệ: %s.", file, sheet, row, damaged)
}

// maxSheetRows is Excel's row limit.
const maxSheetRows = 1 << 20

// finishCell turns the decoded bytes of a cell into its value, in place.
func (wb *workbook) finishCell(sh sheetRef, row, col int, typ []byte, hasV, hasF bool, buf *[]byte, start int) error {
	switch string(typ) {
	case "s":
		raw := bytes.TrimSpace((*buf)[start:])
		*buf = (*buf)[:start]
		if len(raw) == 0 {
			return nil
		}
		i, err := atoiBytes(raw)
		if err != nil || i < 0 || i >= len(wb.sst) {
			return bad(fmt.Errorf("%s, sheet %q, cell %s%d: shared string %q does not exist (the table has %d)", wb.file, sh.name, colName(col), row, truncate(raw, 20), len(wb.sst)),
				"Tệp %s, trang %q, ô %s%d trỏ tới một chuỗi dùng chung không có: %s.", wb.file, sh.name, colName(col), row, damaged)
		}
		*buf = append(*buf, wb.sst[i]...)
	case "inlineStr":
		if v := (*buf)[start:]; bytes.Contains(v, []byte("_x")) {
			u := bstrUnescape(string(v))
			*buf = append((*buf)[:start], u...)
		}
	}
	if hasF && !hasV && string(typ) != "inlineStr" {
		return bad(fmt.Errorf("%s, sheet %q, cell %s%d: formula without a cached value", wb.file, sh.name, colName(col), row),
			"Tệp %s, trang %q, ô %s%d có công thức chưa từng được tính ra giá trị (tệp do một chương trình không tính công thức tạo ra): mở bằng Excel hoặc LibreOffice và lưu lại.", wb.file, sh.name, colName(col), row)
	}
	return nil
}

// atoiBytes parses a small non-negative decimal.
func atoiBytes(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, strconv.ErrSyntax
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// colFromRef reads the 1-based column of a cell reference ("AB12" → 28).
func colFromRef(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c == '$' && i == 0 {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
		if col > 16384 {
			return 0, false
		}
	}
	if col == 0 {
		return 0, false
	}
	return col, true
}

// colName is the letters of a 1-based column.
func colName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

// findMerges finds <mergeCell ref="A1:B2"/> tags in sheet XML bytes without
// parsing the rest (bytes.Index runs at memory speed).
func findMerges(data []byte, out []mergeRange, limit int) []mergeRange {
	for {
		i := bytes.Index(data, []byte("mergeCell"))
		if i < 0 {
			return out
		}
		after := i + len("mergeCell")
		if after >= len(data) {
			return out
		}
		// "<mergeCell " or "<x:mergeCell ", not "<mergeCells" nor text
		okName := isXMLSpace(data[after]) || data[after] == '/'
		lt := i - 1
		for lt >= 0 && lt >= i-16 && data[lt] != '<' && data[lt] != '>' && !isXMLSpace(data[lt]) {
			lt--
		}
		gt := bytes.IndexByte(data[after:], '>')
		if gt < 0 {
			return out
		}
		if okName && lt >= 0 && data[lt] == '<' && (lt == i-1 || data[i-1] == ':') {
			if m, ok := parseMergeRef(attrValue(data[after:after+gt], "ref")); ok && len(out) < limit {
				out = append(out, m)
			}
		}
		data = data[after+gt:]
	}
}

// scanMergesStream runs findMerges over a stream in chunks, carrying an
// unfinished tag over to the next chunk.
func scanMergesStream(r io.Reader, limit int) ([]mergeRange, error) {
	return scanMergesTee(r, limit, nil)
}

// errTeeClosed ends a scan whose tee's reader was closed.
var errTeeClosed = errors.New("the sheet's reader was closed")

// scanMergesTee is scanMergesStream handing every byte it reads, in order, to tee (when not
// nil) before scanning it; tee returns false to stop.
func scanMergesTee(r io.Reader, limit int, tee func([]byte) bool) ([]mergeRange, error) {
	buf := make([]byte, 1<<20)
	var out []mergeRange
	n := 0
	for {
		m, err := io.ReadFull(r, buf[n:])
		if tee != nil && m > 0 && !tee(buf[n:n+m]) {
			return out, errTeeClosed
		}
		data := buf[:n+m]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return out, err
		}
		cut := len(data)
		if !eof {
			cut = bytes.LastIndexByte(data, '<')
			if cut < len(data)-64<<10 {
				cut = len(data) - 64
			}
		}
		out = findMerges(data[:cut], out, limit)
		if eof {
			return out, nil
		}
		n = copy(buf, data[cut:])
	}
}

// attrValue extracts attribute name="value" (or 'value') from a tag's bytes.
func attrValue(tag []byte, name string) string {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(name))
		if j < 0 {
			return ""
		}
		j += i
		k := j + len(name)
		before := byte(' ')
		if j > 0 {
			before = tag[j-1]
		}
		if isXMLSpace(before) && k+1 < len(tag) && tag[k] == '=' && (tag[k+1] == '"' || tag[k+1] == '\'') {
			q := tag[k+1]
			if e := bytes.IndexByte(tag[k+2:], q); e >= 0 {
				return string(tag[k+2 : k+2+e])
			}
			return ""
		}
		i = k
	}
}

func parseMergeRef(ref string) (mergeRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return mergeRange{}, false
	}
	c1, r1, ok1 := cellCoords(a)
	c2, r2, ok2 := cellCoords(b)
	if !ok1 || !ok2 {
		return mergeRange{}, false
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	if c2 < c1 {
		c1, c2 = c2, c1
	}
	if r1 == r2 && c1 == c2 {
		return mergeRange{}, false
	}
	return mergeRange{top: r1, left: c1 - 1, bottom: r2, right: c2 - 1}, true
}

// cellCoords reads "B3" / "$B$3" as column 2, row 3.
func cellCoords(ref string) (col, row int, ok bool) {
	ref = strings.ReplaceAll(ref, "$", "")
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		i++
	}
	if i == 0 || i > 3 {
		return 0, 0, false
	}
	col, ok = colFromRef([]byte(ref[:i]))
	if !ok {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > maxSheetRows {
		return 0, 0, false
	}
	return col, row, true
}
