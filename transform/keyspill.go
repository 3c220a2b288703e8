package transform

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"ntm/scratch"
)

// keySpill finds the rows of a file that repeat an earlier row's key in memory that does not
// grow with the file. It is used for record-level exports, whose files run to millions of rows:
// an in-memory set of every key would be the one thing in a load that grows with the input
// (16–30 bytes a row). Instead each row's key hash is kept with its position; every
// keySpillChunk entries are sorted and written to a temporary file as a run, and the runs are
// merged when the file has been read. A row is a duplicate when an earlier row has its hash.
//
// The rows were already sent to the database by then, so the duplicates are taken out
// afterwards (sink.dropRows) — rare, and the same rows the in-memory check would reject.
type keySpill struct {
	buf  []keyEntry
	runs []string // temporary files, each a sorted run of keyEntry
	// unordered: an entry came before the one added ahead of it (by sheet, then row), so that
	// sorting by hash alone, stably, would not give compareKeyEntry's order (sortEntries).
	unordered bool
	tmp       []keyEntry // sortEntries's second buffer, kept for the next run
}

// keySpillChunk is the most entries kept in memory (16 bytes each: 4 MiB).
var keySpillChunk = 1 << 18 // a variable so that tests can make runs small

// keyEntry is a row's key hash and its place: the sheet's index in the file (sheets are read in
// order) and the row number, so that sorting by all three puts a key's earliest row first.
type keyEntry struct {
	hash  uint64
	sheet uint32
	row   uint32
}

func compareKeyEntry(a, b keyEntry) int {
	if c := cmp.Compare(a.hash, b.hash); c != 0 {
		return c
	}
	if c := cmp.Compare(a.sheet, b.sheet); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// duplicateRow is a row whose key an earlier row (first) already had; sheets by index.
type duplicateRow struct {
	sheet, firstSheet uint32
	row, firstRow     int
}

// add records the row of the sheet with that index whose key hashes to h.
func (k *keySpill) add(h uint64, sheet uint32, row int) error {
	e := keyEntry{hash: h, sheet: sheet, row: uint32(row)}
	if n := len(k.buf); n > 0 && (e.sheet < k.buf[n-1].sheet || e.sheet == k.buf[n-1].sheet && e.row < k.buf[n-1].row) {
		k.unordered = true
	}
	k.buf = append(k.buf, e)
	if len(k.buf) >= keySpillChunk {
		return k.spill()
	}
	return nil
}

// sortEntries sorts the buffer by compareKeyEntry. Rows come in file order, so the buffer is
// nearly always in (sheet, row) order already, and a stable sort by hash alone gives the same
// order: a radix sort, eight passes of a byte, a tenth of the comparison sort's CPU on a run of
// 262,144 entries. Out of order (never from the readers), the comparison sort.
func (k *keySpill) sortEntries() {
	if k.unordered || len(k.buf) < 256 {
		slices.SortFunc(k.buf, compareKeyEntry)
		k.unordered = false
		return
	}
	if cap(k.tmp) < len(k.buf) {
		k.tmp = make([]keyEntry, len(k.buf))
	}
	src, dst := k.buf, k.tmp[:len(k.buf)]
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for i := range src {
			count[byte(src[i].hash>>shift)]++
		}
		if count[byte(src[0].hash>>shift)] == len(src) {
			continue // every entry has this byte alike: the pass would change nothing
		}
		pos := 0
		for b, c := range count {
			count[b] = pos
			pos += c
		}
		for i := range src {
			b := byte(src[i].hash >> shift)
			dst[count[b]] = src[i]
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &k.buf[0] {
		copy(k.buf, src)
	}
}

// spill sorts the buffer and writes it as a run.
func (k *keySpill) spill() error {
	k.sortEntries()
	f, err := scratch.CreateTemp("", "keys")
	if err != nil {
		return fmt.Errorf("duplicate check: create a temporary file: %w", err)
	}
	k.runs = append(k.runs, f.Name())
	w := bufio.NewWriterSize(f, 1<<16)
	var b [16]byte
	for _, e := range k.buf {
		binary.LittleEndian.PutUint64(b[0:], e.hash)
		binary.LittleEndian.PutUint32(b[8:], e.sheet)
		binary.LittleEndian.PutUint32(b[12:], e.row)
		if _, err := w.Write(b[:]); err != nil {
			f.Close()
			return fmt.Errorf("duplicate check: write %s: %w", f.Name(), err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("duplicate check: write %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("duplicate check: write %s: %w", f.Name(), err)
	}
	k.buf = k.buf[:0]
	return nil
}

// close removes the temporary files.
func (k *keySpill) close() {
	for _, p := range k.runs {
		os.Remove(p)
	}
	k.runs, k.buf, k.tmp = nil, nil, nil
}

// duplicates calls fn for each row whose key an earlier row had, in key order.
func (k *keySpill) duplicates(fn func(duplicateRow) error) error {
	defer k.close()
	var src entrySource
	if len(k.runs) == 0 {
		k.sortEntries()
		src = &sliceSource{es: k.buf}
	} else {
		if len(k.buf) > 0 {
			if err := k.spill(); err != nil {
				return err
			}
		}
		m, err := openRuns(k.runs)
		if err != nil {
			return err
		}
		defer m.close()
		src = m
	}
	var first keyEntry
	have := false
	for {
		e, ok, err := src.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if have && e.hash == first.hash {
			if err := fn(duplicateRow{sheet: e.sheet, row: int(e.row), firstSheet: first.sheet, firstRow: int(first.row)}); err != nil {
				return err
			}
			continue
		}
		first, have = e, true
	}
}

type entrySource interface {
	next() (keyEntry, bool, error)
}

type sliceSource struct {
	es []keyEntry
	i  int
}

func (s *sliceSource) next() (keyEntry, bool, error) {
	if s.i >= len(s.es) {
		return keyEntry{}, false, nil
	}
	s.i++
	return s.es[s.i-1], true, nil
}

// runMerger merges sorted runs: a heap of each run's next entry.
type runMerger struct {
	files []*os.File
	heads runHeap
}

type runHead struct {
	e keyEntry
	r *bufio.Reader
}

type runHeap []runHead

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return compareKeyEntry(h[i].e, h[j].e) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(runHead)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func readEntry(r *bufio.Reader) (keyEntry, bool, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return keyEntry{}, false, nil
		}
		return keyEntry{}, false, fmt.Errorf("duplicate check: read a temporary file: %w", err)
	}
	return keyEntry{hash: binary.LittleEndian.Uint64(b[0:]), sheet: binary.LittleEndian.Uint32(b[8:]),
		row: binary.LittleEndian.Uint32(b[12:])}, true, nil
}

func openRuns(paths []string) (*runMerger, error) {
	m := &runMerger{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("duplicate check: %w", err)
		}
		m.files = append(m.files, f)
		r := bufio.NewReaderSize(f, 1<<16)
		e, ok, err := readEntry(r)
		if err != nil {
			m.close()
			return nil, err
		}
		if ok {
			m.heads = append(m.heads, runHead{e, r})
		}
	}
	heap.Init(&m.heads)
	return m, nil
}

func (m *runMerger) next() (keyEntry, bool, error) {
	if len(m.heads) == 0 {
		return keyEntry{}, false, nil
	}
	top := m.heads[0]
	e, ok, err := readEntry(top.r)
	if err != nil {
		return keyEntry{}, false, err
	}
	if ok {
		m.heads[0].e = e
		heap.Fix(&m.heads, 0)
	} else {
		heap.Pop(&m.heads)
	}
	return top.e, true, nil
}

func (m *runMerger) close() {
	for _, f := range m.files {
		f.Close()
	}
}
