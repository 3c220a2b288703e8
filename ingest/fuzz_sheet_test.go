package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSheetXML feeds arbitrary bytes to the sheet reader as a worksheet's XML
// (and as the shared strings table): reading never panics, never hangs, and
// every row it delivers is valid UTF-8. Seeds: testdata/fuzz/FuzzSheetXML.
func FuzzSheetXML(f *testing.F) {
	for _, s := range []string{
		`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c><c r="B1" t="inlineStr"><is><t>Tên thôn</t></is></c><c r="C1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>Bản </t></r><r><t>Chắt</t></r></is></c><c r="C2" t="b"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:A2"/></mergeCells></worksheet>`,
		`<x:worksheet xmlns:x="s"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t><![CDATA[a<b]]></x:t></x:is></x:c><x:c><x:v>&#x1EA1;&amp;</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
		`<!DOCTYPE a [<!ENTITY b "c">]><worksheet><sheetData><row><c><v>&b;</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1048577"/><row r="3"><c r="XFD3"><v>1</v></c><c r="A0"><f>1</f></c></row>`,
		`<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#N/A</v></c><c t="d"><v>2024-01-01T00:00:00</v></c><c t="str"><f>A1</f><v></v></c></row></sheetData></worksheet>`,
		// A cell never closed before the next row.
		`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>STT thôn bản</t></is></row><row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="B1"><v>1</v></row><row r="2"/><row r="3"></c></row></sheetData></worksheet>`,
	} {
		f.Add([]byte(s))
	}
	sst := []byte(`<sst><si><t>Tên thôn</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>`)
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range map[string][]byte{
			"_rels/.rels":                []byte(`<Relationships><Relationship Id="rId1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
			"xl/workbook.xml":            []byte(`<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/><sheet name="T" r:id="rId2"/></sheets></workbook>`),
			"xl/_rels/workbook.xml.rels": []byte(`<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`),
			"xl/worksheets/sheet1.xml":   data,
			"xl/worksheets/sheet2.xml":   sst,
			"xl/sharedStrings.xml":       append(append([]byte(nil), sst...), data...),
		} {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			w.Write(b)
		}
		zw.Close()
		path := filepath.Join(dir, "f.xlsx")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, lim := range []Limits{{MaxCellSize: 4096, MaxColumns: 64}, {UnzipXMLSize: 1, MaxCellSize: 4096}} {
			err := Reader{Limits: lim}.ReadFile(context.Background(), path, func(cols []string) int { return len(cols) },
				func(*Table) error { return nil }, func(_ *Table, r Row) error {
					for _, c := range r.Cells {
						if !validUTF8Prefix([]byte(c), true) {
							t.Fatalf("invalid UTF-8 cell %q", c)
						}
					}
					return nil
				})
			// A panic inside the reader is caught and reported as a damaged file; none should happen.
			if err != nil && strings.Contains(fmt.Sprint(errors.Unwrap(err), err), "panicked") {
				t.Fatalf("the reader panicked: %v", errors.Unwrap(err))
			}
		}
		// The tokenizer alone, over the raw bytes.
		s := newXMLScanner(bytes.NewReader(data), 4096)
		for i := 0; s.next() != tokEOF && i < 1<<20; i++ {
			if s.name != nil {
				_ = localName(s.name)
			}
			_, _ = appendText(nil, s.text)
		}
	})
}
