package ingest

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"sync"
)

// Reading a big sheet once (Reader.ReadAgain).
//
// A sheet's merged ranges are stored after its cells but are needed from its first row (the
// header search fills merged header cells; the rows below take a key column's vertical merge
// and flag a data column's). Without ReadAgain a sheet bigger than Limits.UnzipXMLSize is
// therefore decompressed twice: once to find its ranges, once for its rows. With ReadAgain it
// is decompressed once: its rows are delivered as if it had no merged ranges, while the
// inflate's goroutine runs the same merge scan as the first pass over the same bytes
// (scanMergesTee); at the end of the sheet (read to its end even when the rows stop early), a
// sheet without ranges is done — what was delivered is exactly what two passes give, ranges
// being none — and a sheet with ranges ends the read with ErrReadAgain, its ranges kept for the
// read again. The read again of the same file delivers every sheet with its ranges, once, as
// the two passes would. Errors are those of the two passes too: what the first pass would have
// failed on (a damaged stream, a checksum) is reported as it would have been, before any row.

// ErrReadAgain ends a read with Reader.ReadAgain when a big sheet turned out to have merged
// ranges: the caller undoes what it was given and reads the same file again.
var ErrReadAgain = errors.New("a big sheet has merged ranges, found at its end after its rows: read the file again")

// lateMerges keeps, from a read that ended with ErrReadAgain to the reads again (a caller may
// read a file again for reasons of its own too: the loader does when its dates are month
// first), the merged ranges of the workbook's big sheets, by the sheet part's identity; at
// most lateMergesMax ranges in all (3 MiB), the oldest forgotten first.
var lateMerges = struct {
	sync.Mutex
	m     map[mergeKey][]mergeRange
	order []mergeKey
	n     int
}{m: map[mergeKey][]mergeRange{}}

const lateMergesMax = 100000

type mergeKey struct {
	file          string
	size, modTime int64
	part          string
	crc           uint32
	csize, usize  uint64
}

func (wb *workbook) mergeKey(f *zip.File) mergeKey {
	k := mergeKey{file: wb.file, part: f.Name, crc: f.CRC32, csize: f.CompressedSize64, usize: f.UncompressedSize64}
	if st, err := os.Stat(wb.file); err == nil {
		k.size, k.modTime = st.Size(), st.ModTime().UnixNano()
	}
	return k
}

func putLateMerges(k mergeKey, m []mergeRange) {
	lateMerges.Lock()
	defer lateMerges.Unlock()
	if old, ok := lateMerges.m[k]; ok {
		lateMerges.n -= len(old)
		lateMerges.order = slices.DeleteFunc(lateMerges.order, func(o mergeKey) bool { return o == k })
	}
	for len(lateMerges.order) > 0 && lateMerges.n+len(m) > lateMergesMax {
		lateMerges.n -= len(lateMerges.m[lateMerges.order[0]])
		delete(lateMerges.m, lateMerges.order[0])
		lateMerges.order = lateMerges.order[1:]
	}
	lateMerges.m[k] = m
	lateMerges.order = append(lateMerges.order, k)
	lateMerges.n += len(m)
}

func knownLateMerges(k mergeKey) ([]mergeRange, bool) {
	lateMerges.Lock()
	defer lateMerges.Unlock()
	m, ok := lateMerges.m[k]
	return m, ok
}

// readOnce reads a big sheet in one decompression: with the ranges kept by the read before
// (known), else as if it had none, learning them on the way.
func (wb *workbook) readOnce(ctx context.Context, sh sheetRef, rc io.ReadCloser, f *zip.File, cb *callbacks, known []mergeRange, haveKnown bool) error {
	defer rc.Close()
	ra := newReadAheadScan(rc, wb.lim.MaxMerges)
	defer ra.Close() // before rc.Close: the goroutine reads rc
	err := wb.pipeRows(ctx, sh, ra, wb.newSink(sh, cb, slices.Clone(known)))
	if ctx.Err() != nil {
		if err == nil {
			err = ctx.Err()
		}
		return err
	}
	// The rest of the sheet through the merge scan: the rows end at </sheetData>, and a sheet
	// without a header, or one the caller skips, stops sooner. (An error here is the one the
	// merge scan reports.)
	ra.drain()
	ra.Close()
	if ra.scanErr != nil {
		return wb.sheetError(sh, 0, ra.scanErr)
	}
	if haveKnown && slices.Equal(ra.merges, known) || !haveKnown && len(ra.merges) == 0 {
		return err
	}
	putLateMerges(wb.mergeKey(f), ra.merges)
	return ErrReadAgain
}

// scanLaterSheets finds the merged ranges of the big sheets after sheet i, for the read again
// (so that one read again is enough).
func (wb *workbook) scanLaterSheets(ctx context.Context, i int) {
	for _, sh := range wb.sheets[i+1:] {
		f, ok := wb.parts[sh.part]
		if !ok || sh.state != "" || f.UncompressedSize64 <= uint64(wb.lim.UnzipXMLSize) || ctx.Err() != nil {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		merges, err := scanMergesStream(rc, wb.lim.MaxMerges)
		rc.Close()
		if err == nil && len(merges) > 0 {
			putLateMerges(wb.mergeKey(f), merges)
		}
	}
}

// errRecorder keeps the first error its reader returned, as it returned it (io.ReadFull, in
// scanMergesTee, turns a short read before io.EOF into io.ErrUnexpectedEOF, and a source's
// own io.ErrUnexpectedEOF — a truncated part — must reach the tokenizer as an error).
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// newReadAheadScan is a readAhead whose goroutine also runs the merge scan over what it reads.
func newReadAheadScan(src io.Reader, limit int) *readAhead {
	a := newReadAheadBuffers()
	go func() {
		defer close(a.done)
		defer close(a.full)
		rec := &errRecorder{r: src}
		a.merges, a.scanErr = scanMergesTee(rec, limit, a.emit)
		if rec.err != nil && rec.err != io.EOF {
			a.err = rec.err
		}
	}()
	return a
}

// drain lets the goroutine read to the end, throwing the chunks away.
func (a *readAhead) drain() {
	if a.buf != nil {
		a.free <- a.buf[:cap(a.buf)]
		a.cur, a.buf = nil, nil
	}
	for b := range a.full {
		a.free <- b[:cap(b)]
	}
	a.eof = true
}

// emit hands b to the reader in chunks; false when the reader was closed.
func (a *readAhead) emit(b []byte) bool {
	for len(b) > 0 {
		var c []byte
		select {
		case c = <-a.free:
		case <-a.stop:
			return false
		}
		n := copy(c[:cap(c)], b)
		select {
		case a.full <- c[:n]:
		case <-a.stop:
			return false
		}
		b = b[n:]
	}
	return true
}
