package main

import (
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
	fs := flag.NewFlagSet("bench mend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := corpusFlag(fs)
	n := fs.Int("n", 300, "poems to break and mend")
	seed := fs.Int64("seed", 1, "seed of the breaks and of Mend")
	fs.Usage = func() { fmt.Fprint(stderr, benchMendHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench mend: %v\n", err)
		return 2
	}
	pf := &poemFlags{modelsDir: new(string)}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench mend: %v\n", err)
		return 1
	}
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench mend: %v\n", err)
		return 1
	}
	var pool [][]string
	err = judge.HeldOutRegular(path, book, func(p *corpus.Poem) { pool = append(pool, p.Lines) })
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench mend: %v\n", err)
		return 1
	}
	rng := rand.New(rand.NewSource(*seed))
	rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	type row struct {
		poems, ok, within int
		changes           []int
		times             []time.Duration
	}
	rows := map[int]*row{1: {}, 2: {}, 3: {}}
	done := 0
	var failures []string
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
		start := time.Now()
		m, err := e.Mend(poem.MendRequest{Poem: strings.Join(broken, "，"), Seed: *seed})
		r.times = append(r.times, time.Since(start))
		if err != nil {
			if len(failures) < 12 {
				failures = append(failures, fmt.Sprintf("%s: %v", strings.Join(broken, "，"), err))
			}
			continue
		}
		if res, err := e.Check("", m.Poem.Form, m.Poem.Lines); err == nil && res.Verdict == prosody.VerdictOK {
			r.ok++
		}
		r.changes = append(r.changes, m.Changes)
		if m.Changes <= k+1 {
			r.within++
		}
	}
	fmt.Fprintf(stdout, "| breaks | poems | 合律 after mending | characters changed: median | ≤ breaks + 1 | mend time p50 | p99 |\n|---|---|---|---|---|---|---|\n")
	for k := 1; k <= 3; k++ {
		r := rows[k]
		slices.Sort(r.changes)
		med := 0
		if len(r.changes) > 0 {
			med = r.changes[len(r.changes)/2]
		}
		lat := judge.Summarize(r.times)
		fmt.Fprintf(stdout, "| %d | %d | %.1f %% | %d | %.1f %% | %.1f ms | %.1f ms |\n", k, r.poems, share(r.ok, r.poems), med, share(r.within, r.poems), lat.P50, lat.P99)
	}
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "\nPoems not mended (first %d):\n", len(failures))
		for _, f := range failures {
			fmt.Fprintf(stdout, "- %s\n", f)
		}
	}
	return 0
}

// share is a percentage, 0 of nothing.
func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// breakPoem injects k breaks into a copy of lines: tone flips at strict
// places and, for some, a rhyme character from another group.
func breakPoem(rng *rand.Rand, book *prosody.Book, lines []string, k int) ([]string, bool) {
	rs := make([][]rune, len(lines))
	used := map[rune]bool{}
	for i, l := range lines {
		rs[i] = []rune(l)
		for _, r := range rs[i] {
			used[r] = true
		}
	}
	n := len(rs[0])
	type at struct{ li, ci int }
	var places []at
	for li := range rs {
		for ci := 1; ci < n; ci += 2 {
			places = append(places, at{li, ci})
		}
		if li%2 == 1 {
			places = append(places, at{li, n - 1})
		}
	}
	rng.Shuffle(len(places), func(a, b int) { places[a], places[b] = places[b], places[a] })
	made := 0
	for _, p := range places {
		if made == k {
			break
		}
		r := rs[p.li][p.ci]
		var from string
		switch {
		case p.ci == n-1: // a rhyme: a 平 character of another group
			from = judge.BreakPing
		default:
			pingOK, zeOK := book.CharTones(r)
			switch {
			case pingOK && !zeOK:
				from = judge.BreakZe
			case zeOK && !pingOK:
				from = judge.BreakPing
			default:
				continue // a 多音字: flipping it says nothing
			}
		}
		for _, c := range []rune(from) {
			if used[c] || (p.ci == n-1 && rhymesWith(book, c, r)) {
				continue
			}
			rs[p.li][p.ci] = c
			used[c] = true
			made++
			break
		}
	}
	out := make([]string, len(rs))
	for i, l := range rs {
		out[i] = string(l)
	}
	return out, made == k
}

func rhymesWith(b *prosody.Book, a, c rune) bool {
	for _, x := range b.Readings(c) {
		if b.Rhymes(a, b.Groups[x.Group].Family, prosody.Ping) {
			return true
		}
	}
	return false
}
