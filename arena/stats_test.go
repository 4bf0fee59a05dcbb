package arena

import (
	"math"
	"math/rand"
	"testing"
)

func TestWilson(t *testing.T) {
	// Reference values from Newcombe (1998), table I, and R's
	// prop.test(correct = FALSE).
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{10, 10, 0.7225, 1},
	} {
		s := Wilson(c.k, c.n)
		if math.Abs(s.Lo-c.lo) > 5e-4 || math.Abs(s.Hi-c.hi) > 5e-4 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, s.Lo, s.Hi, c.lo, c.hi)
		}
	}
	if s := Wilson(0, 0); s.Lo != 0 || s.Hi != 1 {
		t.Errorf("Wilson(0, 0) = %+v", s)
	}
}

func TestTQuantile(t *testing.T) {
	for _, c := range []struct {
		df   int
		want float64
	}{{1, 12.706}, {5, 2.571}, {11, 2.201}, {20, 2.086}, {30, 2.042}, {60, 2.000}, {120, 1.980}, {100000, 1.960}} {
		if got := tQuantile95(c.df); math.Abs(got-c.want) > 2e-3 {
			t.Errorf("t(%d) = %.4f, want %.3f", c.df, got, c.want)
		}
	}
}

func TestMean(t *testing.T) {
	var a meanAcc
	for _, x := range []float64{2, 4, 4, 4, 5, 5, 7, 9} {
		a.add(x)
	}
	m := a.result()
	// mean 5, sample sd 2.138, se 0.756, t(7) 2.365.
	if m.N != 8 || math.Abs(m.Mean-5) > 1e-12 || math.Abs(m.Hi-m.Mean-2.365*2.13809/math.Sqrt(8)) > 2e-3 {
		t.Errorf("mean = %+v", m)
	}
}

// mmBT is the minorisation–maximisation algorithm of Hunter (2004) for the
// plain maximum-likelihood Bradley–Terry fit: an independent algorithm to
// check the Newton fit against.
func mmBT(wins [][]float64) []float64 {
	k := len(wins)
	p := make([]float64, k)
	for i := range p {
		p[i] = 1
	}
	for iter := 0; iter < 20000; iter++ {
		next := make([]float64, k)
		for i := range k {
			w, d := 0.0, 0.0
			for j := range k {
				if j == i {
					continue
				}
				w += wins[i][j]
				if n := wins[i][j] + wins[j][i]; n > 0 {
					d += n / (p[i] + p[j])
				}
			}
			next[i] = w / d
		}
		g := 0.0
		for _, v := range next {
			g += math.Log(v)
		}
		g /= float64(k)
		for i := range next {
			next[i] /= math.Exp(g)
		}
		p = next
	}
	out := make([]float64, k)
	for i := range p {
		out[i] = math.Log(p[i])
	}
	return out
}

func TestBradleyTerryMatchesMM(t *testing.T) {
	wins := [][]float64{
		{0, 7, 9, 4},
		{3, 0, 6, 2},
		{1, 4, 0, 5},
		{6, 8, 5, 0},
	}
	got, err := fitBT([]string{"a", "b", "c", "d"}, wins, 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	want := mmBT(wins)
	for i := range want {
		if math.Abs(got[i].Theta-want[i]) > 1e-6 {
			t.Errorf("θ[%d] = %.6f, MM says %.6f", i, got[i].Theta, want[i])
		}
	}
}

func TestBradleyTerryRecovers(t *testing.T) {
	truth := []float64{1, 0.3, 0, -1.3}
	names := []string{"w", "x", "y", "z"}
	rng := rand.New(rand.NewSource(1))
	covered, fits := 0, 0
	for rep := 0; rep < 50; rep++ {
		wins := make([][]float64, 4)
		for i := range wins {
			wins[i] = make([]float64, 4)
		}
		for range 600 {
			i, j := rng.Intn(4), rng.Intn(3)
			if j >= i {
				j++
			}
			if rng.Float64() < 1/(1+math.Exp(truth[j]-truth[i])) {
				wins[i][j]++
			} else {
				wins[j][i]++
			}
		}
		s, err := BradleyTerry(names, wins)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range s {
			fits++
			if v.Lo <= truth[i] && truth[i] <= v.Hi {
				covered++
			}
		}
	}
	// 95 % intervals: out of 200, at least 180 should hold the truth.
	if covered < 180 {
		t.Errorf("intervals held the true strength %d of %d times", covered, fits)
	}
}

func TestBradleyTerryEdges(t *testing.T) {
	if _, err := BradleyTerry([]string{"a", "b"}, [][]float64{{0, 0}, {0, 0}}); err != ErrNoGames {
		t.Errorf("no games: %v", err)
	}
	if _, err := BradleyTerry([]string{"a", "b"}, [][]float64{{0, 1}}); err == nil {
		t.Error("short matrix accepted")
	}
	if _, err := BradleyTerry([]string{"a", "b"}, [][]float64{{0, math.NaN()}, {1, 0}}); err == nil {
		t.Error("NaN accepted")
	}
	// One player won everything: finite, first, with a wide interval;
	// a player who never played sits at the centre.
	s, err := BradleyTerry([]string{"a", "b", "c"}, [][]float64{{0, 10, 0}, {0, 0, 0}, {0, 0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(s[0].Theta, 0) || s[0].Theta <= s[2].Theta || s[2].Theta <= s[1].Theta || s[0].Wins != 10 || s[1].Games != 10 {
		t.Errorf("strengths %+v", s)
	}
}

func BenchmarkBradleyTerry10k(b *testing.B) {
	// 10,000 pairwise answers among 6 sources, counted then fitted: what
	// the results page does.
	rng := rand.New(rand.NewSource(2))
	type game struct{ w, l int }
	games := make([]game, 10000)
	for i := range games {
		a, c := rng.Intn(6), rng.Intn(5)
		if c >= a {
			c++
		}
		games[i] = game{a, c}
	}
	names := []string{"human", "miaobi", "e1", "e2", "e3", "e4"}
	b.ReportAllocs()
	for b.Loop() {
		wins := make([][]float64, 6)
		for i := range wins {
			wins[i] = make([]float64, 6)
		}
		for _, g := range games {
			wins[g.w][g.l]++
		}
		if _, err := BradleyTerry(names, wins); err != nil {
			b.Fatal(err)
		}
	}
}
