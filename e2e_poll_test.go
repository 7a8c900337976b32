package main_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPollsEndToEnd opens a poll that closes in a few seconds, votes from
// the CLI while serve runs, and watches serve close it on time: the API
// then serves the same object as poll show, and the chain verifies.
func TestPollsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "e2e.db")
	for _, login := range []string{"ann", "bob", "cid"} {
		mustRun(t, dir, "credit", "--db", db, "--member", "github:"+login, "--points", "3", "--category", "code")
	}
	closes := time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339)
	id := strings.TrimSpace(mustRun(t, dir, "poll", "open", "--db", db, "--question", "Ship it?", "--mode", "member",
		"--quorum", "50", "--closes", closes))
	srv := startServe(t, dir, "--db", db)
	mustRun(t, dir, "poll", "vote", "--db", db, "--poll", id, "--member", "github:ann", "--option", "yes")
	mustRun(t, dir, "poll", "vote", "--db", db, "--poll", id, "--member", "github:bob", "--option", "yes")

	var p struct{ Status, Outcome, Adopted string }
	for deadline := time.Now().Add(20 * time.Second); p.Status != "closed" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		getJSON(t, srv.url+"/api/v1/polls/"+id, &p)
	}
	if p.Status != "closed" || p.Outcome != "adopted" || p.Adopted != "yes" {
		t.Fatalf("poll %s after its closing time = %+v\n%s", id, p, srv.logs)
	}
	_, api := fetch(t, http.MethodGet, srv.url+"/api/v1/polls/"+id, nil, nil)
	if show := mustRun(t, dir, "poll", "show", "--db", db, "--poll", id, "--format", "json"); show != api {
		t.Errorf("API and poll show differ:\n%s\n%s", api, show)
	}
	var list struct {
		Polls []struct{ ID, Outcome string }
	}
	getJSON(t, srv.url+"/api/v1/polls", &list)
	if len(list.Polls) != 1 || list.Polls[0].ID != id || list.Polls[0].Outcome != "adopted" {
		t.Errorf("poll list = %+v", list)
	}
	for path, status := range map[string]int{"/api/v1/polls/first": 400, "/api/v1/polls/e999": 404} {
		if resp, body := fetch(t, http.MethodGet, srv.url+path, nil, nil); resp.StatusCode != status || !strings.Contains(body, `"error":"poll`) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	srv.stop(t)
	if out := mustRun(t, dir, "verify", "--db", db); !strings.HasPrefix(out, "ok 7 ") {
		t.Errorf("verify: %s", out)
	}
}
