package bench

import (
	"flag"
	"fmt"
	"io"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/prosody"
)

const benchMendHelp = `Usage: miaobi bench mend [flags]

Measures 'miaobi poem mend' on poems with known faults: held-out (test split)
regulated poems that keep the metre by the corpus's own annotations, each
with 1, 2 or 3 breaks injected at random — a character at a strict place
(the 2nd, 4th or 6th of a line) replaced by a common character of the
opposite tone, or a rhyme character replaced by a 平 character of another
group. Reports the share that come out 合律, the characters changed against
the breaks, and the time of Mend on one goroutine. Needs the corpus.

Flags:
`

func runBenchMend(args []string, stdout, stderr io.Writer) int {
	return runBenchFix("mend", benchMendHelp, false, args, stdout, stderr)
}

// runBenchFix runs bench mend or bench guard: the held-out regulated
// poems of the corpus, broken and repaired (poem.Engine.BenchFix).
func runBenchFix(name, help string, guard bool, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	n := fs.Int("n", 300, "poems to break and repair")
	seed := fs.Int64("seed", 1, "seed of the breaks and of the repair")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi bench %s: %v\n", name, err)
		return code
	}
	path, err := corpusPath()
	if err != nil {
		return fail(2, err)
	}
	e, err := cli.PoemEngine("", "kn")
	if err != nil {
		return fail(1, err)
	}
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		return fail(1, err)
	}
	var pool [][]string
	if err := judge.HeldOutRegular(path, book, func(p *corpus.Poem) { pool = append(pool, p.Lines) }); err != nil {
		return fail(1, err)
	}
	ann, err := judge.CountAnnotations(path)
	if err != nil {
		return fail(1, err)
	}
	rep, err := e.BenchFix(pool, *n, *seed, guard, ann)
	if err != nil {
		return fail(1, err)
	}
	fmt.Fprint(stdout, rep.Markdown())
	return 0
}
