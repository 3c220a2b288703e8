package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestCSVSemicolonWithBOMAndQuotedNewlines(t *testing.T) {
	data := "\ufeffBÁO CÁO ĐỊA CHỈ SỐ;;;\n" +
		"Số liệu đến ngày 30/11/2024;;;\n" +
		";;;\n" +
		"STT;\"Tên\nthôn\";\"Tổng số hộ\";Số hộ đã gắn địa chỉ số\n" +
		"1;2;3;4\n" +
		"1;\"Bản Chắt\";97,5;\"ghi \"\"chú\"\"\nhai dòng\"\n" +
		"2;Nà Sla;1.234;1000\n" +
		";Cộng;1331,5;1000\n"
	g := mustRead(t, writeFile(t, "a.csv", []byte(data)))
	tb := g.tables[0]
	if tb.Sheet != "" || tb.HeaderTop != 4 || tb.HeaderBottom != 4 {
		t.Fatalf("table %+v", tb)
	}
	assertStrings(t, "Columns", tb.Columns, []string{"STT", "Tên thôn", "Tổng số hộ", "Số hộ đã gắn địa chỉ số"})
	assertStrings(t, "Preamble", tb.Preamble, []string{"BÁO CÁO ĐỊA CHỈ SỐ", "Số liệu đến ngày 30/11/2024"})
	assertRows(t, g.rows, []rowView{
		{7, []string{"1", "Bản Chắt", "97,5", "ghi \"chú\"\nhai dòng"}, nil},
		{9, []string{"2", "Nà Sla", "1.234", "1000"}, nil},
	})
}

func TestCSVCommaWithoutBOM(t *testing.T) {
	data := "STT,\"Xã, phường, thị trấn\",Tên thôn,Tổng số hộ\r\n" +
		"1,Quang Lang,Bản Chắt,\"1,234\"\r\n" +
		"\r\n" +
		"2,Quang Lang,Nà Sla,12,extra\r\n"
	g := mustRead(t, writeFile(t, "b.csv", []byte(data)))
	assertStrings(t, "Columns", g.tables[0].Columns, []string{"STT", "Xã, phường, thị trấn", "Tên thôn", "Tổng số hộ"})
	assertRows(t, g.rows, []rowView{
		{2, []string{"1", "Quang Lang", "Bản Chắt", "1,234"}, nil},
		{4, []string{"2", "Quang Lang", "Nà Sla", "12", "extra"}, nil},
	})
}

func TestCSVTabUTF16(t *testing.T) {
	text := "STT\tTên thôn\tTổng số hộ\r\n1\tBản Chắt\t10\r\n"
	u := utf16.Encode([]rune(text))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	g := mustRead(t, writeFile(t, "u16.txt", b))
	assertRows(t, g.rows, []rowView{{2, []string{"1", "Bản Chắt", "10"}, nil}})
}

func TestCSVNotUTF8(t *testing.T) {
	// Latin-1 text that is not Vietnamese in any legacy encoding: refused.
	path := writeFile(t, "cp.csv", []byte("Stra\xdfe,M\xfcnchen\n1,K\xf6ln\n"))
	_, err := read(t, path)
	if err == nil || !strings.Contains(err.Error(), "UTF-8") || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
}

func TestSniffDelimiter(t *testing.T) {
	cases := map[string]rune{
		"a,b,c\n1,2,3\n":            ',',
		"a;b;c\n1;2,5;3\n4;5,5;6\n": ';',
		"Tiêu đề, có dấu phẩy\na;b;c\n1;2;3\n4;5;6\n":     ';',
		"\"x;y\",b\n\"1;2\",3\n":                          ',',
		"a\tb\tc\n1\t2\t3\n":                              '\t',
		"single\ncolumn\n":                                ',',
		"a;b\n\"multi\nline; with; semis\";2\n3;4\n5;6\n": ';',
	}
	for in, want := range cases {
		if got := sniffDelimiter([]byte(in)); got != want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("STT;Tên thôn;Tổng số hộ\n1;Bản Chắt;10\n"))
	f.Add([]byte("\ufeffSTT,Tên thôn\n\"1\n2\",x\n"))
	f.Add([]byte("STT,Tên thôn\nI. Huyện A\nXã B\n1,2\nCộng,3\nNgười lập biểu\n"))
	f.Add([]byte{0xFF, 0xFE, 'S', 0, ',', 0})
	f.Add([]byte("\"\"\"\n,,,\n;;;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeFile(t, "f.csv", data)
		last := 0
		err := ReadFile(context.Background(), path, scoreKnown, func(tb *Table) error {
			if tb.HeaderTop > tb.HeaderBottom || tb.HeaderTop < 1 {
				t.Fatalf("bad header rows %d..%d", tb.HeaderTop, tb.HeaderBottom)
			}
			return nil
		}, func(tb *Table, r Row) error {
			if r.Num <= tb.HeaderBottom || r.Num <= last {
				t.Fatalf("row %d after header %d / previous %d", r.Num, tb.HeaderBottom, last)
			}
			last = r.Num
			return nil
		})
		_ = err
	})
}

// BenchmarkReadCSV reads a 200,000-row ";" CSV export with a title line.
func BenchmarkReadCSV(b *testing.B) {
	var benchCSV string
	{
		var sb strings.Builder
		sb.WriteString("\ufeffSố liệu đến ngày 30/11/2024\nSTT;Tên thôn;Tổng số hộ;Số hộ đã gắn địa chỉ số;Ghi chú\n")
		for i := 0; i < 200000; i++ {
			fmt.Fprintf(&sb, "%d;Thôn %d;%d;%d;\"ghi; chú\"\n", i+1, i, 100+i%50, 90+i%10)
		}
		benchCSV = writeFile(b, "bench.csv", []byte(sb.String()))
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := ReadFile(b.Context(), benchCSV, scoreKnown, func(*Table) error { return nil }, func(*Table, Row) error {
			n++
			return nil
		})
		if err != nil || n != 200000 {
			b.Fatalf("err %v, %d rows", err, n)
		}
	}
}
