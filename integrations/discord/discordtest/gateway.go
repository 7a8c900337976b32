package discordtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake's websocket gateway: it greets, accepts the
// identify, says READY, acknowledges heartbeats and dispatches events.
type gateway struct {
	mu    sync.Mutex
	conns []*wsConn // open connections; a closed one leaves the list
	seq   int64
}

type wsConn struct {
	mu    sync.Mutex // gorilla/websocket allows one writer at a time
	c     *websocket.Conn
	ready bool // identified and told READY; guarded by gateway.mu
}

func (c *wsConn) send(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.WriteJSON(v)
}

type payload struct {
	Op   int    `json:"op"`
	Data any    `json:"d"`
	Seq  int64  `json:"s,omitempty"`
	Type string `json:"t,omitempty"`
}

func (f *Fake) gatewayURL(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"url": "ws" + strings.TrimPrefix(f.Server.URL, "http") + "/gateway"})
}

var upgrader = websocket.Upgrader{}

func (f *Fake) serveGateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c}
	g := &f.gateway
	g.mu.Lock()
	g.conns = append(g.conns, conn)
	g.mu.Unlock()
	defer g.remove(conn)
	if conn.send(payload{Op: 10, Data: map[string]int{"heartbeat_interval": 45000}}) != nil {
		return
	}
	for {
		var p struct {
			Op int `json:"op"`
		}
		if err := c.ReadJSON(&p); err != nil {
			return
		}
		switch p.Op {
		case 1: // heartbeat
			conn.send(payload{Op: 11})
		case 2: // identify
			g.dispatch(conn, "READY", map[string]any{
				"v": 10, "session_id": "fake-session", "user": map[string]any{"id": AppID, "username": "docracy", "bot": true},
				"guilds": []any{}, "application": map[string]any{"id": AppID},
			})
			g.mu.Lock()
			conn.ready = true
			g.mu.Unlock()
		}
	}
}

func (g *gateway) dispatch(c *wsConn, event string, data any) error {
	g.mu.Lock()
	g.seq++
	seq := g.seq
	g.mu.Unlock()
	return c.send(payload{Op: 0, Seq: seq, Type: event, Data: data})
}

// remove forgets a connection that closed, such as a killed process's.
func (g *gateway) remove(c *wsConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, open := range g.conns {
		if open == c {
			g.conns = append(g.conns[:i], g.conns[i+1:]...)
			return
		}
	}
}

// readyConns are the open connections that have been told READY.
func (g *gateway) readyConns() []*wsConn {
	g.mu.Lock()
	defer g.mu.Unlock()
	var ready []*wsConn
	for _, c := range g.conns {
		if c.ready {
			ready = append(ready, c)
		}
	}
	return ready
}

func (g *gateway) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.conns {
		c.c.Close()
	}
}

// WaitReady waits until an open session has identified and been told READY.
func (f *Fake) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); len(f.gateway.readyConns()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("fake Discord: no session became ready within %s", timeout)
		}
	}
}

// Dispatch sends a gateway event (e.g. INTERACTION_CREATE) to every
// session that is open and ready.
func (f *Fake) Dispatch(t testing.TB, event string, data any) {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	conns := f.gateway.readyConns()
	if len(conns) == 0 {
		t.Fatal("fake Discord: no gateway session to dispatch to")
	}
	for _, c := range conns {
		if err := f.gateway.dispatch(c, event, json.RawMessage(raw)); err != nil {
			t.Fatalf("dispatch %s: %v", event, err)
		}
	}
}

// ReadySessions counts the open sessions told READY: one per process that
// runs the gateway.
func (f *Fake) ReadySessions() int { return len(f.gateway.readyConns()) }
