package main_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDiscordTokensNeverReachTheLog runs the built binary with a digest to
// post through DISCORD_WEBHOOK_URL while Discord cannot be reached (its
// address is a closed port): the failure is logged, and neither the
// webhook's token nor the bot token is in the log.
func TestDiscordTokensNeverReachTheLog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	const webhookToken = "Xk3_vQ9-e2eWEBHOOKsecretAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	cfg := fmt.Sprintf("database: %s\ndiscord:\n  api_url: http://%s\n", db, closedAddr(t))
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	lastWeek := time.Now().Add(-7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	mustRun(t, dir, "credit", "--config", "docracy.yaml", "--member", "github:alice", "--points", "5",
		"--category", "code", "--url", "https://github.com/coop/x/pull/1", "--at", lastWeek)
	setMeta(t, db, "digests_since", time.Now().Add(-30*24*time.Hour).Unix()) // a digest is due at once

	env := []string{"DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/123456789012345678/" + webhookToken}
	srv := startServeEnv(t, dir, env, "--config", "docracy.yaml")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(srv.logs.String(), "digest not posted") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	srv.stop(t)
	logs := srv.logs.String()
	if !strings.Contains(logs, "digest not posted") || !strings.Contains(logs, "/webhooks/123456789012345678/***") {
		t.Fatalf("the failed post is not logged, or not with its redacted URL:\n%s", logs)
	}
	if strings.Contains(logs, webhookToken) {
		t.Errorf("the log holds the webhook token:\n%s", logs)
	}
}

// closedAddr returns an address nothing listens on: a port the kernel
// gave and was closed at once.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
