package runs

import (
	"sort"
	"strings"

	"ntm/vnfmt"
)

// countLabels names the step counts the jobs record, for the office (the console's run page and
// ntm runs ID alike).
var countLabels = map[string]string{
	"files":                "tệp",
	"files_loaded":         "tệp đã nạp",
	"files_already_loaded": "tệp đã nạp trước đó",
	"files_rejected":       "tệp bị loại",
	"files_failed":         "tệp lỗi",
	"rows_loaded":          "dòng đã nạp",
	"rows_rejected":        "dòng bị loại",
	"attempts":             "lần tải",
	"results":              "kết quả",
	"met":                  "đạt",
	"not_met":              "chưa đạt",
	"no_data":              "chưa có số liệu",
	"workbooks":            "tệp báo cáo",
	"workbooks_held":       "tệp báo cáo chưa gửi (thiếu nguồn)",
	"emails_sent":          "thư đã gửi",
	"emails_failed":        "thư chưa gửi được",
}

// CountTexts are a step's counts as the office reads them, in the order of their keys: "498 dòng
// đã nạp". The evaluation's id is left out: the step's detail names it.
func CountTexts(counts map[string]int64) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		if k != "evaluation_id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		label, ok := countLabels[k]
		if !ok {
			label = strings.ReplaceAll(k, "_", " ")
		}
		out = append(out, vnfmt.Int(counts[k])+" "+label)
	}
	return out
}

// StepLabel translates a step name: "pull vpostcode" → "Lấy dữ liệu: vpostcode".
func StepLabel(name string) string {
	verb, rest, _ := strings.Cut(name, " ")
	switch verb {
	case "pull":
		if rest == "" {
			return "Lấy dữ liệu"
		}
		return "Lấy dữ liệu: " + rest
	case "evaluate":
		return "Đánh giá"
	case "report":
		return "Viết báo cáo"
	}
	return name
}

// FileOutcomeLabel is the Vietnamese phrase for what became of a run's file.
func FileOutcomeLabel(o string) string {
	switch o {
	case FileLoaded:
		return "Đã nạp"
	case FileAlreadyLoaded:
		return "Đã nạp trước đó"
	case FileRejected:
		return "Bị loại toàn bộ"
	case FileFailed:
		return "Lỗi"
	}
	return o
}
