package transform

import "ntm/fold"

type foldedUnitName struct{ name, kind string }

var (
	// headerWordsMemo, foldTextMemo and unitNameMemo remember headerWords, fold.Text of unit
	// kinds and fold.UnitName: the names of the whole unit table (91,000 units at national
	// scale) and the header candidates of every file.
	headerWordsMemo = fold.NewMemo[string](100000)
	foldTextMemo    = fold.NewMemo[string](10000)
	unitNameMemo    = fold.NewMemo[foldedUnitName](400000)
)

func foldUnitNameMemo(s string) (name, kind string) {
	r := unitNameMemo.Get(s, func(s string) foldedUnitName {
		n, k := fold.UnitName(s)
		return foldedUnitName{n, k}
	})
	return r.name, r.kind
}
