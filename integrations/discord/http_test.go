package discord_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

func TestPingPong(t *testing.T) {
	h := newHarness(t)
	resp := h.post(discordtest.JSON(t, discordtest.Ping("1200000000000000001")))
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "{\"type\":1}\n" {
		t.Errorf("PING: %s %q, want 200 {\"type\":1}", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

// TestRefusedRequests checks that every request Discord did not sign, or
// signed too long ago, is refused with 401 and changes nothing.
func TestRefusedRequests(t *testing.T) {
	h := newHarness(t)
	credit := discordtest.JSON(t, h.command(alice, "credit", discordtest.UserOption("member", bob),
		discordtest.Int("points", 5), discordtest.String("category", "doc"), discordtest.String("note", "wrote the FAQ")))
	other := discordtest.NewSigner(t)
	tampered := bytes.Replace(credit, []byte(`"value":5`), []byte(`"value":500`), 1)
	if bytes.Equal(tampered, credit) {
		t.Fatal("the tampering did not change the body")
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"no signature", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, h.server.URL, bytes.NewReader(credit))
			return r
		}, http.StatusUnauthorized},
		{"wrong key", func() *http.Request { return other.Request(t, h.server.URL, credit, h.clock.Now()) }, http.StatusUnauthorized},
		{"wrong signature", func() *http.Request {
			r := h.signer.Request(t, h.server.URL, credit, h.clock.Now())
			r.Body = io.NopCloser(bytes.NewReader(tampered))
			r.ContentLength = int64(len(tampered))
			return r
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			r := h.signer.Request(t, h.server.URL, credit, h.clock.Now())
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}, http.StatusUnauthorized},
		{"stale timestamp", func() *http.Request {
			return h.signer.Request(t, h.server.URL, credit, h.clock.Now().Add(-discord.MaxClockSkew-time.Second))
		}, http.StatusUnauthorized},
		{"future timestamp", func() *http.Request {
			return h.signer.Request(t, h.server.URL, credit, h.clock.Now().Add(discord.MaxClockSkew+time.Second))
		}, http.StatusUnauthorized},
		{"malformed JSON", func() *http.Request {
			return h.signer.Request(t, h.server.URL, []byte(`{"type":2,"data":`), h.clock.Now())
		}, http.StatusBadRequest},
		{"too large", func() *http.Request {
			return h.signer.Request(t, h.server.URL, bytes.Repeat([]byte(" "), 2<<20), h.clock.Now())
		}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%s %s, want %d with an error", resp.Status, body, tt.status)
			}
		})
	}
	if entries, members := h.entries(), h.members(); len(entries) != 0 || len(members) != 0 {
		t.Errorf("refused requests stored %d entries and %d members", len(entries), len(members))
	}
	// Within the skew, the same interaction is answered.
	resp := h.postSigned(h.signer, credit, h.clock.Now().Add(-discord.MaxClockSkew+time.Second))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(h.entries()) != 1 {
		t.Errorf("a fresh signed credit: %s, %d entries; want 200 and 1", resp.Status, len(h.entries()))
	}
}

func TestParsePublicKey(t *testing.T) {
	s := discordtest.NewSigner(t)
	key, err := discord.ParsePublicKey(s.PublicHex())
	if err != nil || !bytes.Equal(key, s.Public) {
		t.Errorf("ParsePublicKey(valid) = %x, %v", key, err)
	}
	for _, bad := range []string{"", "abc", s.PublicHex()[:62], s.PublicHex() + "00", strings.Repeat("g", 64)} {
		if _, err := discord.ParsePublicKey(bad); err == nil || strings.Contains(err.Error(), bad) && bad != "" {
			t.Errorf("ParsePublicKey(%q) = %v, want an error that does not repeat the key", bad, err)
		}
	}
}

// TestNotACommand checks interactions the bot does not handle: an
// ephemeral answer, nothing stored.
func TestNotACommand(t *testing.T) {
	h := newHarness(t)
	i := discordtest.Ping("1200000000000000002")
	i.Type = discordgo.InteractionMessageComponent
	got := h.send(i)
	if got.Type != discordgo.InteractionResponseChannelMessageWithSource || got.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("component interaction answered %+v, want an ephemeral message", got)
	}
	if diff := cmp.Diff(0, len(h.entries())); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}
