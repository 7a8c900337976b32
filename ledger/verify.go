package ledger

import (
	"bytes"
	"context"
	"database/sql"
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
	if err := checkCanonicalData(e); err != nil {
		return err
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
// its head, or a *ChainError naming the first bad seq. It checks the chain
// alone; VerifyAll checks the derived tables as well.
func (l *Ledger) Verify(ctx context.Context) (Head, int64, error) {
	conn, err := l.scanConn(ctx)
	if err != nil {
		return Head{}, 0, fmt.Errorf("verify: %w", err)
	}
	defer conn.Close()
	return l.verifyChain(ctx, conn, nil, nil)
}

// scanCacheKiB is the page cache of a connection that reads the whole
// ledger once: pages are read in order and never again, so a cache the
// size of the ledger's usual one (8 MiB) would only hold memory, for as
// long as the connection stays in the pool.
const scanCacheKiB = 2048

// scanConn is a connection of the pool set up for one pass over the whole
// ledger, until it is closed.
func (l *Ledger) scanConn(ctx context.Context) (*scanConnection, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	restore, err := l.engine.smallCache(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &scanConnection{Conn: conn, restore: restore}, nil
}

// scanConnection is a connection with a small page cache until closed.
type scanConnection struct {
	*sql.Conn
	restore func() error // gives the connection its usual cache back
}

// Close gives the connection its usual cache back, then returns it to the
// pool. The pages read stay out: the cache only grows as pages are read.
func (c *scanConnection) Close() error {
	return errors.Join(c.restore(), c.Conn.Close())
}

// verifyChain recomputes the chain read through q, handing each verified
// entry to observe and the running count to progress (either may be nil).
// Reading rows, hashing them and observing them take about the same time:
// each stage has a goroutine, so that two cores share the three.
func (l *Ledger) verifyChain(ctx context.Context, q queryer, observe func(Entry), progress func(int64)) (Head, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pool := newBatchPool(1000)
	batches, read := startReading(ctx, pool, func(add func(Entry) error) error {
		return eachChainRow(ctx, q, l.engine.separatesChainText(), 0, add)
	})
	verified, observed := observeBatches(observe, pool)
	v := NewVerifier()
	chainErr := v.addBatches(batches, verified, cancel, progress)
	<-observed
	if err := <-read; chainErr == nil && err != nil {
		return v.Head(), v.Entries(), fmt.Errorf("verify: %w", err)
	}
	return v.Head(), v.Entries(), chainErr
}

// observeBatches hands every entry of the batches sent on verified to
// observe, in a goroutine of its own, then gives the batch back to pool.
// observed is closed once verified is closed and drained.
func observeBatches(observe func(Entry), pool *batchPool) (verified chan<- []Entry, observed <-chan struct{}) {
	in, done := make(chan []Entry, 4), make(chan struct{})
	go func() {
		defer close(done)
		for batch := range in {
			for _, e := range batch {
				if observe != nil {
					observe(e)
				}
			}
			pool.put(batch)
		}
	}()
	return in, done
}

// addBatches adds the entries of batches until the first bad one and
// sends the good ones on to verified, which it closes at the end. After a
// bad one it calls stop, and drains batches.
func (v *Verifier) addBatches(batches <-chan []Entry, verified chan<- []Entry, stop func(), progress func(int64)) error {
	defer close(verified)
	var chainErr error
	for batch := range batches {
		good := 0
		if chainErr == nil {
			good, chainErr = v.addBatch(batch)
		}
		verified <- batch[:good]
		if chainErr != nil {
			stop()
		} else if progress != nil {
			progress(v.Entries())
		}
	}
	return chainErr
}

// addBatch adds entries until the first bad one, and returns how many
// were good.
func (v *Verifier) addBatch(batch []Entry) (int, error) {
	for i, e := range batch {
		if err := v.Add(e); err != nil {
			return i, err
		}
	}
	return len(batch), nil
}

// readAhead calls fn with every entry that read passes on, while read
// goes on in a goroutine of its own, a few batches ahead: reading rows out
// of the database and fn's work on them then share two cores. An error
// from fn stops the reading.
func readAhead(ctx context.Context, read func(add func(Entry) error) error, fn func(Entry) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pool := newBatchPool(1000)
	batches, done := startReading(ctx, pool, read)
	var fnErr error
	for batch := range batches {
		for i := 0; i < len(batch) && fnErr == nil; i++ {
			fnErr = fn(batch[i])
		}
		if fnErr != nil {
			cancel() // stop reading; drain what is in flight
		}
		pool.put(batch)
	}
	if err := <-done; fnErr == nil {
		return err
	}
	return fnErr
}

// startReading runs sendBatches in a goroutine of its own, and closes
// batches once it has returned what done gives.
func startReading(ctx context.Context, pool *batchPool, read func(add func(Entry) error) error) (batches <-chan []Entry, done <-chan error) {
	out, result := make(chan []Entry, 4), make(chan error, 1)
	go func() {
		defer close(out)
		result <- sendBatches(ctx, pool, out, read)
	}()
	return out, result
}

// batchPool is a free list of slices of entries, filled by a reader and
// handed back by their receiver once done with them: receivers keep
// copies of entries, never the slices. Without free, every slice is new,
// for a receiver that keeps them.
type batchPool struct {
	size int
	free chan []Entry
}

func newBatchPool(size int) *batchPool {
	return &batchPool{size: size, free: make(chan []Entry, 8)}
}

func (p *batchPool) get() []Entry {
	select {
	case batch := <-p.free:
		return batch
	default:
		return make([]Entry, 0, p.size)
	}
}

func (p *batchPool) put(batch []Entry) {
	select {
	case p.free <- batch[:0]:
	default:
	}
}

// sendBatches sends the entries read passes to add in slices of the
// pool's size, the last one shorter.
func sendBatches(ctx context.Context, pool *batchPool, out chan<- []Entry, read func(add func(Entry) error) error) error {
	batch := pool.get()
	send := func() error {
		select {
		case out <- batch:
			batch = pool.get()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := read(func(e Entry) error {
		if batch = append(batch, e); len(batch) < pool.size {
			return nil
		}
		return send()
	})
	if err == nil && len(batch) > 0 {
		err = send()
	}
	return err
}

// checkCanonicalData refuses data that is not in canonical form: its hash
// would then differ from the one any other verifier computes from the
// export.
func checkCanonicalData(e Entry) error {
	if len(e.Data) == 0 {
		return nil
	}
	canonical, err := CanonicalData(e.Data)
	if err != nil || !bytes.Equal(canonical, e.Data) {
		return &ChainError{Seq: e.Seq, Reason: "data is not canonical JSON: the entry was edited"}
	}
	return nil
}
