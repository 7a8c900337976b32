package discord

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"
)

// Gateway receives slash commands over a discordgo gateway session (the
// bot token) and answers them by REST, through the same Router as the HTTP
// endpoint.
type Gateway struct {
	Session   *discordgo.Session
	Router    *Router
	Responder Responder
	Logger    *slog.Logger

	remove func()
}

// Open connects to the gateway. discordgo reconnects by itself afterwards.
func (g *Gateway) Open() error {
	g.remove = g.Session.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		g.Handle(context.Background(), ic.Interaction)
	})
	if err := g.Session.Open(); err != nil {
		g.remove()
		return fmt.Errorf("discord gateway: %w", err)
	}
	return nil
}

// Close disconnects from the gateway.
func (g *Gateway) Close() error {
	if g.remove != nil {
		g.remove()
	}
	return g.Session.Close()
}

// Handle routes one interaction and sends the first response by REST,
// within Discord's deadline for it.
func (g *Gateway) Handle(ctx context.Context, i *discordgo.Interaction) {
	delivered := make(chan struct{})
	defer close(delivered)
	resp := g.Router.Handle(ctx, i, delivered)
	ctx, cancel := context.WithTimeout(ctx, discordgo.InteractionDeadline)
	defer cancel()
	if err := g.Responder.Respond(ctx, i, resp); err != nil && g.Logger != nil {
		g.Logger.Error("discord respond", "interaction", i.ID, "err", err)
	}
}
