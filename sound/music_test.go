package sound

import (
	"bytes"
	"math"
	"testing"
)

var testLines = []string{"清秋九月黄昏后", "千古风流自一方", "细雨落花空满眼", "不须更问夜何长"}

func BenchmarkRender(b *testing.B) {
	v, err := VerseOf(testLines, 2, "秋雨")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Compose(v, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	secs := s.Seconds(s.Beats) + tailSeconds
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Render(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(secs*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}

// The same verse, options and seed give the same samples.
func TestRenderDeterministic(t *testing.T) {
	v, err := VerseOf(testLines, 2, "秋雨")
	if err != nil {
		t.Fatal(err)
	}
	var files [2][]byte
	for i := range files {
		s, err := Compose(v, Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Render()
		if err != nil {
			t.Fatal(err)
		}
		files[i] = EncodeWAV(a)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two renders of the same score differ")
	}
}

// VerseOf reads the four tones from 平水韵: 白日依山尽 is 入入平平上.
func TestVerseOfTones(t *testing.T) {
	v, err := VerseOf([]string{"白日依山尽，", "黄河入海流。"}, -1, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, line := range v.Tones {
		for _, tn := range line {
			got += tn.String()
		}
		got += "/"
	}
	if got != "入入平平上/平平入上平/" {
		t.Errorf("tones %s", got)
	}
	if _, err := VerseOf([]string{"hello", "123"}, 0, ""); err == nil {
		t.Error("a verse without Chinese characters was accepted")
	}
}

// The melody follows the words: the notes of 去 characters inside a line
// fall or slide down, of 上 characters rise or slide up; lines of a
// couplet end on the final, the piece ends on it; the season sets the
// mode; one note a character plus the opening run.
func TestComposeFollowsTheWords(t *testing.T) {
	v, err := VerseOf(testLines, 2, "秋雨")
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(20) {
		s, err := Compose(v, Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if s.Mode != Shang || s.Tempo < 56 || s.Tempo > 64 {
			t.Fatalf("autumn: %s调 at %.0f", s.Mode, s.Tempo)
		}
		var melody []Note
		for _, n := range s.Notes {
			if n.Inst == Guzheng && n.Len >= 0.5 {
				melody = append(melody, n)
			}
		}
		if len(melody) != 28 {
			t.Fatalf("seed %d: %d melody notes for 28 characters", seed, len(melody))
		}
		k := 0
		for li, tones := range v.Tones {
			for ci, tn := range tones {
				n := melody[k]
				k++
				if ci == len(tones)-1 {
					if (li%2 == 1) && n.Degree != int(s.Mode) {
						t.Errorf("seed %d line %d ends on %s, not the final", seed, li, DegreeName(n.Degree))
					}
					continue
				}
				if ci == 0 || ci == len(tones)-2 {
					continue // a line's first note, and the approach to its end
				}
				prev := melody[k-2]
				switch tn {
				case Departing:
					if n.Degree > prev.Degree || n.Orn != SlideDown {
						t.Errorf("seed %d line %d char %d (去): %s after %s, %v", seed, li, ci, DegreeName(n.Degree), DegreeName(prev.Degree), n.Orn)
					}
				case Rising:
					if n.Degree < prev.Degree || n.Orn != SlideUp {
						t.Errorf("seed %d line %d char %d (上): %s after %s, %v", seed, li, ci, DegreeName(n.Degree), DegreeName(prev.Degree), n.Orn)
					}
				case Entering:
					if n.Len != 0.5 {
						t.Errorf("seed %d: 入 held %.2f beats", seed, n.Len)
					}
				}
			}
		}
	}
	m := Yu
	if s, _ := Compose(v, Options{Mode: &m, Tempo: 90}); s.Mode != Yu || s.Tempo != 90 {
		t.Error("the mode and tempo asked for were not kept")
	}
	if _, err := Compose(v, Options{Tempo: 500}); err == nil {
		t.Error("a tempo of 500 was accepted")
	}
	if _, err := ParseMode("dorian"); err == nil {
		t.Error("ParseMode took dorian")
	}
	if m, err := ParseMode("徵调"); err != nil || m != Zhi {
		t.Errorf("ParseMode(徵调) = %v, %v", m, err)
	}
}

// Every element of a scene renders, the scene is normalised, the same
// seed gives the same samples, and words call up elements.
func TestScene(t *testing.T) {
	es, err := ElementsOf([]string{"雨", "钟", "雨"})
	if err != nil || len(es) != 2 || es[0] != Rain || es[1] != TempleBel {
		t.Fatalf("ElementsOf(雨,钟): %v %v", es, err)
	}
	if _, err := ElementsOf([]string{"电脑"}); err == nil {
		t.Error("电脑 called up a scene")
	}
	for _, e := range Elements() {
		a, err := Scene([]Element{e}, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := Measure(a)
		if a.Frames() != 5*Rate || math.Abs(l.Integrated-TargetLUFS) > 0.2 || l.TruePeak > CeilingTP+1e-9 {
			t.Errorf("%s: %d frames, %+v", e, a.Frames(), l)
		}
	}
	a, _ := Scene([]Element{Rain, Birds}, 3, 9)
	b, _ := Scene([]Element{Rain, Birds}, 3, 9)
	if !bytes.Equal(EncodeWAV(a), EncodeWAV(b)) {
		t.Error("the same scene and seed differ")
	}
	if _, err := Scene(nil, 3, 1); err == nil {
		t.Error("an empty scene rendered")
	}
	if _, err := Scene([]Element{Rain}, 5000, 1); err == nil {
		t.Error("a scene of 5000 s rendered")
	}
}

func BenchmarkScene(b *testing.B) {
	for b.Loop() {
		if _, err := Scene(Elements(), 30, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(30*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
