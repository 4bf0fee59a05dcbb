package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestStudioBrowser drives the studio of the real binary through its pages
// in headless Chromium: e2e/studio.mjs signs in, creates, edits, rates,
// reviews, publishes and downloads a work, and checks a phone-sized screen,
// leaving a screenshot of each step in $MIAOBI_E2E_ARTIFACTS (default
// e2e/artifacts). It needs Debian's chromium and 'npm install' in e2e/; it
// is skipped without them, except under CI, where it fails.
func TestStudioBrowser(t *testing.T) {
	out := browserSetup(t, "MIAOBI_E2E_ARTIFACTS", "artifacts")
	srv := startStudio(t, t.TempDir())
	runBrowser(t, srv, "studio.mjs", out, 4*time.Minute)
}

// browserSetup finds what the browser tests need (Chromium, node and
// playwright-core in e2e/), skipping the test without them except under CI,
// and returns the screenshot directory — $env, or e2e/dir — emptied of an
// earlier run's screenshots.
func browserSetup(t *testing.T, env, dir string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const chromium = "/usr/bin/chromium"
	missing := func(what, how string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (CI is set, so this fails rather than skips): %s", what, how)
		}
		t.Skipf("%s is missing: %s", what, how)
	}
	if _, err := os.Stat(chromium); err != nil {
		missing(chromium, "apt-get install chromium")
	}
	if _, err := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core")); err != nil {
		missing("e2e/node_modules/playwright-core", "cd e2e && npm ci --ignore-scripts")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node", "install Node.js")
	}
	out := os.Getenv(env)
	if out == "" {
		out = filepath.Join(root, "e2e", dir)
	} else if out, err = filepath.Abs(out); err != nil {
		t.Fatal(err)
	}
	// Screenshots of an earlier run would pass for this one's.
	old, _ := filepath.Glob(filepath.Join(out, "*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// runBrowser runs e2e/SCRIPT against the studio, then stops the studio
// and checks it exited cleanly; env adds to the script's environment. It
// returns the script's output.
func runBrowser(t *testing.T, srv *studioProc, script, out string, limit time.Duration, env ...string) string {
	t.Helper()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	node, _ := exec.LookPath("node")
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "e2e", script), srv.URL+"/", out)
	cmd.Dir = filepath.Join(root, "e2e")
	cmd.Env = append(append(os.Environ(), "MIAOBI_ADMIN_PASSWORD="+studioPassword), env...)
	// Node starts Chromium: on a timeout the whole process group goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	// With -v the output streams as it comes; without, it is shown on
	// failure.
	var log bytes.Buffer
	var w io.Writer = &log
	if testing.Verbose() {
		w = io.MultiWriter(&log, os.Stdout)
	}
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	err := cmd.Run()
	t.Logf("node e2e/%s ran %.1f s; screenshots in %s", script, time.Since(start).Seconds(), out)
	if err != nil {
		why := err.Error()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("timed out after %v", limit)
		}
		output := log.String()
		if testing.Verbose() {
			output = "(its output is above)"
		}
		t.Errorf("node e2e/%s: %s\n%s\nserver log:\n%s", script, why, output, tail(srv.stderr.String()))
	}

	if err := srv.stop(syscall.SIGTERM, 30*time.Second); err != nil {
		t.Errorf("miaobi serve after SIGTERM: %v, want exit status 0\n%s", err, tail(srv.stderr.String()))
	}
	if panicRE.MatchString(srv.stderr.String()) {
		t.Errorf("miaobi serve panicked:\n%s", tail(srv.stderr.String()))
	}
	return log.String()
}
