package lm

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"testing"
)

// testVocab is a vocabulary of n characters, the i-th seen n-i times.
func testVocab(n int) *Vocab {
	counts := map[rune]int{}
	for i := range n {
		counts[rune(0x4e00+i)] = n - i
	}
	return NewVocab(counts, 1)
}

// randomNPLM is an untrained model whose weights are all random, output
// layer included, so that every gradient is non-zero.
func randomNPLM(v *Vocab, K, d, H, C int, seed uint64) *NPLM {
	V := v.Size()
	rng := rand.New(rand.NewPCG(seed, 1))
	counts := make([]float64, V)
	for t := range counts {
		if Token(t) != BOS {
			counts[t] = float64(1 + rng.IntN(100))
		}
	}
	m := newNPLM(v, K, d, H, frequencyClasses(counts, C))
	m.init(rng, counts)
	for _, xs := range [][]float32{m.cw, m.ow, m.b} {
		for i := range xs {
			xs[i] = float32(rng.NormFloat64() * 0.5)
		}
	}
	return m
}

// refParams holds a model's weights in float64 for the reference loss.
type refParams struct{ emb, w, b, cw, cb, ow, ob []float64 }

func widen(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func refOf(m *NPLM) *refParams {
	return &refParams{widen(m.emb), widen(m.w), widen(m.b), widen(m.cw), widen(m.cb), widen(m.ow), widen(m.ob)}
}

func (p *refParams) arrays() [][]float64 { return [][]float64{p.emb, p.w, p.b, p.cw, p.cb, p.ow, p.ob} }

var paramNames = []string{"emb", "w", "b", "cw", "cb", "ow", "ob"}

// refLoss is -ln P(target | context) computed the plain way, in float64,
// straight from the definition of the model.
func refLoss(m *NPLM, p *refParams, context []Token, target Token) float64 {
	K, d, H := m.ctx, m.dim, m.hid
	var x []float64
	for k := range K {
		t := BOS
		if i := len(context) - K + k; i >= 0 {
			t = context[i]
		}
		x = append(x, p.emb[int(t)*d:int(t+1)*d]...)
	}
	h := make([]float64, H)
	for j := range h {
		a := p.b[j]
		for i, xi := range x {
			a += p.w[j*len(x)+i] * xi
		}
		h[j] = math.Tanh(a)
	}
	logSoftmaxAt := func(scores []float64, at int) float64 {
		mx := math.Inf(-1)
		for _, s := range scores {
			mx = math.Max(mx, s)
		}
		var sum float64
		for _, s := range scores {
			sum += math.Exp(s - mx)
		}
		return scores[at] - mx - math.Log(sum)
	}
	score := func(wts, bias []float64, r int) float64 {
		s := bias[r]
		for j, hj := range h {
			s += wts[r*H+j] * hj
		}
		return s
	}
	var cs []float64
	for c := range m.nclass {
		cs = append(cs, score(p.cw, p.cb, c))
	}
	tc := int(m.class[target])
	var ws []float64
	at := -1
	for t := range m.class {
		if int(m.class[t]) == tc {
			if Token(t) == target {
				at = len(ws)
			}
			ws = append(ws, score(p.ow, p.ob, int(m.row[t])))
		}
	}
	return -logSoftmaxAt(cs, tc) - logSoftmaxAt(ws, at)
}

func cloneNPLM(m *NPLM) *NPLM {
	cp := func(xs []float32) []float32 { return append([]float32(nil), xs...) }
	return &NPLM{
		vocab: m.vocab, ctx: m.ctx, dim: m.dim, hid: m.hid, nclass: m.nclass,
		class: m.class, row: m.row, tokOf: m.tokOf, start: m.start,
		emb: cp(m.emb), w: cp(m.w), b: cp(m.b), cw: cp(m.cw), cb: cp(m.cb), ow: cp(m.ow), ob: cp(m.ob),
	}
}

// TestNPLMGradient checks the gradient of one training step against
// central finite differences of the reference loss, for every weight the
// step touches.
func TestNPLMGradient(t *testing.T) {
	v := testVocab(9) // 13 tokens
	c := func(i int) Token { return Token(firstChar + i) }
	for _, tc := range []struct {
		name    string
		K, d, H int
		classes int
		context []Token
		target  Token
	}{
		{"first token", 3, 4, 5, 3, []Token{BOS}, c(0)},
		{"empty context", 2, 3, 4, 4, nil, c(8)},
		{"long context", 3, 4, 5, 3, []Token{BOS, c(1), c(2), c(3), c(4)}, Break},
		{"repeated context", 4, 2, 3, 2, []Token{BOS, c(5), c(5), c(5)}, EOS},
		{"unknown target", 3, 4, 5, 5, []Token{BOS, c(7), Break, c(6)}, Unk},
		{"one class", 2, 3, 3, 1, []Token{BOS, c(2)}, c(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := randomNPLM(v, tc.K, tc.d, tc.H, tc.classes, 7)
			p := refOf(m)
			want := refLoss(m, p, tc.context, tc.target)
			if got := -float64(m.LogProb(tc.context, tc.target)); math.Abs(got-want) > 1e-5*math.Max(1, want) {
				t.Fatalf("-LogProb = %v, reference loss %v", got, want)
			}
			after := cloneNPLM(m)
			loss := after.newTrainer().step(tc.context, tc.target, 1)
			if math.Abs(loss-want) > 1e-5*math.Max(1, want) {
				t.Fatalf("step's loss = %v, reference %v", loss, want)
			}
			q := refOf(after)
			const eps = 1e-4
			checked := 0
			for a, xs := range p.arrays() {
				for i := range xs {
					grad := xs[i] - q.arrays()[a][i] // the step moved the weight by -1·gradient
					old := xs[i]
					xs[i] = old + eps
					up := refLoss(m, p, tc.context, tc.target)
					xs[i] = old - eps
					down := refLoss(m, p, tc.context, tc.target)
					xs[i] = old
					num := (up - down) / (2 * eps)
					if math.Abs(grad-num) > 2e-4+1e-3*math.Abs(num) {
						t.Errorf("%s[%d]: gradient %.7f, finite difference %.7f", paramNames[a], i, grad, num)
					}
					if num != 0 {
						checked++
					}
				}
			}
			if checked == 0 {
				t.Fatal("no weight has a gradient")
			}
		})
	}
}

// synthPoems makes n poems of four five-character lines over chars
// characters: each character follows the previous one by a fixed rule nine
// times in ten, and is random otherwise.
func synthPoems(v *Vocab, chars, n int, seed uint64) [][]Token {
	rng := rand.New(rand.NewPCG(seed, 2))
	var out [][]Token
	for range n {
		var lines []string
		c := rng.IntN(chars)
		for range 4 {
			var b strings.Builder
			for range 5 {
				b.WriteRune(v.Rune(Token(firstChar + c)))
				if rng.IntN(10) == 0 {
					c = rng.IntN(chars)
				} else {
					c = (c*7 + 3) % chars
				}
			}
			lines = append(lines, b.String())
		}
		out = append(out, v.Encode(lines))
	}
	return out
}

func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

var (
	learnedModel *NPLM
	learnedTest  [][]Token
)

// learned trains (once) a small model on the synthetic corpus.
func learned(t testing.TB) (*NPLM, [][]Token) {
	if learnedModel == nil {
		const chars = 30
		v := testVocab(chars)
		cfg := NPLMConfig{Context: 4, Embed: 12, Hidden: 24, Epochs: 3, LearningRate: 0.05, Seed: 1, Workers: 1}
		m, err := TrainNPLM(v, synthPoems(v, chars, 600, 1), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		learnedModel, learnedTest = m, synthPoems(v, chars, 100, 2)
	}
	return learnedModel, learnedTest
}

// TestNPLMLearns trains on a small repetitive corpus and expects held-out
// perplexity far below that of the uniform distribution.
func TestNPLMLearns(t *testing.T) {
	const chars = 30
	v := testVocab(chars)
	train, test := synthPoems(v, chars, 600, 1), synthPoems(v, chars, 100, 2)
	for _, tc := range []struct {
		name string
		cfg  NPLMConfig
	}{
		{"one worker", NPLMConfig{Context: 4, Embed: 12, Hidden: 24, Epochs: 3, LearningRate: 0.05, Seed: 1, Workers: 1}},
		{"two workers", NPLMConfig{Context: 4, Embed: 12, Hidden: 24, Epochs: 3, LearningRate: 0.05, Seed: 1, Workers: 2}},
		{"token cap", NPLMConfig{Context: 5, Embed: 8, Hidden: 16, Classes: 3, Epochs: 6, LearningRate: 0.05, Seed: 3, MaxTokens: 5000, Workers: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Workers > 1 && raceEnabled() {
				t.Skip("Hogwild! training races on purpose")
			}
			var epochs, lastDone int
			var lastLoss float64
			m, err := TrainNPLM(v, train, tc.cfg, func(epoch, done int, loss float64) {
				epochs = max(epochs, epoch)
				lastDone, lastLoss = done, loss
			})
			if err != nil {
				t.Fatal(err)
			}
			if epochs != tc.cfg.Epochs || lastDone == 0 || !(lastLoss > 0) {
				t.Errorf("progress saw %d epochs, last %d tokens at loss %v", epochs, lastDone, lastLoss)
			}
			if cap := tc.cfg.MaxTokens; cap > 0 && (lastDone < cap || lastDone > cap+30) {
				t.Errorf("an epoch trained %d tokens, cap %d", lastDone, cap)
			}
			ppl, _ := Perplexity(m, test)
			uniform := float64(v.Size() - 1)
			t.Logf("held-out perplexity %.2f (uniform %v)", ppl, uniform)
			if !(ppl < uniform/5) {
				t.Errorf("held-out perplexity %.2f, want below %.1f", ppl, uniform/5)
			}
		})
	}
}

// TestNPLMNext checks that Next is a distribution that agrees with LogProb.
func TestNPLMNext(t *testing.T) {
	m, test := learned(t)
	V := m.Vocab().Size()
	out := make([]float32, V)
	for _, tc := range []struct {
		name    string
		context []Token
	}{
		{"empty", nil},
		{"start", []Token{BOS}},
		{"poem", test[0][:12]},
		{"longer than the context", test[1][:len(test[1])-1]},
		{"outside the vocabulary", []Token{BOS, Token(V + 3), -2, firstChar}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m.Next(tc.context, out)
			var sum float64
			for w, lp := range out {
				sum += math.Exp(float64(lp))
				if got := m.LogProb(tc.context, Token(w)); math.Abs(float64(got-lp)) > 1e-5 {
					t.Errorf("token %d: Next %v, LogProb %v", w, lp, got)
				}
			}
			if math.Abs(sum-1) > 1e-4 {
				t.Errorf("Next sums to %v", sum)
			}
			if !math.IsInf(float64(out[BOS]), -1) {
				t.Errorf("ln P(BOS) = %v", out[BOS])
			}
			if a, b := m.LogProb(tc.context, Token(V)), m.LogProb(tc.context, Unk); a != b {
				t.Errorf("a token outside the vocabulary scores %v, Unk %v", a, b)
			}
		})
	}
}

// TestNPLMDeterministic trains twice with one worker and the same seed.
func TestNPLMDeterministic(t *testing.T) {
	v := testVocab(20)
	train := synthPoems(v, 20, 50, 5)
	cfg := NPLMConfig{Context: 3, Embed: 6, Hidden: 8, Seed: 9, Workers: 1}
	var files [2][]byte
	for i := range files {
		m, err := TrainNPLM(v, train, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		files[i] = b.Bytes()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two runs with the same seed differ")
	}
}

func TestTrainNPLMErrors(t *testing.T) {
	v := testVocab(10)
	ok := synthPoems(v, 10, 5, 1)
	for _, tc := range []struct {
		name  string
		v     *Vocab
		seqs  [][]Token
		cfg   NPLMConfig
		match string
	}{
		{"no vocabulary", nil, ok, NPLMConfig{}, "no vocabulary"},
		{"no text", v, [][]Token{{BOS}}, NPLMConfig{}, "no training text"},
		{"token outside", v, [][]Token{{BOS, Token(v.Size())}}, NPLMConfig{}, "outside the vocabulary"},
		{"negative token", v, [][]Token{{BOS, -1}}, NPLMConfig{}, "outside the vocabulary"},
		{"context", v, ok, NPLMConfig{Context: 17}, "context"},
		{"hidden", v, ok, NPLMConfig{Hidden: -1}, "hidden"},
		{"learning rate", v, ok, NPLMConfig{LearningRate: math.NaN()}, "learning rate"},
		{"workers", v, ok, NPLMConfig{Workers: -2}, "workers"},
		{"empty vocabulary", NewVocab(nil, 1), [][]Token{{BOS, EOS}}, NPLMConfig{}, "no characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TrainNPLM(tc.v, tc.seqs, tc.cfg, nil)
			if err == nil || !strings.HasPrefix(err.Error(), "lm: ") || !strings.Contains(err.Error(), tc.match) {
				t.Errorf("error %v, want one about %q", err, tc.match)
			}
		})
	}
}

func modelBytes(t testing.TB, m *NPLM) []byte {
	var b bytes.Buffer
	n, err := m.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Fatalf("WriteTo reports %d bytes, wrote %d", n, b.Len())
	}
	return b.Bytes()
}

// TestNPLMRoundTrip writes and reads a model back and expects identical
// scores and identical bytes.
func TestNPLMRoundTrip(t *testing.T) {
	m, test := learned(t)
	data := modelBytes(t, m)
	r, err := ReadNPLM(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r.Config() != m.Config() || r.Params() != m.Params() {
		t.Fatalf("shape %+v (%d weights), want %+v (%d)", r.Config(), r.Params(), m.Config(), m.Params())
	}
	for _, s := range test[:10] {
		for i := 1; i < len(s); i++ {
			if a, b := m.LogProb(s[:i], s[i]), r.LogProb(s[:i], s[i]); a != b {
				t.Fatalf("LogProb after reading %v, before %v", b, a)
			}
		}
	}
	if again := modelBytes(t, r); !bytes.Equal(again, data) {
		t.Error("the model read back writes different bytes")
	}
}

func TestReadNPLMErrors(t *testing.T) {
	// Ten tokens; the third class holds only the last.
	m := newNPLM(testVocab(6), 2, 3, 4, []int32{0, -1, 0, 0, 1, 1, 1, 1, 1, 2})
	m.init(rand.New(rand.NewPCG(1, 1)), make([]float64, 10))
	data := modelBytes(t, m)
	header := len(nplmMagic) + 4
	edit := func(at int, b byte) []byte {
		d := bytes.Clone(data)
		d[at] = b
		return d
	}
	nan := bytes.Clone(data)
	copy(nan[len(nan)-4:], []byte{0, 0, 0xc0, 0x7f})
	classAt := header + 1 + 6*3 // after the shape, the vocabulary's count and six 3-byte characters
	for _, tc := range []struct {
		name  string
		data  []byte
		match string
		eof   bool
	}{
		{"empty", nil, "bad header", false},
		{"other file", []byte("miaobi-kn\x01\x03"), "bad header", false},
		{"header only", data[:len(nplmMagic)], "context size", true},
		{"zero context", edit(len(nplmMagic), 0), "context size", false},
		{"huge hidden", append(append([]byte(nplmMagic), 2, 3, 0xff, 0xff, 0x7f), data[header:]...), "hidden size", false},
		{"too many classes", edit(header-1, 11), "class count", false},
		{"BOS with a class", edit(classAt+1, 1), "BOS has a class", false},
		{"class out of range", edit(classAt+4, 4), "class 4 of 1..3", false},
		{"empty class", edit(classAt+9, 1), "class 3 is empty", false},
		{"truncated vocabulary", data[:header+4], "vocabulary", true},
		{"truncated classes", data[:classAt+3], "classes", true},
		{"truncated weights", data[:len(data)-5], "word biases", true},
		{"NaN weight", nan, "NaN", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNPLM(bytes.NewReader(tc.data))
			if err == nil || !strings.HasPrefix(err.Error(), "lm: ") || !strings.Contains(err.Error(), tc.match) {
				t.Fatalf("error %v, want one about %q", err, tc.match)
			}
			if tc.eof != errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v: unexpected EOF is %v, want %v", err, !tc.eof, tc.eof)
			}
		})
	}
}

// FuzzReadNPLM feeds ReadNPLM corrupted model files: it must return an
// error or a model that scores and writes itself without panicking.
func FuzzReadNPLM(f *testing.F) {
	data := modelBytes(f, randomNPLM(testVocab(5), 2, 2, 3, 2, 1))
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(nplmMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadNPLM(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "lm: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		out := make([]float32, m.Vocab().Size())
		m.Next([]Token{BOS, firstChar, -1, 99999}, out)
		m.LogProb(nil, EOS)
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		r, err := ReadNPLM(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("a model read back fails to read again: %v", err)
		}
		if again := modelBytes(t, r); !bytes.Equal(again, b.Bytes()) {
			t.Fatal("writing is not stable")
		}
	})
}

// benchNPLM is a model of the shipped shape over a vocabulary of the real
// size, with random weights.
func benchNPLM() (*NPLM, []Token) {
	cfg := NPLMConfig{}.WithDefaults()
	v := testVocab(10160)
	m := randomNPLM(v, cfg.Context, cfg.Embed, cfg.Hidden, 101, 1)
	rng := rand.New(rand.NewPCG(3, 3))
	ctx := []Token{BOS}
	for range 20 {
		ctx = append(ctx, Token(firstChar+rng.IntN(3000)))
	}
	return m, ctx
}

func BenchmarkNPLMNext(b *testing.B) {
	m, ctx := benchNPLM()
	out := make([]float32, m.Vocab().Size())
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Next(ctx[:1+i%20], out)
	}
}

func BenchmarkNPLMLogProb(b *testing.B) {
	m, ctx := benchNPLM()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.LogProb(ctx[:1+i%20], ctx[1+i%20])
	}
}

// BenchmarkNPLMTrainStep is one SGD step on one token.
func BenchmarkNPLMTrainStep(b *testing.B) {
	m, ctx := benchNPLM()
	tr := m.newTrainer()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tr.step(ctx[:1+i%20], ctx[1+i%20], 0.001)
	}
}
