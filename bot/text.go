package bot

import "strings"

// OneLine folds tabs and line breaks into single spaces, so that free text
// (a note, a name, a question) keeps to its line and to its table column.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
