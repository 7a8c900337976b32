package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// scicRule is quoted in every college error: members should see the law,
// not just a number.
const scicRule = "SCIC rule, loi n° 47-1775 art. 19 octies: at least 3 colleges, each holding 10 % to 50 % of the votes"

// Validate reports every impossible value, one error per line. Load calls
// it; call it again after changing a Config in code.
func (c *Config) Validate() error { return c.validate(nil) }

// validate checks c; lines, when known, maps key paths to their line in the
// file so that errors point at it.
func (c *Config) validate(lines map[string]int) error {
	v := &validator{lines: lines}
	if c.Database == "" {
		v.fail("database", "must not be empty (a file path such as ./docracy.db)")
	}
	v.http(c.HTTP)
	v.log(c.Log)
	v.github(c.GitHub)
	v.discord(c.Discord)
	v.scoring(c.Scoring)
	v.payouts(c.Payouts, c.Colleges)
	v.digest(c.Digest)
	v.colleges(c.Colleges)
	return joinErrors(v.errs)
}

// validator collects errors, each with the line of its key when known.
type validator struct {
	lines map[string]int
	errs  []error
}

func (v *validator) fail(key, format string, args ...any) {
	v.failAt(key, key, format, args...)
}

// failAt reports key at the line of at, for a value whose key may be absent
// from the file (a college without a weight) while its parent is not.
func (v *validator) failAt(key, at, format string, args ...any) {
	v.errs = append(v.errs, &Error{Key: key, Line: v.lines[at], Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) http(h HTTP) {
	if _, port, err := net.SplitHostPort(h.Listen); err != nil || !isPort(port) {
		v.fail("http.listen", "must be host:port like 127.0.0.1:8080, got %s", quote(h.Listen))
	}
	v.url("http.public_url", h.PublicURL, "https://docracy.example.org")
}

func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}

// url accepts "" or an absolute http(s) URL.
func (v *validator) url(key, s, example string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(key, "must be an http(s) URL like %s, got %s", example, quote(s))
	}
}

func (v *validator) log(l Log) {
	v.oneOf("log.level", l.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", l.Format, "text", "json")
}

// oneOf checks s against a fixed list of words.
func (v *validator) oneOf(key, s string, words ...string) {
	for _, w := range words {
		if s == w {
			return
		}
	}
	list := strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
	v.fail(key, "must be %s, got %s", list, quote(s))
}

var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (v *validator) github(g GitHub) {
	v.url("github.api_url", g.APIURL, "https://github.example.org/api/v3/")
	for i, r := range g.Repos {
		if !repoName.MatchString(r) {
			v.fail(index("github.repos", i), "must be owner/name, got %s", quote(r))
		}
	}
	for i, u := range g.IgnoreUsers {
		if u == "" {
			v.fail(index("github.ignore_users", i), "must not be empty")
		}
	}
}

func (v *validator) discord(d Discord) {
	v.url("discord.api_url", d.APIURL, "https://discord.example.org")
	v.discordID("discord.application_id", d.ApplicationID)
	v.discordID("discord.guild_id", d.GuildID)
	v.discordID("discord.digest_channel_id", d.DigestChannelID)
	v.roleIDs("discord.roles.maintainer", d.Roles.Maintainer)
	v.roleIDs("discord.roles.treasurer", d.Roles.Treasurer)
	v.roleIDs("discord.roles.member", d.Roles.Member)
}

func (v *validator) roleIDs(key string, ids []string) {
	for i, id := range ids {
		if id == "" || !isSnowflake(id) {
			v.fail(index(key, i), "must be a Discord role id (digits only), got %s", quote(id))
		}
	}
}

// isSnowflake reports whether s is written as Discord writes an id: an
// unsigned 64-bit integer in decimal, without a sign or leading zeros.
// config is a leaf, so it does not borrow the ledger's check of the same.
func isSnowflake(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// discordID accepts "" (unset) or a snowflake; a channel name in place of
// its id is the usual mistake.
func (v *validator) discordID(key, id string) {
	if id != "" && !isSnowflake(id) {
		v.fail(key, "must be a Discord id (digits only), got %s", quote(id))
	}
}

var word = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// maxHalfLifeDays keeps HalfLife from overflowing time.Duration.
const maxHalfLifeDays = 36500

func (v *validator) scoring(s Scoring) {
	switch {
	case len(s.Categories) == 0:
		v.fail("scoring.categories", "must list at least one category")
	case len(s.Categories) > 25:
		v.fail("scoring.categories", "must list at most 25 categories (Discord offers at most 25 choices), got %d", len(s.Categories))
	}
	known := make(map[string]bool, len(s.Categories))
	for i, c := range s.Categories {
		switch {
		case !word.MatchString(c):
			v.fail(index("scoring.categories", i), "must be a lowercase word (a-z, 0-9, - or _), got %s", quote(c))
		case known[c]:
			v.fail(index("scoring.categories", i), "duplicate category %s", quote(c))
		}
		known[c] = true
	}

	v.atLeast0("scoring.merged_pr", s.MergedPR)
	v.atLeast0("scoring.review", s.Review)
	v.atLeast0("scoring.praise", s.Praise)
	v.atLeast0("scoring.praise_daily_cap", s.PraiseDailyCap)
	if v.atLeast0("scoring.half_life_days", s.HalfLifeDays) && s.HalfLifeDays > maxHalfLifeDays {
		v.fail("scoring.half_life_days", "must be <= %d (100 years)", maxHalfLifeDays)
	}

	for _, name := range sortedKeys(s.Labels) {
		r := s.Labels[name]
		key := "scoring.labels." + name
		if r.Category != "" && !known[r.Category] {
			v.fail(key+".category", "must be one of scoring.categories, got %s", quote(r.Category))
		}
		// A label may lower the points of a pull request, never below zero.
		if s.MergedPR+r.Bonus < 0 {
			v.fail(key+".bonus", "must be >= %d (a pull request is never worth less than 0 points)", -s.MergedPR)
		}
	}
}

// atLeast0 reports a negative n and returns whether n was fine.
func (v *validator) atLeast0(key string, n int) bool {
	if n < 0 {
		v.fail(key, "must be >= 0")
		return false
	}
	return true
}

// between reports n outside [lo, hi].
func (v *validator) between(key string, n, lo, hi int, why string) {
	if n < lo || n > hi {
		v.fail(key, "must be between %d and %d%s", lo, hi, why)
	}
}

// excludeColleges accepts configured colleges only: a name that matches
// none would exclude nobody, silently.
func (v *validator) excludeColleges(names []string, colleges map[string]College) {
	for i, name := range names {
		switch _, ok := colleges[name]; {
		case len(colleges) == 0:
			v.fail(index("payouts.exclude_colleges", i), "names college %s, but colleges are off (colleges: {}): remove it or list the colleges", quote(name))
		case !ok:
			v.fail(index("payouts.exclude_colleges", i), "must name a college (%s), got %s",
				strings.Join(sortedKeys(colleges), ", "), quote(name))
		}
	}
}

func (v *validator) payouts(p Payouts, colleges map[string]College) {
	if p.Currency == "" || strings.ContainsAny(p.Currency, " \t\r\n") {
		v.fail("payouts.currency", "must be a currency or token code like EUR, got %s", quote(p.Currency))
	}
	v.between("payouts.decimals", p.Decimals, 0, 18, "")
	v.oneOf("payouts.period", p.Period, "weekly", "monthly")
	v.oneOf("payouts.policy", p.Policy, "proportional", "reputation", "balanced")
	if p.Decimals >= 0 && p.Decimals <= 18 {
		v.amount("payouts.budget", p.Budget, p.Decimals)
		v.amount("payouts.min_amount", p.MinAmount, p.Decimals)
	}
	v.between("payouts.max_share_percent", p.MaxSharePercent, 1, 100, "")
	v.excludeColleges(p.ExcludeColleges, colleges)
	for i, m := range p.ExcludeMembers {
		if m == "" {
			v.fail(index("payouts.exclude_members", i), "must not be empty")
		}
	}
}

// amount checks the syntax of a decimal amount: digits, optionally a point
// and at most decimals digits. Signs, exponents and floats are refused; the
// ledger converts the string to integer minor units exactly.
func (v *validator) amount(key, s string, decimals int) {
	whole, frac, dot := strings.Cut(s, ".")
	if !allDigits(whole) || (dot && (!allDigits(frac) || len(frac) > decimals)) {
		if decimals == 0 {
			v.fail(key, "must be a whole amount like \"1000\", without decimals (payouts.decimals is 0), got %s", quote(s))
			return
		}
		example := "1000." + strings.Repeat("0", decimals)
		v.fail(key, "must be a decimal amount like %q with at most %d decimals, got %s", example, decimals, quote(s))
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (v *validator) digest(d Digest) {
	v.between("digest.top", d.Top, 1, 25, " (a Discord embed holds at most 25 fields)")
}

// colleges enforces French law on SCICs (loi n° 47-1775, art. 19 octies)
// when colleges are given: at least three colleges, each holding between
// 10 % and 50 % of the votes (equal weights when none are given), together
// 100 %. None at all turns colleges off.
func (v *validator) colleges(colleges map[string]College) {
	names := sortedKeys(colleges)
	if len(names) == 0 {
		return
	}
	v.collegeRoles(colleges, names)
	if len(names) < 3 {
		v.fail("colleges", "must have at least 3 colleges, got %d, or none at all (colleges: {}) to vote without colleges (%s)", len(names), scicRule)
		return
	}
	total := 0
	for _, name := range names {
		if !word.MatchString(name) {
			v.fail("colleges."+name, "must be a lowercase word (a-z, 0-9, - or _)")
		}
		total += colleges[name].Weight
	}
	// No weight at all means equal weights: each college holds 100/n %.
	if total == 0 {
		if len(names) > 10 {
			v.fail("colleges", "%d colleges with equal weights would hold %.2f %% of the votes each, less than 10 %% (%s)",
				len(names), 100/float64(len(names)), scicRule)
		}
		return
	}
	v.collegeWeights(colleges, names, total)
}

func (v *validator) collegeWeights(colleges map[string]College, names []string, total int) {
	ok := true
	for _, name := range names {
		key := "colleges." + name + ".weight"
		at := key
		if _, found := v.lines[key]; !found {
			at = "colleges." + name
		}
		if w := colleges[name].Weight; w < 10 || w > 50 {
			v.failAt(key, at, "must be between 10 and 50 (%s)", scicRule)
			ok = false
		}
	}
	if ok && total != 100 {
		v.fail("colleges", "weights must add up to 100, got %d (%s)", total, scicRule)
	}
}

// collegeRoles checks the role ids, each in one college at most: a member
// with a role of two colleges could be placed in either.
func (v *validator) collegeRoles(colleges map[string]College, names []string) {
	owner := map[string]string{}
	for _, name := range names {
		key := "colleges." + name + ".roles"
		v.roleIDs(key, colleges[name].Roles)
		for i, id := range colleges[name].Roles {
			if other, dup := owner[id]; dup {
				v.fail(index(key, i), "role %s already places members in college %s: give each role to one college", id, other)
			}
			owner[id] = name
		}
	}
}

func index(key string, i int) string { return fmt.Sprintf("%s[%d]", key, i) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
