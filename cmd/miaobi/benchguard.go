package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"time"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/poem"
	"miaobi/prosody"
)

const benchGuardHelp = `Usage: miaobi bench guard [flags]

Measures the guard on engine poems (what 'miaobi poem --engine' runs) without
an engine's own time: an in-process poet answers at once, in the shape a chat
model does (a preface, a title, the poem, a note). Its poems are held-out
(test split) regulated poems that keep the metre by the corpus's own
annotations, each with 1, 2 or 3 breaks injected (as 'bench mend' does: a
strict place flipped to the other tone, or a rhyme from another group). When
asked to mend its poem it sends the same poem back, so every break falls to
Miaobi's own repair: the hardest case. The poems are real, so their lines
are also copies of the corpus, which the guard must break; those changes are
counted apart from the metre's. Reports the share 合律 and original after
the guard, the metre changes against the breaks, and the guard's time.
Needs the corpus.

Flags:
`

// echoPoet answers every prompt with the same poem, as a chat model
// would lay it out.
type echoPoet struct{ lines []string }

func (p echoPoet) Write(context.Context, string) (poem.Writing, error) {
	var sb strings.Builder
	sb.WriteString("好的，这是按您的要求写的诗：\n\n**《无题》**\n\n")
	for i, l := range p.lines {
		sb.WriteString(l)
		if i%2 == 0 {
			sb.WriteString("，")
		} else {
			sb.WriteString("。\n")
		}
	}
	sb.WriteString("\n注：此诗意在抒怀。")
	return poem.Writing{Text: sb.String(), Engine: "bench", Model: "echo"}, nil
}

func runBenchGuard(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench guard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := corpusFlag(fs)
	n := fs.Int("n", 300, "poems to break and guard")
	seed := fs.Int64("seed", 1, "seed of the breaks and of the guard")
	fs.Usage = func() { fmt.Fprint(stderr, benchGuardHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi bench guard: %v\n", err)
		return code
	}
	path, err := corpusPath()
	if err != nil {
		return fail(2, err)
	}
	pf := &poemFlags{modelsDir: new(string)}
	e, err := pf.engine()
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
	rng := rand.New(rand.NewSource(*seed))
	rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	type row struct {
		poems, ok, within int
		metre, copies     []int
		times             []time.Duration
	}
	rows := map[int]*row{1: {}, 2: {}, 3: {}}
	var failures []string
	done := 0
	for _, lines := range pool {
		if done == *n {
			break
		}
		k := 1 + done%3
		broken, ok := breakPoem(rng, book, lines, k)
		if !ok {
			continue
		}
		done++
		r := rows[k]
		r.poems++
		form := map[bool]string{true: "五", false: "七"}[len([]rune(broken[0])) == 5] + map[bool]string{true: "绝", false: "律"}[len(broken) == 4]
		start := time.Now()
		g, err := e.FromPoet(context.Background(), echoPoet{broken}, poem.Request{Form: form, Seed: *seed})
		r.times = append(r.times, time.Since(start))
		if err != nil {
			if len(failures) < 12 {
				failures = append(failures, fmt.Sprintf("%s: %v", strings.Join(broken, "，"), err))
			}
			continue
		}
		if res, err := e.Check("", g.Form, g.Lines); err == nil && res.Verdict == prosody.VerdictOK && len(g.Originality.CopiedRuns) == 0 {
			r.ok++
		}
		metre, copies := 0, 0
		for _, rep := range g.Repairs {
			if strings.Contains(rep.Why, "copied") {
				copies++
			} else {
				metre++
			}
		}
		r.metre, r.copies = append(r.metre, metre), append(r.copies, copies)
		if metre <= k+1 {
			r.within++
		}
	}
	med := func(xs []int) int {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	fmt.Fprintf(stdout, "| breaks | poems | 合律 and no copied run | metre changes: median | ≤ breaks + 1 | changes breaking copies: median | guard time p50 | p99 |\n|---|---|---|---|---|---|---|---|\n")
	for k := 1; k <= 3; k++ {
		r := rows[k]
		lat := judge.Summarize(r.times)
		fmt.Fprintf(stdout, "| %d | %d | %.1f %% | %d | %.1f %% | %d | %.1f ms | %.1f ms |\n", k, r.poems, share(r.ok, r.poems), med(r.metre), share(r.within, r.poems), med(r.copies), lat.P50, lat.P99)
	}
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "\nPoems the guard failed (first %d):\n", len(failures))
		for _, f := range failures {
			fmt.Fprintf(stdout, "- %s\n", f)
		}
	}
	return 0
}
