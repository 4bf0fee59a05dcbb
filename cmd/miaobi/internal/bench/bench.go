// Package bench is 'miaobi bench': the commands that measure Miaobi's
// parts — the checker against the corpus, poem generation, pictures,
// labels, the taste ranker, the studio under load, mending and the engine
// guard — and write their figures into docs/benchmarks.md.
package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/judge"
	"miaobi/prosody"
)

const benchHelp = `Usage: miaobi bench check [flags]
       miaobi bench poem [flags]   (see 'miaobi bench poem --help')
       miaobi bench paint [flags]  (see 'miaobi bench paint --help')
       miaobi bench label [flags]  (see 'miaobi bench label --help')
       miaobi bench taste [flags]  (see 'miaobi bench taste --help')
       miaobi bench serve [flags]  (see 'miaobi bench serve --help')
       miaobi bench mend [flags]   (see 'miaobi bench mend --help')
       miaobi bench guard [flags]  (see 'miaobi bench guard --help')

Checks every Tang poem of the corpus on one goroutine and reports the speed,
then compares the checker's tones on the regulated-shape poems (五绝, 七绝,
五律, 七律) with the corpus's own 平仄 annotations and counts verdicts per form.
Then checks the held-out (test split) Tang poems that keep the metre by their
own annotations, and copies of them with one tone broken at the second
character of a line, which the checker must call 出律.
Needs the corpus ('miaobi corpus fetch').

Flags:
`

// Run is 'miaobi bench': it measures Miaobi's parts (see the help).
func Run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "poem" {
		return runBenchPoem(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "paint" {
		return runBenchPaint(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "label" {
		return runBenchLabel(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "taste" {
		return runBenchTaste(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "mend" {
		return runBenchMend(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "guard" {
		return runBenchGuard(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "serve" {
		return runBenchServe(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, benchHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("bench check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	top := fs.Int("top", 20, "how many of the most frequent disagreements to list")
	fs.Usage = func() { fmt.Fprint(stderr, benchHelp); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return cli.ParseExit(err)
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench: %v\n", err)
		return 2
	}
	c, err := prosody.NewChecker("pingshui", "")
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench: %v\n", err)
		return 1
	}
	rep, err := judge.MeasureChecker(path, c)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench: %v\n", err)
		return 1
	}
	held, err := judge.MeasureHeldOut(path, c)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			*judge.CheckerReport
			HeldOut *judge.HeldOutReport `json:"held_out"`
		}{rep, held}); err != nil {
			fmt.Fprintf(stderr, "miaobi bench: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, rep.Markdown(*top))
	fmt.Fprint(stdout, "\n", held.Markdown())
	return 0
}
