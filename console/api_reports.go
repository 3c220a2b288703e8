package console

import (
	"net/http"

	"ntm"
	"ntm/msg"

	"go.uber.org/zap"
)

// apiReportsList: GET /api/reports → [{"period": "2024-12", "files": [{name, size, modified, url}]}].
func (c *Console) apiReportsList(w http.ResponseWriter, r *http.Request) {
	list, err := c.listReports()
	if err != nil {
		c.apiError(w, r, ntm.Wrap(ntm.CodeOperator, err, "%s", msg.ReportFolderUnreadable))
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
		c.apiError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.ReportNotFound))
	}
}
