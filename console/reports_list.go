package console

import (
	"net/http"

	"ntm"
	"ntm/msg"
)

type reportsPage struct {
	Periods []reportPeriod
}

// reportsList lists the workbooks of each period in the report folder.
func (c *Console) reportsList(w http.ResponseWriter, r *http.Request) {
	list, err := c.listReports()
	if err != nil {
		c.pageError(w, r, ntm.Wrap(ntm.CodeOperator, err, "%s", msg.ReportFolderUnreadable))
		return
	}
	c.render(w, r, http.StatusOK, "reports", layoutData{Title: "Báo cáo", Nav: "reports", Page: reportsPage{Periods: list}})
}
