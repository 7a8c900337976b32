package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine folds tabs and line breaks into single spaces, so that free text
// (a note, a name, a question) keeps to its line and to its table column,
// and shows it as plain text (see PlainText): an entry recorded before
// hidden characters were refused shows without them too.
func OneLine(s string) string {
	return strings.Join(strings.Fields(PlainText(s)), " ")
}

// hiddenRune reports whether r changes how the text around it shows
// rather than showing itself: a control character other than a newline
// or a tab (a terminal escape, a carriage return that overwrites a line
// when a member pipes the export to their terminal), or a mark that turns
// the direction of the text, with which a note can read on the dashboard
// as something other than what its bytes, the ones the chain's hash
// covers, say. Joiners stay: emoji and many scripts need them.
func hiddenRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	}
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		('\u202a' <= r && r <= '\u202e') || ('\u2066' <= r && r <= '\u2069')
}

// firstHidden is the first hidden rune of s, if any.
func firstHidden(s string) (rune, bool) {
	if i := strings.IndexFunc(s, hiddenRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return r, true
	}
	return 0, false
}

// PlainText is s as a one-line note may show it: valid UTF-8, its
// control characters turned into spaces, its direction marks dropped.
// Text from GitHub (a title, a co-author's name) is not a member's to
// correct, so it is cleaned rather than refused; and whatever shows a
// member's text (Discord, the dashboard) shows it through this, so that
// text recorded before such characters were refused shows plain too.
func PlainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if _, ok := firstHidden(s); !ok && !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case hiddenRune(r):
			return -1
		}
		return r
	}, s)
}
