package units

import "embed"

// Reference holds the real Lạng Sơn structure lists and successor mappings of units/data/
// (data/SOURCES.md says what each is and how to import it), for the demo and the tests.
//
//go:embed data/*.csv data/SOURCES.md
var Reference embed.FS
