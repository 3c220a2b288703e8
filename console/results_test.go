package console

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestResultsPageFilters(t *testing.T) {
	e := newEnv(t)
	c := e.login()
	_, page := e.do(c, http.MethodGet, "/results", nil, nil)
	if !strings.Contains(page, "Chưa có kỳ nào được đánh giá") {
		t.Fatalf("results before any evaluation:\n%s", page)
	}
	loadTiny(t, e.pool, tinySample(t))

	_, page = e.do(c, http.MethodGet, "/results?level=village&district=187&criterion=SMART_VILLAGE&status=met", nil, nil)
	if !strings.Contains(page, "kỳ 2024-12") || !strings.Contains(page, "Tổ dân phố 1") || strings.Contains(page, "Tổ dân phố 2") {
		t.Fatalf("smart villages met:\n%s", page)
	}
	if !strings.Contains(page, "Đạt: 1") || !strings.Contains(page, `<option value="187" selected>`) {
		t.Errorf("counts or selected filter missing")
	}
	_, page = e.do(c, http.MethodGet, "/results?level=district", nil, nil)
	for _, want := range []string{"D95_DOSSIERS", "Chưa đạt", "Huyện Chi Lăng"} {
		if !strings.Contains(page, want) {
			t.Errorf("district results lack %q", want)
		}
	}
	_, page = e.do(c, http.MethodGet, "/results?level=commune&criterion=C8_SMART_VILLAGE&status=no_data", nil, nil)
	if !strings.Contains(page, "Vạn Linh") || strings.Contains(page, "Đồng Mỏ</a>") {
		t.Errorf("communes without data:\n%s", page)
	}
	resp, page := e.do(c, http.MethodGet, "/results?period=2023-01", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "chưa được đánh giá") {
		t.Errorf("unevaluated period: %d", resp.StatusCode)
	}
	resp, _ = e.do(c, http.MethodGet, "/results?period=<script>", nil, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d", resp.StatusCode)
	}

	resp, js := e.api(http.MethodGet, "/api/results?level=village&criterion=V4_ADDRESS&status=no_data", nil, "")
	var rows []map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(js), &rows) != nil {
		t.Fatalf("API results: %d %s", resp.StatusCode, js)
	}
	got := map[string]bool{}
	for _, r := range rows {
		if r["criterion"] != "V4_ADDRESS" || r["status"] != "no_data" || r["value"] != nil {
			t.Errorf("row %v", r)
		}
		// Like ntm results --format json, each row names the set it was computed with.
		if set, _ := r["criteria_set"].(map[string]any); set["key"] != "langson-2021" || set["file"] != "built-in" || len(set["version"].(string)) != 12 {
			t.Errorf("row's criteria_set %v", r["criteria_set"])
		}
		got[r["unit_code"].(string)] = true
	}
	for _, code := range []string{"06523-002", "06523-004", "06505-002"} {
		if !got[code] {
			t.Errorf("V4 no_data lacks %s: %v", code, got)
		}
	}
	if resp, _ := e.api(http.MethodGet, "/api/results?period=2023-01", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("API unevaluated period: %d", resp.StatusCode)
	}
}
