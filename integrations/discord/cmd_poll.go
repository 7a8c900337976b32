package discord

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Assembly is what /poll, /vote and the polls' buttons need: *bot.Assembly.
type Assembly interface {
	PollReader
	OpenPoll(ctx context.Context, r bot.OpenPollRequest) (bot.Poll, error)
	Vote(ctx context.Context, r bot.VoteRequest) (bot.Poll, error)
	ClosePoll(ctx context.Context, r bot.ClosePollRequest) (bot.Poll, error)
	PollInfo(ctx context.Context, seq int64) (bot.PollInfo, error)
	ByCollege() bool
}

// buttonsPerRow is Discord's limit on the buttons of an action row; ten
// options make two rows.
const buttonsPerRow = 5

func pollsOff() error {
	return refused("polls are not set up on this docracy: a server admin must run it with a ledger that has them")
}

// openPoll runs /poll open: the poll is opened in the ledger, then posted
// in the channel with one button per option. The maintainer alone sees
// the reply; everyone sees the poll.
func (r *Router) openPoll(ctx context.Context, q *request) (reply, error) {
	if r.Assembly == nil {
		return reply{}, pollsOff()
	}
	req, err := r.openRequest(q)
	if err != nil {
		return reply{}, err
	}
	p, err := r.Assembly.OpenPoll(ctx, req)
	if err != nil {
		return reply{}, err
	}
	if err := r.Polls.Post(ctx, q.i.ChannelID, p); err != nil {
		r.Logger.Error("post poll", "poll", p.ID, "err", err)
		return reply{content: fmt.Sprintf("Poll %s opened, but its message could not be posted here (%s): members can vote with `/vote poll:%s`.",
			p.ID, Truncate(err.Error(), 200), p.ID)}, nil
	}
	return reply{content: fmt.Sprintf("Poll %s opened: %s.", p.ID, electorateLine(p))}, nil
}

// openRequest reads /poll open's options.
func (r *Router) openRequest(q *request) (bot.OpenPollRequest, error) {
	question, _ := q.opts.String(optQuestion)
	req := bot.OpenPollRequest{Question: question, Mode: string(bot.PollByMember), Majority: bot.MajoritySimple,
		Ref: "discord:" + q.ref(), Actor: q.actor(), Source: source}
	if r.Assembly.ByCollege() {
		req.Mode = string(bot.PollByCollege)
	}
	if s, _ := q.opts.String(optOptions); s != "" {
		req.Options = strings.Split(s, ",")
		for i := range req.Options {
			req.Options[i] = strings.TrimSpace(req.Options[i])
		}
	}
	if s, _ := q.opts.String(optMode); s != "" {
		req.Mode = s
	}
	if s, _ := q.opts.String(optMajority); s != "" {
		req.Majority = s
	}
	quorum, _, _ := q.opts.Int(optQuorum)
	req.QuorumPercent = int(quorum)
	closes, _ := q.opts.String(optCloses)
	var err error
	req.Closes, err = parseCloses(closes, r.now())
	return req, err
}

// maxDays is the most days a time.Duration holds.
const maxDays = int(math.MaxInt64 / int64(24*time.Hour))

// parseCloses reads a closing time: "" for none, a duration from now in
// days, hours or minutes (3d, 12h, 90m), or an RFC 3339 time.
func parseCloses(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		// Beyond maxDays the product wraps around to some other duration.
		if err == nil && n > 0 && n <= maxDays {
			d = time.Duration(n) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return time.Time{}, invalidOption(optCloses, "closes %q: give a duration such as 3d, 12h or 90m, or a time such as 2026-03-08T18:00:00Z", s)
	}
	return now.Add(d), nil
}

// closePoll runs /poll close: the tally is appended once, the poll's
// message shows the result and the result is posted under it. A poll
// shown nowhere (opened by the CLI) has its result posted as the reply.
func (r *Router) closePoll(ctx context.Context, q *request) (reply, error) {
	if r.Assembly == nil {
		return reply{}, pollsOff()
	}
	id, _ := q.opts.String(optPoll)
	p, err := r.Assembly.ClosePoll(ctx, bot.ClosePollRequest{Poll: id, Actor: q.actor(), Source: source})
	if err != nil {
		return reply{}, err
	}
	if !p.ClosedNow { // closed by another call, which posted the result
		return reply{content: fmt.Sprintf("Poll %s was already closed: %s.", p.ID, outcomeLine(p)),
			embeds: []*discordgo.MessageEmbed{resultEmbed(p)}}, nil
	}
	shown, err := r.Polls.AnnouncePoll(ctx, p)
	if err != nil {
		r.Logger.Error("announce poll", "poll", p.ID, "err", err)
	}
	if !shown {
		return reply{content: fmt.Sprintf("**Poll %s is closed.**", p.ID), embeds: []*discordgo.MessageEmbed{resultEmbed(p)}}, nil
	}
	return reply{content: fmt.Sprintf("Poll %s closed: %s. The result is posted under the poll.", p.ID, outcomeLine(p))}, nil
}

// showPoll runs /poll show: the figures so far, for the caller alone.
func (r *Router) showPoll(ctx context.Context, q *request) (reply, error) {
	if r.Assembly == nil {
		return reply{}, pollsOff()
	}
	id, _ := q.opts.String(optPoll)
	p, err := r.Assembly.Poll(ctx, id)
	if err != nil {
		return reply{}, err
	}
	return reply{embeds: []*discordgo.MessageEmbed{resultEmbed(p)}}, nil
}

// vote runs /vote poll option.
func (r *Router) vote(ctx context.Context, q *request) (reply, error) {
	id, _ := q.opts.String(optPoll)
	option, _ := q.opts.String(optOption)
	return r.castVote(ctx, q, id, option)
}

// clickVote answers a click on a poll's button, poll:<poll id>:<option
// index>: the option is read from the poll, as the index stays valid
// whatever the option's name.
func (r *Router) clickVote(ctx context.Context, q *request) (reply, error) {
	if r.Assembly == nil {
		return reply{}, pollsOff()
	}
	id, index, _ := strings.Cut(q.arg, ":")
	seq, ok := bot.ParsePollID(id)
	n, err := strconv.Atoi(index)
	if !ok || err != nil {
		return reply{}, refused("this button is not one docracy sent: vote with /vote")
	}
	info, err := r.Assembly.PollInfo(ctx, seq)
	if err != nil {
		return reply{}, refused("poll %s does not exist: vote with /vote", id)
	}
	if n < 0 || n >= len(info.Options) {
		return reply{}, refused("poll %s has no option %d: vote with /vote", id, n+1)
	}
	return r.castVote(ctx, q, info.ID(), info.Options[n])
}

// castVote records the caller's vote and has the poll's message updated;
// the interaction's id makes a retried one add nothing.
func (r *Router) castVote(ctx context.Context, q *request, poll, option string) (reply, error) {
	if r.Assembly == nil {
		return reply{}, pollsOff()
	}
	p, err := r.Assembly.Vote(ctx, bot.VoteRequest{Poll: poll, Member: "discord:" + q.userID, Option: option,
		Ref: "discord:" + q.ref(), Actor: q.actor(), Source: source})
	if err != nil {
		return reply{}, err
	}
	r.Polls.Touch(p.ID)
	return reply{content: fmt.Sprintf("You voted **%s** in %s; click again (or `/vote`) to change your vote until it closes.",
		escape(option), p.ID)}, nil
}

// pollButtons are a poll's buttons, five a row; a closed poll has none,
// and the empty list removes those of its message.
func pollButtons(p bot.Poll) []discordgo.MessageComponent {
	rows := []discordgo.MessageComponent{}
	if p.Status != "open" {
		return rows
	}
	for start := 0; start < len(p.Options); start += buttonsPerRow {
		row := discordgo.ActionsRow{}
		for i := start; i < min(start+buttonsPerRow, len(p.Options)); i++ {
			style := discordgo.PrimaryButton
			if p.Options[i].Name == bot.Abstain {
				style = discordgo.SecondaryButton
			}
			row.Components = append(row.Components, discordgo.Button{Label: Truncate(p.Options[i].Name, 80), Style: style,
				CustomID: fmt.Sprintf("%s:%s:%d", buttonPoll, p.ID, i)})
		}
		rows = append(rows, row)
	}
	return rows
}

// pollEmbed is a poll's message: the question, each option's votes and
// share, participation against the quorum, and when it closes.
func pollEmbed(p bot.Poll) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: "Poll " + p.ID + ": " + Truncate(bot.OneLine(p.Question), 200), Color: colorPending,
		Description: optionLines(p.Options),
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Mode", Value: p.Mode + ", " + p.Majority + " majority", Inline: true},
			{Name: "Participation", Value: participation(p), Inline: true},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "Click an option to vote; click another to change your vote. Votes are public."},
	}
	if p.ClosesAt != nil {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Closes", Value: timestamp(*p.ClosesAt, "R"), Inline: true})
	}
	if p.Status != "open" {
		e.Color = colorDone
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Result", Value: outcomeLine(p), Inline: false})
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Closed: the result is final and in the ledger."}
	}
	return e
}

// resultEmbed is a poll's figures with each college's, as posted when it
// closes and shown by /poll show.
func resultEmbed(p bot.Poll) *discordgo.MessageEmbed {
	e := pollEmbed(p)
	e.Footer = &discordgo.MessageEmbedFooter{Text: "Recount it from docracy export, or read /api/v1/polls/" + p.ID}
	if p.Status == "open" {
		e.Color = colorInfo
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "So far", Value: outcomeLine(p)})
	}
	for _, c := range p.Colleges[:min(len(p.Colleges), 20)] {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: fmt.Sprintf("%s (weight %d)", escape(c.Name), c.Weight),
			Value: count(c.Voters, "voter") + "\n" + optionLines(c.Options), Inline: true})
	}
	return e
}

func optionLines(options []bot.OptionResult) string {
	lines := make([]string, len(options))
	for i, o := range options {
		lines[i] = fmt.Sprintf("**%s**: %s · %s %%", escape(Truncate(o.Name, 80)), count(o.Votes, "vote"), o.Percent)
	}
	return strings.Join(lines, "\n")
}

func participation(p bot.Poll) string {
	s := fmt.Sprintf("%d of %d (%s %%)", p.Voters, p.Electorate, p.ParticipationPercent)
	if p.QuorumPercent > 0 {
		s += fmt.Sprintf(", quorum %d %%", p.QuorumPercent)
	}
	return s
}

func electorateLine(p bot.Poll) string {
	return count(p.Electorate, "member") + " may vote"
}

// outcomeLine says how a poll ended, or where it stands while open.
func outcomeLine(p bot.Poll) string {
	switch p.Outcome {
	case bot.OutcomeAdopted:
		return "**" + escape(p.Adopted) + "** adopted"
	case bot.OutcomeOpen:
		return "open, " + participation(p)
	}
	return p.Outcome
}
