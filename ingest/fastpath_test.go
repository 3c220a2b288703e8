package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// The tokenizer's one-step paths (fastCellStart, fastCellBody) give exactly what the general
// path gives — the same rows, values and errors — on random sheets mixing the usual cell
// layouts with every shape just beside them (other attributes, spacing, quotes, prefixes,
// entities, bad references, formulas, rich text), read whole and through readers that cut
// the XML anywhere (one byte at a time, halves).
func TestFastPathsSameAsGeneral(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 3000; i++ {
		xml := randomSheetXML(rng)
		checkFastSameAsGeneral(t, xml)
	}
}

func FuzzFastPaths(f *testing.F) {
	rng := rand.New(rand.NewSource(8))
	for i := 0; i < 20; i++ {
		f.Add([]byte(randomSheetXML(rng)))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFastSameAsGeneral(t, string(data)) })
}

type scanResult struct {
	Rows []rawRow
	Err  string
}

func scanWith(xml string, general bool, wrap func(io.Reader) io.Reader) (r scanResult) {
	// A panic is part of the result (pipeRows turns it into the file's reject): both paths
	// must panic alike.
	defer func() {
		if p := recover(); p != nil {
			r.Err = fmt.Sprint("panic: ", p)
		}
	}()
	wb := &workbook{file: "f.xlsx", lim: Limits{MaxCellSize: 4096, MaxColumns: 64}.withDefaults(), general: general,
		sst: []string{"không", "một _x000D_ hai"}}
	sh := &rawSheet{}
	err := wb.scanRows(context.Background(), sheetRef{name: "S"}, wrap(strings.NewReader(xml)), &recorder{sh: sh})
	r = scanResult{Rows: sh.Rows}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func checkFastSameAsGeneral(t *testing.T, xml string) {
	t.Helper()
	want := scanWith(xml, true, func(r io.Reader) io.Reader { return r })
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"halves":   iotest.HalfReader,
	} {
		if got := scanWith(xml, false, wrap); !reflect.DeepEqual(got, want) {
			t.Fatalf("read %s, the one-step paths give\n%+v\nthe general path\n%+v\nfor %s", name, got, want, xml)
		}
	}
}

// randomSheetXML writes a sheet of a few rows whose cells take random start tags and bodies.
func randomSheetXML(rng *rand.Rand) string {
	pick := func(xs ...string) string { return xs[rng.Intn(len(xs))] }
	var b bytes.Buffer
	b.WriteString(`<worksheet><sheetData>`)
	for r := 1; r <= 1+rng.Intn(4); r++ {
		fmt.Fprintf(&b, pick(`<row r="%d">`, `<row r="%d" spans="1:3">`, `<row>`+"%.0d", `<row r="%d"/>`+`<row>`), r)
		for c := 0; c < rng.Intn(6); c++ {
			ref := fmt.Sprintf("%s%d", string(rune('A'+rng.Intn(4))), r)
			if rng.Intn(10) == 0 {
				ref = pick("1A", "", "$B$2", "a"+fmt.Sprint(r), "XFE1", "A&amp;1", "ZZZZ1")
			}
			attrs := []string{
				pick(` r="`+ref+`"`, ` r='`+ref+`'`, ` r = "`+ref+`"`, ``, ` r="`+ref+`" r="Z9"`),
				pick(``, ` s="3"`, ` s="1" `, ` x:s="1"`),
				pick(``, ` t="inlineStr"`, ` t="s"`, ` t="str"`, ` t="b"`, ` t="e"`, ` t="n"`, ` t=""`, ` t="inlineStrXXXXXXXXXXXXXXXX"`, ` t="s" t="n"`),
				pick(``, ``, ``, ` cm="1"`, "\t"+`vm="2"`),
			}
			rng.Shuffle(len(attrs), func(i, j int) { attrs[i], attrs[j] = attrs[j], attrs[i] })
			tag := pick("c", "c", "c", "x:c")
			fmt.Fprintf(&b, "<%s%s", tag, strings.Join(attrs, ""))
			body := pick(
				`<v>12.5</v>`, `<v>1</v>`, `<v>0</v>`, `<v></v>`, `<v>a&amp;b&#x1EA1;</v>`, `<v>&bogus;</v>`,
				`<is><t>Thôn Bản Chắt</t></is>`, `<is><t xml:space="preserve"> a </t></is>`, `<is><t>x_x000D_y</t></is>`,
				`<is><r><t>Bản </t></r><r><t>Chắt</t></r><rPh><t>ph</t></rPh></is>`, `<is><t><![CDATA[a<b]]></t></is>`,
				`<f>A1</f><v>3</v>`, `<f>A1</f>`, `<v>1</v><v>2</v>`, ` <v>1</v> `, `<v>line`+"\r\n"+`two</v>`,
				`<is><t></t></is>`, `<is><t/></is>`, `<v>9</v><extLst/>`,
			)
			switch rng.Intn(12) {
			case 0:
				b.WriteString("/>")
			case 1:
				b.WriteString(" />")
			case 2:
				b.WriteString("/ >")
			default:
				fmt.Fprintf(&b, ">%s</%s>", body, tag)
			}
			if rng.Intn(8) == 0 {
				b.WriteString(pick(" ", "\n", "<!-- c -->", "<?pi x?>"))
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(pick(`</sheetData></worksheet>`, `</sheetData>`, ``, `<row>`))
	return b.String()
}
