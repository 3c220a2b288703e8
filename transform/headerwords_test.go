package transform

import (
	"encoding/csv"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// A header search folds each candidate's words one by one (headerWordsSplit); it must fold
// exactly as the whole text would, or a file's header would match other columns than before.
func TestHeaderWordsByWordFoldsAsTheWhole(t *testing.T) {
	var pool []string
	for _, s := range specs {
		for _, f := range s.Fields {
			pool = append(pool, f.Label)
			pool = append(pool, f.Synonyms...)
		}
	}
	_, here, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(here), "..", "sample", "data", "vn_units_2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if i%7 == 0 {
			pool = append(pool, r[1], r[3], r[6], r[4]+" "+r[3])
		}
	}
	// What exports hold besides: numbers, dates, codes, decorations, decomposed tones (NFD),
	// combining marks alone, invisible characters, other spaces, upper case.
	pool = append(pool, "STT", "(1)", "100", "1.234", "30/11/2024", "Ghi chú:", "-", "•", "“Tên”", "Thôn 3", "TỔNG CỘNG",
		norm.NFD.String("Hộ gia đình"), "\u0301", "\u0323a", "a\u200bb", "x\u00adý", "Tên\u00a0thôn", "Tỷ lệ (%)", "Ð", "\t", "",
		"Hòa", "Hoà", "HUYỆN", "ĐẮK LẮK", "1a", "I.", "II-", "*Ghi chú*", "((a))", "a:b", "\x00", "\xff\xfe")
	rng := rand.New(rand.NewSource(2024))
	for it := 0; it < 50000; it++ {
		var parts []string
		for n := 1 + rng.Intn(6); n > 0; n-- {
			p := pool[rng.Intn(len(pool))]
			if rng.Intn(5) == 0 {
				p = strings.ToUpper(p)
			}
			if rng.Intn(8) == 0 {
				p = norm.NFD.String(p)
			}
			parts = append(parts, p)
		}
		sep := " "
		if rng.Intn(6) == 0 {
			sep = "  "
		}
		s := strings.Join(parts, sep)
		if rng.Intn(10) == 0 {
			s = " " + s + " "
		}
		if got, want := headerWordsSplit(s), headerWordsOf(s); got != want {
			t.Fatalf("%q folded word by word is %q, as a whole %q", s, got, want)
		}
	}
}
