package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mapEnv(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestParse(t *testing.T) {
	env := mapEnv(map[string]string{"DS_KEY": "sk-ds-123456"})
	good := `# engines
[deepseek]
url = https://api.deepseek.com/v1/
key = env:DS_KEY
model = deepseek-chat
timeout = 90s
retries = 0
concurrency = 8

[local]
kind = ollama
url = "http://127.0.0.1:11434"
`
	cs, err := Parse(strings.NewReader(good), "e.conf", env)
	if err != nil {
		t.Fatal(err)
	}
	want := []Config{
		{Name: "deepseek", URL: "https://api.deepseek.com/v1", Key: "sk-ds-123456", Model: "deepseek-chat", Timeout: 90 * time.Second, Retries: -1, Concurrency: 8, From: "e.conf line 2"},
		{Name: "local", Kind: "ollama", URL: "http://127.0.0.1:11434", From: "e.conf line 10"},
	}
	if fmt.Sprintf("%#v", cs) != fmt.Sprintf("%#v", want) {
		t.Errorf("got  %#v\nwant %#v", cs, want)
	}
	for _, c := range []struct{ text, want string }{
		{"url = x", "must follow a section"},
		{"[a b]", "section [NAME]"},
		{"[a]\n[a]", "defined twice"},
		{"[a]\ncolour = red", "unknown setting"},
		{"[a]\ntimeout = soon", "timeout"},
		{"[a]\nretries = 99", "retries"},
		{"[a]\nconcurrency = 0", "concurrency"},
		{"[a]\nkey = env:NOPE", "NOPE is not set"},
		{"[a]\njust words", "key = value"},
	} {
		_, err := Parse(strings.NewReader(c.text), "f", env)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.text, err, c.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "engines.conf")
	os.WriteFile(path, []byte("[openai]\nmodel = gpt-x\n\n[vllm]\nurl = http://10.0.0.2:8000/v1\n"), 0o644)
	t.Setenv("MIAOBI_ENGINE_VLLM_MODEL", "qwen")
	t.Setenv("MIAOBI_ENGINE_MY_LOCAL_URL", "http://127.0.0.1:9/v1")
	env := mapEnv(map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "OPENAI_API_KEY": "sk-secret-0000",
		"OLLAMA_HOST": "0.0.0.0:11434", "MIAOBI_ENGINE_VLLM_MODEL": "qwen", "MIAOBI_ENGINE_MY_LOCAL_URL": "http://127.0.0.1:9/v1"})
	cs, err := Load(path, true, env)
	if err != nil {
		t.Fatal(err)
	}
	o := cs["openai"]
	if o.URL != "http://127.0.0.1:1/v1" || o.Key != "sk-secret-0000" || o.Model != "gpt-x" || o.Retries != DefaultRetries || o.Timeout != DefaultTimeout {
		t.Errorf("openai: %+v", o)
	}
	if cs["ollama"].URL != "http://0.0.0.0:11434" || cs["ollama"].Kind != "ollama" {
		t.Errorf("ollama: %+v", cs["ollama"])
	}
	if cs["vllm"].Model != "qwen" || cs["my-local"].URL != "http://127.0.0.1:9/v1" {
		t.Errorf("vllm %+v, my-local %+v", cs["vllm"], cs["my-local"])
	}
	// The key stays out of what is shown and logged.
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("engine", "cfg", o)
	if s := o.String() + sb.String() + fmt.Sprint(o); strings.Contains(s, "sk-secret") {
		t.Errorf("the key shows: %s", s)
	}
	if _, err := Load(filepath.Join(dir, "missing.conf"), false, env); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "MIAOBI_ENGINE_VLLM_URL") {
		t.Errorf("an engine named by a variable, without a url: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.conf"), true, env); !errors.Is(err, ErrConfig) {
		t.Errorf("a missing file named by the person: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.conf"), false, mapEnv(nil)); err != nil {
		t.Errorf("a missing default file: %v", err)
	}
	for _, bad := range []string{"[x]\nurl = ftp://host/v1\n", "[x]\nurl = http://user:pw@host/v1\n", "[x]\nkind = grpc\nurl = http://h\n"} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := Load(path, true, env); !errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "pw@") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestRedact(t *testing.T) {
	err := redact(fmt.Errorf("wrap: %w", errors.New("GET http://h/v1?key=sk-abcdef: 401 Bearer sk-abcdef")), "sk-abcdef")
	if strings.Contains(err.Error(), "sk-abcdef") || !strings.Contains(err.Error(), "***") {
		t.Errorf("%v", err)
	}
	if Redact("abc", "ab") != "abc" { // too short to be a key: left alone
		t.Error("short secret redacted")
	}
}

// FuzzParse: any engines file is read or refused, never a panic, and what
// is read has valid names.
func FuzzParse(f *testing.F) {
	f.Add("[a]\nurl = http://h/v1\nkey = env:K\ntimeout = 5s\n")
	f.Add("[b-2]\nretries = none\nconcurrency = 3\n# c\n; d\n")
	f.Add("[\n]\n=\n")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := Parse(strings.NewReader(s), "f", mapEnv(map[string]string{"K": "v"}))
		if err != nil {
			return
		}
		for _, c := range cs {
			if !validName(c.Name) {
				t.Fatalf("name %q", c.Name)
			}
		}
	})
}
