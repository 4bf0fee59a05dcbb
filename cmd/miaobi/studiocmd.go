package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/server"
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
  report WORK                    the work's value traits and Lovelace report

The arena (blind rounds of readers; see docs/arena.md):
  rounds                         the rounds, their state and counts
  start-round NAME [--size N] [--per-form N] [--sources human,miaobi,…]
                                 start a round (administrators), with progress
  results [--round ID] [--csv]   per source: taken for a person's, score and
                                 Bradley–Terry strength, with 95 % intervals
  export ROUND [--json] [-o FILE]
                                 every answer of a round (administrators)

Examples:
  export MIAOBI_URL=http://127.0.0.1:8080 MIAOBI_KEY=mbk_…
  miaobi studio autopilot -k 灯,跳舞,翅膀 -o lamp.zip
  miaobi studio create w_1234abcd --seed 7

Flags:
`

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
	out := fs.String("o", "", "write the bundle (zip), or the export, to FILE")
	ar := arenaFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, studioHelp); fs.PrintDefaults() }
	if len(args) == 0 {
		fs.Usage()
		return 2
	}
	sub := args[0]
	if err := parseInterspersed(fs, args[1:]); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "studio "+sub)
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
	c := &server.Client{URL: *url, Key: *key, HTTP: &http.Client{Timeout: 5 * time.Minute}}
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
		if err := cli.WriteVia(*out, func(w io.Writer) error { return c.Call("GET", server.APIPath("works", id, "bundle"), nil, w) }); err != nil {
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
		if err := c.Call("POST", "/api/works", body, &r); err != nil {
			return fail(1, err)
		}
		if sub == "new" {
			fmt.Fprintln(stdout, r.Work.ID)
			return 0
		}
		fmt.Fprintf(stderr, "work %s\n", r.Work.ID)
		if err := c.Follow(r.Job.ID, stderr, tty); err != nil {
			return fail(1, err)
		}
		var w work
		if err := c.Call("GET", server.APIPath("works", r.Work.ID), nil, &w); err != nil {
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
		if err := c.Call("POST", server.APIPath("works", id, "create"), map[string]any{"n": *n, "seed": *seed, "paint": !*noPaint}, &r); err != nil {
			return fail(1, err)
		}
		if err := c.Follow(r.Job.ID, stderr, tty); err != nil {
			return fail(1, err)
		}
		var w work
		if err := c.Call("GET", server.APIPath("works", id), nil, &w); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "%s (version %d)\n%s\n", w.Title, w.Head, strings.Join(w.Content.Lines, "\n"))
	case "show":
		id, err := workArg()
		if err != nil {
			return fail(2, err)
		}
		var w work
		if err := c.Call("GET", server.APIPath("works", id), nil, &w); err != nil {
			return fail(1, err)
		}
		var vs struct {
			Versions []struct {
				N                    int
				Author, Action, Note string
			}
		}
		if err := c.Call("GET", server.APIPath("works", id, "versions"), nil, &vs); err != nil {
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
		if err := c.Call("POST", server.APIPath("works", id, "publish"), map[string]any{"ack": *ack}, &w); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "published %s (version %d)\n", w.Content.Bundle, w.Head)
		if err := download(id); err != nil {
			return fail(1, err)
		}
	case "report", "rounds", "start-round", "results", "export":
		return studioArena(sub, fs.Args(), ar, c, *seed, *out, tty, stdout, stderr, fail)
	default:
		return fail(2, fmt.Errorf("unknown command %q; see 'miaobi studio --help'", sub))
	}
	return 0
}
