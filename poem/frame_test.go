package poem

import (
	"bytes"
	"math"
	"math/rand"
	"testing"

	"miaobi/corpus"
)

func TestFrameCounts(t *testing.T) {
	c := NewFrameCounter()
	autumn := &corpus.Poem{Title: "秋夜", Form: "五绝", Lines: []string{"夕阳明月照", "秋风落叶深", "孤雁夕阳外", "寒蛩夕阳吟"}}
	spring := &corpus.Poem{Title: "春日", Form: "五绝", Lines: []string{"桃花春水暖", "燕子夕阳归", "柳絮随风起", "桃花夕阳飞"}}
	for i := 0; i < 40; i++ {
		c.Add(autumn)
		c.Add(spring)
	}
	f := c.Frame()
	if f.Season['秋'][2] <= f.Season['秋'][0] || f.Season['桃'][0] <= f.Season['桃'][2] {
		t.Errorf("seasons: 秋 %v 桃 %v", f.Season['秋'], f.Season['桃'])
	}
	// 寒食 titles count as spring (a festival of spring).
	if seasonOf("寒食日作") != 0 || seasonOf("重阳") != 2 || seasonOf("春秋") != -1 {
		t.Error("seasonOf misreads festival titles")
	}
	// 夕阳 sits inside a unit every time: a word. 阳明 spans the caesura.
	if f.Words['夕']['阳'] < float32(math.Log(8)) {
		t.Errorf("夕阳 not a word: %v", f.Words['夕'])
	}
	if _, ok := f.Words['阳']['明']; ok {
		t.Error("阳明 (across the caesura) taken for a word")
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFrame(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(g.Season['秋'][2]-f.Season['秋'][2])) > 0.006 || len(g.Words) != len(f.Words) || len(g.Role) != len(f.Role) {
		t.Error("round trip lost data")
	}
	var again bytes.Buffer
	g.WriteTo(&again)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("write, read, write is not byte-identical")
	}
}

func TestUnitBreak(t *testing.T) {
	for _, tc := range []struct {
		n, j int
		want bool
	}{{5, 2, true}, {5, 1, false}, {5, 3, false}, {7, 2, true}, {7, 4, true}, {7, 3, false}, {7, 5, false}} {
		if got := unitBreak(tc.n, tc.j); got != tc.want {
			t.Errorf("unitBreak(%d, %d) = %v", tc.n, tc.j, got)
		}
	}
}

func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	(&Frame{Season: map[rune][4]float32{'秋': {-1, 0, 1, 0}}, Role: map[rune][4]float32{'何': {0, 0, 0.4, 0}},
		Words: map[rune]map[rune]float32{'夕': {'阳': 6}}}).WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ReadFrame(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if _, err := fr.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
	})
}

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
		c.Add(&corpus.Poem{Lines: []string{"秋雁霜叶月", "夜月秋风"}})
		c.Add(&corpus.Poem{Lines: []string{"春花柳燕桃", "春风山水"}})
		c.Add(&corpus.Poem{Lines: []string{"山水风云夜"}})
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
	c.Add(&corpus.Poem{Lines: []string{"秋雁霜叶", "月春花柳"}})
	c.Add(&corpus.Poem{Lines: []string{"秋雁", "霜叶"}})
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
