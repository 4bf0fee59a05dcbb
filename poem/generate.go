package poem

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strings"

	"miaobi/hanzi"
	"miaobi/judge"
	"miaobi/lm"
	"miaobi/prosody"
)

// Request asks for poems.
type Request struct {
	Form     string   // 五绝, 七绝 (default), 五律, 七律 or 词:TUNE
	Keywords []string // classical or modern; none: a theme is chosen
	// Acrostic holds the characters that open the lines (藏头诗), one per
	// line from the first.
	Acrostic string
	Rhyme    string // pingshui (default) or xinyun
	Seed     int64
	N        int  // how many poems (default 1), diverse and ranked
	Repeat   bool // allow a character to appear twice
}

// Poem is one generated poem with everything that explains it.
type Poem struct {
	Form        string         `json:"form"`
	Variant     string         `json:"variant"`
	Title       string         `json:"title"`
	Lines       []string       `json:"lines"`
	Keywords    []string       `json:"keywords"`
	Imagery     []Keyword      `json:"imagery"`
	Plan        []PlanLine     `json:"plan"`
	Seed        int64          `json:"seed"`
	Scores      Scores         `json:"scores"`
	Check       prosody.Result `json:"check"`
	Originality Originality    `json:"originality"`
	// Source is set for a poem an engine wrote (see FromPoet): which
	// engine and model, what it wrote and each character's hand. Its
	// fields appear at the top of the poem's JSON.
	*Source
}

// Scores rank candidates.
type Scores struct {
	// LogProb is the model's total log-probability of the poem (nats).
	LogProb float64 `json:"logprob"`
	// Perplexity is per character under the model.
	Perplexity float64 `json:"perplexity"`
	// Imagery is the share of planned images the poem holds.
	Imagery float64 `json:"imagery"`
	// Backward is the right-to-left model's log-probability of the poem.
	Backward float64 `json:"backward_logprob"`
	// Coherence is how well the lines hold together: the mean cosine of
	// each line to the rest of the poem in the topic space (see Topic).
	Coherence float64 `json:"coherence"`
	// Score ranks candidates: log-probability plus the imagery, 对仗 and
	// frame bonuses, per character, plus coherenceWeight × Coherence.
	Score float64 `json:"score"`
}

// Originality reports the copy guard's verdict.
type Originality struct {
	Rule string `json:"rule"`
	// CopiedRuns lists runs shared with a corpus line; generated text has
	// none, text the person locked may.
	CopiedRuns []string `json:"copied_runs"`
	Guard      string   `json:"guard"`
}

// Text returns the poem as lines joined with punctuation (，。 alternating).
func (p *Poem) Text() string {
	var sb strings.Builder
	for i, l := range p.Lines {
		sb.WriteString(l)
		if i%2 == 0 && i != len(p.Lines)-1 {
			sb.WriteString("，")
		} else {
			sb.WriteString("。")
		}
	}
	return sb.String()
}

// Traditional returns a copy with title and lines in traditional characters.
func (p *Poem) Traditional() *Poem {
	q := *p
	q.Title = hanzi.ToTraditional(p.Title)
	q.Lines = make([]string, len(p.Lines))
	for i, l := range p.Lines {
		q.Lines[i] = hanzi.ToTraditional(l)
	}
	return &q
}

// Generation errors a caller may test for.
var (
	ErrForm     = errors.New("form")
	ErrAcrostic = errors.New("acrostic")
	ErrLocked   = errors.New("locked text")
)

// Beam width and noise of the search.
const (
	defaultBeam  = 20
	defaultNoise = 0.2
	maxN         = 50
)

// Generate writes req.N poems, best first.
func (e *Engine) Generate(req Request) ([]*Poem, error) {
	job, err := e.newJob(req)
	if err != nil {
		return nil, err
	}
	if len([]rune(req.Acrostic)) > 0 {
		heads := []rune(hanzi.ToSimplified(strings.Join(strings.Fields(req.Acrostic), "")))
		if len(heads) > len(job.templates[0].Lines) {
			return nil, fmt.Errorf("%w: %d characters 「%s」 but %s has %d lines; give at most %d, or choose a longer form",
				ErrAcrostic, len(heads), string(heads), job.form, len(job.templates[0].Lines), len(job.templates[0].Lines))
		}
		for _, r := range heads {
			if !hanzi.IsHan(r) {
				return nil, fmt.Errorf("%w: %q is not a Chinese character; acrostic heads must be Chinese", ErrAcrostic, r)
			}
		}
		job.heads = heads
		job.acrostic = true
	}
	return e.run(job, nil)
}

// job is a prepared request.
type job struct {
	req       Request
	form      string
	book      *prosody.Book // tones of regulated verse, or of 词
	rhymeBook *prosody.Book
	rhymeName string
	templates []prosody.Template
	keywords  []Keyword
	heads     []rune   // acrostic heads
	draft     [][]rune // a person's draft: 0 where free; nil for none
	acrostic  bool
	couplet   bool
	beam      int
	// usage weighs the readings of 多音字 (nil for 中华新韵, which reads
	// modern tones).
	usage *prosody.Usage
}

func (e *Engine) newJob(req Request) (*job, error) {
	if req.Form == "" {
		req.Form = "七绝"
	}
	form, err := prosody.NormalizeForm(req.Form)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrForm, err)
	}
	if strings.Contains(form, "排律") {
		return nil, fmt.Errorf("%w: %s is not generated; choose 五绝, 七绝, 五律, 七律 or 词:TUNE", ErrForm, form)
	}
	tpls, err := prosody.Templates(form)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrForm, err)
	}
	if req.N <= 0 {
		req.N = 1
	}
	if req.N > maxN {
		return nil, fmt.Errorf("%w: --n %d: at most %d poems per request", ErrRequest, req.N, maxN)
	}
	j := &job{req: req, form: form, templates: tpls, beam: defaultBeam}
	switch req.Rhyme {
	case "", "pingshui", "平水韵":
		j.rhymeName = "pingshui"
	case "xinyun", "中华新韵":
		j.rhymeName = "xinyun"
	default:
		return nil, fmt.Errorf("%w: rhyme book %q: use pingshui (平水韵) or xinyun (中华新韵)", ErrRequest, req.Rhyme)
	}
	if j.book, err = prosody.LoadBook(j.rhymeName); err != nil {
		return nil, err
	}
	if j.rhymeName != "xinyun" {
		j.usage = e.usage
	}
	j.rhymeBook = j.book
	if tpls[0].Ci && j.rhymeName == "pingshui" {
		if j.rhymeBook, err = prosody.LoadBook("cilin"); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, k := range req.Keywords {
		kw, err := e.mapKeyword(k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		j.keywords = append(j.keywords, kw)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	lines := len(tpls[0].Lines)
	if len(j.keywords) > 2*lines {
		return nil, fmt.Errorf("%w: %d keywords for %d lines; give at most %d", ErrBadKeyword, len(j.keywords), lines, 2*lines)
	}
	return j, nil
}

// theme picks keywords when none were given.
func (e *Engine) theme(rng *rand.Rand) []Keyword {
	t := Themes[rng.Intn(len(Themes))]
	var out []Keyword
	for _, k := range t {
		if kw, err := e.mapKeyword(k); err == nil {
			out = append(out, kw)
		}
	}
	return out
}

// run decodes N diverse poems for a job.
func (e *Engine) run(j *job, draft []string) ([]*Poem, error) {
	var out []*Poem
	var lastErr error
	for attempt := 0; len(out) < j.req.N && attempt < 3*j.req.N+2; attempt++ {
		seed := j.req.Seed + int64(attempt)
		p, err := e.one(j, seed)
		if err != nil {
			if errors.Is(err, ErrAcrostic) || errors.Is(err, ErrLocked) || errors.Is(err, ErrForm) {
				return nil, err
			}
			lastErr = err
			continue
		}
		dup := false
		for _, q := range out {
			if similar(p.Lines, q.Lines, j.draft) {
				dup = true
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, lastErr
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Scores.Score > out[b].Scores.Score })
	return out, nil
}

// similar reports near-duplicates: more than 40 % of the written
// characters shared position by position, or any identical written line.
// Lines the draft fixes whole are not compared.
func similar(a, b []string, draft [][]rune) bool {
	same, total := 0, 0
	for i := range a {
		if i < len(draft) && !slices.Contains(draft[i], 0) {
			continue
		}
		if i < len(b) && a[i] == b[i] {
			return true
		}
		ra, rb := []rune(a[i]), []rune(b[min(i, len(b)-1)])
		for k := range ra {
			total++
			if k < len(rb) && ra[k] == rb[k] {
				same++
			}
		}
	}
	return total > 0 && float64(same)/float64(total) > 0.4
}

// one decodes one poem with one seed.
func (e *Engine) one(j *job, seed int64) (*Poem, error) {
	rng := rand.New(rand.NewSource(seed))
	keywords := j.keywords
	if len(keywords) == 0 && !j.hasLocks() {
		keywords = e.theme(rng)
	}
	s, err := e.prepare(j, rng, keywords)
	if err != nil {
		return nil, err
	}
	hyps, derr := e.decode(s)
	if derr != nil {
		return nil, fmt.Errorf("no line %d fits every rule with these constraints (tones, rhyme, no repeats, no copying); try another seed or fewer locks", derr.line+1)
	}
	// The best finished hypotheses are polished with their right context;
	// every one that passes the checker then competes as a whole poem: its
	// score per character plus how well its lines hold together.
	var best *Poem
	for i, h := range hyps {
		if i < polishTop {
			h = e.polish(s, h)
		}
		p, ok := e.finish(j, s, h, seed)
		if !ok {
			continue
		}
		if best == nil || p.Scores.Score > best.Scores.Score {
			best = p
		}
	}
	if best == nil {
		return nil, fmt.Errorf("poem: no candidate passed the checker (seed %d); please report this", seed)
	}
	return best, nil
}

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
						add(li, rel.R, 3*w*rel.Score)
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

// finish checks a decoded hypothesis and turns it into a Poem.
func (e *Engine) finish(j *job, s *spec, h *hyp, seed int64) (*Poem, bool) {
	keywords, plan := s.keywords, s.plan
	var lines []string
	off := 0
	for _, row := range s.tpl.Lines {
		lines = append(lines, string(h.runes[off:off+len(row)]))
		off += len(row)
	}
	var res prosody.Result
	var err error
	if j.couplet {
		res = prosody.CheckCouplet(j.book, lines[0], lines[1])
	} else {
		res, err = e.check(j.rhymeName, j.form, lines)
	}
	if err != nil || res.Verdict != prosody.VerdictOK {
		return nil, false
	}
	p := &Poem{Form: j.form, Variant: res.Variant, Lines: lines, Seed: seed, Check: res, Imagery: keywords}
	if p.Variant == "" {
		p.Variant = s.tpl.Variant
	}
	for _, k := range keywords {
		p.Keywords = append(p.Keywords, k.Text)
	}
	p.Plan = append([]PlanLine(nil), plan...)
	placed, asked := 0, 0
	for i := range p.Plan {
		if p.Plan[i].Image != "" {
			asked++
			if strings.Contains(lines[i], p.Plan[i].Image) {
				p.Plan[i].Placed = true
				placed++
			}
		}
	}
	n := float64(len(h.runes))
	p.Scores = Scores{LogProb: h.lp, Perplexity: math.Exp(-h.lp / n), Score: h.score / n, Imagery: 1}
	if e.Backward != nil {
		rev := Reversed([][]lm.Token{h.toks})[0]
		for m := 1; m < len(rev); m++ {
			p.Scores.Backward += float64(e.Backward.LogProb(rev[:m], rev[m]))
		}
		p.Scores.Score += backwardWeight * p.Scores.Backward / n
	}
	if e.Topic != nil && !j.couplet {
		rs := make([][]rune, len(lines))
		for i, l := range lines {
			rs[i] = []rune(l)
		}
		p.Scores.Coherence = e.Topic.Coherence(rs)
		p.Scores.Score += coherenceWeight * p.Scores.Coherence
	}
	if asked > 0 {
		p.Scores.Imagery = float64(placed) / float64(asked)
	}
	p.Title = e.title(j, keywords, lines)
	p.Originality = e.originality(lines)
	return p, true
}

func (e *Engine) title(j *job, keywords []Keyword, lines []string) string {
	switch {
	case j.couplet:
		return "对联"
	case j.acrostic:
		return "藏头·" + string(j.heads)
	case strings.HasPrefix(j.form, "词:"):
		t := strings.TrimPrefix(j.form, "词:")
		if len(keywords) > 0 {
			return t + "·" + keywords[0].Images[0]
		}
		return t
	case len(keywords) == 1:
		return "咏" + keywords[0].Images[0]
	case len(keywords) > 1:
		return keywords[0].Images[0] + "与" + keywords[1].Images[0]
	}
	return "无题"
}

func (e *Engine) originality(lines []string) Originality {
	o := Originality{Rule: "no line equal to a corpus line; no run of 4 (五言) or 5 (longer lines) characters shared with a corpus line", CopiedRuns: []string{}}
	if e.Guard == nil {
		o.Guard = "none loaded"
		return o
	}
	o.Guard = fmt.Sprintf("Bloom filter of %d runs and short lines of the corpus (false-positive rate %.1f%%)", e.Guard.Items(), 100*e.Guard.FalsePositive)
	for _, l := range lines {
		if c := e.Guard.Copied([]rune(l)); c != nil {
			o.CopiedRuns = append(o.CopiedRuns, string(c))
		}
	}
	return o
}

var _ = judge.MinRun

// ErrRequest marks other bad request settings (count, rhyme book).
var ErrRequest = errors.New("request")

// ErrDraft marks a draft that cannot be read.
var ErrDraft = errors.New("draft")
