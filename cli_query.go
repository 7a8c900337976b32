package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// dateFormat shows when an entry happened, to the minute, in UTC like the
// ledger.
const dateFormat = "2006-01-02 15:04"

func runRep(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "rep")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	format := f.format()
	positional, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	switch {
	case len(positional) == 1 && *member != "" && positional[0] != *member:
		return usagef("name the member once: as an argument or with --member")
	case len(positional) == 1:
		*member = positional[0]
	case *member == "":
		return usagef("name a member, e.g. docracy rep github:alice")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		p, err := a.bot.Reputation(ctx, *member)
		return output(e, *format, p, err, printProfile)
	})
}

func printProfile(w io.Writer, p bot.Profile) error {
	fmt.Fprintf(w, "%s (member %d%s)\n", bot.OneLine(p.Name), p.ID, accountList(p.Accounts))
	r := p.Reputation
	if r.Points == 0 {
		_, err := fmt.Fprintln(w, "no points yet")
		return err
	}
	fmt.Fprintf(w, "rank %d, reputation %.1f, %d points\n\n", r.Rank, r.Score, r.Points)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CATEGORY\tPOINTS\tREPUTATION")
	for _, c := range r.Categories {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\n", c.Category, c.Points, c.Score)
	}
	return tw.Flush()
}

func accountList(accounts []ledger.Account) string {
	var s strings.Builder
	for _, a := range accounts {
		s.WriteString(", ")
		s.WriteString(a.String())
	}
	return s.String()
}

func runLeaderboard(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "leaderboard")
	window := f.String("window", "all", "`WINDOW` of time counted: 7d, 30d or all")
	category := f.String("category", "", "count only category `C` (default every category)")
	limit := f.Int("limit", bot.DefaultLeaderboardLimit, fmt.Sprintf("`N` rows, 1 to %d", bot.MaxLeaderboardLimit))
	format := f.format()
	if err := f.parseRequired(args); err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("--limit %d: give a number from 1 to %d", *limit, bot.MaxLeaderboardLimit)
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		lb, err := a.bot.Leaderboard(ctx, bot.LeaderboardRequest{Window: *window, Category: *category, Limit: *limit})
		return output(e, *format, lb, err, printLeaderboard)
	})
}

func printLeaderboard(w io.Writer, lb bot.Leaderboard) error {
	if len(lb.Standings) == 0 {
		_, err := fmt.Fprintln(w, "no points in this window yet")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tMEMBER\tNAME\tPOINTS\tREPUTATION")
	for _, s := range lb.Standings {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%.1f\n", s.Rank, s.Member, bot.OneLine(s.Name), s.Points, s.Reputation)
	}
	return tw.Flush()
}

func runHistory(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "history")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	limit := f.Int("limit", bot.DefaultHistoryLimit, fmt.Sprintf("`N` entries, 1 to %d", bot.MaxHistoryLimit))
	format := f.format()
	if err := f.parseRequired(args, "member"); err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("--limit %d: give a number from 1 to %d", *limit, bot.MaxHistoryLimit)
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		h, err := a.bot.History(ctx, *member, *limit)
		return output(e, *format, h, err, printHistory)
	})
}

func printHistory(w io.Writer, h bot.History) error {
	fmt.Fprintf(w, "%s (member %d%s)\n", bot.OneLine(h.Member.Name), h.Member.ID, accountList(h.Member.Accounts))
	if len(h.Entries) == 0 {
		_, err := fmt.Fprintln(w, "no entries yet")
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tDATE\tKIND\tCATEGORY\tPOINTS\tNOTE")
	for _, x := range h.Entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", x.Seq, x.OccurredAt.UTC().Format(dateFormat),
			x.Kind, x.Category, x.Points, bot.OneLine(x.Note))
	}
	return tw.Flush()
}
