package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"golang.org/x/sync/semaphore"
)

// BodyBudget bounds the memory that request bodies hold while in flight.
// A webhook or an interaction is authenticated by a signature over its
// whole body, so the body must be read before anything proves who sent
// it: without a bound, clients that sign nothing could make the server
// hold any number of 25 MiB bodies at once. A request takes its body's
// length from the budget before a byte is read, and gives it back when it
// is answered; when the budget is spent it is answered 503 with a
// Retry-After, unread. Small bodies, which every real delivery and
// interaction is, also have a reserve of their own, so that large ones
// cannot crowd them out.
type BodyBudget struct {
	shared   *semaphore.Weighted
	reserve  *semaphore.Weighted
	smallMax int64
}

// NewBodyBudget returns a budget of total bytes shared by every body, and
// reserve more bytes for bodies of at most smallMax bytes.
func NewBodyBudget(total, reserve, smallMax int64) *BodyBudget {
	return &BodyBudget{shared: semaphore.NewWeighted(total), reserve: semaphore.NewWeighted(reserve), smallMax: smallMax}
}

// retryAfter is the Retry-After of a 503 for a spent budget, in seconds:
// the bodies in flight are read within the server's read timeout.
const retryAfter = 5

// chunk is how much of a body of unknown length is taken from the budget
// at a time, as it is read.
const chunk = 64 << 10

var errSpent = errors.New("body budget spent")

// Limit holds each request body of next within the budget.
func (b *BodyBudget) Limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		release, err := b.hold(r)
		defer release()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is too large: the limit is %d bytes", tooLarge.Limit))
		case errors.Is(err, errSpent):
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
			w.Header().Set("Connection", "close") // the unread body is not worth draining
			writeError(w, http.StatusServiceUnavailable, "too many request bodies in flight: retry later")
		case err != nil:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("cannot read the request body: %v", err))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// hold takes the body's length from the budget. A body of unknown length
// is read here, chunk by chunk, and handed on with its length known; its
// chunks are counted twice, as the handler reads them into a copy of its
// own.
func (b *BodyBudget) hold(r *http.Request) (release func(), err error) {
	if r.ContentLength >= 0 {
		release, ok := b.take(r.ContentLength)
		if !ok {
			return release, errSpent
		}
		return release, nil
	}
	return b.buffer(r)
}

// buffer reads a body of unknown length into chunks taken from the budget
// one by one, never into a buffer grown by doubling.
func (b *BodyBudget) buffer(r *http.Request) (release func(), err error) {
	var releases []func()
	release = func() {
		for _, f := range releases {
			f()
		}
	}
	var chunks []io.Reader
	var n int64
	for {
		give, ok := b.take(2 * chunk)
		releases = append(releases, give)
		if !ok {
			return release, errSpent
		}
		buf := make([]byte, chunk)
		read, err := io.ReadFull(r.Body, buf)
		chunks, n = append(chunks, bytes.NewReader(buf[:read])), n+int64(read)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			r.Body, r.ContentLength = io.NopCloser(io.MultiReader(chunks...)), n
			return release, nil
		}
		if err != nil {
			return release, err
		}
	}
}

// take takes n bytes from the reserve if the body is small and the reserve
// has them, else from the shared budget. release gives them back; it is
// safe to call when take failed.
func (b *BodyBudget) take(n int64) (release func(), ok bool) {
	if n <= b.smallMax && b.reserve.TryAcquire(n) {
		return func() { b.reserve.Release(n) }, true
	}
	if b.shared.TryAcquire(n) {
		return func() { b.shared.Release(n) }, true
	}
	return func() {}, false
}
