// Package copytext writes values in PostgreSQL's COPY text format, which the loader's facts and
// the evaluation's results are sent in: cheaper than pgx's binary rows of boxed values.
package copytext

import (
	"fmt"
	"strconv"
	"time"
)

// Append appends v in PostgreSQL's COPY text format: \N for NULL, backslash escapes for
// the characters the format gives meaning to, dates as YYYY-MM-DD. Facts hold only the types
// below; any other is a programming error, reported rather than guessed at.
func Append(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, '\\', 'N'), nil
	case string:
		return AppendString(b, x), nil
	case []string:
		// A text[] literal, {"a","b"}, its elements quoted, then escaped as COPY text.
		var lit []byte
		lit = append(lit, '{')
		for i, e := range x {
			if i > 0 {
				lit = append(lit, ',')
			}
			lit = append(lit, '"')
			for j := 0; j < len(e); j++ {
				if e[j] == '"' || e[j] == '\\' {
					lit = append(lit, '\\')
				}
				lit = append(lit, e[j])
			}
			lit = append(lit, '"')
		}
		lit = append(lit, '}')
		return AppendString(b, lit), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case bool:
		if x {
			return append(b, 't'), nil
		}
		return append(b, 'f'), nil
	case time.Time:
		// Every date column is a date: the day as written, whatever the location.
		y, m, d := x.Date()
		if y < 1 || y > 9999 {
			// A row reject's reason, for the office: in Vietnamese, no English inside.
			return b, fmt.Errorf("ngày %s nằm ngoài khoảng năm 1–9999", x.Format("02/01/2006"))
		}
		// YYYY-MM-DD, as AppendFormat(b, "2006-01-02") writes it, a third of its cost (a date
		// on every row of a record-level export).
		return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
			byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+d/10), byte('0'+d%10)), nil
	}
	return b, fmt.Errorf("no COPY text encoding for %T", v)
}

// AppendString appends s as COPY text: backslash, tab, newline and carriage return escaped.
func AppendString[T string | []byte](b []byte, s T) []byte {
	i := 0
	// Eight bytes at a time while none can be one of the four: none below 0x0e (tab, newline
	// and carriage return are) and none a backslash. A word that may hold one is looked at byte
	// by byte from there (texts are on every row of every fact).
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		x := w ^ ('\\' * ones)
		if (w-0x0e*ones)&^w&highs != 0 || (x-ones)&^x&highs != 0 {
			break
		}
	}
	clean := true
	for ; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			clean = false
			break
		}
	}
	if clean {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}
