package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/web"
)

func TestPanickingHandlerAnswers500JSONAndServerKeepsServing(t *testing.T) {
	var logs testkit.LockedBuffer
	mux := http.NewServeMux()
	mux.HandleFunc("POST /github/webhook", func(http.ResponseWriter, *http.Request) {
		var event *struct{ Action string }
		_ = event.Action // a nil event, as a signed null once gave
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewServer(web.Recover(slog.New(slog.NewJSONHandler(&logs, nil)), mux))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/github/webhook", "application/json", strings.NewReader("null"))
	if err != nil {
		t.Fatalf("the panic dropped the connection: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var reply struct{ Error string }
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != "application/json" ||
		json.Unmarshal(body, &reply) != nil || reply.Error == "" {
		t.Errorf("panicking handler: %d %s %q, want 500 with a JSON error", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after the panic, GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	if n := strings.Count(logs.String(), `"msg":"panic serving a request"`); n != 1 || !strings.Contains(logs.String(), "recover_test.go") {
		t.Errorf("the panic is logged %d times, want once with its stack:\n%s", n, logs.String())
	}
}

func TestPanicAfterAnswerStartedCutsTheConnection(t *testing.T) {
	handler := web.Recover(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"standings":[`)
		panic("encoding failed half-way")
	}))
	srv := httptest.NewServer(handler)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		return // cut before the headers arrived: no answer passes for whole
	}
	defer resp.Body.Close()
	if body, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("a half-written answer passed for whole: %d %q", resp.StatusCode, body)
	}
}

func TestRecoverLeavesAbortHandlerToNetHTTP(t *testing.T) {
	var logs testkit.LockedBuffer
	srv := httptest.NewServer(web.Recover(slog.New(slog.NewJSONHandler(&logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	})))
	defer srv.Close()
	if resp, err := http.Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Errorf("an aborted handler answered %d, want the connection cut", resp.StatusCode)
	}
	if logs.String() != "" {
		t.Errorf("an abort is logged as a panic:\n%s", logs.String())
	}
}
