package console

import (
	"net/http"

	"ntm/actions"
)

// fileRemove takes a file rejected whole (a stray README.md) off the lists with the reason the
// office gives (actions.Remove, as ntm batch remove N --reason does). It held no data.
func (c *Console) fileRemove(w http.ResponseWriter, r *http.Request) {
	c.fileAction(w, r, actions.Remove, "batch removed from the lists")
}
