package sample

import "testing"

// BenchmarkNational writes the national sample's 567 province exports (no record-level export).
func BenchmarkNational(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		if _, err := National(NationalOptions{Options: Options{Dir: dir, Seed: 2024}, Records: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNationalRecords writes the national sample's 1,000,000-row record-level export.
func BenchmarkNationalRecords(b *testing.B) {
	provinces, err := readNationalUnits("")
	if err != nil {
		b.Fatal(err)
	}
	units := nationalRecordUnits(provinces)
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		if _, err := WriteRecords(RecordsOptions{Path: dir + "/r.xlsx", Rows: 1000000, Units: units, Year: 2024, Seed: 2024}); err != nil {
			b.Fatal(err)
		}
	}
}
