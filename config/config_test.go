package config_test

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/docracy/docracy/config"
)

const examplePath = "../docracy.example.yaml"

// env returns a lookup over m, so tests never touch the process environment.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// with returns Default() changed by f.
func with(f func(c *config.Config)) *config.Config {
	c := config.Default()
	f(c)
	return c
}

const scic = "(SCIC rule, loi n° 47-1775 art. 19 octies: at least 3 colleges, each holding 10 % to 50 % of the votes)"

const cronHelp = `must be a cron schedule like "@hourly" or "0 9 * * MON", or "" for off: `

func TestLoadBytes(t *testing.T) {
	for _, tt := range []struct {
		name string
		doc  string
		env  map[string]string
		want *config.Config // nil when an error is expected
		err  string
	}{
		// Documents that load.
		{name: "empty file", doc: "", want: config.Default()},
		{name: "comments only", doc: "# nothing here\n", want: config.Default()},
		{name: "empty section keeps defaults", doc: "http:\nlog: ~\n", want: config.Default()},
		{name: "document end marker", doc: "database: x.db\n...\n", want: with(func(c *config.Config) { c.Database = "x.db" })},
		{
			name: "partial section keeps other defaults",
			doc:  "log:\n  format: json\n",
			want: with(func(c *config.Config) { c.Log.Format = "json" }),
		},
		{
			name: "expansion",
			doc:  "database: ${DIR}/docracy.db\n",
			env:  map[string]string{"DIR": "/var/lib/docracy"},
			want: with(func(c *config.Config) { c.Database = "/var/lib/docracy/docracy.db" }),
		},
		{
			name: "unset variable expands to empty",
			doc:  "http:\n  public_url: \"${UNSET}\"\n",
			want: config.Default(),
		},
		{
			name: "escaped reference stays literal",
			doc:  "database: \"$${HOME}/a$b.db\"\n",
			env:  map[string]string{"HOME": "/root"},
			want: with(func(c *config.Config) { c.Database = "${HOME}/a$b.db" }),
		},
		{
			name: "expansion in a list",
			doc:  "github:\n  repos: [\"${ORG}/docracy\"]\n",
			env:  map[string]string{"ORG": "coop"},
			want: with(func(c *config.Config) { c.GitHub.Repos = []string{"coop/docracy"} }),
		},
		{
			name: "integer from the environment",
			doc:  "digest:\n  top: ${TOP}\n",
			env:  map[string]string{"TOP": "7"},
			want: with(func(c *config.Config) { c.Digest.Top = 7 }),
		},
		{
			name: "secret through a named variable",
			doc:  "github:\n  token: ${MY_TOKEN}\n",
			env:  map[string]string{"MY_TOKEN": "ghp_named", "GITHUB_TOKEN": "ghp_conventional"},
			want: with(func(c *config.Config) { c.GitHub.Token = "ghp_named" }),
		},
		{
			name: "absent secrets come from conventional variables",
			doc:  "database: x.db\n",
			env: map[string]string{
				"GITHUB_WEBHOOK_SECRET": "whs", "GITHUB_TOKEN": "ght", "DISCORD_TOKEN": "dt",
				"DISCORD_PUBLIC_KEY": "dpk", "DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/x",
			},
			want: with(func(c *config.Config) {
				c.Database = "x.db"
				c.GitHub.WebhookSecret, c.GitHub.Token = "whs", "ght"
				c.Discord.Token, c.Discord.PublicKey = "dt", "dpk"
				c.Discord.WebhookURL = "https://discord.com/api/webhooks/1/x"
			}),
		},
		{
			name: "empty secret turns it off despite the environment",
			doc:  "github:\n  token: \"\"\ndiscord:\n  token:\n",
			env:  map[string]string{"GITHUB_TOKEN": "ght", "DISCORD_TOKEN": "dt"},
			want: config.Default(),
		},
		{
			name: "secret holding YAML injects no keys",
			doc:  "github:\n  token: ${GITHUB_TOKEN}\n",
			env:  map[string]string{"GITHUB_TOKEN": "x\nrepos: [evil/evil]\ndatabase: /tmp/evil"},
			want: with(func(c *config.Config) { c.GitHub.Token = "x\nrepos: [evil/evil]\ndatabase: /tmp/evil" }),
		},
		{
			name: "maps replace the defaults",
			doc:  "scoring:\n  labels:\n    bug: { category: bug }\ncolleges: { a: {}, b: {}, c: {} }\n",
			want: with(func(c *config.Config) {
				c.Scoring.Labels = map[string]config.LabelRule{"bug": {Category: "bug"}}
				c.Colleges = map[string]config.College{"a": {}, "b": {}, "c": {}}
			}),
		},
		{
			name: "colleges off",
			doc:  "colleges: {}\n",
			want: with(func(c *config.Config) { c.Colleges = nil }),
		},
		{
			name: "college roles",
			doc:  "colleges:\n  workers: { roles: [\"111\", \"112\"] }\n  users: { roles: [\"113\"] }\n  partners: {}\n",
			want: with(func(c *config.Config) {
				c.Colleges = map[string]config.College{"workers": {Roles: []string{"111", "112"}}, "users": {Roles: []string{"113"}}, "partners": {}}
			}),
		},
		{
			name: "empty lists and maps",
			doc:  "scoring:\n  labels: {}\ngithub:\n  repos: []\n  ignore_users:\n",
			want: with(func(c *config.Config) { c.Scoring.Labels = nil }),
		},
		{
			name: "discord ids written as numbers stay exact",
			doc:  "discord:\n  guild_id: 123456789012345678\n  roles: { maintainer: [987654321098765432] }\n",
			want: with(func(c *config.Config) {
				c.Discord.GuildID = "123456789012345678"
				c.Discord.Roles.Maintainer = []string{"987654321098765432"}
			}),
		},
		{
			name: "anchors and aliases",
			doc:  "discord:\n  roles:\n    maintainer: &admins [\"1\", \"2\"]\n    treasurer: *admins\n",
			want: with(func(c *config.Config) {
				c.Discord.Roles.Maintainer = []string{"1", "2"}
				c.Discord.Roles.Treasurer = []string{"1", "2"}
			}),
		},
		{
			name: "ten colleges with equal weights",
			doc:  "colleges: {a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {}, h: {}, i: {}, j: {}}\npayouts: {exclude_colleges: [j]}\n",
			want: with(func(c *config.Config) {
				c.Colleges = map[string]config.College{}
				for _, n := range "abcdefghij" {
					c.Colleges[string(n)] = config.College{}
				}
				c.Payouts.ExcludeColleges = []string{"j"}
			}),
		},
		{
			name: "schedules off",
			doc:  "github: {reconcile: \"\"}\ndigest: {schedule: \"\"}\n",
			want: with(func(c *config.Config) { c.GitHub.Reconcile, c.Digest.Schedule = config.Schedule{}, config.Schedule{} }),
		},

		// Unknown keys, at any depth.
		{name: "unknown top-level key", doc: "database: x.db\nbogus: 1\n", err: "config: bogus (line 2): unknown key"},
		{name: "unknown key in a section", doc: "scoring:\n  merged_pr: 5\n  bogus: 1\n", err: "config: scoring.bogus (line 3): unknown key"},
		{name: "unknown key in a map entry", doc: "scoring:\n  labels:\n    security: { points: 10 }\n", err: "config: scoring.labels.security.points (line 3): unknown key"},
		{name: "unknown key deep", doc: "discord:\n  roles:\n    admin: []\n", err: "config: discord.roles.admin (line 3): unknown key"},
		{name: "duplicate key", doc: "log:\n  level: info\n  level: debug\n", err: "config: log.level (line 3): duplicate key (first at line 2)"},
		{name: "merge key", doc: "<<: {database: x}\n", err: "config: line 1: merge keys (<<) are not supported"},

		// Wrong types.
		{name: "int got word", doc: "scoring:\n  merged_pr: five\n", err: `config: scoring.merged_pr (line 2): must be an integer, got "five"`},
		{name: "int got float", doc: "scoring:\n  half_life_days: 1.5\n", err: `config: scoring.half_life_days (line 2): must be an integer, got "1.5"`},
		{name: "int got quoted number", doc: "digest:\n  top: \"10\"\n", err: `config: digest.top (line 2): must be an integer, got "10"`},
		{name: "int got nothing", doc: "scoring:\n  review:\n", err: "config: scoring.review (line 2): must be an integer, got nothing"},
		{name: "int got list", doc: "payouts:\n  decimals: [2]\n", err: "config: payouts.decimals (line 2): must be an integer, got a list"},
		{name: "int from bad variable", doc: "digest:\n  top: ${TOP}\n", env: map[string]string{"TOP": "ten"}, err: `config: digest.top (line 2): must be an integer, got "ten"`},
		{name: "list got string", doc: "github:\n  repos: docracy/docracy\n", err: `config: github.repos (line 2): must be a list, got "docracy/docracy"`},
		{name: "list got mapping", doc: "scoring:\n  categories: {code: 1}\n", err: "config: scoring.categories (line 2): must be a list, got a mapping"},
		{name: "list item got list", doc: "github:\n  repos: [[a/b]]\n", err: "config: github.repos[0] (line 2): must be a string, got a list"},
		{name: "map got list", doc: "colleges: [workers, users, partners]\n", err: "config: colleges (line 1): must be a mapping of names, got a list"},
		{name: "map got string", doc: "scoring:\n  labels: security\n", err: `config: scoring.labels (line 2): must be a mapping of names, got "security"`},
		{name: "section got scalar", doc: "http: 8080\n", err: `config: http (line 1): must be a mapping of keys, got "8080"`},
		{name: "map entry got scalar", doc: "colleges:\n  workers: 30\n", err: `config: colleges.workers (line 2): must be a mapping of keys, got "30"`},
		{name: "bool got word", doc: "scoring:\n  labels:\n    wip: { skip: yes }\n", err: `config: scoring.labels.wip.skip (line 3): must be true or false, got "yes"`},
		{name: "string got list", doc: "log:\n  level: [info]\n", err: "config: log.level (line 2): must be a string, got a list"},
		{name: "amount got float", doc: "payouts:\n  budget: 1000.00\n", err: `config: payouts.budget (line 2): must be a quoted decimal string like "1000.00", got 1000.00`},
		{name: "amount got int", doc: "payouts:\n  min_amount: 5\n", err: `config: payouts.min_amount (line 2): must be a quoted decimal string like "1000.00", got 5`},
		{name: "file is a list", doc: "- database\n", err: "config: line 1: must be a mapping of keys, got a list"},

		// Impossible values, one rule each.
		{name: "empty database", doc: "database: \"\"\n", err: "config: database (line 1): must not be empty (a file path such as ./docracy.db)"},
		{name: "listen without port", doc: "http:\n  listen: localhost\n", err: `config: http.listen (line 2): must be host:port like 127.0.0.1:8080, got "localhost"`},
		{name: "listen bad port", doc: "http:\n  listen: \":99999\"\n", err: `config: http.listen (line 2): must be host:port like 127.0.0.1:8080, got ":99999"`},
		{name: "public url not absolute", doc: "http:\n  public_url: docracy.example.org\n", err: `config: http.public_url (line 2): must be an http(s) URL like https://docracy.example.org, got "docracy.example.org"`},
		{name: "api url scheme", doc: "github:\n  api_url: ftp://ghe/api/v3/\n", err: `config: github.api_url (line 2): must be an http(s) URL like https://github.example.org/api/v3/, got "ftp://ghe/api/v3/"`},
		{name: "discord api url scheme", doc: "discord:\n  api_url: discord.local\n", err: `config: discord.api_url (line 2): must be an http(s) URL like https://discord.example.org, got "discord.local"`},
		{name: "log level", doc: "log:\n  level: verbose\n", err: `config: log.level (line 2): must be debug, info, warn or error, got "verbose"`},
		{name: "log format", doc: "log:\n  format: xml\n", err: `config: log.format (line 2): must be text or json, got "xml"`},
		{name: "repo without owner", doc: "github:\n  repos:\n    - a/b\n    - docracy\n", err: `config: github.repos[1] (line 4): must be owner/name, got "docracy"`},
		{name: "empty ignored user", doc: "github:\n  ignore_users: [\"\"]\n", err: "config: github.ignore_users[0] (line 2): must not be empty"},
		{name: "reconcile not cron", doc: "github:\n  reconcile: \"@sometimes\"\n", err: "config: github.reconcile (line 2): " + cronHelp + "unrecognized descriptor: @sometimes"},
		{name: "schedule not cron", doc: "digest:\n  schedule: daily\n", err: "config: digest.schedule (line 2): " + cronHelp + "expected exactly 5 fields, found 1: [daily]"},
		{name: "schedule unknown zone", doc: "digest:\n  schedule: CRON_TZ=Mars/Olympus 0 9 * * MON\n", err: "config: digest.schedule (line 2): " + cronHelp + "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"},
		{name: "schedule zone alone", doc: "digest:\n  schedule: CRON_TZ=Europe/Paris\n", err: "config: digest.schedule (line 2): " + cronHelp + "a time zone must be followed by a space and a schedule"},
		{name: "guild id is a name", doc: "discord:\n  guild_id: my-server\n", err: `config: discord.guild_id (line 2): must be a Discord id (digits only), got "my-server"`},
		{name: "role id is a name", doc: "discord:\n  roles:\n    treasurer: [\"@treasurer\"]\n", err: `config: discord.roles.treasurer[0] (line 3): must be a Discord role id (digits only), got "@treasurer"`},
		{name: "no categories", doc: "scoring:\n  categories: []\n  labels: {}\n", err: "config: scoring.categories (line 2): must list at least one category"},
		{name: "duplicate category", doc: "scoring:\n  categories: [code, doc, code]\n  labels: {}\n", err: `config: scoring.categories[2] (line 2): duplicate category "code"`},
		{name: "uppercase category", doc: "scoring:\n  categories: [Code]\n  labels: {}\n", err: `config: scoring.categories[0] (line 2): must be a lowercase word (a-z, 0-9, - or _), got "Code"`},
		{name: "negative merged_pr", doc: "scoring:\n  merged_pr: -1\n  labels: {}\n", err: "config: scoring.merged_pr (line 2): must be >= 0"},
		{name: "negative review", doc: "scoring:\n  review: -2\n", err: "config: scoring.review (line 2): must be >= 0"},
		{name: "negative praise", doc: "scoring:\n  praise: -1\n", err: "config: scoring.praise (line 2): must be >= 0"},
		{name: "negative praise cap", doc: "scoring:\n  praise_daily_cap: -5\n", err: "config: scoring.praise_daily_cap (line 2): must be >= 0"},
		{name: "negative half-life", doc: "scoring:\n  half_life_days: -90\n", err: "config: scoring.half_life_days (line 2): must be >= 0"},
		{name: "huge half-life", doc: "scoring:\n  half_life_days: 1000000\n", err: "config: scoring.half_life_days (line 2): must be <= 36500 (100 years)"},
		{name: "label category unknown", doc: "scoring:\n  labels:\n    docs: { category: docs }\n", err: `config: scoring.labels.docs.category (line 3): must be one of scoring.categories, got "docs"`},
		{name: "default label category removed", doc: "scoring:\n  categories: [code, doc]\n", err: `config: scoring.labels.security.category: must be one of scoring.categories, got "security"`},
		{name: "label bonus below zero", doc: "scoring:\n  labels:\n    trivial:\n      bonus: -6\n", err: "config: scoring.labels.trivial.bonus (line 4): must be >= -5 (a pull request is never worth less than 0 points)"},
		{name: "empty currency", doc: "payouts:\n  currency: \"\"\n", err: `config: payouts.currency (line 2): must be a currency or token code like EUR, got ""`},
		{name: "decimals too many", doc: "payouts:\n  decimals: 19\n", err: "config: payouts.decimals (line 2): must be between 0 and 18"},
		{name: "period", doc: "payouts:\n  period: daily\n", err: `config: payouts.period (line 2): must be weekly or monthly, got "daily"`},
		{name: "policy", doc: "payouts:\n  policy: equal\n", err: `config: payouts.policy (line 2): must be proportional, reputation or balanced, got "equal"`},
		{name: "budget exponent", doc: "payouts:\n  budget: \"1e3\"\n", err: `config: payouts.budget (line 2): must be a decimal amount like "1000.00" with at most 2 decimals, got "1e3"`},
		{name: "budget too precise", doc: "payouts:\n  budget: \"10.001\"\n", err: `config: payouts.budget (line 2): must be a decimal amount like "1000.00" with at most 2 decimals, got "10.001"`},
		{name: "budget trailing point", doc: "payouts:\n  budget: \"10.\"\n", err: `config: payouts.budget (line 2): must be a decimal amount like "1000.00" with at most 2 decimals, got "10."`},
		{name: "min amount signed", doc: "payouts:\n  min_amount: \"-5\"\n", err: `config: payouts.min_amount (line 2): must be a decimal amount like "1000.00" with at most 2 decimals, got "-5"`},
		{name: "amount for zero decimals", doc: "payouts:\n  decimals: 0\n", err: `config: payouts.budget: must be a whole amount like "1000", without decimals (payouts.decimals is 0), got "1000.00"` + "\n" + `config: payouts.min_amount: must be a whole amount like "1000", without decimals (payouts.decimals is 0), got "5.00"`},
		{name: "max share zero", doc: "payouts:\n  max_share_percent: 0\n", err: "config: payouts.max_share_percent (line 2): must be between 1 and 100"},
		{name: "max share over 100", doc: "payouts:\n  max_share_percent: 101\n", err: "config: payouts.max_share_percent (line 2): must be between 1 and 100"},
		{name: "exclude unknown college", doc: "payouts:\n  exclude_colleges: [founders]\n", err: `config: payouts.exclude_colleges[0] (line 2): must name a college (partners, users, volunteers, workers), got "founders"`},
		{name: "exclude empty member", doc: "payouts:\n  exclude_members: [\"\"]\n", err: "config: payouts.exclude_members[0] (line 2): must not be empty"},
		{name: "digest top zero", doc: "digest:\n  top: 0\n", err: "config: digest.top (line 2): must be between 1 and 25 (a Discord embed holds at most 25 fields)"},
		{name: "digest top 26", doc: "digest:\n  top: 26\n", err: "config: digest.top (line 2): must be between 1 and 25 (a Discord embed holds at most 25 fields)"},

		// The SCIC rule.
		{name: "two colleges", doc: "colleges:\n  workers: { weight: 50 }\n  users: { weight: 50 }\n", err: "config: colleges (line 1): must have at least 3 colleges, got 2, or none at all (colleges: {}) to vote without colleges " + scic},
		{name: "college role not an id", doc: "colleges:\n  workers: { roles: [admins] }\n  users: {}\n  partners: {}\n", err: `config: colleges.workers.roles[0] (line 2): must be a Discord role id (digits only), got "admins"`},
		{name: "college role twice", doc: "colleges:\n  workers: { roles: [\"111\"] }\n  users: { roles: [\"111\"] }\n  partners: {}\n", err: "config: colleges.workers.roles[0] (line 2): role 111 already places members in college users: give each role to one college"},
		{name: "exclude college when off", doc: "colleges: {}\npayouts:\n  exclude_colleges: [partners]\n", err: `config: payouts.exclude_colleges[0] (line 3): names college "partners", but colleges are off (colleges: {}): remove it or list the colleges`},
		{name: "weight over 50", doc: "colleges:\n  workers: { weight: 60 }\n  users: { weight: 20 }\n  partners: { weight: 20 }\n", err: "config: colleges.workers.weight (line 2): must be between 10 and 50 " + scic},
		{name: "weight under 10", doc: "colleges:\n  workers: { weight: 45 }\n  users: { weight: 50 }\n  partners:\n    weight: 5\n", err: "config: colleges.partners.weight (line 5): must be between 10 and 50 " + scic},
		{name: "weights not 100", doc: "colleges:\n  workers: { weight: 30 }\n  users: { weight: 30 }\n  partners: { weight: 30 }\n", err: "config: colleges (line 1): weights must add up to 100, got 90 " + scic},
		{name: "some weights missing", doc: "colleges:\n  workers: { weight: 50 }\n  users: { weight: 50 }\n  partners: {}\n", err: "config: colleges.partners.weight (line 4): must be between 10 and 50 " + scic},
		{name: "eleven equal colleges", doc: "colleges: {a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {}, h: {}, i: {}, j: {}, k: {}}\n", err: "config: colleges (line 1): 11 colleges with equal weights would hold 9.09 % of the votes each, less than 10 % " + scic},
		{name: "college name", doc: "colleges: {Workers: {}, users: {}, partners: {}}\n", err: "config: colleges.Workers (line 1): must be a lowercase word (a-z, 0-9, - or _)"},

		// Secrets.
		{name: "literal secret", doc: "github:\n  token: ghp_0123456789abcdef\n", err: "config: github.token (line 2): secrets must come from the environment, write ${GITHUB_TOKEN}"},
		{name: "literal webhook secret", doc: "github:\n  webhook_secret: hunter2\n", err: "config: github.webhook_secret (line 2): secrets must come from the environment, write ${GITHUB_WEBHOOK_SECRET}"},
		{name: "literal discord token", doc: "discord:\n  token: \"abc.def\"\n", err: "config: discord.token (line 2): secrets must come from the environment, write ${DISCORD_TOKEN}"},
		{name: "literal public key", doc: "discord:\n  public_key: 0a1b2c\n", err: "config: discord.public_key (line 2): secrets must come from the environment, write ${DISCORD_PUBLIC_KEY}"},
		{name: "literal webhook url", doc: "discord:\n  webhook_url: https://discord.com/api/webhooks/1/abc\n", err: "config: discord.webhook_url (line 2): secrets must come from the environment, write ${DISCORD_WEBHOOK_URL}"},
		{name: "secret mixed with a reference", doc: "github:\n  token: \"token ${GITHUB_TOKEN}\"\n", err: "config: github.token (line 2): secrets must come from the environment, write ${GITHUB_TOKEN}"},
		{name: "secret as a list", doc: "discord:\n  token: [abc]\n", err: "config: discord.token (line 2): must be a string, got a list"},

		// Syntax.
		{name: "malformed yaml", doc: "database: x.db\nhttp: { listen: [\n", err: "config: line 2: did not find expected node content"},
		{name: "tab indentation", doc: "scoring:\n\tmerged_pr: 5\n", err: "config: line 2: found character that cannot start any token"},
		{name: "colon in a plain value", doc: "database: x\nhttp: 1: 2\n", err: "config: line 2: mapping values are not allowed in this context"},
		{name: "two documents", doc: "database: a.db\n---\ndatabase: b.db\n", err: "config: line 3: only one YAML document is allowed"},
		{name: "unclosed reference", doc: "database: ${DIR/docracy.db\n", err: `config: database (line 1): "${" without a closing "}" (write $${ for a literal ${)`},
		{name: "bad variable name", doc: "database: ${1DIR}/docracy.db\n", err: `config: database (line 1): ${1DIR}: "1DIR" is not a variable name`},

		// Several problems are reported together.
		{
			name: "all errors",
			doc:  "log:\n  level: loud\nscoring:\n  bogus: 1\n  review: x\n",
			err:  "config: scoring.bogus (line 4): unknown key\nconfig: scoring.review (line 5): must be an integer, got \"x\"",
		},
		{
			name: "all validation errors",
			doc:  "log:\n  level: loud\n  format: xml\n",
			err:  "config: log.level (line 2): must be debug, info, warn or error, got \"loud\"\nconfig: log.format (line 3): must be text or json, got \"xml\"",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.LoadBytes([]byte(tt.doc), env(tt.env))
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tt.err)
				}
				if err.Error() != tt.err {
					t.Fatalf("error:\n got %s\nwant %s", err, tt.err)
				}
				if strings.Contains(err.Error(), "ghp_0123") || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error quotes a secret: %s", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorIsStructured(t *testing.T) {
	_, err := config.LoadBytes([]byte("scoring:\n  half_life_days: -1\n"), env(nil))
	var e *config.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a *config.Error", err)
	}
	if want := (config.Error{Key: "scoring.half_life_days", Line: 2, Msg: "must be >= 0"}); *e != want {
		t.Fatalf("got %+v, want %+v", *e, want)
	}
}

// A Config built in code has no lines: the errors say so by leaving them out.
func TestValidateWithoutLines(t *testing.T) {
	if err := config.Default().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c := config.Default()
	c.Scoring.HalfLifeDays = -1
	c.Colleges["users"] = config.College{Weight: 5}
	want := "config: scoring.half_life_days: must be >= 0\n" +
		"config: colleges.users.weight: must be between 10 and 50 " + scic
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestLoad(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
		if err == nil || !strings.HasPrefix(err.Error(), "config: open ") || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docracy.yaml")
		if err := os.WriteFile(path, []byte("digest:\n  top: 3\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.Digest.Top != 3 || c.Scoring.MergedPR != 5 {
			t.Fatalf("got %+v", c.Digest)
		}
	})
	t.Run("no file", func(t *testing.T) {
		c, err := config.Load("", env(map[string]string{"DISCORD_TOKEN": "from-getenv"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Discord.Token != "from-getenv" {
			t.Fatalf("discord.token = %q, want the value getenv gives", c.Discord.Token)
		}
	})
	t.Run("file reads getenv", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "docracy.yaml")
		if err := os.WriteFile(path, []byte("database: ${DIR}/coop.db\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path, env(map[string]string{"DIR": "/srv", "GITHUB_TOKEN": "ght"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Database != "/srv/coop.db" || c.GitHub.Token != "ght" {
			t.Fatalf("database %q, github.token %q: want both from getenv", c.Database, c.GitHub.Token)
		}
	})
}

func TestFromEnv(t *testing.T) {
	got := config.FromEnv(env(map[string]string{"GITHUB_TOKEN": "ght", "DISCORD_PUBLIC_KEY": "dpk"}))
	want := with(func(c *config.Config) { c.GitHub.Token, c.Discord.PublicKey = "ght", "dpk" })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestDefault(t *testing.T) {
	c := config.Default()
	if got := c.Scoring.HalfLife(); got != 90*24*time.Hour {
		t.Fatalf("HalfLife = %v", got)
	}
	if got := (config.Scoring{}).HalfLife(); got != 0 {
		t.Fatalf("no decay: HalfLife = %v", got)
	}
	if diff := cmp.Diff([]string{"partners", "users", "volunteers", "workers"}, c.CollegeNames()); diff != "" {
		t.Fatal(diff)
	}
	// Each call is a fresh value: callers may change it freely.
	c.Colleges["founders"] = config.College{}
	c.Scoring.Categories[0] = "changed"
	if diff := cmp.Diff(config.Default(), config.Default()); diff != "" || len(config.Default().Colleges) != 4 || config.Default().Scoring.Categories[0] != "code" {
		t.Fatal("Default shares state between calls")
	}
}

// The starter file written by "docracy init" must mean exactly the defaults.
func TestExampleIsDefault(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.LoadBytes(data, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(config.Default(), got); diff != "" {
		t.Fatalf("example differs from Default() (-want +got):\n%s", diff)
	}

	secrets := map[string]string{
		"GITHUB_WEBHOOK_SECRET": "whs", "GITHUB_TOKEN": "ght", "DISCORD_TOKEN": "dt",
		"DISCORD_PUBLIC_KEY": "dpk", "DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/x",
	}
	got, err = config.LoadBytes(data, env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(config.FromEnv(env(secrets)), got); diff != "" {
		t.Fatalf("example with secrets differs from FromEnv (-want +got):\n%s", diff)
	}
}

// Every key of Config must be documented in the example file.
func TestExampleHasEveryKey(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range missingKeys(reflect.TypeOf(config.Config{}), doc.Content[0], "") {
		t.Errorf("%s: missing from %s", key, examplePath)
	}
}

// missingKeys lists the keys of t absent from the mapping n. For a map such
// as colleges, each field of the element must appear in at least one entry.
func missingKeys(t reflect.Type, n *yaml.Node, path string) []string {
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return nil // a Schedule is one scalar
	}
	var missing []string
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			v := lookup(n, key)
			if v == nil {
				missing = append(missing, join(path, key))
				continue
			}
			missing = append(missing, missingKeys(t.Field(i).Type, v, join(path, key))...)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
			return []string{path + " (no entry)"}
		}
		elem := t.Elem()
		for i := 0; i < elem.NumField(); i++ {
			key, _, _ := strings.Cut(elem.Field(i).Tag.Get("yaml"), ",")
			found := false
			for j := 1; j < len(n.Content); j += 2 {
				found = found || lookup(n.Content[j], key) != nil
			}
			if !found {
				missing = append(missing, path+".*."+key)
			}
		}
	}
	return missing
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// Secrets must never reach a log or a printout.
func TestSecretsAreRedacted(t *testing.T) {
	secrets := map[string]string{
		"GITHUB_WEBHOOK_SECRET": "s3cret-webhook", "GITHUB_TOKEN": "ghp_s3cret",
		"DISCORD_TOKEN": "discord-s3cret", "DISCORD_PUBLIC_KEY": "pubkey-s3cret",
		"DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/1/hook-s3cret",
	}
	c, err := config.LoadBytes([]byte("database: ./coop.db\n"), env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	if c.GitHub.Token != "ghp_s3cret" {
		t.Fatalf("secret not loaded: %q", c.GitHub.Token)
	}

	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		log := slog.New(h)
		log.Info("config", "config", c)
		log.Info("config", "config", *c)
		log.Info("github", "github", c.GitHub, "discord", c.Discord)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		fmt.Fprintf(&buf, verb+"\n", c)
		fmt.Fprintf(&buf, verb+"\n", *c)
		fmt.Fprintf(&buf, verb+"\n", c.GitHub)
		fmt.Fprintf(&buf, verb+"\n", c.Discord)
	}
	out := buf.String()
	for name, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Errorf("%s leaked:\n%s", name, out)
		}
	}
	// The rest is still there, and a set secret shows as set.
	for _, want := range []string{"./coop.db", `"token":"[redacted]"`, "token=[redacted]", "webhook_url: '[redacted]'"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"scoring:\n  bogus: 1\n",
		"scoring:\n  merged_pr: five\n",
		"github:\n  token: ghp_literal\n",
		"colleges: {a: {weight: 90}, b: {}}\n",
		"database: ${DIR}/x.db\n",
		"digest: {schedule: \"CRON_TZ=Europe/Paris\"}\n",
		"a: [1, 2\n",
		"x: &a [*a]\n",
	} {
		f.Add([]byte(seed))
	}
	getenv := env(map[string]string{"DIR": "/var/lib", "GITHUB_TOKEN": "ght"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.LoadBytes(data, getenv)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config:") {
				t.Fatalf("error without config: prefix: %q", err)
			}
			return
		}
		// What Load accepts must stand on its own.
		if err := c.Validate(); err != nil {
			t.Fatalf("loaded config fails Validate: %v", err)
		}
		_ = c.String()
	})
}

// A PostgreSQL URL in database may carry a password: it is redacted
// whenever the configuration is printed or logged, a file path is not.
func TestDatabaseURLIsRedacted(t *testing.T) {
	secrets := map[string]string{"DATABASE_URL": "postgres://docracy:pg-s3cret@db.internal:5432/coop"}
	c, err := config.LoadBytes([]byte("database: ${DATABASE_URL}\n"), env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != secrets["DATABASE_URL"] {
		t.Fatalf("database = %q, want the URL", c.Database)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		fmt.Fprintf(&buf, verb+"\n", c)
	}
	if out := buf.String(); strings.Contains(out, "pg-s3cret") || strings.Contains(out, "db.internal") {
		t.Errorf("the database URL leaked:\n%s", out)
	}
}
