package value

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCount(t *testing.T) {
	ok := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1234", 1234},
		{" 12 ", 12},
		{"\u00a012\u00a0", 12},
		{"1.234", 1234},
		{"1,234", 1234}, // ambiguous: thousands for counts
		{"1 234", 1234},
		{"1\u00a0234", 1234},
		{"1\u202f234", 1234},
		{"1.234.567", 1234567},
		{"1,234,567", 1234567},
		{"1 234 567", 1234567},
		{"1.234,0", 1234},
		{"1,234.00", 1234},
		{"1234.0", 1234},
		{"1234,0", 1234},
		{"12.500", 12500},
		{"1.2E+3", 1200},
		{"1.23e2", 123},
		{"1E3", 1000},
		{"+12", 12},
		{"-0", 0},
		{"0012", 12},
		{"700.00000000000011", 700},        // float noise from a formula
		{"45291.000000000007", 45291},      // idem
		{"9223372036854775807", 1<<63 - 1}, // max int64
		{"123456789012345678", 123456789012345678},
	}
	for _, c := range ok {
		got, err := ParseCount(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseCount(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []string{
		"-3", "−3", "12,5", "1.5", "0.5", "1234.567", "1.23", "abc", "12 hộ", "1.234.5", "1,2.3,4",
		"1..2", "12.", ".", "1.2.3", "12 34", "1.2345", "97%", "1.234E+2", "1E+20",
		"9223372036854775808", "99999999999999999999", "1e400", "1,23,456", "0.123", "#N/A", "x",
	}
	for _, in := range bad {
		got, err := ParseCount(in)
		if err == nil {
			t.Errorf("ParseCount(%q) = %d, want an error", in, got)
			continue
		}
		if errors.Is(err, ErrBlank) {
			t.Errorf("ParseCount(%q): got ErrBlank, want a parse error", in)
		}
		if !strings.Contains(err.Error(), "số") {
			t.Errorf("ParseCount(%q) error %q is not the Vietnamese message", in, err)
		}
	}
	for _, in := range []string{"", "   ", "\u00a0", "-", "–", "—", "\u200b"} {
		if _, err := ParseCount(in); !errors.Is(err, ErrBlank) {
			t.Errorf("ParseCount(%q) err = %v, want ErrBlank", in, err)
		}
	}
}

func TestParseCountMessages(t *testing.T) {
	for in, want := range map[string]string{
		"12,5": `"12,5" có phần lẻ, cần số nguyên không âm`,
		"-3":   `"-3" là số âm, cần số nguyên không âm`,
		"abc":  `"abc" không phải số nguyên không âm`,
	} {
		_, err := ParseCount(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseCount(%q) error = %v, want %s", in, err, want)
		}
	}
}

func TestParseRatio(t *testing.T) {
	ok := []struct {
		in       string
		num, den int64
	}{
		{"97,92%", 612, 625},
		{"97.92 %", 612, 625},
		{"97,92 %", 612, 625},
		{"0.9792", 612, 625},
		{"0,9792", 612, 625},
		{"97,92", 612, 625}, // bare number > 1: a percentage
		{"100%", 1, 1},
		{"1", 1, 1},
		{"70", 7, 10},
		{"70%", 7, 10},
		{"0", 0, 1},
		{"0%", 0, 1},
		{"0.5", 1, 2},
		{",5", 1, 2},
		{"50％", 1, 2},
		{"45/50", 9, 10},
		{"0/12", 0, 1},
		{"0.79999999999999993", 4, 5}, // rounded like Excel shows it
		{"0.30000000000000004", 3, 10},
		{"9.792E-1", 612, 625},
		{"33.333333333333336%", 333333333333333, 1000000000000000},
		{"150%", 3, 2}, // above 100%: returned, the caller decides
	}
	for _, c := range ok {
		num, den, err := ParseRatio(c.in)
		if err != nil || num != c.num || den != c.den {
			t.Errorf("ParseRatio(%q) = %d/%d, %v; want %d/%d", c.in, num, den, err, c.num, c.den)
		}
	}
	for _, in := range []string{"abc", "-5%", "-0.5", "97,92%%", "1/0", "a/b", "1.2.3", "#DIV/0!", "1e-30", "12 %x", "5/-2"} {
		if num, den, err := ParseRatio(in); err == nil {
			t.Errorf("ParseRatio(%q) = %d/%d, want an error", in, num, den)
		} else if errors.Is(err, ErrBlank) {
			t.Errorf("ParseRatio(%q): ErrBlank, want a parse error", in)
		}
	}
	for _, in := range []string{"", " ", "-"} {
		if _, _, err := ParseRatio(in); !errors.Is(err, ErrBlank) {
			t.Errorf("ParseRatio(%q) err = %v, want ErrBlank", in, err)
		}
	}
}

func TestMakeDecimalRounding(t *testing.T) {
	for _, c := range []struct {
		in     string
		digits string
		exp    int
	}{
		{"0.99999999999999999", "1", 0}, // carry through every digit
		{"0.000123", "123", -6},
		{"12345678901234567890", "1234567890123456789", 1}, // integers are never rounded
		{"1.25", "125", -2},
	} {
		d, err := parseDecimal(c.in, modeRatio)
		if err != nil || d.digits != c.digits || d.exp != c.exp {
			t.Errorf("parseDecimal(%q) = %+v, %v; want %s e%d", c.in, d, err, c.digits, c.exp)
		}
	}
}
