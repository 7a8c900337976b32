package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/docracy/docracy/ledger"
)

// RevokeRequest asks to cancel an earlier credit or praise.
type RevokeRequest struct {
	Entry  string        // the entry's seq ("42") or id ("e…")
	Reason string        // why; required, kept in the ledger
	Actor  string        // who asked
	Source ledger.Source // the interface the request came through
}

// Revoke appends a revoke entry that cancels an earlier credit or praise.
// Revoking an entry twice returns the first revoke with created false.
func (b *Bot) Revoke(ctx context.Context, r RevokeRequest) (e ledger.Entry, created bool, err error) {
	r.Reason = strings.TrimSpace(r.Reason)
	if r.Reason == "" {
		return ledger.Entry{}, false, invalidf("reason", "reason is missing: say why the entry is revoked")
	}
	if err := checkText("reason", r.Reason, MaxReasonLen); err != nil {
		return ledger.Entry{}, false, err
	}
	if err := checkOrigin(r.Actor, r.Source); err != nil {
		return ledger.Entry{}, false, err
	}
	target, err := b.findEntry(ctx, r.Entry)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	e, created, err = b.Ledger.Revoke(ctx, ledger.RevokeRequest{Seq: target.Seq, Source: r.Source, Actor: r.Actor, Reason: r.Reason})
	if errors.Is(err, ledger.ErrNotRevocable) && target.Kind == ledger.KindPayout {
		return ledger.Entry{}, false, invalidf("entry", "entry %d is a payout: a run is corrected whole, by reopening it (docracy payout reopen --period P --reason T)", target.Seq)
	} else if errors.Is(err, ledger.ErrNotRevocable) {
		return ledger.Entry{}, false, invalidf("entry", "entry %d is a %s entry: only credit and praise entries can be revoked", target.Seq, target.Kind)
	} else if err != nil {
		return ledger.Entry{}, false, fmt.Errorf("revoke: %w", err)
	}
	if created {
		b.logger().Info("revoke", "seq", e.Seq, "revoked", target.Seq, "member", e.Member, "actor", e.Actor)
	}
	return e, created, nil
}

// findEntry reads an entry named by seq or by id.
func (b *Bot) findEntry(ctx context.Context, name string) (ledger.Entry, error) {
	name = strings.TrimSpace(name)
	var e ledger.Entry
	var err error
	if seq, perr := strconv.ParseInt(name, 10, 64); perr == nil && seq > 0 {
		e, err = b.Ledger.Entry(ctx, seq)
	} else if strings.HasPrefix(name, "e") && len(name) > 1 {
		e, err = b.Ledger.EntryByID(ctx, name)
	} else {
		return ledger.Entry{}, invalidf("entry", "entry %q: give the entry's seq (a number) or its id (its \"id\" in the export)", name)
	}
	if errors.Is(err, ledger.ErrNotFound) {
		return ledger.Entry{}, notFoundf("entry", "entry %s does not exist", name)
	} else if err != nil {
		return ledger.Entry{}, fmt.Errorf("find entry: %w", err)
	}
	return e, nil
}
