package evaluate

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ntm"
)

// Every measure and every criterion of the registry has every part of its definition, and
// every criterion names a measure that exists and allows its level.
func TestRegistryComplete(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, m := range Measures {
		if seen[m.Name] {
			t.Errorf("measure %s is defined twice", m.Name)
		}
		seen[m.Name] = true
		for what, v := range map[string]string{"description": m.Description, "text": m.Text, "short": m.Short, "action": m.Action,
			"data action": m.DataAction, "value kind": string(m.Value), "threshold rule": string(m.Threshold)} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("measure %s has no %s", m.Name, what)
			}
		}
		if len(m.Levels) == 0 {
			t.Errorf("measure %s allows no level", m.Name)
		}
		for _, p := range m.Params {
			if p.Name == "" || p.Description == "" {
				t.Errorf("measure %s has a parameter without a name or description: %+v", m.Name, p)
			}
		}
	}
	keys := map[string]bool{}
	for _, d := range Definitions {
		if keys[d.Key] {
			t.Errorf("criterion %s is defined twice", d.Key)
		}
		keys[d.Key] = true
		for what, v := range map[string]string{"measure": d.Measure, "level": string(d.Level), "value kind": string(d.Value),
			"short name": d.Short, "column name": d.Column, "action": d.Action, "data action": d.DataAction} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("criterion %s has no %s", d.Key, what)
			}
		}
		m, ok := MeasureOf(d.Measure)
		if !ok {
			t.Errorf("criterion %s names measure %s, which ntm lacks", d.Key, d.Measure)
			continue
		}
		allowed := false
		for _, l := range m.Levels {
			allowed = allowed || l == d.Level
		}
		if !allowed {
			t.Errorf("criterion %s is at level %s, which measure %s does not allow", d.Key, d.Level, d.Measure)
		}
	}
	// Whatever measure a set's criterion uses, under a key ntm has no wording for, its
	// definition is complete.
	for _, m := range Measures {
		d := Describe("X_"+strings.ToUpper(m.Name), m.Name, "Tiêu chí thử", m.Levels[0], m.Value)
		for what, v := range map[string]string{"short name": d.Short, "column name": d.Column, "action": d.Action, "data action": d.DataAction} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("a criterion measured by %s has no %s", m.Name, what)
			}
		}
	}
	// A criterion ntm has no wording for takes its measure's, with the set's name as its label.
	got := Describe("C7_DIGITAL", MeasureVillagesMeeting, "Tỷ lệ thôn thông minh", ntm.LevelCommune, ValueRatio)
	if got.Column != "Tỷ lệ thôn thông minh" || got.Short != "tỷ lệ thôn thông minh" || got.Action == "" || got.DataAction == "" || !got.Composite {
		t.Errorf("Describe of an unknown key: %+v", got)
	}
}

// The action says what to do, with the figures of the result where there are some.
func TestActionFor(t *testing.T) {
	t.Parallel()
	v4, _ := DefinitionOf(KeyAddress)
	r := Result{Status: ntm.StatusNotMet, Detail: map[string]any{"households_total": 250, "households_with": 245, "orgs_total": 12, "orgs_with": 12}}
	if got := v4.ActionFor(r); got != "Gắn địa chỉ số cho 5 hộ còn thiếu" {
		t.Errorf("V4 action %q", got)
	}
	v5, _ := DefinitionOf(KeyOCOP)
	r = Result{Status: ntm.StatusNotMet, Detail: map[string]any{"valid": 3, "listed": 1, "unlisted": []any{"Măng Chi Lăng", "Na Chi Lăng"}}}
	if got := v5.ActionFor(r); got != "Đưa sản phẩm Măng Chi Lăng, Na Chi Lăng lên sàn TMĐT" {
		t.Errorf("V5 action %q", got)
	}
	dos, _ := DefinitionOf(KeyDossiers)
	r = Result{Status: ntm.StatusNotMet, Threshold: Frac(7, 10), Detail: map[string]any{"received": 100, "full_online": 54}}
	if got := dos.ActionFor(r); got != "Còn 16 hồ sơ cần xử lý trực tuyến toàn trình để đạt 70%" {
		t.Errorf("dossier action %q", got)
	}
	v1, _ := DefinitionOf(KeyTeam)
	if got := v1.ActionFor(Result{Status: ntm.StatusNoData}); got != "Gửi lại phiếu khảo sát" {
		t.Errorf("V1 no-data action %q", got)
	}
	if got := v1.ActionFor(Result{Status: ntm.StatusMet}); got != "" {
		t.Errorf("met action %q", got)
	}
}

// Nothing outside the registry lists criteria: no Go file of another package spells a
// criterion key as a string (they read evaluate's constants and the set instead), so a table
// of names, kinds or wordings elsewhere cannot drift from the registry.
func TestCriterionKeysOnlyInTheRegistry(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir("..", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			switch e.Name() {
			case ".git", "evaluate", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, d := range Definitions {
			if strings.Contains(string(b), `"`+d.Key+`"`) {
				t.Errorf("%s spells criterion key %q: use evaluate.Key… and the set's definitions", path, d.Key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
