package ingest

import (
	"archive/zip"
	"bufio"
	"errors"
	"io"
	"sync"

	kflate "github.com/klauspost/compress/flate"
)

// The parts of a workbook are inflated by github.com/klauspost/compress/flate instead of
// compress/flate: 27% less CPU on the 646 MB sheet of the 1,000,000-row export (0.62 s
// against 0.85 s, docs/performance.md, "The reader"), the same bytes (archive/zip still checks
// each part's CRC-32 and size). Decompressors are pooled, as archive/zip pools its own (a
// workbook opens a dozen small parts, and a decompressor holds a 32 KiB window), and read the
// compressed bytes through a 64 KiB buffer (the decompressor's own would be 4 KiB: a read
// call on the file for every 4 KiB).

var (
	inflaters  sync.Pool // io.ReadCloser from kflate.NewReader (each a kflate.Resetter)
	inflateBuf = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
)

// pooledInflater gives its decompressor and buffer back when closed.
type pooledInflater struct {
	mu sync.Mutex
	fr io.ReadCloser
	br *bufio.Reader
}

func newInflater(r io.Reader) io.ReadCloser {
	br := inflateBuf.Get().(*bufio.Reader)
	br.Reset(r)
	fr, ok := inflaters.Get().(io.ReadCloser)
	if ok {
		fr.(kflate.Resetter).Reset(br, nil)
	} else {
		fr = kflate.NewReader(br)
	}
	return &pooledInflater{fr: fr, br: br}
}

var errInflaterClosed = errors.New("zip: read of a closed part")

func (p *pooledInflater) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fr == nil {
		return 0, errInflaterClosed
	}
	return p.fr.Read(b)
}

func (p *pooledInflater) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fr == nil {
		return nil
	}
	err := p.fr.Close()
	inflaters.Put(p.fr)
	p.br.Reset(nil)
	inflateBuf.Put(p.br)
	p.fr, p.br = nil, nil
	return err
}

// useFastInflate makes zr inflate its deflated parts with the pooled decompressor.
func useFastInflate(zr *zip.Reader) {
	zr.RegisterDecompressor(zip.Deflate, newInflater)
}
