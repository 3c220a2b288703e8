package transform

import (
	"context"
	"testing"

	"ntm"
)

// A CSV export whose note cell spans two lines and holds a whole row's worth of commas loads
// every row, the note's row included, with nothing rejected (before, the cell was taken for a
// stray quote: its row was rejected and the note's second line read as a row).
func TestCSVMultiLineNoteLoads(t *testing.T) {
	t.Parallel()
	pool := seededPool(t)
	data := "Huyện,Xã,Thôn,Tổng số hộ,Số hộ đã gắn địa chỉ số,Tổng số cơ quan tổ chức,Số cơ quan tổ chức đã gắn địa chỉ số,Ngày số liệu,Ghi chú\n" +
		"Huyện Chi Lăng,Xã Vân An,Nà Sla,100,90,0,0,30/11/2024,\"đã rà soát lại các hộ của\nBản Chắt, Nà Sla, Hòa Bình, Khuổi Cấp, Làng Cống, Nà Lay, Bản Mới, Pác Giường, Còn Quan\"\n" +
		"Huyện Chi Lăng,Xã Vân An,Hòa Bình,100,80,0,0,30/11/2024,\n" +
		"Huyện Chi Lăng,Xã Chi Lăng,Làng Cống,100,70,0,0,30/11/2024,\"một dòng, có dấu phẩy\"\n" +
		"Huyện Chi Lăng,Xã Chi Lăng,Bản Chắt,100,60,0,0,30/11/2024,\n"
	rep := loadCase(t, pool, writeBytes(t, "vpostcode.csv", []byte(data)), LoadOptions{Dataset: ntm.DatasetVpostcode})
	if rep.Rejected || rep.RowsLoaded != 4 || rep.RowsRejected != 0 {
		t.Fatalf("load: %d read, %d loaded, %d rejected (%s) %v", rep.RowsRead, rep.RowsLoaded, rep.RowsRejected, rep.Message, rep.Rejects)
	}
	var households int
	if err := pool.QueryRow(context.Background(), `SELECT households_with FROM fact_vpostcode WHERE village_code = '06469-001' AND batch_id = $1`, rep.BatchID).Scan(&households); err != nil || households != 90 {
		t.Errorf("Nà Sla's fact: %d, %v", households, err)
	}
}
