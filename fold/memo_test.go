package fold

import "testing"

// A memo answers from what it remembers until it is reset, then asks again.
func TestMemoRemembersUntilReset(t *testing.T) {
	calls := 0
	f := func(s string) int { calls++; return len(s) }
	m := NewMemo[int](2)
	for range 3 {
		if v := m.Get("Thôn 3", f); v != len("Thôn 3") {
			t.Fatalf("Get = %d", v)
		}
	}
	if calls != 1 {
		t.Errorf("f called %d times for one text, want 1", calls)
	}
	m.Reset()
	m.Get("Thôn 3", f)
	if calls != 2 {
		t.Errorf("after Reset f called %d times in all, want 2", calls)
	}
	m.Get("a", f)
	m.Get("b", f) // the memo is full: it starts again
	m.Get("Thôn 3", f)
	if calls != 5 {
		t.Errorf("past its bound f called %d times in all, want 5", calls)
	}
}
