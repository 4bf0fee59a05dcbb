package lm

import (
	"bytes"
	"math"
	"math/rand"
	"testing"
)

func TestRandomizedSVD(t *testing.T) {
	// A symmetric matrix of known rank 3: A = Σ λ_i v_i v_iᵀ.
	n := 60
	rng := rand.New(rand.NewSource(1))
	vs := make([][]float64, 3)
	for i := range vs {
		vs[i] = make([]float64, n)
		for j := range vs[i] {
			vs[i][j] = rng.NormFloat64()
		}
		for p := 0; p < i; p++ { // Gram–Schmidt against the earlier ones
			var dot float64
			for j := range vs[i] {
				dot += vs[i][j] * vs[p][j]
			}
			for j := range vs[i] {
				vs[i][j] -= dot * vs[p][j]
			}
		}
		var norm float64
		for _, v := range vs[i] {
			norm += v * v
		}
		for j := range vs[i] {
			vs[i][j] /= math.Sqrt(norm)
		}
	}
	lambda := []float64{9, 4, 1}
	a := make([]float32, n*n)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			var v float64
			for i := range vs {
				v += lambda[i] * vs[i][r] * vs[i][c]
			}
			a[r*n+c] = float32(v)
		}
	}
	u, s := randomizedSVD(a, n, 3, 4, 2, 7)
	for i, want := range lambda {
		if math.Abs(s[i]-want) > 1e-3 {
			t.Errorf("singular value %d = %v, want %v", i, s[i], want)
		}
		var dot float64
		for r := 0; r < n; r++ {
			dot += u[r*3+i] * vs[i][r]
		}
		if math.Abs(math.Abs(dot)-1) > 1e-3 {
			t.Errorf("vector %d: |cos| = %v, want 1", i, math.Abs(dot))
		}
	}
}

func TestTopicRoundTripAndCoherence(t *testing.T) {
	chars := []rune("秋雁霜叶月春花柳燕桃山水风云夜")
	c := NewTopicCounter(chars, TopicConfig{Dim: 4, Seed: 1})
	for i := 0; i < 30; i++ {
		c.Add(([]string{"秋雁霜叶月", "夜月秋风"}))
		c.Add(([]string{"春花柳燕桃", "春风山水"}))
		c.Add(([]string{"山水风云夜"}))
	}
	tp, err := c.Topic()
	if err != nil {
		t.Fatal(err)
	}
	if Cos(tp.Vec('秋'), tp.Vec('雁')) <= Cos(tp.Vec('秋'), tp.Vec('桃')) {
		t.Error("秋 is no closer to 雁 than to 桃")
	}
	one := tp.Coherence([][]rune{[]rune("秋雁霜"), []rune("叶月")})
	mixed := tp.Coherence([][]rune{[]rune("秋雁霜"), []rune("桃燕柳")})
	if one <= mixed {
		t.Errorf("coherence of one season %v ≤ of two %v", one, mixed)
	}
	var buf bytes.Buffer
	if _, err := tp.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTopic(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(Cos(back.Vec('秋'), tp.Vec('秋'))-1) > 1e-3 {
		t.Error("round trip changed a vector")
	}
}

func FuzzReadTopic(f *testing.F) {
	chars := []rune("秋雁霜叶月春花柳")
	c := NewTopicCounter(chars, TopicConfig{Dim: 2, Seed: 1})
	c.Add(([]string{"秋雁霜叶", "月春花柳"}))
	c.Add(([]string{"秋雁", "霜叶"}))
	if tp, err := c.Topic(); err == nil {
		var buf bytes.Buffer
		tp.WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tp, err := ReadTopic(bytes.NewReader(b))
		if err != nil {
			return
		}
		for r := range tp.index {
			if v := tp.Vec(r); len(v) != tp.Dim {
				t.Fatalf("vector of %d, want %d", len(v), tp.Dim)
			}
		}
	})
}
