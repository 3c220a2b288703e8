package transform

import (
	"context"
	"fmt"
	"sync"

	"ntm/db"
)

// unitIndexCache keeps the unit indexes a Loader has built, shared by every file it loads
// while the unit structure stays the same. Building the national index (91,000 units with
// villages) costs a few hundred milliseconds; a run of 500 small files paid it 500 times.
//
// Whether the structure changed is told by table unit_generation, a counter that a statement
// trigger on unit, unit_successor and unit_alias bumps in the writing transaction. It is read
// before the index, so an index is never labelled with a generation newer than what it holds: a
// change committed in between only costs one rebuild more. Generations come from a sequence, so
// one seen inside a transaction that changed the structure and was then rolled back never
// comes back.
type unitIndexCache struct {
	mu  sync.Mutex
	gen int64
	idx [2]*UnitIndex // without villages, with villages
}

const unitGenerationSQL = `SELECT n FROM unit_generation`

// unitIndex returns the unit index for one file: shared with the other files of the structure
// generation q sees, with notes of its own. gen is that generation when the caller read it on q
// already (a load's first statement does), 0 to read it here.
func (l *Loader) unitIndex(ctx context.Context, q db.Querier, villages bool, gen int64) (*UnitIndex, error) {
	if gen == 0 {
		if err := q.QueryRow(ctx, unitGenerationSQL).Scan(&gen); err != nil {
			return nil, fmt.Errorf("read the unit structure's generation: %w", err)
		}
	}
	c := &l.units
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		c.gen, c.idx = gen, [2]*UnitIndex{}
	}
	k := 0
	if villages {
		k = 1
	}
	if c.idx[k] == nil {
		idx, err := LoadUnitIndex(ctx, q, villages)
		if err != nil {
			return nil, err
		}
		c.idx[k] = idx
	}
	return c.idx[k].forFile(), nil
}

// forFile is the index with empty notes: the maps are shared and only read, the notes (the old
// units one file named) are the file's own.
func (x *UnitIndex) forFile() *UnitIndex {
	cp := *x
	cp.notes, cp.noteSeen = nil, map[string]bool{}
	return &cp
}

// ReleaseUnitIndex drops the unit indexes the loader keeps for its next files (the national
// ones hold about 45 MB) and the process's folding memos (ReleaseMemos): a run calls it when
// its loading is over and evaluation follows. A file loaded afterwards builds them again.
func (l *Loader) ReleaseUnitIndex() {
	l.units.mu.Lock()
	l.units.idx = [2]*UnitIndex{}
	l.units.mu.Unlock()
	ReleaseMemos()
}
