package judge

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Searching the index for reference poems: postings of characters and
// adjacent pairs, intersected, ranked and cut to the top k.

func (r *Refs) codeOf(c rune) uint16 {
	if c >= 0 && c < 0x10000 {
		return r.codeBMP[c]
	}
	return r.codeAstral[c]
}

// hanCode is the code of a Han character of the corpus, else 0.
func (r *Refs) hanCode(c rune) uint16 {
	if k := r.codeOf(c); r.han[k] {
		return k
	}
	return 0
}

func (r *Refs) unigram(c uint16) []uint32 {
	if int(c)+1 >= len(r.uniOff) {
		return nil
	}
	return r.uniPost[r.uniOff[c]:r.uniOff[c+1]]
}

func (r *Refs) bigram(a, b uint16) []uint32 {
	if int(a)+1 >= len(r.biFirst) {
		return nil
	}
	lo, hi := r.biFirst[a], r.biFirst[a+1]
	i, ok := slices.BinarySearch(r.biSecond[lo:hi], b)
	if !ok {
		return nil
	}
	k := int(lo) + i
	return r.biPost[r.biOff[k]:r.biOff[k+1]]
}

func (r *Refs) str(cs []uint16) string {
	var sb strings.Builder
	sb.Grow(3 * len(cs))
	for _, c := range cs {
		sb.WriteRune(r.runes[c])
	}
	return sb.String()
}

// poem renders poem p.
func (r *Refs) poem(p uint32) RefPoem {
	l0, l1 := r.lines(p)
	rp := RefPoem{
		ID:      r.meta[r.metaOff[2*p]:r.metaOff[2*p+1]],
		Title:   r.meta[r.metaOff[2*p+1]:r.metaOff[2*p+2]],
		Author:  r.names[r.author[p]],
		Dynasty: r.names[r.dynasty[p]],
		Form:    r.names[r.form[p]],
		Lines:   make([]string, 0, l1-l0),
	}
	var pu []rune
	for li := l0; li < l1; li++ {
		rp.Lines = append(rp.Lines, r.str(r.line(li)))
		if c := r.punct[li]; c != 0 {
			pu = append(pu, r.runes[c])
		}
	}
	rp.Puncts = string(pu)
	return rp
}

// refScratch is per-query state over all poems; between queries every entry
// of a, b and c is zero.
type refScratch struct {
	a, b    []uint32
	c       []uint64
	touched []uint32
}

func (r *Refs) scratch() *refScratch {
	if s, ok := r.pool.Get().(*refScratch); ok {
		return s
	}
	n := r.Len()
	return &refScratch{a: make([]uint32, n), b: make([]uint32, n), c: make([]uint64, n)}
}

func (r *Refs) release(s *refScratch) {
	for _, p := range s.touched {
		s.a[p], s.b[p], s.c[p] = 0, 0, 0
	}
	s.touched = s.touched[:0]
	r.pool.Put(s)
}

// refIntersect returns the poems in both sorted lists, into dst.
func refIntersect(dst, a, b []uint32) []uint32 {
	dst = dst[:0]
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a)*16 < len(b) {
		for _, x := range a {
			i, ok := slices.BinarySearch(b, x)
			if ok {
				dst = append(dst, x)
			}
			b = b[i:]
		}
		return dst
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			dst = append(dst, a[i])
			i++
			j++
		}
	}
	return dst
}

// ---- reference poems ----

type refKeyword struct {
	word  string
	segs  [][]uint16 // its runs of Han characters
	chars []uint16   // its distinct characters
}

func (r *Refs) keywords(words []string) []refKeyword {
	var kws []refKeyword
	seen := map[string]bool{}
	for _, w := range words {
		if len(kws) == maxKeywords {
			break
		}
		var kw refKeyword
		var cur []uint16
		known := true
		for _, c := range w {
			if !unicode.Is(unicode.Han, c) {
				if len(cur) > 0 {
					kw.segs = append(kw.segs, cur)
					cur = nil
				}
				continue
			}
			k := r.hanCode(c)
			if k == 0 {
				known = false
				break
			}
			cur = append(cur, k)
			if !slices.Contains(kw.chars, k) {
				kw.chars = append(kw.chars, k)
			}
		}
		if len(cur) > 0 {
			kw.segs = append(kw.segs, cur)
		}
		if !known || len(kw.segs) == 0 {
			continue
		}
		norm := fmt.Sprint(kw.segs)
		if seen[norm] {
			continue
		}
		seen[norm] = true
		kw.word = w
		kws = append(kws, kw)
	}
	return kws
}

// holds reports whether poem p holds every character of kw (full false) or
// every run of kw inside a line (full true).
func (r *Refs) holds(p uint32, kw *refKeyword, full bool) bool {
	l0, l1 := r.lines(p)
	text := r.text[r.lineStart[l0]:r.lineStart[l1]]
	if !full {
		for _, c := range kw.chars {
			if !slices.Contains(text, c) {
				return false
			}
		}
		return true
	}
next:
	for _, s := range kw.segs {
		for li := l0; li < l1; li++ {
			if indexCodes(r.line(li), s) >= 0 {
				continue next
			}
		}
		return false
	}
	return true
}

func indexCodes(l, s []uint16) int {
	for i := 0; i+len(s) <= len(l); i++ {
		if slices.Equal(l[i:i+len(s)], s) {
			return i
		}
	}
	return -1
}

// postings returns the sorted poems holding every list of ls (shortest first).
func refPostings(ls [][]uint32) []uint32 {
	if len(ls) == 0 {
		return nil
	}
	slices.SortFunc(ls, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
	out := ls[0]
	for _, l := range ls[1:] {
		if len(out) == 0 {
			break
		}
		out = refIntersect(nil, out, l)
	}
	return out
}

// ForKeywords returns up to k corpus poems holding the keywords, best first:
// more keywords written out inside a line, then more keywords whose
// characters all occur, then the regulated forms (五绝, 七绝, 五律, 七律), then
// shorter poems, then corpus order. Only the Han characters of a keyword
// count; one with a character the corpus lacks matches nothing. Poems that
// match no keyword are never returned. The slice is never nil.
func (r *Refs) ForKeywords(words []string, k int) []RefPoem {
	out := []RefPoem{}
	if r.Len() == 0 || k <= 0 {
		return out
	}
	k = min(k, MaxRefs)
	kws := r.keywords(words)
	if len(kws) == 0 {
		return out
	}
	s := r.scratch()
	defer r.release(s)
	for i := range kws {
		kw := &kws[i]
		var ls [][]uint32
		for _, c := range kw.chars {
			ls = append(ls, r.unigram(c))
		}
		chars := refPostings(ls)
		if len(chars) == 0 {
			continue
		}
		ls = [][]uint32{chars}
		verify := false
		for _, sg := range kw.segs {
			for j := 0; j+1 < len(sg); j++ {
				ls = append(ls, r.bigram(sg[j], sg[j+1]))
			}
			verify = verify || len(sg) > 2
		}
		full := chars
		if len(ls) > 1 {
			full = refPostings(ls)
		}
		if verify {
			kept := full[:0:0]
			for _, p := range full {
				if r.holds(p, kw, true) {
					kept = append(kept, p)
				}
			}
			full = kept
		}
		fi := 0
		for _, p := range chars {
			for fi < len(full) && full[fi] < p {
				fi++
			}
			if s.a[p] == 0 && s.b[p] == 0 {
				s.touched = append(s.touched, p)
			}
			if fi < len(full) && full[fi] == p {
				s.a[p]++
			} else {
				s.b[p]++
			}
		}
	}
	type cand struct {
		key uint64
		p   uint32
	}
	cands := make([]cand, 0, len(s.touched))
	for _, p := range s.touched {
		irregular := uint64(1)
		if r.regular[r.form[p]] {
			irregular = 0
		}
		key := uint64(0xFFFF-s.a[p])<<48 | uint64(0xFFFF-s.b[p])<<32 | irregular<<31 | uint64(min(r.chars(p), 1<<31-1))
		cands = append(cands, cand{key, p})
	}
	best := refTopK(cands, k, func(x, y cand) bool { return x.key < y.key || x.key == y.key && x.p < y.p })
	for _, c := range best {
		rp := r.poem(c.p)
		for i := range kws {
			switch {
			case r.holds(c.p, &kws[i], true):
				rp.Matched = append(rp.Matched, kws[i].word)
			case r.holds(c.p, &kws[i], false):
				rp.CharMatched = append(rp.CharMatched, kws[i].word)
			}
		}
		out = append(out, rp)
	}
	return out
}

// refTopK returns the k least of xs by less, sorted.
func refTopK[T any](xs []T, k int, less func(a, b T) bool) []T {
	cmpf := func(a, b T) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	}
	if k <= 0 {
		return xs[:0]
	}
	if k >= len(xs) || k*8 >= len(xs) {
		slices.SortFunc(xs, cmpf)
		return xs[:min(k, len(xs))]
	}
	// A max-heap of the k least so far.
	h := slices.Clone(xs[:k])
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i, less)
	}
	for _, x := range xs[k:] {
		if less(x, h[0]) {
			h[0] = x
			siftDown(h, 0, less)
		}
	}
	slices.SortFunc(h, cmpf)
	return h
}

// The heaps here keep their greatest element by less first: no element is
// less than one of its children. Equal elements are never swapped. A heap
// of n elements is built by calling siftDown for i from n/2−1 down to 0.

// siftDown moves h[i] down until it is not less than its children, given
// that its subtrees are heaps.
func siftDown[T any](h []T, i int, less func(a, b T) bool) {
	for {
		m, l, rt := i, 2*i+1, 2*i+2
		if l < len(h) && less(h[m], h[l]) {
			m = l
		}
		if rt < len(h) && less(h[m], h[rt]) {
			m = rt
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// siftDownOrdered is siftDown with less being <, for Closest's bound heap,
// the one hot heap. siftDown, too big to inline, calls less through the func
// value (a method on a type parameter is no better: it is called through the
// generics dictionary), which took 10% more instructions in Closest under
// callgrind than comparing in place.
func siftDownOrdered[T cmp.Ordered](h []T, i int) {
	for {
		m, l, rt := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] > h[m] {
			m = l
		}
		if rt < len(h) && h[rt] > h[m] {
			m = rt
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// siftUp moves h[i] up until its parent is not less than it, given that h
// is a heap but for h[i].
func siftUp[T any](h []T, i int, less func(a, b T) bool) {
	for i > 0 {
		pa := (i - 1) / 2
		if !less(h[pa], h[i]) {
			return
		}
		h[pa], h[i] = h[i], h[pa]
		i = pa
	}
}

// ---- originality ----

// Select returns the poems keep accepts, given each poem's ID and form, in
// corpus order; only those are built, so a narrow keep is cheap.
func (r *Refs) Select(keep func(id, form string) bool) []RefPoem {
	var out []RefPoem
	for p := 0; p < r.Len(); p++ {
		if keep(r.meta[r.metaOff[2*p]:r.metaOff[2*p+1]], r.names[r.form[p]]) {
			out = append(out, r.poem(uint32(p)))
		}
	}
	return out
}
