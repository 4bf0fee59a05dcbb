package poem

import (
	"container/heap"
	"math"
	"math/rand"
	"slices"
	"sort"
	"sync"

	"miaobi/judge"
	"miaobi/lm"
	"miaobi/prosody"
)

// spec is one decoding problem: a template to fill, what is fixed, what
// each line must hold and how candidates are scored beyond the model.
type spec struct {
	tpl        prosody.Template
	tones      *toneTable
	rhymeBook  *prosody.Book
	family     map[byte]string // rhyme-set letter → family in rhymeBook
	rhymeToks  map[byte][]lm.Token
	fixed      [][]rune    // 0 where free
	images     [][]rune    // per line: an image the line must hold, or nil
	bonus      [][]float32 // per line: a score added per token, or nil
	pairWith   []int       // per line: the line it faces in 对仗, or -1
	pairWeight float32
	beam       int
	noise      float64 // Gumbel scale; 0 for none
	rng        *rand.Rand
	repeat     bool // allow repeated characters
	// guardFrom skips the originality guard for lines before it (lines the
	// person wrote and locked whole).
	lockedLine []bool
	plan       []PlanLine
	keywords   []Keyword
	// caesura marks, per line, the positions where a rhythmic unit starts
	// (五言 2+3, 七言 2+2+3); nil for lines without that rhythm.
	caesura [][]bool
	// season is the season the poem keeps (index into Seasons).
	season int
}

// backwardWeight scales the backward model's say in a line's last
// character.
const backwardWeight = 0.5

// lineEnd is the backward model's log-probability of a line's last three
// characters before end, read right to left from end (line holds the
// characters before end, in order).
func (e *Engine) lineEnd(end lm.Token, line []lm.Token) float32 {
	ctx := make([]lm.Token, 0, 5)
	ctx = append(ctx, lm.Break, end)
	var lp float32
	for k := len(line) - 1; k >= 0 && k >= len(line)-3; k-- {
		lp += e.Backward.LogProb(ctx, line[k])
		ctx = append(ctx, line[k])
	}
	return lp
}

// ensureBonus gives every line a bonus per token, zero where the keywords
// gave none (a poem without keywords has no bonuses until the frame or the
// topic space adds theirs).
func (s *spec) ensureBonus(V int) {
	if s.bonus != nil {
		return
	}
	s.bonus = make([][]float32, len(s.tpl.Lines))
	for li := range s.bonus {
		s.bonus[li] = make([]float32, V)
	}
}

// splitWeight scales the penalty for splitting a word across the caesura.
const splitWeight = 0.8

// pairSteer is the frame's say on writing b at position j of line li right
// after a: against a word that poets keep inside one rhythmic unit when the
// caesura falls between them (一夕|阳明月), and against a word of another
// season than the poem's (寒食 in autumn). 0 when neither applies.
func (s *spec) pairSteer(e *Engine, li, j int, a, b rune) float32 {
	if e.Frame == nil || j == 0 {
		return 0
	}
	var v float32
	if s.caesura[li] != nil && s.caesura[li][j] {
		if w, ok := e.Frame.Words[a][b]; ok {
			v -= splitWeight * (w - 1)
		}
	}
	if sw, ok := e.Frame.SeasonWords[a][b]; ok {
		v += wordSeason(sw, s.season)
	}
	return v
}

// slotPrior is the prior for the usual reading of a character's tone in a
// slot: for a rhyme slot the rhyme prior (which holds the 平 prior), for a
// 平 or 仄 slot that tone's; nil where either tone serves.
func (e *Engine) slotPrior(slot prosody.Slot) []float32 {
	switch {
	case slot.Rhyme != 0:
		return e.rhymePrior
	case slot.Tone == prosody.Ping:
		return e.prior[0]
	case slot.Tone == prosody.Ze:
		return e.prior[1]
	}
	return nil
}

type hyp struct {
	toks  []lm.Token
	runes []rune
	lp    float64 // model log-probability
	score float64 // lp plus bonuses
	pert  float64 // accumulated noise, for ranking only
	img   int     // characters of the line's image placed; -1: none asked
	// assoc is what the lines before this one call up (see callUp).
	assoc []tokVal
}

type tokVal struct {
	tok lm.Token
	v   float32
}

// callUp lists the characters the written lines call up, each with its
// bonus: assocWeight × the normalised PMI of sharing a couplet with a
// character of the line before (which starts at prevStart), half that for
// earlier lines; the strongest link counts. scratch is a zeroed
// vocabulary-sized buffer, zeroed again on return.
func (e *Engine) callUp(written []rune, prevStart int, scratch []float32) []tokVal {
	var out []tokVal
	for k, r := range written {
		w := assocWeight
		if k < prevStart {
			w *= 0.5
		}
		for _, rel := range e.Imagery.Related[r] {
			t := e.vocab.Token(rel.R)
			if t == lm.Unk {
				continue
			}
			if v := w * rel.Score; v > scratch[t] {
				if scratch[t] == 0 {
					out = append(out, tokVal{tok: t})
				}
				scratch[t] = v
			}
		}
	}
	for i := range out {
		out[i].v = scratch[out[i].tok]
		scratch[out[i].tok] = 0
	}
	return out
}

type cand struct {
	parent int
	tok    lm.Token
	lp     float32
	bonus  float32
	key    float64
	img    int
}

type candHeap []cand

func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return h[i].key < h[j].key }
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(cand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// decodeErr says which line could not be completed.
type decodeErr struct{ line int }

func (e *Engine) decode(s *spec) ([]*hyp, *decodeErr) {
	V := e.vocab.Size()
	dist := make([]float32, V)
	used := make([]bool, V)
	pair := make([]float32, V)
	split := make([]float32, V)
	assoc := make([]float32, V)
	habit := make([]float32, V)
	look := make([]float32, V)
	var lookCtx []lm.Token
	ban := make([]bool, V)
	noise := make([]float32, V)
	// Characters fixed anywhere, and those of the planned images, are never
	// written elsewhere: a line that took 归 would leave no room for the
	// image 归雁 planned for a later line.
	var reserved []lm.Token
	if !s.repeat {
		for _, f := range append(slices.Clone(s.fixed), s.images...) {
			for _, r := range f {
				if t := e.vocab.Token(r); r != 0 && t != lm.Unk {
					reserved = append(reserved, t)
				}
			}
		}
	}
	beam := []*hyp{{toks: []lm.Token{lm.BOS}, img: -1}}
	var pool []cand
	h := &candHeap{}
	lineBuf := make([]rune, 0, 16)
	offset := 0
	for li, row := range s.tpl.Lines {
		img := s.images[li]
		for _, b := range beam {
			b.img = -1
			if img != nil {
				b.img = 0
			}
		}
		var bonus []float32
		if s.bonus != nil {
			bonus = s.bonus[li]
		}
		if li > 0 {
			prevStart := offset - len(s.tpl.Lines[li-1])
			for _, b := range beam {
				b.assoc = e.callUp(b.runes[:offset], prevStart, assoc)
			}
		}
		for j, slot := range row {
			pool = pool[:0]
			if s.noise > 0 {
				// Gumbel noise for the characters this slot admits, drawn
				// from a table of its quantiles.
				list := s.tones.list(slot.Tone)
				if slot.Rhyme != 0 {
					list = s.rhymeToks[slot.Rhyme]
				}
				g := gumbel()
				for _, t := range list {
					noise[t] = float32(s.noise) * g[s.rng.Uint32()&uint32(len(g)-1)]
				}
			}
			fixed := s.fixed[li][j]
			for bi, b := range beam {
				lineSoFar := b.runes[offset:]
				// 1. A forced character: locked, or the image's next one.
				forced := lm.Token(-1)
				nextImg := b.img
				switch {
				case fixed != 0:
					forced = e.vocab.Token(fixed)
					if b.img > 0 && b.img < len(img) {
						nextImg = b.img + 1 // imageFits made the image agree with it
					}
				case b.img > 0 && b.img < len(img):
					forced = e.vocab.Token(img[b.img])
					nextImg = b.img + 1
				}
				if forced >= 0 {
					r := e.vocab.Rune(forced)
					if fixed != 0 {
						r = fixed
					}
					if img != nil && b.img == 0 && len(img) > 0 && r == img[0] && s.imageFits(e, b, img, offset, j, li) {
						nextImg = 1
					}
					if fixed == 0 && !s.repeat && slices.Contains(b.runes, r) {
						continue
					}
					if fixed == 0 && j > 0 && e.wordClash(lineSoFar[j-1], row[j-1].Tone, r, slot.Tone) {
						continue
					}
					if fixed == 0 && !s.lockedLine[li] && e.Guard != nil && e.Guard.EndsCopied(append(append(lineBuf[:0], lineSoFar...), r), len(row)) {
						continue
					}
					lp := e.Model.LogProb(b.toks, forced)
					var bo float32
					if bonus != nil && forced >= 0 {
						bo = bonus[forced]
					}
					pool = append(pool, cand{parent: bi, tok: forced, lp: lp, bonus: bo, key: b.score + b.pert + float64(lp+bo), img: nextImg})
					if fixed != 0 {
						pool[len(pool)-1].tok = -1 - lm.Token(fixed) // carries the rune itself
					}
					continue
				}
				// 2. Free choice among the characters the slot admits.
				e.Model.Next(b.toks, dist)
				list := s.tones.list(slot.Tone)
				if slot.Rhyme != 0 {
					list = s.rhymeToks[slot.Rhyme]
				}
				for _, r := range b.runes {
					if t := e.vocab.Token(r); t != lm.Unk && !s.repeat {
						used[t] = true
					}
				}
				for _, t := range reserved {
					used[t] = true
				}
				pw := s.pairWith[li]
				var partner []Rel
				if pw >= 0 {
					off := 0
					for k := 0; k < pw; k++ {
						off += len(s.tpl.Lines[k])
					}
					if off+j < len(b.runes) {
						partner = e.Imagery.Pairs[b.runes[off+j]]
					}
					for _, rel := range partner {
						if t := e.vocab.Token(rel.R); t != lm.Unk {
							pair[t] = s.pairWeight * rel.Score
						}
					}
				}
				// What the lines already written call up (computed once per
				// hypothesis at the line's start).
				for _, a := range b.assoc {
					assoc[a.tok] = a.v
				}
				// Runs the generator falls into too often cost habitPenalty.
				habitual := e.Habits.after(lineSoFar)
				for _, r := range habitual {
					if t := e.vocab.Token(r); t != lm.Unk {
						habit[t] = -habitPenalty
					}
				}
				// Words the character would make with the one before it:
				// one split by the caesura, or of another season.
				var steered []lm.Token
				if j > 0 && e.Frame != nil {
					prev := lineSoFar[j-1]
					steer := func(r rune) {
						if t := e.vocab.Token(r); t != lm.Unk && split[t] == 0 {
							if v := s.pairSteer(e, li, j, prev, r); v != 0 {
								split[t] = v
								steered = append(steered, t)
							}
						}
					}
					if s.caesura[li] != nil && s.caesura[li][j] {
						for r := range e.Frame.Words[prev] {
							steer(r)
						}
					}
					for r := range e.Frame.SeasonWords[prev] {
						steer(r)
					}
				}
				// A word that decides a 多音字's reading (相思: 思 平) must
				// agree with the tones of the slots it stands in.
				var banned []lm.Token
				if j > 0 {
					prev := lineSoFar[j-1]
					for _, d := range e.decides[prev] {
						if d.clashes(row[j-1].Tone, slot.Tone) {
							if t := e.vocab.Token(d.second); t != lm.Unk && !ban[t] {
								ban[t] = true
								banned = append(banned, t)
							}
						}
					}
				}
				prior := e.slotPrior(slot)
				*h = (*h)[:0]
				keep := 2 * s.beam
				base := b.score + b.pert
				for _, t := range list {
					if used[t] || ban[t] {
						continue
					}
					v := dist[t] + noise[t] + pair[t] + split[t] + assoc[t] + habit[t]
					if bonus != nil {
						v += bonus[t]
					}
					if prior != nil {
						v += prior[t]
					}
					k := base + float64(v)
					if h.Len() == keep && k <= (*h)[0].key {
						continue
					}
					var bo float32
					if bonus != nil {
						bo = bonus[t]
					}
					if prior != nil {
						bo += prior[t]
					}
					c := cand{parent: bi, tok: t, lp: dist[t], bonus: bo + pair[t] + split[t] + assoc[t] + habit[t], key: k, img: b.img}
					if h.Len() < keep {
						heap.Push(h, c)
					} else {
						(*h)[0] = c
						heap.Fix(h, 0)
					}
				}
				// The image may start here even when the model would not pick it.
				if img != nil && b.img == 0 && s.imageFits(e, b, img, offset, j, li) {
					t := e.vocab.Token(img[0])
					var bo float32
					if bonus != nil {
						bo = bonus[t]
					}
					heap.Push(h, cand{parent: bi, tok: t, lp: dist[t], bonus: bo, key: base + float64(dist[t]+bo+noise[t]), img: 1})
				}
				for _, r := range b.runes {
					if t := e.vocab.Token(r); t != lm.Unk {
						used[t] = false
					}
				}
				for _, t := range reserved {
					used[t] = false
				}
				for _, rel := range partner {
					if t := e.vocab.Token(rel.R); t != lm.Unk {
						pair[t] = 0
					}
				}
				for _, t := range steered {
					split[t] = 0
				}
				for _, a := range b.assoc {
					assoc[a.tok] = 0
				}
				for _, r := range habitual {
					if t := e.vocab.Token(r); t != lm.Unk {
						habit[t] = 0
					}
				}
				for _, t := range banned {
					ban[t] = false
				}
				for _, c := range *h {
					r := e.vocab.Rune(c.tok)
					if img != nil && b.img == 0 && c.img == 0 && r == img[0] && s.imageFits(e, b, img, offset, j, li) {
						c.img = 1
					}
					if !s.lockedLine[li] && e.Guard != nil && e.Guard.EndsCopied(append(append(lineBuf[:0], lineSoFar...), r), len(row)) {
						continue
					}
					pool = append(pool, c)
				}
			}
			if len(pool) == 0 {
				return nil, &decodeErr{line: li}
			}
			end := lm.Break
			if li == len(s.tpl.Lines)-1 {
				end = lm.EOS
			}
			if j == len(row)-1 {
				// How well each candidate closes the line counts in choosing it.
				ctx := make([]lm.Token, 0, 80)
				for i := range pool {
					c := &pool[i]
					tok := c.tok
					if tok < 0 {
						tok = e.vocab.Token(rune(-1 - tok))
					}
					ctx = append(append(ctx[:0], beam[c.parent].toks...), tok)
					lp := e.Model.LogProb(ctx, end)
					c.lp += lp
					c.key += float64(lp)
				}
				// Read right to left, does the line lead into its last
				// character? Only the candidates that can still make the
				// beam are asked (twice the beam of those holding the
				// line's image and of those not); the rest are dropped.
				if e.Backward != nil {
					pool = s.shortlist(pool, img != nil)
					for i := range pool {
						c := &pool[i]
						tok := c.tok
						if tok < 0 {
							tok = e.vocab.Token(rune(-1 - tok))
						}
						line := beam[c.parent].toks[len(beam[c.parent].toks)-j:]
						b := backwardWeight * e.lineEnd(tok, line)
						c.bonus += b
						c.key += float64(b)
					}
				}
			}
			// Before a rhyme slot: can the line still close well? Each
			// candidate that can make the beam is weighed by the best
			// rhyme word the model would let follow it.
			if last := len(row) - 1; j == last-1 && row[last].Rhyme != 0 && s.fixed[li][last] == 0 {
				pool = s.shortlist(pool, img != nil)
				rt := s.rhymeToks[row[last].Rhyme]
				for i := range pool {
					c := &pool[i]
					tok := c.tok
					if tok < 0 {
						tok = e.vocab.Token(rune(-1 - tok))
					}
					parent := beam[c.parent]
					lookCtx = append(append(lookCtx[:0], parent.toks...), tok)
					e.Model.Next(lookCtx, look)
					best := float32(math.Inf(-1))
					for _, t := range rt {
						if t == tok || !s.repeat && slices.Contains(parent.toks, t) {
							continue
						}
						if v := look[t] + e.rhymePrior[t]; v > best {
							best = v
						}
					}
					if !math.IsInf(float64(best), -1) {
						c.key += float64(lookWeight * best)
					}
				}
			}
			beam = s.selectBeam(pool, beam, img, e)
			if j == len(row)-1 {
				// The line is complete: drop hypotheses that missed the
				// image if any caught it, and score the line break.
				if img != nil {
					var done []*hyp
					for _, b := range beam {
						if b.img >= len(img) {
							done = append(done, b)
						}
					}
					if len(done) > 0 {
						beam = done
					}
				}
				for _, b := range beam {
					b.toks = append(b.toks, end) // already scored
				}
			}
		}
		offset += len(row)
	}
	sort.SliceStable(beam, func(i, j int) bool { return beam[i].score > beam[j].score })
	return beam, nil
}

// gumbel holds quantiles of the standard Gumbel distribution.
var gumbel = sync.OnceValue(func() []float32 {
	g := make([]float32, 1<<14)
	for k := range g {
		g[k] = float32(-math.Log(-math.Log((float64(k) + 0.5) / float64(len(g)))))
	}
	return g
})

// shortlist keeps the 2×beam best candidates by key — of those holding the
// line's image and of those not, when the line has one — best first.
func (s *spec) shortlist(pool []cand, hasImg bool) []cand {
	sort.SliceStable(pool, func(i, j int) bool { return pool[i].key > pool[j].key })
	k := 2 * s.beam
	out := pool[:0]
	var with, without int
	for _, c := range pool {
		if hasImg && c.img > 0 {
			if with < k {
				out = append(out, c)
				with++
			}
		} else if without < k {
			out = append(out, c)
			without++
		}
	}
	return out
}

// selectBeam keeps the best candidates, half of the places reserved for
// hypotheses that have not yet placed the line's image and half for those
// that have, so that neither kind crowds out the other.
func (s *spec) selectBeam(pool []cand, beam []*hyp, img []rune, e *Engine) []*hyp {
	sort.Slice(pool, func(i, j int) bool { return pool[i].key > pool[j].key })
	var out []*hyp
	take := func(c cand) {
		p := beam[c.parent]
		r := e.vocab.Rune(c.tok)
		tok := c.tok
		if c.tok < 0 { // a fixed character carried as itself
			r = rune(-1 - c.tok)
			tok = e.vocab.Token(r)
		}
		n := &hyp{
			toks:  append(slices.Clip(p.toks), tok),
			runes: append(slices.Clip(p.runes), r),
			lp:    p.lp + float64(c.lp),
			score: p.score + float64(c.lp+c.bonus),
			pert:  c.key - (p.score + float64(c.lp+c.bonus)),
			img:   c.img,
			assoc: p.assoc,
		}
		out = append(out, n)
	}
	taken := make([]bool, len(pool))
	if img != nil {
		half := (s.beam + 1) / 2
		for _, want := range []bool{true, false} {
			n := 0
			for i, c := range pool {
				if n == half {
					break
				}
				if (c.img > 0) == want && !taken[i] {
					take(c)
					taken[i] = true
					n++
				}
			}
		}
	}
	for i, c := range pool {
		if len(out) >= s.beam {
			break
		}
		if !taken[i] {
			take(c)
			taken[i] = true
		}
	}
	return out
}

// imageFits reports whether the image can start at position j of line li
// for hypothesis b: its characters fit the slots' tones and rhymes, do not
// clash with fixed characters and are not already used.
func (s *spec) imageFits(e *Engine, b *hyp, img []rune, offset, j, li int) bool {
	row := s.tpl.Lines[li]
	if j+len(img) > len(row) || s.splitsUnit(li, j, len(img)) {
		return false
	}
	// Nor may it start across the caesura from a character it would make
	// a word with (一夕|曛).
	if j > 0 && e.Frame != nil && s.caesura[li] != nil && s.caesura[li][j] {
		if _, ok := e.Frame.Words[b.runes[offset+j-1]][img[0]]; ok {
			return false
		}
	}
	for x, r := range img {
		slot := row[j+x]
		if f := s.fixed[li][j+x]; f != 0 && f != r {
			return false
		}
		t := e.vocab.Token(r)
		if !s.tones.fits(t, slot.Tone) {
			return false
		}
		if slot.Rhyme != 0 && !s.rhymeBook.Rhymes(r, s.family[slot.Rhyme], s.tpl.RhymeTone[slot.Rhyme]) {
			return false
		}
		if !s.repeat && (slices.Contains(b.runes, r) || slices.Contains(img[:x], r)) {
			return false
		}
	}
	return true
}

var _ = judge.MinRun

// lookWeight scales, before a rhyme slot, the best rhyme word the model
// would let follow each candidate: a line should not walk into a place
// where only a forced rhyme can close it (「满树三」). Dev panels of
// 2026-12-06: +0.12 ± 0.07 on the mean score against none.
const lookWeight float32 = 0.7

// assocWeight scales the pull of the lines already written on the next:
// each character gains assocWeight × the normalised PMI of sharing a
// couplet with a character of the line before (half that for earlier
// lines). Dev panels of 2026-12-06 (docs/benchmarks.md): +0.13 and +0.05
// on the mean of the four scores against none; 3.0 was no better.
const assocWeight float32 = 1.5
