package sample

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"ntm"
)

// nationalSample writes the national sample of the first provinces of the built-in list into dir
// and returns its manifest, the files as Written told them, the count Planned told, and each
// file's digest when told.
func nationalSample(t *testing.T, dir string, provinces int) (Manifest, []File, int, map[string][32]byte) {
	t.Helper()
	units := filepath.Join(t.TempDir(), "units.csv")
	if err := WriteNationalUnits("", provinces, units); err != nil {
		t.Fatal(err)
	}
	var seen []File
	planned := 0
	sums := map[string][32]byte{}
	man, err := National(NationalOptions{Options: Options{Dir: dir, Seed: 2024}, Units: units, Records: 3000,
		Planned: func(n int) {
			if len(seen) > 0 || planned > 0 {
				t.Errorf("Planned(%d) after %d files and Planned(%d)", n, len(seen), planned)
			}
			planned = n
		},
		Written: func(f File) error {
			b, err := os.ReadFile(f.Path) // on disk, whole, when told
			if err != nil {
				t.Errorf("told of %s: %v", f.Path, err)
			}
			sums[f.Path] = sha256.Sum256(b)
			seen = append(seen, f)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return man, seen, planned, sums
}

// The national sample tells of each file as soon as it is written, in the manifest's order with
// every province's units first, and its bytes do not depend on how many cores built them.
func TestNationalWrittenInManifestOrder(t *testing.T) {
	dir := t.TempDir()
	man, seen, planned, sums := nationalSample(t, dir, 3)
	if len(man.Files) == 0 || len(seen) != len(man.Files) || planned != len(man.Files) {
		t.Fatalf("%d files in the manifest, %d told as written, %d planned", len(man.Files), len(seen), planned)
	}
	units := 0
	for i, f := range man.Files {
		if seen[i].Path != f.Path || seen[i].Dataset != f.Dataset {
			t.Errorf("file %d: told %s (%s), manifest %s (%s)", i, seen[i].Path, seen[i].Dataset, f.Path, f.Dataset)
		}
		if f.Dataset == ntm.DatasetUnits {
			if units != i {
				t.Errorf("units file %s after another dataset's", f.Path)
			}
			units++
		}
	}
	if units != 3 || man.Files[len(man.Files)-1].Dataset != ntm.DatasetDVCDossierRecords {
		t.Errorf("%d units files (want 3); last file %s", units, man.Files[len(man.Files)-1].Path)
	}

	// One core, into another folder: the same bytes (the folders' names aside).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	other := t.TempDir()
	_, seen1, _, sums1 := nationalSample(t, other, 3)
	if len(seen1) != len(seen) {
		t.Fatalf("%d files on one core, %d on all", len(seen1), len(seen))
	}
	for i, f := range seen {
		rel, _ := filepath.Rel(dir, f.Path)
		rel1, _ := filepath.Rel(other, seen1[i].Path)
		if rel != rel1 || sums[f.Path] != sums1[seen1[i].Path] {
			t.Errorf("file %d: %s on all cores, %s on one, same bytes: %v", i, rel, rel1, sums[f.Path] == sums1[seen1[i].Path])
		}
	}
}

// A build budget smaller than any export (each is then built alone) changes the order in which
// exports are built, never their bytes or the manifest.
func TestNationalBuildBudget(t *testing.T) {
	dir := t.TempDir()
	_, seen, _, sums := nationalSample(t, dir, 2)
	defer func(b int64) { nationalBuildBudget = b }(nationalBuildBudget)
	nationalBuildBudget = 1
	other := t.TempDir()
	_, seen1, _, sums1 := nationalSample(t, other, 2)
	if len(seen1) != len(seen) {
		t.Fatalf("%d files with a budget of one byte, %d with the default", len(seen1), len(seen))
	}
	for i, f := range seen {
		rel, _ := filepath.Rel(dir, f.Path)
		rel1, _ := filepath.Rel(other, seen1[i].Path)
		if rel != rel1 || sums[f.Path] != sums1[seen1[i].Path] {
			t.Errorf("file %d: %s by default, %s alone, same bytes: %v", i, rel, rel1, sums[f.Path] == sums1[seen1[i].Path])
		}
	}
}

// An error from Written stops the sample there and is returned.
func TestNationalStopsOnWrittenError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	units := filepath.Join(t.TempDir(), "units.csv")
	if err := WriteNationalUnits("", 2, units); err != nil {
		t.Fatal(err)
	}
	_, err := National(NationalOptions{Options: Options{Dir: t.TempDir(), Seed: 2024}, Units: units, Records: 3000,
		Written: func(f File) error {
			if n++; n == 4 {
				return stop
			}
			return nil
		}})
	if !errors.Is(err, stop) || n != 4 {
		t.Errorf("National: %v after %d files, want the error of the 4th", err, n)
	}
}
