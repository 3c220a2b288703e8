package reports

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A workbook whose inputs did not change is not written again (same file, same modification
// time); a change of a recipient's results rewrites its workbook and its province's only; a
// workbook changed on disk, or a new batch loaded, is written again. Workbooks are built two at
// a time on a pool, and are the same bytes as those built one after the other in a transaction.
// A new ntm binary writes them all again. Not parallel: it swaps the binary's digest.
func TestWriteSkipsUnchangedWorkbooks(t *testing.T) {
	pool := fixture(t)
	ctx := context.Background()
	exec1(t, pool, `INSERT INTO unit (code, level, kind, name, folded_name, parent_code) VALUES
		('182', 'district', 'Huyện', 'Huyện Hữu Lũng', 'hữu lũng', '20'),
		('06100', 'commune', 'Xã', 'Xã Minh Sơn', 'minh sơn', '182')`)
	out := t.TempDir()
	write := func() Written {
		t.Helper()
		w, err := WriteAll(ctx, pool, dec2024, Options{OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Paths) != 3 {
			t.Fatalf("paths %v: want 181, 182 and the province", w.Paths)
		}
		return w
	}
	stamps := func(paths []string) map[string]time.Time {
		m := map[string]time.Time{}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			m[filepath.Base(p)] = st.ModTime()
		}
		return m
	}
	bases := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	w := write()
	if len(w.Unchanged) != 0 {
		t.Fatalf("first run: unchanged %v", w.Unchanged)
	}
	// The same bytes as one after the other, in a transaction (no parallel build).
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seqOut := t.TempDir()
	seq, err := Write(ctx, tx, dec2024, Options{OutDir: seqOut})
	tx.Rollback(ctx) //nolint:errcheck
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range w.Paths {
		a, _ := fileSHA256(p)
		b, _ := fileSHA256(seq[i])
		if a != b || a == "" {
			t.Errorf("%s: built in parallel %s, one after the other %s", filepath.Base(p), a, b)
		}
	}

	before := stamps(w.Paths)
	time.Sleep(20 * time.Millisecond)
	w = write()
	if !slices.Equal(w.Unchanged, w.Paths) {
		t.Fatalf("second run, nothing changed: unchanged %v of %v", bases(w.Unchanged), bases(w.Paths))
	}
	for name, at := range stamps(w.Paths) {
		if !at.Equal(before[name]) {
			t.Errorf("%s was written again", name)
		}
	}

	// A result of Xã Quang Lang (district 181) changes: 181's and the province's workbooks.
	exec1(t, pool, `UPDATE result SET explanation = 'đã sửa' WHERE unit_code = '06052' AND criterion = 'C8_SMART_VILLAGE'`)
	w = write()
	if got := bases(w.Unchanged); !slices.Equal(got, []string{"182-huyen-huu-lung.xlsx"}) {
		t.Errorf("after a result of 181 changed: unchanged %v, want only 182's", got)
	}

	// A new build of ntm (another executable: its layout or rules may differ) writes every
	// workbook again, though no data changed; the same build again writes none.
	if binaryDigest() == "" {
		t.Fatal("the test binary's digest is empty: input keys are off")
	}
	own := exeDigest
	exeDigest = "another build of ntm"
	w = write()
	if len(w.Unchanged) != 0 {
		t.Errorf("a new ntm binary: unchanged %v, want every workbook written again", bases(w.Unchanged))
	}
	if w = write(); !slices.Equal(w.Unchanged, w.Paths) {
		t.Errorf("the new binary again: unchanged %v of %v", bases(w.Unchanged), bases(w.Paths))
	}
	exeDigest = own
	if w = write(); len(w.Unchanged) != 0 {
		t.Errorf("back to the first binary: unchanged %v, want every workbook written again", bases(w.Unchanged))
	}

	// A workbook changed on disk is written again.
	p182 := w.Paths[slices.IndexFunc(w.Paths, func(p string) bool { return filepath.Base(p) == "182-huyen-huu-lung.xlsx" })]
	if err := os.WriteFile(p182, []byte("not a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	w = write()
	if got := bases(w.Unchanged); len(got) != 2 || slices.Contains(got, "182-huyen-huu-lung.xlsx") {
		t.Errorf("after 182's file was overwritten: unchanged %v", got)
	}
	if f, err := excelize.OpenFile(p182); err != nil {
		t.Errorf("182's workbook not rebuilt: %v", err)
	} else {
		f.Close()
	}

	// A new batch loaded: every workbook.
	exec1(t, pool, `INSERT INTO batch (id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
		rows_read, rows_loaded, rows_rejected, status) VALUES
		(4, 'vpostcode', 'file:///inbox/new.xlsx', 'new.xlsx', 10, '2222', '2024-12-30 00:00:00+00', '2024-12-30', 1, 1, 0, 'loaded')`)
	if w = write(); len(w.Unchanged) != 0 {
		t.Errorf("after a new batch: unchanged %v", bases(w.Unchanged))
	}
}
