package msg

import (
	"strings"
	"testing"
)

// The demo's summary lines align their counts whatever the label, written the Vietnamese way.
func TestDemoTally(t *testing.T) {
	a := DemoTally(DemoSmartVillages, 15153, 79967)
	b := DemoTally(DemoDistrictsD95, 199, 699)
	if !strings.HasPrefix(a, "  thôn thông minh (SMART_VILLAGE) ") || !strings.HasSuffix(a, " 15.153 / 79.967") {
		t.Errorf("%q", a)
	}
	at := func(s string) int { return len([]rune(s[:strings.Index(s, " / ")])) }
	if at(a) != at(b) {
		t.Errorf("counts not aligned:\n%s\n%s", a, b)
	}
	if got := DemoWorkbooksWritten(0, 21); !strings.HasPrefix(got, "Đã ghi 0 tệp báo cáo; 21 tệp không đổi") {
		t.Errorf("%q", got)
	}
	if got := DemoLoadProgress(1050, 1568, 3.4); got != "Đã nạp 1.050/1.568 tệp (3 giây)." {
		t.Errorf("%q", got)
	}
}
