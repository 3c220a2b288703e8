package vnfmt

import (
	"math"
	"testing"
	"time"
)

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1.000", 1234567: "1.234.567", -1234: "-1.234", -12: "-12",
		math.MinInt64: "-9.223.372.036.854.775.808",
	} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDate(t *testing.T) {
	if got := Date(time.Date(2023, 10, 5, 0, 0, 0, 0, time.UTC)); got != "05/10/2023" {
		t.Errorf("Date = %q", got)
	}
}
