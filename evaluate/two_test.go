package evaluate

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"ntm"
)

// Evaluate on two connections (the inputs read on both in one snapshot, the results stored by
// a COPY on each) stores the same rows as EvaluateTx on one.
func TestEvaluateOnTwoConnectionsSameAsOne(t *testing.T) {
	t.Parallel()
	f := generateScale(t, 3, 60, 3000)
	p := ntm.Period{Year: 2024, Month: 12}
	two, err := Evaluate(f.ctx, f.pool, p)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := f.pool.BeginTx(f.ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(f.ctx) //nolint:errcheck
	one, err := EvaluateTx(f.ctx, tx, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	const cols = `unit_code, unit_name, level, parent_code, criterion, status, value_num, value_den,
		threshold_num, threshold_den, explanation, detail`
	var n, onlyTwo, onlyOne int
	if err := f.pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM result WHERE evaluation_id = $1),
		(SELECT count(*) FROM (SELECT `+cols+` FROM result WHERE evaluation_id = $1
			EXCEPT ALL SELECT `+cols+` FROM result WHERE evaluation_id = $2) x),
		(SELECT count(*) FROM (SELECT `+cols+` FROM result WHERE evaluation_id = $2
			EXCEPT ALL SELECT `+cols+` FROM result WHERE evaluation_id = $1) y)`, two, one).Scan(&n, &onlyTwo, &onlyOne); err != nil {
		t.Fatal(err)
	}
	if n < 1000 || onlyTwo != 0 || onlyOne != 0 {
		t.Errorf("%d results on two connections; %d of them not on one, %d on one only", n, onlyTwo, onlyOne)
	}
}

// A failure anywhere in an evaluation on two connections leaves neither the evaluation nor any
// result: a result row refused by the server in the first part or the last (on either
// connection), and the commit of the evaluation's own transaction refused after the second
// connection's transaction committed.
func TestEvaluateOnTwoConnectionsFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	f := generateScale(t, 3, 60, 3000)
	p := ntm.Period{Year: 2024, Month: 12}
	exec := func(sql string) {
		t.Helper()
		if _, err := f.pool.Exec(f.ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused %', NEW; END $$`)
	nothingLeft := func(what string) {
		t.Helper()
		var evaluations, results int
		if err := f.pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM evaluation), (SELECT count(*) FROM result)`).Scan(&evaluations, &results); err != nil {
			t.Fatal(err)
		}
		if evaluations != 0 || results != 0 {
			t.Errorf("%s: %d evaluations and %d results left", what, evaluations, results)
		}
	}
	for _, unit := range []string{`(SELECT min(code) FROM unit WHERE level = 'village')`, `(SELECT max(code) FROM unit WHERE level = 'village')`} {
		exec(`CREATE TRIGGER refuse BEFORE INSERT ON result FOR EACH ROW
			WHEN (NEW.unit_code = '` + queryString(t, f, unit) + `' AND NEW.criterion = 'V4_ADDRESS') EXECUTE FUNCTION refuse()`)
		if _, err := Evaluate(f.ctx, f.pool, p); err == nil {
			t.Fatalf("a result of %s refused: the evaluation succeeded", unit)
		}
		nothingLeft("a result refused")
		exec(`DROP TRIGGER refuse ON result`)
	}
	exec(`CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON evaluation DEFERRABLE INITIALLY DEFERRED
		FOR EACH ROW EXECUTE FUNCTION refuse()`)
	if _, err := Evaluate(f.ctx, f.pool, p); err == nil {
		t.Fatal("the evaluation's commit refused: the evaluation succeeded")
	}
	nothingLeft("the commit refused")
	exec(`DROP TRIGGER refuse ON evaluation`)
	if _, err := Evaluate(f.ctx, f.pool, p); err != nil {
		t.Fatalf("after the failures: %v", err)
	}
}

func queryString(t *testing.T, f *fixture, sql string) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), `SELECT `+sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
