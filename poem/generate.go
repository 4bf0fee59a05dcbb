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
	defaultBeam = 20
	// defaultNoise is the Gumbel scale. 0.2 before 2026-12-06: a beam that
	// close to the model's mode kept arriving at the same lines for
	// different keywords (of 400 poems on random keywords, 112 shared a
	// whole line with another); at 0.5, 12 do, and a paired dev panel
	// scored the two alike (−0.01 ± 0.10); at 1.0 it fell by 0.43.
	defaultNoise = 0.5
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
	// redone maps the lines a person asked to rewrite (0-based) to what
	// they held: a rewrite must differ.
	redone map[int]string
}

func (e *Engine) newJob(req Request) (*job, error) {
	if req.Form == "" {
		req.Form = "七绝"
	}
	form, err := prosody.NormalizeForm(req.Form)
	if errors.Is(err, prosody.ErrUnknownForm) {
		// The checker's list names 排律, which are checked, not written.
		return nil, fmt.Errorf("%w: unknown form %q: choose 五绝, 七绝, 五律, 七律 or 词:TUNE (see 'miaobi check --list-tunes')", ErrForm, req.Form)
	}
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
		if !ok || j.unchanged(p.Lines) {
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

// unchanged reports whether a line the person asked to rewrite came back
// as it was.
func (j *job) unchanged(lines []string) bool {
	for i, was := range j.redone {
		if i < len(lines) && lines[i] == was {
			return true
		}
	}
	return false
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
