package ledger

import (
	"context"
	"errors"
	"fmt"
)

// ChainError names the first entry at which the hash chain breaks.
type ChainError struct {
	Seq    int64  // the first bad position
	Reason string // what is wrong there
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Verifier checks entries one after another, as they come from the
// database or from an export read in any order-preserving way.
type Verifier struct {
	head    Head
	entries int64
	buf     []byte // reused between entries
	sum     [64]byte
}

// NewVerifier starts a verification at the beginning of the chain.
func NewVerifier() *Verifier { return &Verifier{head: Head{Hash: ZeroHash}} }

// Add checks the next entry: its seq must follow the previous one, its
// prev_hash must be the previous hash, and its hash must be what its
// content gives.
func (v *Verifier) Add(e Entry) error {
	want := v.head.Seq + 1
	switch {
	case e.Seq > want:
		return &ChainError{Seq: want, Reason: fmt.Sprintf("missing (next entry is seq %d): an entry was deleted", e.Seq)}
	case e.Seq < want:
		return &ChainError{Seq: e.Seq, Reason: fmt.Sprintf("out of order after seq %d: an entry was inserted or moved", v.head.Seq)}
	case e.PrevHash != v.head.Hash:
		return &ChainError{Seq: e.Seq, Reason: "prev_hash does not match the previous entry: an entry was inserted, moved or replaced"}
	}
	v.buf = e.hashInto(v.buf, &v.sum)
	if string(v.sum[:]) != e.Hash {
		return &ChainError{Seq: e.Seq, Reason: "content does not match its hash: the entry was edited"}
	}
	v.head = Head{Seq: e.Seq, Hash: e.Hash}
	v.entries++
	return nil
}

// Head is the last verified position and hash.
func (v *Verifier) Head() Head { return v.head }

// Entries is how many entries were verified.
func (v *Verifier) Entries() int64 { return v.entries }

// Verify recomputes the whole chain from the stored entries and returns
// its head, or a *ChainError naming the first bad seq.
func (l *Ledger) Verify(ctx context.Context) (Head, int64, error) {
	v := NewVerifier()
	err := l.Each(ctx, 0, v.Add)
	var chainErr *ChainError
	if errors.As(err, &chainErr) {
		return v.Head(), v.Entries(), err
	} else if err != nil {
		return v.Head(), v.Entries(), fmt.Errorf("verify: %w", err)
	}
	return v.Head(), v.Entries(), nil
}
