package console

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"ntm"
)

// The console's and the API's errors are ntm.Error values: their code alone decides the HTTP
// status (ntm's one table), their message is what the office reads, and their English cause
// goes to the log. These three functions are the only way a handler answers an error.

// httpStatus is the status an error is answered with.
func httpStatus(err error) int { return ntm.ErrorCode(err).HTTPStatus() }

// logError logs the cause of an error answered to a user (internal ones at error level).
func (c *Console) logError(r *http.Request, err error) {
	var e *ntm.Error
	cause := err.Error()
	if errors.As(err, &e) {
		if e.Err == nil {
			return // a plain refusal (bad input, not found): the access log says enough
		}
		cause = e.Cause()
	}
	level := c.log.Warn
	if code := ntm.ErrorCode(err); code == ntm.CodeInternal || code == ntm.CodeOperator {
		level = c.log.Error
	}
	level("request failed", zap.String("path", r.URL.Path), zap.String("code", string(ntm.ErrorCode(err))), zap.String("cause", cause))
}

// pageError answers a page request with the error page.
func (c *Console) pageError(w http.ResponseWriter, r *http.Request, err error) {
	c.logError(r, err)
	c.errorPage(w, r, httpStatus(err), ntm.ErrorMessage(err))
}

// apiError answers an API request with {"error": message, "code": code}.
func (c *Console) apiError(w http.ResponseWriter, r *http.Request, err error) {
	c.logError(r, err)
	writeJSON(w, httpStatus(err), map[string]string{"error": ntm.ErrorMessage(err), "code": string(ntm.ErrorCode(err))})
}

// apiErrorWith answers an API error with more fields (for example the run holding the lock).
func (c *Console) apiErrorWith(w http.ResponseWriter, r *http.Request, err error, extra map[string]any) {
	c.logError(r, err)
	out := map[string]any{"error": ntm.ErrorMessage(err), "code": string(ntm.ErrorCode(err))}
	for k, v := range extra {
		out[k] = v
	}
	writeJSON(w, httpStatus(err), out)
}
