package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// execRaw changes a database behind the ledger's back, as someone with the
// file could.
func execRaw(t *testing.T, path, script string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("raw sql: %v", err)
	}
}

func testConcurrentAppendsKeepTheChain(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	const workers, each = 8, 500
	members := make([]int64, workers)
	for w := range members {
		members[w] = member(t, l, fmt.Sprint("worker", w))
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := credit(members[w], 1, "code", fmt.Sprintf("w%d:%d", w, i), t0)
				if _, _, err := l.Append(ctx, n); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	assertGapless(t, l, workers*each)
}

func testVerifyNamesTheFirstTamperedSeq(t *testing.T, b backend) {
	tests := []struct {
		name    string
		script  string
		wantSeq int64
		reason  string
	}{
		{"edited points", "UPDATE entries SET points = 500 WHERE seq = 3", 3, "edited"},
		{"edited note", "UPDATE entries SET note = 'mine now' WHERE seq = 5", 5, "edited"},
		{"deleted row", "DELETE FROM entries WHERE seq = 4", 4, "deleted"},
		{"swapped rows", `UPDATE entries SET seq = -1 WHERE seq = 2;
			UPDATE entries SET seq = 2 WHERE seq = 3;
			UPDATE entries SET seq = 3 WHERE seq = -1`, 2, "prev_hash"},
		{"inserted row", `UPDATE entries SET seq = seq + 1 WHERE seq >= 4 AND seq = (SELECT max(seq) FROM entries);
			UPDATE entries SET seq = seq + 1 WHERE seq = 5;
			UPDATE entries SET seq = seq + 1 WHERE seq = 4;
			INSERT INTO entries SELECT 4, 'eforged', kind, member_id, category, 1000, occurred_at, recorded_at,
				source, 'forged', actor, note, url, prev_hash, hash, data FROM entries WHERE seq = 3`, 4, "prev_hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			database := b.newDatabase(t)
			l := openPath(t, database, ledger.Options{})
			alice := member(t, l, "alice")
			for i := range 6 {
				mustAppend(t, l, credit(alice, int64(i+1), "code", fmt.Sprint("r", i), t0.Add(time.Duration(i)*time.Minute)))
			}
			l.Close()
			b.tamper(t, database, "entries", tt.script)

			l = openPath(t, database, ledger.Options{})
			_, _, err := l.Verify(ctx)
			var chainErr *ledger.ChainError
			if !errors.As(err, &chainErr) {
				t.Fatalf("verify: %v, want a ChainError", err)
			}
			if chainErr.Seq != tt.wantSeq || !strings.Contains(chainErr.Reason, tt.reason) {
				t.Errorf("verify names seq %d (%s), want seq %d (%s)", chainErr.Seq, chainErr.Reason, tt.wantSeq, tt.reason)
			}
		})
	}
}

func testEntriesCannotBeUpdatedOrDeleted(t *testing.T, b backend) {
	database := b.newDatabase(t)
	l := openPath(t, database, ledger.Options{})
	mustAppend(t, l, credit(member(t, l, "alice"), 1, "code", "r", t0))
	l.Close()
	for _, stmt := range []string{"UPDATE entries SET points = 2", "DELETE FROM entries"} {
		_, err := b.rawDB(t, database).Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", stmt, err)
		}
	}
}
