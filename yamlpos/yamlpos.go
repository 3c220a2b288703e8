// Package yamlpos reads YAML files the office writes (the config, criteria sets) as node trees,
// so that every mistake can be reported at its line and column: the syntax error's line, and a
// walker over a mapping's keys that reports unknown and repeated keys. The words of the messages
// are the caller's (English for the config, Vietnamese for criteria sets).
package yamlpos

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is a YAML syntax error at a line (0 when the parser named none), with the parser's
// words without their "yaml: " and "line N:" parts.
type SyntaxError struct {
	Line   int
	Reason string
}

var lineRE = regexp.MustCompile(`line (\d+):?\s*`)

// Parse reads b as one YAML document. It returns the document's root node, nil for an empty or
// comments-only file; a syntax error comes back as a *SyntaxError.
func Parse(b []byte) (*yaml.Node, *SyntaxError) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		se := &SyntaxError{Reason: msg}
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			se.Line, _ = strconv.Atoi(m[1])
			se.Reason = strings.TrimSuffix(strings.TrimSpace(lineRE.ReplaceAllString(msg, "")), ":")
		}
		return nil, se
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || IsNull(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// IsNull tells an empty value (nothing written, ~, null).
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// Report says, in the caller's words, what is wrong with a mapping's keys.
type Report struct {
	NotMapping func(n *yaml.Node)                   // the node is not a mapping
	Repeated   func(key *yaml.Node)                 // a key given twice (the second is not handled)
	Unknown    func(key *yaml.Node, known []string) // a key with no handler; known is sorted
}

// Fields walks mapping n, calling the handler of each key with the key and value nodes, and
// reporting keys given twice and keys with no handler. Nothing is called but NotMapping when n
// is not a mapping.
func Fields(n *yaml.Node, r Report, handlers map[string]func(key, val *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.NotMapping(n)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			r.Repeated(k)
			continue
		}
		seen[k.Value] = true
		h, ok := handlers[k.Value]
		if !ok {
			r.Unknown(k, Names(handlers))
			continue
		}
		h(k, v)
	}
}

// Names are the keys of handlers, sorted.
func Names[V any](handlers map[string]V) []string {
	names := make([]string, 0, len(handlers))
	for k := range handlers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the value of key in mapping m.
func Lookup(m *yaml.Node, key string) (*yaml.Node, bool) {
	if m.Kind != yaml.MappingNode {
		return nil, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], true
		}
	}
	return nil, false
}

// Closest returns the name within edit distance 2 of s ("" when none is), for a "did you
// mean" hint on an unknown key.
func Closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
