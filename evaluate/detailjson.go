package evaluate

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// appendDetail appends a result's detail as JSON for its jsonb column. The column keeps the
// value, not the text: keys in any order, and characters json.Marshal would escape (<, >, &,
// U+2028) written as they are, store the same jsonb. The types details are made of are written
// here without reflection or sorting the keys (the national evaluation writes about 400,000
// detail maps); any other value, and any string needing escapes or not valid UTF-8, goes through
// json.Marshal, so that the stored value is exactly json.Marshal's.
func appendDetail(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x)
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		first := true
		for k, e := range x {
			if !first {
				b = append(b, ',')
			}
			first = false
			var err error
			if b, err = appendJSONString(b, k); err != nil {
				return b, err
			}
			b = append(b, ':')
			if b, err = appendDetail(b, e); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []string:
		return appendList(b, x, appendJSONString)
	case []map[string]any:
		return appendList(b, x, func(b []byte, m map[string]any) ([]byte, error) { return appendDetail(b, m) })
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendList appends xs as a JSON array (null when nil, as json.Marshal writes it), each
// element by each.
func appendList[T any](b []byte, xs []T, each func([]byte, T) ([]byte, error)) ([]byte, error) {
	if xs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = each(b, x); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as a JSON string: as it is when it needs no escape (valid UTF-8,
// no control character, quote or backslash), else as json.Marshal writes it.
func appendJSONString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			if c >= utf8.RuneSelf && plainUTF8(s[i:]) {
				break
			}
			j, err := json.Marshal(s)
			return append(b, j...), err
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// plainUTF8 reports whether s is valid UTF-8 without control characters, quotes or backslashes.
func plainUTF8(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
