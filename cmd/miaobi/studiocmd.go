package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const studioHelp = `Usage: miaobi studio <command> [flags]

Works with a running studio ('miaobi serve') over its API, from the command
line, with a progress bar for background jobs. The studio's address and an
API key come from --url and --key, or MIAOBI_URL and MIAOBI_KEY (make a key
on the studio's "API keys" page).

Commands:
  autopilot -k WORDS [-o FILE]   keywords to a published bundle, no human step
  new -k WORDS [--form F]        start a work; prints its id
  create WORK [--n N] [--seed S] [--no-paint]
                                 poem candidates and a painting, with progress
  show WORK                      the work's stage, poem, share and history
  publish WORK [--ack] [-o FILE] publish and download the bundle

Examples:
  export MIAOBI_URL=http://127.0.0.1:8080 MIAOBI_KEY=mbk_…
  miaobi studio autopilot -k 灯,跳舞,翅膀 -o lamp.zip
  miaobi studio create w_1234abcd --seed 7

Flags:
`

// studioClient calls a studio's API.
type studioClient struct {
	url, key string
	http     *http.Client
}

func (c *studioClient) call(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.url+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the studio at %s (is 'miaobi serve' running? set --url): %w", c.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("HTTP %d from %s", resp.StatusCode, path)
	}
	if w, ok := out.(io.Writer); ok {
		_, err = w.Write(b)
		return err
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// follow shows a job's progress as a bar until it finishes, reading the
// studio's server-sent events.
func (c *studioClient) follow(jobID string, w io.Writer, tty bool) error {
	req, _ := http.NewRequest("GET", c.url+"/api/jobs/"+jobID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("following job %s: HTTP %d", jobID, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var j struct {
			State    string
			Progress float64
			Message  string
			Error    string
		}
		json.Unmarshal([]byte(data), &j)
		fmt.Fprint(w, progressBar(j.Progress, j.Message, tty))
		if event == "done" {
			if tty {
				fmt.Fprintln(w)
			}
			if j.State == "failed" {
				return fmt.Errorf("job %s failed: %s", jobID, j.Error)
			}
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the studio closed the progress stream before the job finished")
}

// progressBar draws one state of the bar: redrawn in place on a terminal,
// one line per report otherwise.
func progressBar(p float64, msg string, tty bool) string {
	if p < 0 {
		p = 0
	}
	if p > 1 {
		p = 1
	}
	const width = 30
	n := int(p*width + 0.5)
	bar := fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", n), strings.Repeat("-", width-n), 100*p, msg)
	if tty {
		return "\r\033[K" + bar
	}
	return bar + "\n"
}

func runStudio(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("studio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", os.Getenv("MIAOBI_URL"), "the studio's address (env MIAOBI_URL; default http://127.0.0.1:8080)")
	key := fs.String("key", os.Getenv("MIAOBI_KEY"), "an API key (env MIAOBI_KEY)")
	kw := fs.String("k", "", "keywords, separated by commas")
	form := fs.String("form", "", "form: 五绝, 七绝 (default), 五律, 七律 or 词:TUNE")
	n := fs.Int("n", 5, "poem candidates")
	seed := fs.Int64("seed", 0, "seed (default: from the clock)")
	noPaint := fs.Bool("no-paint", false, "write poems only")
	ack := fs.Bool("ack", false, "publish even when the review asks you to look first")
	out := fs.String("o", "", "write the bundle (zip) to FILE")
	fs.Usage = func() { fmt.Fprint(stderr, studioHelp); fs.PrintDefaults() }
	if len(args) == 0 {
		fs.Usage()
		return 2
	}
	sub := args[0]
	if err := parseInterspersed(fs, args[1:]); err != nil {
		return parseExit(err)
	}
	fail := failer(stderr, "studio "+sub)
	if *url == "" {
		*url = "http://127.0.0.1:8080"
	}
	*url = strings.TrimSuffix(*url, "/")
	if *key == "" {
		return fail(2, errors.New("give an API key with --key or MIAOBI_KEY (make one on the studio's API keys page)"))
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano() % 1000000
	}
	c := &studioClient{url: *url, key: *key, http: &http.Client{Timeout: 5 * time.Minute}}
	tty := isTerminal(stderr)
	workArg := func() (string, error) {
		if fs.NArg() != 1 {
			return "", fmt.Errorf("give one work id (from 'miaobi studio new')")
		}
		return fs.Arg(0), nil
	}
	type work struct {
		ID, Stage, Title string
		Head             int
		Content          struct {
			Lines  []string
			Bundle string
		}
		Share struct{ Person float64 }
	}
	download := func(id string) error {
		if *out == "" {
			return nil
		}
		f, err := os.CreateTemp(filepath.Dir(*out), ".bundle-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		if err := c.call("GET", "/api/works/"+id+"/bundle", nil, f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
		return nil
	}
	switch sub {
	case "autopilot", "new":
		if *kw == "" {
			return fail(2, errors.New("give keywords with -k, e.g. -k 灯,跳舞,翅膀"))
		}
		var r struct {
			Work work
			Job  *struct{ ID string }
		}
		body := map[string]any{"keywords": splitKeywords(*kw), "form": *form, "autopilot": sub == "autopilot", "seed": *seed}
		if err := c.call("POST", "/api/works", body, &r); err != nil {
			return fail(1, err)
		}
		if sub == "new" {
			fmt.Fprintln(stdout, r.Work.ID)
			return 0
		}
		fmt.Fprintf(stderr, "work %s\n", r.Work.ID)
		if err := c.follow(r.Job.ID, stderr, tty); err != nil {
			return fail(1, err)
		}
		var w work
		if err := c.call("GET", "/api/works/"+r.Work.ID, nil, &w); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "%s\n%s\n", w.Title, strings.Join(w.Content.Lines, "\n"))
		if err := download(w.ID); err != nil {
			return fail(1, err)
		}
	case "create":
		id, err := workArg()
		if err != nil {
			return fail(2, err)
		}
		var r struct{ Job struct{ ID string } }
		if err := c.call("POST", "/api/works/"+id+"/create", map[string]any{"n": *n, "seed": *seed, "paint": !*noPaint}, &r); err != nil {
			return fail(1, err)
		}
		if err := c.follow(r.Job.ID, stderr, tty); err != nil {
			return fail(1, err)
		}
		var w work
		if err := c.call("GET", "/api/works/"+id, nil, &w); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "%s (version %d)\n%s\n", w.Title, w.Head, strings.Join(w.Content.Lines, "\n"))
	case "show":
		id, err := workArg()
		if err != nil {
			return fail(2, err)
		}
		var w work
		if err := c.call("GET", "/api/works/"+id, nil, &w); err != nil {
			return fail(1, err)
		}
		var vs struct {
			Versions []struct {
				N                    int
				Author, Action, Note string
			}
		}
		if err := c.call("GET", "/api/works/"+id+"/versions", nil, &vs); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "%s · %s · version %d · %.0f%% by the person\n%s\n\nhistory:\n", w.Title, w.Stage, w.Head, 100*w.Share.Person, strings.Join(w.Content.Lines, "\n"))
		for _, v := range vs.Versions {
			who := "person"
			if v.Author == "ai" {
				who = "AI"
			}
			fmt.Fprintf(stdout, "  %3d  %-6s %-11s %s\n", v.N, who, v.Action, v.Note)
		}
	case "publish":
		id, err := workArg()
		if err != nil {
			return fail(2, err)
		}
		var w work
		if err := c.call("POST", "/api/works/"+id+"/publish", map[string]any{"ack": *ack}, &w); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "published %s (version %d)\n", w.Content.Bundle, w.Head)
		if err := download(id); err != nil {
			return fail(1, err)
		}
	default:
		return fail(2, fmt.Errorf("unknown command %q; see 'miaobi studio --help'", sub))
	}
	return 0
}
