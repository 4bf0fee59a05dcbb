package engine

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Config describes one named engine.
type Config struct {
	Name string
	// Kind is the API the server speaks: "openai" (chat completions, the
	// one adapter for OpenAI, DeepSeek, Qwen, vLLM, llama-server, LocalAI,
	// Ollama's /v1 and another Miaobi) or "ollama" (Ollama's own API,
	// through its client package; URL is the host, without /v1).
	Kind string
	// URL is the API's base, e.g. https://api.deepseek.com/v1.
	URL string
	// Key is the API key (sent as a bearer token); empty for local servers.
	Key string
	// Model is the model asked for when a request names none.
	Model string
	// Timeout bounds each attempt; Retries is how many times a 408, 409,
	// 429 or 5xx answer or a dropped connection is retried, with
	// exponential backoff; Concurrency bounds the calls in flight.
	Timeout     time.Duration
	Retries     int
	Concurrency int
	// From says where the engine was defined (built in, a file's line,
	// the environment), for `miaobi engines`.
	From string
}

// Defaults for what a config leaves out.
const (
	DefaultTimeout     = 120 * time.Second
	DefaultRetries     = 2
	DefaultConcurrency = 4
)

// Kinds are the engine kinds this build can talk to.
var Kinds = []string{"openai", "ollama"}

// String shows the config with its key redacted.
func (c Config) String() string {
	key := "none"
	if c.Key != "" {
		key = "set"
	}
	return fmt.Sprintf("%s (%s %s, model %q, key %s, timeout %s, retries %d, concurrency %d)",
		c.Name, c.Kind, c.URL, c.Model, key, c.Timeout, c.Retries, c.Concurrency)
}

// LogValue keeps the key out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.String("kind", c.Kind),
		slog.String("url", c.URL), slog.String("model", c.Model), slog.Bool("key", c.Key != ""))
}

// Env reads one environment variable; os.Getenv in programs, a map in tests.
type Env func(string) string

// builtins are the engines every Miaobi knows, each defined by the
// variables its own server's tools already use.
func builtins(env Env) []Config {
	openaiURL := env("OPENAI_BASE_URL")
	if openaiURL == "" {
		openaiURL = "https://api.openai.com/v1"
	}
	ollama := env("OLLAMA_HOST")
	if ollama == "" {
		ollama = "http://127.0.0.1:11434"
	}
	if !strings.Contains(ollama, "://") {
		ollama = "http://" + ollama
	}
	mb := env("MIAOBI_URL")
	if mb == "" {
		mb = "http://127.0.0.1:8080"
	}
	return []Config{
		{Name: "openai", Kind: "openai", URL: openaiURL, Key: env("OPENAI_API_KEY"), From: "built in: OPENAI_BASE_URL, OPENAI_API_KEY"},
		{Name: "ollama", Kind: "ollama", URL: strings.TrimRight(ollama, "/"), From: "built in: OLLAMA_HOST (Ollama's own API)"},
		{Name: "miaobi", Kind: "openai", URL: strings.TrimRight(mb, "/") + "/v1", Key: env("MIAOBI_KEY"), Model: "miaobi-poet", From: "built in: MIAOBI_URL, MIAOBI_KEY (another Miaobi studio)"},
	}
}

// Load gathers the named engines: the built-in ones, then the config file
// (path; "" or a missing file at the default path is no file), then the
// MIAOBI_ENGINE_<NAME>_<FIELD> variables, each overriding the one before.
// explicit says whether path was given by the person (then it must exist).
func Load(path string, explicit bool, env Env) (map[string]Config, error) {
	out := map[string]Config{}
	for _, c := range builtins(env) {
		out[c.Name] = c
	}
	if path != "" {
		f, err := os.Open(path)
		switch {
		case err == nil:
			defer f.Close()
			cs, err := Parse(f, path, env)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if old, ok := out[c.Name]; ok {
					c = merge(old, c)
				}
				out[c.Name] = c
			}
		case explicit || !os.IsNotExist(err):
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
	}
	if err := fromEnviron(out, os.Environ(), env); err != nil {
		return nil, err
	}
	for n, c := range out {
		c = withDefaults(c)
		if err := c.validate(); err != nil {
			return nil, err
		}
		out[n] = c
	}
	return out, nil
}

// merge lays the fields set in c over old.
func merge(old, c Config) Config {
	if c.Kind != "" {
		old.Kind = c.Kind
	}
	if c.URL != "" {
		old.URL = c.URL
	}
	if c.Key != "" {
		old.Key = c.Key
	}
	if c.Model != "" {
		old.Model = c.Model
	}
	if c.Timeout != 0 {
		old.Timeout = c.Timeout
	}
	if c.Retries != 0 {
		old.Retries = c.Retries
	}
	if c.Concurrency != 0 {
		old.Concurrency = c.Concurrency
	}
	old.From = c.From
	return old
}

func withDefaults(c Config) Config {
	if c.Kind == "" {
		c.Kind = "openai"
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	if c.Retries < 0 { // "retries = none"
		c.Retries = 0
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	return c
}

func (c Config) validate() error {
	if !slices.Contains(Kinds, c.Kind) {
		return fmt.Errorf("%w: engine %q: kind %q is not one this build speaks (%s)", ErrConfig, c.Name, c.Kind, strings.Join(Kinds, ", "))
	}
	if c.URL == "" {
		return fmt.Errorf("%w: engine %q (%s) has no url: set url = … in its section or MIAOBI_ENGINE_%s_URL", ErrConfig, c.Name, c.From,
			strings.ToUpper(strings.ReplaceAll(c.Name, "-", "_")))
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: engine %q: url %q: give the API's base address, e.g. http://127.0.0.1:11434/v1", ErrConfig, c.Name, Redact(c.URL, c.Key))
	}
	if u.User != nil {
		return fmt.Errorf("%w: engine %q: put the key in key = …, not in the url", ErrConfig, c.Name)
	}
	return nil
}

// Names lists the engines, sorted.
func Names(cs map[string]Config) []string {
	var ns []string
	for n := range cs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// validName is an engine's name: letters, digits, '-' and '_'.
func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Parse reads an engines file: sections named [NAME], each with lines of
// key = value among kind, url, key, model, timeout, retries and
// concurrency; # starts a comment. A key written env:VAR is read from the
// environment, so the file need not hold the secret.
//
//	[deepseek]
//	url = https://api.deepseek.com/v1
//	key = env:DEEPSEEK_API_KEY
//	model = deepseek-chat
func Parse(r io.Reader, path string, env Env) ([]Config, error) {
	var out []Config
	cur := -1
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		where := fmt.Sprintf("%s line %d", path, n)
		if strings.HasPrefix(line, "[") {
			name, ok := strings.CutSuffix(line[1:], "]")
			name = strings.TrimSpace(name)
			if !ok || !validName(name) {
				return nil, fmt.Errorf("%w: %s: want a section [NAME] with a name of letters, digits, '-' or '_'", ErrConfig, where)
			}
			for _, c := range out {
				if c.Name == name {
					return nil, fmt.Errorf("%w: %s: engine %q is defined twice", ErrConfig, where, name)
				}
			}
			out = append(out, Config{Name: name, From: where})
			cur = len(out) - 1
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%w: %s: want key = value", ErrConfig, where)
		}
		if cur < 0 {
			return nil, fmt.Errorf("%w: %s: settings must follow a section [NAME]", ErrConfig, where)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if err := set(&out[cur], k, v, env); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, where, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	return out, nil
}

// set sets one field of c from its written value.
func set(c *Config, k, v string, env Env) error {
	switch k {
	case "kind":
		c.Kind = strings.ToLower(v)
	case "url":
		c.URL = strings.TrimRight(v, "/")
	case "key":
		if name, ok := strings.CutPrefix(v, "env:"); ok {
			v = env(strings.TrimSpace(name))
			if v == "" {
				return fmt.Errorf("key: the variable %s is not set", strings.TrimSpace(name))
			}
		}
		c.Key = v
	case "model":
		c.Model = v
	case "timeout":
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 24*time.Hour {
			return fmt.Errorf("timeout %q: give a duration such as 90s or 5m", v)
		}
		c.Timeout = d
	case "retries":
		n, err := strconv.Atoi(v)
		if v == "none" {
			n, err = -1, nil
		}
		if err != nil || n < -1 || n > 10 {
			return fmt.Errorf("retries %q: give 0 to 10 (or none)", v)
		}
		if n == 0 {
			n = -1 // 0 written means none; 0 in a Config means unset
		}
		c.Retries = n
	case "concurrency":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("concurrency %q: give 1 to 256", v)
		}
		c.Concurrency = n
	default:
		return fmt.Errorf("unknown setting %q (kind, url, key, model, timeout, retries, concurrency)", k)
	}
	return nil
}

// fromEnviron applies MIAOBI_ENGINE_<NAME>_<FIELD> variables; a name not
// yet defined is created (its URL must then be given).
func fromEnviron(out map[string]Config, environ []string, env Env) error {
	fields := []string{"CONCURRENCY", "TIMEOUT", "RETRIES", "MODEL", "KIND", "URL", "KEY"}
	var names []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(k, "MIAOBI_ENGINE_")
		if !ok {
			continue
		}
		names = append(names, rest)
	}
	sort.Strings(names)
	for _, rest := range names {
		var name, field string
		for _, f := range fields {
			if n, ok := strings.CutSuffix(rest, "_"+f); ok && n != "" {
				name, field = n, f
				break
			}
		}
		if field == "" {
			return fmt.Errorf("%w: MIAOBI_ENGINE_%s: want MIAOBI_ENGINE_<NAME>_<%s>", ErrConfig, rest, strings.Join(fields, "|"))
		}
		v := env("MIAOBI_ENGINE_" + rest)
		if v == "" {
			continue
		}
		key := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
		// The variable's name is upper case; match a configured engine
		// whatever its case and whether it used '-' or '_'.
		for n := range out {
			if strings.EqualFold(strings.ReplaceAll(n, "_", "-"), key) {
				key = n
			}
		}
		c := out[key]
		c.Name = key
		if err := set(&c, strings.ToLower(field), v, env); err != nil {
			return fmt.Errorf("%w: MIAOBI_ENGINE_%s: %v", ErrConfig, rest, err)
		}
		c.From = "environment: MIAOBI_ENGINE_" + name + "_*"
		out[key] = c
	}
	return nil
}

// Find is the engine called name among cs, or an error naming those there
// are.
func Find(cs map[string]Config, name string) (Config, error) {
	c, ok := cs[name]
	if !ok {
		return c, fmt.Errorf("no engine named %q; configured: %s (see 'miaobi engines --help')", name, strings.Join(Names(cs), ", "))
	}
	return c, nil
}

// model is the model a request names, or the engine's default; an error
// when there is neither.
func (c Config) model(asked string) (string, error) {
	if asked != "" {
		return asked, nil
	}
	if c.Model == "" {
		return "", fmt.Errorf("%w: engine %s has no default model: name one with --model (or model = … in its config)", ErrConfig, c.Name)
	}
	return c.Model, nil
}
