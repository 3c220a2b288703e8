package transform

import "testing"

// A fill-in template's example row is skipped; no data row is taken for one.
func TestIsExampleRow(t *testing.T) {
	for cells, want := range map[[3]string]bool{
		{"Ví dụ", "06466", "Thị trấn Chi Lăng"}: true,
		{"", " ví dụ: ", "06466-001"}:           true,
		{"VD", "Miến dong", "4"}:                true,
		{"1", "Ví dụ", "x"}:                     false, // a first cell that is not the label
		{"Ví dụ khác", "06466", ""}:             false,
		{"", "", ""}:                            false,
	} {
		if got := isExampleRow(cells[:]); got != want {
			t.Errorf("%q: %v, want %v", cells, got, want)
		}
	}
}
