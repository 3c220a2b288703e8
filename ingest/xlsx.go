package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// rawCells asks excelize for the values as stored, never through the
// cell's number format (formatted reads are slow and lossy).
var rawCells = excelize.Options{RawCellValue: true}

// readXLSX streams every sheet of a workbook through a sheetReader.
func readXLSX(ctx context.Context, file string, lim Limits, cb *callbacks) (err error) {
	defer recoverReader(file, cb, &err)
	f, err := excelize.OpenFile(file, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.UnzipSize,
		UnzipXMLSizeLimit: lim.UnzipXMLSize,
		TmpDir:            lim.TmpDir,
	})
	if err != nil {
		return openError(file, lim, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("%s: closing the workbook: %w", file, cerr)
		}
	}()
	d1904 := false
	if p, perr := f.GetWorkbookProps(); perr == nil && p.Date1904 != nil {
		d1904 = *p.Date1904
	}
	paths := sheetXMLPaths(f)
	var zr *zip.ReadCloser // opened only for a sheet too big to sit in memory
	defer func() {
		if zr != nil {
			zr.Close()
		}
	}()
	for _, sheet := range f.GetSheetList() {
		if err := ctx.Err(); err != nil {
			return err
		}
		merges, merr := sheetMerges(f, file, &zr, paths[sheet], lim.MaxMerges)
		if merr != nil {
			return fmt.Errorf("%s, sheet %q: reading merged cells: %w: the file is probably damaged; open it in Excel and save it again", file, sheet, merr)
		}
		if err := readSheet(ctx, f, file, sheet, d1904, merges, lim, cb); err != nil {
			return err
		}
	}
	return nil
}

func readSheet(ctx context.Context, f *excelize.File, file, sheet string, d1904 bool, merges []mergeRange, lim Limits, cb *callbacks) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		var missing excelize.ErrSheetNotExist
		if errors.As(err, &missing) {
			return nil // listed in the workbook but without data (chart sheet, damaged entry)
		}
		return fmt.Errorf("%s, sheet %q: %w", file, sheet, err)
	}
	defer rows.Close()
	st := newSheetReader(cb, lim, file, sheet, d1904, merges)
	num := 0
	for rows.Next() {
		num++ // the iterator yields every row number, including absent rows
		if num&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cells, err := rows.Columns(rawCells)
		if err != nil {
			return fmt.Errorf("%s, sheet %q, row %d: %w: the file is probably damaged; open it in Excel and save it again", file, sheet, num, err)
		}
		done, err := st.add(num, cells)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("%s, sheet %q, after row %d: %w", file, sheet, num, err)
	}
	return st.end()
}

// openError explains why a workbook could not be opened.
func openError(file string, lim Limits, err error) error {
	switch {
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, zip.ErrChecksum),
		errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s is not a valid .xlsx workbook (%v): the file is damaged, truncated or another format renamed; open it in Excel and save it as .xlsx", file, err)
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return fmt.Errorf("%s is an old-format .xls workbook or a password-protected one: open it in Excel, remove any password and save it as .xlsx", file)
	case strings.Contains(err.Error(), "unzip size"):
		return fmt.Errorf("%s is too large: it unpacks to more than %d MiB (%v); split it or raise the unzip limit", file, lim.UnzipSize>>20, err)
	}
	return fmt.Errorf("%s could not be opened as an .xlsx workbook (%w): the file is probably damaged; open it in Excel and save it again", file, err)
}

// sheetXMLPaths maps sheet names to their part names inside the package,
// following the workbook's relationships the way excelize does.
func sheetXMLPaths(f *excelize.File) map[string]string {
	out := map[string]string{}
	wbPath := "xl/workbook.xml"
	for _, rel := range readRels(pkgBytes(f, "_rels/.rels")) {
		if strings.HasSuffix(rel.typ, "/officeDocument") {
			wbPath = strings.TrimPrefix(rel.target, "/")
		}
	}
	dir := path.Dir(wbPath)
	relsPath := strings.TrimPrefix(path.Join(dir, "_rels", path.Base(wbPath)+".rels"), "/")
	targets := map[string]string{}
	for _, rel := range readRels(pkgBytes(f, relsPath)) {
		t := strings.ReplaceAll(rel.target, "\\", "/")
		if strings.HasPrefix(t, "/") {
			t = path.Clean(strings.TrimPrefix(t, "/"))
		} else {
			t = strings.TrimPrefix(path.Clean(path.Join(dir, t)), "/")
		}
		targets[rel.id] = t
	}
	dec := xml.NewDecoder(bytes.NewReader(pkgBytes(f, wbPath)))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "sheet" {
			continue
		}
		var name, id string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		if t, ok := targets[id]; ok && name != "" {
			out[name] = t
		}
	}
	return out
}

type relationship struct{ id, typ, target string }

func readRels(b []byte) []relationship {
	var out []relationship
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r relationship
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		out = append(out, r)
	}
}

// pkgBytes returns a part excelize holds in memory, or nil.
func pkgBytes(f *excelize.File, name string) []byte {
	if v, ok := f.Pkg.Load(name); ok {
		if b, ok := v.([]byte); ok {
			return b
		}
	}
	return nil
}

// sheetMerges reads the merged ranges of one sheet. Small sheets are in
// excelize's memory; a big one is read again from the zip as a stream.
// (excelize's GetMergeCells would unmarshal the whole sheet.)
func sheetMerges(f *excelize.File, file string, zr **zip.ReadCloser, part string, limit int) ([]mergeRange, error) {
	if part == "" {
		return nil, nil
	}
	if b := pkgBytes(f, part); b != nil {
		return scanMerges(bytes.NewReader(b), limit)
	}
	if *zr == nil {
		r, err := zip.OpenReader(file)
		if err != nil {
			return nil, err
		}
		*zr = r
	}
	for _, zf := range (*zr).File {
		if strings.ReplaceAll(zf.Name, "\\", "/") == part {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return scanMerges(rc, limit)
		}
	}
	return nil, nil
}

// scanMerges finds <mergeCell ref="A1:B2"/> elements in a worksheet's XML
// without parsing the rest: it jumps from "<" to "<" and looks only at the
// tag name, so a large sheet costs one decompression pass.
func scanMerges(r io.Reader, limit int) ([]mergeRange, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []mergeRange
	for {
		_, err := br.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		peek, _ := br.Peek(48)
		end := bytes.IndexAny(peek, " \t\r\n/>")
		if end < 0 {
			continue
		}
		name := peek[:end]
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if string(name) != "mergeCell" {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return out, err
		}
		if m, ok := parseMergeRef(attrValue(tag, "ref")); ok && len(out) < limit {
			out = append(out, m)
		}
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
		if (before == ' ' || before == '\t' || before == '\n' || before == '\r') && k+1 < len(tag) && tag[k] == '=' && (tag[k+1] == '"' || tag[k+1] == '\'') {
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
	c1, r1, err1 := excelize.CellNameToCoordinates(strings.ReplaceAll(a, "$", ""))
	c2, r2, err2 := excelize.CellNameToCoordinates(strings.ReplaceAll(b, "$", ""))
	if err1 != nil || err2 != nil {
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
