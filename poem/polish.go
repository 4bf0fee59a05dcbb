package poem

import (
	"math"
	"slices"

	"miaobi/lm"
	"miaobi/prosody"
)

// Polishing: the beam search writes left to right, so a character is chosen
// before the words after it exist. Once a poem is whole, each character the
// model chose (not a person's, not a planned image, not fixed) is weighed
// again with its left and right context — the model's probability of it and
// of the next three characters, which read it — against the other
// characters its slot admits, and replaced when another reads better
// (iterative polishing after Deng et al. 2019, with the n-gram model in the
// role of their masked language model).

const (
	polishPasses = 2
	polishCands  = 24
	// polishMargin is how much better (nats) a replacement must read.
	polishMargin = 0.5
	// polishTop is how many of the best finished hypotheses are polished.
	polishTop = 3
)

// polish improves h in place and returns it.
func (e *Engine) polish(s *spec, h *hyp) *hyp {
	// Where each character sits in h.toks (BOS first, a break token after
	// each line), and which characters are protected.
	type place struct{ li, j, g, start int } // start: the line's first character in h.runes
	var places []place
	protect := map[int]bool{}
	g, off := 1, 0
	for li, row := range s.tpl.Lines {
		line := h.runes[off : off+len(row)]
		if img := s.images[li]; img != nil {
			for k := 0; k+len(img) <= len(line); k++ {
				if slices.Equal(line[k:k+len(img)], img) {
					for x := range img {
						protect[off+k+x] = true
					}
					break
				}
			}
		}
		for j := range row {
			if s.fixed[li][j] == 0 && !protect[off+j] {
				places = append(places, place{li, j, g, off})
			}
			g++
		}
		g++ // the line break
		off += len(row)
	}
	if len(places) == 0 {
		return h
	}
	toks := slices.Clone(h.toks)
	runes := slices.Clone(h.runes)
	dist := make([]float32, e.vocab.Size())
	used := map[rune]bool{}
	for _, r := range runes {
		used[r] = true
	}
	// window scores token toks[g] and the three after it, which read it.
	// Each term is a log-probability (≤ 0), so once the sum is at or below
	// floor it can only fall: window stops there and reports false.
	window := func(g int, floor float64) (float64, bool) {
		var lp float64
		for m := g; m < len(toks) && m <= g+3; m++ {
			lp += float64(e.Model.LogProb(toks[:m], toks[m]))
			if lp <= floor {
				return lp, false
			}
		}
		return lp, true
	}
	changed := false
	var delta float64 // change in the bonuses
	for pass := 0; pass < polishPasses; pass++ {
		moved := false
		for _, p := range places {
			row := s.tpl.Lines[p.li]
			slot := row[p.j]
			idx := p.start + p.j
			line := runes[p.start : p.start+len(row)]
			extra := func(t lm.Token, r rune) float64 {
				v := 0.0
				if s.bonus != nil {
					v += float64(s.bonus[p.li][t])
				}
				// Unlike the decoder (slotPrior), a rhyme slot here adds
				// the 平 prior on top of the rhyme prior, which holds it.
				switch slot.Tone {
				case prosody.Ping:
					v += float64(e.prior[0][t])
				case prosody.Ze:
					v += float64(e.prior[1][t])
				}
				if slot.Rhyme != 0 {
					v += float64(e.rhymePrior[t])
				}
				if p.j > 0 {
					v += float64(s.pairSteer(e, p.li, p.j, line[p.j-1], r))
				}
				if p.j+1 < len(line) {
					v += float64(s.pairSteer(e, p.li, p.j+1, r, line[p.j+1]))
				}
				if e.Habits != nil {
					was := line[p.j]
					line[p.j] = r
					v -= float64(habitPenalty) * float64(e.Habits.count(line, p.j))
					line[p.j] = was
				}
				return v
			}
			cur := runes[idx]
			curTok := toks[p.g]
			curLP, _ := window(p.g, math.Inf(-1))
			best, bestScore := curTok, curLP+extra(curTok, cur)
			e.Model.Next(toks[:p.g], dist)
			list := s.tones.list(slot.Tone)
			if slot.Rhyme != 0 {
				list = s.rhymeToks[slot.Rhyme]
			}
			// The slot's characters the model likes best here, by the left
			// context alone; the right context then decides among them.
			cands := topTokens(list, dist, polishCands)
			for _, t := range cands {
				r := e.vocab.Rune(t)
				if t == curTok || !s.repeat && used[r] {
					continue
				}
				if p.j > 0 && e.wordClash(line[p.j-1], row[p.j-1].Tone, r, slot.Tone) ||
					p.j+1 < len(line) && e.wordClash(r, slot.Tone, line[p.j+1], row[p.j+1].Tone) {
					continue
				}
				ex := extra(t, r)
				toks[p.g] = t
				lp, ok := window(p.g, bestScore+polishMargin-ex)
				toks[p.g] = curTok
				if sc := lp + ex; ok && sc > bestScore+polishMargin {
					line[p.j] = r
					copied := !s.lockedLine[p.li] && e.Guard != nil && e.Guard.Copied(line) != nil
					line[p.j] = cur
					if !copied {
						best, bestScore = t, sc
					}
				}
			}
			if best != curTok {
				r := e.vocab.Rune(best)
				delta += extra(best, r) - extra(curTok, cur)
				toks[p.g], runes[idx] = best, r
				delete(used, cur)
				used[r] = true
				moved, changed = true, true
			}
		}
		if !moved {
			break
		}
	}
	if !changed {
		return h
	}
	// Score the polished poem afresh.
	n := &hyp{toks: toks, runes: runes, img: h.img}
	for m := 1; m < len(toks); m++ {
		n.lp += float64(e.Model.LogProb(toks[:m], toks[m]))
	}
	n.score = n.lp + (h.score - h.lp) + delta
	return n
}

// topTokens returns up to k tokens of list with the highest dist.
func topTokens(list []lm.Token, dist []float32, k int) []lm.Token {
	out := make([]lm.Token, 0, k+1)
	for _, t := range list {
		if len(out) < k {
			out = append(out, t)
			for i := len(out) - 1; i > 0 && dist[out[i]] > dist[out[i-1]]; i-- {
				out[i], out[i-1] = out[i-1], out[i]
			}
			continue
		}
		if dist[t] <= dist[out[k-1]] {
			continue
		}
		out[k-1] = t
		for i := k - 1; i > 0 && dist[out[i]] > dist[out[i-1]]; i-- {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}
