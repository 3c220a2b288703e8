package evaluate

import (
	"fmt"
	"time"

	"ntm"
	"ntm/msg"
)

// BuiltinNominalEnd is the last day of the period the built-in set was written for (Lạng Sơn's
// 2021–2025 guidance). Its valid_to is open, so it keeps deciding later periods until the office
// imports a later set, but every such evaluation carries SetWarning.
var BuiltinNominalEnd = ntm.Date(2025, time.December, 31)

// SetWarning is what the office must be told when period p is evaluated with set s, in one
// Vietnamese sentence that says what to do; "" when there is nothing to say. It warns when the
// built-in 2021–2025 set (as embedded, or imported again under its key) decides a period after
// 2025 — unless the office gave that key an explicit valid_to reaching the period, a choice it
// made on purpose.
func SetWarning(s *Set, p ntm.Period) string {
	if s == nil || s.Key != BuiltinKey || !p.End().After(BuiltinNominalEnd) {
		return ""
	}
	if s.ValidTo != nil && !s.ValidTo.Before(p.End()) {
		return ""
	}
	return msg.BuiltinSetPastValidity(p.String(), s.Key)
}

// SetLine names a set and its legal basis in one Vietnamese sentence, for command output:
// "Bộ tiêu chí: … (mã langson-2021, hiệu lực từ 01/01/2021); căn cứ: …."
func SetLine(s *Set) string {
	line := fmt.Sprintf("Bộ tiêu chí: %s (mã %s, hiệu lực %s)", s.Name, s.Key, s.Validity())
	if b := s.BasisText(); b != "" {
		line += "; căn cứ: " + b
	}
	return line + "."
}
