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
