package discord

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// userID is what Discord sends for a user: a snowflake, written out here
// rather than taken from the code under test.
var userID = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)

// FuzzOptions feeds interaction payloads, seeded with the real ones of
// testdata, through the option parsing and checking the router does
// before any work. It must never panic; a refused payload must get an
// invalid-option error that a person can read; an accepted one must carry
// every required option, each readable with its declared type and within
// its bounds.
func FuzzOptions(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":2,"data":{"name":"credit","options":[{"name":"points","type":4,"value":"5"},{"name":"points","type":4,"value":1e300}]}}`))
	f.Add([]byte(`{"type":2,"data":{"name":"praise","options":[{"name":"member","type":6,"value":7},{"name":"reason","type":3,"value":null}]}}`))
	table := map[string]*command{}
	for _, c := range commandTable([]string{"code", "doc", "community"}, []string{"workers", "users", "partners"}) {
		table[c.name] = c
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var i discordgo.Interaction
		if json.Unmarshal(payload, &i) != nil {
			return
		}
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return
		}
		resolvedName(data, "1") // must not panic on any resolved data
		opts, err := parseOptions(data.Options)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		cmd := table[data.Name]
		if cmd == nil {
			return
		}
		if err := cmd.checkOptions(opts); err != nil {
			checkRefusal(t, err)
			return
		}
		checkAccepted(t, cmd, opts)
	})
}

func checkRefusal(t *testing.T, err error) {
	var e *bot.Error
	if !errors.As(err, &e) || e.Code != bot.CodeInvalid || e.Message == "" || !utf8.ValidString(e.Message) {
		t.Fatalf("refusal %#v is not an invalid-option error a person can read", err)
	}
}

func checkAccepted(t *testing.T, cmd *command, opts options) {
	for _, def := range cmd.options {
		if _, ok := opts[def.Name]; !ok {
			if def.Required {
				t.Fatalf("/%s accepted without its required option %s", cmd.name, def.Name)
			}
			continue
		}
		var err error
		switch def.Type {
		case discordgo.ApplicationCommandOptionString:
			var s string
			s, err = opts.String(def.Name)
			if err == nil && def.MaxLength > 0 && utf8.RuneCountInString(s) > def.MaxLength {
				t.Fatalf("/%s %s accepted %d characters, more than %d", cmd.name, def.Name, utf8.RuneCountInString(s), def.MaxLength)
			}
		case discordgo.ApplicationCommandOptionInteger:
			var n int64
			n, _, err = opts.Int(def.Name)
			if err == nil && (float64(n) < *def.MinValue || float64(n) > def.MaxValue) {
				t.Fatalf("/%s %s accepted %d, out of range", cmd.name, def.Name, n)
			}
		case discordgo.ApplicationCommandOptionUser:
			var id string
			id, err = opts.User(def.Name)
			if err == nil && !userID.MatchString(id) {
				t.Fatalf("/%s %s accepted user id %q", cmd.name, def.Name, id)
			}
		}
		if err != nil {
			t.Fatalf("/%s accepted, but option %s does not read: %v", cmd.name, def.Name, err)
		}
	}
}
