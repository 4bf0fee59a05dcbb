package poem

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sync"

	"miaobi/hanzi"
	"miaobi/judge"
	"miaobi/lm"
	"miaobi/prosody"
)

// Artefact file names inside a model directory (models/poem).
const (
	ModelFile    = "kn4.lm.gz"
	GuardFile    = "guard.bloom"
	ImageryFile  = "imagery.txt.gz"
	ManifestFile = "manifest.json"
	FrameFile    = "frame.txt.gz"
	TopicFile    = "topic.bin.gz"
	BackwardFile = "kn4.bwd.lm.gz"
	// NNFile is the neural model a comparison run writes; it is not shipped.
	NNFile = "nplm.bin.gz"
)

// ErrNoModel means the model directory lacks the trained artefacts.
var ErrNoModel = errors.New("the poem model is not trained: run 'miaobi train poem' (needs the corpus: 'miaobi corpus fetch')")

// Engine writes poems with one trained model. It is safe for concurrent use.
type Engine struct {
	Model   lm.Model
	Guard   *judge.Guard
	Imagery *Imagery
	Lexicon *Lexicon
	// Frame keeps poems whole: season, line roles, words kept inside a
	// rhythmic unit. Nil (a model directory without frame.txt.gz) leaves
	// those steers off.
	Frame *Frame
	// Topic measures whether lines speak of the same things (nil: off).
	Topic *lm.Topic
	// Backward is the right-to-left model (nil: off): it scores how a
	// line leads into its last character, and whole poems for ranking.
	Backward lm.Model
	// Habits are the generator's own stock runs, charged for when written
	// (nil: off; see Habits). HabitsFrom sets it while it works: do not
	// call that on an engine in use.
	Habits   *Habits
	Manifest *Manifest

	vocab *lm.Vocab
	// minLogP is the unigram floor for characters the decoder may choose:
	// rarer characters are read but never written.
	minLogP float32
	tables  sync.Map // book name → *toneTable
	usage   *prosody.Usage
	// decides indexes, by its first character (simplified), every word
	// that decides the reading of one of its characters.
	decides map[rune][]decision
	// The frame's per-token steers, made once (see frameVectors).
	frameOnce          sync.Once
	seasonVec, roleVec [4][]float32
	checker            sync.Map // book name → *prosody.Checker (guarded by checkMu)
	uni                []float32
	// prior[0][t] and prior[1][t] are ln P(平|t) and ln P(仄|t) as the
	// corpus annotations use t; they steer 多音字 towards their usual reading.
	prior [2][]float32
	// rhymeEnd counts how often t closes a rhyming line in the corpus;
	// rhymePrior turns it into a bonus for rhyme slots (common rhyme words
	// read naturally) plus the 平 prior.
	rhymeEnd   []uint32
	rhymePrior []float32
	// writable marks characters the decoder may write: common (about the
	// 3,500 most frequent) and in simplified form.
	writable []bool
}

// Load reads the artefacts from dir (an fs.FS such as os.DirFS or the
// embedded models).
func Load(dir fs.FS) (*Engine, error) { return LoadModel(dir, "kn") }

// LoadModel is Load with a choice of language model: "kn" (the shipped
// n-gram model) or "nn" (the neural model of a comparison run).
func LoadModel(dir fs.FS, kind string) (*Engine, error) {
	if kind != "kn" && kind != "nn" {
		return nil, fmt.Errorf("poem: model %q: use kn or nn", kind)
	}
	raw, err := fs.ReadFile(dir, ModelFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoModel
	}
	if err != nil {
		return nil, fmt.Errorf("poem: %w", err)
	}
	var model lm.Model
	if model, err = ReadKN(raw, ModelFile); err != nil {
		return nil, err
	}
	if kind == "nn" {
		raw, err := fs.ReadFile(dir, NNFile)
		if err != nil {
			return nil, fmt.Errorf("poem: no neural model (%w): train one with 'miaobi train poem --nn --out DIR'", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("poem: %s: %w", NNFile, err)
		}
		if model, err = lm.ReadNPLM(zr); err != nil {
			return nil, fmt.Errorf("poem: %s: %w", NNFile, err)
		}
	}
	g, err := fs.ReadFile(dir, GuardFile)
	if err != nil {
		return nil, fmt.Errorf("poem: %w (%w)", ErrNoModel, err)
	}
	guard, err := judge.ParseGuard(g)
	if err != nil {
		return nil, fmt.Errorf("poem: %s: %w", GuardFile, err)
	}
	imf, err := dir.Open(ImageryFile)
	if err != nil {
		return nil, fmt.Errorf("poem: %w (%w)", ErrNoModel, err)
	}
	defer imf.Close()
	im, err := ReadImagery(imf)
	if err != nil {
		return nil, err
	}
	var frame *Frame
	if ff, err := dir.Open(FrameFile); err == nil {
		frame, err = ReadFrame(ff)
		ff.Close()
		if err != nil {
			return nil, err
		}
	}
	var backward lm.Model
	if raw, err := fs.ReadFile(dir, BackwardFile); err == nil {
		if backward, err = ReadKN(raw, BackwardFile); err != nil {
			return nil, err
		}
	}
	var topic *lm.Topic
	if tf, err := dir.Open(TopicFile); err == nil {
		topic, err = lm.ReadTopic(tf)
		tf.Close()
		if err != nil {
			return nil, err
		}
	}
	var habits *Habits
	if hf, err := dir.Open(HabitsFile); err == nil {
		habits, err = ReadHabits(hf)
		hf.Close()
		if err != nil {
			return nil, fmt.Errorf("poem: %w", err)
		}
	}
	var man Manifest
	if b, err := fs.ReadFile(dir, ManifestFile); err == nil {
		if err := json.Unmarshal(b, &man); err != nil {
			return nil, fmt.Errorf("poem: %s: %w", ManifestFile, err)
		}
	}
	e, err := NewEngine(model, guard, im, &man)
	if err != nil {
		return nil, err
	}
	e.Frame, e.Topic, e.Backward, e.Habits = frame, topic, backward, habits
	return e, nil
}

// ReadKN reads a gzip-compressed Kneser–Ney model; name is its file's,
// for errors.
func ReadKN(raw []byte, name string) (*lm.KN, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("poem: %s: %w", name, err)
	}
	m, err := lm.ReadKN(zr)
	if err != nil {
		return nil, fmt.Errorf("poem: %s: %w", name, err)
	}
	return m, nil
}

// NewEngine assembles an engine from its parts.
func NewEngine(model lm.Model, guard *judge.Guard, im *Imagery, man *Manifest) (*Engine, error) {
	lex, err := DefaultLexicon()
	if err != nil {
		return nil, err
	}
	usage, err := prosody.DefaultUsage()
	if err != nil {
		return nil, err
	}
	e := &Engine{Model: model, Guard: guard, Imagery: im, Lexicon: lex, Manifest: man, vocab: model.Vocab(), minLogP: -12.5, usage: usage, decides: map[rune][]decision{}}
	for _, d := range usage.Decisions() {
		w := []rune(hanzi.ToSimplified(string(d.Word[:])))
		if len(w) != 2 {
			continue
		}
		e.decides[w[0]] = append(e.decides[w[0]], decision{second: w[1], pos: d.Pos, tone: d.Tone})
	}
	e.uni = make([]float32, e.vocab.Size())
	model.Next([]lm.Token{lm.BOS, lm.Break}, e.uni) // a line's opening: a neutral frequency
	// The floor: about the 3,500th most frequent character: fewer odd characters in poems.
	e.minLogP = percentileFloor(e.uni, e.vocab, 3500)
	n := e.vocab.Size()
	e.prior = [2][]float32{make([]float32, n), make([]float32, n)}
	e.rhymeEnd = make([]uint32, n)
	e.writable = make([]bool, n)
	for t := 0; t < n; t++ {
		r := e.vocab.Rune(lm.Token(t))
		if r == 0 {
			continue
		}
		// Only the basic CJK block: extension characters are rare forms
		// many fonts lack.
		e.writable[t] = e.uni[t] >= e.minLogP && r >= 0x4e00 && r <= 0x9fff && hanzi.ToSimplified(string(r)) == string(r)
		u := im.Usage[r]
		p := (float64(u.Ping) + 1) / (float64(u.Ping+u.Ze) + 2)
		e.prior[0][t], e.prior[1][t] = float32(math.Log(p)), float32(math.Log(1-p))
		e.rhymeEnd[t] = u.RhymeEnd
	}
	e.rhymePrior = make([]float32, n)
	for t := range e.rhymePrior {
		e.rhymePrior[t] = e.prior[0][t] + 0.4*float32(math.Log1p(float64(e.rhymeEnd[t])))
	}
	return e, nil
}

func percentileFloor(uni []float32, v *lm.Vocab, keep int) float32 {
	var xs []float64
	for t := range uni {
		if v.IsChar(lm.Token(t)) {
			xs = append(xs, float64(uni[t]))
		}
	}
	if len(xs) <= keep {
		return float32(math.Inf(-1))
	}
	// partial sort via counting threshold by bisection
	lo, hi := -40.0, 0.0
	for i := 0; i < 50; i++ {
		mid := (lo + hi) / 2
		n := 0
		for _, x := range xs {
			if x >= mid {
				n++
			}
		}
		if n > keep {
			lo = mid
		} else {
			hi = mid
		}
	}
	return float32(hi)
}

// decision is a word (first character, second) that decides the reading
// of its character at pos.
type decision struct {
	second rune
	pos    int
	tone   prosody.Tone
}

// clashes reports whether the word, its characters standing in slots of
// tones first and second, reads a character against its slot.
func (d decision) clashes(first, second prosody.Tone) bool {
	want := first
	if d.pos == 1 {
		want = second
	}
	return (want == prosody.Ping || want == prosody.Ze) && want != d.tone
}

// wordClash reports whether writing b after a, in slots of tones ta and
// tb, makes a word that reads a or b against its slot.
func (e *Engine) wordClash(a rune, ta prosody.Tone, b rune, tb prosody.Tone) bool {
	for _, d := range e.decides[a] {
		if d.second == b && d.clashes(ta, tb) {
			return true
		}
	}
	return false
}

// toneTable lists, for one rhyme book, the tokens the decoder may write in a
// 平 slot, a 仄 slot, or anywhere.
type toneTable struct {
	book           *prosody.Book
	ping, ze, any  []lm.Token
	canPing, canZe []bool
}

// Writable returns the characters the engine may write, in vocabulary
// order: fonts that inscribe its poems must cover them.
func (e *Engine) Writable() []rune {
	var rs []rune
	for t, ok := range e.writable {
		if ok {
			rs = append(rs, e.vocab.Rune(lm.Token(t)))
		}
	}
	return rs
}

func (e *Engine) tonesFor(book *prosody.Book) *toneTable {
	if t, ok := e.tables.Load(book.Name); ok {
		return t.(*toneTable)
	}
	n := e.vocab.Size()
	t := &toneTable{book: book, canPing: make([]bool, n), canZe: make([]bool, n)}
	for i := 0; i < n; i++ {
		tok := lm.Token(i)
		r := e.vocab.Rune(tok)
		if r == 0 {
			continue
		}
		p, z := book.CharTones(r)
		// A 多音字 is written only in a tone poets commonly give it, so
		// that the poem reads as 合律 without a gloss: a reading rare by
		// prosody.Usage (metre and annotations) is never relied on, and
		// the corpus annotations must give the tone at least one time in
		// ten. 中华新韵 reads modern tones, which neither describes.
		if p && z && book.Name != "xinyun" {
			if e.usage != nil {
				p, z = e.usage.Common(r, prosody.Ping), e.usage.Common(r, prosody.Ze)
			}
			if u := e.Imagery.Usage[r]; u.Ping+u.Ze >= 20 {
				share := float64(u.Ping) / float64(u.Ping+u.Ze)
				p, z = p && share >= 0.1, z && share <= 0.9
			}
		}
		t.canPing[i], t.canZe[i] = p, z
		if !e.writable[i] || (!p && !z) {
			continue
		}
		t.any = append(t.any, tok)
		if p {
			t.ping = append(t.ping, tok)
		}
		if z {
			t.ze = append(t.ze, tok)
		}
	}
	v, _ := e.tables.LoadOrStore(book.Name, t)
	return v.(*toneTable)
}

// rhymesIn reports whether the corpus rhymes r in 平水韵 group g: always
// for a character with one level-tone group; for one with several, when at
// least a fifth of its counted rhymes fall in g.
func (e *Engine) rhymesIn(r rune, g int) bool {
	m := e.Imagery.RhymeGroups[r]
	if len(m) == 0 {
		return true
	}
	var total uint32
	for _, n := range m {
		total += n
	}
	return m[g]*5 >= total && m[g] > 0
}

// fits reports whether a token can take the slot's tone.
func (t *toneTable) fits(tok lm.Token, want prosody.Tone) bool {
	if tok < 0 || int(tok) >= len(t.canPing) {
		return false
	}
	switch want {
	case prosody.Ping:
		return t.canPing[tok]
	case prosody.Ze:
		return t.canZe[tok]
	}
	return t.canPing[tok] || t.canZe[tok]
}

func (t *toneTable) list(want prosody.Tone) []lm.Token {
	switch want {
	case prosody.Ping:
		return t.ping
	case prosody.Ze:
		return t.ze
	}
	return t.any
}

// check runs the prosody checker (its books are shared; Check is read-only).
func (e *Engine) check(rhyme, form string, lines []string) (prosody.Result, error) {
	key := rhyme + "|" + form
	c, ok := e.checker.Load(key)
	if !ok {
		ch, err := prosody.NewChecker(rhyme, form)
		if err != nil {
			return prosody.Result{}, err
		}
		c, _ = e.checker.LoadOrStore(key, ch)
	}
	return c.(*prosody.Checker).Check(&prosody.Poem{Index: 1, Lines: lines}), nil
}
