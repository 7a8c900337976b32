package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Signer signs HTTP interactions as Discord does, with a key pair
// generated for the test.
type Signer struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewSigner generates a key pair.
func NewSigner(t testing.TB) *Signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{Public: pub, private: priv}
}

// PublicHex is the public key as the developer portal shows it, the value
// of DISCORD_PUBLIC_KEY.
func (s *Signer) PublicHex() string { return hex.EncodeToString(s.Public) }

// Sign sets the signature headers of body, signed at time at.
func (s *Signer) Sign(h http.Header, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(s.private, append([]byte(ts), body...))
	h.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	h.Set("X-Signature-Timestamp", ts)
}

// Request returns a signed POST of body to url.
func (s *Signer) Request(t testing.TB, url string, body []byte, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	s.Sign(req.Header, body, at)
	return req
}

// Guild is the id of the fake server interactions come from.
const Guild = "800000000000000001"

// User is someone on the fake server.
type User struct {
	ID    string
	Name  string
	Roles []string
	Bot   bool // an application's bot user, as Discord flags it
}

func (u User) user() *discordgo.User {
	return &discordgo.User{ID: u.ID, Username: u.Name, GlobalName: u.Name, Discriminator: "0", Bot: u.Bot}
}

func (u User) member() *discordgo.Member {
	return &discordgo.Member{User: u.user(), Roles: append([]string{}, u.Roles...), Permissions: 1 << 11,
		JoinedAt: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
}

// Option adds an option to a command.
type Option func(*discordgo.ApplicationCommandInteractionData)

func option(name string, t discordgo.ApplicationCommandOptionType, v any) Option {
	return func(d *discordgo.ApplicationCommandInteractionData) {
		d.Options = append(d.Options, &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: t, Value: v})
	}
}

// String is a string option.
func String(name, value string) Option {
	return option(name, discordgo.ApplicationCommandOptionString, value)
}

// Int is an integer option; JSON carries it as a number.
func Int(name string, value int64) Option {
	return option(name, discordgo.ApplicationCommandOptionInteger, float64(value))
}

// UserOption picks a user, resolved as Discord resolves it.
func UserOption(name string, u User) Option {
	return func(d *discordgo.ApplicationCommandInteractionData) {
		option(name, discordgo.ApplicationCommandOptionUser, u.ID)(d)
		if d.Resolved == nil {
			d.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{
				Users: map[string]*discordgo.User{}, Members: map[string]*discordgo.Member{},
			}
		}
		d.Resolved.Users[u.ID] = u.user()
		m := u.member()
		m.User = nil // Discord leaves the user out of resolved members
		d.Resolved.Members[u.ID] = m
	}
}

// Command is a slash command run by caller in the fake server, as Discord
// sends it; id is the interaction id.
func Command(id string, caller User, name string, opts ...Option) *discordgo.Interaction {
	data := discordgo.ApplicationCommandInteractionData{ID: "700000000000000001", Name: name, CommandType: discordgo.ChatApplicationCommand}
	for _, o := range opts {
		o(&data)
	}
	locale := discordgo.EnglishUS
	return &discordgo.Interaction{
		ID: id, AppID: AppID, Type: discordgo.InteractionApplicationCommand, Data: data,
		GuildID: Guild, ChannelID: "810000000000000001", Member: caller.member(),
		Locale: discordgo.EnglishGB, GuildLocale: &locale, Token: "token-" + id, Version: 1,
		AppPermissions: 2248473465835073,
	}
}

// Click is caller's click on the button with customID, under an
// ephemeral message of the bot, as Discord sends it; id is the
// interaction id.
func Click(id string, caller User, customID string) *discordgo.Interaction {
	data := discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}
	locale := discordgo.EnglishUS
	return &discordgo.Interaction{
		ID: id, AppID: AppID, Type: discordgo.InteractionMessageComponent, Data: data,
		GuildID: Guild, ChannelID: "810000000000000001", Member: caller.member(),
		Message: &discordgo.Message{ID: "1310000000000000001", ChannelID: "810000000000000001",
			Author: &discordgo.User{ID: AppID, Username: "docracy", Bot: true}, Flags: discordgo.MessageFlagsEphemeral},
		Locale: discordgo.EnglishGB, GuildLocale: &locale, Token: "token-" + id, Version: 1,
		AppPermissions: 2248473465835073,
	}
}

// Ping is Discord's check of an interactions endpoint.
func Ping(id string) *discordgo.Interaction {
	return &discordgo.Interaction{ID: id, AppID: AppID, Type: discordgo.InteractionPing, Token: "token-" + id, Version: 1}
}

// JSON encodes an interaction as Discord sends it.
func JSON(t testing.TB, i *discordgo.Interaction) []byte {
	t.Helper()
	b, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Click is caller's click on the button with customID of a channel
// message the fake holds, as Discord sends it over either transport (the
// JSON body of an HTTP interaction, or the data of INTERACTION_CREATE);
// id is the interaction id. As in Discord, only a button the message shows
// now, enabled, can be clicked: anything else fails the test.
func (f *Fake) Click(t testing.TB, id string, caller User, messageID, customID string) *discordgo.Interaction {
	t.Helper()
	m, ok := f.Message(messageID)
	if !ok {
		t.Fatalf("fake Discord: no message %s to click on", messageID)
	}
	if !hasButton(m.Components, customID) {
		t.Fatalf("fake Discord: message %s shows no enabled button %q", messageID, customID)
	}
	i := Click(id, caller, customID)
	i.ChannelID = m.ChannelID
	i.Message = &discordgo.Message{ID: m.ID, ChannelID: m.ChannelID, Content: m.Content,
		Author: &discordgo.User{ID: AppID, Username: "docracy", Bot: true}}
	return i
}

func hasButton(rows []discordgo.ActionsRow, customID string) bool {
	for _, row := range rows {
		for _, c := range row.Components {
			if b, ok := c.(*discordgo.Button); ok && b.CustomID == customID && !b.Disabled {
				return true
			}
		}
	}
	return false
}

// Sub is a subcommand, e.g. open of /poll, with its options.
func Sub(name string, opts ...Option) Option {
	return func(d *discordgo.ApplicationCommandInteractionData) {
		var sub discordgo.ApplicationCommandInteractionData
		for _, o := range opts {
			o(&sub)
		}
		d.Options = append(d.Options, &discordgo.ApplicationCommandInteractionDataOption{Name: name,
			Type: discordgo.ApplicationCommandOptionSubCommand, Options: sub.Options})
		if sub.Resolved != nil {
			d.Resolved = sub.Resolved
		}
	}
}
