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
		if y := x.Year(); y < 1 || y > 9999 {
			// A row reject's reason, for the office: in Vietnamese, no English inside.
			return b, fmt.Errorf("ngày %s nằm ngoài khoảng năm 1–9999", x.Format("02/01/2006"))
		}
		return x.AppendFormat(b, "2006-01-02"), nil
	}
	return b, fmt.Errorf("no COPY text encoding for %T", v)
}

// AppendString appends s as COPY text: backslash, tab, newline and carriage return escaped.
func AppendString[T string | []byte](b []byte, s T) []byte {
	clean := true
	for i := 0; i < len(s); i++ {
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
