package console

import (
	"net/http"

	"go.uber.org/zap"
)

// reportDownload sends one workbook; anything outside the report folder is "not found".
func (c *Console) reportDownload(w http.ResponseWriter, r *http.Request) {
	if err := c.serveReport(w, r); err != nil {
		c.log.Warn("report download refused", zap.String("period", r.PathValue("period")), zap.String("name", r.PathValue("name")))
		c.errorPage(w, r, http.StatusNotFound, "Không có tệp báo cáo này.")
	}
}
