package lm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// NPLM is a feed-forward neural probabilistic language model (Bengio et al.
// 2003, "A Neural Probabilistic Language Model") with a class-factored
// output layer (Mikolov et al. 2011, "Extensions of Recurrent Neural Network
// Language Model").
//
// The previous Context tokens (padded with BOS at the start of a poem) are
// looked up in a shared embedding table and concatenated into x; the hidden
// layer is h = tanh(W·x + b). Every predictable token belongs to one class,
// and
//
//	P(w | context) = P(class(w) | h) · P(w | class(w), h),
//
// both factors softmax layers over h, so scoring one token costs the number
// of classes plus the size of its class instead of the whole vocabulary.
// Classes are bins of equal unigram probability mass (frequent tokens sit in
// small classes). BOS is never predicted: its probability is zero.
//
// An NPLM is safe for concurrent use once trained or read.
type NPLM struct {
	vocab  *Vocab
	ctx    int // K: tokens of context
	dim    int // d: embedding size
	hid    int // H: hidden units
	nclass int // C: output classes

	class []int32 // per token: its class, -1 for BOS
	row   []int32 // per token: its output row, -1 for BOS
	tokOf []Token // per output row: its token
	start []int32 // class c owns output rows start[c]..start[c+1]-1

	emb []float32 // V×d, token-major
	w   []float32 // H×(K·d), one row per hidden unit
	b   []float32 // H
	cw  []float32 // C×H class weights
	cb  []float32 // C
	ow  []float32 // (V-1)×H word weights, in output-row order
	ob  []float32 // V-1

	pool sync.Pool // *nplmBuf
}

// NPLMConfig sets the shape and training of an NPLM. Zero fields take the
// defaults of WithDefaults.
type NPLMConfig struct {
	// Context is the number K of previous tokens the model sees (default
	// 8, at most 16): eight reach back to the same place in the previous
	// line of a seven-character poem, and to the last line break.
	Context int
	Embed   int // embedding size d (default 32, at most 1024)
	Hidden  int // hidden units H (default 96, at most 4096)
	// Classes is the number of output classes asked for (default: the
	// square root of the vocabulary size). Tokens heavier than one class's
	// share of the probability mass get a class of their own, so the model
	// may end up with fewer.
	Classes int
	Epochs  int // passes over the training text (default 1)
	// LearningRate is the SGD step size at the start; it decays linearly
	// towards zero over the whole training run (default 0.02). On the
	// verse corpus, rates above about 0.04 saturate the hidden layer and
	// training diverges.
	LearningRate float64
	Seed         int64 // seeds initialisation and the order of poems
	// MaxTokens caps the predicted tokens of each epoch (0: all); each epoch
	// then takes whole poems from a fresh shuffle until the cap is reached.
	MaxTokens int
	// Workers is the number of goroutines training at once (default
	// runtime.NumCPU()). They update the shared weights without locks
	// (Hogwild!, Recht et al. 2011), so training is reproducible bit for bit
	// from Seed only with Workers == 1.
	Workers int
}

// Limits on the model's shape, enforced when training and reading.
const (
	nplmMaxContext = 16
	nplmMaxEmbed   = 1024
	nplmMaxHidden  = 4096
)

// WithDefaults returns c with every zero field set to its default; Classes
// stays zero, which TrainNPLM reads as the square root of the vocabulary.
func (c NPLMConfig) WithDefaults() NPLMConfig {
	if c.Context == 0 {
		c.Context = 8
	}
	if c.Embed == 0 {
		c.Embed = 32
	}
	if c.Hidden == 0 {
		c.Hidden = 96
	}
	if c.Epochs == 0 {
		c.Epochs = 1
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.02
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	return c
}

func (c NPLMConfig) check() error {
	switch {
	case c.Context < 1 || c.Context > nplmMaxContext:
		return fmt.Errorf("context of %d tokens: use 1..%d", c.Context, nplmMaxContext)
	case c.Embed < 1 || c.Embed > nplmMaxEmbed:
		return fmt.Errorf("embedding size %d: use 1..%d", c.Embed, nplmMaxEmbed)
	case c.Hidden < 1 || c.Hidden > nplmMaxHidden:
		return fmt.Errorf("hidden size %d: use 1..%d", c.Hidden, nplmMaxHidden)
	case c.Classes < 0:
		return fmt.Errorf("%d classes", c.Classes)
	case c.Epochs < 1:
		return fmt.Errorf("%d epochs", c.Epochs)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("learning rate %g", c.LearningRate)
	case c.MaxTokens < 0:
		return fmt.Errorf("token cap %d", c.MaxTokens)
	case c.Workers < 1:
		return fmt.Errorf("%d workers", c.Workers)
	}
	return nil
}

// TrainNPLM trains a model on seqs (token sequences from v.Encode) by
// stochastic gradient descent on the cross-entropy of every token after the
// first of each sequence (BOS excepted as a target), one token at a time.
// The output biases start at the training text's unigram log-probabilities,
// so the untrained model is a unigram model.
//
// progress, if not nil, is called from TrainNPLM's goroutine every few
// hundred thousand tokens and at the end of each epoch (counted from 1),
// with the tokens trained so far in the epoch and their mean loss in nats.
func TrainNPLM(v *Vocab, seqs [][]Token, cfg NPLMConfig, progress func(epoch int, tokensDone int, avgLoss float64)) (*NPLM, error) {
	if v == nil {
		return nil, errors.New("lm: training a neural model: no vocabulary")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("lm: training a neural model: %w", err)
	}
	V := v.Size()
	if V <= firstChar {
		return nil, errors.New("lm: training a neural model: the vocabulary holds no characters")
	}
	counts := make([]float64, V)
	var total int
	for i, s := range seqs {
		for j, t := range s {
			if t < 0 || int(t) >= V {
				return nil, fmt.Errorf("lm: training a neural model: sequence %d, position %d: token %d is outside the vocabulary of %d", i, j, t, V)
			}
			if j > 0 && t != BOS {
				counts[t]++
				total++
			}
		}
	}
	if total == 0 {
		return nil, errors.New("lm: training a neural model: no training text")
	}
	classes := cfg.Classes
	if classes == 0 {
		classes = int(math.Round(math.Sqrt(float64(V))))
	}
	classes = min(classes, V-1)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6e706c6d))
	m := newNPLM(v, cfg.Context, cfg.Embed, cfg.Hidden, frequencyClasses(counts, classes))
	m.init(rng, counts)

	// Poems in a fresh order each epoch; the learning rate decays linearly
	// over the tokens of all epochs.
	order := make([]int, len(seqs))
	for i := range order {
		order[i] = i
	}
	perEpoch := total
	if cfg.MaxTokens > 0 {
		perEpoch = min(total, cfg.MaxTokens)
	}
	sched := &nplmSchedule{lr0: cfg.LearningRate, total: float64(perEpoch) * float64(cfg.Epochs)}
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		n, k := 0, 0
		for k < len(order) && n < perEpoch {
			n += targets(seqs[order[k]])
			k++
		}
		m.epoch(seqs, order[:k], n, cfg.Workers, sched, func(done int, loss float64) {
			if progress != nil {
				progress(epoch, done, loss)
			}
		})
	}
	return m, nil
}

// targets is the number of tokens a sequence trains.
func targets(s []Token) int {
	n := 0
	for j := 1; j < len(s); j++ {
		if s[j] != BOS {
			n++
		}
	}
	return n
}

type nplmSchedule struct {
	lr0   float64
	total float64
	done  atomic.Int64 // tokens trained, all epochs and workers
}

func (s *nplmSchedule) rate() float32 {
	f := 1 - float64(s.done.Load())/s.total
	return float32(s.lr0 * max(f, 1e-4))
}

type nplmReport struct {
	tokens int
	loss   float64
}

// epoch trains the poems seqs[order[i]] split among workers, reporting the
// running totals to report.
func (m *NPLM) epoch(seqs [][]Token, order []int, tokens, workers int, sched *nplmSchedule, report func(done int, loss float64)) {
	const every = 1 << 18
	reports := make(chan nplmReport, 4*workers)
	var wg sync.WaitGroup
	for i := range workers {
		part := order[i*len(order)/workers : (i+1)*len(order)/workers]
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := m.newTrainer()
			var r nplmReport
			for _, p := range part {
				s := seqs[p]
				lr := sched.rate()
				n := 0
				for j := 1; j < len(s); j++ {
					if s[j] == BOS {
						continue
					}
					r.loss += t.step(s[:j], s[j], lr)
					n++
				}
				r.tokens += n
				sched.done.Add(int64(n))
				if r.tokens >= every {
					reports <- r
					r = nplmReport{}
				}
			}
			if r.tokens > 0 {
				reports <- r
			}
		}()
	}
	go func() { wg.Wait(); close(reports) }()
	var sum nplmReport
	for r := range reports {
		sum.tokens += r.tokens
		sum.loss += r.loss
		if sum.tokens < tokens {
			report(sum.tokens, sum.loss/float64(sum.tokens))
		}
	}
	report(sum.tokens, sum.loss/float64(max(sum.tokens, 1)))
}

// frequencyClasses assigns every token but BOS to one of at most n classes
// by walking the tokens from most to least frequent and moving to the next
// class whenever the mass seen passes the next multiple of 1/n.
func frequencyClasses(counts []float64, n int) []int32 {
	V := len(counts)
	toks := make([]int, 0, V-1)
	var total float64
	for t := range V {
		if Token(t) != BOS {
			toks = append(toks, t)
			total += counts[t]
		}
	}
	slices.SortStableFunc(toks, func(a, b int) int {
		switch {
		case counts[a] > counts[b]:
			return -1
		case counts[a] < counts[b]:
			return 1
		}
		return 0
	})
	class := make([]int32, V)
	class[BOS] = -1
	var cum float64
	c := int32(0)
	for i, t := range toks {
		class[t] = c
		cum += counts[t]
		if i < len(toks)-1 && int(c) < n-1 && cum/total > float64(c+1)/float64(n) {
			c++
		}
	}
	return class
}

// newNPLM allocates a model with zero weights for the given class of every
// token (-1 for BOS only, the others 0..C-1 with no class empty).
func newNPLM(v *Vocab, K, d, H int, class []int32) *NPLM {
	V := v.Size()
	C := 0
	for _, c := range class {
		C = max(C, int(c)+1)
	}
	m := &NPLM{vocab: v, ctx: K, dim: d, hid: H, nclass: C, class: class}
	m.layout()
	m.emb = make([]float32, V*d)
	m.w = make([]float32, H*K*d)
	m.b = make([]float32, H)
	m.cw = make([]float32, C*H)
	m.cb = make([]float32, C)
	m.ow = make([]float32, (V-1)*H)
	m.ob = make([]float32, V-1)
	return m
}

// layout derives the output rows from the classes: class by class, tokens
// in order within a class.
func (m *NPLM) layout() {
	V := len(m.class)
	m.start = make([]int32, m.nclass+1)
	for _, c := range m.class {
		if c >= 0 {
			m.start[c+1]++
		}
	}
	for c := range m.nclass {
		m.start[c+1] += m.start[c]
	}
	next := slices.Clone(m.start[:m.nclass])
	m.row = make([]int32, V)
	m.tokOf = make([]Token, V-1)
	for t, c := range m.class {
		if c < 0 {
			m.row[t] = -1
			continue
		}
		m.row[t] = next[c]
		m.tokOf[next[c]] = Token(t)
		next[c]++
	}
}

// init draws the weights and sets the output biases to the smoothed unigram
// log-probabilities of the classes and of the tokens within them.
func (m *NPLM) init(rng *rand.Rand, counts []float64) {
	uniform := func(xs []float32, r float64) {
		for i := range xs {
			xs[i] = float32((2*rng.Float64() - 1) * r)
		}
	}
	uniform(m.emb, 0.1)
	uniform(m.w, math.Sqrt(6/float64(m.ctx*m.dim+m.hid)))
	// cw and ow start at zero: the first updates then come from the
	// unigram biases alone.
	const alpha = 0.5
	var total float64
	for t, c := range counts {
		if Token(t) != BOS {
			total += c + alpha
		}
	}
	for c := range m.nclass {
		var mass float64
		for r := m.start[c]; r < m.start[c+1]; r++ {
			mass += counts[m.tokOf[r]] + alpha
		}
		m.cb[c] = float32(math.Log(mass / total))
		for r := m.start[c]; r < m.start[c+1]; r++ {
			m.ob[r] = float32(math.Log((counts[m.tokOf[r]] + alpha) / mass))
		}
	}
}

// Vocab implements Model.
func (m *NPLM) Vocab() *Vocab { return m.vocab }

// Config returns the model's shape: Context, Embed, Hidden and Classes (the
// classes it has, which may be fewer than were asked for); the training
// fields are zero.
func (m *NPLM) Config() NPLMConfig {
	return NPLMConfig{Context: m.ctx, Embed: m.dim, Hidden: m.hid, Classes: m.nclass}
}

// Params is the number of weights and biases.
func (m *NPLM) Params() int {
	return len(m.emb) + len(m.w) + len(m.b) + len(m.cw) + len(m.cb) + len(m.ow) + len(m.ob)
}

// nplmBuf holds one query's activations.
type nplmBuf struct {
	x  []float32 // K·d
	h  []float32 // H
	cs []float32 // C class scores
	ws []float32 // word scores, up to V-1
}

func (m *NPLM) buf() *nplmBuf {
	if b, ok := m.pool.Get().(*nplmBuf); ok {
		return b
	}
	return &nplmBuf{
		x:  make([]float32, m.ctx*m.dim),
		h:  make([]float32, m.hid),
		cs: make([]float32, m.nclass),
		ws: make([]float32, len(m.tokOf)),
	}
}

// hidden fills x with the embeddings of the last K tokens of context (BOS
// before the start, Unk for tokens outside the vocabulary) and h with the
// hidden layer.
func (m *NPLM) hidden(context []Token, x, h []float32) {
	K, d, V := m.ctx, m.dim, len(m.class)
	for k := range K {
		t := BOS
		if i := len(context) - K + k; i >= 0 {
			t = context[i]
			if t < 0 || int(t) >= V {
				t = Unk
			}
		}
		copy(x[k*d:(k+1)*d], m.emb[int(t)*d:(int(t)+1)*d])
	}
	m.layer(x, h)
}

// layer computes h = tanh(W·x + b).
func (m *NPLM) layer(x, h []float32) {
	n := len(x)
	for j := range h {
		h[j] = tanh32(m.b[j] + dot(m.w[j*n:(j+1)*n], x))
	}
}

// classScores fills cs with the class log-probabilities given h.
func (m *NPLM) classScores(h, cs []float32) {
	H := m.hid
	for c := range cs {
		cs[c] = m.cb[c] + dot(m.cw[c*H:(c+1)*H], h)
	}
	lse := logSumExp(cs)
	for c := range cs {
		cs[c] -= lse
	}
}

// wordScores fills ws with the scores of output rows lo..hi-1 and returns
// their log-sum-exp.
func (m *NPLM) wordScores(h []float32, lo, hi int32, ws []float32) float32 {
	H := int(m.hid)
	ws = ws[:hi-lo]
	for i := range ws {
		r := int(lo) + i
		ws[i] = m.ob[r] + dot(m.ow[r*H:(r+1)*H], h)
	}
	return logSumExp(ws)
}

// LogProb implements Model. A token outside the vocabulary is scored as
// Unk.
func (m *NPLM) LogProb(context []Token, next Token) float32 {
	if next < 0 || int(next) >= len(m.class) {
		next = Unk
	}
	if next == BOS {
		return float32(math.Inf(-1))
	}
	b := m.buf()
	defer m.pool.Put(b)
	m.hidden(context, b.x, b.h)
	m.classScores(b.h, b.cs)
	c := m.class[next]
	lo, hi := m.start[c], m.start[c+1]
	lse := m.wordScores(b.h, lo, hi, b.ws)
	return b.cs[c] + b.ws[m.row[next]-lo] - lse
}

// Next implements Model: it computes the class distribution, then every
// class's distribution over its tokens.
func (m *NPLM) Next(context []Token, out []float32) {
	b := m.buf()
	defer m.pool.Put(b)
	m.hidden(context, b.x, b.h)
	m.classScores(b.h, b.cs)
	for c := range m.nclass {
		lo, hi := m.start[c], m.start[c+1]
		lse := m.wordScores(b.h, lo, hi, b.ws)
		base := b.cs[c] - lse
		for i, s := range b.ws[:hi-lo] {
			out[m.tokOf[int(lo)+i]] = base + s
		}
	}
	out[BOS] = float32(math.Inf(-1))
}

// nplmTrainer holds one worker's activations and gradients.
type nplmTrainer struct {
	m      *NPLM
	ids    []int32
	x, dx  []float32 // K·d
	h, dh  []float32 // H
	cp, wp []float32 // class and word probabilities
}

func (m *NPLM) newTrainer() *nplmTrainer {
	return &nplmTrainer{
		m:   m,
		ids: make([]int32, m.ctx),
		x:   make([]float32, m.ctx*m.dim),
		dx:  make([]float32, m.ctx*m.dim),
		h:   make([]float32, m.hid),
		dh:  make([]float32, m.hid),
		cp:  make([]float32, m.nclass),
		wp:  make([]float32, len(m.tokOf)),
	}
}

// step takes one SGD step of size lr on -ln P(target | context) and returns
// that loss as it was before the step. Every gradient is computed from the
// weights before the step. context holds tokens inside the vocabulary and
// target is not BOS.
func (t *nplmTrainer) step(context []Token, target Token, lr float32) float64 {
	m := t.m
	K, d, H := m.ctx, m.dim, m.hid
	x := t.x
	for k := range K {
		id := int32(BOS)
		if i := len(context) - K + k; i >= 0 {
			id = int32(context[i])
		}
		t.ids[k] = id
		copy(x[k*d:(k+1)*d], m.emb[int(id)*d:(int(id)+1)*d])
	}
	h := t.h
	m.layer(x, h)

	// Forward through the class and word softmaxes.
	cp := t.cp
	for c := range cp {
		cp[c] = m.cb[c] + dot(m.cw[c*H:(c+1)*H], h)
	}
	softmax(cp)
	tc := m.class[target]
	lo, hi := int(m.start[tc]), int(m.start[tc+1])
	wp := t.wp[:hi-lo]
	for i := range wp {
		r := lo + i
		wp[i] = m.ob[r] + dot(m.ow[r*H:(r+1)*H], h)
	}
	softmax(wp)
	tw := int(m.row[target]) - lo
	loss := -math.Log(max(float64(cp[tc]), 1e-30)) - math.Log(max(float64(wp[tw]), 1e-30))

	// Backward: the gradient of each softmax's input is p - onehot.
	dh := t.dh
	clear(dh)
	for c, p := range cp {
		g := p
		if c == int(tc) {
			g--
		}
		backRow(m.cw[c*H:(c+1)*H], h, dh, g, lr*g)
		m.cb[c] -= lr * g
	}
	for i, p := range wp {
		g := p
		if i == tw {
			g--
		}
		r := lo + i
		backRow(m.ow[r*H:(r+1)*H], h, dh, g, lr*g)
		m.ob[r] -= lr * g
	}
	dx := t.dx
	clear(dx)
	n := K * d
	for j, hj := range h {
		g := dh[j] * (1 - hj*hj)
		if g == 0 {
			continue
		}
		backRow(m.w[j*n:(j+1)*n], x, dx, g, lr*g)
		m.b[j] -= lr * g
	}
	for k, id := range t.ids {
		axpy(m.emb[int(id)*d:(int(id)+1)*d], dx[k*d:(k+1)*d], -lr)
	}
	return loss
}

// dot returns a·b over len(a) elements.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i <= len(a)-4; i += 4 {
		aa, bb := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// backRow is the fused backward pass and update of one weight row w whose
// output had gradient g and whose input was in: acc += g·w (with the old
// w), then w -= lg·in.
func backRow(w, in, acc []float32, g, lg float32) {
	in = in[:len(w)]
	acc = acc[:len(w)]
	i := 0
	for ; i <= len(w)-4; i += 4 {
		ww, ii, aa := w[i:i+4:i+4], in[i:i+4:i+4], acc[i:i+4:i+4]
		w0, w1, w2, w3 := ww[0], ww[1], ww[2], ww[3]
		aa[0] += g * w0
		aa[1] += g * w1
		aa[2] += g * w2
		aa[3] += g * w3
		ww[0] = w0 - lg*ii[0]
		ww[1] = w1 - lg*ii[1]
		ww[2] = w2 - lg*ii[2]
		ww[3] = w3 - lg*ii[3]
	}
	for ; i < len(w); i++ {
		acc[i] += g * w[i]
		w[i] -= lg * in[i]
	}
}

// axpy adds a·x to y.
func axpy(y, x []float32, a float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

func tanh32(x float32) float32 { return float32(math.Tanh(float64(x))) }

func logSumExp(xs []float32) float32 {
	mx := float32(math.Inf(-1))
	for _, x := range xs {
		mx = max(mx, x)
	}
	if math.IsInf(float64(mx), 0) {
		return mx
	}
	var sum float64
	for _, x := range xs {
		sum += math.Exp(float64(x - mx))
	}
	return mx + float32(math.Log(sum))
}

// softmax turns scores into probabilities in place.
func softmax(xs []float32) {
	mx := float32(math.Inf(-1))
	for _, x := range xs {
		mx = max(mx, x)
	}
	var sum float32
	for i, x := range xs {
		e := float32(math.Exp(float64(x - mx)))
		xs[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range xs {
		xs[i] *= inv
	}
}
