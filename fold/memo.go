package fold

import "sync"

// Memo remembers a pure function of text, up to a bounded number of entries (then it starts
// again). Folding Vietnamese text costs microseconds (normalisation, tone placement), and the
// same texts come back on every row and file: header candidates (a header search tries each of
// the first fifty rows at one to three depths against every dataset), cells such as "Thôn 3",
// and the names of the unit table. Safe for concurrent use (files are read on goroutines of
// their own).
type Memo[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	max int
}

// NewMemo is a Memo of at most max entries.
func NewMemo[V any](max int) *Memo[V] { return &Memo[V]{max: max} }

// Get is f(k), remembered.
func (c *Memo[V]) Get(k string, f func(string) V) V {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = f(k)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]V)
	}
	c.m[k] = v
	c.mu.Unlock()
	return v
}

// Reset forgets every entry (a process done with loading gives their memory back; a later Get
// fills the memo again).
func (c *Memo[V]) Reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
