package lm

import (
	"bytes"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// toyCorpus makes poems from a small grammar so that n-grams repeat.
func toyCorpus(n int, seed int64) [][]string {
	rng := rand.New(rand.NewSource(seed))
	heads := []string{"春风", "秋月", "江上", "山中", "明月", "白云"}
	mids := []string{"吹", "照", "落", "生", "满"}
	tails := []string{"柳色新", "客心愁", "故人归", "水自流", "夜来寒"}
	var out [][]string
	for i := 0; i < n; i++ {
		var lines []string
		for j := 0; j < 4; j++ {
			// The tail follows from the head across the middle character, so
			// only a context of three or more tokens can predict it.
			h := rng.Intn(len(heads))
			lines = append(lines, heads[h]+mids[rng.Intn(len(mids))]+tails[h%len(tails)])
		}
		out = append(out, lines)
	}
	return out
}

func toyModel(t testing.TB, cfg KNConfig) (*KN, *Vocab, [][]Token) {
	t.Helper()
	poems := toyCorpus(400, 1)
	counts := map[rune]int{}
	for _, p := range poems {
		for _, r := range strings.Join(p, "") {
			counts[r]++
		}
	}
	v := NewVocab(counts, 1)
	var seqs [][]Token
	for _, p := range poems {
		seqs = append(seqs, v.Encode(p))
	}
	m, err := TrainKN(v, seqs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, v, seqs
}

func TestKNNormalisedAndConsistent(t *testing.T) {
	for _, cfg := range []KNConfig{{Order: 2}, {Order: 3}, {Order: 4}, {Order: 4, MinCount: []int{1, 2, 3, 3}}} {
		m, v, seqs := toyModel(t, cfg)
		out := make([]float32, v.Size())
		contexts := [][]Token{{BOS}, seqs[0][:3], seqs[1][:9], seqs[2][:len(seqs[2])-1], {BOS, Unk, Unk}}
		for _, ctx := range contexts {
			m.Next(ctx, out)
			var sum float64
			for w, lp := range out {
				sum += math.Exp(float64(lp))
				if d := math.Abs(float64(lp - m.LogProb(ctx, Token(w)))); Token(w) != BOS && d > 1e-4 {
					t.Fatalf("order %d %v: Next and LogProb disagree on %d: %v vs %v", cfg.Order, cfg.MinCount, w, lp, m.LogProb(ctx, Token(w)))
				}
			}
			if math.Abs(sum-1) > 1e-3 {
				t.Errorf("order %d %v context %v: probabilities sum to %v", cfg.Order, cfg.MinCount, ctx, sum)
			}
		}
		ppl, n := Perplexity(m, seqs[:50])
		if n == 0 || ppl < 1 || ppl > float64(v.Size()) {
			t.Errorf("order %d: perplexity %v over %d tokens", cfg.Order, ppl, n)
		}
	}
}

func TestKNLearns(t *testing.T) {
	m2, v, _ := toyModel(t, KNConfig{Order: 2})
	m4, _, _ := toyModel(t, KNConfig{Order: 4})
	var held [][]Token
	for _, p := range toyCorpus(100, 99) {
		held = append(held, v.Encode(p))
	}
	p2, _ := Perplexity(m2, held)
	p4, _ := Perplexity(m4, held)
	// The grammar makes words of 2-3 characters: longer contexts must help.
	if !(p4 < p2 && p2 < float64(v.Size())/2) {
		t.Errorf("held-out perplexity: bigram %.2f, 4-gram %.2f, vocabulary %d", p2, p4, v.Size())
	}
}

func TestKNRoundTrip(t *testing.T) {
	m, _, seqs := toyModel(t, KNConfig{Order: 4, MinCount: []int{1, 1, 2, 2}})
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := ReadKN(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Perplexity(m, seqs[:100])
	b, _ := Perplexity(r, seqs[:100])
	if math.Abs(a-b)/a > 0.02 {
		t.Errorf("quantisation moved perplexity from %.3f to %.3f", a, b)
	}
	if r.Vocab().Size() != m.Vocab().Size() || r.Order() != 4 {
		t.Errorf("read back %d tokens, order %d", r.Vocab().Size(), r.Order())
	}
	// Every truncation fails cleanly.
	for _, n := range []int{0, 5, 20, buf.Len() / 2, buf.Len() - 1} {
		if _, err := ReadKN(bytes.NewReader(buf.Bytes()[:n])); err == nil {
			t.Errorf("a model cut to %d bytes was accepted", n)
		}
	}
}

func TestKNErrors(t *testing.T) {
	v := NewVocab(map[rune]int{'月': 3}, 1)
	if _, err := TrainKN(v, nil, KNConfig{Order: 5}); err == nil {
		t.Error("order 5 accepted")
	}
	if _, err := TrainKN(v, nil, KNConfig{Order: 3}); err == nil {
		t.Error("empty training text accepted")
	}
}

func FuzzReadKN(f *testing.F) {
	m, _, _ := toyModel(f, KNConfig{Order: 3})
	var buf bytes.Buffer
	m.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(knMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadKN(bytes.NewReader(b))
		if err != nil {
			return
		}
		out := make([]float32, m.Vocab().Size())
		m.Next([]Token{BOS, 5, 6}, out)
		m.LogProb([]Token{BOS, 7}, 8)
	})
}

func BenchmarkKNNext(b *testing.B) {
	m, v, seqs := toyModel(b, KNConfig{Order: 4})
	out := make([]float32, v.Size())
	for i := 0; i < b.N; i++ {
		m.Next(seqs[i%len(seqs)][:6], out)
	}
}
