package evaluate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"ntm"
	"ntm/db/dbtest"
)

// fixture inserts units, batches and facts straight into a fresh database, the way the
// loader would leave them.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	pool    *pgxpool.Pool
	batches int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{t: t, ctx: context.Background(), pool: dbtest.New(t)}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("fixture: %v\n%s", err, sql)
	}
}

// unit adds a unit valid from 1900 with no end.
func (f *fixture) unit(code string, level ntm.Level, name, parent string) {
	f.t.Helper()
	f.unitValid(code, level, name, parent, ntm.Date(1900, 1, 1), nil)
}

func (f *fixture) unitValid(code string, level ntm.Level, name, parent string, from time.Time, to *time.Time) {
	f.t.Helper()
	var p *string
	if parent != "" {
		p = &parent
	}
	f.exec(`INSERT INTO unit (code, level, kind, name, folded_name, parent_code, valid_from, valid_to) VALUES ($1,$2,$3,$4,$4,$5,$6,$7)`,
		code, string(level), kindOf(name), name, p, from, to)
}

// kindOf reads the unit kind from a name's prefix, as the units import stores it ("Xã").
func kindOf(name string) string {
	for _, k := range []string{"Thị trấn", "Phường", "Xã", "Huyện", "Thành phố", "Thị xã", "Tỉnh", "Thôn", "Tổ dân phố", "Khu", "Khối", "Bản"} {
		if strings.HasPrefix(name, k+" ") {
			return k
		}
	}
	return ""
}

// importSet loads a criteria-set file (failing the test when it is refused).
func (f *fixture) importSet(yaml string) *Set {
	f.t.Helper()
	s, _, err := ImportSet(f.ctx, f.pool, "test.yaml", []byte(yaml))
	if err != nil {
		f.t.Fatalf("import set: %v", err)
	}
	return s
}

// builtinWith is the built-in set's file with each old text replaced by its new text.
func builtinWith(t testing.TB, pairs ...string) string {
	t.Helper()
	s := string(builtinSource)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the built-in set has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// lạngSơn adds a small structure: province 20, district 187 with its communes 06463 and
// 06523, villages 06463-001, 06463-002 and 06523-001.
func (f *fixture) langSon() {
	f.t.Helper()
	f.unit("20", ntm.LevelProvince, "Tỉnh Lạng Sơn", "")
	f.unit("187", ntm.LevelDistrict, "Huyện Chi Lăng", "20")
	f.unit("06463", ntm.LevelCommune, "Thị trấn Đồng Mỏ", "187")
	f.unit("06523", ntm.LevelCommune, "Xã Chi Lăng", "187")
	f.unit("06463-001", ntm.LevelVillage, "Khu Hòa Bình", "06463")
	f.unit("06463-002", ntm.LevelVillage, "Thôn Nà Lầu", "06463")
	f.unit("06523-001", ntm.LevelVillage, "Thôn Làng Cang", "06523")
}

// batch adds a loaded batch; later batches are received later.
func (f *fixture) batch(dataset ntm.Dataset) int64 {
	f.t.Helper()
	return f.batchWith(dataset, "loaded", nil)
}

func (f *fixture) batchWith(dataset ntm.Dataset, status string, asOf *time.Time) int64 {
	f.t.Helper()
	f.batches++
	var id int64
	err := f.pool.QueryRow(f.ctx, `INSERT INTO batch (dataset, source_uri, sha256, received_at, status, as_of)
		VALUES ($1, $2, $3, TIMESTAMPTZ '2024-01-01 00:00:00+00' + $4 * interval '1 minute', $5, $6) RETURNING id`,
		string(dataset), fmt.Sprintf("file:///in/%d.xlsx", f.batches), fmt.Sprintf("sha-%d", f.batches), f.batches, status, asOf).Scan(&id)
	if err != nil {
		f.t.Fatalf("fixture batch: %v", err)
	}
	return id
}

func (f *fixture) revoke(batch int64) {
	f.t.Helper()
	f.exec(`UPDATE batch SET status = 'revoked', revoked_at = now(), revoked_by = 'test' WHERE id = $1`, batch)
}

type surveyFact struct {
	team, platform, wifi *bool
	decision, platName   string
	models               *int
	fields               string
}

func yes() *bool   { b := true; return &b }
func no() *bool    { b := false; return &b }
func n(i int) *int { return &i }
func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func (f *fixture) survey(batch int64, village string, asOf time.Time, s surveyFact) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_village_survey (batch_id, row_no, village_code, as_of, team, team_decision, platform, platform_name, wifi, models, model_fields)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		batch, village, asOf, s.team, s.decision, s.platform, s.platName, s.wifi, s.models, s.fields)
}

// allYes is a survey that meets V1, V2, V3 and V6.
var allYes = surveyFact{team: yes(), platform: yes(), wifi: yes(), models: n(1), decision: "12/QĐ-UBND", platName: "Zalo thôn"}

func (f *fixture) address(batch int64, village string, asOf time.Time, hhTotal, hhWith, orgTotal, orgWith int) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_vpostcode (batch_id, row_no, village_code, as_of, households_total, households_with, orgs_total, orgs_with)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7)`, batch, village, asOf, hhTotal, hhWith, orgTotal, orgWith)
}

type productFact struct {
	key, code, name, owner, commune, village string
	certified, expires                       *time.Time
}

func (f *fixture) product(batch int64, p productFact) {
	f.t.Helper()
	var village *string
	if p.village != "" {
		village = &p.village
	}
	if p.key == "" {
		p.key = p.code
	}
	if p.key == "" {
		p.key = p.name + "|" + p.owner + "|" + p.commune
	}
	f.exec(`INSERT INTO fact_ocop_product (batch_id, row_no, product_key, product_code, name, folded_name, stars, owner, folded_owner, commune_code, village_code, certified_on, expires_on)
		VALUES ($1, 1, $2, $3, $4, lower($4), 3, $5, lower($5), $6, $7, $8, $9)`,
		batch, p.key, p.code, p.name, p.owner, p.commune, village, p.certified, p.expires)
}

type listingFact struct {
	code, name, owner, platform string
	listed                      *time.Time
	active                      bool
}

func (f *fixture) listing(batch int64, l listingFact) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_ocop_listing (batch_id, row_no, product_code, product_name, folded_name, folded_owner, platform, listed_on, active)
		VALUES ($1, 1, $2, $3, lower($3), lower($4), $5, $6, $7)`, batch, l.code, l.name, l.owner, l.platform, l.listed, l.active)
}

func (f *fixture) procedures(batch int64, unit string, asOf time.Time, eligible, full, partial int) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_dvc_procedures (batch_id, row_no, unit_code, as_of, eligible, full_online, partial_online)
		VALUES ($1, 1, $2, $3, $4, $5, $6)`, batch, unit, asOf, eligible, full, partial)
}

func (f *fixture) dossiers(batch int64, unit string, from, to time.Time, received, full int) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_dvc_dossiers (batch_id, row_no, unit_code, period_from, period_to, received, full_online)
		VALUES ($1, 1, $2, $3, $4, $5, $6)`, batch, unit, from, to, received, full)
}

func (f *fixture) record(batch int64, id, unit string, on time.Time, channel string, fullProcess bool) {
	f.t.Helper()
	f.exec(`INSERT INTO fact_dvc_dossier_record (batch_id, row_no, dossier_id, unit_code, received_on, channel, full_process)
		VALUES ($1, 1, $2, $3, $4, $5, $6)`, batch, id, unit, on, channel, fullProcess)
}

// evaluate runs Evaluate for period s ("2024-12") and returns its results keyed
// "unit/criterion".
func (f *fixture) evaluate(s string) map[string]Result {
	f.t.Helper()
	p, err := ntm.ParsePeriod(s)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := Evaluate(f.ctx, f.pool, p); err != nil {
		f.t.Fatalf("Evaluate(%s): %v", s, err)
	}
	rs, err := Results(f.ctx, f.pool, p, "")
	if err != nil {
		f.t.Fatalf("Results(%s): %v", s, err)
	}
	out := map[string]Result{}
	for _, r := range rs {
		out[r.UnitCode+"/"+r.Criterion] = r
	}
	return out
}

// want checks one result's status and printed value (value "" = no value).
func want(t *testing.T, rs map[string]Result, key string, status ntm.Status, value string) Result {
	t.Helper()
	r, ok := rs[key]
	if !ok {
		t.Fatalf("no result %s", key)
	}
	if r.Status != status || valueString(r.Value) != value {
		t.Errorf("%s = %s value %q (%s); want %s value %q", key, r.Status, valueString(r.Value), r.Explanation, status, value)
	}
	return r
}
