package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/docracy/docracy/bot"
)

// TestAPIEncodingFailureIsNot200Empty: a value JSON cannot hold becomes a
// 500 with a JSON error, and the failure is logged.
func TestAPIEncodingFailureIsNot200Empty(t *testing.T) {
	var log bytes.Buffer
	s := &Server{Logger: slog.New(slog.NewTextHandler(&log, nil))}
	rec := httptest.NewRecorder()
	s.respond(rec, httptest.NewRequest("GET", "/api/v1/leaderboard?window=all", nil), map[string]float64{"reputation": math.NaN()}, nil)
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != 500 || err != nil || body.Error == "" {
		t.Errorf("answer %d %q, want 500 with a JSON error", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "unsupported value: NaN") || !strings.Contains(log.String(), "/api/v1/leaderboard") {
		t.Errorf("the failure is not logged:\n%s", log.String())
	}
}

// TestAPIUnavailableIs503: an outside service that did not answer is a
// 503 saying to retry, not an internal error whose message is hidden.
func TestAPIUnavailableIs503(t *testing.T) {
	s := &Server{Logger: slog.New(slog.DiscardHandler)}
	rec := httptest.NewRecorder()
	err := &bot.Error{Code: bot.CodeUnavailable, Field: "github", Message: "GitHub did not answer: try again in a minute"}
	s.respond(rec, httptest.NewRequest("GET", "/api/v1/members/1", nil), nil, err)
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != 503 || err != nil || body.Error != "GitHub did not answer: try again in a minute" {
		t.Errorf("answer %d %q, want 503 saying to try again", rec.Code, rec.Body)
	}
}
