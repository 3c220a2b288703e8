package ingest

import (
	"io"
)

// readAhead reads src on a goroutine of its own, a few chunks ahead of the caller: a big
// sheet's decompression then runs on one core while the tokenizer runs on another (the
// tokenizer itself runs a batch of rows ahead of the loader, pipeRows).
type readAhead struct {
	full chan []byte // chunks read, in order; closed after the last
	free chan []byte // chunks the caller is done with
	stop chan struct{}
	done chan struct{} // closed when the goroutine has returned
	err  error         // the source's error (nil at EOF), set before full is closed
	cur  []byte        // the chunk being read from
	buf  []byte        // the whole of cur's chunk, to give back
	eof  bool

	// newReadAheadScan's: the merge scan's ranges and error, set when done is closed.
	merges  []mergeRange
	scanErr error
}

const (
	aheadChunk  = 256 << 10
	aheadChunks = 4
)

func newReadAhead(src io.Reader) *readAhead {
	a := newReadAheadBuffers()
	go a.run(src)
	return a
}

func newReadAheadBuffers() *readAhead {
	a := &readAhead{
		full: make(chan []byte, aheadChunks),
		free: make(chan []byte, aheadChunks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range aheadChunks {
		a.free <- make([]byte, aheadChunk)
	}
	return a
}

func (a *readAhead) run(src io.Reader) {
	defer close(a.done)
	defer close(a.full)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n, err := fillChunk(src, b[:cap(b)])
		if n > 0 {
			select {
			case a.full <- b[:n]:
			case <-a.stop:
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			a.err = err
			return
		}
	}
}

// fillChunk reads into b until it is full or src ends (io.EOF) or fails; unlike io.ReadFull
// it never turns an end into io.ErrUnexpectedEOF, so that a source's own
// io.ErrUnexpectedEOF (a truncated part) stays an error.
func fillChunk(src io.Reader, b []byte) (int, error) {
	n := 0
	for tries := 0; n < len(b); {
		m, err := src.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			if tries++; tries == 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

func (a *readAhead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.eof {
			return 0, a.finalErr()
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		b, ok := <-a.full
		if !ok {
			a.eof = true
			return 0, a.finalErr()
		}
		a.cur, a.buf = b, b
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

func (a *readAhead) finalErr() error {
	if a.err != nil {
		return a.err
	}
	return io.EOF
}

// Close stops the goroutine and waits for it, so that the source may be closed after.
func (a *readAhead) Close() error {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
	return nil
}
