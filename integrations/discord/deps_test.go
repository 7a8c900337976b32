package discord_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependsOnBotOnly keeps the package on bot's side of the house: it
// reaches the ledger and the configuration through bot, never directly,
// and takes its schedules from bot's digest service.
func TestDependsOnBotOnly(t *testing.T) {
	allowed := map[string]bool{"github.com/docracy/docracy/bot": true, "github.com/docracy/docracy/redact": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			ours := strings.HasPrefix(path, "github.com/docracy/docracy/")
			if ours && !allowed[path] || path == "github.com/robfig/cron/v3" {
				t.Errorf("%s imports %s: go through bot", name, path)
			}
		}
	}
}
