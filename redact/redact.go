// Package redact takes credentials out of text that leaves the process:
// log lines, errors, and the bodies outside services answer with. Discord
// puts webhook and interaction tokens in URL paths, and Go's HTTP errors
// quote the URL they failed on, so a network error alone would leak them.
package redact

import (
	"errors"
	"net/url"
	"regexp"
	"unicode/utf8"
)

// Mask replaces every secret found.
const Mask = "***"

// MaxBody is how much of an outside service's error body is kept, and
// MaxError how much of an error message, which may quote such a body.
const (
	MaxBody  = 200
	MaxError = 600
)

// rule is one kind of credential: re matches it, repl keeps what is not
// secret around it.
type rule struct {
	re   *regexp.Regexp
	repl string
}

// rules are built per Redactor rather than held in a package variable,
// so that nothing outside can change them.
func rules() []rule {
	return []rule{
		// Discord webhook and interaction tokens: /webhooks/<id>/<token>,
		// /interactions/<id>/<token>/callback.
		{regexp.MustCompile(`(/(?:webhooks|interactions)/[^/\s"'?#]+/)[^/\s"'?#]+`), "${1}" + Mask},
		// Authorization values: "Bot <token>", "Bearer <token>", "Basic <b64>".
		{regexp.MustCompile(`(?i)\b(Bot|Bearer|Basic|token)( +)[A-Za-z0-9._~+/=-]{20,}`), "${1}${2}" + Mask},
		{regexp.MustCompile(`(?i)(authorization["']?\s*[:=]\s*["']?)[^\s"',}]+(?: [^\s"',}]+)?`), "${1}" + Mask},
		// URL userinfo: scheme://user:pass@host.
		{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s"'@]+@`), "${1}" + Mask + "@"},
		// Query parameters that carry secrets.
		{regexp.MustCompile(`(?i)([?&;](?:access_token|token|client_secret|secret|password|key|api_key|sig|signature|code)=)[^&#\s"']+`), "${1}" + Mask},
	}
}

// Redactor redacts text with a fixed set of rules.
type Redactor struct{ rules []rule }

// New returns a Redactor of Discord tokens, Authorization values, URL
// userinfo and secret query parameters.
func New() *Redactor { return &Redactor{rules: rules()} }

// String returns s with every credential replaced by Mask.
func (r *Redactor) String(s string) string {
	for _, x := range r.rules {
		s = x.re.ReplaceAllString(s, x.repl)
	}
	return s
}

// Body is an outside service's answer as it may be logged: at most
// MaxBody bytes, cut on a character boundary, and redacted.
func (r *Redactor) Body(b []byte) string { return r.String(truncate(string(b), MaxBody)) }

// truncate cuts s to at most max bytes on a character boundary, marking
// the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Error returns err with its message redacted and cut to MaxError
// bytes, or nil for nil. Redaction comes first, so a cut cannot split a
// token out of a rule's reach. The
// result unwraps past a *url.Error, which holds the URL in clear, to the
// network error beneath, so errors.Is still sees a timeout or a
// cancellation.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	e := &redacted{msg: truncate(r.String(err.Error()), MaxError)}
	var ue *url.Error
	if errors.As(err, &ue) {
		e.cause = ue.Err
	}
	return e
}

type redacted struct {
	msg   string
	cause error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.cause }
