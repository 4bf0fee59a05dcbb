package poem

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strings"

	"miaobi/lm"
	"miaobi/prosody"
)

// Preparing one poem for the decoder: the template and where a draft's or
// an acrostic's fixed characters go (and whether they fit its tones), the
// images placed in lines, the keyword bonuses, and the rhyme families.

// prepare chooses a template, places images, bonuses and rhymes: all that
// the decoder needs.
func (e *Engine) prepare(j *job, rng *rand.Rand, keywords []Keyword) (*spec, error) {
	tones := e.tonesFor(j.book)
	rhymeTones := tones
	if j.rhymeBook != j.book {
		rhymeTones = e.tonesFor(j.rhymeBook)
	}
	// Templates that can hold the fixed characters.
	type fit struct {
		t      prosody.Template
		fixed  [][]rune
		locked []bool
	}
	var ok []fit
	var best []string
	shapes := 0
	for _, t := range j.templates {
		fixed, locked, shaped := j.layout(t)
		if !shaped {
			continue
		}
		shapes++
		if c := j.conflicts(t, fixed); len(c) == 0 {
			ok = append(ok, fit{t, fixed, locked})
		} else if best == nil || len(c) < len(best) {
			best = c
		}
	}
	if len(ok) == 0 {
		kind := ErrLocked
		if j.acrostic {
			kind = ErrAcrostic
		}
		if shapes == 0 {
			return nil, fmt.Errorf("%w: the draft's shape (%s) does not match %s", ErrDraft, draftShape(j.draft), j.form)
		}
		if len(best) > 3 {
			best = append(best[:3], fmt.Sprintf("and %d more", len(best)-3))
		}
		return nil, fmt.Errorf("%w: no pattern of %s can hold the fixed characters: %s", kind, j.form, strings.Join(best, "; "))
	}
	pick := ok[rng.Intn(len(ok))]
	if pick.t.Ci {
		pick = ok[0] // a tune's standard form unless the fixed text needs another
	}
	tpl := pick.t
	s := &spec{tpl: tpl, tones: tones, rhymeBook: j.rhymeBook, fixed: pick.fixed, lockedLine: pick.locked,
		beam: j.beam, noise: defaultNoise, rng: rng, repeat: j.req.Repeat, pairWeight: 0.3}
	L := len(tpl.Lines)
	s.images = make([][]rune, L)
	s.pairWith = make([]int, L)
	for i := range s.pairWith {
		s.pairWith[i] = -1
	}
	switch {
	case j.couplet:
		s.pairWith[1], s.pairWeight = 0, 1.0
	case !tpl.Ci && L == 8:
		s.pairWith[3], s.pairWith[5] = 2, 4
	}
	// The plan: images to lines, then bonuses for related characters.
	plan := make([]PlanLine, L)
	rs := roles(L)
	for i := range plan {
		plan[i] = PlanLine{Line: i + 1, Role: rs[i]}
	}
	lines := assignLines(len(keywords), L)
	taken := map[rune]bool{}
	for _, f := range s.fixed {
		for _, r := range f {
			if r != 0 {
				taken[r] = true
			}
		}
	}
	e.setupFrame(s, keywords, rng)
	for ki, kw := range keywords {
		if ki >= len(lines) {
			break
		}
		li := lines[ki]
		plan[li].Keyword = kw.Text
		if s.lineHasFixed(li) {
			continue
		}
		// The keyword's own word comes first when it is classical. From the
		// lexicon, a two-character image is drawn from the best two: a
		// word carries its sense, while a single character may land inside
		// another word (羽 in 羽觞, a wine cup, for 翅膀).
		images := kw.Images
		top := 1
		if kw.Source == "lexicon" {
			var two, one []string
			for _, img := range kw.Images {
				if len([]rune(img)) >= 2 {
					two = append(two, img)
				} else {
					one = append(one, img)
				}
			}
			images, top = append(two, one...), min(2, max(1, len(two)))
		}
		order := rng.Perm(min(top, len(images)))
		for x := range images[min(top, len(images)):] {
			order = append(order, x+top)
		}
		for _, x := range order {
			img := []rune(images[x])
			if clash(img, taken) || !s.imageFitsLine(e, img, li) {
				continue
			}
			s.images[li] = img
			plan[li].Image = string(img)
			for _, r := range img {
				taken[r] = true
			}
			break
		}
	}
	s.bonus = e.bonuses(keywords, lines, L)
	if err := s.chooseRhymes(e, j, rhymeTones, keywords, rng); err != nil {
		return nil, err
	}
	// After the rhymes, which weigh the keywords' pull alone.
	e.applyFrame(s)
	e.applyTopic(s, keywords)
	e.chargeFunction(s)
	s.plan, s.keywords = plan, keywords
	return s, nil
}

func clash(img []rune, taken map[rune]bool) bool {
	for _, r := range img {
		if taken[r] {
			return true
		}
	}
	return false
}

func (j *job) hasLocks() bool { return j.draft != nil || len(j.heads) > 0 }

func (s *spec) lineHasFixed(li int) bool {
	for _, r := range s.fixed[li] {
		if r != 0 {
			return true
		}
	}
	return false
}

// layout places the acrostic heads and the draft on template t; shaped is
// false when the draft's shape does not match t.
func (j *job) layout(t prosody.Template) (fixed [][]rune, locked []bool, shaped bool) {
	fixed = make([][]rune, len(t.Lines))
	locked = make([]bool, len(t.Lines))
	if j.draft != nil && len(j.draft) != len(t.Lines) {
		return nil, nil, false
	}
	for i, row := range t.Lines {
		fixed[i] = make([]rune, len(row))
		if j.draft != nil {
			if len(j.draft[i]) != len(row) {
				return nil, nil, false
			}
			copy(fixed[i], j.draft[i])
			locked[i] = !slices.Contains(j.draft[i], 0)
		}
		if i < len(j.heads) {
			fixed[i][0] = j.heads[i]
		}
	}
	return fixed, locked, true
}

func draftShape(d [][]rune) string {
	var parts []string
	for _, l := range d {
		parts = append(parts, fmt.Sprint(len(l)))
	}
	return fmt.Sprintf("%d lines of %s characters", len(d), strings.Join(parts, "/"))
}

// conflicts explains why template t cannot hold the fixed characters.
func (j *job) conflicts(t prosody.Template, fixed [][]rune) []string {
	var out []string
	for li, row := range t.Lines {
		for ci, slot := range row {
			if fixed[li][ci] == 0 {
				continue
			}
			if why := j.misfit(fixed[li], li, ci, slot.Tone); why != "" {
				out = append(out, why)
			}
		}
	}
	return out
}

// misfit says why the fixed character at column ci of line li cannot stand
// in a slot of tone want — it has no such reading, or has it only by a
// reading poets rarely give it (the checker's 僻读) — or "" when it can. A
// character unknown to the book gets the benefit of the doubt, as the
// checker gives it.
func (j *job) misfit(line []rune, li, ci int, want prosody.Tone) string {
	if want != prosody.Ping && want != prosody.Ze {
		return ""
	}
	r := line[ci]
	p, z := j.book.CharTones(r)
	if !p && !z {
		return ""
	}
	if rare, why := j.usage.Rare(line, ci, want); rare && p && z {
		return fmt.Sprintf("「%c」 must be %s at position %d of line %d, but %s", r, want, ci+1, li+1, why)
	}
	if (want == prosody.Ping && !p) || (want == prosody.Ze && !z) {
		what := "open"
		if ci > 0 {
			what = fmt.Sprintf("stand at position %d of", ci+1)
		}
		have := "仄"
		if p {
			have = "平"
		}
		return fmt.Sprintf("「%c」 is %s but must be %s to %s line %d", r, have, want, what, li+1)
	}
	return ""
}

// imageFitsLine reports whether an image fits somewhere in line li.
func (s *spec) imageFitsLine(e *Engine, img []rune, li int) bool {
	for _, r := range img {
		if e.vocab.Token(r) == lm.Unk {
			return false
		}
	}
	b := &hyp{}
	for j := range s.tpl.Lines[li] {
		ok := true
		for x, r := range img {
			if j+x >= len(s.tpl.Lines[li]) {
				ok = false
				break
			}
			slot := s.tpl.Lines[li][j+x]
			if slot.Rhyme != 0 || !s.tones.fits(e.vocab.Token(r), slot.Tone) {
				ok = false
				break
			}
		}
		if ok && !s.splitsUnit(li, j, len(img)) && s.imageFitsNoRhyme(e, b, img, j, li) {
			return true
		}
	}
	return false
}

func (s *spec) imageFitsNoRhyme(e *Engine, b *hyp, img []rune, j, li int) bool {
	for x, r := range img {
		if f := s.fixed[li][j+x]; f != 0 && f != r {
			return false
		}
	}
	return true
}

// bonuses builds each line's per-token bonus: the images of every keyword
// and the characters the corpus links with them, stronger on the line that
// carries the keyword.
func (e *Engine) bonuses(keywords []Keyword, lines []int, L int) [][]float32 {
	if len(keywords) == 0 {
		return nil
	}
	V := e.vocab.Size()
	out := make([][]float32, L)
	for li := range out {
		out[li] = make([]float32, V)
	}
	add := func(li int, r rune, v float32) {
		if t := e.vocab.Token(r); t != lm.Unk && v > out[li][t] {
			out[li][t] = v
		}
	}
	for ki, kw := range keywords {
		home := -1
		if ki < len(lines) {
			home = lines[ki]
		}
		for li := 0; li < L; li++ {
			w := float32(0.8)
			if li == home {
				w = 1.2
			}
			for x, img := range kw.Images {
				if x >= 4 {
					break
				}
				for _, r := range img {
					add(li, r, 1.2*w)
					for _, rel := range e.Imagery.Related[r] {
						add(li, rel.R, relatedWeight*w*rel.Score)
					}
				}
			}
		}
	}
	return out
}

// chooseRhymes picks a rhyme family for each rhyme set of the template:
// one holding every fixed rhyme character, favouring families with many
// usable characters and those the keywords' images lean towards.
func (s *spec) chooseRhymes(e *Engine, j *job, rt *toneTable, keywords []Keyword, rng *rand.Rand) error {
	s.family = map[byte]string{}
	s.rhymeToks = map[byte][]lm.Token{}
	b := j.rhymeBook
	need := map[byte]int{}
	fixed := map[byte][]rune{}
	for li, row := range s.tpl.Lines {
		for ci, slot := range row {
			if slot.Rhyme != 0 {
				need[slot.Rhyme]++
				if r := s.fixed[li][ci]; r != 0 {
					fixed[slot.Rhyme] = append(fixed[slot.Rhyme], r)
				}
			}
		}
	}
	letters := make([]byte, 0, len(need))
	for l := range need {
		letters = append(letters, l)
	}
	sort.Slice(letters, func(a, c int) bool { return letters[a] < letters[c] })
	usedFam := map[string]bool{}
	for _, letter := range letters {
		tone := s.tpl.RhymeTone[letter]
		fams := map[string][]lm.Token{}
		var famOrder []string
		for _, t := range rt.any {
			r := e.vocab.Rune(t)
			for _, rd := range b.Readings(r) {
				if tone != prosody.Either && rd.Tone != tone && b.Groups[rd.Group].Tone != prosody.Either {
					continue
				}
				if tone != prosody.Either && rd.Tone != tone {
					continue
				}
				if !s.tpl.Ci && tone == prosody.Ping && e.rhymeEnd[t] < 3 {
					continue // rarely a rhyme word in the corpus
				}
				if b.Name == "pingshui" && !e.rhymesIn(r, rd.Group) {
					continue // a 多音字 the corpus rhymes in another group
				}
				f := b.Groups[rd.Group].Family
				if _, ok := fams[f]; !ok {
					famOrder = append(famOrder, f)
				}
				if l := fams[f]; len(l) == 0 || l[len(l)-1] != t {
					fams[f] = append(l, t)
				}
			}
		}
		type choice struct {
			fam string
			w   float64
		}
		var cs []choice
		var total float64
		for _, f := range famOrder {
			toks := fams[f]
			okFixed := true
			for _, r := range fixed[letter] {
				okFixed = okFixed && b.Rhymes(r, f, tone)
			}
			if !okFixed || len(toks) < 3*need[letter]+6 {
				continue
			}
			// Weight by how often poets rhyme in the family (三江 is rare,
			// 四支 common), not by how many characters it lists.
			var use float64
			for _, t := range toks {
				use += float64(e.rhymeEnd[t])
			}
			w := math.Pow(use+float64(len(toks)), 0.7)
			if usedFam[f] {
				w *= 0.05
			}
			if s.bonus != nil {
				var aff float64
				last := len(s.bonus) - 1
				for _, t := range toks {
					aff += float64(s.bonus[last][t])
				}
				w *= 1 + aff
			}
			cs = append(cs, choice{f, w})
			total += w
		}
		if len(cs) == 0 {
			if len(fixed[letter]) > 1 {
				return fmt.Errorf("%w: the rhyme characters 「%s」 share no rhyme group in %s; change one of them", ErrLocked, string(fixed[letter]), b.Title)
			}
			return fmt.Errorf("%w: 「%s」 cannot close a rhyming line of %s in %s (no rhyme group with enough characters holds it)", ErrLocked, string(fixed[letter]), j.form, b.Title)
		}
		x := rng.Float64() * total
		pick := cs[len(cs)-1].fam
		for _, c := range cs {
			if x < c.w {
				pick = c.fam
				break
			}
			x -= c.w
		}
		s.family[letter] = pick
		usedFam[pick] = true
		s.rhymeToks[letter] = fams[pick]
	}
	return nil
}
