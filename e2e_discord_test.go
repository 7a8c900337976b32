package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// The fake server's roles and people, as the configuration names them.
const (
	e2eMaintainerRole = "910000000000000001"
	e2eMemberRole     = "910000000000000003"
)

var (
	e2eAlice = discordtest.User{ID: "100000000000000001", Name: "Alice", Roles: []string{e2eMaintainerRole, e2eMemberRole}}
	e2eBob   = discordtest.User{ID: "100000000000000002", Name: "Bob", Roles: []string{e2eMemberRole}}
	e2eCarol = discordtest.User{ID: "100000000000000003", Name: "Carol", Roles: []string{e2eMemberRole}}
)

// TestDiscordEndToEnd runs the built binary with DISCORD_PUBLIC_KEY set and
// sends it interactions signed with the matching private key, over HTTP,
// as Discord would; then checks the ledger with the CLI.
func TestDiscordEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	cfg := fmt.Sprintf("database: %s\ndiscord:\n  guild_id: %q\n  roles:\n    maintainer: [%q]\n    member: [%q]\n",
		db, discordtest.Guild, e2eMaintainerRole, e2eMemberRole)
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	signer := discordtest.NewSigner(t)
	srv := startServeEnv(t, dir, []string{"DISCORD_PUBLIC_KEY=" + signer.PublicHex()}, "--config", "docracy.yaml")
	endpoint := srv.url + "/discord/interactions"
	if !strings.Contains(srv.logs.String(), `msg=integration name="discord interactions" status=on reason="DISCORD_PUBLIC_KEY is set"`) {
		t.Errorf("the log does not say the interactions endpoint is on:\n%s", srv.logs)
	}

	post := func(s *discordtest.Signer, i *discordgo.Interaction) (int, discordgo.InteractionResponse) {
		t.Helper()
		resp, err := http.DefaultClient.Do(s.Request(t, endpoint, discordtest.JSON(t, i), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r discordgo.InteractionResponse
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatalf("%s: %v\n%s", i.ID, err, body)
			}
		}
		return resp.StatusCode, r
	}

	if status, r := post(signer, discordtest.Ping("1300000000000000001")); status != http.StatusOK || r.Type != discordgo.InteractionResponsePong {
		t.Errorf("PING: %d %+v, want 200 PONG", status, r)
	}
	credit := discordtest.Command("1300000000000000002", e2eAlice, "credit", discordtest.UserOption("member", e2eBob),
		discordtest.Int("points", 5), discordtest.String("category", "doc"), discordtest.String("note", "the <install> guide @everyone"))
	if status, _ := post(discordtest.NewSigner(t), credit); status != http.StatusUnauthorized {
		t.Errorf("a credit signed with another key: %d, want 401", status)
	}
	for range 2 { // Discord retrying the same interaction
		status, r := post(signer, credit)
		if status != http.StatusOK || r.Data == nil || len(r.Data.Embeds) == 0 || r.Data.Embeds[0].Title != "+5 doc points for Bob" {
			t.Fatalf("/credit: %d %+v", status, r.Data)
		}
		if am := r.Data.AllowedMentions; len(am.Parse) != 0 || len(am.Users) != 1 || am.Users[0] != e2eBob.ID {
			t.Errorf("/credit may ping %+v, want Bob only", am)
		}
	}
	status, r := post(signer, discordtest.Command("1300000000000000003", e2eBob, "praise",
		discordtest.UserOption("member", e2eCarol), discordtest.String("reason", "fixed the release")))
	if status != http.StatusOK || r.Data.Embeds[0].Title != "Bob praised Carol" {
		t.Errorf("/praise: %d %+v", status, r.Data)
	}
	status, r = post(signer, discordtest.Command("1300000000000000004", e2eBob, "credit", discordtest.UserOption("member", e2eBob),
		discordtest.Int("points", 99), discordtest.String("category", "doc"), discordtest.String("note", "me")))
	if status != http.StatusOK || r.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(r.Data.Embeds[0].Description, "/credit is for maintainers") {
		t.Errorf("/credit by a member: %d %+v", status, r.Data)
	}
	status, r = post(signer, discordtest.Command("1300000000000000005", e2eCarol, "rep", discordtest.UserOption("member", e2eBob)))
	if status != http.StatusOK || !strings.HasPrefix(r.Data.Embeds[0].Description, "**Rank 1**") {
		t.Errorf("/rep: %d %+v", status, r.Data)
	}
	metrics := metricsText(t, srv.url+"/metrics")
	if !strings.Contains(metrics, `docracy_discord_interactions_total{command="credit",outcome="ok"} 2`) ||
		!strings.Contains(metrics, `docracy_discord_interactions_total{command="credit",outcome="forbidden"} 1`) ||
		!strings.Contains(metrics, `docracy_discord_http_rejected_total{reason="bad_signature"} 1`) {
		t.Errorf("/metrics does not count the interactions:\n%s", discordMetricLines(metrics, "docracy_discord"))
	}
	srv.stop(t)
	if strings.Contains(srv.logs.String(), signer.PublicHex()) {
		t.Error("the log shows DISCORD_PUBLIC_KEY")
	}

	export := mustRun(t, dir, "export", "--config", "docracy.yaml")
	if n := strings.Count(export, "\n"); n != 2 ||
		!strings.Contains(export, `"source":"discord","source_ref":"discord:interaction:1300000000000000002"`) ||
		!strings.Contains(export, `"note":"the <install> guide @everyone"`) {
		t.Errorf("export after the Discord commands:\n%s", export)
	}
	if out := mustRun(t, dir, "verify", "--config", "docracy.yaml"); !strings.HasPrefix(out, "ok 2 ") {
		t.Errorf("verify: %s", out)
	}
	// The CLI's link is the maintainer's /link member github.
	if out := mustRun(t, dir, "link", "--config", "docracy.yaml", "--member", "discord:"+e2eBob.ID, "--github", "bob"); out != "3\n" {
		t.Errorf("link printed %q, want the link entry's seq", out)
	}
	if rep := mustRun(t, dir, "rep", "--config", "docracy.yaml", "github:bob"); !strings.Contains(rep, "5 points") {
		t.Errorf("rep github:bob after the link:\n%s", rep)
	}
}

func metricsText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func discordMetricLines(s, substr string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestDiscordRegisterNeedsToken checks the command's refusal without a
// bot token, the one part that runs without Discord.
func TestDiscordRegisterNeedsToken(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := docracy(t, dir, "discord", "register")
	if code != 1 || !strings.Contains(stderr, "DISCORD_TOKEN is not set: registering commands needs the bot token") {
		t.Errorf("discord register without a token: exit %d, %q", code, stderr)
	}
	_, stderr, code = docracy(t, dir, "discord")
	if code != 2 || !strings.Contains(stderr, "give the subcommand: docracy discord register") {
		t.Errorf("discord without a subcommand: exit %d, %q", code, stderr)
	}
}

// TestDiscordInteractionsRefusesOtherMethods checks that a GET (or any
// method but POST) to the interactions endpoint of the built binary gets
// a JSON 405 naming POST, as /github/webhook does, not the dashboard's 404.
func TestDiscordInteractionsRefusesOtherMethods(t *testing.T) {
	dir := t.TempDir()
	cfg := fmt.Sprintf("database: %s\n", filepath.Join(dir, "ledger.db"))
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	signer := discordtest.NewSigner(t)
	srv := startServeEnv(t, dir, []string{"DISCORD_PUBLIC_KEY=" + signer.PublicHex()}, "--config", "docracy.yaml")
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		resp, body := fetch(t, method, srv.url+"/discord/interactions", nil, nil)
		var e struct{ Error string }
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "POST") {
			t.Errorf("%s /discord/interactions: %d Allow=%q %s", method, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	}
	srv.stop(t)
}
