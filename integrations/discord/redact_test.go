package discord_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/internal/testkit"
)

// TestInteractionTokenNeverLogged cuts the network to Discord while a
// deferred command waits to deliver its result: the failed follow-up is
// logged, with no interaction token in the line, and the REST errors
// themselves hold none either. The log is not redacted by its handler
// here: the errors must be clean where they are made.
func TestInteractionTokenNeverLogged(t *testing.T) {
	h := newHarness(t)
	var logs testkit.LockedBuffer
	h.router.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	h.router.DeferAfter = 20 * time.Millisecond
	h.bot.Ledger = slowLedger{Ledger: h.ledger, delay: 300 * time.Millisecond}

	i := h.command(carol, "rep")
	if resp := h.send(i); resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response %v, want a deferral", resp.Type)
	}
	h.discord.Server.Close() // Discord is gone before the result is ready
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "discord edit") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "discord edit") {
		t.Fatalf("the failed edit is not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), i.Token) {
		t.Errorf("the log holds the interaction token %s:\n%s", i.Token, logs.String())
	}
	checkRESTErrorsClean(t, h, i)
}

// checkRESTErrorsClean calls every interaction endpoint of an unreachable
// Discord and checks that no error quotes the token.
func checkRESTErrorsClean(t *testing.T, h *harness, i *discordgo.Interaction) {
	t.Helper()
	ctx := context.Background()
	content := "x"
	errs := map[string]error{
		"respond":   h.rest.Respond(ctx, i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}),
		"edit":      h.rest.Edit(ctx, i, &discordgo.WebhookEdit{Content: &content}),
		"follow up": h.rest.FollowUp(ctx, i, &discordgo.WebhookParams{Content: content}),
		"delete":    h.rest.Delete(ctx, i),
	}
	for op, err := range errs {
		if err == nil || strings.Contains(err.Error(), i.Token) || !strings.Contains(err.Error(), "/***") {
			t.Errorf("%s: err = %v, want a failure with the token masked", op, err)
		}
	}
}

// TestDigestWebhookTokenNotInError posts a digest through a webhook URL
// to an unreachable Discord: the error says what failed, without the token.
func TestDigestWebhookTokenNotInError(t *testing.T) {
	fake := discordtest.New(t)
	const token = "webhookSECRETtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	p, err := discord.WebhookPoster(newREST(t, fake, nil), "https://discord.com/api/webhooks/123/"+token)
	if err != nil {
		t.Fatal(err)
	}
	fake.Server.Close()
	_, err = p.PostDigest(context.Background(), sampleDigest(t), "n")
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "/webhooks/123/***") {
		t.Errorf("PostDigest err = %v, want a failure with the token masked", err)
	}
}
