package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// MaxClockSkew is how far a request's signed timestamp may be from our
// clock: a captured request replayed later is refused even though its
// signature is good.
const MaxClockSkew = 5 * time.Minute

// maxBody bounds an interaction's payload; real ones are a few kilobytes.
const maxBody = 1 << 20

// Handler serves Discord's HTTP interactions (POST /discord/interactions):
// it verifies the Ed25519 signature and the timestamp, answers PING, and
// hands every command to the Router, writing its first response. Any other
// method is answered 405.
type Handler struct {
	Router    *Router
	PublicKey ed25519.PublicKey
	Now       func() time.Time // nil means time.Now
	Metrics   *Metrics
	Logger    *slog.Logger
}

// ParsePublicKey reads the application's public key as the developer
// portal shows it, 64 hex digits. The error never repeats the key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord public key: want %d hex digits, as the developer portal shows it", 2*ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ServeHTTP is mounted for every method, so that a method other than
// POST is told what to send rather than falling through to the dashboard.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" not allowed: Discord sends POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.refuse(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
		return
	case err != nil:
		h.refuse(w, http.StatusBadRequest, "unreadable", "cannot read the request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, h.PublicKey) {
		h.refuse(w, http.StatusUnauthorized, "bad_signature", "invalid request signature")
		return
	}
	if !h.fresh(r.Header.Get("X-Signature-Timestamp")) {
		h.refuse(w, http.StatusUnauthorized, "stale", "request timestamp too far from now")
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		h.refuse(w, http.StatusBadRequest, "malformed", "malformed interaction")
		return
	}
	delivered := make(chan struct{})
	defer close(delivered) // the response is written: a deferred result may follow
	writeJSON(w, http.StatusOK, h.Router.Handle(r.Context(), &i, delivered))
}

// fresh reports whether a signed timestamp (unix seconds) is within
// MaxClockSkew of now, either way.
func (h *Handler) fresh(timestamp string) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	skew := now().Sub(time.Unix(sec, 0))
	return skew <= MaxClockSkew && skew >= -MaxClockSkew
}

func (h *Handler) refuse(w http.ResponseWriter, status int, reason, msg string) {
	h.Metrics.reject(reason)
	if h.Logger != nil {
		h.Logger.Warn("discord interaction refused", "status", status, "reason", reason)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON leaves <, > and & as they are, as everywhere in docracy: a
// note shows as it was written.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
