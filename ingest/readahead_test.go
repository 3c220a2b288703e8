package ingest

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// The read-ahead gives the source's bytes in order and then its error, an io.ErrUnexpectedEOF
// of a truncated part included (it must not pass for the end of the sheet).
func TestReadAheadBytesThenError(t *testing.T) {
	data := bytes.Repeat([]byte("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), 40000) // several chunks
	for _, srcErr := range []error{nil, io.ErrUnexpectedEOF, errors.New("disk on fire")} {
		var src io.Reader = iotest.HalfReader(bytes.NewReader(data))
		if srcErr != nil {
			src = io.MultiReader(src, iotest.ErrReader(srcErr))
		}
		a := newReadAhead(src)
		got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(a, 1000)))
		if err != nil || !bytes.Equal(got, data[:1000]) {
			t.Fatalf("first bytes: %v", err)
		}
		rest, err := io.ReadAll(a)
		got = append(got, rest...)
		if !bytes.Equal(got, data) {
			t.Errorf("source error %v: %d bytes of %d", srcErr, len(got), len(data))
		}
		if !errors.Is(err, srcErr) || srcErr == nil && err != nil {
			t.Errorf("source error %v: read ended with %v", srcErr, err)
		}
		a.Close()
	}
}

// Closed before the end, the read-ahead stops its goroutine (Close waits for it).
func TestReadAheadCloseEarly(t *testing.T) {
	a := newReadAhead(bytes.NewReader(make([]byte, 10*aheadChunk)))
	if _, err := a.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	select {
	case <-a.done:
	default:
		t.Fatal("the goroutine still runs after Close")
	}
	a.Close() // twice is harmless
}
