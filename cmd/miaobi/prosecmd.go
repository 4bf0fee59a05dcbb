package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"unicode/utf8"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/label"
	"miaobi/prose"
)

// The text tasks: summaries (offline, or through an engine), stories and
// polishing (through an engine). Every text written carries the GB 45438
// text label, and with -o an implicit label beside it (FILE.aigc.json).

// askEngine sends one prompt and returns the cleaned reply.
func askEngine(name, model, file, prompt string, seed *int64) (text, usedModel string, err error) {
	t, err := openEngine(name, file)
	if err != nil {
		return "", "", err
	}
	defer t.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return prose.Ask(ctx, t, name, model, prompt, seed)
}

// textFlags are the flags every text task shares.
type textFlags struct {
	fs                     *flag.FlagSet
	engine, model, engines *string
	out                    *string
	asJSON                 *bool
	seed                   *int64
}

func newTextFlags(name, help string, stderr io.Writer) *textFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	tf := &textFlags{fs: fs}
	tf.engine = fs.String("engine", "", "the text engine (see 'miaobi engines')")
	tf.model = fs.String("model", "", "the model to ask for (default: the engine's)")
	tf.engines = fs.String("engines", "", "the engines file (default $MIAOBI_HOME/engines.conf)")
	tf.out = fs.String("o", "", "write the text to FILE, with the AIGC label in FILE.aigc.json beside it")
	tf.asJSON = fs.Bool("json", false, "print a JSON object")
	tf.seed = fs.Int64("seed", 42, "seed sent to the engine (servers that honour it repeat themselves)")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	return tf
}

// checkEngine fails early, before any input is read, when --engine names
// no configured engine.
func (tf *textFlags) checkEngine(stderr io.Writer, cmd string) int {
	t, err := openEngine(*tf.engine, *tf.engines)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi %s: %v\n", cmd, err)
		return 2
	}
	t.Close()
	return 0
}

// emit writes a labelled text: to standard output, or to -o with its
// implicit label beside it.
func (tf *textFlags) emit(stdout, stderr io.Writer, kind, text string, extra map[string]any, idParts ...string) int {
	labelled, err := label.Text(text, label.DefaultTextLabel, false)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi %s: %v\n", kind, err)
		return 1
	}
	a := label.New(label.DefaultProducer, label.ProduceID(append([]string{kind}, append(idParts, text)...)...), "")
	if *tf.out != "" {
		if err := cli.WriteFileAtomic(*tf.out, []byte(labelled)); err != nil {
			fmt.Fprintf(stderr, "miaobi %s: %v\n", kind, err)
			return 1
		}
		if err := cli.WriteFileAtomic(*tf.out+".aigc.json", []byte(a.JSON()+"\n")); err != nil {
			fmt.Fprintf(stderr, "miaobi %s: %v\n", kind, err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s (%d characters) and %s.aigc.json\n", *tf.out, utf8.RuneCountInString(text), *tf.out)
		return 0
	}
	if *tf.asJSON {
		m := map[string]any{"text": text, "labelled": labelled, "label": label.DefaultTextLabel, "aigc": a}
		for k, v := range extra {
			m[k] = v
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return exitOf(enc.Encode(m))
	}
	fmt.Fprint(stdout, labelled)
	return 0
}

const summarizeHelp = `Usage: miaobi summarize [flags] [FILE|-]

Summarises a long text. Without --engine it works offline: the text is split
into sentences, cut into words (gse, with its embedded dictionary), and the
sentences ranked by TextRank; the best are kept in the text's order. With
--engine a configured language model writes an abstractive summary instead.
The summary carries the AIGC label.

Examples:
  miaobi summarize report.txt
  miaobi summarize --sentences 3 --json report.txt
  miaobi summarize --chars 150 --engine deepseek report.txt

Flags:
`

func runSummarize(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	tf := newTextFlags("summarize", summarizeHelp, stderr)
	n := tf.fs.Int("sentences", 0, "keep this many sentences (default: about a fifth, 1 to 7)")
	chars := tf.fs.Int("chars", 0, "keep what fits in this many characters (with --engine: the summary's length)")
	if err := parseInterspersed(tf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	text, err := readInput(tf.fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi summarize: %v\n", err)
		return 2
	}
	if *tf.engine != "" {
		if code := tf.checkEngine(stderr, "summarize"); code != 0 {
			return code
		}
		prompt, err := prose.SummaryPrompt(text, *chars)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi summarize: %v\n", err)
			return 2
		}
		out, model, err := askEngine(*tf.engine, *tf.model, *tf.engines, prompt, tf.seed)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi summarize: %v\n", err)
			return 1
		}
		return tf.emit(stdout, stderr, "summarize", out, map[string]any{"engine": *tf.engine, "model": model, "method": "abstractive, by the engine"}, *tf.engine, model)
	}
	s, err := prose.Summarize(text, *n, *chars)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi summarize: %v\n", err)
		return 2
	}
	return tf.emit(stdout, stderr, "summarize", s.Text, map[string]any{"sentences": s.Sentences, "of": s.Of, "chars": s.Chars, "text_chars": s.TextChars, "method": s.Method})
}

const storyHelp = `Usage: miaobi story -k KEYWORDS --engine NAME [flags]

Writes a short story from keywords through a configured language model (see
'miaobi engines'); the story carries the AIGC label.

Examples:
  miaobi story -k 灯,跳舞,翅膀 --engine deepseek
  miaobi story -k 高铁,故乡 --chars 500 --style 童话 --engine openai --model gpt-4o -o story.txt

Flags:
`

func runStory(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	tf := newTextFlags("story", storyHelp, stderr)
	kw := tf.fs.String("k", "", "keywords, separated by commas")
	chars := tf.fs.Int("chars", 800, "about how long, in characters (at most 5000)")
	style := tf.fs.String("style", "", "a style in words, e.g. 童话, 武侠, 科幻")
	if err := parseInterspersed(tf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	if *tf.engine == "" {
		fmt.Fprintln(stderr, "miaobi story: stories need a language model: configure an engine (see 'miaobi engines --help') and pass --engine NAME")
		return 2
	}
	if code := tf.checkEngine(stderr, "story"); code != 0 {
		return code
	}
	prompt, err := prose.StoryPrompt(splitKeywords(*kw), *chars, *style)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi story: %v\n", err)
		return 2
	}
	out, model, err := askEngine(*tf.engine, *tf.model, *tf.engines, prompt, tf.seed)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi story: %v\n", err)
		return 1
	}
	return tf.emit(stdout, stderr, "story", out, map[string]any{"engine": *tf.engine, "model": model, "keywords": splitKeywords(*kw)}, *tf.engine, model, *kw)
}

const polishHelp = `Usage: miaobi polish [flags] [FILE|-] --engine NAME

Polishes a draft, or rewrites it in a style, through a configured language
model, and shows the changes as a diff ([-deleted-]{+inserted+}). On a
terminal it then asks whether to keep the rewrite; --yes keeps it without
asking. A kept rewrite is printed with the AIGC label, or written to -o FILE.

Styles: (none) polish · 文言 白话→文言 · 白话 文言→白话 · any other words, e.g. 正式, 口语, 诗意

Examples:
  miaobi polish draft.txt --engine deepseek
  miaobi polish --style 文言 --yes -o classical.txt draft.txt --engine openai

Flags:
`

func runPolish(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	tf := newTextFlags("polish", polishHelp, stderr)
	style := tf.fs.String("style", "", "rewrite in this style (文言, 白话, or words such as 正式)")
	yes := tf.fs.Bool("yes", false, "keep the rewrite without asking")
	if err := parseInterspersed(tf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	if *tf.engine == "" {
		fmt.Fprintln(stderr, "miaobi polish: polishing needs a language model: configure an engine (see 'miaobi engines --help') and pass --engine NAME")
		return 2
	}
	if code := tf.checkEngine(stderr, "polish"); code != 0 {
		return code
	}
	draft, err := readInput(tf.fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi polish: %v\n", err)
		return 2
	}
	prompt, err := prose.PolishPrompt(draft, *style)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi polish: %v\n", err)
		return 2
	}
	out, model, err := askEngine(*tf.engine, *tf.model, *tf.engines, prompt, tf.seed)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi polish: %v\n", err)
		return 1
	}
	cs := prose.Diff(strings.TrimSpace(draft), out)
	del, ins := prose.Changed(cs)
	if *tf.asJSON {
		if !*yes {
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			return exitOf(enc.Encode(map[string]any{"engine": *tf.engine, "model": model, "style": *style, "diff": cs, "deleted": del, "inserted": ins, "kept": false}))
		}
		return tf.emit(stdout, stderr, "polish", out, map[string]any{"engine": *tf.engine, "model": model, "style": *style, "diff": cs, "deleted": del, "inserted": ins, "kept": true}, *tf.engine, model, draft)
	}
	diffTo := stdout
	if *tf.out == "" && *yes {
		diffTo = stderr // standard output is the kept text
	}
	fmt.Fprintf(diffTo, "%s\n— %s (%s): %d character(s) deleted, %d inserted\n", prose.FormatDiff(cs, isTerminal(diffTo) && os.Getenv("NO_COLOR") == ""), *tf.engine, model, del, ins)
	keep := *yes
	if !keep {
		f, ok := stdin.(*os.File)
		if !ok || !isTerminal(f) || !isTerminal(stdout) || tf.fs.NArg() == 0 || tf.fs.Arg(0) == "-" {
			fmt.Fprintln(stdout, "not kept (pass --yes to keep it)")
			return 0
		}
		fmt.Fprint(stdout, "keep this rewrite? [y/N] ")
		line, _ := bufio.NewReader(f).ReadString('\n')
		if keep = strings.EqualFold(strings.TrimSpace(line), "y") || strings.TrimSpace(line) == "是"; !keep {
			fmt.Fprintln(stdout, "not kept")
			return 0
		}
	}
	return tf.emit(stdout, stderr, "polish", out, nil, *tf.engine, model, draft)
}
