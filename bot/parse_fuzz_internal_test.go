package bot

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
)

// FuzzParseMemberName reads member names as any caller types them on the
// API, the CLI or Discord. It must never panic; a refused name gets an
// invalid-request error naming the member field and saying how to name
// one; an accepted name is exactly one of a positive member id, a GitHub
// login that keeps to the login rule, or a Discord snowflake, taken from
// the input as typed, and its canonical form (the id, github:<login>,
// discord:<id>), padded with blanks or not, names the same member again.
func FuzzParseMemberName(f *testing.F) {
	for _, name := range []string{
		"github:alice", "github:@Alice", " github:alice ", "discord:123456789012345678", "42", "", "alice", "0",
		"-3", "gitlab:alice", "github:", "github:al ice", "discord:alice", "discord:99999999999999999999",
		"+42", "0042", "9223372036854775807", "9223372036854775808", "GitHub:alice", "github:@@alice",
		"github:alice\r\n", "github:-alice", "github:alice_", "github:" + strings.Repeat("a", 39),
		"github:" + strings.Repeat("a", 40), "github:аlice", "github:ａlice", "discord:0123", "discord:+123",
		"discord:18446744073709551615", "discord:18446744073709551616", "discord:١٢٣", "github:ali\x00ce",
		"\u00a0github:alice\u3000", "discord: 123", "42:", ":", "github:alice:bob", strings.Repeat("9", 200),
	} {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, err := parseMemberName(name)
		if err != nil {
			checkMemberRefusal(t, name, n, err)
			return
		}
		checkMemberName(t, name, n)
		canonical := n.account.String()
		if n.id > 0 {
			canonical = strconv.FormatInt(n.id, 10)
		}
		for _, again := range []string{canonical, " \t" + canonical + "\r\n"} {
			if m, err := parseMemberName(again); err != nil || m != n {
				t.Fatalf("%q names %v, but %q names %v, %v", name, n, again, m, err)
			}
		}
	})
}

// checkMemberRefusal checks a refused member name: no member, and an error
// that quotes the name (or says it is missing) and says how to name one.
func checkMemberRefusal(t *testing.T, name string, n memberName, err error) {
	t.Helper()
	trimmed := strings.TrimSpace(name)
	quoted := strconv.Quote(trimmed)
	if trimmed == "" {
		quoted = "member is missing"
	}
	checkFieldRefusal(t, err, "member", quoted)
	if n != (memberName{}) || !strings.Contains(err.Error(), memberNameHelp) {
		t.Fatalf("%q refused with %v and %q, want no member and the naming help", name, n, err)
	}
}

// checkMemberName checks an accepted member name against the input.
func checkMemberName(t *testing.T, name string, n memberName) {
	t.Helper()
	trimmed, a := strings.TrimSpace(name), n.account
	var ok bool
	switch {
	case n.id > 0:
		digits := strings.TrimPrefix(trimmed, "+")
		ok = a == ledger.Account{} && digits != "" && !strings.ContainsFunc(digits, notDigit)
	case a.Platform == ledger.PlatformGitHub:
		ok = a.ExternalID == "" && isLooseLogin(a.Login) &&
			(trimmed == "github:"+a.Login || trimmed == "github:@"+a.Login)
	case a.Platform == ledger.PlatformDiscord:
		_, err := strconv.ParseUint(a.ExternalID, 10, 64)
		ok = err == nil && a.Login == "" && !strings.ContainsFunc(a.ExternalID, notDigit) &&
			!strings.HasPrefix(a.ExternalID, "0") && trimmed == "discord:"+a.ExternalID
	}
	if !ok {
		t.Fatalf("%q accepted as %#v", name, n)
	}
}

// FuzzParseGitHubLogin reads GitHub logins as people paste them into a
// link claim: bare, after "@" or "github:", or as the profile's address.
// It must never panic; a refused one gets an invalid-request error naming
// the github field and quoting the input; an accepted login keeps to the
// login rule, is the input as typed less only those documented prefixes
// and a final "/", and reads back as itself in each documented form.
func FuzzParseGitHubLogin(f *testing.F) {
	for _, s := range []string{
		"octocat", "@octocat", "github:octocat", "https://github.com/octocat", "http://github.com/octocat/",
		"github.com/octocat", "HTTPS://GitHub.com/Octo-Cat", "dana", "@dana", "not a login", "", " ", "@", "/",
		"https://github.com/", "https://github.com/octocat/repo", "https://www.github.com/octocat",
		"https://github.com/octocat?tab=repositories", "https://github.com/github.com/github:@octocat",
		"@github:octocat", "octocat//", "-octocat", "octo_cat", strings.Repeat("a", 39), strings.Repeat("a", 40),
		"оctocat", "ｏctocat", "octocat\r\n", "\u00a0octocat\u2003", "octo\x00cat", "octo\u200bcat", "octocat\xff",
		"https://github.com\u2215octocat", "https://github.co\u0307m/octocat", strings.Repeat("@", 200),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		login, err := parseGitHubLogin(s)
		if err != nil {
			checkFieldRefusal(t, err, "github", strconv.Quote(s))
			if login != "" {
				t.Fatalf("%q refused, yet read as %q", s, login)
			}
			return
		}
		if !isLooseLogin(login) || !onlyLoginPrefixes(s, login) {
			t.Fatalf("%q read as login %q", s, login)
		}
		for _, form := range []string{login, "@" + login, "github:" + login, "https://github.com/" + login + "/"} {
			if again, err := parseGitHubLogin(form); err != nil || again != login {
				t.Fatalf("%q read as %q, but %q reads as %q, %v", s, login, form, again, err)
			}
		}
	})
}

// onlyLoginPrefixes reports whether s, less blanks around it, is login
// after some of the documented prefixes, in their order, and maybe a "/".
func onlyLoginPrefixes(s, login string) bool {
	head, ok := strings.CutSuffix(strings.TrimSuffix(strings.TrimSpace(s), "/"), login)
	head = strings.ToLower(head)
	for _, prefix := range []string{"https://github.com/", "http://github.com/", "github.com/", "github:", "@"} {
		head = strings.TrimPrefix(head, prefix)
	}
	return ok && head == ""
}

// FuzzParsePollID reads poll ids, as typed on the CLI or the API: "e42" or
// "42". It must never panic; a refused one gets an invalid-request error
// naming the poll field and quoting the input; an accepted one is a
// positive number written in the input in decimal digits, with no
// wrapping around, and reads back as itself as "e<n>" and "<n>".
func FuzzParsePollID(f *testing.F) {
	for _, id := range []string{
		"e42", "42", "e999", "first", "", " ", "e", "e0", "0", "-1", "e-1", "+42", "e+42", "E42", "ee42",
		"e 42", " e42 ", "e42\r\n", "e042", "e9223372036854775807", "e9223372036854775808",
		"e18446744073709551617", "e٤٢", "e４２", "е42", "e4_2", "0x2a", "e1e3", "42\x00", strings.Repeat("9", 200),
	} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		seq, err := parsePollID(id)
		if err != nil {
			checkFieldRefusal(t, err, "poll", strconv.Quote(id))
			if seq != 0 {
				t.Fatalf("%q refused, yet read as %d", id, seq)
			}
			return
		}
		digits := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(id), "e"), "+")
		if seq <= 0 || digits == "" || strings.ContainsFunc(digits, notDigit) ||
			strings.TrimLeft(digits, "0") != strconv.FormatInt(seq, 10) {
			t.Fatalf("%q read as poll %d", id, seq)
		}
		for _, form := range []string{ledger.EntryID(seq), strconv.FormatInt(seq, 10)} {
			if again, err := parsePollID(form); err != nil || again != seq {
				t.Fatalf("%q read as %d, but %q reads as %d, %v", id, seq, form, again, err)
			}
		}
	})
}

// isLooseLogin is the login rule the bot keeps to: 1 to 39 ASCII letters,
// digits, "-" or "_", the first a letter or digit.
func isLooseLogin(login string) bool {
	if login == "" || len(login) > 39 || strings.ContainsRune("-_", rune(login[0])) {
		return false
	}
	return !strings.ContainsFunc(login, func(r rune) bool { return r != '-' && r != '_' && notAlnum(r) })
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func notAlnum(r rune) bool { return notDigit(r) && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') }

// checkFieldRefusal checks that err is an invalid-request error for field,
// whose message names the field, holds want and that a person can read:
// valid UTF-8 with no control or invisible characters.
func checkFieldRefusal(t *testing.T, err error, field, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid || e.Field != field {
		t.Fatalf("refusal %#v is not an invalid-request error for %s", err, field)
	}
	readable := utf8.ValidString(e.Message) && !strings.ContainsFunc(e.Message, func(r rune) bool { return !unicode.IsPrint(r) })
	if !readable || !strings.Contains(e.Message, field) || !strings.Contains(e.Message, want) {
		t.Fatalf("refusal %q does not name %s and hold %s readably", e.Message, field, want)
	}
}
