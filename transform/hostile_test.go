package transform

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"ntm"
	"ntm/ingest"
)

// Hostile and strange inputs: each must end in one clear sentence and leave the
// database as it was — no loaded batch, no facts, no row rejects — and never crash.

const recordsHeaderXML = `<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="B1" t="inlineStr"><is><t>Đơn vị tiếp nhận</t></is></c><c r="C1" t="inlineStr"><is><t>Ngày tiếp nhận</t></is></c><c r="D1" t="inlineStr"><is><t>Hình thức nộp</t></is></c><c r="E1" t="inlineStr"><is><t>Mức độ DVC</t></is></c></row>`

func recordRowXML(n int) string {
	r := strconv.Itoa(n)
	return `<row r="` + r + `"><c r="A` + r + `" t="inlineStr"><is><t>H-` + r + `</t></is></c><c r="B` + r + `" t="inlineStr"><is><t>UBND xã Vân An</t></is></c><c r="C` + r + `" t="inlineStr"><is><t>02/03/2026</t></is></c><c r="D` + r + `" t="inlineStr"><is><t>Trực tuyến</t></is></c><c r="E` + r + `" t="inlineStr"><is><t>Toàn trình</t></is></c></row>`
}

// xlsxParts is a minimal workbook with one sheet whose XML is given.
func xlsxParts(sheet string) map[string][]byte {
	return map[string][]byte{
		"[Content_Types].xml":        []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`),
		"_rels/.rels":                []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		"xl/workbook.xml":            []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
		"xl/worksheets/sheet1.xml":   []byte(sheet),
	}
}

func sheetXML(rows ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		strings.Join(rows, "") + `</sheetData></worksheet>`
}

// rawPart is a part written with declared sizes of our choosing (a lying zip).
type rawPart struct {
	data              []byte // uncompressed content
	declaredUncompLen uint64 // 0 = the true length
}

func writePackage(t *testing.T, name string, parts map[string][]byte, raw map[string]rawPart) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range parts {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	for n, p := range raw {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(p.data)
		fw.Close()
		size := p.declaredUncompLen
		if size == 0 {
			size = uint64(len(p.data))
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: n, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(p.data),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeBytes(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertUnchanged checks that nothing from a load stayed in the database.
func assertUnchanged(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for _, q := range []string{
		`SELECT count(*) FROM batch WHERE status <> 'rejected' AND dataset <> 'units'`,
		`SELECT count(*) FROM fact_dvc_dossier_record`,
		`SELECT count(*) FROM fact_dvc_dossiers`,
		`SELECT count(*) FROM fact_vpostcode`,
		`SELECT count(*) FROM rejected_row`,
	} {
		if n := count(t, pool, q); n != 0 {
			t.Errorf("%s = %d after a hostile file", q, n)
		}
	}
}

// loadHostile loads a file that must be refused and returns the message.
func loadHostile(t *testing.T, pool *pgxpool.Pool, l *Loader, path string) string {
	t.Helper()
	start := time.Now()
	rep, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	msg := rep.Message
	if err != nil {
		msg = err.Error()
	} else if !rep.Rejected {
		t.Fatalf("%s was not refused: %+v", filepath.Base(path), rep)
	}
	if strings.Count(strings.TrimSpace(msg), "\n") > 0 || msg == "" {
		t.Errorf("not one sentence: %q", msg)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	assertUnchanged(t, pool)
	return msg
}

func TestHostileInputs(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	l := NewLoader(pool, nil)
	header := recordsHeaderXML
	good := recordRowXML(2)
	bigText := strings.Repeat("A", 50<<20)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`
	nested := strings.Repeat("<x>", 1000000) + strings.Repeat("</x>", 1000000)

	goodParts := xlsxParts(sheetXML(header, good))
	var goodZip bytes.Buffer
	{
		p := writePackage(t, "good.xlsx", goodParts, nil)
		b, _ := os.ReadFile(p)
		goodZip.Write(b)
	}
	corrupted := append([]byte(nil), goodZip.Bytes()...)
	for i := len(corrupted) / 4; i < len(corrupted)/4+64; i++ {
		corrupted[i] ^= 0xA5
	}
	cfb := func(stream string) []byte {
		b := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
		for _, r := range stream {
			b = append(b, byte(r), 0)
		}
		return append(b, make([]byte, 512)...)
	}
	odsParts := map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"), "content.xml": []byte("<office:document-content/>")}

	cases := []struct {
		name, want string
		path       func() string
	}{
		{"zip bomb (declared 3 GiB)", "quá lớn: giải nén ra hơn 2 GiB", func() string {
			parts := xlsxParts("")
			delete(parts, "xl/worksheets/sheet1.xml")
			return writePackage(t, "bomb.xlsx", parts, map[string]rawPart{"xl/worksheets/sheet1.xml": {data: []byte(sheetXML(header, good)), declaredUncompLen: 3 << 30}})
		}},
		{"zip bomb (size understated)", "tệp bị hỏng", func() string {
			parts := xlsxParts("")
			delete(parts, "xl/worksheets/sheet1.xml")
			big := sheetXML(header, good, strings.Repeat(" ", 20<<20))
			return writePackage(t, "liar.xlsx", parts, map[string]rawPart{"xl/worksheets/sheet1.xml": {data: []byte(big), declaredUncompLen: 4096}})
		}},
		{"billion laughs in the sheet", "DTD", func() string {
			return writePackage(t, "laughs.xlsx", xlsxParts(laughs+`<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`), nil)
		}},
		{"billion laughs in the workbook", "DTD", func() string {
			p := xlsxParts(sheetXML(header, good))
			p["xl/workbook.xml"] = []byte(laughs + `<workbook><sheets><sheet name="&lol9;" r:id="rId1"/></sheets></workbook>`)
			return writePackage(t, "laughs-wb.xlsx", p, nil)
		}},
		{"undeclared entity", "entity", func() string {
			return writePackage(t, "entity.xlsx", xlsxParts(sheetXML(header, `<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>`)), nil)
		}},
		{"deeply nested XML", "", func() string {
			return writePackage(t, "nested.xlsx", xlsxParts(sheetXML(header, `<row r="2"><c r="A2" t="inlineStr"><is>`+nested+`</is></c></row>`)), nil)
		}},
		{"a 50 MB cell", "một ô quá lớn", func() string {
			return writePackage(t, "bigcell.xlsx", xlsxParts(sheetXML(header, `<row r="2"><c r="A2" t="inlineStr"><is><t>`+bigText+`</t></is></c></row>`)), nil)
		}},
		{"16,384 columns", "vượt quá 1024 cột", func() string {
			var b strings.Builder
			b.WriteString(`<row r="2">`)
			for c := 1; c <= 16384; c++ {
				b.WriteString(`<c><v>1</v></c>`)
			}
			b.WriteString(`</row>`)
			return writePackage(t, "wide.xlsx", xlsxParts(sheetXML(header, b.String())), nil)
		}},
		{"a cell past column XFD", "tham chiếu ô \"XFE2\" không hợp lệ", func() string {
			return writePackage(t, "xfe.xlsx", xlsxParts(sheetXML(header, `<row r="2"><c r="XFE2"><v>1</v></c></row>`)), nil)
		}},
		{"truncated zip", "", func() string { return writeBytes(t, "trunc.xlsx", goodZip.Bytes()[:goodZip.Len()/2]) }},
		{"corrupted zip", "", func() string { return writeBytes(t, "corrupt.xlsx", corrupted) }},
		{"encrypted workbook", "có mật khẩu", func() string { return writeBytes(t, "secret.xlsx", cfb("EncryptedPackage")) }},
		{"old .xls renamed", ".xls", func() string { return writeBytes(t, "old.xlsx", cfb("Workbook")) }},
		{".ods renamed", "OpenDocument", func() string { return writePackage(t, "calc.xlsx", odsParts, nil) }},
		{"a zip that is no workbook", "không có phần sổ tính", func() string {
			return writePackage(t, "photos.xlsx", map[string][]byte{"a.jpg": []byte("jpeg")}, nil)
		}},
		{"formula without a cached value", "chưa từng được tính", func() string {
			return writePackage(t, "formula.xlsx", xlsxParts(sheetXML(header, `<row r="2"><c r="A2"><f>CONCAT("H-",ROW())</f></c><c r="B2" t="inlineStr"><is><t>UBND xã Vân An</t></is></c></row>`)), nil)
		}},
		{"VNI-encoded CSV", "VNI", func() string {
			return writeBytes(t, "vni.csv", []byte("Ma\xf5 ho\xe0 s\xf4,\xd1\xf4n v\xf2 tie\xe1p nha\xe4n,Nga\xf8y tie\xe1p nha\xe4n,H\xecnh th\xf6\xf9c no\xe4p,M\xf6\xf9c \xf1o\xe4 DVC\nH-1,UBND xa\xf5 Va\xe2n An,02/03/2026,Tr\xf6\xefc tuye\xe1n,Toa\xf8n tr\xecnh\n"))
		}},
		{"binary junk named .csv", "", func() string { return writeBytes(t, "junk.csv", []byte("\x00\x01\x02\x03PK\x05\x06garbage\x00")) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := loadHostile(t, pool, l, c.path())
			if c.want != "" && !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not say %q", msg, c.want)
			}
			t.Logf("%s", msg)
		})
	}
}

// Limits are configurable: a loader with a small unzip limit refuses what the defaults take.
func TestLoaderLimits(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	path := writePackage(t, "ok.xlsx", xlsxParts(sheetXML(recordsHeaderXML, recordRowXML(2), `<row r="3"><c r="A3" t="inlineStr"><is><t>`+strings.Repeat("x", 300<<10)+`</t></is></c></row>`)), nil)
	l := NewLoader(pool, nil)
	l.Limits = ingest.Limits{MaxCellSize: 64 << 10}
	msg := loadHostile(t, pool, l, path)
	if !strings.Contains(msg, "một ô quá lớn") {
		t.Fatalf("message %q", msg)
	}
	l.Limits = ingest.Limits{}
	rep, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if err != nil || rep.RowsLoaded != 1 {
		t.Fatalf("with default limits: %+v, %v", rep, err)
	}
}

// Strange but readable inputs load.
func TestStrangeInputsLoad(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	l := NewLoader(pool, nil)
	csvText := "Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\nH-1,UBND xã Vân An,02/03/2026,Trực tuyến,Toàn trình\nH-2,UBND xã Long Đống,03/03/2026,Trực tiếp,Một phần\n"
	empties := make([]string, 0, 1000001)
	empties = append(empties, recordsHeaderXML, recordRowXML(2), recordRowXML(3))
	for r := 4; r <= 1000000; r++ {
		empties = append(empties, `<row r="`+strconv.Itoa(r)+`" s="1" customFormat="1" ht="15"/>`)
	}
	cases := []struct {
		name, note string
		rows       int
		path       func() string
		unitOfH2   string
	}{
		{"a million empty styled rows", "", 2, func() string {
			return writePackage(t, "tail.xlsx", xlsxParts(sheetXML(empties...)), nil)
		}, "06469"},
		{"CSV in UTF-16 without a BOM", "", 2, func() string {
			var b []byte
			for _, u := range utf16Units(csvText) {
				b = binary.LittleEndian.AppendUint16(b, u)
			}
			return writeBytes(t, "u16.csv", b)
		}, "06328"},
		{"CSV in Windows-1258", "Windows-1258", 2, func() string {
			b, err := charmap.Windows1258.NewEncoder().Bytes([]byte(to1258Form(csvText)))
			if err != nil {
				t.Fatal(err)
			}
			return writeBytes(t, "cp1258.csv", b)
		}, "06328"},
		{"CSV in TCVN3", "TCVN3", 2, func() string { return writeBytes(t, "tcvn3.csv", toTCVN3(t, csvText)) }, "06328"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := l.LoadFile(context.Background(), c.path(), LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
			if err != nil || rep.Rejected || rep.RowsLoaded != c.rows {
				t.Fatalf("%+v, %v", rep, err)
			}
			if c.note != "" && !strings.Contains(strings.Join(rep.Notes, " "), c.note) {
				t.Errorf("notes %q do not name %s", rep.Notes, c.note)
			}
			var unit string
			if err := pool.QueryRow(context.Background(), `SELECT unit_code FROM fact_dvc_dossier_record WHERE batch_id = $1 AND dossier_id = 'H-2'`, rep.BatchID).Scan(&unit); err != nil || unit != c.unitOfH2 {
				t.Errorf("H-2 resolved to %q, %v", unit, err)
			}
		})
	}
}

// A file that changes while it is read is not loaded.
func TestFileChangedWhileRead(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	l := NewLoader(pool, nil)
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\n")
	for i := 0; i < 3000; i++ {
		b.WriteString("H-" + strconv.Itoa(i) + ",UBND xã Vân An,02/03/2026,Trực tuyến,Toàn trình\n")
	}
	path := writeBytes(t, "growing.csv", []byte(b.String()))
	l.afterRow = func(_ context.Context, n int) {
		if n == 10 {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("H-x,UBND xã Vân An,02/03/2026,Trực tuyến,Toàn trình\n")
			f.Close()
		}
	}
	_, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if err == nil || !strings.Contains(err.Error(), "đã thay đổi trong lúc đang đọc") || ntm.ErrorCode(err) != ntm.CodeConflict {
		t.Fatalf("err = %v", err)
	}
	assertUnchanged(t, pool)
}

// A panic inside a load fails that file only, with an error naming it.
func TestPanicInLoadIsRecovered(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	l := NewLoader(pool, nil)
	path := writeBytes(t, "p.csv", []byte("Mã hồ sơ,Đơn vị tiếp nhận,Ngày tiếp nhận,Hình thức nộp,Mức độ DVC\nH-1,UBND xã Vân An,02/03/2026,Trực tuyến,Toàn trình\n"))
	l.afterRow = func(context.Context, int) { panic("boom") }
	rep, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	// A bug is not the file's fault: an internal error naming the file, the panic in its cause.
	var e *ntm.Error
	if !errors.As(err, &e) || e.Code != ntm.CodeInternal || rep.Rejected || !strings.Contains(e.Message, "p.csv") ||
		!strings.Contains(e.Cause(), "boom") || rep.File != path {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	// The panic in the batch hook itself (outside the reader's recover) also stays in its file.
	l.afterRow = nil
	l.beforeCommit = func(context.Context) error { panic("boom at commit") }
	_, err = l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	if !errors.As(err, &e) || e.Code != ntm.CodeInternal || !strings.Contains(e.Message, "p.csv") || !strings.Contains(e.Cause(), "boom at commit") {
		t.Fatalf("err = %v", err)
	}
	l.beforeCommit = nil
	assertUnchanged(t, pool)
	l.afterRow = nil
	if rep, err := l.LoadFile(context.Background(), path, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords}); err != nil || rep.RowsLoaded != 1 {
		t.Fatalf("the loader is not usable after a panic: %+v %v", rep, err)
	}
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// to1258Form writes Vietnamese the Windows-1258 way: letters with circumflex, breve or
// horn precomposed (â ê ô ă ơ ư), tone marks as combining characters.
func to1258Form(s string) string {
	d := []rune(norm.NFD.String(s))
	var out []rune
	for i := 0; i < len(d); {
		base := d[i]
		j := i + 1
		for j < len(d) && unicode.Is(unicode.Mn, d[j]) {
			j++
		}
		var rest []rune
		for _, m := range d[i+1 : j] {
			if m == 0x0302 || m == 0x0306 || m == 0x031B {
				if c := []rune(norm.NFC.String(string([]rune{base, m}))); len(c) == 1 {
					base = c[0]
					continue
				}
			}
			rest = append(rest, m)
		}
		out = append(append(out, base), rest...)
		i = j
	}
	return string(out)
}

// toTCVN3 encodes text in TCVN3 with the reader's own table (inverted).
func toTCVN3(t *testing.T, s string) []byte {
	inv := map[rune]byte{}
	for c := 0x80; c <= 0xFF; c++ {
		dec := []rune(ingest.DecodeTCVN3([]byte{byte(c)}))
		if len(dec) == 1 && dec[0] != rune(c) {
			inv[dec[0]] = byte(c)
		}
	}
	var out []byte
	for _, r := range norm.NFC.String(s) {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case inv[r] != 0:
			out = append(out, inv[r])
		default:
			// TCVN3 has no capitals with tone marks: lower-case them as the fonts did.
			lr := []rune(strings.ToLower(string(r)))[0]
			if inv[lr] == 0 {
				t.Fatalf("no TCVN3 byte for %q", r)
			}
			out = append(out, inv[lr])
		}
	}
	return out
}
