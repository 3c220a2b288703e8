package transform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm"
)

// A local file over the loader's limit (config max_file_mb) is refused before a byte of it is
// read, by a load, a check and a units import alike, with one sentence naming the file and the
// limit; nothing is recorded. A sparse 20 GiB file stands for a huge export: it is refused
// without being hashed. A file under the limit loads as before.
func TestLocalFileSizeCap(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	ctx := context.Background()
	huge := filepath.Join(t.TempDir(), "ho-so-ca-nuoc.csv")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(20 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	l := NewLoader(pool, nil) // the default limit, 512 MiB
	wantRefusal := func(what string, err error, size, limit string) {
		t.Helper()
		want := "Tệp " + huge + " có dung lượng " + size + " MB, lớn hơn giới hạn " + limit + " MB (max_file_mb trong tệp cấu hình) nên không được đọc"
		if ntm.ErrorCode(err) != ntm.CodeTooLarge || !strings.HasPrefix(ntm.ErrorMessage(err), want) {
			t.Errorf("%s: %v (code %s), want %q", what, err, ntm.ErrorCode(err), want)
		}
	}
	_, err = l.LoadFile(ctx, huge, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	wantRefusal("load", err, "20480", "512")
	_, err = l.CheckFile(ctx, huge, LoadOptions{})
	wantRefusal("check", err, "20480", "512")
	_, err = ImportUnits(ctx, pool, huge, UnitsOptions{})
	wantRefusal("units import", err, "20480", "512")
	_, err = CheckUnits(ctx, pool, huge, UnitsOptions{})
	wantRefusal("units check", err, "20480", "512")
	var batches int
	pool.QueryRow(ctx, `SELECT count(*) FROM batch WHERE source_uri LIKE '%ho-so-ca-nuoc%' OR file_name LIKE '%ho-so-ca-nuoc%'`).Scan(&batches)
	if batches != 0 {
		t.Errorf("%d batches recorded for the refused file", batches)
	}

	// A limit of 1 MiB: a 1 MiB + 1 byte file is refused, a small one loads.
	small := writeBytes(t, "vp.csv", []byte("Huyện,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu\n"+
		"Huyện Chi Lăng,Xã Vân An,Nà Sla,100,90,0,0,30/11/2024\n"))
	l.MaxFileSize = 1 << 20
	if rep, err := l.LoadFile(ctx, small, LoadOptions{Dataset: ntm.DatasetVpostcode}); err != nil || rep.RowsLoaded != 1 {
		t.Errorf("a small file under the limit: %+v %v", rep, err)
	}
	if err := os.Truncate(huge, 1<<20+1); err != nil {
		t.Fatal(err)
	}
	_, err = l.LoadFile(ctx, huge, LoadOptions{Dataset: ntm.DatasetDVCDossierRecords})
	wantRefusal("1 MiB limit", err, "2", "1")
	_, err = ImportUnits(ctx, pool, huge, UnitsOptions{MaxFileSize: 1 << 20})
	wantRefusal("units import, 1 MiB limit", err, "2", "1")
}
