package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/label"
	"miaobi/poem"
)

const poemHelp = `Usage: miaobi poem [flags]              write poems from keywords
       miaobi poem revise [flags] [FILE|-]   regenerate the unlocked parts of a draft
       miaobi poem alt [flags] [FILE|-]      ranked alternatives for one line or character
       miaobi poem mend [flags] [FILE|-]     bring any poem to 合律, changing as few characters as possible

Writes classical poems that keep their form: every poem is checked 合律 (the
same checker as 'miaobi check'), rhymes in one group, repeats no character
and copies no run of 4 (五言) or 5 characters from any line of the
chinese-poetry corpus. Keywords may be classical (月, 江) or modern (高铁, 跳舞).

Examples:
  miaobi poem -k 灯,跳舞,翅膀
  miaobi poem -k 高铁,故乡 --form 七律 --n 3 --seed 7
  miaobi poem --acrostic 春江花月 --form 五绝
  miaobi poem -k 梅,雪 --form 词:浣溪沙 --traditional
  miaobi poem -k 月 --json
  miaobi poem -k 秋风,落叶 --form 七律 --engine openai --model gpt-4o --json

With --engine, a model server you configured writes the poem (see
'miaobi engines'); Miaobi's guard then repairs its metre — asking the
engine once with the good characters locked, then rewriting what still
fails with its own model — and breaks any run copied from the corpus. The
output says which hand wrote each character.

Flags:
`

type poemFlags struct {
	fs          *flag.FlagSet
	keywords    *string
	form        *string
	rhyme       *string
	seed        *int64
	n           *int
	asJSON      *bool
	traditional *bool
	modelsDir   *string
	repeat      *bool
}

func newPoemFlags(name string, stderr io.Writer, help string) *poemFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := &poemFlags{fs: fs}
	pf.keywords = fs.String("k", "", "keywords, separated by commas (，、 also work)")
	fs.StringVar(pf.keywords, "keywords", "", "same as -k")
	pf.form = fs.String("form", "", "五绝, 七绝 (default), 五律, 七律 or 词:TUNE (see 'miaobi check --list-tunes')")
	pf.rhyme = fs.String("rhyme", "pingshui", "rhyme book: pingshui (平水韵) or xinyun (中华新韵)")
	pf.seed = fs.Int64("seed", 42, "random seed: the same seed and input give the same poem")
	pf.n = fs.Int("n", 1, "how many poems (diverse, best first)")
	pf.asJSON = fs.Bool("json", false, "print one JSON object per poem, one per line")
	pf.traditional = fs.Bool("traditional", false, "print traditional characters")
	pf.modelsDir = fs.String("models", "", "read the model from this directory instead of the built-in one")
	pf.repeat = fs.Bool("repeat", false, "allow a character to appear more than once")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	return pf
}

func (pf *poemFlags) engine() (*poem.Engine, error) { return pf.engineModel("kn") }

func (pf *poemFlags) engineModel(kind string) (*poem.Engine, error) {
	return cli.PoemEngine(*pf.modelsDir, kind)
}

// splitKeywords splits on ASCII and Chinese commas, 、 and spaces.
func splitKeywords(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ' ' || r == '　' || r == ';' || r == '；'
	})
	return f
}

func runPoem(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "revise":
			return runRevise(args[1:], stdin, stdout, stderr)
		case "alt", "alternatives":
			return runAlt(args[1:], stdin, stdout, stderr)
		case "mend":
			return runMend(args[1:], stdin, stdout, stderr)
		}
	}
	pf := newPoemFlags("poem", stderr, poemHelp)
	acrostic := pf.fs.String("acrostic", "", "藏头: characters that open the lines, e.g. 春江花月")
	out := pf.fs.String("o", "", "write the poems to FILE, with the AIGC label in FILE.aigc.json beside it")
	inband := pf.fs.Bool("aigc-inband", false, "with -o, also end FILE with the AIGC label as a JSON line")
	engineName := pf.fs.String("engine", "", "write with a configured engine (see 'miaobi engines'), under Miaobi's guard: metre repaired, copies broken")
	model := pf.fs.String("model", "", "with --engine: the model to ask for (default: the engine's)")
	enginesFile := pf.fs.String("engines", "", "with --engine: the engines file (default $MIAOBI_HOME/engines.conf)")
	if err := parseInterspersed(pf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	if pf.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "miaobi poem: unexpected argument %q; give keywords with -k (e.g. -k %s)\n", pf.fs.Arg(0), strings.Join(pf.fs.Args(), ","))
		return 2
	}
	req := poem.Request{Form: *pf.form, Keywords: splitKeywords(*pf.keywords), Acrostic: *acrostic,
		Rhyme: *pf.rhyme, Seed: *pf.seed, N: *pf.n, Repeat: *pf.repeat}
	if *engineName != "" {
		return enginePoem(pf, *engineName, *model, *enginesFile, *out, *inband, req, stdout, stderr)
	}
	if *model != "" || *enginesFile != "" {
		fmt.Fprintln(stderr, "miaobi poem: --model and --engines go with --engine NAME")
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
		return 1
	}
	poems, err := e.Generate(req)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
		return exitFor(err)
	}
	if *out == "" {
		return printPoems(stdout, poems, *pf.asJSON, *pf.traditional)
	}
	return writePoems(*out, *inband, poems, pf, stdout, stderr)
}

// writePoems writes poems to a file: the text (the explicit label in each
// footer) and the implicit label in a sidecar FILE.aigc.json, and in-band
// as the file's last line when asked.
func writePoems(out string, inband bool, poems []*poem.Poem, pf *poemFlags, stdout, stderr io.Writer) int {
	var buf strings.Builder
	if code := printPoems(&buf, poems, *pf.asJSON, *pf.traditional); code != 0 {
		return code
	}
	var ids []string
	for _, p := range poems {
		ids = append(ids, poemAIGC(p).ProduceID)
	}
	a := label.New(label.DefaultProducer, label.ProduceID(append([]string{"poems"}, ids...)...), "")
	text := buf.String()
	if inband {
		text += a.JSON() + "\n"
	}
	for _, f := range []struct {
		path, text string
	}{{out, text}, {out + ".aigc.json", a.JSON() + "\n"}} {
		if err := cli.WriteFileAtomic(f.path, []byte(f.text)); err != nil {
			fmt.Fprintf(stderr, "miaobi poem: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", out, out+".aigc.json")
	return 0
}

// exitFor maps errors to exit codes: 2 for bad input, 1 otherwise.
func exitFor(err error) int {
	for _, e := range []error{poem.ErrBadKeyword, poem.ErrForm, poem.ErrAcrostic, poem.ErrLocked, poem.ErrDraft, poem.ErrRequest, poem.ErrMend} {
		if errors.Is(err, e) {
			return 2
		}
	}
	return 1
}

func printPoems(w io.Writer, poems []*poem.Poem, asJSON, traditional bool) int {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, p := range poems {
		if traditional {
			p = p.Traditional()
		}
		if asJSON {
			// The explicit label and the implicit AIGC label (GB 45438)
			// travel with every poem.
			out := struct {
				*poem.Poem
				Label string     `json:"label"`
				AIGC  label.AIGC `json:"aigc"`
			}{p, label.DefaultTextLabel, poemAIGC(p)}
			if err := enc.Encode(out); err != nil {
				return 1
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		p.WriteText(w, label.DefaultTextLabel)
	}
	return 0
}

// poemAIGC is a poem's implicit label; its ProduceID comes from the
// poem itself, so the same poem always has the same ID.
func poemAIGC(p *poem.Poem) label.AIGC {
	return label.New(label.DefaultProducer, label.ProduceID(p.Identity()...), "")
}

const reviseHelp = `Usage: miaobi poem revise [flags] [FILE|-]

Reads a draft (from FILE or standard input): every Chinese character you
wrote is kept; mark characters for Miaobi to write with _ ＿ □ 〇 ○ * or ＊,
or name whole lines to rewrite with --redo. The result is 合律, rhymes with
what you kept, and shows which characters changed.

Examples:
  printf '春风又绿江南岸\n_______\n_______\n_______\n' | miaobi poem revise
  miaobi poem revise --redo 2,4 draft.txt
  echo '床前明月光，疑是地上霜。举头望明月，低头思□□。' | miaobi poem revise --n 3

Flags:
`

func readInput(fs *flag.FlagSet, stdin io.Reader) (string, error) {
	if fs.NArg() > 1 {
		return "", fmt.Errorf("give one file, not %d", fs.NArg())
	}
	var r io.Reader = stdin
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return "", err
	}
	if len(b) > 1<<20 {
		return "", fmt.Errorf("the draft is over 1 MiB; a poem draft is a few lines")
	}
	return string(b), nil
}

func parseLineList(s string) ([]int, error) {
	var out []int
	for _, f := range splitKeywords(s) {
		var a, b int
		if n, _ := fmt.Sscanf(f, "%d-%d", &a, &b); n == 2 {
			if b < a || b-a > 64 {
				return nil, fmt.Errorf("bad range %q", f)
			}
			for x := a; x <= b; x++ {
				out = append(out, x)
			}
			continue
		}
		if _, err := fmt.Sscanf(f, "%d", &a); err != nil {
			return nil, fmt.Errorf("%q is not a line number", f)
		}
		out = append(out, a)
	}
	return out, nil
}

func runRevise(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	pf := newPoemFlags("poem revise", stderr, reviseHelp)
	redo := pf.fs.String("redo", "", "lines to rewrite whole, e.g. 2,4 or 2-4")
	if err := parseInterspersed(pf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	lines, err := parseLineList(*redo)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem revise: --redo: %v\n", err)
		return 2
	}
	text, err := readInput(pf.fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem revise: %v\n", err)
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem revise: %v\n", err)
		return 1
	}
	revs, err := e.Revise(poem.ReviseRequest{Request: poem.Request{Form: *pf.form, Keywords: splitKeywords(*pf.keywords),
		Rhyme: *pf.rhyme, Seed: *pf.seed, N: *pf.n, Repeat: *pf.repeat}, Draft: text, Redo: lines})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem revise: %v\n", err)
		return exitFor(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for i, rv := range revs {
		p := rv.Poem
		if *pf.traditional {
			p = p.Traditional()
		}
		if *pf.asJSON {
			rv.Poem = p
			enc.Encode(rv)
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		p.WriteText(stdout, label.DefaultTextLabel)
		for _, d := range rv.Diff {
			if len(d.Changed) == 0 {
				fmt.Fprintf(stdout, "  %d  kept      %s\n", d.Line, d.After)
				continue
			}
			fmt.Fprintf(stdout, "  %d  %s → %s  (wrote %v)\n", d.Line, d.Before, d.After, d.Changed)
		}
	}
	return 0
}

const mendHelp = `Usage: miaobi poem mend [flags] [FILE|-]

Reads a finished poem (from FILE or standard input) — your own, or one a
language model wrote — and brings it to 合律 by rewriting as few characters
as it can: of the form's patterns, the one the poem already fits best is
kept, and only the characters that cannot take their tone there (or take it
only by a reading poets rarely give, 僻读), or that stray from the rhyme,
are written anew, ranked by Miaobi's model. Rewritten characters are shown
in 【】. A poem that is already 合律 is returned as it is.

Examples:
  echo '远上寒山石径斜，白冷生处有人家。停车坐爱枫林晚，霜叶红于二月花。' | miaobi poem mend
  miaobi poem mend --json poem.txt

Flags:
`

func runMend(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	pf := newPoemFlags("poem mend", stderr, mendHelp)
	if err := parseInterspersed(pf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	text, err := readInput(pf.fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem mend: %v\n", err)
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem mend: %v\n", err)
		return 1
	}
	m, err := e.Mend(poem.MendRequest{Poem: text, Form: *pf.form, Rhyme: *pf.rhyme, Seed: *pf.seed})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem mend: %v\n", err)
		return exitFor(err)
	}
	if *pf.traditional {
		m.Poem = m.Poem.Traditional()
	}
	if *pf.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(m)
		return 0
	}
	fmt.Fprint(stdout, m)
	fmt.Fprintf(stdout, "— %s · %s · %s · %d character(s) rewritten · 本内容由AI生成\n", m.Poem.Form, m.Poem.Check.Variant, m.Poem.Check.Verdict, m.Changes)
	return 0
}

const altHelp = `Usage: miaobi poem alt --line N [--col C] [flags] [FILE|-]

Offers ranked alternatives for one character (--col C) or a whole line of a
complete poem; each keeps the poem 合律 with everything else as it is.

Example:
  echo '白日依山尽，黄河入海流。欲穷千里目，更上一层楼。' | miaobi poem alt --line 3 --col 5

Flags:
`

func runAlt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	pf := newPoemFlags("poem alt", stderr, altHelp)
	line := pf.fs.Int("line", 0, "the line (1-based)")
	col := pf.fs.Int("col", 0, "the character (1-based); 0 for the whole line")
	if err := parseInterspersed(pf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	if *line < 1 {
		fmt.Fprintln(stderr, "miaobi poem alt: give the line with --line N (and a character with --col C)")
		return 2
	}
	text, err := readInput(pf.fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem alt: %v\n", err)
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem alt: %v\n", err)
		return 1
	}
	k := *pf.n
	if k == 1 {
		k = 5
	}
	alts, err := e.Alternatives(poem.AltRequest{Form: *pf.form, Rhyme: *pf.rhyme, Poem: text, Line: *line, Col: *col, K: k, Seed: *pf.seed})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi poem alt: %v\n", err)
		return exitFor(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for i, a := range alts {
		if *pf.asJSON {
			enc.Encode(a)
			continue
		}
		fmt.Fprintf(stdout, "%d. %s   (score %.2f, %s)   %s\n", i+1, a.Text, a.Score, a.Verdict, strings.Join(a.Lines, "，"))
	}
	if !*pf.asJSON {
		fmt.Fprintf(stdout, "— %s\n", label.DefaultTextLabel)
	}
	return 0
}

const coupletHelp = `Usage: miaobi couplet [flags] 上联
       miaobi couplet -k KEYWORDS [--chars 7] [flags]

Writes the 下联 for a 上联: the same length, opposite tones at the rhythm
positions (even characters and the last, 仄起平收), characters set against
the 上联's (对仗, learned from the middle couplets of 律诗), none repeated
from it, and no run copied from the corpus. With -k it writes a whole
couplet from keywords.

Examples:
  miaobi couplet 海阔凭鱼跃
  miaobi couplet -k 春,江 --n 3

Flags:
`

func runCouplet(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	pf := newPoemFlags("couplet", stderr, coupletHelp)
	chars := pf.fs.Int("chars", 7, "characters per line for a couplet from keywords: 5 or 7")
	if err := parseInterspersed(pf.fs, args); err != nil {
		return cli.ParseExit(err)
	}
	upper := strings.Join(pf.fs.Args(), "")
	if upper == "" && *pf.keywords == "" {
		fmt.Fprintln(stderr, "miaobi couplet: give a 上联 (miaobi couplet 海阔凭鱼跃) or keywords (-k 春,江)")
		return 2
	}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi couplet: %v\n", err)
		return 1
	}
	var poems []*poem.Poem
	if upper != "" {
		poems, err = e.Couplet(upper, splitKeywords(*pf.keywords), *pf.seed, *pf.n)
	} else {
		poems, err = e.CoupletFromKeywords(splitKeywords(*pf.keywords), *chars, *pf.seed, *pf.n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "miaobi couplet: %v\n", err)
		return exitFor(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, p := range poems {
		if *pf.traditional {
			p = p.Traditional()
		}
		if *pf.asJSON {
			enc.Encode(p)
			continue
		}
		fmt.Fprintf(stdout, "上联：%s\n下联：%s\n  — %s · seed %d · score %.2f · %s\n", p.Lines[0], p.Lines[1], p.Check.Verdict, p.Seed, p.Scores.Score, label.DefaultTextLabel)
	}
	return 0
}

// parseInterspersed parses flags that may come after positional arguments
// (miaobi couplet 上联 --n 3), keeping the positionals in order; "--" ends
// flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
