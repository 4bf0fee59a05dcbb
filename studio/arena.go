package studio

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"miaobi/arena"
	"miaobi/corpus"
	"miaobi/engine"
	"miaobi/hanzi"
	"miaobi/judge"
	"miaobi/poem"
	"miaobi/store"
)

// RoundInput asks for a new arena round (administrators only).
type RoundInput struct {
	Name string `json:"name"`
	// Size is how many items each reader is dealt (default 20).
	Size int `json:"size,omitempty"`
	// PerForm is how many prompts of each form the pool holds (default 10).
	PerForm int `json:"per_form,omitempty"`
	// Forms are the forms to draw (default 五绝 七绝 五律 七律).
	Forms []string `json:"forms,omitempty"`
	// Sources: "human" (held-out corpus poems; the prompts are keywords
	// from their titles), "miaobi", "published" (the studio's published
	// works, each with its own keywords) and "engine:NAME" or
	// "engine:NAME/MODEL" for a configured engine. Default: human, miaobi
	// and published.
	Sources []string `json:"sources,omitempty"`
	Seed    int64    `json:"seed,omitempty"`
}

// Limits of a round.
const (
	MaxRoundSize    = 100
	MaxRoundPerForm = 500
	MaxRoundName    = 60
)

// ErrUnfinished: the reader must answer every item first (409).
var ErrUnfinished = fmt.Errorf("%w: answer every item of the round first", ErrConflict)

// checkRound fills defaults and checks a round request.
func (s *Studio) checkRound(in RoundInput) (RoundInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > MaxRoundName || strings.ContainsFunc(in.Name, unicode.IsControl) {
		return in, fmt.Errorf("%w: a round needs a name of 1 to %d characters", ErrInput, MaxRoundName)
	}
	if in.Size == 0 {
		in.Size = 20
	}
	if in.PerForm == 0 {
		in.PerForm = 10
	}
	if in.Size < 1 || in.Size > MaxRoundSize || in.PerForm < 1 || in.PerForm > MaxRoundPerForm {
		return in, fmt.Errorf("%w: size is 1 to %d items per reader and per_form 1 to %d prompts", ErrInput, MaxRoundSize, MaxRoundPerForm)
	}
	if len(in.Forms) == 0 {
		in.Forms = slices.Clone(regulated)
	}
	for _, f := range in.Forms {
		if !slices.Contains(regulated, f) {
			return in, fmt.Errorf("%w: form %q: the arena draws 五绝, 七绝, 五律 and 七律", ErrInput, f)
		}
	}
	if len(in.Sources) == 0 {
		in.Sources = []string{"human", "miaobi", "published"}
	}
	for _, src := range in.Sources {
		switch {
		case src == "human" || src == "miaobi" || src == "published":
		case strings.HasPrefix(src, "engine:"):
			name, _, _ := strings.Cut(strings.TrimPrefix(src, "engine:"), "/")
			if _, ok := s.Engines[name]; !ok {
				return in, fmt.Errorf("%w: source %q: no engine %q is configured (have: %s)", ErrInput, src, name, strings.Join(s.EngineNames(), ", "))
			}
		default:
			return in, fmt.Errorf("%w: source %q: use human, miaobi, published or engine:NAME[/MODEL]", ErrInput, src)
		}
	}
	slices.Sort(in.Sources)
	in.Sources = slices.Compact(in.Sources)
	if slices.Contains(in.Sources, "human") {
		if refs, note := s.Refs(); refs == nil {
			if strings.Contains(note, "loading") {
				return in, fmt.Errorf("%w: the corpus is still loading; start the round again in a few seconds", ErrInput)
			}
			return in, fmt.Errorf("%w: the arena's human poems are the corpus's held-out poems, and the corpus is not installed: run 'miaobi corpus fetch' and restart the studio, or leave out the human source", ErrInput)
		}
	}
	return in, nil
}

// StartRound stores a new round and queues the job that fills its pool.
func (s *Studio) StartRound(ctx context.Context, a Actor, in RoundInput) (*store.Round, *store.Job, error) {
	in, err := s.checkRound(in)
	if err != nil {
		return nil, nil, err
	}
	r := &store.Round{Name: in.Name, Size: in.Size, State: store.RoundBuilding, CreatedBy: a.UserID}
	if err := s.DB.CreateRound(ctx, r); err != nil {
		return nil, nil, err
	}
	j, err := s.submit(ctx, a, r.ID, "arena", in)
	if err != nil {
		return nil, nil, err
	}
	logErr("round job", s.DB.SetRound(ctx, r.ID, store.RoundBuilding, "", j.ID), "round", r.ID)
	r.Job = j.ID
	return r, j, nil
}

// prompt is one (form, keywords) the sources write on.
type prompt struct {
	form     string
	keywords []string
	human    *judge.RefPoem
	work     *Content // a published work's poem on these keywords
	workID   string
}

// RoundResult is what the round job made.
type RoundResult struct {
	Round   string   `json:"round"`
	Prompts int      `json:"prompts"`
	Poems   int      `json:"poems"`
	Failed  []string `json:"failed,omitempty"`
}

// runRound fills a round's pool: prompts, then each source's poem on each.
func (s *Studio) runRound(ctx context.Context, j *store.Job, in RoundInput) (*RoundResult, error) {
	res, err := s.fillRound(ctx, j, in)
	if err != nil {
		if ctx.Err() == nil {
			logErr("round failed", s.DB.SetRound(context.Background(), j.WorkID, store.RoundFailed, err.Error(), ""), "round", j.WorkID)
		}
		return nil, err
	}
	note := fmt.Sprintf("%d poems on %d prompts", res.Poems, res.Prompts)
	if len(res.Failed) > 0 {
		note += fmt.Sprintf("; %d could not be written (first: %s)", len(res.Failed), res.Failed[0])
	}
	if err := s.DB.SetRound(ctx, j.WorkID, store.RoundOpen, note, ""); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Studio) fillRound(ctx context.Context, j *store.Job, in RoundInput) (*RoundResult, error) {
	round := j.WorkID
	// The pool is stored in one transaction at the end: a job run again
	// after that (a crash before the round opened) keeps it.
	if r, err := s.DB.Round(ctx, round); err != nil {
		return nil, err
	} else if r.Poems > 0 {
		return &RoundResult{Round: round, Poems: r.Poems}, nil
	}
	rng := rand.New(rand.NewSource(in.Seed))
	prompts, err := s.roundPrompts(ctx, in, rng)
	if err != nil {
		return nil, err
	}
	if len(prompts) == 0 {
		return nil, fmt.Errorf("%w: no prompts: with no human source and no published works, there is nothing to write on", ErrInput)
	}
	var engines map[string]engine.Text
	defer func() {
		for _, t := range engines {
			t.Close()
		}
	}()
	res := &RoundResult{Round: round, Prompts: len(prompts)}
	var pool []arena.Poem
	miaobiVersion := s.poetVersion()
	for i, p := range prompts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		base := arena.Poem{Form: p.form, Prompt: strings.Join(p.keywords, "、")}
		add := func(src, version, origin string, lines []string) {
			q := base
			q.Source, q.Version, q.Origin, q.Lines = src, version, origin, lines
			pool = append(pool, q)
		}
		if p.human != nil {
			for i, l := range p.human.Lines {
				p.human.Lines[i] = hanzi.ToSimplified(l)
			}
			add("human", "chinese-poetry 2.0.1", fmt.Sprintf("%s %s《%s》 (%s)", p.human.Dynasty, p.human.Author, p.human.Title, p.human.ID), p.human.Lines)
		}
		if p.work != nil {
			add("published", "studio", "work "+p.workID, p.work.Lines)
		}
		seed := in.Seed + int64(i)
		req := poem.Request{Form: p.form, Keywords: p.keywords, Seed: seed, N: 1}
		for _, src := range in.Sources {
			switch {
			case src == "miaobi":
				ps, err := s.Poems.Generate(req)
				if err != nil || len(ps) == 0 {
					res.Failed = append(res.Failed, fmt.Sprintf("miaobi on %s %s: %v", p.form, base.Prompt, err))
					continue
				}
				add("miaobi", miaobiVersion, fmt.Sprintf("seed %d", seed), ps[0].Lines)
			case strings.HasPrefix(src, "engine:"):
				name, model, _ := strings.Cut(strings.TrimPrefix(src, "engine:"), "/")
				if engines == nil {
					engines = map[string]engine.Text{}
				}
				t := engines[name]
				if t == nil {
					if t, err = engine.Open(s.Engines[name]); err != nil {
						return nil, fmt.Errorf("%w: %v", ErrInput, err)
					}
					engines[name] = t
				}
				// Each source its own seed: an engine that is itself a
				// Miaobi would otherwise write Miaobi's poem again.
				h := fnv.New32a()
				h.Write([]byte(src))
				es := seed + int64(h.Sum32())
				er := req
				er.Seed = es
				g, err := s.Poems.FromPoet(ctx, engine.Poet{Name: name, Text: t, Model: model, Seed: &es}, er)
				if err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					res.Failed = append(res.Failed, fmt.Sprintf("%s on %s %s: %v", src, p.form, base.Prompt, err))
					continue
				}
				v := name
				if g.Source != nil && g.Source.Model != "" {
					v += "/" + g.Source.Model
				}
				add("engine:"+name, v, fmt.Sprintf("seed %d", es), g.Lines)
			}
		}
		s.progress(ctx, j, 0.02+0.93*float64(i+1)/float64(len(prompts)), fmt.Sprintf("wrote on %d of %d prompts", i+1, len(prompts)))
	}
	for i := range pool {
		pool[i].Lines = bareLines(pool[i].Lines)
	}
	if err := s.DB.AddPoems(ctx, round, pool); err != nil {
		return nil, err
	}
	res.Poems = len(pool)
	return res, nil
}

// roundPrompts draws the prompts: keywords from the titles of held-out
// corpus poems of each form (their poem is the human entry), and the
// published works' keywords with a held-out corpus poem of the form that
// shares them where one exists.
func (s *Studio) roundPrompts(ctx context.Context, in RoundInput, rng *rand.Rand) ([]prompt, error) {
	refs, _ := s.Refs()
	var out []prompt
	heldOut := func(id string) bool { return corpus.SplitOf(id) == corpus.Test }
	// A person's poem is shown only when the machine could have written
	// each of its characters: rare characters and the corpus's variant
	// forms (逺, 疎), which Miaobi never writes, would tell the source at a
	// glance and make the test one of vocabulary, not of poetry.
	writable := map[rune]bool{}
	for _, r := range s.Poems.Writable() {
		writable[r] = true
	}
	fair := func(lines []string) bool {
		for _, l := range lines {
			for _, r := range hanzi.ToSimplified(l) {
				if !writable[r] {
					return false
				}
			}
		}
		return allHan(lines)
	}
	if refs != nil && slices.Contains(in.Sources, "human") {
		forms := map[string][]judge.RefPoem{}
		for _, p := range refs.Select(func(id, form string) bool { return heldOut(id) && slices.Contains(in.Forms, form) }) {
			forms[p.Form] = append(forms[p.Form], p)
		}
		for _, f := range in.Forms {
			ps := forms[f]
			rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			seen := map[string]bool{}
			n := 0
			for i := range ps {
				if n == in.PerForm {
					break
				}
				kw := s.Poems.TitleKeywords(ps[i].Title)
				key := strings.Join(kw, "、")
				if len(kw) < 2 || seen[key] || !shapeFits(f, ps[i].Lines) || !fair(ps[i].Lines) {
					continue
				}
				seen[key] = true
				out = append(out, prompt{form: f, keywords: kw, human: &ps[i]})
				n++
			}
		}
	} else if !slices.Contains(in.Sources, "human") {
		// No people in this round: the panel's keyword sets.
		for _, f := range in.Forms {
			for i := 0; i < min(in.PerForm, len(poem.PanelSets)); i++ {
				out = append(out, prompt{form: f, keywords: poem.PanelSets[i]})
			}
		}
	}
	if slices.Contains(in.Sources, "published") {
		works, err := s.DB.PublishedWorks(ctx, 4*in.PerForm*len(in.Forms))
		if err != nil {
			return nil, err
		}
		for _, v := range works {
			var c Content
			if json.Unmarshal(v.Content, &c) != nil || !slices.Contains(in.Forms, c.Brief.Form) || !shapeFits(c.Brief.Form, c.Lines) || len(c.Brief.Keywords) == 0 {
				continue
			}
			p := prompt{form: c.Brief.Form, keywords: c.Brief.Keywords, work: &c, workID: v.WorkID}
			if refs != nil && slices.Contains(in.Sources, "human") {
				for _, rp := range refs.ForKeywords(c.Brief.Keywords, judge.MaxRefs) {
					if rp.Form == p.form && heldOut(rp.ID) && shapeFits(p.form, rp.Lines) && fair(rp.Lines) {
						p.human = &rp
						break
					}
				}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// allHan reports whether every line is Han characters only (no gaps 「□」
// or variant marks a reader would take as a sign of the source).
func allHan(lines []string) bool {
	for _, l := range lines {
		for _, r := range l {
			if !unicode.Is(unicode.Han, r) {
				return false
			}
		}
	}
	return len(lines) > 0
}

// bareLines keeps only the Han characters of each line: every poem is
// shown the same way whatever its source wrote around it.
func bareLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Han, r) {
				return r
			}
			return -1
		}, l))
	}
	return out
}

// poetVersion names Miaobi's poet precisely enough that a retrained model
// or a new build shows as a new version: the model, a hash of its
// manifest (which records its training), and the binary's commit when the
// build recorded one.
func (s *Studio) poetVersion() string {
	v := s.model()
	if m := s.Poems.Manifest; m != nil {
		b, _ := json.Marshal(m)
		h := sha256.Sum256(b)
		v += fmt.Sprintf(" #%x", h[:4])
	}
	return v + buildRevision()
}

var buildRevision = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			dirty = kv.Value == "true"
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev == "" {
		return ""
	}
	if dirty {
		rev += "+"
	}
	return " @" + rev
})

// ArenaPoemView is a poem as a reader sees it: its slot and lines only.
type ArenaPoemView struct {
	Slot  string   `json:"slot"`
	Lines []string `json:"lines"`
}

// ArenaItem is one item to answer: the prompt and form its poems were
// written to (the same for both poems of a pair), and their lines.
type ArenaItem struct {
	ID     string          `json:"id"`
	Pos    int             `json:"pos"`
	Kind   string          `json:"kind"` // pair or single
	Form   string          `json:"form"`
	Prompt string          `json:"prompt"`
	Poems  []ArenaPoemView `json:"poems"`
}

// Sitting is where a reader stands in a round.
type Sitting struct {
	Round    string     `json:"round"`
	Name     string     `json:"name"`
	State    string     `json:"state"`
	Total    int        `json:"total"`
	Answered int        `json:"answered"`
	Item     *ArenaItem `json:"item,omitempty"` // the next to answer
	Done     bool       `json:"done"`
}

// round returns a round, or ErrNotFound.
func (s *Studio) round(ctx context.Context, id string) (*store.Round, error) {
	if store.ValidName(id) != nil {
		return nil, fmt.Errorf("round %q: %w", id, ErrNotFound)
	}
	r, err := s.DB.Round(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("round %q: %w", id, ErrNotFound)
	}
	return r, err
}

// roundDeals returns a round and the items dealt to the reader in it.
func (s *Studio) roundDeals(ctx context.Context, a Actor, roundID string) (*store.Round, []*store.DealRow, error) {
	r, err := s.round(ctx, roundID)
	if err != nil {
		return nil, nil, err
	}
	deals, err := s.DB.Deals(ctx, r.ID, a.UserID)
	return r, deals, err
}

// dealPoems returns an item's poem or poems, A first.
func (s *Studio) dealPoems(ctx context.Context, d *store.DealRow) ([]arena.Poem, error) {
	if d.B == "" {
		return s.DB.ArenaPoems(ctx, d.A)
	}
	return s.DB.ArenaPoems(ctx, d.A, d.B)
}

// Play deals the reader their items in a round on their first visit and
// returns the next one to answer.
func (s *Studio) Play(ctx context.Context, a Actor, roundID string) (*Sitting, error) {
	r, deals, err := s.roundDeals(ctx, a, roundID)
	if err != nil {
		return nil, err
	}
	if len(deals) == 0 {
		if r.State != store.RoundOpen {
			return nil, fmt.Errorf("%w: round %q is %s, not open", ErrInput, r.Name, r.State)
		}
		if deals, err = s.deal(ctx, r, a); err != nil {
			return nil, err
		}
	}
	st := &Sitting{Round: r.ID, Name: r.Name, State: r.State, Total: len(deals)}
	for _, d := range deals {
		if d.Answered > 0 {
			st.Answered++
			continue
		}
		if st.Item == nil {
			if st.Item, err = s.item(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	st.Done = st.Item == nil
	return st, nil
}

// deal chooses and stores a reader's items; a reader dealt meanwhile (a
// second tab) gets that deal.
func (s *Studio) deal(ctx context.Context, r *store.Round, a Actor) ([]*store.DealRow, error) {
	pool, err := s.dealPool(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	seen, err := s.DB.Seen(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(r.ID + "\x00" + a.UserID))
	deals := arena.DealFor(pool, seen, r.Size, rand.New(rand.NewSource(int64(h.Sum64()))))
	if len(deals) == 0 {
		return nil, fmt.Errorf("%w: you have seen every poem of round %q already; wait for a new round", ErrInput, r.Name)
	}
	keys := make(map[string]string, len(pool))
	for _, p := range pool {
		keys[p.ID] = p.Key
	}
	if err := s.DB.Deal(ctx, r.ID, a.UserID, deals, keys); err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, err
	}
	ds, err := s.DB.Deals(ctx, r.ID, a.UserID)
	if err == nil && len(ds) == 0 {
		err = fmt.Errorf("%w: another deal took these poems; try again", ErrConflict)
	}
	return ds, err
}

// pools caches the dealer's view of open rounds' pools, which never change
// once a round is open: a 10,000-poem pool takes 35–90 ms to read from
// SQLite and about 1.5 MB to keep.
type poolCache struct {
	sync.Mutex
	m map[string][]arena.Poem
}

const maxCachedPools = 8

func (s *Studio) dealPool(ctx context.Context, round string) ([]arena.Poem, error) {
	c := &s.pools
	c.Lock()
	p, ok := c.m[round]
	c.Unlock()
	if ok {
		return p, nil
	}
	p, err := s.DB.DealPool(ctx, round)
	if err != nil {
		return nil, err
	}
	c.Lock()
	if c.m == nil || len(c.m) >= maxCachedPools {
		c.m = map[string][]arena.Poem{}
	}
	c.m[round] = p
	c.Unlock()
	return p, nil
}

// item shows a dealt item: lines only.
func (s *Studio) item(ctx context.Context, d *store.DealRow) (*ArenaItem, error) {
	ps, err := s.dealPoems(ctx, d)
	if err != nil {
		return nil, err
	}
	it := &ArenaItem{ID: d.ID, Pos: d.Pos, Kind: "single", Form: ps[0].Form, Prompt: ps[0].Prompt}
	if len(ps) == 2 {
		it.Kind = "pair"
	}
	for i, p := range ps {
		it.Poems = append(it.Poems, ArenaPoemView{Slot: string(rune('A' + i)), Lines: p.Lines})
	}
	return it, nil
}

// AnswerInput is a reader's answer to one item: per poem (A, then B)
// whether a person wrote it and a score 1–10, and for a pair the better.
type AnswerInput struct {
	Human  []bool `json:"human"`
	Scores []int  `json:"scores"`
	Better string `json:"better,omitempty"` // "A" or "B"
}

// Answer records a reader's answer, once, and returns where they stand.
func (s *Studio) Answer(ctx context.Context, a Actor, dealID string, in AnswerInput) (*Sitting, error) {
	if store.ValidName(dealID) != nil {
		return nil, fmt.Errorf("item %q: %w", dealID, ErrNotFound)
	}
	d, err := s.DB.DealByID(ctx, dealID, a.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("item %q: %w", dealID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	n := 1
	if d.B != "" {
		n = 2
	}
	if len(in.Human) != n || len(in.Scores) != n {
		return nil, fmt.Errorf("%w: this item has %d poem(s): give human and scores for each, in order A, B", ErrInput, n)
	}
	for _, sc := range in.Scores {
		if sc < 1 || sc > 10 {
			return nil, fmt.Errorf("%w: a score is a whole number from 1 to 10", ErrInput)
		}
	}
	reply := store.ArenaReply{HumanA: in.Human[0], ScoreA: in.Scores[0], Better: -1}
	switch {
	case n == 2 && (in.Better == "A" || in.Better == "B"):
		reply.HumanB, reply.ScoreB = in.Human[1], in.Scores[1]
		reply.Better = int(in.Better[0] - 'A')
	case n == 2:
		return nil, fmt.Errorf("%w: say which poem is better: better is \"A\" or \"B\"", ErrInput)
	case in.Better != "":
		return nil, fmt.Errorf("%w: a single poem has no better; leave it out", ErrInput)
	}
	if err := s.DB.Answer(ctx, d.ID, a.UserID, reply); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("%w: this item is answered already; an answer cannot be changed", ErrConflict)
		}
		return nil, err
	}
	return s.Play(ctx, a, d.Round)
}

// RevealPoem is a poem with its source, shown once the round is done.
type RevealPoem struct {
	Slot    string   `json:"slot"`
	Lines   []string `json:"lines"`
	Source  string   `json:"source"`
	Version string   `json:"version"`
	Origin  string   `json:"origin"`
	Form    string   `json:"form"`
	Prompt  string   `json:"prompt"`
	Human   bool     `json:"human"` // the reader's guess
	Score   int      `json:"score"`
	Right   bool     `json:"right"` // the guess was right
}

// RevealItem is one answered item with the truth.
type RevealItem struct {
	Pos    int          `json:"pos"`
	Poems  []RevealPoem `json:"poems"`
	Better string       `json:"better,omitempty"`
}

// Reveal shows a reader their answers with the sources, once they have
// answered every item of the round; before, ErrUnfinished.
func (s *Studio) Reveal(ctx context.Context, a Actor, roundID string) ([]RevealItem, error) {
	r, deals, err := s.roundDeals(ctx, a, roundID)
	if err != nil {
		return nil, err
	}
	if len(deals) == 0 {
		return nil, fmt.Errorf("%w: you have not played round %q", ErrUnfinished, r.Name)
	}
	for _, d := range deals {
		if d.Answered == 0 {
			return nil, ErrUnfinished
		}
	}
	var out []RevealItem
	for _, d := range deals {
		ps, err := s.dealPoems(ctx, d)
		if err != nil {
			return nil, err
		}
		it := RevealItem{Pos: d.Pos}
		guess := []bool{d.HumanA, d.HumanB}
		score := []int{d.ScoreA, d.ScoreB}
		for i, p := range ps {
			it.Poems = append(it.Poems, RevealPoem{Slot: string(rune('A' + i)), Lines: p.Lines, Source: p.Source, Version: p.Version, Origin: p.Origin,
				Form: p.Form, Prompt: p.Prompt, Human: guess[i], Score: score[i], Right: guess[i] == (p.Source == "human")})
		}
		if d.Better >= 0 {
			it.Better = string(rune('A' + d.Better))
		}
		out = append(out, it)
	}
	return out, nil
}

// Rounds lists the rounds.
func (s *Studio) Rounds(ctx context.Context) ([]*store.Round, error) { return s.DB.Rounds(ctx) }

// Round returns one round.
func (s *Studio) Round(ctx context.Context, id string) (*store.Round, error) {
	return s.round(ctx, id)
}

// ArenaResults summarises the answers of one round, or of every round
// when roundID is empty.
func (s *Studio) ArenaResults(ctx context.Context, roundID string) (*arena.Results, error) {
	if roundID != "" {
		if _, err := s.round(ctx, roundID); err != nil {
			return nil, err
		}
	}
	answers, err := s.DB.Figures(ctx, roundID)
	if err != nil {
		return nil, err
	}
	return arena.Summarise(answers)
}

// ArenaAnswers returns a round's answers in full, for its export.
func (s *Studio) ArenaAnswers(ctx context.Context, roundID string) ([]arena.Answer, error) {
	r, err := s.round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	return s.DB.Answers(ctx, r.ID)
}

// SetRoundOpen closes a round to new readers, or opens it again
// (administrators only). Readers already dealt in a closed round may still
// finish it. Only an open or closed round can change.
func (s *Studio) SetRoundOpen(ctx context.Context, roundID string, open bool) (*store.Round, error) {
	r, err := s.round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if r.State != store.RoundOpen && r.State != store.RoundClosed {
		return nil, fmt.Errorf("%w: round %q is %s; only an open or closed round can be opened or closed", ErrConflict, r.Name, r.State)
	}
	state := store.RoundClosed
	if open {
		state = store.RoundOpen
	}
	if err := s.DB.SetRound(ctx, r.ID, state, r.Note, ""); err != nil {
		return nil, err
	}
	return s.round(ctx, r.ID)
}

// ResetRound deletes a round's answers and deals (administrators only).
func (s *Studio) ResetRound(ctx context.Context, roundID string) (int, error) {
	r, err := s.round(ctx, roundID)
	if err != nil {
		return 0, err
	}
	return s.DB.ResetRound(ctx, r.ID)
}
