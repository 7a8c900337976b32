// Package config holds docracy's configuration: the types that mirror
// docracy.yaml key for key, the embedded defaults, Load with ${VAR}
// expansion, and Validate. It owns parsing: what Load returns is parsed
// (a Schedule holds its cron schedule and time zone), so no caller reads
// a spec again.
//
// Every problem is reported with the key's path and, when the value came
// from a file, its line, so that a member editing the file knows exactly
// what to fix:
//
//	config: scoring.half_life_days (line 31): must be >= 0
//
// Secrets (tokens, webhook secrets, public keys, webhook URLs) come only from
// the environment: the file may name the variable, never hold the value. They
// are redacted whenever a Config is printed or logged.
package config

import (
	"encoding"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of a docracy instance. The yaml tags are
// the keys of docracy.yaml; Load refuses any other key.
type Config struct {
	// Database is the path of the SQLite ledger, or a postgres:// URL
	// (typically ${DATABASE_URL}: it may hold a password, and is redacted
	// whenever the configuration is printed); --db overrides it.
	Database string `yaml:"database"`

	HTTP    HTTP    `yaml:"http"`
	Log     Log     `yaml:"log"`
	GitHub  GitHub  `yaml:"github"`
	Discord Discord `yaml:"discord"`
	Scoring Scoring `yaml:"scoring"`
	Payouts Payouts `yaml:"payouts"`
	Digest  Digest  `yaml:"digest"`

	// Colleges maps a college name to its voting weight, in percent: at
	// least three, each 10–50 %, together 100 % (the SCIC rule, see
	// validator.colleges).
	// Empty ("colleges: {}") means the cooperative does not vote by
	// college. Use CollegeNames for a stable order.
	Colleges map[string]College `yaml:"colleges"`
}

// HTTP configures the single HTTP server (webhooks, API, dashboard).
type HTTP struct {
	// Listen is the host:port the server binds to.
	Listen string `yaml:"listen"`

	// PublicURL is the address members reach the server at, used in links.
	// Empty means links are not published.
	PublicURL string `yaml:"public_url"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// GitHub configures the GitHub integration. It is on when WebhookSecret is set.
type GitHub struct {
	WebhookSecret string `yaml:"webhook_secret"` // secret: from the environment only
	Token         string `yaml:"token"`          // secret: from the environment only

	// APIURL is the REST endpoint; empty means api.github.com.
	APIURL string `yaml:"api_url"`

	// Repos is the owner/name allow-list; empty means every repository.
	Repos []string `yaml:"repos"`

	// IgnoreUsers are logins never credited (bots never are anyway).
	IgnoreUsers []string `yaml:"ignore_users"`

	// Reconcile is when to catch up missed webhooks; off when "".
	Reconcile Schedule `yaml:"reconcile"`
}

// Discord configures the Discord integration. The gateway is on when Token is
// set, the HTTP interactions endpoint when PublicKey is set.
type Discord struct {
	Token         string `yaml:"token"`      // secret: from the environment only
	PublicKey     string `yaml:"public_key"` // secret: from the environment only
	ApplicationID string `yaml:"application_id"`
	GuildID       string `yaml:"guild_id"`
	// APIURL is where Discord's API is reached; empty means discord.com.
	// A proxy, or a test's fake Discord, goes here.
	APIURL          string `yaml:"api_url"`
	DigestChannelID string `yaml:"digest_channel_id"`
	WebhookURL      string `yaml:"webhook_url"` // secret: from the environment only
	Roles           Roles  `yaml:"roles"`
}

// Roles lists the Discord role ids allowed to run privileged commands.
type Roles struct {
	Maintainer []string `yaml:"maintainer"`
	Treasurer  []string `yaml:"treasurer"`
	Member     []string `yaml:"member"` // empty means everyone
}

// Scoring holds the rules that turn contributions into points.
type Scoring struct {
	Categories     []string `yaml:"categories"`
	MergedPR       int      `yaml:"merged_pr"`
	Review         int      `yaml:"review"`
	Praise         int      `yaml:"praise"`
	PraiseDailyCap int      `yaml:"praise_daily_cap"`

	// HalfLifeDays is the reputation half-life; 0 means no decay.
	HalfLifeDays int `yaml:"half_life_days"`

	// Labels maps a GitHub label name to the rule it triggers.
	Labels map[string]LabelRule `yaml:"labels"`
}

// HalfLife returns the reputation half-life; 0 means no decay.
func (s Scoring) HalfLife() time.Duration {
	return time.Duration(s.HalfLifeDays) * 24 * time.Hour
}

// LabelRule says how a labelled pull request is credited.
type LabelRule struct {
	Category string `yaml:"category"` // empty keeps the pull request's category
	Bonus    int    `yaml:"bonus"`    // points added to scoring.merged_pr
	Skip     bool   `yaml:"skip"`     // credit nothing at all
}

// Payouts configures how each period's budget is shared out.
// Amounts are decimal strings: no floating point ever touches money.
type Payouts struct {
	Currency        string   `yaml:"currency"`
	Decimals        int      `yaml:"decimals"`
	Period          string   `yaml:"period"` // weekly | monthly
	Budget          string   `yaml:"budget"`
	Policy          string   `yaml:"policy"` // proportional | reputation | balanced
	MinAmount       string   `yaml:"min_amount"`
	MaxSharePercent int      `yaml:"max_share_percent"`
	ExcludeColleges []string `yaml:"exclude_colleges"`
	ExcludeMembers  []string `yaml:"exclude_members"`
}

// Digest configures the periodic digest.
type Digest struct {
	Schedule Schedule `yaml:"schedule"` // off when ""
	Top      int      `yaml:"top"`
}

// College is one voting college of a SCIC. A zero Weight everywhere means
// equal weights.
type College struct {
	Weight int `yaml:"weight"`

	// Roles are Discord role ids: a member seen with one of them and no
	// college yet is placed in this college.
	Roles []string `yaml:"roles"`
}

// Default returns the embedded defaults, with which docracy runs without a
// configuration file (SQLite at ./docracy.db, HTTP on 127.0.0.1:8080, the
// digest to the log). Secrets are empty: use
// FromEnv to pick them from the environment.
func Default() *Config {
	return &Config{
		Database: "./docracy.db",
		HTTP:     HTTP{Listen: "127.0.0.1:8080"},
		Log:      Log{Level: "info", Format: "text"},
		GitHub:   GitHub{Reconcile: mustSchedule("@hourly")},
		Scoring: Scoring{
			Categories: []string{
				"code", "review", "doc", "design", "translation", "bug",
				"security", "infra", "community", "research", "ops",
			},
			MergedPR:       5,
			Review:         2,
			Praise:         1,
			PraiseDailyCap: 5,
			HalfLifeDays:   90,
			Labels: map[string]LabelRule{
				"security":      {Category: "security", Bonus: 10},
				"documentation": {Category: "doc"},
				"no-credit":     {Skip: true},
			},
		},
		Payouts: Payouts{
			Currency:        "EUR",
			Decimals:        2,
			Period:          "monthly",
			Budget:          "1000.00",
			Policy:          "balanced",
			MinAmount:       "5.00",
			MaxSharePercent: 25,
		},
		Digest: Digest{
			Schedule: mustSchedule("CRON_TZ=Europe/Paris 0 9 * * MON"),
			Top:      10,
		},
		Colleges: map[string]College{
			"workers":    {Weight: 30},
			"volunteers": {Weight: 30},
			"users":      {Weight: 20},
			"partners":   {Weight: 20},
		},
	}
}

// FromEnv returns the defaults with the secrets read from their conventional
// environment variables. It is the configuration used when there is no file.
// getenv is usually os.LookupEnv.
func FromEnv(getenv func(string) (string, bool)) *Config {
	c := Default()
	for _, s := range secrets {
		*s.field(c), _ = getenv(s.env)
	}
	return c
}

// CollegeNames returns the college names sorted, so that listings, digests
// and tallies come out in the same order every time.
func (c *Config) CollegeNames() []string { return sortedKeys(c.Colleges) }

// secrets lists the keys that may only come from the environment, with the
// variable used when the key is absent from the file.
var secrets = []struct {
	key   string
	env   string
	field func(*Config) *string
}{
	{"github.webhook_secret", "GITHUB_WEBHOOK_SECRET", func(c *Config) *string { return &c.GitHub.WebhookSecret }},
	{"github.token", "GITHUB_TOKEN", func(c *Config) *string { return &c.GitHub.Token }},
	{"discord.token", "DISCORD_TOKEN", func(c *Config) *string { return &c.Discord.Token }},
	{"discord.public_key", "DISCORD_PUBLIC_KEY", func(c *Config) *string { return &c.Discord.PublicKey }},
	{"discord.webhook_url", "DISCORD_WEBHOOK_URL", func(c *Config) *string { return &c.Discord.WebhookURL }},
}

// Redacted stands in for a secret that is set, wherever a Config is printed.
const Redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return "" // showing that a secret is unset helps, and leaks nothing
	}
	return Redacted
}

func (g GitHub) redacted() GitHub {
	g.WebhookSecret = redact(g.WebhookSecret)
	g.Token = redact(g.Token)
	return g
}

func (d Discord) redacted() Discord {
	d.Token = redact(d.Token)
	d.PublicKey = redact(d.PublicKey)
	d.WebhookURL = redact(d.WebhookURL)
	return d
}

func (c Config) redacted() Config {
	if strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://") {
		c.Database = Redacted
	}
	c.GitHub = c.GitHub.redacted()
	c.Discord = c.Discord.redacted()
	return c
}

// String returns the configuration as YAML with secrets redacted.
func (c Config) String() string { return toYAML(c.redacted()) }

// GoString keeps %#v from printing secrets.
func (c Config) GoString() string {
	type plain Config // no methods, so no recursion
	return fmt.Sprintf("%#v", plain(c.redacted()))
}

// LogValue logs the configuration as nested groups with secrets redacted.
func (c Config) LogValue() slog.Value { return logValue(reflect.ValueOf(c.redacted())) }

// String returns the section as YAML with secrets redacted.
func (g GitHub) String() string { return toYAML(g.redacted()) }

// GoString keeps %#v from printing secrets.
func (g GitHub) GoString() string {
	type plain GitHub
	return fmt.Sprintf("%#v", plain(g.redacted()))
}

// LogValue logs the section with secrets redacted.
func (g GitHub) LogValue() slog.Value { return logValue(reflect.ValueOf(g.redacted())) }

// String returns the section as YAML with secrets redacted.
func (d Discord) String() string { return toYAML(d.redacted()) }

// GoString keeps %#v from printing secrets.
func (d Discord) GoString() string {
	type plain Discord
	return fmt.Sprintf("%#v", plain(d.redacted()))
}

// LogValue logs the section with secrets redacted.
func (d Discord) LogValue() slog.Value { return logValue(reflect.ValueOf(d.redacted())) }

func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("config: %v", err) // plain structs of strings and ints never fail
	}
	return string(b)
}

// logValue turns an already redacted value into slog groups keyed like the
// file, so a logged configuration reads like docracy.yaml.
func logValue(v reflect.Value) slog.Value {
	if m, ok := v.Interface().(encoding.TextMarshaler); v.CanInterface() && ok {
		text, _ := m.MarshalText() // a Schedule's never fails
		return slog.StringValue(string(text))
	}
	switch v.Kind() {
	case reflect.Struct:
		attrs := make([]slog.Attr, 0, v.NumField())
		for i := 0; i < v.NumField(); i++ {
			attrs = append(attrs, slog.Attr{Key: yamlKey(v.Type().Field(i)), Value: logValue(v.Field(i))})
		}
		return slog.GroupValue(attrs...)
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		attrs := make([]slog.Attr, 0, len(keys))
		for _, k := range keys {
			attrs = append(attrs, slog.Attr{Key: k.String(), Value: logValue(v.MapIndex(k))})
		}
		return slog.GroupValue(attrs...)
	case reflect.Slice:
		return slog.AnyValue(v.Interface())
	case reflect.Int:
		return slog.Int64Value(v.Int())
	case reflect.Bool:
		return slog.BoolValue(v.Bool())
	default:
		return slog.StringValue(v.String())
	}
}
