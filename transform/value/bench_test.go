package value

import "testing"

func BenchmarkParseCount(b *testing.B) {
	for _, c := range []struct{ name, in string }{{"raw", "1234"}, {"vietnamese", "1.234.567"}, {"float", "1234.0"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseCount(c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseDate(b *testing.B) {
	for _, c := range []struct{ name, in string }{{"serial", "45626"}, {"text", "30/11/2024"}, {"datetime", "30/11/2024 08:15:22"}, {"iso", "2024-11-30T08:15:00"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseDate(c.in, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
