package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func runPoll(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "poll", []subcommand{
		{"open", "--question Q --mode M [--options A,B] [--quorum N] [--majority simple|two-thirds] [--closes T]", "put a question to the vote; prints the poll's id", runPollOpen},
		{"vote", "--poll ID --member M --option O", "record a member's vote (a new one replaces it); prints the entry's seq", runPollVote},
		{"close", "--poll ID", "close a poll now and append its tally", runPollClose},
		{"show", "--poll ID [--format text|json]", "show a poll and its count so far", runPollShow},
		{"list", "[--format text|json]", "list the polls, open and closed", runPollList},
	}, args)
}

func runPollOpen(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "poll open")
	question := f.String("question", "", "the `QUESTION` put to the vote")
	options := f.String("options", "yes,no,abstain", "comma-separated `OPTIONS`; one named abstain counts for the quorum only")
	mode := f.String("mode", "", "`MODE`: member, college or reputation")
	quorum := f.Int("quorum", 0, "`PERCENT` of the electorate that must vote")
	majority := f.String("majority", bot.MajoritySimple, "`MAJORITY`: simple or two-thirds")
	closes := f.String("closes", "", "close automatically at this `RFC3339` time")
	ref := f.String("ref", "", "idempotency `KEY`: opening again with it prints the same poll")
	if err := f.parseRequired(args, "question", "mode"); err != nil {
		return err
	}
	r := bot.OpenPollRequest{Question: *question, Options: strings.Split(*options, ","), Mode: *mode,
		QuorumPercent: *quorum, Majority: *majority, Ref: cliRef(*ref), Actor: actor(e), Source: ledger.SourceCLI}
	if *closes != "" {
		at, err := time.Parse(time.RFC3339, *closes)
		if err != nil {
			return usagef("--closes %q: give a time like 2026-12-01T18:00:00Z", *closes)
		}
		r.Closes = at
	}
	return withAssembly(ctx, e, f, func(a *bot.Assembly) error {
		p, err := a.OpenPoll(ctx, r)
		if err == nil {
			_, err = fmt.Fprintln(e.stdout, p.ID)
		}
		return err
	})
}

func runPollVote(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "poll vote")
	poll := f.String("poll", "", "the poll's `ID`, e.g. e42")
	member := f.String("member", "", "the voting `MEMBER`")
	option := f.String("option", "", "the chosen `OPTION`")
	ref := f.String("ref", "", "idempotency `KEY`")
	if err := f.parseRequired(args, "poll", "member", "option"); err != nil {
		return err
	}
	r := bot.VoteRequest{Poll: *poll, Member: *member, Option: *option, Ref: cliRef(*ref), Actor: actor(e), Source: ledger.SourceCLI}
	return withAssembly(ctx, e, f, func(a *bot.Assembly) error {
		p, err := a.Vote(ctx, r)
		if err == nil {
			_, err = fmt.Fprintln(e.stdout, p.VoteSeq)
		}
		return err
	})
}

func runPollClose(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "poll close")
	poll := f.String("poll", "", "the poll's `ID`, e.g. e42")
	if err := f.parseRequired(args, "poll"); err != nil {
		return err
	}
	return withAssembly(ctx, e, f, func(a *bot.Assembly) error {
		p, err := a.ClosePoll(ctx, bot.ClosePollRequest{Poll: *poll, Actor: actor(e), Source: ledger.SourceCLI})
		if err != nil {
			return err
		}
		return printPoll(e.stdout, p)
	})
}

func runPollShow(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "poll show")
	poll := f.String("poll", "", "the poll's `ID`, e.g. e42")
	format := f.format()
	if err := f.parseRequired(args, "poll"); err != nil {
		return err
	}
	return withAssembly(ctx, e, f, func(a *bot.Assembly) error {
		p, err := a.Poll(ctx, *poll)
		return output(e, *format, p, err, printPoll)
	})
}

func runPollList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "poll list")
	format := f.format()
	if err := f.parseRequired(args); err != nil {
		return err
	}
	return withAssembly(ctx, e, f, func(a *bot.Assembly) error {
		polls, err := a.Polls(ctx)
		if err != nil || *format == "json" {
			return firstErr(err, func() error { return writeJSON(e.stdout, map[string]any{"polls": polls}) })
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tOUTCOME\tMODE\tQUESTION")
		for _, p := range polls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Status, p.Outcome, p.Mode, bot.OneLine(p.Question))
		}
		return tw.Flush()
	})
}

func firstErr(err error, fn func() error) error {
	if err != nil {
		return err
	}
	return fn()
}

// printPoll shows a poll as a member reads it at an assembly.
func printPoll(w io.Writer, p bot.Poll) error {
	fmt.Fprintf(w, "%s: %s\n%s, %s mode, %s majority, quorum %d %%\n", p.ID, bot.OneLine(p.Question), p.Status, p.Mode, p.Majority, p.QuorumPercent)
	fmt.Fprintf(w, "%d of %d voted (%s %%)\n", p.Voters, p.Electorate, p.ParticipationPercent)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nOPTION\tVOTES\tPERCENT")
	for _, o := range p.Options {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", bot.OneLine(o.Name), o.Votes, o.Percent)
	}
	if len(p.Colleges) > 0 {
		fmt.Fprintln(tw, "\nCOLLEGE\tWEIGHT\tVOTERS\t"+strings.ToUpper(optionNames(p)))
		for _, c := range p.Colleges {
			fmt.Fprintf(tw, "%s\t%d\t%d", c.Name, c.Weight, c.Voters)
			for _, o := range c.Options {
				fmt.Fprintf(tw, "\t%s", o.Percent)
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
	outcome := p.Outcome
	if p.Adopted != "" {
		outcome += ": " + p.Adopted
	}
	_, err := fmt.Fprintf(w, "\noutcome: %s\n", outcome)
	return err
}

func optionNames(p bot.Poll) string {
	names := make([]string, len(p.Options))
	for i, o := range p.Options {
		names[i] = bot.OneLine(o.Name)
	}
	return strings.Join(names, "\t")
}

// cliRef is the idempotency key of a --ref, apart from the keys the other
// interfaces make; none given is none.
func cliRef(ref string) string {
	if ref == "" {
		return ""
	}
	return "cli:" + ref
}

func withAssembly(ctx context.Context, e *env, f *flags, fn func(*bot.Assembly) error) error {
	return f.withApp(ctx, e, false, func(a *app) error {
		return fn(newAssembly(a.cfg, a.ledger, a.bot))
	})
}
