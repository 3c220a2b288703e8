package copytext

import (
	"bytes"
	"context"
	"testing"
	"time"

	"ntm/db/dbtest"
)

// What the loader writes in COPY text format comes back from PostgreSQL exactly as it was,
// whatever characters the text holds.
func TestCopyTextRoundTrip(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE rt (n int, s text, d date, b boolean, k smallint, big bigint)`); err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "Xã Vân An", "tab\there", "line\nbreak\r\nCRLF", `back\slash \N`, "\\.", "Thôn Nà Sla | \"quoted\" 'x'"}
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	var buf []byte
	for i, s := range texts {
		for _, v := range []any{i, s, day, i%2 == 0, int16(i), int64(1) << 40} {
			var err error
			if len(buf) > 0 && buf[len(buf)-1] != '\n' {
				buf = append(buf, '\t')
			}
			if buf, err = Append(buf, v); err != nil {
				t.Fatal(err)
			}
		}
		buf = append(buf, '\n')
	}
	buf = append(buf, []byte("99\t\\N\t\\N\t\\N\t\\N\t\\N\n")...)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(buf), "COPY rt FROM STDIN"); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT n, coalesce(s, '<null>'), d::text, b FROM rt WHERE n < 99 ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var n int
		var s, d string
		var b bool
		if err := rows.Scan(&n, &s, &d, &b); err != nil {
			t.Fatal(err)
		}
		if s != texts[n] || d != "2024-02-29" || b != (n%2 == 0) {
			t.Errorf("row %d came back as %q, %s, %v", n, s, d, b)
		}
		i++
	}
	if i != len(texts) {
		t.Fatalf("%d rows came back, want %d", i, len(texts))
	}
	var nulls int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM rt WHERE s IS NULL AND d IS NULL AND b IS NULL AND k IS NULL`).Scan(&nulls); err != nil || nulls != 1 {
		t.Errorf("nil should be NULL: %d rows, %v", nulls, err)
	}
}

func TestCopyTextRefusesWhatItCannotEncode(t *testing.T) {
	t.Parallel()
	for _, v := range []any{[]int{1}, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), struct{}{}} {
		if _, err := Append(nil, v); err == nil {
			t.Errorf("%T %v: want an error", v, v)
		}
	}
}

// A date is written as time.Format's "2006-01-02" writes it, from year 1 to 9999, in any
// location, and a year outside them is refused.
func TestDateAsFormatWrites(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{time.UTC, time.FixedZone("ICT", 7*3600), time.FixedZone("W", -11*3600)}
	days := []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(999, 7, 9, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)}
	for d := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 11) {
		days = append(days, d)
	}
	for _, z := range zones {
		for _, d := range days {
			d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, z)
			got, err := Append([]byte("x"), d)
			if want := "x" + d.Format("2006-01-02"); err != nil || string(got) != want {
				t.Fatalf("%v: %q, %v; want %q", d, got, err, want)
			}
		}
	}
	for _, d := range []time.Time{time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if b, err := Append([]byte("x"), d); err == nil || string(b) != "x" {
			t.Errorf("%v: %q, %v; want it refused, nothing written", d, b, err)
		}
	}
}

// AppendString escapes exactly the four characters, wherever they stand in a text of any
// length, among bytes that are close to them (0x00–0x0d, 0x5b–0x5d, 0x80 and above).
func TestAppendStringEscapesExactly(t *testing.T) {
	t.Parallel()
	ref := func(s string) string {
		var out []byte
		for i := 0; i < len(s); i++ {
			switch c := s[i]; c {
			case '\\':
				out = append(out, '\\', '\\')
			case '\t':
				out = append(out, '\\', 't')
			case '\n':
				out = append(out, '\\', 'n')
			case '\r':
				out = append(out, '\\', 'r')
			default:
				out = append(out, c)
			}
		}
		return string(out)
	}
	fill := []byte("Xã Vân An, thôn Nà Sla [x] 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	near := []byte{0, 1, 8, 9, 10, 11, 12, 13, 14, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0x8e, 0xdc, 0xff}
	for n := 0; n <= 40; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range near {
				s := []byte(string(fill[:n]))
				s[pos] = c
				if got, want := string(AppendString([]byte("p"), string(s))), "p"+ref(string(s)); got != want {
					t.Fatalf("%q: %q, want %q", s, got, want)
				}
				if got, want := string(AppendString(nil, s)), ref(string(s)); got != want {
					t.Fatalf("[]byte %q: %q, want %q", s, got, want)
				}
			}
		}
	}
}

func BenchmarkAppendString(b *testing.B) {
	texts := []string{"Hồ sơ", "H17.2024-984059-0000001", "21190", "in_person", "Trợ cấp xã hội hằng tháng"}
	buf := make([]byte, 0, 1<<10)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range texts {
			buf = AppendString(buf, s)
		}
	}
}
