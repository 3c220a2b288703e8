package console

import (
	"net/http"

	"go.uber.org/zap"
)

// apiReportsList: GET /api/reports → [{"period": "2024-12", "files": [{name, size, modified, url}]}].
func (c *Console) apiReportsList(w http.ResponseWriter, r *http.Request) {
	list, err := c.listReports()
	if err != nil {
		c.log.Error("api list reports", zap.Error(err))
		writeJSONError(w, http.StatusInternalServerError, "không đọc được thư mục báo cáo")
		return
	}
	if list == nil {
		list = []reportPeriod{}
	}
	for i := range list {
		for j := range list[i].Files {
			list[i].Files[j].URL = "/api" + list[i].Files[j].URL
		}
	}
	writeJSON(w, http.StatusOK, list)
}

// apiReportDownload: GET /api/reports/{period}/{name} → the workbook.
func (c *Console) apiReportDownload(w http.ResponseWriter, r *http.Request) {
	if err := c.serveReport(w, r); err != nil {
		c.log.Warn("api report download refused", zap.String("period", r.PathValue("period")), zap.String("name", r.PathValue("name")))
		writeJSONError(w, http.StatusNotFound, "không có tệp báo cáo này")
	}
}
