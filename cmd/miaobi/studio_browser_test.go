package main

import (
	"bytes"
	"context"
	"errors"
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
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node", "install Node.js")
	}
	out := os.Getenv("MIAOBI_E2E_ARTIFACTS")
	if out == "" {
		out = filepath.Join(root, "e2e", "artifacts")
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

	srv := startStudio(t, t.TempDir())

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "e2e", "studio.mjs"), srv.URL+"/", out)
	cmd.Dir = filepath.Join(root, "e2e")
	cmd.Env = append(os.Environ(), "MIAOBI_ADMIN_PASSWORD="+studioPassword)
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
	err = cmd.Run()
	t.Logf("node e2e/studio.mjs ran %.1f s; screenshots in %s", time.Since(start).Seconds(), out)
	if err != nil {
		why := err.Error()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "timed out after 4 minutes"
		}
		output := log.String()
		if testing.Verbose() {
			output = "(its output is above)"
		}
		t.Errorf("node e2e/studio.mjs: %s\n%s\nserver log:\n%s", why, output, tail(srv.stderr.String()))
	}

	if err := srv.stop(syscall.SIGTERM, 30*time.Second); err != nil {
		t.Errorf("miaobi serve after SIGTERM: %v, want exit status 0\n%s", err, tail(srv.stderr.String()))
	}
	if panicRE.MatchString(srv.stderr.String()) {
		t.Errorf("miaobi serve panicked:\n%s", tail(srv.stderr.String()))
	}
}
