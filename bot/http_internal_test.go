package bot

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAPIEncodingFailureIsNot200Empty: a value JSON cannot hold becomes a
// 500 with a JSON error, and the failure is logged.
func TestAPIEncodingFailureIsNot200Empty(t *testing.T) {
	var log bytes.Buffer
	b := &Bot{Logger: slog.New(slog.NewTextHandler(&log, nil))}
	rec := httptest.NewRecorder()
	b.respond(rec, httptest.NewRequest("GET", "/api/v1/leaderboard?window=all", nil), map[string]float64{"reputation": math.NaN()}, nil)
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != 500 || err != nil || body.Error == "" {
		t.Errorf("answer %d %q, want 500 with a JSON error", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "unsupported value: NaN") || !strings.Contains(log.String(), "/api/v1/leaderboard") {
		t.Errorf("the failure is not logged:\n%s", log.String())
	}
}
