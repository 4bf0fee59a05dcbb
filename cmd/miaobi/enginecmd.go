package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/engine"
	"miaobi/poem"
)

const enginesHelp = `Usage: miaobi engines [flags]

Lists the engines Miaobi can use — model servers you already run — and
whether each answers. Three are built in:
  openai  OPENAI_BASE_URL (default https://api.openai.com/v1), OPENAI_API_KEY:
          any OpenAI-compatible server (OpenAI, DeepSeek, Qwen, vLLM,
          llama-server, LocalAI, Ollama's /v1)
  ollama  OLLAMA_HOST (default 127.0.0.1:11434), through Ollama's own API
  miaobi  MIAOBI_URL, MIAOBI_KEY: another Miaobi studio ('miaobi serve')
More are named in $MIAOBI_HOME/engines.conf (or --engines FILE):
  [deepseek]
  url = https://api.deepseek.com/v1
  key = env:DEEPSEEK_API_KEY
  model = deepseek-chat
  timeout = 120s     # each attempt
  retries = 2        # 408/409/429/5xx and dropped connections (ollama: also timed-out attempts), with backoff
  concurrency = 4    # calls in flight
  kind = openai      # or ollama: Ollama's own API (url without /v1)
or by variables MIAOBI_ENGINE_<NAME>_<URL|KEY|MODEL|KIND|TIMEOUT|RETRIES|CONCURRENCY>.
Keys are never printed.

Use one with: miaobi poem -k 秋风,落叶 --form 七律 --engine deepseek [--model M]

Flags:
`

// enginesPath is the engines file: the flag, or $MIAOBI_HOME/engines.conf.
func loadEngines(path string) (map[string]engine.Config, error) {
	explicit := path != ""
	if !explicit {
		dir, err := corpus.DataDir()
		if err == nil {
			path = filepath.Join(dir, "engines.conf")
		}
	}
	return engine.Load(path, explicit, os.Getenv)
}

// engineConfig finds a configured engine by name.
func engineConfig(name, file string) (engine.Config, error) {
	cs, err := loadEngines(file)
	if err != nil {
		return engine.Config{}, err
	}
	return engine.Find(cs, name)
}

// openEngine opens a configured text engine by name.
func openEngine(name, file string) (engine.Text, error) {
	c, err := engineConfig(name, file)
	if err != nil {
		return nil, err
	}
	return engine.Open(c)
}

func runEngines(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("engines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("engines", "", "the engines file (default $MIAOBI_HOME/engines.conf)")
	asJSON := fs.Bool("json", false, "print one JSON object per engine")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for each engine's model list")
	fs.Usage = func() { fmt.Fprint(stderr, enginesHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	cs, err := loadEngines(*file)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi engines: %v\n", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, n := range engine.Names(cs) {
		c := cs[n]
		status, models := "", []string{}
		c1 := c
		c1.Retries = -1 // asked once: 0 would mean the default retries
		t, err := engine.Open(c1)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			models, err = t.Models(ctx)
			cancel()
			t.Close()
		}
		if err != nil {
			status = "not answering: " + err.Error()
		} else {
			status = fmt.Sprintf("answers, %d model(s)", len(models))
		}
		if *asJSON {
			enc.Encode(map[string]any{"name": n, "kind": c.Kind, "url": c.URL, "model": c.Model, "key": c.Key != "",
				"from": c.From, "answers": err == nil, "status": status, "models": models})
			continue
		}
		key := "no key"
		if c.Key != "" {
			key = "key set"
		}
		model := c.Model
		if model == "" {
			model = "(no default model)"
		}
		fmt.Fprintf(stdout, "%-10s %s %s · %s · %s\n           %s\n", n, c.Kind, c.URL, model, key, status)
		if len(models) > 0 {
			shown := models
			if len(shown) > 8 {
				shown = append(shown[:8:8], fmt.Sprintf("… %d more", len(models)-8))
			}
			fmt.Fprintf(stdout, "           models: %s\n", strings.Join(shown, ", "))
		}
	}
	return 0
}

// enginePoem writes a poem through a configured engine, under Miaobi's
// guard.
func enginePoem(pf *poemFlags, name, model, file, out string, inband bool, req poem.Request, stdout, stderr io.Writer) int {
	t, err := openEngine(name, file)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
		return 2
	}
	defer t.Close()
	if req.N > 1 {
		fmt.Fprintln(stderr, "miaobi poem: --n with --engine: one poem per request")
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	seed := req.Seed
	g, err := e.FromPoet(ctx, engine.Poet{Name: name, Text: t, Model: model, Seed: &seed}, req)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
		return exitFor(err)
	}
	poems := []*poem.Poem{g}
	if out == "" {
		return printPoems(stdout, poems, *pf.asJSON, *pf.traditional)
	}
	return writePoems(out, inband, poems, pf, stdout, stderr)
}

func exitOf(err error) int {
	if err != nil {
		return 1
	}
	return 0
}
