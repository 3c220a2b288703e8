package main

import (
	"context"
	"net/http"

	"ntm/console"
	"ntm/transform"
)

// consoleHandler builds the web console and JSON API that ntm serve mounts at /.
func consoleHandler(ctx context.Context, d *Daemon) (http.Handler, error) {
	loader := transform.NewLoader(d.Pool, nil)
	loader.MaxFileSize = d.Config.MaxFileSize
	c, err := console.New(console.Deps{
		Loader:         loader,
		Pool:           d.Pool,
		Log:            d.Log,
		Users:          d.Config.Console.Users,
		Tokens:         d.Config.API.Tokens,
		ReportDir:      d.Config.Reports.OutDir,
		MaxUpload:      d.Config.UploadLimit,
		Jobs:           d.Runner,
		JobNames:       d.Config.JobNames(),
		Runs:           d.Runs,
		Location:       d.Config.Location,
		SessionTTL:     d.Config.Console.SessionTTL,
		InsecureCookie: d.Config.Console.InsecureCookie,
		TrustedProxies: d.Config.Console.TrustedProxies,
	})
	if err != nil {
		return nil, err
	}
	return c.Handler(), nil
}
