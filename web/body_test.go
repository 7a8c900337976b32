package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/web"
)

// budgetServer serves next behind a budget of total bytes, with reserve
// more kept for bodies of at most smallMax. Its handler reads the body
// and echoes it with the length it was told; on /hold it first signals
// held and waits for release, keeping its share of the budget.
func budgetServer(t *testing.T, total, reserve, smallMax int64, release chan struct{}) (*httptest.Server, chan struct{}) {
	t.Helper()
	held := make(chan struct{}, 10)
	budget := web.NewBodyBudget(total, reserve, smallMax)
	srv := httptest.NewServer(budget.Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/hold" {
			held <- struct{}{}
			<-release
		}
		w.Header().Set("X-Told-Length", strconv.FormatInt(r.ContentLength, 10))
		w.Write(body)
	})))
	t.Cleanup(srv.Close)
	return srv, held
}

// post sends body; a reader that is not a *bytes.Reader is sent chunked,
// with no Content-Length.
func post(t *testing.T, url string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return testkit.Do(t, http.DefaultClient, http.MethodPost, url, http.Header{"Content-Type": {"application/octet-stream"}}, body)
}

func TestBodyBudgetRefusesLargeBodiesWhenSpentButLetsSmallOnesThrough(t *testing.T) {
	release := make(chan struct{})
	srv, held := budgetServer(t, 1000, 100, 50, release)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if resp, err := http.Post(srv.URL+"/hold", "application/octet-stream", bytes.NewReader(make([]byte, 500))); err == nil {
				resp.Body.Close()
			}
		})
		<-held
	}
	resp, body := post(t, srv.URL, bytes.NewReader(make([]byte, 600)))
	var reply struct{ Error string }
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" ||
		json.Unmarshal(body, &reply) != nil || reply.Error != "too many request bodies in flight: retry later" {
		t.Errorf("a body over the spent budget: %d Retry-After %q %q, want 503, 5, a JSON error",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	small := []byte(`{"action":"closed"}`)
	if resp, body := post(t, srv.URL, bytes.NewReader(small)); resp.StatusCode != http.StatusOK || !bytes.Equal(body, small) {
		t.Errorf("a small body while the budget is spent: %d %q, want 200 and the body", resp.StatusCode, body)
	}
	close(release)
	wg.Wait()
	if resp, _ := post(t, srv.URL, bytes.NewReader(make([]byte, 1000))); resp.StatusCode != http.StatusOK {
		t.Errorf("the whole budget once the held bodies are answered: %d, want 200", resp.StatusCode)
	}
}

func TestBodyBudgetTakesUnknownLengthsChunkByChunk(t *testing.T) {
	srv, _ := budgetServer(t, 512<<10, 0, 0, nil)
	want := bytes.Repeat([]byte("docracy "), 200<<10/8)
	resp, body := post(t, srv.URL, io.MultiReader(bytes.NewReader(want)))
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) || resp.Header.Get("X-Told-Length") != strconv.Itoa(len(want)) {
		t.Errorf("a chunked body of %d bytes: %d, %d bytes back, told %s; want 200, the body, its length",
			len(want), resp.StatusCode, len(body), resp.Header.Get("X-Told-Length"))
	}
	// Counted twice, 300 KiB read 64 KiB at a time need 640 KiB.
	resp, _ = post(t, srv.URL, io.MultiReader(bytes.NewReader(make([]byte, 300<<10))))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a chunked body over the budget: %d, want 503", resp.StatusCode)
	}
}

func TestBodyBudgetPassesRequestsWithoutBody(t *testing.T) {
	srv, _ := budgetServer(t, 0, 0, 0, nil)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with an empty budget: %d, want 200", resp.StatusCode)
	}
}
