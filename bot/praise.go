package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
)

// The rules of praise that are not configuration: a reason long enough to
// say something and short enough to read, one praise of the same member per
// giver per hour, and a daily cap counted over the last 24 hours.
const (
	MinPraiseReasonLen = 5   // characters
	MaxPraiseReasonLen = 500 // characters
	PraiseRepeat       = time.Hour
	PraiseWindow       = 24 * time.Hour
)

// PraiseCategory is the category praise counts in when it is configured.
const PraiseCategory = "community"

// PraiseRules are the configured side of praise.
type PraiseRules struct {
	Points   int64  // scoring.praise: points a praise gives
	DailyCap int    // scoring.praise_daily_cap: praise per giver per 24 hours; 0 turns praise off
	Category string // the category praise counts in
}

// NewPraiseRules returns the rules for the configured points and cap.
// Praise counts in the community category, or in the first configured
// category when community is not one of them.
func NewPraiseRules(points, dailyCap int, categories []string) PraiseRules {
	r := PraiseRules{Points: int64(points), DailyCap: dailyCap, Category: PraiseCategory}
	if !slices.Contains(categories, PraiseCategory) && len(categories) > 0 {
		r.Category = categories[0]
	}
	return r
}

// PraiseRequest asks to praise a member on behalf of another.
type PraiseRequest struct {
	Giver  string // who praises, as an account: discord:<user id> (or github:<login>)
	Member string // who is praised
	Reason string // what they did, 5 to 500 characters
	// Ref is the idempotency key within Source, as for a credit: a
	// repeated praise with the same Ref adds nothing.
	Ref    string
	Source ledger.Source

	// From and To are the members holding Giver and Member when the caller
	// has resolved them already, as a slash command does on its way in:
	// Praise then does not look them up again. Zero values (ID 0) are
	// resolved from Giver and Member.
	From, To ledger.Member
}

// Praise appends a praise entry of the configured points for the member,
// with the reason as its note and the giver as its actor. It refuses
// self-praise, a second praise of the same member by the same giver within
// an hour, and more than the daily cap per giver over 24 hours. A repeated
// Ref returns the stored entry with created false.
func (c *Community) Praise(ctx context.Context, r PraiseRequest) (e ledger.Entry, created bool, err error) {
	r.Reason = strings.TrimSpace(r.Reason)
	if err := checkPraiseReason(r.Reason); err != nil {
		return ledger.Entry{}, false, err
	}
	giver, err := parseMemberName(r.Giver)
	if err != nil || giver.id > 0 {
		return ledger.Entry{}, false, invalidf("giver", "giver %q: name the account that praises, discord:<user id>", r.Giver)
	}
	actor := giver.account.String()
	if err := checkOrigin(actor, r.Source); err != nil {
		return ledger.Entry{}, false, err
	}
	if c.PraiseRules.DailyCap <= 0 {
		return ledger.Entry{}, false, invalidf("", "praise is turned off here (scoring.praise_daily_cap is 0): thank them in your own words instead")
	}
	ref, err := sourceRef(r.Source, r.Ref)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	if e, err := c.Ledger.EntryByRef(ctx, ref); err == nil {
		return e, false, nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return ledger.Entry{}, false, fmt.Errorf("praise: %w", err)
	}
	return c.appendPraise(ctx, giver, r, actor, ref)
}

func (c *Community) appendPraise(ctx context.Context, giver memberName, r PraiseRequest, actor, ref string) (ledger.Entry, bool, error) {
	from, to, err := c.praised(ctx, giver, r)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	if from.ID == to.ID {
		return ledger.Entry{}, false, invalidf("member", "you cannot praise yourself: praise someone whose work helped you")
	}
	e, created, err := c.Ledger.AppendPraise(ctx, ledger.NewEntry{
		Kind: ledger.KindPraise, Member: to.ID, Category: c.PraiseRules.Category, Points: c.PraiseRules.Points,
		OccurredAt: c.now(), Source: r.Source, SourceRef: ref, Actor: actor, Note: r.Reason,
	}, ledger.PraiseLimits{Cap: c.PraiseRules.DailyCap, Window: PraiseWindow, Repeat: PraiseRepeat})
	var limit *ledger.PraiseLimitError
	if errors.As(err, &limit) {
		return ledger.Entry{}, false, c.limitError(limit, to)
	} else if err != nil {
		return ledger.Entry{}, false, fmt.Errorf("praise: %w", err)
	}
	if created {
		c.Bot.logger().Info("praise", "seq", e.Seq, "member", e.Member, "points", e.Points, "actor", e.Actor)
	}
	return e, created, nil
}

// praised returns the giver and the praised member: as the request passes
// them down, or resolved from its names.
func (c *Community) praised(ctx context.Context, giver memberName, r PraiseRequest) (from, to ledger.Member, err error) {
	from, to = r.From, r.To
	if from.ID == 0 {
		if from, err = c.members().resolve(ctx, giver); err != nil {
			return from, to, err
		}
	}
	if to.ID == 0 {
		to, err = c.members().resolveName(ctx, r.Member)
	}
	return from, to, err
}

// praiseTime says when a limit lifts, to the minute, in UTC like the ledger.
const praiseTime = "2006-01-02 15:04 UTC"

func (c *Community) limitError(l *ledger.PraiseLimitError, to ledger.Member) error {
	// Round up: "after 14:05" must not come before the limit lifts.
	until := l.Until.Add(time.Minute - time.Second).Truncate(time.Minute).Format(praiseTime)
	if l.Limit == ledger.PraiseTooSoon {
		return invalidf("member", "you praised %s less than an hour ago: praise them again after %s, or praise someone else", to.Name, until)
	}
	return invalidf("", "you have given %d praise in the last 24 hours, the daily cap: you can praise again after %s", c.PraiseRules.DailyCap, until)
}

func checkPraiseReason(reason string) error {
	if err := checkText("reason", reason, MaxPraiseReasonLen); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(reason); n < MinPraiseReasonLen {
		return invalidf("reason", "reason is %d characters long: say in %d to %d characters what they did", n, MinPraiseReasonLen, MaxPraiseReasonLen)
	}
	return nil
}
