package ledger_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

const benchMembers = 10_000

var benchCategories = ledgertest.Categories

// benchLedger opens the shared 1M-entry ledger of ledgertest.Large.
// Benchmarks that write get their own copy.
func benchLedger(b *testing.B) *ledger.Ledger {
	b.Helper()
	return openPath(b, ledgertest.Path(b, ledgertest.Large), ledger.Options{HalfLife: ledgertest.HalfLife, Now: testkit.NewClock(t0).Now})
}

// benchCopy gives a writing benchmark its own copy of the fixture.
func benchCopy(b *testing.B) *ledger.Ledger {
	b.Helper()
	l := benchLedger(b)
	path := filepath.Join(b.TempDir(), "copy.db")
	if err := l.Backup(context.Background(), path); err != nil {
		b.Fatal(err)
	}
	return openPath(b, path, ledger.Options{HalfLife: 90 * 24 * time.Hour})
}

func BenchmarkAppend(b *testing.B) {
	l := benchCopy(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := l.Append(ctx, credit(1+int64(i%benchMembers), 5, "code", fmt.Sprint("one:", i), t0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkAppendBatch appends batches to the 1M-entry ledger. "spread"
// gives each entry of a batch another member: every entry updates index
// pages of its own, the worst case. "backfill" is shaped like a
// repository's history: 50 contributors, in the order the work happened.
// Each shape runs three ways on one copy of the fixture, in the same run:
// "each" sends every entry through the single-append path (AppendBatch
// before batches wrote their derived rows together), "batch" is
// AppendBatch, and "bare" is the storage limit: the same rows inserted
// into the entries table alone, one transaction per batch, nothing
// derived.
func BenchmarkAppendBatch(b *testing.B) {
	shapes := []struct {
		name    string
		members int
	}{{"spread", 1000}, {"backfill", 50}}
	for _, shape := range shapes {
		for _, size := range []int{1000, 10_000} {
			b.Run(fmt.Sprintf("%s/size=%d", shape.name, size), func(b *testing.B) {
				benchmarkAppendBatch(b, shape.members, size)
			})
		}
	}
}

func benchmarkAppendBatch(b *testing.B, members, size int) {
	l := ledgertest.Copy(b, ledgertest.Large)
	bare := openBare(b, l.Path())
	ways := []struct {
		name   string
		append func(ctx context.Context, batch []ledger.NewEntry) error
	}{
		{"each", func(ctx context.Context, batch []ledger.NewEntry) error {
			_, err := l.AppendEach(ctx, batch)
			return err
		}},
		{"batch", func(ctx context.Context, batch []ledger.NewEntry) error {
			_, err := l.AppendBatch(ctx, batch)
			return err
		}},
		{"bare", func(ctx context.Context, batch []ledger.NewEntry) error { return bareInsert(ctx, bare, batch) }},
	}
	round := 0 // source_refs stay unique across the ways and the runs of each
	for _, way := range ways {
		b.Run(way.name, func(b *testing.B) {
			batch := make([]ledger.NewEntry, size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				round++
				for j := range batch {
					member := 1 + int64(j%members*(benchMembers/members))
					at := t0.Add(time.Duration(i*size+j-b.N*size) * time.Second) // history, oldest first
					batch[j] = credit(member, 5, benchCategories[j%len(benchCategories)], fmt.Sprintf("batch:%d:%d", round, j), at)
				}
				if err := way.append(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// openBare opens the ledger file at path as a plain database, with the
// ledger's settings and one connection, whose page cache stays warm
// across batches as the ledger's does.
func openBare(b *testing.B, path string) *sql.DB {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-8192)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	return db
}

// bareInsert inserts the rows of batch into the entries table in one
// transaction, with the ledger's durability settings and a prepared
// statement: no chain, no derived table. The hashes are placeholders of
// the real length.
func bareInsert(ctx context.Context, db *sql.DB, batch []ledger.NewEntry) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.QueryRowContext(ctx, "SELECT max(seq) FROM entries").Scan(&seq); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (seq, id, kind, member_id, category, points, occurred_at,
		recorded_at, source, source_ref, actor, note, url, prev_hash, hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	hash := strings.Repeat("0", 64)
	for _, n := range batch {
		seq++
		if _, err := stmt.ExecContext(ctx, seq, ledger.EntryID(seq), n.Kind, n.Member, n.Category, n.Points, n.OccurredAt.Unix(),
			t0.Unix(), n.Source, n.SourceRef, n.Actor, n.Note, n.URL, hash, hash); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func BenchmarkReputation(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := l.Reputation(ctx, 1+int64(i*7919%benchMembers), t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLeaderboard(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	for _, w := range []ledger.Window{ledger.Window7d, ledger.Window30d, ledger.WindowAll} {
		for _, category := range []string{"", "doc"} {
			b.Run(fmt.Sprintf("%s/%s", w, category), func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: w, Category: category, At: t0, Limit: 10})
					if err != nil || len(board) != 10 {
						b.Fatalf("%d rows, %v", len(board), err)
					}
				}
			})
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, n, err := l.Verify(ctx); err != nil || n != int64(ledgertest.Large.Entries) {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}

// BenchmarkVerifyAll is BenchmarkVerify with every derived table checked
// against the chain in the same pass: what docracy verify does.
func BenchmarkVerifyAll(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, n, err := l.VerifyAll(ctx, nil); err != nil || n != int64(ledgertest.Large.Entries) {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}

// BenchmarkRebuild rebuilds every derived table of the 1M-entry ledger
// as docracy rebuild does: the chain read and checked, scores, totals,
// day_points and the rest recomputed, in one transaction.
func BenchmarkRebuild(b *testing.B) {
	l := ledgertest.Copy(b, ledgertest.Large)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if n, err := l.Rebuild(context.Background()); err != nil || n != int64(ledgertest.Large.Entries) {
			b.Fatalf("rebuilt from %d entries: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*ledgertest.Large.Entries)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkRebuildScores recomputes scores and totals of the 1M-entry
// ledger as Rebuild does, dropping the indexes of scores and building them
// again after ("dropped"), and with the indexes kept in place ("kept"),
// on one copy of the fixture, in the same run.
func BenchmarkRebuildScores(b *testing.B) {
	l := ledgertest.Copy(b, ledgertest.Large)
	for _, keep := range []bool{true, false} {
		name := map[bool]string{true: "kept", false: "dropped"}[keep]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := l.RebuildScores(context.Background(), keep); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*ledgertest.Large.Entries)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkVerifySpeedOfHashing sets verify beside SHA-256 over the same
// bytes: the ledger exported once as JSON lines, as docracy export writes
// it, then hashed whole ("sha256", the baseline); "scan" reads the rows
// verify reads without checking anything, the bound the storage sets.
// Verify and VerifyAll report their time as a multiple of the baseline's
// and their allocations per entry.
func BenchmarkVerifySpeedOfHashing(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	export := exportLines(b, l)
	var baseline float64 // ns per sha256 pass
	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(int64(len(export)))
		b.ReportAllocs()
		for range b.N {
			sha256.Sum256(export)
		}
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	runs := []struct {
		name string
		run  func() (int64, error)
	}{
		{"scan", func() (int64, error) { return ledger.ScanChainRows(ctx, l) }},
		{"Verify", func() (int64, error) { _, n, err := l.Verify(ctx); return n, err }},
		{"VerifyAll", func() (int64, error) { _, n, err := l.VerifyAll(ctx, nil); return n, err }},
	}
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range b.N {
				if n, err := r.run(); err != nil || n != int64(ledgertest.Large.Entries) {
					b.Fatalf("%d entries, %v", n, err)
				}
			}
			runtime.ReadMemStats(&after)
			entries := float64(b.N) * float64(ledgertest.Large.Entries)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/entries, "allocs/entry")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/entries, "B/entry")
			if baseline > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-sha256")
			}
		})
	}
}

// exportLines is the ledger in the export's JSON lines.
func exportLines(b *testing.B, l *ledger.Ledger) []byte {
	b.Helper()
	var out []byte
	err := l.Each(context.Background(), 0, func(e ledger.Entry) error {
		line, err := e.MarshalJSON()
		out = append(append(out, line...), '\n')
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkExport reads the 1M-entry ledger as docracy export --format
// jsonl does, each entry in its JSON form, beside "scan", the rows read
// and unpacked alone: the bound the storage sets. jsonl reports its time
// as a multiple of scan's and its allocations per entry.
func BenchmarkExport(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	var scan float64 // ns per scan
	b.Run("scan", func(b *testing.B) {
		for range b.N {
			if _, err := ledger.ScanChainRows(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
		scan = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("jsonl", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if n := exportTo(b, l, io.Discard); n != int64(ledgertest.Large.Entries) {
				b.Fatalf("exported %d entries", n)
			}
		}
		entries := float64(b.N) * float64(ledgertest.Large.Entries)
		b.ReportMetric(entries/b.Elapsed().Seconds(), "entries/s")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/scan, "x-scan")
	})
}

// exportTo writes l's entries to w as JSON lines and returns how many.
func exportTo(b *testing.B, l *ledger.Ledger, w io.Writer) (n int64) {
	buf := bufio.NewWriter(w)
	err := l.Each(context.Background(), 0, func(e ledger.Entry) error {
		line, err := e.MarshalJSON()
		buf.Write(line)
		n++
		return errors.Join(err, buf.WriteByte('\n'))
	})
	if err := errors.Join(err, buf.Flush()); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkVerifyMemory reports how far the process grows over idle while
// VerifyAll checks the 1M-entry ledger, as serve does at start-up: the
// peak of the Go heap in use and of the resident set, sampled every
// millisecond, above what they were before.
func BenchmarkVerifyMemory(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	if residentBytes() == 0 {
		b.Skip("no resident set size: /proc/self/statm is unreadable")
	}
	var heapPeak, rssPeak uint64
	for range b.N {
		runtime.GC()
		idleHeap, idleRSS := heapInUse(), residentBytes()
		stop := make(chan struct{})
		sampled := make(chan [2]uint64)
		go func() {
			var peak [2]uint64
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				peak[0], peak[1] = max(peak[0], heapInUse()), max(peak[1], residentBytes())
				select {
				case <-stop:
					sampled <- peak
					return
				case <-tick.C:
				}
			}
		}()
		if _, _, err := l.VerifyAll(ctx, nil); err != nil {
			b.Fatal(err)
		}
		close(stop)
		peak := <-sampled
		heapPeak = max(heapPeak, peak[0]-min(peak[0], idleHeap))
		rssPeak = max(rssPeak, peak[1]-min(peak[1], idleRSS))
	}
	b.ReportMetric(float64(heapPeak)/(1<<20), "MB-heap-above-idle")
	b.ReportMetric(float64(rssPeak)/(1<<20), "MB-RSS-above-idle")
}

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// residentBytes is this process's resident set; 0 where it cannot be read.
func residentBytes() uint64 { return uint64(testkit.ResidentBytes(os.Getpid())) }

// BenchmarkCopy copies the 1M-entry ledger as docracy copy does, into a
// new SQLite file and into an empty PostgreSQL database: the working
// state, the entries in batches, every derived table rebuilt, then the
// copy verified whole. entries/s is the whole copy's rate, and
// entries-phase-s the seconds until the last entry was written, before
// the rebuild and the final check.
func BenchmarkCopy(b *testing.B) {
	src := benchLedger(b)
	for _, target := range benchEngines() {
		b.Run(target.name, func(b *testing.B) {
			var entriesPhase time.Duration
			for range b.N {
				b.StopTimer()
				dst := openPath(b, target.db(b), ledger.Options{HalfLife: ledgertest.HalfLife})
				b.StartTimer()
				start := time.Now()
				progress := func(done int64) {
					if done == int64(ledgertest.Large.Entries) {
						entriesPhase += time.Since(start)
					}
				}
				if _, err := ledger.Copy(context.Background(), dst, src, progress); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*ledgertest.Large.Entries)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(entriesPhase.Seconds()/float64(b.N), "entries-phase-s")
		})
	}
}
