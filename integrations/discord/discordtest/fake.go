// Package discordtest provides a stateful fake of Discord for tests: the
// REST API a bot calls (interaction callbacks, edits, follow-ups, command
// registration, messages) and a gateway that dispatches interactions, both
// on one httptest server, plus signing of HTTP interactions with a
// generated Ed25519 key.
//
// A discordgo session reaches the fake through Transport, which sends
// every request to the fake whatever its host: reassigning
// discordgo.EndpointAPI alone does not redirect every call, since the
// endpoint variables derived from it are computed once.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// AppID is the fake application's id.
const AppID = "900000000000000001"

// Call is one request the fake received.
type Call struct {
	Method string
	Path   string
	Body   []byte
}

// Callback is a first response sent to POST /interactions/{id}/{token}/callback.
type Callback struct {
	InteractionID string
	Token         string
	Response      discordgo.InteractionResponse
}

// Message is an edit, follow-up or channel message the fake received, as
// Discord would read it.
type Message struct {
	ID              string // channel messages: the id the fake gave it
	ChannelID       string // channel messages
	Token           string // interaction token (edits and follow-ups)
	Content         string
	Embeds          []*discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           discordgo.MessageFlags
	Nonce           string   // channel messages: Discord keeps one message per enforced nonce
	Files           []string // names of the files attached to a multipart message
	// Components are the message's action rows of buttons; an edit that
	// leaves them out keeps the message's.
	Components []discordgo.ActionsRow
	components bool // the request gave components, perhaps none
}

// Failure makes the fake answer matching requests with an error.
type Failure struct {
	Method     string      // "" matches any
	Path       string      // prefix of the path, e.g. "/api/v9/webhooks/"
	Status     int         // e.g. 429 or 503
	RetryAfter float64     // seconds, in the body of a 429
	Header     http.Header // extra headers, e.g. X-RateLimit-Reset-After
	Times      int         // how many requests fail; -1 for all
}

// Fake is a stateful fake Discord. Its methods are safe for concurrent use.
type Fake struct {
	Server *httptest.Server

	mu         sync.Mutex
	calls      []Call
	callbacks  []Callback
	edits      []Message
	followups  []Message
	deletes    []string // interaction tokens
	messages   []Message
	msgEdits   []Message                                  // edits of channel messages, in order
	commands   map[string][]*discordgo.ApplicationCommand // by guild id, "" = global
	overwrites []string                                   // guild ids of bulk overwrites
	failures   []*Failure
	nonces     map[string]string // message id by nonce
	hold       chan struct{}     // while open, channel messages get no answer
	nextID     int64
	changed    chan struct{} // closed and replaced on every recorded call

	gateway gateway
}

// New starts a fake Discord, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{commands: map[string][]*discordgo.ApplicationCommand{}, nonces: map[string]string{}, nextID: 1000, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", f.callback)
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/{message}", f.edit)
	mux.HandleFunc("DELETE /api/v9/webhooks/{app}/{token}/messages/{message}", f.delete)
	mux.HandleFunc("POST /api/v9/webhooks/{app}/{token}", f.followup)
	mux.HandleFunc("GET /api/v9/applications/{app}/commands", f.listCommands)
	mux.HandleFunc("GET /api/v9/applications/{app}/guilds/{guild}/commands", f.listCommands)
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", f.overwrite)
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", f.overwrite)
	mux.HandleFunc("GET /api/v9/oauth2/applications/{app}", f.application)
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages", f.channelMessage)
	mux.HandleFunc("PATCH /api/v9/channels/{channel}/messages/{message}", f.editChannelMessage)
	mux.HandleFunc("GET /api/v9/gateway", f.gatewayURL)
	mux.HandleFunc("GET /gateway/", f.serveGateway)
	f.Server = httptest.NewServer(f.record(mux))
	t.Cleanup(func() {
		f.gateway.close()
		f.Server.Close()
	})
	return f
}

// Transport sends every request to the fake, keeping its path and query.
func (f *Fake) Transport() http.RoundTripper {
	target, _ := url.Parse(f.Server.URL)
	return &rewrite{target: target, next: f.Server.Client().Transport}
}

type rewrite struct {
	target *url.URL
	next   http.RoundTripper
}

func (t *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
	return t.next.RoundTrip(r)
}

// HoldMessages makes the fake record channel messages but hold back its
// answers until release is called: a client killed meanwhile has posted
// without knowing it, as in a crash between a post and its record.
func (f *Fake) HoldMessages() (release func()) {
	hold := make(chan struct{})
	f.mu.Lock()
	f.hold = hold
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.hold = nil
		f.mu.Unlock()
		close(hold)
	}
}

// wait blocks while messages are held, or until the client goes away.
func (f *Fake) wait(r *http.Request) {
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}
}

// Fail queues a failure for matching requests.
func (f *Fake) Fail(failure Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, &failure)
}

// record logs every call and answers the queued failures.
func (f *Fake) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mu.Lock()
		f.calls = append(f.calls, Call{Method: r.Method, Path: r.URL.Path, Body: body})
		failure := f.failure(r)
		f.notify() // a waiter may be counting calls
		f.mu.Unlock()
		if failure != nil {
			writeFailure(w, failure)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (f *Fake) failure(r *http.Request) *Failure {
	for _, fl := range f.failures {
		if fl.Times != 0 && (fl.Method == "" || fl.Method == r.Method) && strings.HasPrefix(r.URL.Path, fl.Path) {
			if fl.Times > 0 {
				fl.Times--
			}
			return fl
		}
	}
	return nil
}

func writeFailure(w http.ResponseWriter, fl *Failure) {
	for k, vs := range fl.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if fl.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.FormatFloat(fl.RetryAfter, 'f', -1, 64))
		writeJSON(w, fl.Status, map[string]any{"message": "You are being rate limited.", "retry_after": fl.RetryAfter, "global": false})
		return
	}
	writeJSON(w, fl.Status, map[string]any{"message": http.StatusText(fl.Status), "code": 0})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// notify wakes the waiters; call with mu held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Fake) id() string {
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

func (f *Fake) callback(w http.ResponseWriter, r *http.Request) {
	var resp discordgo.InteractionResponse
	if err := decode(r, &resp); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	f.mu.Lock()
	f.callbacks = append(f.callbacks, Callback{InteractionID: r.PathValue("id"), Token: r.PathValue("token"), Response: resp})
	f.notify()
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// message reads the body of an edit, a follow-up or a channel message:
// JSON, or multipart with the JSON in payload_json and files beside it.
func message(r *http.Request) (Message, bool, error) {
	var m struct {
		Content         string                            `json:"content"`
		Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
		AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
		Flags           discordgo.MessageFlags            `json:"flags"`
		Nonce           string                            `json:"nonce"`
		EnforceNonce    bool                              `json:"enforce_nonce"`
		Components      *[]discordgo.ActionsRow           `json:"components"`
	}
	var files []string
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		files, err = readMultipart(r, &m)
	} else {
		err = decode(r, &m)
	}
	msg := Message{Token: r.PathValue("token"), ChannelID: r.PathValue("channel"), Content: m.Content, Embeds: m.Embeds,
		AllowedMentions: m.AllowedMentions, Flags: m.Flags, Nonce: m.Nonce, Files: files, components: m.Components != nil}
	if m.Components != nil {
		msg.Components = *m.Components
	}
	return msg, m.EnforceNonce, err
}

// readMultipart decodes payload_json into v and returns the file names.
func readMultipart(r *http.Request, v any) ([]string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	var files []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		} else if err != nil {
			return nil, err
		}
		if part.FormName() == "payload_json" {
			if err := json.NewDecoder(part).Decode(v); err != nil {
				return nil, err
			}
		} else {
			files = append(files, part.FileName())
		}
	}
}

func (f *Fake) edit(w http.ResponseWriter, r *http.Request) {
	m, _, err := message(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	f.mu.Lock()
	f.edits = append(f.edits, m)
	f.notify()
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("message"), "content": m.Content})
}

func (f *Fake) delete(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.deletes = append(f.deletes, r.PathValue("token"))
	f.notify()
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) followup(w http.ResponseWriter, r *http.Request) {
	m, _, err := message(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	f.mu.Lock()
	f.followups = append(f.followups, m)
	id := f.id()
	f.notify()
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "content": m.Content})
}

// channelMessage creates a message; with enforce_nonce, a nonce seen
// before returns the message created then, as Discord does.
func (f *Fake) channelMessage(w http.ResponseWriter, r *http.Request) {
	m, enforce, err := message(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	f.mu.Lock()
	id, seen := f.nonces[m.Nonce]
	if !enforce || m.Nonce == "" || !seen {
		id = f.id()
		m.ID = id
		f.messages = append(f.messages, m)
		f.nonces[m.Nonce] = id
		f.notify()
	}
	f.mu.Unlock()
	f.wait(r)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "channel_id": r.PathValue("channel"), "content": m.Content})
}

// editChannelMessage edits a message the bot posted, as Discord does:
// what the edit gives replaces what the message had.
func (f *Fake) editChannelMessage(w http.ResponseWriter, r *http.Request) {
	m, _, err := message(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	m.ID = r.PathValue("message")
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.messages {
		if f.messages[i].ID == m.ID && f.messages[i].ChannelID == m.ChannelID {
			f.messages[i].Content, f.messages[i].Embeds = m.Content, m.Embeds
			if m.components {
				f.messages[i].Components = m.Components
			}
			f.msgEdits = append(f.msgEdits, m)
			f.notify()
			writeJSON(w, http.StatusOK, map[string]any{"id": m.ID, "channel_id": m.ChannelID, "content": m.Content})
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008})
}

func (f *Fake) listCommands(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	cmds := f.commands[r.PathValue("guild")]
	f.mu.Unlock()
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	writeJSON(w, http.StatusOK, cmds)
}

// overwrite stores the commands as Discord would: with ids and versions,
// read back from JSON.
func (f *Fake) overwrite(w http.ResponseWriter, r *http.Request) {
	var cmds []*discordgo.ApplicationCommand
	if err := decode(r, &cmds); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	guild := r.PathValue("guild")
	f.mu.Lock()
	for _, c := range cmds {
		c.ID, c.ApplicationID, c.GuildID, c.Version = f.id(), r.PathValue("app"), guild, f.id()
	}
	f.commands[guild] = cmds
	f.overwrites = append(f.overwrites, guild)
	f.notify()
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

func (f *Fake) application(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": AppID, "name": "docracy"})
}

func decode(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}

// callList names the calls received so far, without their bodies.
func (f *Fake) callList() string {
	var b strings.Builder
	for _, c := range f.Calls() {
		fmt.Fprintf(&b, "\n  %s %s", c.Method, c.Path)
	}
	return b.String()
}

// Calls returns every request received so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Callbacks returns the first responses received so far.
func (f *Fake) Callbacks() []Callback {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Callback(nil), f.callbacks...)
}

// Edits returns the edits of first responses received so far.
func (f *Fake) Edits() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.edits...)
}

// Followups returns the follow-up messages received so far.
func (f *Fake) Followups() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.followups...)
}

// Deletes returns the tokens of the interactions whose first response was deleted.
func (f *Fake) Deletes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deletes...)
}

// Messages returns the channel messages received so far.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

// MessageEdits returns the edits of channel messages received so far.
func (f *Fake) MessageEdits() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.msgEdits...)
}

// Message returns a channel message as it stands after its edits.
func (f *Fake) Message(id string) (Message, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.messages {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

// Commands returns the commands registered in a guild ("" = global).
func (f *Fake) Commands(guild string) []*discordgo.ApplicationCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commands[guild]
}

// Overwrites returns the guild id ("" = global) of each bulk overwrite.
func (f *Fake) Overwrites() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.overwrites...)
}

// WaitFor waits until cond holds, re-checking it after each recorded
// call, and fails the test after timeout.
func (f *Fake) WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		f.mu.Lock()
		changed := f.changed
		f.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("fake Discord: no %s within %s; calls: %s", what, timeout, f.callList())
		}
	}
}
