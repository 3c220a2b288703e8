package console

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsGoThroughTheTable: every handler answers an error through pageError or apiError, so
// the status comes from the error's ntm code (ntm's one code→HTTP table): errorPage is called
// from errors.go alone, and no file defines an error type of its own.
func TestErrorsGoThroughTheTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "errorPage" && name != "errors.go" {
					t.Errorf("%s: errorPage called outside errors.go (use pageError with an ntm.Error)", fset.Position(x.Pos()))
				}
			case *ast.FuncDecl:
				if x.Recv != nil && x.Name.Name == "Error" && len(x.Type.Params.List) == 0 {
					t.Errorf("%s: an error type of the console's own (use ntm.Error)", fset.Position(x.Pos()))
				}
			}
			return true
		})
	}
}
