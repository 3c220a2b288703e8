package console

import (
	"net/http"

	"go.uber.org/zap"
)

type reportsPage struct {
	Periods []reportPeriod
}

// reportsList lists the workbooks of each period in the report folder.
func (c *Console) reportsList(w http.ResponseWriter, r *http.Request) {
	list, err := c.listReports()
	if err != nil {
		c.log.Error("list reports", zap.Error(err))
		c.errorPage(w, r, http.StatusInternalServerError, "Không đọc được thư mục báo cáo; hãy báo quản trị hệ thống.")
		return
	}
	c.render(w, r, http.StatusOK, "reports", layoutData{Title: "Báo cáo", Nav: "reports", Page: reportsPage{Periods: list}})
}
