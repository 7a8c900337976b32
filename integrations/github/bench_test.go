//go:build unix

package github_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"
	_ "modernc.org/sqlite"

	"github.com/docracy/docracy/bot"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/internal/pgtest"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// BenchmarkWebhook sends signed merged-pull-request webhooks, each a new
// pull request, from parallel clients over loopback HTTP to the webhook as
// serve mounts it, on a real SQLite ledger file. Each answer is a 200 that
// means committed. It reports webhooks/s and the p50 and p99 latency, for
// a few numbers of clients sending at once: more clients make larger
// group commits, at the cost of latency. x-bare-insert is webhooks/s over
// the rate of BenchmarkSQLiteInsert's loop, timed right before and right
// after in the same run (the disk's fsync latency drifts within seconds on
// a shared machine): above 1, group commit more than pays for a webhook's
// work. x-floor is webhooks/s over the rate of the same clients sending
// to a handler that only reads the body (BenchmarkWebhookFloor), timed
// the same way: the share of what this machine permits that docracy's own
// work leaves.
func BenchmarkWebhook(b *testing.B) {
	for _, clients := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchmarkWebhook(b, ledgertest.OpenOptions(b, ledger.Options{HalfLife: ledgertest.HalfLife}), clients, bareInserts)
		})
	}
}

// BenchmarkWebhookPostgres is BenchmarkWebhook on a PostgreSQL ledger
// (DOCRACY_TEST_POSTGRES, or CI=true), to set beside it in the same run.
// Its x-bare-insert is over the same bare loop against the same server,
// each insert its own transaction: the same durability.
func BenchmarkWebhookPostgres(b *testing.B) {
	for _, clients := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			dsn := pgtest.DSN(b)
			bare := func(b *testing.B, n int) time.Duration { return timeInserts(b, openBarePostgres(b, dsn), n) }
			benchmarkWebhook(b, ledgertest.OpenPath(b, dsn, ledger.Options{HalfLife: ledgertest.HalfLife}), clients, bare)
		})
	}
}

func benchmarkWebhook(b *testing.B, l *ledger.Ledger, clients int, bareInserts func(b *testing.B, n int) time.Duration) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // serve logs every webhook
	g := bot.NewGitHub(l, defaultRules())
	g.Logger = log
	h := ghint.NewHandler(testSecret, g, ghint.NewMetrics(prometheus.NewRegistry()))
	h.Logger = log
	floor := timeFloor(b, clients, 300)
	sendDeliveries(b, h, clients, bareInserts)
	floor += timeFloor(b, clients, 300)
	// Over the rate of the HTTP exchange alone, timed right before and
	// right after (see BenchmarkWebhookFloor): what docracy's own work
	// leaves of what this machine permits.
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/(600/floor.Seconds()), "x-floor")
	if head, err := l.Head(context.Background()); err != nil || head.Seq != int64(b.N) {
		b.Fatalf("head seq %d, %v; want %d: one credit per webhook", head.Seq, err, b.N)
	}
}

// BenchmarkWebhookFloor is BenchmarkWebhook's clients, signing and sending
// the same deliveries over loopback HTTP, to a handler that only reads
// the body and answers 200: what the HTTP exchange alone costs this
// process (clients included: they share its cores), and so the most
// webhooks/s the machine permits before docracy does anything. Its
// x-bare-insert is over the same bare loop as BenchmarkWebhook's.
func BenchmarkWebhookFloor(b *testing.B) {
	for _, clients := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { sendDeliveries(b, floorHandler(), clients, bareInserts) })
	}
}

// floorHandler reads a delivery's body and answers 200, doing nothing else.
func floorHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"status":"skipped"}`)
	})
}

// timeFloor times n deliveries sent by clients parallel clients to
// floorHandler, as sendDeliveries sends them.
func timeFloor(b *testing.B, clients, n int) time.Duration {
	url, client, stop := webhookServer(floorHandler())
	defer stop()
	template := payloadTemplate(b)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			more := func() bool { return next.Add(1) <= int64(n) }
			sendEach(b, more, client, url, template, &atomic.Int64{})
		})
	}
	wg.Wait()
	return time.Since(start)
}

// sendDeliveries sends b.N signed merged-pull-request deliveries, each a
// new pull request, from clients parallel clients to h mounted as serve
// mounts the webhook, and reports the rate, its ratio to bareInserts's,
// the latencies and the CPU time per delivery. Each answer must be a 200.
func sendDeliveries(b *testing.B, h http.Handler, clients int, bareInserts func(b *testing.B, n int) time.Duration) {
	url, client, stop := webhookServer(h)
	defer stop()
	template := payloadTemplate(b)
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism(max(clients/runtime.GOMAXPROCS(0), 1))
	bare := bareInserts(b, 300)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		mine := sendEach(b, pb.Next, client, url, template, &next)
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	cpu = cpuTime() - cpu
	bare += bareInserts(b, 300)
	reportDeliveries(b, latencies, cpu, bare)
}

// webhookServer serves h over loopback HTTP at /github/webhook, as serve
// mounts the webhook, and returns its address, a client that keeps a
// connection for each of many parallel senders, and what stops it.
func webhookServer(h http.Handler) (url string, client *http.Client, stop func()) {
	mux := http.NewServeMux()
	mux.Handle("/github/webhook", h)
	srv := httptest.NewServer(mux)
	client = srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 1000
	return srv.URL + "/github/webhook", client, srv.Close
}

// numberPlaceholder is the pull request number of payloadTemplate, which
// each delivery replaces with its own.
const numberPlaceholder = "987654321"

// payloadTemplate is the recorded merged payload, its number
// numberPlaceholder.
func payloadTemplate(b *testing.B) []byte {
	m := decode(b, recorded(b, "pull_request.closed.merged.json"))
	set(m, "number", 987654321)
	set(m, "pull_request.number", 987654321)
	template := encode(b, m)
	if bytes.Count(template, []byte(numberPlaceholder)) != 2 {
		b.Fatal("the placeholder is not the number alone")
	}
	return template
}

// sendEach sends one client's deliveries while more says so, each a pull
// request numbered by next, and returns their latencies.
func sendEach(b *testing.B, more func() bool, client *http.Client, url string, template []byte, next *atomic.Int64) (latencies []time.Duration) {
	for more() {
		n := strconv.FormatInt(next.Add(1), 10)
		body := bytes.ReplaceAll(template, []byte(numberPlaceholder), []byte(n))
		r := delivery(b, url, "pull_request", "bench-"+n, body)
		start := time.Now()
		resp, err := client.Do(r)
		if err != nil {
			b.Error(err)
			return latencies
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		latencies = append(latencies, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			b.Errorf("status %d", resp.StatusCode)
			return latencies
		}
	}
	return latencies
}

// reportDeliveries reports the rate of b.N deliveries and the rest of
// sendDeliveries's metrics.
func reportDeliveries(b *testing.B, latencies []time.Duration, cpu, bare time.Duration) {
	slices.Sort(latencies)
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "webhooks/s")
	b.ReportMetric(rate/(600/bare.Seconds()), "x-bare-insert")
	b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
	b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
	// CPU time of the process (server and clients) per webhook: with two
	// cores, 1 s / (cpu-µs/op / 2) bounds the rate whatever the disk.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkSQLiteInsert is the physical limit beside BenchmarkWebhook: a
// bare loop of single-row inserts, each its own transaction, into a SQLite
// file with the ledger's durability settings (WAL, synchronous=FULL).
func BenchmarkSQLiteInsert(b *testing.B) {
	db := openBareDB(b)
	b.ReportAllocs()
	b.ResetTimer()
	if err := insertRows(db, 0, b.N); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}

// bareInserts times n bare inserts into a new file: the rate
// BenchmarkWebhook compares itself with in the same run, so that the ratio
// holds on a loaded machine.
func bareInserts(b *testing.B, n int) time.Duration {
	return timeInserts(b, openBareDB(b), n)
}

// timeInserts times n bare inserts into db's table t, after those it holds.
func timeInserts(b *testing.B, db *sql.DB, n int) time.Duration {
	var from int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&from); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := insertRows(db, from, n); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// openBarePostgres opens the PostgreSQL database dsn with the table the
// bare loop inserts into, made if need be; inserts outside a transaction
// commit one by one, as SQLite's do.
func openBarePostgres(b *testing.B, dsn string) *sql.DB {
	return openBare(b, "pgx", dsn, "CREATE TABLE IF NOT EXISTS t (id BIGSERIAL PRIMARY KEY, ref TEXT NOT NULL UNIQUE, note TEXT NOT NULL)")
}

// openBareDB opens a new SQLite file with the ledger's durability
// settings and the table the bare loop inserts into.
func openBareDB(b *testing.B) *sql.DB {
	return openBare(b, "sqlite", filepath.Join(b.TempDir(), "bare.db")+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, note TEXT NOT NULL)")
}

// openBare opens dsn with driver, on one connection, and runs table.
func openBare(b *testing.B, driver, dsn, table string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(table); err != nil {
		b.Fatal(err)
	}
	return db
}

// insertRows inserts rows from to from+n, each in its own transaction.
func insertRows(db *sql.DB, from, n int) error {
	note := "Codertocat/Hello-World#2: Update the README with new information."
	for i := from; i < from+n; i++ {
		if _, err := db.Exec("INSERT INTO t (ref, note) VALUES ($1, $2)", "github:github.com:pr:186853002:"+strconv.Itoa(i), note); err != nil {
			return err
		}
	}
	return nil
}
