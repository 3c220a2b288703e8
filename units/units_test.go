package units

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

func day(y int, m time.Month, d int) time.Time { return ntm.Date(y, m, d) }

// A small Lạng Sơn: Huyện Chi Lăng (187) with Thị trấn Đồng Mỏ (06463), Thị trấn Chi Lăng
// (06466), Xã Chi Lăng (06523) and Xã Vân An (06469); Huyện Tràng Định (180) with Xã Đại Đồng
// (06040), Thị trấn Thất Khê (05995), Xã Vĩnh Tiến (06007) and Xã Chi Lăng (06034).
func unit(level ntm.Level, code, kind, name, parent string) StatedUnit {
	return StatedUnit{Code: code, Level: level, Kind: kind, Name: name, Folded: strings.ToLower(strings.TrimPrefix(name, kind+" ")),
		Parent: parent, Where: "dòng " + code}
}

func province() StatedUnit { return unit(ntm.LevelProvince, "20", "Tỉnh", "Tỉnh Lạng Sơn", "") }

func with(u StatedUnit, prev ...string) StatedUnit {
	u.PreviousStated = true
	for _, p := range prev {
		c, partial := strings.CutSuffix(p, "(partial)")
		u.Previous = append(u.Previous, PreviousCode{Code: c, Partial: partial})
	}
	return u
}

func structure2024() []StatedUnit {
	return []StatedUnit{
		province(),
		unit(ntm.LevelDistrict, "187", "Huyện", "Huyện Chi Lăng", "20"),
		unit(ntm.LevelCommune, "06463", "Thị trấn", "Thị trấn Đồng Mỏ", "187"),
		unit(ntm.LevelCommune, "06466", "Thị trấn", "Thị trấn Chi Lăng", "187"),
		unit(ntm.LevelCommune, "06523", "Xã", "Xã Chi Lăng", "187"),
		unit(ntm.LevelCommune, "06469", "Xã", "Xã Vân An", "187"),
		unit(ntm.LevelDistrict, "180", "Huyện", "Huyện Tràng Định", "20"),
		unit(ntm.LevelCommune, "06040", "Xã", "Xã Đại Đồng", "180"),
		unit(ntm.LevelCommune, "05995", "Thị trấn", "Thị trấn Thất Khê", "180"),
		unit(ntm.LevelCommune, "06007", "Xã", "Xã Vĩnh Tiến", "180"),
		unit(ntm.LevelCommune, "06034", "Xã", "Xã Chi Lăng", "180"),
		unit(ntm.LevelVillage, "06463-001", "Khối", "Khối Hòa Bình", "06463"),
		unit(ntm.LevelVillage, "06523-001", "Thôn", "Thôn Làng Cống", "06523"),
		unit(ntm.LevelVillage, "06523-002", "Thôn", "Thôn Bản Chắt", "06523"),
	}
}

// structure2025h1: 05995 and 06007 merged into 06040, now Thị trấn Thất Khê.
func structure2025h1() []StatedUnit {
	var out []StatedUnit
	for _, u := range structure2024() {
		switch u.Code {
		case "05995", "06007":
			continue
		case "06040":
			u = with(unit(ntm.LevelCommune, "06040", "Thị trấn", "Thị trấn Thất Khê", "180"), "06040", "05995", "06007")
		}
		out = append(out, u)
	}
	return out
}

// structure2025: no districts; Xã Thất Khê (06040) from 06040 and 06034; Xã Chi Lăng (06463)
// from 06463, 06466 and 06523; Xã Vân An merged into Xã Chi Lăng too, partly (a split, for the
// test); the villages renumbered: 06463-001 is new (Làng Cống and Bản Chắt merged), the old
// Khối Hòa Bình became 06463-002.
func structure2025() []StatedUnit {
	return []StatedUnit{
		province(),
		with(unit(ntm.LevelCommune, "06040", "Xã", "Xã Thất Khê", "20"), "06040", "06034"),
		with(unit(ntm.LevelCommune, "06463", "Xã", "Xã Chi Lăng", "20"), "06463", "06466", "06523", "06469(partial)"),
		with(unit(ntm.LevelCommune, "06470", "Xã", "Xã Vân Thủy", "20"), "06469(partial)"),
		with(unit(ntm.LevelVillage, "06463-001", "Thôn", "Thôn Làng Cống", "06463"), "06523-001", "06523-002"),
		with(unit(ntm.LevelVillage, "06463-002", "Khối", "Khối Hòa Bình", "06463"), "06463-001"),
	}
}

func apply(t *testing.T, pool *pgxpool.Pool, st *Statement) (*Result, error) {
	t.Helper()
	var res *Result
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		var err error
		res, err = Import(context.Background(), tx, st)
		return err
	})
	return res, err
}

func mustApply(t *testing.T, pool *pgxpool.Pool, st *Statement) *Result {
	t.Helper()
	res, err := apply(t, pool, st)
	if err != nil {
		t.Fatalf("import from %s: %v", st.From.Format("2006-01-02"), err)
	}
	return res
}

func load(t *testing.T, pool *pgxpool.Pool) *History {
	t.Helper()
	h, err := Load(context.Background(), pool, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// reformed is a database holding the three structures of the small Lạng Sơn.
func reformed(t *testing.T) *pgxpool.Pool {
	pool := dbtest.New(t)
	mustApply(t, pool, &Statement{From: Beginning, Villages: true, Units: structure2024(), Source: SourcePreviousCodes})
	mustApply(t, pool, &Statement{From: day(2025, 1, 1), DateGiven: true, Villages: true, Units: structure2025h1(), Source: SourcePreviousCodes})
	mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Villages: true, Units: structure2025(), Source: SourcePreviousCodes})
	return pool
}

func TestImportCounts(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	res := mustApply(t, pool, &Statement{From: Beginning, Villages: true, Units: structure2024()})
	if res.Opened[ntm.LevelCommune] != 8 || res.Opened[ntm.LevelVillage] != 3 || res.Opened[ntm.LevelDistrict] != 2 {
		t.Errorf("first import opened %v", res.Opened)
	}
	// The same structure again changes nothing.
	res = mustApply(t, pool, &Statement{From: Beginning, Villages: true, Units: structure2024()})
	if res.Changed() || res.Unchanged != 14 {
		t.Errorf("same structure again: %+v", res)
	}
	res = mustApply(t, pool, &Statement{From: day(2025, 1, 1), DateGiven: true, Villages: true, Units: structure2025h1(), Source: SourcePreviousCodes})
	if res.Closed[ntm.LevelCommune] != 2 || res.Renamed[ntm.LevelCommune] != 1 || res.Links != 3 || len(res.WithoutSuccessor) != 0 {
		t.Errorf("2025h1: closed %v renamed %v links %d without %v", res.Closed, res.Renamed, res.Links, res.WithoutSuccessor)
	}
	if res.InForce[ntm.LevelCommune] != 6 {
		t.Errorf("communes in force on 1/1/2025: %v", res.InForce)
	}
	res = mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Villages: true, Units: structure2025(), Source: SourcePreviousCodes})
	// Districts go (the file has none), 06466, 06523, 06469 and 06034 close; 06040 and 06463
	// are renamed and moved; 06470 opens; village 06463-001 is another village now.
	if res.Closed[ntm.LevelDistrict] != 2 || res.Closed[ntm.LevelCommune] != 4 || res.Opened[ntm.LevelCommune] != 1 ||
		res.Moved[ntm.LevelCommune] != 2 || res.Renamed[ntm.LevelCommune] != 2 {
		t.Errorf("2025: opened %v closed %v renamed %v moved %v", res.Opened, res.Closed, res.Renamed, res.Moved)
	}
	if res.Closed[ntm.LevelVillage] != 3 || res.Opened[ntm.LevelVillage] != 2 {
		t.Errorf("2025 villages: opened %v closed %v", res.Opened, res.Closed)
	}
	if got := CountText(res.InForce); got != "1 tỉnh, 3 xã, 2 thôn" {
		t.Errorf("in force on 1/7/2025: %s", got)
	}
	h := load(t, pool)
	for d, want := range map[time.Time]string{
		day(2024, 12, 31): "1 tỉnh, 2 huyện, 8 xã, 3 thôn",
		day(2025, 6, 30):  "1 tỉnh, 2 huyện, 6 xã, 3 thôn",
		day(2025, 7, 1):   "1 tỉnh, 3 xã, 2 thôn",
	} {
		if got := CountText(h.Count(d)); got != want {
			t.Errorf("%s: %s, want %s", d.Format("2006-01-02"), got, want)
		}
	}
	if got := h.Changes(); len(got) != 2 || !got[0].Equal(day(2025, 1, 1)) || !got[1].Equal(day(2025, 7, 1)) {
		t.Errorf("changes %v", got)
	}
}

// 06040 is three units: Xã Đại Đồng to 2024, Thị trấn Thất Khê in the first half of 2025,
// Xã Thất Khê from 1/7/2025; facts follow their date.
func TestThatKheDoubleChange(t *testing.T) {
	t.Parallel()
	h := load(t, reformed(t))
	for d, want := range map[time.Time]string{
		day(2019, 3, 1):   "Xã Đại Đồng",
		day(2024, 12, 31): "Xã Đại Đồng",
		day(2025, 1, 1):   "Thị trấn Thất Khê",
		day(2025, 6, 30):  "Thị trấn Thất Khê",
		day(2025, 7, 1):   "Xã Thất Khê",
		day(2026, 11, 30): "Xã Thất Khê",
	} {
		if v := h.VersionOf("06040", d); v == nil || v.Name != want {
			t.Errorf("06040 on %s: %v, want %s", d.Format("2006-01-02"), v, want)
		}
	}
	dd := h.VersionOf("06040", day(2024, 6, 1))
	if os := h.Owners(dd, day(2025, 3, 31)); len(os) != 1 || os[0].Version.Name != "Thị trấn Thất Khê" || os[0].Partial || os[0].Depth != 1 {
		t.Errorf("Đại Đồng's owners in March 2025: %+v", os)
	}
	xtk := h.At("06040", day(2026, 11, 30))
	if os := h.Owners(dd, day(2026, 11, 30)); len(os) != 1 || os[0].Version != xtk || os[0].Depth != 2 {
		t.Errorf("Đại Đồng's owners in 2026: %+v", os)
	}
	old := h.VersionOf("05995", day(2024, 1, 1))
	if os := h.Owners(old, day(2026, 11, 30)); len(os) != 1 || os[0].Version != xtk {
		t.Errorf("old Thị trấn Thất Khê (05995) in 2026: %+v", os)
	}
	var got []string
	for _, a := range h.Predecessors(xtk) {
		got = append(got, a.Version.Code+"/"+a.Version.Name+"/"+string(rune('0'+a.Depth)))
	}
	want := "06034/Xã Chi Lăng/1 06040/Thị trấn Thất Khê/1 05995/Thị trấn Thất Khê/2 06007/Xã Vĩnh Tiến/2 06040/Xã Đại Đồng/2"
	if strings.Join(got, " ") != want {
		t.Errorf("predecessors of Xã Thất Khê:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// Before its first version a code's facts belong to the first version.
	if v := h.VersionOf("06470", day(2024, 1, 1)); v == nil || v.Name != "Xã Vân Thủy" {
		t.Errorf("06470 before its first version: %v", v)
	}
}

// The reform gave old codes to other units: a 2024 fact of village 06463-001 (Khối Hòa Bình)
// never counts for the new 06463-001 (Thôn Làng Cống), and two villages merge into one.
func TestCodeReuseAndVillageMerge(t *testing.T) {
	t.Parallel()
	h := load(t, reformed(t))
	e := day(2025, 9, 30)
	a := h.Attribute(e)
	v, os := a.Of("06463-001", day(2024, 10, 1))
	if v == nil || v.Name != "Khối Hòa Bình" || len(os) != 1 || os[0].Version.Code != "06463-002" {
		t.Errorf("2024 fact of 06463-001: %v → %+v, want Khối Hòa Bình → 06463-002", v, os)
	}
	v, os = a.Of("06463-001", day(2025, 8, 1))
	if v == nil || v.Name != "Thôn Làng Cống" || len(os) != 1 || os[0].Version != v || os[0].Depth != 0 {
		t.Errorf("2025 fact of 06463-001: %v → %+v", v, os)
	}
	for _, c := range []string{"06523-001", "06523-002"} {
		if _, os := a.Of(c, day(2024, 5, 1)); len(os) != 1 || os[0].Version.Code != "06463-001" || os[0].Partial {
			t.Errorf("%s in 2025: %+v, want the merged 06463-001", c, os)
		}
	}
	var preds []string
	for _, p := range h.Predecessors(h.At("06463-001", e)) {
		preds = append(preds, p.Version.Code)
	}
	if strings.Join(preds, " ") != "06523-001 06523-002" {
		t.Errorf("predecessors of the new 06463-001: %v", preds)
	}
	// Commune level: 06463 continues (Đồng Mỏ is a full predecessor of Xã Chi Lăng), but a
	// 2024 fact of 06463 belongs to Đồng Mỏ's version, not to Xã Chi Lăng's own.
	v, os = a.Of("06463", day(2024, 12, 31))
	if v.Name != "Thị trấn Đồng Mỏ" || len(os) != 1 || os[0].Version.Name != "Xã Chi Lăng" || os[0].Depth != 1 {
		t.Errorf("2024 fact of 06463: %v → %+v", v, os)
	}
}

func TestSplitIsPartial(t *testing.T) {
	t.Parallel()
	h := load(t, reformed(t))
	vanAn := h.VersionOf("06469", day(2024, 1, 1))
	os := h.Owners(vanAn, day(2025, 7, 1))
	if len(os) != 2 || !os[0].Partial || !os[1].Partial || os[0].Version.Code != "06463" || os[1].Version.Code != "06470" {
		t.Fatalf("Vân An's owners: %+v", os)
	}
	var partial []string
	for _, p := range h.Predecessors(h.At("06463", day(2025, 7, 1))) {
		if p.Partial {
			partial = append(partial, p.Version.Code)
		}
	}
	if strings.Join(partial, " ") != "06469" {
		t.Errorf("partial predecessors of Xã Chi Lăng: %v", partial)
	}
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	pool := reformed(t)
	ctx := context.Background()
	// Out of order: 1/1/2025 again is before the change of 1/7/2025.
	_, err := apply(t, pool, &Statement{From: day(2025, 1, 1), DateGiven: true, Villages: true, Units: structure2025h1()})
	var e *ntm.Error
	if !errors.As(err, &e) || e.Code != ntm.CodeConflict || !strings.Contains(e.Message, "01/07/2025") || !strings.Contains(e.Message, "thứ tự ngày") {
		t.Errorf("out of order: %v", err)
	}
	// No date given: the message says to give one.
	_, err = apply(t, pool, &Statement{From: Beginning, Units: structure2024()})
	if err == nil || !strings.Contains(err.Error(), "--valid-from") {
		t.Errorf("no date: %v", err)
	}
	// Orphans: a 2026 list without villages that closes Xã Chi Lăng's commune leaves its villages.
	s2026 := []StatedUnit{province(), unit(ntm.LevelCommune, "06040", "Xã", "Xã Thất Khê", "20"), unit(ntm.LevelCommune, "06470", "Xã", "Xã Vân Thủy", "20")}
	_, err = apply(t, pool, &Statement{From: day(2026, 1, 1), DateGiven: true, Units: s2026})
	if !errors.As(err, &e) || e.Code != ntm.CodeInvalid || !strings.Contains(e.Message, "2 thôn") || !strings.Contains(e.Message, "Thôn Làng Cống (06463-001) thuộc Xã Chi Lăng (06463)") ||
		!strings.Contains(e.Message, "--close-villages") {
		t.Errorf("orphans: %v", err)
	}
	// Nothing was written by the refusals.
	if h := load(t, pool); CountText(h.Count(day(2026, 1, 1))) != "1 tỉnh, 3 xã, 2 thôn" {
		t.Errorf("after refusals: %s", CountText(h.Count(day(2026, 1, 1))))
	}
	res := mustApply(t, pool, &Statement{From: day(2026, 1, 1), DateGiven: true, CloseOrphans: true, Units: s2026})
	if res.Closed[ntm.LevelVillage] != 2 || res.Closed[ntm.LevelCommune] != 1 || len(res.WithoutSuccessor) != 3 {
		t.Errorf("close orphans: closed %v, without successor %v", res.Closed, res.WithoutSuccessor)
	}
	// A previous code that was not in force the day before.
	bad := []StatedUnit{province(), with(unit(ntm.LevelCommune, "06040", "Xã", "Xã Thất Khê", "20"), "06040", "06999"), unit(ntm.LevelCommune, "06470", "Xã", "Xã Vân Thủy", "20")}
	_, err = apply(t, pool, &Statement{From: day(2026, 6, 1), DateGiven: true, Units: bad, Source: SourcePreviousCodes})
	if err == nil || !strings.Contains(err.Error(), "dòng 06040, cột previous_codes: mã 06999 không có hiệu lực ngày 31/05/2026") {
		t.Errorf("bad previous code: %v", err)
	}
	// A unit named with another level's code.
	wrong := []StatedUnit{province(), unit(ntm.LevelVillage, "06040", "Thôn", "Thôn Lạ", "06470"), unit(ntm.LevelCommune, "06470", "Xã", "Xã Vân Thủy", "20")}
	_, err = apply(t, pool, &Statement{From: day(2026, 6, 1), DateGiven: true, Villages: true, Units: wrong})
	if err == nil || !strings.Contains(err.Error(), "là mã của xã") {
		t.Errorf("wrong level: %v", err)
	}
	// The database refuses overlapping versions whoever writes them.
	_, err = pool.Exec(ctx, `INSERT INTO unit (code, level, name, folded_name, parent_code, valid_from) VALUES ('06040', 'commune', 'X', 'x', '20', '2025-08-01')`)
	if err == nil {
		t.Error("overlapping version accepted")
	}
}

// A second import at the same date corrects the one before it.
func TestImportSameDateCorrects(t *testing.T) {
	t.Parallel()
	pool := reformed(t)
	fixed := structure2025()
	fixed[2].Name, fixed[2].Folded = "Xã Chi Lăng Mới", "chi lăng mới"
	fixed = append(fixed[:3], fixed[4:]...) // 06470 was a mistake: not a unit after all
	fixed[1] = with(fixed[1].withoutPrevious(), "06040", "06034", "06469(partial)")
	res := mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Villages: true, Units: fixed, Source: SourcePreviousCodes})
	if res.Corrected[ntm.LevelCommune] != 1 || res.Opened[ntm.LevelCommune] != 0 {
		t.Errorf("correction: %+v", res)
	}
	h := load(t, pool)
	if v := h.At("06463", day(2025, 7, 1)); v == nil || v.Name != "Xã Chi Lăng Mới" {
		t.Errorf("corrected name: %v", v)
	}
	if v := h.At("06470", day(2025, 7, 1)); v != nil || len(h.Versions("06470")) != 0 {
		t.Errorf("06470 should be gone: %v", h.Versions("06470"))
	}
	var into []string
	for _, l := range h.Into(h.At("06040", day(2025, 7, 1))) {
		into = append(into, l.Old+":"+l.KindLabel())
	}
	if strings.Join(into, " ") != "06034:toàn bộ 06040:toàn bộ 06469:một phần" {
		t.Errorf("links into Xã Thất Khê after the correction: %v", into)
	}
}

func (u StatedUnit) withoutPrevious() StatedUnit {
	u.Previous, u.PreviousStated = nil, false
	return u
}

// --add adds and updates; nothing else closes.
func TestImportAdd(t *testing.T) {
	t.Parallel()
	pool := reformed(t)
	add := []StatedUnit{province(), unit(ntm.LevelCommune, "06470", "Xã", "Xã Vân Thủy", "20"),
		unit(ntm.LevelVillage, "06470-001", "Thôn", "Thôn Nà Lừa", "06470")}
	res := mustApply(t, pool, &Statement{From: day(2025, 7, 1), DateGiven: true, Add: true, Villages: true, Units: add})
	if res.Opened[ntm.LevelVillage] != 1 || res.Closed[ntm.LevelCommune] != 0 || res.Closed[ntm.LevelVillage] != 0 {
		t.Errorf("add: %+v", res)
	}
	if got := CountText(load(t, pool).Count(day(2025, 7, 1))); got != "1 tỉnh, 3 xã, 3 thôn" {
		t.Errorf("after add: %s", got)
	}
}

func TestMappingAndOfficeLinks(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	mustApply(t, pool, &Statement{From: Beginning, Villages: true, Units: structure2024()})
	// The first-half structure without predecessor columns: 06040 continues itself (renamed),
	// 05995 and 06007 close without a successor until the office says otherwise.
	h1 := structure2025h1()
	h1[7] = h1[7].withoutPrevious()
	res := mustApply(t, pool, &Statement{From: day(2025, 1, 1), DateGiven: true, Villages: true, Units: h1})
	if len(res.WithoutSuccessor) != 2 || res.Links != 1 {
		t.Fatalf("h1 without links: %+v", res)
	}
	tx := func(f func(pgx.Tx) error) error { return pgx.BeginFunc(ctx, pool, f) }
	if err := tx(func(tx pgx.Tx) error {
		_, err := AddLink(ctx, tx, "05995", "06040", day(2025, 1, 1), false, "vanphong", "Nghị quyết sáp nhập")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The office's link does not break 06040's own continuation.
	h := load(t, pool)
	var preds []string
	for _, p := range h.Predecessors(h.At("06040", day(2025, 1, 1))) {
		preds = append(preds, p.Version.Code)
	}
	if strings.Join(preds, " ") != "05995 06040" {
		t.Errorf("predecessors after the office's link: %v", preds)
	}
	// Adding it twice, a link from a unit not in force, one into a code not in force.
	for _, c := range []struct {
		old, new string
		from     time.Time
		want     string
	}{
		{"05995", "06040", day(2025, 1, 1), "Đã có liên kết"},
		{"05995", "06040", day(2025, 3, 1), "không có hiệu lực ngày 28/02/2025"},
		{"06007", "06999", day(2025, 1, 1), "mã mới 06999 không có trong danh mục"},
		{"06466", "06523", day(2025, 1, 1), "vẫn còn hiệu lực ngày 01/01/2025"},
		{"06466", "06466", day(2025, 1, 1), "là cùng một đơn vị"},
	} {
		err := tx(func(tx pgx.Tx) error {
			_, err := AddLink(ctx, tx, c.old, c.new, c.from, false, "vanphong", "")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("add %s → %s from %s: %v, want %q", c.old, c.new, c.from.Format("2006-01-02"), err, c.want)
		}
	}
	if err := tx(func(tx pgx.Tx) error { return RemoveLink(ctx, tx, "05995", "06040", day(2025, 1, 1), "vanphong") }); err != nil {
		t.Fatal(err)
	}
	err := tx(func(tx pgx.Tx) error { return RemoveLink(ctx, tx, "05995", "06040", day(2025, 1, 1), "vanphong") })
	var e *ntm.Error
	if !errors.As(err, &e) || e.Code != ntm.CodeNotFound || !strings.Contains(e.Message, "mã 05995 không có đơn vị kế tiếp nào") {
		t.Errorf("remove twice: %v", err)
	}
	var removedBy string
	pool.QueryRow(ctx, `SELECT removed_by FROM unit_successor WHERE old_code = '05995'`).Scan(&removedBy)
	if removedBy != "vanphong" {
		t.Errorf("removed link not kept for the record: %q", removedBy)
	}
	// A mapping states every predecessor of the codes it lists: without 06040 → 06040 the
	// continuation goes (the code now names another unit).
	var lr *LinkResult
	err = tx(func(tx pgx.Tx) error {
		var err error
		lr, err = ImportLinks(ctx, tx, &LinkStatement{From: day(2025, 1, 1), Source: SourceMapping, Links: []StatedLink{
			{Old: "05995", New: "06040", Where: "dòng 2"}, {Old: "06007", New: "06040", Where: "dòng 3"}}})
		return err
	})
	if err != nil || lr.Links != 2 || lr.Replaced != 1 || len(lr.WithoutSuccessor) != 1 {
		t.Fatalf("mapping: %+v %v", lr, err)
	}
	if w := lr.WithoutSuccessor[0]; w.Name != "Xã Đại Đồng" {
		t.Errorf("without successor: %v", w)
	}
	// A mapping naming a code not in force on the day is refused, with its line.
	err = tx(func(tx pgx.Tx) error {
		_, err := ImportLinks(ctx, tx, &LinkStatement{From: day(2025, 1, 1), Source: SourceMapping, Links: []StatedLink{
			{Old: "06007", New: "06040", Where: "dòng 2"}, {Old: "06466", New: "06999", Where: "dòng 3"}}})
		return err
	})
	if err == nil || !strings.HasPrefix(err.Error(), "dòng 3: mã mới 06999 không có trong danh mục") {
		t.Errorf("mapping with an unknown new code: %v", err)
	}
	// A mapping for a day on which the structure does not change: import the structure first.
	err = tx(func(tx pgx.Tx) error {
		_, err := ImportLinks(ctx, tx, &LinkStatement{From: day(2025, 7, 1), Source: SourceMapping, Links: []StatedLink{
			{Old: "06463", New: "06463", Where: "dòng 2"}}})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Cơ cấu đơn vị không thay đổi ngày 01/07/2025") {
		t.Errorf("mapping before its structure: %v", err)
	}
}

// The attribution table attributes facts in SQL as Attribution.Of does in Go.
func TestAttributionTable(t *testing.T) {
	t.Parallel()
	pool := reformed(t)
	ctx := context.Background()
	h := load(t, pool)
	e := day(2025, 9, 30)
	a := h.Attribute(e)
	type fact struct {
		code string
		on   time.Time
	}
	facts := []fact{{"06463-001", day(2024, 10, 1)}, {"06463-001", day(2025, 8, 1)}, {"06523-002", day(2023, 1, 1)},
		{"06469", day(2024, 1, 1)}, {"06040", day(2025, 3, 1)}, {"05995", day(2030, 1, 1)}, {"06470", day(2020, 1, 1)}}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		n, err := a.WriteTable(ctx, tx, "attr")
		if err != nil {
			return err
		}
		if n != int64(len(a.Rows())) || n == 0 {
			t.Errorf("rows written %d", n)
		}
		for _, f := range facts {
			rows, err := tx.Query(ctx, `SELECT owner_code, partial, depth FROM attr WHERE code = $1 AND $2::date BETWEEN eff_from AND eff_to ORDER BY owner_code`, f.code, f.on)
			if err != nil {
				return err
			}
			var got []string
			for rows.Next() {
				var o string
				var p bool
				var d int
				if err := rows.Scan(&o, &p, &d); err != nil {
					return err
				}
				got = append(got, o)
			}
			rows.Close()
			var want []string
			_, os := a.Of(f.code, f.on)
			for _, o := range os {
				want = append(want, o.Version.Code)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s on %s: SQL %v, Go %v", f.code, f.on.Format("2006-01-02"), got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Places: an OCOP product (its commune and village resolved at the list's date) belongs to its
// village's successor's commune when a village is named, else to every owner of its commune —
// each successor of a split commune (shared); a code nobody knows is its own place.
func TestPlaces(t *testing.T) {
	h := load(t, reformed(t))
	a := h.Attribute(day(2026, 11, 30))
	d := day(2024, 11, 30)
	check := func(what string, got []string, shared bool, want string, wantShared bool) {
		t.Helper()
		if strings.Join(got, " ") != want || shared != wantShared {
			t.Errorf("%s: %v shared %v, want %s shared %v", what, got, shared, want, wantShared)
		}
	}
	got, shared := a.Places("06523", "", d, false)
	check("old Xã Chi Lăng's product", got, shared, "06463", false)
	got, shared = a.Places("06469", "", d, false)
	check("split Xã Vân An's product", got, shared, "06463 06470", true)
	got, shared = a.Places("06463", "06463-001", d, false)
	check("a product of old Khối Hòa Bình (commune mode)", got, shared, "06463", false)
	got, shared = a.Places("06463", "06463-001", d, true)
	check("a product of old Khối Hòa Bình (village mode)", got, shared, "06463-002", false)
	got, shared = a.Places("06463", "06463-001", day(2026, 10, 31), true)
	check("a 2026 product of new 06463-001", got, shared, "06463-001", false)
	got, shared = a.Places("06523", "", d, true)
	check("no village in village mode", got, shared, "", false)
	got, shared = a.Places("99999", "", d, false)
	check("an unknown code", got, shared, "99999", false)
}
