package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSettings checks where serve's settings come from: flags first, then
// MIAOBI_* variables, then the config file, then the defaults; and that
// bad values are refused.
func TestSettings(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "miaobi.conf")
	os.WriteFile(conf, []byte("# comment\naddr = 0.0.0.0:9000\nworkers = 3\ngrace = 5s\n"), 0o644)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		conf    bool
		addr    string
		workers int
		grace   time.Duration
		bad     bool
	}{
		{name: "defaults", addr: "127.0.0.1:8080", workers: 2, grace: 20 * time.Second},
		{name: "config file", conf: true, addr: "0.0.0.0:9000", workers: 3, grace: 5 * time.Second},
		{name: "env over file", conf: true, env: map[string]string{"MIAOBI_WORKERS": "4", "MIAOBI_ADDR": "127.0.0.1:1"}, addr: "127.0.0.1:1", workers: 4, grace: 5 * time.Second},
		{name: "flags over env", conf: true, args: []string{"--workers", "0", "--grace", "0"}, env: map[string]string{"MIAOBI_WORKERS": "4"}, addr: "0.0.0.0:9000", workers: 0, grace: 0},
		{name: "bad workers", args: []string{"--workers", "abc"}, bad: true},
		{name: "too many workers", env: map[string]string{"MIAOBI_WORKERS": "99"}, bad: true},
		{name: "bad grace", args: []string{"--grace", "soon"}, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"MIAOBI_ADDR", "MIAOBI_DB", "MIAOBI_NATS", "MIAOBI_NATS_LISTEN", "MIAOBI_WORKERS", "MIAOBI_GRACE", "MIAOBI_LEXICON"} {
				t.Setenv(k, tc.env[k])
			}
			home := t.TempDir()
			if tc.conf {
				b, _ := os.ReadFile(conf)
				os.WriteFile(filepath.Join(home, "miaobi.conf"), b, 0o644)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var s settings
			bindSettings(fs, &s, false)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := s.resolve(home)
			if tc.bad {
				if err == nil {
					t.Fatalf("no error: %+v", s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.addr != tc.addr || s.workers != tc.workers || s.grace != tc.grace {
				t.Fatalf("addr %q workers %d grace %v", s.addr, s.workers, s.grace)
			}
		})
	}
	var s settings
	os.WriteFile(filepath.Join(dir, "bad.conf"), []byte("a = red\n"), 0o644)
	s.config = filepath.Join(dir, "bad.conf")
	if err := s.resolve(dir); err == nil {
		t.Fatal("an unknown config key was accepted")
	}
}
