package main

import (
	"context"
	"fmt"
	neturl "net/url"
	"strings"

	"ntm/db"
)

// The evaluation's memory target: its peak (VmHWM of an evaluation alone in a process) bounded
// by a province's working set, not the nation's, so flat in the provinces evaluated, and small.
const (
	evalPeakFlatLimit = 1.25 // the whole country's evaluation peak over a quarter of the country's (flat, as the demo's)
	evalPeakLimit     = 200  // MB
)

// benchEvalPeaks evaluates benchPeriod again, each in a child process of its own
// (--child-evaluate), in the databases the curve's points loaded (the benchmark's database with
// suffix _pN) for the provinces ns, and returns the children's results by province count.
func benchEvalPeaks(ctx context.Context, e *env, self, benchURL string, ns ...int) (map[int]benchChildResult, error) {
	out := map[int]benchChildResult{}
	for _, n := range ns {
		if _, ok := out[n]; ok {
			continue
		}
		url, err := siblingURL(benchURL, fmt.Sprintf("_p%d", n))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "evaluate %s again in the database of %d provinces…\n", benchPeriod, n)
		r, err := runBenchChild[benchChildResult](ctx, e, self, fmt.Sprintf("evaluate %d provinces", n),
			"--database-url", url, "--child-evaluate", benchPeriod.String())
		if err != nil {
			return nil, err
		}
		out[n] = r
	}
	return out, nil
}

// flatPoints are the curve's points flatness is judged between (as the demo's peak is): the
// first with at least a quarter of the last point's provinces, and the last.
func flatPoints(curve []benchDemo) (first, last benchDemo) {
	if len(curve) == 0 {
		return first, last
	}
	first, last = curve[0], curve[len(curve)-1]
	for _, c := range curve {
		if c.Provinces*4 >= last.Provinces {
			return c, last
		}
	}
	return first, last
}

// siblingURL is url naming the database beside url's with suffix added to its name (as
// freshSibling, without recreating it).
func siblingURL(url, suffix string) (string, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return "", fmt.Errorf("benchmark database %s: %w", db.Redact(url), err)
	}
	u.Path = "/" + strings.TrimPrefix(u.Path, "/") + suffix
	return u.String(), nil
}
