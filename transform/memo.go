package transform

import (
	"ntm/fold"
	"ntm/ingest"
)

type foldedUnitName struct{ name, kind string }

var (
	// headerWordsMemo, foldTextMemo and unitNameMemo remember headerWords, fold.Text of unit
	// kinds and fold.UnitName: the names of the whole unit table (91,000 units at national
	// scale) and the header candidates of every file.
	headerWordsMemo = fold.NewMemo[string](100000)
	foldTextMemo    = fold.NewMemo[string](10000)
	unitNameMemo    = fold.NewMemo[foldedUnitName](400000)
)

// ReleaseMemos forgets what the process's folding memos (transform's and ingest's) remember: at national scale the
// unit names alone are tens of MB, which the evaluation and the workbooks that follow a load in
// the same process would otherwise keep under the soft memory limit (the collector marking them
// on every cycle). A later load fills them again.
func ReleaseMemos() {
	headerWordsMemo.Reset()
	foldTextMemo.Reset()
	unitNameMemo.Reset()
	ingest.ReleaseMemos()
}

func foldUnitNameMemo(s string) (name, kind string) {
	r := unitNameMemo.Get(s, func(s string) foldedUnitName {
		n, k := fold.UnitName(s)
		return foldedUnitName{n, k}
	})
	return r.name, r.kind
}
