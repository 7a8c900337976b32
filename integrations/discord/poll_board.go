package discord

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// PollMessages remembers which message shows each poll, as
// "<channel id>/<message id>"; the ledger keeps it beside the chain.
type PollMessages interface {
	SetPollMessage(ctx context.Context, poll int64, where string) error
	PollMessage(ctx context.Context, poll int64) (string, error)
}

// PollReader reads a poll with its tally, for its message.
type PollReader interface {
	Poll(ctx context.Context, id string) (bot.Poll, error)
}

// channelAPI posts and edits channel messages; *REST provides it.
type channelAPI interface {
	PostMessage(ctx context.Context, channelID string, m *discordgo.MessageSend) (*discordgo.Message, error)
	EditMessage(ctx context.Context, m *discordgo.MessageEdit) error
}

// DefaultTallyDelay is how long a poll's message waits after a vote before
// it is edited: the votes cast meanwhile share the one edit, which keeps a
// busy poll within Discord's rate limits.
const DefaultTallyDelay = time.Second

// boardTimeout bounds one post or edit of a poll's message.
const boardTimeout = 30 * time.Second

// PollBoard keeps each poll's message in step with its votes: it posts
// the message when the poll opens, edits it with the live tally at most
// once per Delay, and shows the final result when the poll closes.
type PollBoard struct {
	Assembly PollReader
	Messages PollMessages
	Channel  channelAPI
	Delay    time.Duration // 0 means DefaultTallyDelay
	Logger   *slog.Logger

	mu      sync.Mutex
	pending map[int64]*time.Timer // polls whose edit is due
	wg      sync.WaitGroup        // edits running
	stopped bool
}

// NewPollBoard returns a board that posts through rest.
func NewPollBoard(a PollReader, m PollMessages, rest *REST, log *slog.Logger) *PollBoard {
	return &PollBoard{Assembly: a, Messages: m, Channel: rest, Logger: log}
}

// Post posts a poll's message in a channel and remembers it. A poll that
// has its message already (a retried /poll open) is not posted again.
func (b *PollBoard) Post(ctx context.Context, channelID string, p bot.Poll) error {
	seq, _ := bot.ParsePollID(p.ID)
	if where, err := b.Messages.PollMessage(ctx, seq); err != nil || where != "" {
		return err
	}
	content, embeds := Fit("", []*discordgo.MessageEmbed{pollEmbed(p)})
	msg, err := b.Channel.PostMessage(ctx, channelID, &discordgo.MessageSend{Content: content, Embeds: embeds,
		Components: pollButtons(p), AllowedMentions: reply{}.allowedMentions()})
	if err != nil {
		return err
	}
	return b.Messages.SetPollMessage(ctx, seq, channelID+"/"+msg.ID)
}

// Touch asks for the poll's message to show the live tally: the edit
// follows after Delay, one for every vote cast meanwhile.
func (b *PollBoard) Touch(poll string) {
	seq, ok := bot.ParsePollID(poll)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped || b.pending[seq] != nil {
		return
	}
	if b.pending == nil {
		b.pending = map[int64]*time.Timer{}
	}
	b.wg.Add(1)
	b.pending[seq] = time.AfterFunc(orDefault(b.Delay, DefaultTallyDelay), func() { b.flush(seq) })
}

// flush edits a poll's message with its figures now.
func (b *PollBoard) flush(seq int64) {
	defer b.wg.Done()
	b.mu.Lock()
	delete(b.pending, seq)
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), boardTimeout)
	defer cancel()
	p, err := b.Assembly.Poll(ctx, bot.EntryID(seq))
	if err == nil {
		err = b.show(ctx, p)
	}
	if err != nil {
		b.logger().Error("poll message", "poll", bot.EntryID(seq), "err", err)
	}
}

// show edits the poll's message to p; a poll shown nowhere is left alone.
func (b *PollBoard) show(ctx context.Context, p bot.Poll) error {
	seq, _ := bot.ParsePollID(p.ID)
	where, err := b.Messages.PollMessage(ctx, seq)
	channel, id, ok := strings.Cut(where, "/")
	if err != nil || !ok {
		return err
	}
	content, embeds := Fit("", []*discordgo.MessageEmbed{pollEmbed(p)})
	components := pollButtons(p)
	return b.Channel.EditMessage(ctx, &discordgo.MessageEdit{ID: id, Channel: channel, Content: &content,
		Embeds: &embeds, Components: &components, AllowedMentions: reply{}.allowedMentions()})
}

// AnnouncePoll shows a closed poll's result: its message is edited to the
// final figures, buttons removed, and the result with each college's
// figures is posted under it. It reports false for a poll shown nowhere.
func (b *PollBoard) AnnouncePoll(ctx context.Context, p bot.Poll) (bool, error) {
	seq, _ := bot.ParsePollID(p.ID)
	b.cancel(seq)
	where, err := b.Messages.PollMessage(ctx, seq)
	channel, _, ok := strings.Cut(where, "/")
	if err != nil || !ok {
		return false, err
	}
	if err := b.show(ctx, p); err != nil {
		return true, err
	}
	content, embeds := Fit(fmt.Sprintf("**Poll %s is closed.**", p.ID), []*discordgo.MessageEmbed{resultEmbed(p)})
	_, err = b.Channel.PostMessage(ctx, channel, &discordgo.MessageSend{Content: content, Embeds: embeds,
		AllowedMentions: reply{}.allowedMentions()})
	return true, err
}

// PollClosed is AnnouncePoll for serve's closing schedule.
func (b *PollBoard) PollClosed(ctx context.Context, p bot.Poll) error {
	_, err := b.AnnouncePoll(ctx, p)
	return err
}

// cancel drops a pending edit: the final one replaces it.
func (b *PollBoard) cancel(seq int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.pending[seq]; t != nil && t.Stop() {
		delete(b.pending, seq)
		b.wg.Done()
	}
}

// Stop edits at once the messages whose edit is pending, so that none
// misses a vote, then waits for the edits to end or ctx.
func (b *PollBoard) Stop(ctx context.Context) error {
	b.mu.Lock()
	b.stopped = true
	var due []int64
	for seq, t := range b.pending {
		if t.Stop() {
			due = append(due, seq)
		}
	}
	b.mu.Unlock()
	for _, seq := range due {
		go b.flush(seq)
	}
	if err := wait(ctx, &b.wg); err != nil {
		return fmt.Errorf("discord: poll messages still being edited: %w", err)
	}
	return nil
}

func (b *PollBoard) logger() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}
