package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
)

// Limits on what a credit may carry. They catch slips (an amount of money
// pasted as points, a whole changelog as a note) before they enter a ledger
// that can only be corrected by appending.
const (
	MaxPoints    = 10000
	MaxNoteLen   = 1000 // characters
	MaxURLLen    = 2000 // bytes
	MaxRefLen    = 200  // bytes
	MaxReasonLen = 1000 // characters
	maxActorLen  = 200  // characters
)

// CreditRequest asks to credit a member for a contribution.
type CreditRequest struct {
	Member   string // github:<login>, discord:<user id> or a member id
	Points   int64  // 1..MaxPoints
	Category string // one of the configured categories
	Note     string // what the contribution was
	URL      string // link to it, http(s); optional
	// Ref is the idempotency key within Source: a request repeated with the
	// same Ref adds nothing. The ledger stores it as "<source>:<ref>". Empty
	// means a fresh random key.
	Ref    string
	At     time.Time     // when the contribution happened; zero means now
	Actor  string        // who asked, e.g. "cli:alice" or "discord:1234"
	Source ledger.Source // the interface the request came through
}

// Credit validates the request and appends a credit entry. A request whose
// Ref is already in the ledger returns the stored entry with created false
// and changes nothing.
func (b *Bot) Credit(ctx context.Context, r CreditRequest) (e ledger.Entry, created bool, err error) {
	n, err := b.checkCredit(&r)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	ref, err := sourceRef(r.Source, r.Ref)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	// A retry must not create the member a first attempt did not name.
	if e, err := b.Ledger.EntryByRef(ctx, ref); err == nil {
		return e, false, nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return ledger.Entry{}, false, fmt.Errorf("credit: %w", err)
	}
	m, err := b.members().resolve(ctx, n)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	e, created, err = b.Ledger.Append(ctx, ledger.NewEntry{
		Kind: ledger.KindCredit, Member: m.ID, Category: r.Category, Points: r.Points,
		OccurredAt: r.At, Source: r.Source, SourceRef: ref, Actor: r.Actor, Note: r.Note, URL: r.URL,
	})
	if err != nil {
		return ledger.Entry{}, false, fmt.Errorf("credit: %w", err)
	}
	if created {
		b.logger().Info("credit", "seq", e.Seq, "member", e.Member, "points", e.Points,
			"category", e.Category, "source", e.Source, "actor", e.Actor)
	}
	return e, created, nil
}

// checkCredit validates and normalises r in place, every field before any
// lookup, so that a bad request leaves no trace (not even a new member).
func (b *Bot) checkCredit(r *CreditRequest) (memberName, error) {
	n, err := parseMemberName(r.Member)
	if err != nil {
		return memberName{}, err
	}
	if r.Points < 1 || r.Points > MaxPoints {
		return memberName{}, invalidf("points", "points %d: give a whole number from 1 to %d (to take points back, revoke the entry)", r.Points, MaxPoints)
	}
	r.Category = strings.ToLower(strings.TrimSpace(r.Category))
	if err := b.checkCategory(r.Category, false); err != nil {
		return memberName{}, err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := checkText("note", r.Note, MaxNoteLen); err != nil {
		return memberName{}, err
	}
	r.URL = strings.TrimSpace(r.URL)
	if err := checkURL(r.URL); err != nil {
		return memberName{}, err
	}
	if err := b.checkTime(&r.At); err != nil {
		return memberName{}, err
	}
	if err := checkOrigin(r.Actor, r.Source); err != nil {
		return memberName{}, err
	}
	return n, nil
}

// checkCategory accepts a configured category, or none when optional.
func (b *Bot) checkCategory(c string, optional bool) error {
	if (c == "" && optional) || slices.Contains(b.Categories, c) {
		return nil
	}
	if c == "" {
		return invalidf("category", "category is missing: use one of %s", strings.Join(b.Categories, ", "))
	}
	return invalidf("category", "category %q is not one of %s", c, strings.Join(b.Categories, ", "))
}

func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return invalidf(field, "%s is not valid UTF-8 text", field)
	case utf8.RuneCountInString(s) > max:
		return invalidf(field, "%s is %d characters long: keep it to %d", field, utf8.RuneCountInString(s), max)
	}
	if r, ok := firstHidden(s); ok {
		return invalidf(field, "%s holds the invisible character %U, a control or text-direction mark: write plain text", field, r)
	}
	return nil
}

func checkURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxURLLen {
		return invalidf("url", "url is %d bytes long: keep it to %d", len(s), MaxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidf("url", "url %q: give a full http:// or https:// address", s)
	}
	return nil
}

// checkTime defaults *at to now and refuses the future: a credit dated
// ahead would climb the leaderboards later, unseen.
func (b *Bot) checkTime(at *time.Time) error {
	now := b.now()
	if at.IsZero() {
		*at = now
		return nil
	}
	return checkOccurred("at", *at, now)
}

// checkOccurred is the one rule every path that appends shares (webhook,
// reconcile, backfill, Discord, CLI): a contribution may be dated at most
// ledger.MaxClockSkew ahead of now. A date further out would outweigh every
// other member's decayed reputation; the ledger refuses it too, but this
// names the field the sender wrote.
func checkOccurred(field string, at, now time.Time) error {
	if at.After(now.Add(ledger.MaxClockSkew)) {
		return invalidf(field, "%s %s is in the future (more than %s ahead of %s): give the time the contribution happened",
			field, at.UTC().Format(time.RFC3339), ledger.MaxClockSkew, now.UTC().Format(time.RFC3339))
	}
	return nil
}

func checkOrigin(actor string, source ledger.Source) error {
	switch source {
	case ledger.SourceCLI, ledger.SourceDiscord, ledger.SourceGitHub:
	default:
		return invalidf("source", "source %q is not github, discord or cli", source)
	}
	if strings.TrimSpace(actor) == "" {
		return invalidf("actor", "actor is missing: say who asked for the change")
	}
	return checkText("actor", actor, maxActorLen)
}

// sourceRef builds the ledger's idempotency key, "<source>:<ref>", so that
// keys of different sources never collide, nor with the ledger's own
// "revoke:" keys.
func sourceRef(source ledger.Source, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		var b [16]byte
		rand.Read(b[:]) // never fails, see crypto/rand
		return string(source) + ":" + hex.EncodeToString(b[:]), nil
	}
	if len(ref) > MaxRefLen || strings.ContainsFunc(ref, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return "", invalidf("ref", "ref %q: use up to %d printable characters, e.g. an invoice number", ref, MaxRefLen)
	}
	return string(source) + ":" + ref, nil
}
