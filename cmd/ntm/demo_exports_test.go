package main

import (
	"context"
	"os"
	"testing"
)

// TestMain lets this test binary play ntm for the national demo's export writer, which the demo
// runs as a child process of its own executable (`ntm demo --child-exports`, see demoExports).
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "demo" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
