package arena

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// simulate makes answers from readers who take a poem for a person's with
// probability pHuman[source] and prefer sources by strength.
func simulate(n int, seed int64) []Answer {
	pHuman := map[string]float64{"human": 0.7, "miaobi": 0.3, "engine:llm": 0.5}
	theta := map[string]float64{"human": 0.8, "miaobi": -0.6, "engine:llm": 0.2}
	sources := []string{"human", "miaobi", "engine:llm"}
	forms := []string{"五绝", "七绝", "五律", "七律"}
	rng := rand.New(rand.NewSource(seed))
	day0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var out []Answer
	for i := range n {
		form := forms[rng.Intn(4)]
		rate := func(s string) Rated {
			return Rated{Poem: Poem{ID: s + form, Source: s, Version: "v" + s[:1], Form: form}, Human: rng.Float64() < pHuman[s], Score: 1 + rng.Intn(10)}
		}
		a := Answer{Round: "r", Reader: string(rune('a' + rng.Intn(20))), At: day0.Add(time.Duration(i) * time.Hour), A: rate(sources[rng.Intn(3)]), Better: -1}
		if i%2 == 0 {
			s := sources[rng.Intn(3)]
			for s == a.A.Poem.Source {
				s = sources[rng.Intn(3)]
			}
			b := rate(s)
			a.B = &b
			a.Better = 1
			if rng.Float64() < 1/(1+math.Exp(theta[s]-theta[a.A.Poem.Source])) {
				a.Better = 0
			}
		}
		out = append(out, a)
	}
	return out
}

func TestSummarise(t *testing.T) {
	r, err := Summarise(simulate(6000, 1))
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers != 6000 || r.Readers != 20 || len(r.Sources) != 3 || r.Sources[0].Source != "human" || r.Sources[1].Source != "miaobi" {
		t.Fatalf("results %+v", r)
	}
	want := map[string]float64{"human": 0.7, "miaobi": 0.3, "engine:llm": 0.5}
	strength := map[string]float64{}
	for _, s := range r.Sources {
		// Within 1.5 half-widths: a 95 % interval misses one time in 20.
		if half := (s.Human.Hi - s.Human.Lo) / 2; math.Abs(s.Human.P-want[s.Source]) > 1.5*half || half > 0.03 {
			t.Errorf("%s taken for human %.3f [%.3f, %.3f], true %.2f", s.Source, s.Human.P, s.Human.Lo, s.Human.Hi, want[s.Source])
		}
		if s.Score.Lo > 5.5 || s.Score.Hi < 5.5 {
			t.Errorf("%s score %+v, true mean 5.5", s.Source, s.Score)
		}
		strength[s.Source] = s.Strength.Theta
	}
	// True strengths 0.8, −0.6, 0.2 centred: 0.667, −0.733, 0.067.
	for s, v := range map[string]float64{"human": 0.667, "miaobi": -0.733, "engine:llm": 0.067} {
		if math.Abs(strength[s]-v) > 0.15 {
			t.Errorf("%s strength %.3f, true %.3f", s, strength[s], v)
		}
	}
	// Mixed pairs are told apart when both guesses are right:
	// 0.7·0.7 against Miaobi, 0.7·0.5 against the engine.
	if r.Told.N == 0 || r.Told.P < 0.35 || r.Told.P > 0.49 {
		t.Errorf("told apart %+v", r.Told)
	}
	if len(r.Forms) != 12 || r.Forms[0].Form != "五绝" || len(r.Versions) != 3 || len(r.Days) == 0 {
		t.Errorf("forms %d versions %d days %d", len(r.Forms), len(r.Versions), len(r.Days))
	}
	empty, err := Summarise(nil)
	if err != nil || empty.Answers != 0 || len(empty.Sources) != 0 {
		t.Errorf("no answers: %+v %v", empty, err)
	}
}

func TestCharts(t *testing.T) {
	r, err := Summarise(simulate(400, 2))
	if err != nil {
		t.Fatal(err)
	}
	charts := r.Charts(nil)
	if len(charts) != 5 {
		t.Fatalf("%d charts", len(charts))
	}
	for _, c := range charts {
		svg := c.SVG()
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed SVG: %v", c.Title, err)
			}
		}
		points := strings.Count(svg, `class="ci"`)
		want := 0
		for _, s := range c.Series {
			for _, p := range s.Points {
				if p.N > 0 {
					want++
				}
			}
		}
		if points != want || want == 0 {
			t.Errorf("%s: %d interval whiskers, want %d", c.Title, points, want)
		}
	}
	// Names go through escaping.
	c := Chart{Title: `<b>&"`, Groups: []string{"<x>"}, Series: []Series{{Name: "<s>", Points: []Point{{Value: 1, N: 1}}}}, YMax: 2, Ref: math.NaN()}
	if svg := c.SVG(); strings.Contains(svg, "<b>") || strings.Contains(svg, "<x>") || strings.Contains(svg, "<s>") {
		t.Errorf("unescaped: %s", svg)
	}
}

func TestWriteCSV(t *testing.T) {
	answers := simulate(10, 3)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, answers); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, five pairs of two rows, five singles.
	if len(rows) != 1+15 || rows[0][7] != "source" || rows[1][5] != "A" || rows[2][5] != "B" {
		t.Fatalf("%d rows: %q", len(rows), rows[:3])
	}
	if rows[1][14] == rows[2][14] {
		t.Errorf("a pair's rows both say preferred=%s", rows[1][14])
	}
}

func BenchmarkSummarise10k(b *testing.B) {
	answers := simulate(10000, 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarise(answers); err != nil {
			b.Fatal(err)
		}
	}
}
