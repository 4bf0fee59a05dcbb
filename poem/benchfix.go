package poem

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"time"

	"miaobi/judge"
	"miaobi/prosody"
)

// Measuring the repairs (miaobi bench mend, miaobi bench guard): held-out
// regulated poems, each with 1, 2 or 3 breaks injected, brought back to
// 合律 by Mend, or by the guard over an engine's poem.

// Break injects k breaks into a copy of lines: a character at a strict
// place (the 2nd, 4th or 6th of a line) replaced by a common character of
// the opposite tone, or a rhyme character by a 平 character of another
// group. It reports false when the poem has too few places to break.
func Break(rng *rand.Rand, book *prosody.Book, lines []string, k int) ([]string, bool) {
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
		for _, c := range from {
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

// FixRow is the result for the poems with one number of breaks.
type FixRow struct {
	Breaks, Poems int
	OK            int   // 合律 after (and, for the guard, no copied run)
	Annotated     int   // every strict place right by the corpus's own 平仄 annotations
	Within        int   // changed at most breaks + 1 characters for the metre
	Changes       []int // characters changed for the metre, per poem
	Copies        []int // characters changed to break copied runs (guard)
	Times         []time.Duration
}

// FixReport is a repair benchmark's result.
type FixReport struct {
	Guard    bool // the guard (else Mend)
	Rows     []FixRow
	Failures []string // the first poems not repaired, with why
}

func median(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Markdown is the report as the table docs/benchmarks.md keeps.
func (r *FixReport) Markdown() string {
	var sb strings.Builder
	if r.Guard {
		sb.WriteString("| breaks | poems | 合律 and no copied run | metre by annotations | metre changes: median | ≤ breaks + 1 | changes breaking copies: median | guard time p50 | p99 |\n|---|---|---|---|---|---|---|---|---|\n")
	} else {
		sb.WriteString("| breaks | poems | 合律 after mending | metre by annotations | characters changed: median | ≤ breaks + 1 | mend time p50 | p99 |\n|---|---|---|---|---|---|---|---|\n")
	}
	for _, row := range r.Rows {
		lat := judge.Summarize(row.Times)
		if r.Guard {
			fmt.Fprintf(&sb, "| %d | %d | %.1f %% | %.1f %% | %d | %.1f %% | %d | %.1f ms | %.1f ms |\n", row.Breaks, row.Poems, share(row.OK, row.Poems), share(row.Annotated, row.Poems), median(row.Changes), share(row.Within, row.Poems), median(row.Copies), lat.P50, lat.P99)
		} else {
			fmt.Fprintf(&sb, "| %d | %d | %.1f %% | %.1f %% | %d | %.1f %% | %.1f ms | %.1f ms |\n", row.Breaks, row.Poems, share(row.OK, row.Poems), share(row.Annotated, row.Poems), median(row.Changes), share(row.Within, row.Poems), lat.P50, lat.P99)
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(&sb, "\nPoems not repaired (first %d):\n", len(r.Failures))
		for _, f := range r.Failures {
			fmt.Fprintf(&sb, "- %s\n", f)
		}
	}
	return sb.String()
}

// echoPoet answers every prompt with the same poem, laid out as a chat
// model does (a preface, a title, the poem, a note): asked to mend it, it
// sends it back unchanged, so every break falls to Miaobi.
type echoPoet struct{ lines []string }

func (p echoPoet) Write(context.Context, string) (Writing, error) {
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
	return Writing{Text: sb.String(), Engine: "bench", Model: "echo"}, nil
}

// BenchFix breaks n poems of pool (shuffled by seed; 1, 2, 3 breaks in
// turn) and repairs them with Mend, or with the guard (guard true) over a
// poet that echoes the broken poem, timing each repair on one goroutine.
// Each repaired poem is also measured from outside Miaobi's rhyme book:
// every strict place by the corpus's own 平仄 annotations (ann).
func (e *Engine) BenchFix(pool [][]string, n int, seed int64, guard bool, ann judge.Annotations) (*FixReport, error) {
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		return nil, err
	}
	pool = slices.Clone(pool)
	rng := rand.New(rand.NewSource(seed))
	rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	rep := &FixReport{Guard: guard, Rows: []FixRow{{Breaks: 1}, {Breaks: 2}, {Breaks: 3}}}
	fail := func(broken []string, err error) {
		if len(rep.Failures) < 12 {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %v", strings.Join(broken, "，"), err))
		}
	}
	done := 0
	for _, lines := range pool {
		if done == n {
			break
		}
		k := 1 + done%3
		broken, ok := Break(rng, book, lines, k)
		if !ok {
			continue
		}
		done++
		row := &rep.Rows[k-1]
		row.Poems++
		var p *Poem
		metre, copies := 0, 0
		start := time.Now()
		if guard {
			rs := make([][]rune, len(broken))
			for i, l := range broken {
				rs[i] = []rune(l)
			}
			g, err := e.FromPoet(context.Background(), echoPoet{broken}, Request{Form: formOfShape(rs), Seed: seed})
			row.Times = append(row.Times, time.Since(start))
			if err != nil {
				fail(broken, err)
				continue
			}
			p = g
			for _, r := range p.Source.Repairs {
				if strings.Contains(r.Why, "copied") {
					copies++
				} else {
					metre++
				}
			}
		} else {
			m, err := e.Mend(MendRequest{Poem: strings.Join(broken, "，"), Seed: seed})
			row.Times = append(row.Times, time.Since(start))
			if err != nil {
				fail(broken, err)
				continue
			}
			p, metre = m.Poem, m.Changes
		}
		if res, err := e.Check("", p.Form, p.Lines); err == nil && res.Verdict == prosody.VerdictOK && (!guard || len(p.Originality.CopiedRuns) == 0) {
			row.OK++
		}
		if judge.KeepsMetre(p.Lines, ann.ClassTones(p.Lines)) {
			row.Annotated++
		}
		row.Changes = append(row.Changes, metre)
		row.Copies = append(row.Copies, copies)
		if metre <= k+1 {
			row.Within++
		}
	}
	return rep, nil
}
