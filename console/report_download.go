package console

import (
	"net/http"

	"ntm"
	"ntm/msg"

	"go.uber.org/zap"
)

// reportDownload sends one workbook; anything outside the report folder is "not found".
func (c *Console) reportDownload(w http.ResponseWriter, r *http.Request) {
	if err := c.serveReport(w, r); err != nil {
		c.log.Warn("report download refused", zap.String("period", r.PathValue("period")), zap.String("name", r.PathValue("name")))
		c.pageError(w, r, ntm.Errorf(ntm.CodeNotFound, "%s", msg.ReportNotFound))
	}
}
