package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
)

// xmlScanner is a small pull tokenizer for the XML parts of a workbook, built
// for speed over the sheet XML (encoding/xml costs ~20× the decompression).
// It reads start tags with their attributes, end tags and text, skips
// comments and processing instructions, and refuses DTDs: a workbook never
// has one, and refusing it is what makes entity-expansion bombs harmless.
// It keeps no element stack, so deep nesting costs nothing. Every token must
// fit in maxToken bytes (a tag, or one run of text between tags), which is
// what bounds a single cell.
//
// Slices it returns (name, attribute values, text) are valid until the next
// call to next.
type xmlScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error
	maxToken int
	read     int64 // bytes consumed from r

	// the current token
	name      []byte // start/end tag name without its namespace prefix
	attrs     []xmlAttr
	selfClose bool
	text      []byte // raw text (entities not yet decoded)
	cdata     bool   // text is CDATA: taken literally

	// general turns off the one-step paths (fastCellStart, fastCellBody): the tests' reference.
	general bool
	pooled  *[]byte // buf's pool entry, while buf is the pooled one (release)
}

type xmlAttr struct {
	name, value []byte // name as written (with prefix); value raw
}

const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
)

const scanChunk = 256 << 10

// errTokenTooBig is wrapped in the error for a token over maxToken.
var errTokenTooBig = errors.New("token too big")

// errDTD is returned for a document type declaration.
var errDTD = errors.New("the XML declares a DTD (<!DOCTYPE …>), which a workbook never has; it is refused because DTD entities can expand into gigabytes")

func newXMLScanner(r io.Reader, maxToken int) *xmlScanner {
	if maxToken < 4096 {
		maxToken = 4096
	}
	bp := scanBufs.Get().(*[]byte)
	return &xmlScanner{r: r, buf: *bp, pooled: bp, maxToken: maxToken}
}

// scanBufs pools the scanners' first buffers: a workbook is read by half a dozen scanners (its
// relationships, its sheet list, its shared strings, each sheet), and a fresh 256 KiB each,
// zeroed, was most of what reading a small file allocated.
var scanBufs = sync.Pool{New: func() any { b := make([]byte, scanChunk); return &b }}

// release gives the scanner's buffer back to the pool. Neither the scanner nor any slice it
// returned may be used after.
func (s *xmlScanner) release() {
	if s.pooled != nil && len(s.buf) == scanChunk && &s.buf[0] == &(*s.pooled)[0] {
		scanBufs.Put(s.pooled)
	}
	s.pooled, s.buf = nil, nil
}

// fill makes more bytes available after s.end, keeping s.buf[s.pos:]. It
// returns false at EOF or on error (s.err set).
func (s *xmlScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxToken+scanChunk {
			s.err = fmt.Errorf("%w: more than %d bytes in one XML element or text", errTokenTooBig, s.maxToken)
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.maxToken+scanChunk))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		s.read += int64(n)
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// next advances to the next token and returns its kind; tokEOF at the end of
// input or on error (see s.err).
func (s *xmlScanner) next() int {
	for {
		if s.pos >= s.end && !s.fill() {
			return tokEOF
		}
		if s.buf[s.pos] != '<' {
			i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
			if i < 0 {
				if s.end-s.pos > s.maxToken {
					s.err = fmt.Errorf("%w: more than %d bytes of text in one cell", errTokenTooBig, s.maxToken)
					return tokEOF
				}
				if s.fill() {
					continue
				}
				if s.err != nil {
					return tokEOF
				}
				i = s.end - s.pos // trailing text at EOF
			}
			s.text, s.cdata = s.buf[s.pos:s.pos+i], false
			s.pos += i
			return tokText
		}
		kind, n := s.markup(s.buf[s.pos:s.end])
		if n == 0 { // incomplete: need more bytes
			if s.err != nil {
				return tokEOF
			}
			if !s.fill() {
				if s.err == nil {
					s.err = io.ErrUnexpectedEOF
				}
				return tokEOF
			}
			continue
		}
		s.pos += n
		if kind != tokEOF {
			return kind
		}
		// a comment or processing instruction: go on
	}
}

// markup parses the markup at the start of b ("<…"). It returns the token
// kind and the bytes it used, or n == 0 when b ends before the markup does.
// Kind tokEOF with n > 0 means "skipped" (comment, PI).
func (s *xmlScanner) markup(b []byte) (kind, n int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch b[1] {
	case '/':
		i := bytes.IndexByte(b, '>')
		if i < 0 {
			return 0, 0
		}
		j := i
		for j > 2 && isXMLSpace(b[j-1]) {
			j--
		}
		s.name = localName(b[2:j])
		return tokEnd, i + 1
	case '?':
		i := bytes.Index(b, []byte("?>"))
		if i < 0 {
			return 0, 0
		}
		return tokEOF, i + 2
	case '!':
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return 0, 0
			}
			return tokEOF, 4 + i + 3
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			i := bytes.Index(b[9:], []byte("]]>"))
			if i < 0 {
				return 0, 0
			}
			s.text, s.cdata = b[9:9+i], true
			return tokText, 9 + i + 3
		case len(b) < 9:
			return 0, 0
		case bytes.HasPrefix(b, []byte("<!DOCTYPE")):
			s.err = errDTD
			return 0, 0
		}
		s.err = fmt.Errorf("unexpected markup %q", truncate(b, 12))
		return 0, 0
	}
	// start tag: name, attributes, ">" or "/>"
	i := 1
	for i < len(b) && !isXMLSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i == len(b) {
		return 0, 0
	}
	s.name = localName(b[1:i])
	s.attrs = s.attrs[:0]
	for {
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		switch b[i] {
		case '>':
			s.selfClose = false
			return tokStart, i + 1
		case '/':
			if i+1 == len(b) {
				return 0, 0
			}
			if b[i+1] != '>' {
				s.err = fmt.Errorf("malformed tag <%s", truncate(s.name, 40))
				return 0, 0
			}
			s.selfClose = true
			return tokStart, i + 2
		}
		eq := bytes.IndexByte(b[i:], '=')
		if eq < 0 {
			return 0, 0
		}
		ne := i + eq
		for ne > i && isXMLSpace(b[ne-1]) {
			ne--
		}
		name := b[i:ne]
		i += eq + 1
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return 0, 0
		}
		q := b[i]
		if q != '"' && q != '\'' {
			s.err = fmt.Errorf("malformed attribute in <%s", truncate(s.name, 40))
			return 0, 0
		}
		e := bytes.IndexByte(b[i+1:], q)
		if e < 0 {
			return 0, 0
		}
		s.attrs = append(s.attrs, xmlAttr{name: name, value: b[i+1 : i+1+e]})
		i += e + 2
	}
}

// skipElement skips to the end of the element just started (nested elements
// of the same name included). It counts only depth, so nesting is cheap.
func (s *xmlScanner) skipElement() {
	if s.selfClose {
		return
	}
	depth := 1
	for {
		switch s.next() {
		case tokEOF:
			return
		case tokStart:
			if !s.selfClose {
				depth++
			}
		case tokEnd:
			depth--
			if depth == 0 {
				return
			}
		}
	}
}

// attr returns the raw value of the attribute whose local name is name and
// whose prefix presence matches prefixed ("r:id" vs "id"), and whether found.
func (s *xmlScanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

// attrLocal finds an attribute by local name, with any prefix.
func (s *xmlScanner) attrLocal(name string, prefixed bool) ([]byte, bool) {
	for _, a := range s.attrs {
		i := bytes.IndexByte(a.name, ':')
		if (i >= 0) != prefixed {
			continue
		}
		if string(a.name[i+1:]) == name {
			return a.value, true
		}
	}
	return nil, false
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(b []byte) []byte {
	for i, c := range b {
		if c == ':' {
			return b[i+1:]
		}
	}
	return b
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// appendText appends raw XML text to dst with entities decoded and line ends
// normalised ("\r\n" and "\r" become "\n", as every XML parser does). Only
// the five predefined entities and character references exist: anything else
// would need a DTD and is an error.
func appendText(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := 0
		for i < len(raw) && raw[i] != '&' && raw[i] != '\r' {
			i++
		}
		if i == len(raw) {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			return dst, fmt.Errorf("a bare %q in the text (should be &amp;)", "&")
		}
		ent := raw[1:semi]
		raw = raw[semi+1:]
		switch string(ent) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return dst, fmt.Errorf("unknown entity &%s; (only DTDs define those, and they are refused)", truncate(ent, 12))
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			r := rune(n)
			if err != nil || !validXMLChar(r) {
				return dst, fmt.Errorf("invalid character reference &%s;", truncate(ent, 12))
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// validXMLChar is the XML 1.0 Char production.
func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// attrString decodes an attribute value.
func attrString(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	out, err := appendText(nil, v)
	if err != nil {
		return string(v)
	}
	return string(out)
}

// Cell bodies as nearly every writer lays them out; fastCellBody consumes
// one of these in a single step instead of six tokens.
var (
	fastV       = []byte("<v>")
	fastVEnd    = []byte("</v></c>")
	fastIS      = []byte("<is><t>")
	fastISSpace = []byte(`<is><t xml:space="preserve">`)
	fastISEnd   = []byte("</t></is></c>")
)

// fastCellBody consumes "<v>TEXT</v></c>" or "<is><t>TEXT</t></is></c>"
// (also with xml:space="preserve") right after a cell's start tag when all of
// it is in the buffer and TEXT holds no markup. It returns the raw TEXT,
// whether it was an inline string, and false (consuming nothing) for any
// other layout, which the caller then tokenises normally.
func (s *xmlScanner) fastCellBody() (text []byte, inline, ok bool) {
	if s.general {
		return nil, false, false
	}
	b := s.buf[s.pos:s.end]
	var p int
	var closing []byte
	switch {
	case bytes.HasPrefix(b, fastV):
		p, closing = len(fastV), fastVEnd
	case bytes.HasPrefix(b, fastIS):
		p, closing, inline = len(fastIS), fastISEnd, true
	case bytes.HasPrefix(b, fastISSpace):
		p, closing, inline = len(fastISSpace), fastISEnd, true
	default:
		return nil, false, false
	}
	i := bytes.IndexByte(b[p:], '<')
	if i < 0 || !bytes.HasPrefix(b[p+i:], closing) {
		return nil, false, false
	}
	s.pos += p + i + len(closing)
	return b[p : p+i], inline, true
}

// fastCellStart consumes a cell's start tag of the usual shape when all of it is in the
// buffer: "<c", then attributes r, s and t (each at most once, in any order, none required),
// each as one space, the letter, `="`, a value without `"` and `"`, then ">" or "/>". It
// returns the raw values of r and t as attr would and whether the tag closed itself. Any
// other shape (another attribute, other spacing or quotes, a prefix, a tag cut by the end of
// the buffer) consumes nothing and returns ok false: the caller then tokenises it with next,
// which gives the same values or the same error.
func (s *xmlScanner) fastCellStart() (ref []byte, hasRef bool, typ []byte, selfClose, ok bool) {
	b := s.buf[s.pos:s.end]
	if s.general || len(b) < 3 || b[0] != '<' || b[1] != 'c' || b[2] != ' ' {
		return nil, false, nil, false, false
	}
	var seenS, seenT bool
	for i := 3; ; {
		if i+3 > len(b) || b[i+1] != '=' || b[i+2] != '"' {
			return nil, false, nil, false, false
		}
		e := bytes.IndexByte(b[i+3:], '"')
		if e < 0 {
			return nil, false, nil, false, false
		}
		v := b[i+3 : i+3+e]
		switch b[i] {
		case 'r':
			if hasRef {
				return nil, false, nil, false, false
			}
			ref, hasRef = v, true
		case 's':
			if seenS {
				return nil, false, nil, false, false
			}
			seenS = true
		case 't':
			if seenT {
				return nil, false, nil, false, false
			}
			typ, seenT = v, true
		default:
			return nil, false, nil, false, false
		}
		i += 3 + e + 1
		if i >= len(b) {
			return nil, false, nil, false, false
		}
		switch b[i] {
		case ' ':
			i++
		case '>':
			s.pos += i + 1
			return ref, hasRef, typ, false, true
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				s.pos += i + 2
				return ref, hasRef, typ, true, true
			}
			return nil, false, nil, false, false
		default:
			return nil, false, nil, false, false
		}
	}
}
