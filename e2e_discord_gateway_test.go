package main_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	_ "modernc.org/sqlite"

	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// TestDiscordGatewayAndDigestEndToEnd runs the built binary against a fake
// Discord (discord.api_url) with a bot token: it registers its commands and
// posts the digest it missed while it was down; killed between the post and
// its record, it posts again on restart and Discord, by the nonce, keeps one
// message; it answers a command from the gateway and one over HTTP; killed
// and restarted again, it posts nothing more.
func TestDiscordGatewayAndDigestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	fake := discordtest.New(t)
	signer := discordtest.NewSigner(t)
	cfg := fmt.Sprintf("database: %s\ndiscord:\n  api_url: %s\n  guild_id: %q\n  digest_channel_id: \"555\"\n"+
		"  roles:\n    maintainer: [%q]\n    member: [%q]\n", db, fake.Server.URL, discordtest.Guild, e2eMaintainerRole, e2eMemberRole)
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	lastWeek := time.Now().Add(-7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	mustRun(t, dir, "credit", "--config", "docracy.yaml", "--member", "github:alice", "--points", "5",
		"--category", "code", "--url", "https://github.com/coop/x/pull/1", "--at", lastWeek)
	setMeta(t, db, "digests_since", time.Now().Add(-30*24*time.Hour).Unix()) // as if it had run a month ago

	env := []string{"DISCORD_TOKEN=fake-bot-token", "DISCORD_PUBLIC_KEY=" + signer.PublicHex()}
	// Discord takes the digest, and the process is killed before it hears
	// back: the digest is posted but not recorded.
	release := fake.HoldMessages()
	srv := startServeEnv(t, dir, env, "--config", "docracy.yaml")
	fake.WaitFor(t, 10*time.Second, "the missed digest", func() bool { return len(fake.Messages()) == 1 })
	kill(srv)
	release()
	srv = startServeEnv(t, dir, env, "--config", "docracy.yaml")
	fake.WaitFor(t, 10*time.Second, "the digest posted again", func() bool { return digestPosts(fake) == 2 })
	if n := len(fake.Messages()); n != 1 {
		t.Fatalf("%d digest messages after the crash and restart, want 1: the nonce is the same", n)
	}
	digest := fake.Messages()[0]
	if !strings.HasPrefix(digest.Content, "**docracy digest**") || !strings.HasPrefix(digest.Nonce, "digest-") ||
		len(digest.Files) != 1 || digest.Files[0] != "digest.png" || len(digest.AllowedMentions.Parse) != 0 {
		t.Errorf("digest message = %+v", digest)
	}
	fake.WaitFor(t, 10*time.Second, "command registration", func() bool { return len(fake.Commands(discordtest.Guild)) > 0 })

	fake.WaitReady(t, 10*time.Second)
	rep := discordtest.Command("1300000000000000101", e2eBob, "rep")
	fake.Dispatch(t, "INTERACTION_CREATE", rep)
	fake.WaitFor(t, 10*time.Second, "the /rep callback", func() bool { return len(fake.Callbacks()) == 1 })
	if cb := fake.Callbacks()[0]; cb.InteractionID != rep.ID || cb.Response.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("gateway callback = %+v", cb)
	}
	checkSignedCredit(t, srv.url, signer)

	kill(srv)
	srv = startServeEnv(t, dir, env, "--config", "docracy.yaml")
	time.Sleep(time.Second) // the time a repeated digest would take to post
	if n := digestPosts(fake); n != 2 {
		t.Errorf("%d digest posts after another restart, want still 2: the second one was recorded", n)
	}
	srv.stop(t)
	if n := len(fake.Overwrites()); n != 1 {
		t.Errorf("commands registered %d times over three starts, want once: the set did not change", n)
	}
	if out := mustRun(t, dir, "verify", "--config", "docracy.yaml"); !strings.HasPrefix(out, "ok 2 ") {
		t.Errorf("verify: %s", out)
	}
}

// kill stops the server with no chance to clean up.
func kill(s *server) {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

// digestPosts counts the attempts to post a message to the digest channel.
func digestPosts(fake *discordtest.Fake) int {
	n := 0
	for _, c := range fake.Calls() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/channels/555/messages") {
			n++
		}
	}
	return n
}

// checkSignedCredit sends a signed /credit over HTTP and finds it in the API.
func checkSignedCredit(t *testing.T, base string, signer *discordtest.Signer) {
	t.Helper()
	credit := discordtest.Command("1300000000000000102", e2eAlice, "credit", discordtest.UserOption("member", e2eCarol),
		discordtest.Int("points", 3), discordtest.String("category", "doc"), discordtest.String("note", "wrote the FAQ"))
	resp, err := http.DefaultClient.Do(signer.Request(t, base+"/discord/interactions", discordtest.JSON(t, credit), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed /credit: %d", resp.StatusCode)
	}
	var page struct {
		Entries []struct {
			SourceRef string `json:"source_ref"`
			Points    int64  `json:"points"`
		} `json:"entries"`
	}
	getJSON(t, base+"/api/v1/entries", &page)
	if n := len(page.Entries); n != 2 || page.Entries[1].SourceRef != "discord:interaction:"+credit.ID || page.Entries[1].Points != 3 {
		t.Errorf("entries after the signed /credit: %+v", page.Entries)
	}
}

// setMeta writes a meta value behind the ledger's back, as a database from
// an earlier run would hold it.
func setMeta(t *testing.T, path, key string, value int64) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, fmt.Sprint(value)); err != nil {
		t.Fatal(err)
	}
}

// TestCommandRegistrationRetriedAtStart runs the built binary while the
// fake Discord's commands API fails for a while at start-up: the commands
// are registered once it answers again, not left missing until a restart.
func TestCommandRegistrationRetriedAtStart(t *testing.T) {
	dir := t.TempDir()
	fake := discordtest.New(t)
	cfg := fmt.Sprintf("database: %s\ndiscord:\n  api_url: %s\n  guild_id: %q\n  application_id: %q\n",
		filepath.Join(dir, "ledger.db"), fake.Server.URL, discordtest.Guild, discordtest.AppID)
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// Four failures outlast REST's own three retries of a 5xx: the first
	// registration fails as a whole.
	fake.Fail(discordtest.Failure{Path: "/api/v9/applications/", Status: http.StatusServiceUnavailable, Times: 4})
	srv := startServeEnv(t, dir, []string{"DISCORD_TOKEN=fake-bot-token"}, "--config", "docracy.yaml")
	fake.WaitFor(t, 20*time.Second, "command registration after Discord came back", func() bool {
		return len(fake.Commands(discordtest.Guild)) > 0
	})
	srv.stop(t)
	if logs := srv.logs.String(); !strings.Contains(logs, "register commands") || !strings.Contains(logs, "retry_in") {
		t.Errorf("the failed registration is not logged with its retry:\n%s", logs)
	}
}
