package lm

import (
	"fmt"
	"math"
	"slices"
)

// KN is an interpolated modified Kneser–Ney n-gram model (Chen & Goodman
// 1998) stored in backoff form: each kept n-gram carries its interpolated
// log-probability and each context its backoff weight, so a lookup that
// misses falls back to the shorter context. N-grams pack into uint64 keys,
// 14 bits per token, oldest token highest; each order's keys are sorted, so
// the continuations of one context form a contiguous run.
type KN struct {
	vocab *Vocab
	order int
	uni   []float32 // ln P(w) for every token
	ctx1  []float32 // backoff of every one-token context
	// tables[n-2] holds the kept n-grams of order n (2..order).
	tables []knTable
	// Discounts (D1, D2, D3+) per order, for the manifest.
	Discounts [][3]float64
}

type knTable struct {
	keys []uint64
	logp []float32
	bow  []float32 // backoff of the n-gram as a context; nil at the top order
}

const tokBits = 14

func pack(ts []Token) uint64 {
	var k uint64
	for _, t := range ts {
		k = k<<tokBits | uint64(t)
	}
	return k
}

func lowMask(n int) uint64 { return uint64(1)<<(tokBits*n) - 1 }

// KNConfig sets the order and pruning of a Kneser–Ney model.
type KNConfig struct {
	Order int // 2..4
	// MinCount[n-1] drops n-grams of order n whose (adjusted) count is below
	// it, unless a kept longer n-gram needs them as its context. Unigrams are
	// never dropped.
	MinCount []int
}

type countRun struct {
	keys   []uint64
	counts []uint32
}

func uniqCount(ks []uint64) countRun {
	slices.Sort(ks)
	var r countRun
	for i := 0; i < len(ks); {
		j := i + 1
		for j < len(ks) && ks[j] == ks[i] {
			j++
		}
		r.keys = append(r.keys, ks[i])
		r.counts = append(r.counts, uint32(j-i))
		i = j
	}
	return r
}

// discounts estimates D1, D2, D3+ from counts of counts (Chen & Goodman).
func discounts(cs []uint32) [3]float64 {
	var n [5]float64
	for _, c := range cs {
		if c >= 1 && c <= 4 {
			n[c]++
		}
	}
	if n[1] == 0 || n[2] == 0 || n[3] == 0 {
		return [3]float64{0.5, 1, 1.5}
	}
	y := n[1] / (n[1] + 2*n[2])
	d := [3]float64{1 - 2*y*n[2]/n[1], 2 - 3*y*n[3]/n[2], 3 - 4*y*n[4]/n[3]}
	for i := range d {
		d[i] = math.Min(math.Max(d[i], 0.05), float64(i+1)-0.05)
	}
	return d
}

func dOf(d [3]float64, c uint32) float64 {
	switch c {
	case 0:
		return 0
	case 1:
		return d[0]
	case 2:
		return d[1]
	}
	return d[2]
}

func countClasses(cs []uint32) (c1, c2, c3 float64) {
	for _, c := range cs {
		switch {
		case c == 1:
			c1++
		case c == 2:
			c2++
		case c > 2:
			c3++
		}
	}
	return
}

// TrainKN counts seqs (token sequences from Vocab.Encode) and estimates the
// model.
func TrainKN(v *Vocab, seqs [][]Token, cfg KNConfig) (*KN, error) {
	N := cfg.Order
	if N < 2 || N > 4 {
		return nil, fmt.Errorf("lm: Kneser–Ney order %d: use 2, 3 or 4", N)
	}
	V := v.Size()
	// Top order: raw counts of every N-gram. Lower orders: one count per
	// distinct left extension (continuation counts), plus raw counts of the
	// n-grams that open a poem, which have no left context.
	counts := make([]countRun, N) // counts[n-1] is order n
	var top []uint64
	opening := make([][]uint64, N)
	for _, s := range seqs {
		for i := 1; i < len(s); i++ {
			if i >= N-1 {
				top = append(top, pack(s[i-N+1:i+1]))
			} else {
				opening[i] = append(opening[i], pack(s[:i+1])) // order i+1
			}
		}
	}
	counts[N-1] = uniqCount(top)
	top = nil
	for n := N - 1; n >= 1; n-- {
		ks := opening[n-1]
		mask := lowMask(n)
		for _, k := range counts[n].keys {
			ks = append(ks, k&mask)
		}
		counts[n-1] = uniqCount(ks)
	}

	m := &KN{vocab: v, order: N, uni: make([]float32, V), ctx1: make([]float32, V), Discounts: make([][3]float64, N)}
	// Unigrams, interpolated with the uniform distribution.
	uc := make([]uint32, V)
	for i, k := range counts[0].keys {
		if k < uint64(V) && Token(k) != BOS {
			uc[k] = counts[0].counts[i]
		}
	}
	d := discounts(uc)
	m.Discounts[0] = d
	var total float64
	for _, c := range uc {
		total += float64(c)
	}
	if total == 0 {
		return nil, fmt.Errorf("lm: no training text")
	}
	c1, c2, c3 := countClasses(uc)
	gamma := (d[0]*c1 + d[1]*c2 + d[2]*c3) / total
	uniform := 1 / float64(V-1)
	for t := range m.uni {
		if Token(t) == BOS {
			m.uni[t] = float32(math.Inf(-1))
			continue
		}
		m.uni[t] = float32(math.Log(math.Max(float64(uc[t])-dOf(d, uc[t]), 0)/total + gamma*uniform))
	}
	// Orders 2..N, each interpolated with the unpruned order below.
	full := make([]knTable, N-1)
	fullCtx1 := make([]float32, V)
	for n := 2; n <= N; n++ {
		r := counts[n-1]
		d := discounts(r.counts)
		m.Discounts[n-1] = d
		t := knTable{keys: r.keys, logp: make([]float32, len(r.keys))}
		var lowT *knTable
		if n > 2 {
			lowT = &full[n-3]
			lowT.bow = make([]float32, len(lowT.keys))
		}
		for i := 0; i < len(r.keys); {
			ctx := r.keys[i] >> tokBits
			j := i
			for j < len(r.keys) && r.keys[j]>>tokBits == ctx {
				j++
			}
			var ch float64
			for _, c := range r.counts[i:j] {
				ch += float64(c)
			}
			c1, c2, c3 := countClasses(r.counts[i:j])
			g := (d[0]*c1 + d[1]*c2 + d[2]*c3) / ch
			for k := i; k < j; k++ {
				suf := r.keys[k] & lowMask(n-1)
				var lp float64
				if n == 2 {
					lp = float64(m.uni[suf])
				} else {
					x, ok := slices.BinarySearch(lowT.keys, suf)
					if !ok {
						return nil, fmt.Errorf("lm: internal: suffix of a counted %d-gram is missing", n)
					}
					lp = float64(lowT.logp[x])
				}
				p := (float64(r.counts[k])-dOf(d, r.counts[k]))/ch + g*math.Exp(lp)
				t.logp[k] = float32(math.Log(p))
			}
			if n == 2 {
				fullCtx1[ctx] = float32(math.Log(g))
			} else if x, ok := slices.BinarySearch(lowT.keys, ctx); ok {
				lowT.bow[x] = float32(math.Log(g))
			}
			i = j
		}
		full[n-2] = t
	}
	m.prune(full, counts, cfg.MinCount)
	return m, nil
}

// prune keeps the n-grams that reach their order's minimum count or serve
// as context of a kept longer n-gram, then recomputes every context's
// backoff so each distribution sums to one again.
func (m *KN) prune(full []knTable, counts []countRun, minCount []int) {
	N := m.order
	minOf := func(n int) uint32 {
		if n-1 < len(minCount) && minCount[n-1] > 1 {
			return uint32(minCount[n-1])
		}
		return 1
	}
	keep := make([][]bool, N+1)
	for n := N; n >= 2; n-- {
		r := counts[n-1]
		keep[n] = make([]bool, len(r.keys))
		for i, c := range r.counts {
			keep[n][i] = c >= minOf(n)
		}
		if n < N { // contexts of kept longer n-grams stay
			up := counts[n]
			for i, k := range up.keys {
				if keep[n+1][i] {
					if x, ok := slices.BinarySearch(r.keys, k>>tokBits); ok {
						keep[n][x] = true
					}
				}
			}
		}
	}
	m.tables = make([]knTable, N-1)
	for n := 2; n <= N; n++ {
		f := full[n-2]
		var t knTable
		for i, k := range f.keys {
			if keep[n][i] {
				t.keys = append(t.keys, k)
				t.logp = append(t.logp, f.logp[i])
			}
		}
		if n < N {
			t.bow = make([]float32, len(t.keys))
		}
		m.tables[n-2] = t
	}
	// Backoffs, bottom-up: order n's contexts use the pruned order below.
	ctx := make([]Token, 0, N)
	for n := 2; n <= N; n++ {
		t := m.tables[n-2]
		for i := 0; i < len(t.keys); {
			c := t.keys[i] >> tokBits
			j := i
			var hi, lo float64
			ctx = unpack(ctx[:0], c, n-1)
			for j < len(t.keys) && t.keys[j]>>tokBits == c {
				hi += math.Exp(float64(t.logp[j]))
				lo += math.Exp(float64(m.lookup(ctx[1:], Token(t.keys[j]&lowMask(1)))))
				j++
			}
			b := float32(math.Log(math.Max(1-hi, 1e-9) / math.Max(1-lo, 1e-9)))
			if n == 2 {
				m.ctx1[c] = b
			} else {
				lt := m.tables[n-3]
				if x, ok := slices.BinarySearch(lt.keys, c); ok {
					lt.bow[x] = b
				}
			}
			i = j
		}
	}
}

func unpack(dst []Token, k uint64, n int) []Token {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, Token(k>>(tokBits*i)&lowMask(1)))
	}
	return dst
}

// Vocab implements Model.
func (m *KN) Vocab() *Vocab { return m.vocab }

// Order is the model's n-gram order.
func (m *KN) Order() int { return m.order }

// Size is the number of stored n-grams of each order, unigrams first.
func (m *KN) Size() []int {
	s := []int{len(m.uni)}
	for _, t := range m.tables {
		s = append(s, len(t.keys))
	}
	return s
}

// bowOf returns the backoff of a context of 1..order-1 tokens, and whether
// the context is known.
func (m *KN) bowOf(ctx []Token) (float32, bool) {
	if len(ctx) == 1 {
		if int(ctx[0]) < len(m.ctx1) {
			return m.ctx1[ctx[0]], true
		}
		return 0, false
	}
	t := &m.tables[len(ctx)-2]
	x, ok := slices.BinarySearch(t.keys, pack(ctx))
	if !ok {
		return 0, false
	}
	return t.bow[x], true
}

// lookup is ln P(w | ctx) using at most len(ctx) tokens of context.
func (m *KN) lookup(ctx []Token, w Token) float32 {
	if int(w) >= len(m.uni) || w < 0 {
		w = Unk
	}
	var acc float32
	for n := len(ctx) + 1; n >= 2; n-- {
		h := ctx[len(ctx)-(n-1):]
		t := &m.tables[n-2]
		key := pack(h)<<tokBits | uint64(w)
		if x, ok := slices.BinarySearch(t.keys, key); ok {
			return acc + t.logp[x]
		}
		if b, ok := m.bowOf(h); ok {
			acc += b
		}
	}
	return acc + m.uni[w]
}

func (m *KN) context(context []Token) []Token {
	if len(context) > m.order-1 {
		context = context[len(context)-(m.order-1):]
	}
	for i := len(context) - 1; i >= 0; i-- { // start after an out-of-range token
		if t := context[i]; t < 0 || int(t) >= len(m.uni) {
			return context[i+1:]
		}
	}
	return context
}

// LogProb implements Model.
func (m *KN) LogProb(context []Token, next Token) float32 {
	return m.lookup(m.context(context), next)
}

// Next implements Model. Every token gets its unigram log-probability
// plus the backoffs of all known contexts, in one pass; then, order by
// order from the shortest, the tokens a context was seen with get their
// stored log-probability plus the backoffs of the longer contexts only.
func (m *KN) Next(context []Token, out []float32) {
	ctx := m.context(context)
	type level struct {
		t      *knTable
		lo, hi int
		bow    float32
	}
	var lv [3]level
	nl := 0
	var total float32
	for n := 2; n <= len(ctx)+1; n++ {
		h := ctx[len(ctx)-(n-1):]
		b, ok := m.bowOf(h)
		if !ok {
			continue // an unknown context has no continuations; backoff 1
		}
		t := &m.tables[n-2]
		lo, hi := m.children(t, pack(h))
		lv[nl] = level{t, lo, hi, b}
		nl++
		total += b
	}
	uni := m.uni[:len(out)]
	for i, u := range uni {
		out[i] = u + total
	}
	rest := total
	for _, l := range lv[:nl] {
		rest -= l.bow
		for x := l.lo; x < l.hi; x++ {
			out[l.t.keys[x]&lowMask(1)] = l.t.logp[x] + rest
		}
	}
}

// children returns the index range of the continuations of context key h.
func (m *KN) children(t *knTable, h uint64) (int, int) {
	lo, _ := slices.BinarySearch(t.keys, h<<tokBits)
	hi, _ := slices.BinarySearch(t.keys, (h+1)<<tokBits)
	return lo, hi
}

// Successors appends to dst the tokens seen after the context's last token,
// most likely first is not guaranteed; the decoder uses them as candidates.
func (m *KN) Successors(dst []Token, last Token) []Token {
	t := &m.tables[0]
	lo, hi := m.children(t, uint64(last))
	for x := lo; x < hi; x++ {
		dst = append(dst, Token(t.keys[x]&lowMask(1)))
	}
	return dst
}
