package evaluate

import (
	"context"
	"encoding/json"
	"testing"

	"ntm/db/dbtest"
)

// The details written without json.Marshal store the same jsonb as json.Marshal's text,
// including strings with escapes, invalid UTF-8 and characters json.Marshal escapes.
func TestAppendDetailStoresWhatMarshalStores(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	details := []map[string]any{
		{},
		{"as_of": "2024-11-30", "batch_id": int64(7), "sheet": "Thôn", "row": 12, "stale": true, "district_code": "187"},
		{"met": []string{}, "not_met": []string{"V1_TEAM"}, "no_data": []string(nil), "villages": int64(3)},
		{"units": []map[string]any{{"code": "06523", "predecessors": []map[string]any{{"code": "06469", "row": 2}}}}, "nothing": nil},
		{"quote\"key": "a \"b\" \\ c", "tab": "x\ty\n", "html": "<b>&</b>", "sep": "a\u2028b\u2029c", "bad": "\xff\xfe ok"},
		{"float": 0.5, "ints": []int{1, 2}, "nested": map[string]any{"rate": "1/3", "inner": map[string]any{}}},
		{"unlisted": []string{"Chè Shan tuyết “Mẫu Sơn”", "Miến dong"}, "empty": map[string]any(nil)},
	}
	for _, d := range details {
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendDetail(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		var same bool
		if err := pool.QueryRow(ctx, `SELECT $1::jsonb = $2::jsonb`, string(got), string(want)).Scan(&same); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if !same {
			t.Errorf("stored differently:\n got  %s\n want %s", got, want)
		}
	}
}
