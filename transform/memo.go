package transform

import (
	"sync"

	"ntm/fold"
)

// memo remembers a pure string function's results, up to max entries (then starts again).
// Folding Vietnamese text costs microseconds (normalisation, tone placement), and the same
// strings come back on every file: header candidates (a header search tries each of the first
// fifty rows at one to three depths against every dataset), and the names of the whole unit
// table, which is indexed again for every file (91,000 units at national scale).
type memo[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	max int
}

func (c *memo[V]) get(k string, f func(string) V) V {
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

type foldedUnitName struct{ name, kind string }

var (
	headerWordsMemo = &memo[string]{max: 100000}
	foldTextMemo    = &memo[string]{max: 10000}
	unitNameMemo    = &memo[foldedUnitName]{max: 400000}
)

func foldUnitNameMemo(s string) (name, kind string) {
	r := unitNameMemo.get(s, func(s string) foldedUnitName {
		n, k := fold.UnitName(s)
		return foldedUnitName{n, k}
	})
	return r.name, r.kind
}
