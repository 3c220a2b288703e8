package yamlpos

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParse(t *testing.T) {
	if root, err := Parse([]byte("# only a comment\n")); root != nil || err != nil {
		t.Errorf("comments only: %v %v", root, err)
	}
	root, err := Parse([]byte("a: 1\nb:\n  - x\n"))
	if err != nil || root.Kind != yaml.MappingNode {
		t.Fatalf("mapping: %v %v", root, err)
	}
	_, err = Parse([]byte("a: 1\nb: [x\nc: 2\n"))
	if err == nil || err.Line == 0 || strings.Contains(err.Reason, "line") || strings.HasPrefix(err.Reason, ":") || strings.HasPrefix(err.Reason, "yaml") {
		t.Errorf("syntax error %+v", err)
	}
}

// Fields calls the handlers in file order and reports repeated and unknown keys at their lines.
func TestFields(t *testing.T) {
	root, _ := Parse([]byte("name: a\nkey: b\nname: c\nkye: d\n"))
	var got []string
	Fields(root, Report{
		NotMapping: func(n *yaml.Node) { got = append(got, "not a mapping") },
		Repeated:   func(k *yaml.Node) { got = append(got, "repeated "+k.Value+" at "+string(rune('0'+k.Line))) },
		Unknown: func(k *yaml.Node, known []string) {
			got = append(got, "unknown "+k.Value+" at "+string(rune('0'+k.Line))+" ("+strings.Join(known, ",")+"; "+Closest(k.Value, known)+")")
		},
	}, map[string]func(k, v *yaml.Node){
		"name": func(_, v *yaml.Node) { got = append(got, "name="+v.Value) },
		"key":  func(_, v *yaml.Node) { got = append(got, "key="+v.Value) },
	})
	want := "name=a|key=b|repeated name at 3|unknown kye at 4 (key,name; key)"
	if strings.Join(got, "|") != want {
		t.Errorf("got %s", strings.Join(got, "|"))
	}
	seq, _ := Parse([]byte("- a\n"))
	got = nil
	Fields(seq, Report{NotMapping: func(*yaml.Node) { got = append(got, "not a mapping") }}, nil)
	if len(got) != 1 {
		t.Errorf("a sequence: %v", got)
	}
	if v, ok := Lookup(root, "key"); !ok || v.Value != "b" {
		t.Error("Lookup")
	}
	if Closest("zzzz", []string{"key", "name"}) != "" {
		t.Error("Closest too far")
	}
}

// Parse never panics, and what it returns is either a tree or an error.
func FuzzParse(f *testing.F) {
	f.Add([]byte("a: 1\n"))
	f.Add([]byte("- [x\n"))
	f.Add([]byte("a: &x 1\nb: *x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		root, err := Parse(b)
		if root != nil && err != nil {
			t.Fatal("both a tree and an error")
		}
		if root != nil && root.Kind == yaml.MappingNode {
			Fields(root, Report{NotMapping: func(*yaml.Node) {}, Repeated: func(*yaml.Node) {}, Unknown: func(*yaml.Node, []string) {}}, nil)
		}
	})
}
