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

func TestPercent(t *testing.T) {
	cases := []struct {
		num, den int64
		trim     bool
		want     string
	}{
		{9792, 10000, true, "97,9%"}, {996, 1000, true, "99,6%"}, {99999, 100000, false, "99,9%"},
		{7, 10, true, "70%"}, {7, 10, false, "70,0%"}, {1, 1, true, "100%"}, {0, 5, false, "0,0%"},
		{1, 3, false, "33,3%"}, {2, 3, false, "66,6%"}, {-5, 1000, false, "-0,5%"}, {-1, 100000, false, "0,0%"},
		{1, 0, true, ""}, {1 << 62, 1 << 62, true, "100%"},
	}
	for _, c := range cases {
		if got := Percent(c.num, c.den, c.trim); got != c.want {
			t.Errorf("Percent(%d, %d, %v) = %q, want %q", c.num, c.den, c.trim, got, c.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * time.Millisecond:               "dưới 1 giây",
		4*time.Second + 600*time.Millisecond: "5 giây",
		3*time.Minute + 5*time.Second:        "3 phút 5 giây",
		62 * time.Minute:                     "1 giờ 2 phút",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
