package judge

import (
	"cmp"
	"errors"
	"slices"
	"unicode"
)

// Originality: the corpus poems closest to a written poem, with the runs
// they share (Closest).

// refQuery is a poem prepared for Closest: its pairs of adjacent Han characters
// the corpus knows, in reading order.
type refQuery struct {
	chars int      // Han characters of the query
	key   []uint32 // pair j: first<<16 | second
	adj   []bool   // pair j−1 starts one character before pair j, in the same line
	next  []uint16 // the code after pair j when pair j+1 follows it, else 0
	line  []int32  // the query line of pair j
	at    []int32  // its first character's rune offset in the line
	gpos  []int32  // its first character's position over all lines
	// An open-addressing table from a pair to its positions: the slot h
	// holding it in tkey lists ent[tlo[h]:thi[h]], ascending.
	first []uint64 // a bit per code that starts a pair
	tkey  []uint32
	tlo   []int32
	thi   []int32
	ent   []int32
}

func (r *Refs) prepare(lines []string) *refQuery {
	q := &refQuery{}
	g := int32(0)
	for li, l := range lines {
		prev, prevAt := uint16(0), int32(-1)
		at := int32(0)
		for _, c := range l {
			k := uint16(0)
			if unicode.Is(unicode.Han, c) {
				q.chars++
				k = r.hanCode(c)
			}
			if k != 0 && prev != 0 && len(q.key) < maxQueryBigrams {
				n := len(q.key)
				q.key = append(q.key, uint32(prev)<<16|uint32(k))
				q.adj = append(q.adj, n > 0 && q.line[n-1] == int32(li) && q.at[n-1] == prevAt-1)
				q.next = append(q.next, 0)
				q.line = append(q.line, int32(li))
				q.at = append(q.at, prevAt)
				q.gpos = append(q.gpos, g+prevAt)
				if q.adj[n] {
					q.next[n-1] = k
				}
			}
			prev, prevAt = k, at
			at++
		}
		g += at + 1
	}
	if len(q.key) == 0 {
		return q
	}
	q.first = make([]uint64, 1024)
	order := make([]int32, len(q.key))
	for j := range order {
		order[j] = int32(j)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(q.key[a], q.key[b]) })
	size := 16
	for size < 4*len(q.key) {
		size *= 2
	}
	q.tkey, q.tlo, q.thi = make([]uint32, size), make([]int32, size), make([]int32, size)
	q.ent = order
	for i := 0; i < len(order); {
		key := q.key[order[i]]
		e := i
		for e < len(order) && q.key[order[e]] == key {
			e++
		}
		h := refHash(key) & uint32(size-1)
		for q.tkey[h] != 0 {
			h = (h + 1) & uint32(size-1)
		}
		q.tkey[h], q.tlo[h], q.thi[h] = key, int32(i), int32(e)
		a := key >> 16
		q.first[a>>6] |= 1 << (a & 63)
		i = e
	}
	return q
}

func refHash(k uint32) uint32 { return (k * 0x9E3779B1) >> 7 }

func (q *refQuery) lookup(key uint32) (int32, int32) {
	mask := uint32(len(q.tkey) - 1)
	for h := refHash(key) & mask; ; h = (h + 1) & mask {
		switch q.tkey[h] {
		case key:
			return q.tlo[h], q.thi[h]
		case 0:
			return 0, 0
		}
	}
}

// refRunState follows runs along the diagonals while one poem is scanned.
type refRunState struct {
	run, st []uint32 // per pair: the run length in pairs ending there, and the step it was set
	t       uint32
}

// scan finds every maximal run of the query's pairs in poem p and calls emit
// with the query pair j that ends it, its length in pairs, the poem line and
// the position of its last pair in that line.
func (r *Refs) scan(q *refQuery, p uint32, w *refRunState, emit func(j, n int, rl uint32, b int)) {
	l0, l1 := r.lines(p)
	for li := l0; li < l1; li++ {
		line := r.line(li)
		w.t += 2
		for b := 0; b+1 < len(line); b++ {
			w.t++
			a := line[b]
			if q.first[a>>6]&(1<<(a&63)) == 0 {
				continue
			}
			lo, hi := q.lookup(uint32(a)<<16 | uint32(line[b+1]))
			for e := hi - 1; e >= lo; e-- { // later pairs first: each reads the one before
				j := q.ent[e]
				n := uint32(1)
				if q.adj[j] && w.st[j-1] == w.t-1 {
					n = w.run[j-1] + 1
				}
				w.run[j], w.st[j] = n, w.t
				if nx := q.next[j]; nx != 0 && b+2 < len(line) && line[b+2] == nx {
					continue // the run goes on
				}
				emit(int(j), int(n), li-l0, b)
			}
		}
	}
}

type refCloseness struct {
	p       uint32
	score   uint64
	covered int
	longest int // in pairs
	chars   uint32
}

func (a refCloseness) better(b refCloseness) bool {
	switch {
	case a.score != b.score:
		return a.score > b.score
	case a.covered != b.covered:
		return a.covered > b.covered
	case a.longest != b.longest:
		return a.longest > b.longest
	case a.chars != b.chars:
		return a.chars < b.chars
	}
	return a.p < b.p
}

// Closest returns the k corpus poems sharing the most text with the poem
// given as lines, best first (by Match.Score, then Share, then the longest
// span, then shorter poems, then corpus order). Only runs of two or more Han
// characters inside a line count; anything else in a line breaks a run.
// Poems sharing no such run are never returned; the slice is never nil.
//
// Each poem holding one of the query's pairs gets an upper bound on its
// score from the pairs it holds, and poems are scored exactly in falling
// order of their bounds until no bound can beat the k-th score. The answer is
// therefore exact unless more than max(2000, 4k) poems need scoring, when it
// is the best of those. Only the first 4096 pairs of a query are read.
func (r *Refs) Closest(lines []string, k int) []Match {
	out := []Match{}
	if r.Len() == 0 || k <= 0 {
		return out
	}
	k = min(k, MaxRefs)
	q := r.prepare(lines)
	nq := len(q.key)
	if nq == 0 {
		return out
	}
	s := r.scratch()
	defer r.release(s)
	// Bounds: a run of c pairs in a row of the query that the poem holds
	// (anywhere) can add at most c³ to its score.
	for j := range nq {
		post := r.bigram(uint16(q.key[j]>>16), uint16(q.key[j]))
		for _, p := range post {
			last := s.a[p]
			if last == 0 {
				s.touched = append(s.touched, p)
			}
			c := uint64(1)
			if q.adj[j] && last == uint32(j) {
				c = uint64(s.b[p]) + 1
			}
			s.b[p] = uint32(c)
			s.c[p] += c*c*c - (c-1)*(c-1)*(c-1)
			s.a[p] = uint32(j + 1)
		}
	}
	// A max-heap of bound<<27 | (maxPoems-1-p): higher bounds, then earlier poems.
	h := make([]uint64, len(s.touched))
	for i, p := range s.touched {
		h[i] = s.c[p]<<27 | uint64(maxPoems-1-p)
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDownOrdered(h, i)
	}

	w := &refRunState{run: make([]uint32, nq), st: make([]uint32, nq), t: 2}
	ell := make([]uint32, nq)   // per pair: the longest run over it, in pairs
	stamp := make([]uint32, nq) // which candidate set ell
	var evaluated []refCloseness
	kth := make([]uint64, 0, k) // a min-heap of the k best scores
	descending := func(a, b uint64) bool { return a > b }
	budget := max(minEval, 4*k)
	cand := uint32(0)
	for len(h) > 0 && len(evaluated) < budget {
		top := h[0]
		bound := top >> 27
		if len(kth) == k && bound < kth[0] {
			break
		}
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		siftDownOrdered(h, 0)
		p := uint32(maxPoems - 1 - top&(maxPoems-1))
		cand++
		r.scan(q, p, w, func(j, n int, _ uint32, _ int) {
			for x := j - n + 1; x <= j; x++ {
				if stamp[x] != cand {
					stamp[x], ell[x] = cand, 0
				}
				ell[x] = max(ell[x], uint32(n))
			}
		})
		c := refCloseness{p: p, chars: r.chars(p)}
		lastEnd := int32(-2)
		for j := range nq {
			if stamp[j] != cand {
				continue
			}
			c.score += uint64(ell[j]) * uint64(ell[j])
			c.longest = max(c.longest, int(ell[j]))
			if g := q.gpos[j]; g > lastEnd {
				c.covered += 2
			} else {
				c.covered++
			}
			lastEnd = q.gpos[j] + 1
		}
		evaluated = append(evaluated, c)
		if len(kth) < k {
			kth = append(kth, c.score)
			siftUp(kth, len(kth)-1, descending)
		} else if c.score > kth[0] {
			kth[0] = c.score
			siftDown(kth, 0, descending)
		}
	}
	best := refTopK(evaluated, k, refCloseness.better)
	for _, c := range best {
		m := Match{Poem: r.poem(c.p), Share: float64(c.covered) / float64(q.chars), Score: int(c.score)}
		m.Spans = r.spans(q, c.p, w)
		out = append(out, m)
	}
	return out
}

// spans lists the runs poem p shares with q as Closest reports them.
func (r *Refs) spans(q *refQuery, p uint32, w *refRunState) []Span {
	type raw struct {
		line, at, n int32
		rl          uint32
		rat         int32
	}
	var rs []raw
	r.scan(q, p, w, func(j, n int, rl uint32, b int) {
		j0 := j - n + 1
		rs = append(rs, raw{q.line[j0], q.at[j0], int32(n + 1), rl, int32(b - n + 1)})
	})
	slices.SortStableFunc(rs, func(a, b raw) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.at, b.at), cmp.Compare(b.n, a.n))
	})
	l0, _ := r.lines(p)
	out := []Span{}
	line, end := int32(-1), int32(-1)
	for _, s := range rs {
		if s.line == line && s.at+s.n <= end {
			continue // the same run again, or inside a longer one
		}
		if s.line != line {
			line, end = s.line, -1
		}
		end = max(end, s.at+s.n)
		text := r.line(l0 + s.rl)[s.rat : s.rat+s.n]
		out = append(out, Span{Text: r.str(text), Len: int(s.n), Line: int(s.line), At: int(s.at), RefLine: int(s.rl), RefAt: int(s.rat)})
	}
	return out
}

// ---- the record parser ----

var errSlowPath = errors.New("judge: the record needs encoding/json")

// Keys of a corpus record: those the index keeps, then the others.
var (
	recordStrings = []string{"id", "dynasty", "title", "author", "form", "puncts", "collection", "title_t", "author_t", "tune"}
	recordArrays  = []string{"lines", "lines_t", "strains"}
)
