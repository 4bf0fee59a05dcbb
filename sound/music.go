package sound

// Music composed on a poem, in the pentatonic modes of Chinese music.
//
// The five degrees 宫 商 角 徵 羽 lie 0, 2, 4, 7 and 9 semitones above 宫;
// a mode (调式) is named by the degree its melody rests on, its final. The
// season of the poem picks the mode by the old correspondence of the five
// notes and the seasons (春 角, 夏 徵, 秋 商, 冬 羽; no season: 宫) and the
// tempo (autumn and winter slow, summer quicker).
//
// The melody follows the words (依字行腔): one note a character, its
// motion from the character's tone — 平 level or gently rising, 上
// rising (a slide up into it), 去 falling (a slide down out of it), 入
// short and stopped — with a breath at each caesura (五言 2+3, 七言
// 2+2+3), a held note at each line's end and a longer one at each
// couplet's. Lines of a couplet answer each other: the first ends open,
// away from the final, the second on it; the third line of a quatrain
// turns higher; the last line slows and closes on the final.
//
// A guzheng plays the melody after a 花指 glissando, a guqin gives the
// final in the bass at each line, a dizi doubles the held notes an
// octave up in the second half, a drone an octave below holds the final
// and its fifth, and a bell
// sounds at the close when the poem names a bell or a temple, or is set
// in winter. Everything is drawn from a seed: the same verse, options and
// seed give the same samples.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"miaobi/prosody"
	"miaobi/sound/pcm"
)

// Mode is a pentatonic mode, named by its final.
type Mode int

const (
	Gong Mode = iota
	Shang
	Jue
	Zhi
	Yu
)

var modeNames = [...]string{"宫", "商", "角", "徵", "羽"}

// String is the mode's name: 宫, 商, 角, 徵 or 羽.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "?"
}

// ParseMode reads a mode by its name (宫 or gong, 商 shang, 角 jue, 徵 zhi,
// 羽 yu, with or without 调).
func ParseMode(s string) (Mode, error) {
	s = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(s)), "调")
	for i, n := range modeNames {
		if s == n || s == [...]string{"gong", "shang", "jue", "zhi", "yu"}[i] {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("sound: unknown mode %q: use 宫, 商, 角, 徵 or 羽 (gong, shang, jue, zhi, yu)", s)
}

// semitones of the five degrees above 宫.
var degreeSemis = [5]int{0, 2, 4, 7, 9}

// Tone is a character's tone class in the old four tones.
type Tone uint8

const (
	Level     Tone = iota // 平
	Rising                // 上
	Departing             // 去
	Entering              // 入
)

func (t Tone) String() string { return [...]string{"平", "上", "去", "入"}[t] }

// Verse is what music is composed on: the lines of a poem, each
// character's tone, and its season (0–3: 春 夏 秋 冬; −1 none). Words
// are a few characters that set the mood (keywords, the title); a bell
// or a temple among them, or in the lines, brings the bell.
type Verse struct {
	Lines  [][]rune
	Tones  [][]Tone
	Season int
	Words  string
}

// VerseOf reads the tones of a poem's lines from the 平水韵 book: a
// character with readings of one tone takes that tone's class (上平 and
// 下平 are 平); a 多音字 takes the reading its word or its commonest use
// decides (prosody.Usage), else 平. Characters that are not Han are
// dropped; a poem without any is an error.
func VerseOf(lines []string, season int, words string) (Verse, error) {
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		return Verse{}, err
	}
	usage, _ := prosody.DefaultUsage()
	v := Verse{Season: season, Words: words}
	if season < -1 || season > 3 {
		v.Season = -1
	}
	for _, l := range lines {
		var line []rune
		for _, r := range l {
			if r >= 0x3400 && r <= 0x9fff || r >= 0x20000 && r <= 0x2ffff {
				line = append(line, r)
			}
		}
		if len(line) == 0 {
			continue
		}
		tones := make([]Tone, len(line))
		for k, r := range line {
			tones[k] = toneClass(book, usage, line, k, r)
		}
		v.Lines = append(v.Lines, line)
		v.Tones = append(v.Tones, tones)
	}
	if len(v.Lines) == 0 {
		return Verse{}, errors.New("sound: the poem has no Chinese characters to set to music")
	}
	return v, nil
}

func toneClass(book *prosody.Book, usage *prosody.Usage, line []rune, k int, r rune) Tone {
	rs := book.Readings(r)
	want := prosody.Unknown
	if len(rs) > 1 {
		want = usage.Preferred(line, k)
	}
	for _, rd := range rs {
		if want != prosody.Unknown && want != prosody.Either && rd.Tone != want {
			continue
		}
		switch strings.TrimSuffix(book.Groups[rd.Group].Section, "声") {
		case "上":
			return Rising
		case "去":
			return Departing
		case "入":
			return Entering
		default: // 上平, 下平
			return Level
		}
	}
	return Level
}

// Options are the choices a person may make; zero values are chosen from
// the verse and the seed.
type Options struct {
	Mode  *Mode   // nil: from the season
	Tempo float64 // beats a minute, 30–160; 0: from the season
	Seed  uint64
}

// Note is one note of a Score: when (in beats) and how long, the degree
// (pentatonic steps above the middle 宫: 5 is 宫 an octave up, −1 the 羽
// below), the instrument, the velocity 0–1 and the ornament.
type Note struct {
	At, Len float64
	Degree  int
	Inst    Instrument
	Vel     float64
	Orn     Ornament
}

// Ornament is how a note moves.
type Ornament uint8

const (
	Plain     Ornament = iota
	SlideUp            // into the note from a semitone below (上)
	SlideDown          // out of the note a semitone down (去)
	Vibrato            // 吟: a slow waver on a held note
)

// Score is a composed piece.
type Score struct {
	Mode   Mode
	Tonic  float64 // 宫 of the middle octave, Hz
	Tempo  float64 // beats a minute
	Notes  []Note
	Beats  float64 // where the last note ends
	RitAt  float64 // the beat the closing ritardando starts from
	Bell   bool
	Seed   uint64
	Season int
}

// seasonMode and seasonTempo: 春 夏 秋 冬, then none.
var (
	seasonMode  = [5]Mode{Jue, Zhi, Shang, Yu, Gong}
	seasonTempo = [5]float64{72, 80, 60, 56, 66}
)

// Compose sets a verse to music.
func Compose(v Verse, o Options) (*Score, error) {
	if len(v.Lines) == 0 || len(v.Lines) != len(v.Tones) {
		return nil, errors.New("sound: compose: no verse")
	}
	if o.Tempo != 0 && (o.Tempo < 30 || o.Tempo > 160) {
		return nil, fmt.Errorf("sound: compose: tempo %g: use 30 to 160 beats a minute", o.Tempo)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x6d75736963))
	si := v.Season
	if si < 0 || si > 3 {
		si = 4
	}
	s := &Score{Mode: seasonMode[si], Tempo: seasonTempo[si] + float64(rng.IntN(9)-4), Seed: o.Seed, Season: v.Season}
	if o.Mode != nil {
		if *o.Mode < Gong || *o.Mode > Yu {
			return nil, fmt.Errorf("sound: compose: mode %d", *o.Mode)
		}
		s.Mode = *o.Mode
	}
	if o.Tempo != 0 {
		s.Tempo = o.Tempo
	}
	s.Tonic = [...]float64{261.63, 293.66, 220.00 * math.Pow(2, 3.0/12)}[rng.IntN(3)] // C4, D4 or C4 (as A3 + 3)
	text := v.Words
	for _, l := range v.Lines {
		text += string(l)
	}
	s.Bell = v.Season == 3 || strings.ContainsAny(text, "钟鐘寺磬禅禪僧庙廟")
	final := int(s.Mode)

	// The opening: a 花指 run up the scale over about two seconds.
	beat := 0.0
	sec := 60 / s.Tempo
	step := math.Min(0.12/sec, 0.25) // about 120 ms a note
	for d := final - 5; d <= final+5; d++ {
		s.Notes = append(s.Notes, Note{At: beat, Len: step, Degree: d, Inst: Guzheng, Vel: 0.35 + 0.04*float64(d-final+5)})
		beat += step
	}
	beat += 1

	nLines := len(v.Lines)
	deg := final + 2 + rng.IntN(2)
	for li, line := range v.Lines {
		tones := v.Tones[li]
		n := len(line)
		last := li == nLines-1
		if last {
			s.RitAt = beat
		}
		end := lineEnd(li, nLines, final, rng)
		// The guqin gives the final (or, opening a turning line, the
		// degree a fifth above it) an octave and more below.
		bass := final - 5
		if li%4 == 2 {
			bass = final - 2
		}
		s.Notes = append(s.Notes, Note{At: beat, Len: 2, Degree: bass, Inst: Guqin, Vel: 0.55})
		if li > 0 {
			deg += rng.IntN(3) - 1
		}
		for k, r := range line {
			_ = r
			t := tones[k]
			orn := Plain
			length := 1.0
			switch {
			case k == n-1:
				deg = end
				length = 2.5
				if li%2 == 1 || last {
					length = 3.5
				}
				if t == Level {
					orn = Vibrato
				}
			case k == n-2:
				// Approach the line's end by step: from above for a falling
				// tone, from below otherwise.
				if t == Departing || t == Entering {
					deg = end + 1
				} else {
					deg = end - 1
				}
			case k > 0 || li == 0:
				deg += toneStep(t, rng)
			}
			if k < n-1 {
				switch t {
				case Rising:
					orn = SlideUp
				case Departing:
					orn = SlideDown
				}
			}
			deg = clampDegree(deg, final-2, final+7)
			if unitEnd(n, k) {
				length = 1.5
			}
			vel := 0.75 + 0.1*rng.Float64()
			if k == 0 {
				vel += 0.1
			}
			played := length
			if t == Entering && k < n-1 {
				played = 0.5 // 入: short and stopped
			}
			s.Notes = append(s.Notes, Note{At: beat, Len: played, Degree: deg, Inst: Guzheng, Vel: vel, Orn: orn})
			if 2*li >= nLines && nLines > 1 {
				s.Notes = append(s.Notes, Note{At: beat, Len: played, Degree: deg + 5, Inst: Flute, Vel: 0.22})
			}
			beat += length
			if unitEnd(n, k) {
				beat += 0.25 // the caesura's breath
			}
		}
		if li%2 == 1 && !last {
			s.Notes = append(s.Notes, Note{At: beat - 3.5, Len: 3.5, Degree: final - 5, Inst: Guqin, Vel: 0.5})
		}
		beat += 0.5 // between lines
	}
	s.Beats = beat
	if s.Bell {
		s.Notes = append(s.Notes, Note{At: beat - 4, Len: 4, Degree: final - 5, Inst: Bell, Vel: 0.6})
	}
	return s, nil
}

// lineEnd is the degree line li of n ends on: the last and every second
// line on the final; the first of a couplet open (a step or a third
// above); a quatrain's third line higher, turning.
func lineEnd(li, n, final int, rng *rand.Rand) int {
	switch {
	case li == n-1 || li%2 == 1:
		return final
	case li%4 == 2:
		return final + 2 + rng.IntN(2)
	}
	return final + 1 + rng.IntN(2)
}

// toneStep is how the melody moves onto a character of tone t.
func toneStep(t Tone, rng *rand.Rand) int {
	x := rng.Float64()
	switch t {
	case Rising:
		if x < 0.6 {
			return 1
		}
		return 2
	case Departing:
		if x < 0.6 {
			return -1
		}
		return -2
	case Entering:
		if x < 0.6 {
			return 0
		}
		return -1
	}
	switch { // 平: level, or gently rising
	case x < 0.5:
		return 0
	case x < 0.8:
		return 1
	}
	return -1
}

// unitEnd reports whether character k closes a rhythmic unit before the
// caesura: after the second of 五言 and 七言, and the fourth of 七言.
func unitEnd(n, k int) bool {
	switch n {
	case 5:
		return k == 1
	case 7:
		return k == 1 || k == 3
	}
	return n > 4 && k == n/2-1
}

// clampDegree keeps a degree in [lo, hi]: a falling tone at the bottom
// of the range stays level there, as a rising one at the top.
func clampDegree(d, lo, hi int) int { return min(max(d, lo), hi) }

// Hz is the frequency of a degree.
func (s *Score) Hz(degree int) float64 {
	oct := int(math.Floor(float64(degree) / 5))
	st := degreeSemis[degree-5*oct] + 12*oct
	return s.Tonic * math.Pow(2, float64(st)/12)
}

// Seconds is when a beat falls: steady at Tempo, then slowing to three
// quarters of it over the last line.
func (s *Score) Seconds(beat float64) float64 {
	spb := 60 / s.Tempo
	if s.RitAt <= 0 || beat <= s.RitAt || s.Beats <= s.RitAt {
		return beat * spb
	}
	const k = 0.25
	span := s.Beats - s.RitAt
	u := math.Min((beat-s.RitAt)/span, 1)
	extra := 0.0
	if beat > s.Beats {
		extra = (beat - s.Beats) / (1 - k)
	}
	return spb * (s.RitAt + span*(-math.Log(1-k*u)/k) + extra)
}

// DegreeName names a degree: 宫 商 角 徵 羽, with 低 for the octave below
// the middle one and 高 above it (倍低, 倍高 two away).
func DegreeName(d int) string {
	oct := int(math.Floor(float64(d) / 5))
	name := modeNames[d-5*oct]
	switch {
	case oct <= -2:
		return "倍低" + name
	case oct == -1:
		return "低" + name
	case oct == 1:
		return "高" + name
	case oct >= 2:
		return "倍高" + name
	}
	return name
}

// Text is the score as people read it: a header, then one line a note.
func (s *Score) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s调 (final %s), 宫 = %.2f Hz, %.0f beats a minute, seed %d, %.1f s\n", s.Mode, s.Mode, s.Tonic, s.Tempo, s.Seed, s.Seconds(s.Beats)+tailSeconds)
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "%7.2f %5.2f %-8s %-4s %.2f", n.At, n.Len, n.Inst, DegreeName(n.Degree), n.Vel)
		if n.Orn != Plain {
			b.WriteString(" " + [...]string{"", "slide-up", "slide-down", "vibrato"}[n.Orn])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// tailSeconds is how long the music rings after the last note.
const tailSeconds = 4.0

// pans place each instrument, −1 left to 1 right.
var pans = [...]float64{Guzheng: -0.25, Guqin: 0.3, Flute: 0.2, Bell: 0.1, Drone: 0}

// Render plays the score into stereo sound at Rate, through the Hall
// reverb, normalised to TargetLUFS with the CeilingTP true-peak ceiling.
func (s *Score) Render() (*pcm.Audio, error) {
	total := s.Seconds(s.Beats) + tailSeconds
	if total > MaxSeconds {
		return nil, ErrTooLong
	}
	n := int(total * Rate)
	mix := make([]float32, 2*n)
	rng := rand.New(rand.NewPCG(s.Seed, 0x72656e646572))
	add := func(buf []float32, at float64, inst Instrument) {
		off := int(at * Rate)
		p := (pans[inst] + 1) * math.Pi / 4
		gl, gr := float32(math.Cos(p)), float32(math.Sin(p))
		for i, v := range buf {
			j := off + i
			if j >= n {
				break
			}
			mix[2*j] += v * gl
			mix[2*j+1] += v * gr
		}
	}
	add(drone(s.Hz(int(s.Mode)-5), total-1, 0.35), 0, Drone)
	for _, nt := range s.Notes {
		start, end := s.Seconds(nt.At), s.Seconds(nt.At+nt.Len)
		dur := end - start
		f := s.Hz(nt.Degree)
		var buf []float32
		switch nt.Inst {
		case Guzheng:
			buf = guzhengVoice.pluck(f, dur, 2.0, nt.Vel, ornament(nt.Orn, dur), rng)
		case Guqin:
			buf = guqinVoice.pluck(f, dur, 2.5, nt.Vel, ornament(nt.Orn, dur), rng)
		case Flute:
			buf = flute(f, dur, nt.Vel, rng)
		case Bell:
			buf = bell(f, math.Max(dur, 6), nt.Vel, rng)
		}
		add(buf, start, nt.Inst)
	}
	rv := newReverb(Hall, Rate)
	for i := range n {
		l, r := rv.frame(float64(mix[2*i]), float64(mix[2*i+1]))
		mix[2*i], mix[2*i+1] = float32(l), float32(r)
	}
	fadeStereo(mix, 1.5)
	out, _, err := Normalize(&pcm.Audio{Rate: Rate, Channels: 2, Samples: mix}, TargetLUFS, CeilingTP)
	return out, err
}

// fadeStereo ramps the last seconds of interleaved stereo to silence.
func fadeStereo(b []float32, seconds float64) {
	frames := len(b) / 2
	k := min(frames, int(seconds*Rate))
	for i := range k {
		g := float32(i) / float32(k)
		j := frames - 1 - i
		b[2*j] *= g
		b[2*j+1] *= g
	}
}

// ornament is the bend of a note of dur seconds, in semitones over time.
func ornament(o Ornament, dur float64) func(float64) float64 {
	switch o {
	case SlideUp:
		return func(t float64) float64 { return -1 * math.Max(0, 1-t/0.12) }
	case SlideDown:
		return func(t float64) float64 {
			start := dur * 0.6
			if t < start {
				return 0
			}
			return -math.Min(1, (t-start)/(dur*0.4+0.05))
		}
	case Vibrato:
		return func(t float64) float64 {
			if t < 0.35 {
				return 0
			}
			return 0.35 * math.Min(1, (t-0.35)/0.4) * math.Sin(2*math.Pi*4.5*(t-0.35))
		}
	}
	return nil
}
