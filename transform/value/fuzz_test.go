package value

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets check that no input panics and that results keep their
// invariants. Run one with: go test -run=^$ -fuzz=FuzzParseCount -fuzztime=20s ./transform/value

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"1234", "1.234", "1,234", "1 234", "1234.0", "1.2E+3", "-3", "12,5", "abc", "", "9223372036854775808", "0.99999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseCount(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("ParseCount(%q) = %d with error %v", s, n, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseCount(%q) = %d < 0", s, n)
		}
		if back, err := ParseCount(strconv.FormatInt(n, 10)); err != nil || back != n {
			t.Fatalf("ParseCount(%q) = %d does not round-trip: %d, %v", s, n, back, err)
		}
	})
}

func FuzzParseRatio(f *testing.F) {
	for _, s := range []string{"97,92%", "97.92 %", "0.9792", "100%", "70", "45/50", "1/0", "-5%", "1e-30", "0.30000000000000004"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		num, den, err := ParseRatio(s)
		if err != nil {
			return
		}
		if den <= 0 || num < 0 {
			t.Fatalf("ParseRatio(%q) = %d/%d", s, num, den)
		}
		if new(big.Int).GCD(nil, nil, big.NewInt(num), big.NewInt(den)).Int64() != 1 && num != 0 {
			t.Fatalf("ParseRatio(%q) = %d/%d is not reduced", s, num, den)
		}
		if num == 0 && den != 1 {
			t.Fatalf("ParseRatio(%q) = %d/%d: zero must be 0/1", s, num, den)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"30/11/2024", "2024-11-30T08:15:00+07:00", "45626", "60", "31/02/2024", "ngày 30 tháng 11 năm 2024", "1/2/24", "20241130", "4.5626E+4"} {
		f.Add(s, false)
	}
	f.Add("44164", true)
	f.Fuzz(func(t *testing.T, s string, date1904 bool) {
		d, err := ParseDate(s, date1904)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v with error %v", s, d, err)
			}
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v, not midnight UTC", s, d)
		}
		if d.Year() < minYear || d.Year() > maxYear {
			t.Fatalf("ParseDate(%q) = %v, out of range", s, d)
		}
	})
}

func FuzzParseYesNo(f *testing.F) {
	for _, s := range []string{"Có", "Không", "x", "✓", "1", "0", "-", "", "Có (QĐ số 12/QĐ-UBND)", "Chưa đạt", "Cỏ", "Ð"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseYesNo(s)
		if v != Unknown && v != Yes && v != No {
			t.Fatalf("ParseYesNo(%q) = %d", s, v)
		}
		if err != nil && v != Unknown {
			t.Fatalf("ParseYesNo(%q) = %v with error %v", s, v, err)
		}
		if strings.TrimSpace(s) == "" && (v != Unknown || err != nil) {
			t.Fatalf("ParseYesNo(%q) = %v, %v; blank must be Unknown", s, v, err)
		}
		// The other yes/no-shaped parsers share the keyword tables.
		if active, known, err := ParseActive(s); err == nil && !known && !active {
			t.Fatalf("ParseActive(%q): unknown must default to active", s)
		}
		if c, err := ParseChannel(s); err == nil && c != ChannelOnline && c != ChannelInPerson && c != ChannelPost {
			t.Fatalf("ParseChannel(%q) = %q", s, c)
		}
		_, _ = ParseServiceLevel(s)
		if p, ok := Platform(s); ok != (p != "") {
			t.Fatalf("Platform(%q) = %q, %v", s, p, ok)
		}
	})
}

func FuzzParseStars(f *testing.F) {
	for _, s := range []string{"3", "3 sao", "3★", "4*", "★★★", "4.0", "2", "6", "★★★★☆", "1e3", "Hạng 4 sao"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseStars(s)
		if err == nil && (n < 3 || n > 5) {
			t.Fatalf("ParseStars(%q) = %d", s, n)
		}
		if err != nil && n != 0 {
			t.Fatalf("ParseStars(%q) = %d with error %v", s, n, err)
		}
	})
}

func FuzzParsePeriodLabel(f *testing.F) {
	for _, s := range []string{"Tháng 10/2026", "Quý III/2026", "6 tháng đầu năm 2026", "6 tháng cuối năm 2026", "9 tháng năm 2026", "Năm 2026", "từ ngày 01/01/2026 đến ngày 31/03/2026", "10/2026", "Q4/2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := ParsePeriodLabel(s)
		if err != nil {
			return
		}
		if to.Before(from) {
			t.Fatalf("ParsePeriodLabel(%q) = %v – %v: from after to", s, from, to)
		}
		if from.Location() != time.UTC || to.Location() != time.UTC || from.Hour() != 0 || to.Hour() != 0 {
			t.Fatalf("ParsePeriodLabel(%q) = %v – %v: not midnight UTC dates", s, from, to)
		}
	})
}

func FuzzCountList(f *testing.F) {
	for _, s := range []string{"A; B", "- A\n- B", "• A • B", "", ";;;", "2 mô hình: A; B", "-3", "Không"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := CountList(s)
		if n < 0 || n > len(s) {
			t.Fatalf("CountList(%q) = %d", s, n)
		}
		m, known, err := ParseModels(s)
		if m < 0 || (err != nil && (m != 0 || known)) || (!known && m != 0) {
			t.Fatalf("ParseModels(%q) = %d, %v, %v", s, m, known, err)
		}
		if errors.Is(err, ErrBlank) {
			t.Fatalf("ParseModels(%q): blank is unknown, not an error", s)
		}
		for _, p := range ParsePlatformList(s) {
			if p == "" {
				t.Fatalf("ParsePlatformList(%q) holds an empty code", s)
			}
		}
	})
}
