package sound

// Recitation (朗读) of a poem or any text: espeak-ng (Debian) speaks
// Miaobi's own pinyin — polyphones read by word, 一/不 and third-tone
// sandhi applied (package hanzi) — given to it as Mandarin phonemes, one
// rhythmic unit at a time, so that Miaobi, not the synthesiser, decides
// both the readings and the rhythm:
//
//   - a line of verse is cut at its caesura (五言 2+3, 七言 2+2+3), with a
//     short breath between units, a longer pause at each line's end and a
//     longer one at each couplet's; the last line is read more slowly;
//   - prose is cut at its punctuation, with pauses by the mark.
//
// Under the voice a music bed may play (the poem's own music, composed as
// in music.go), ducked by 10 dB wherever the voice speaks.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"

	"miaobi/hanzi"
	"miaobi/label"
	"miaobi/prosody"
	"miaobi/sound/pcm"
)

// ErrNoSpeech is returned when espeak-ng is not installed.
var ErrNoSpeech = errors.New("sound: espeak-ng is needed to recite (apt install espeak-ng)")

// espeak initials and finals for pinyin spellings (letters, ü as v).
var (
	espeakInitials = map[string]string{
		"b": "p", "p": "ph", "m": "m", "f": "f", "d": "t", "t": "th", "n": "n", "l": "l",
		"g": "k", "k": "kh", "h": "x", "j": "tc", "q": "tch", "x": "c",
		"zh": "ts.", "ch": "ts.h", "sh": "s.", "r": "z.", "z": "ts", "c": "tsh", "s": "s",
	}
	// Each final: the phonemes before the tone, and after it (a nasal coda).
	espeakFinals = map[string][2]string{
		"a": {"a", ""}, "o": {"o", ""}, "e": {"@", ""}, "i": {"i", ""}, "u": {"u", ""}, "v": {"y", ""},
		"ai": {"ai", ""}, "ei": {"ei", ""}, "ao": {"Au", ""}, "ou": {"ou", ""},
		"an": {"a", "n"}, "en": {"@", "n"}, "ang": {"A", "N"}, "eng": {"@", "N"}, "ong": {"ong", ""},
		"er": {"@r", ""},
		"ia": {"ja", ""}, "ie": {"jE", ""}, "iao": {"jAu", ""}, "iu": {"jou", ""}, "ian": {"jE", "n"},
		"in": {"i", "n"}, "iang": {"jA", "N"}, "ing": {"i", "N"}, "iong": {"jong", ""},
		"ua": {"wa", ""}, "uo": {"uo", ""}, "uai": {"uai", ""}, "ui": {"uei", ""}, "uan": {"wa", "n"},
		"un": {"w@", "n"}, "uang": {"wA", "N"}, "ueng": {"w@", "N"},
		"ve": {"yE", ""}, "van": {"yE", "n"}, "vn": {"y", "n"},
	}
	espeakTones = [...]string{"11", "55", "35", "214", "51", "11"}
)

// Phonemes spells one pinyin syllable (letters, ü as v, no tone) with tone
// t (1–5) in espeak-ng's Mandarin phonemes: 行 hang 2 → "x'A35N".
func Phonemes(syllable string, t int) (string, error) {
	s := syllable
	if t < 1 || t > 5 {
		return "", fmt.Errorf("sound: tone %d of %q", t, syllable)
	}
	// The spellings with y and w, and ü written u after j, q, x and y.
	switch {
	case s == "yi" || s == "yin" || s == "ying":
		s = s[1:]
	case s == "wu":
		s = "u"
	case strings.HasPrefix(s, "yu"):
		s = "v" + s[2:]
	case strings.HasPrefix(s, "y"):
		s = "i" + s[1:]
		if s == "iou" {
			s = "iu"
		}
	case strings.HasPrefix(s, "w"):
		s = "u" + s[1:]
		switch s {
		case "uei":
			s = "ui"
		case "uen":
			s = "un"
		}
	}
	ini := ""
	for _, n := range []int{2, 1} {
		if len(s) > n && espeakInitials[s[:n]] != "" {
			ini, s = s[:n], s[n:]
			break
		}
	}
	if (ini == "j" || ini == "q" || ini == "x") && strings.HasPrefix(s, "u") {
		s = "v" + s[1:]
	}
	fin, ok := espeakFinals[s]
	if s == "i" {
		switch ini {
		case "z", "c", "s":
			fin = [2]string{"i[", ""}
		case "zh", "ch", "sh", "r":
			fin = [2]string{"i.", ""}
		}
	}
	if !ok {
		return "", fmt.Errorf("sound: no phonemes for the pinyin %q", syllable)
	}
	stress := "'"
	if t == 5 {
		stress = ""
	}
	return espeakInitials[ini] + stress + fin[0] + espeakTones[t] + fin[1], nil
}

// Recitation is how to read.
type Recitation struct {
	Lines []string // lines of verse, or paragraphs of prose
	Verse bool     // read as verse: caesuras, line and couplet pauses
	Speed int      // espeak-ng words a minute (default 130; syllables here)
	Pitch int      // espeak-ng pitch 0–99 (default 40)
	Bed   *Score   // music under the voice, or nil
}

// speechUnit is one stretch espeak-ng speaks, and the pause after it.
type speechUnit struct {
	phonemes string
	pause    time.Duration
	slow     bool
	said     Said // its line and characters; the times are filled in when spoken
}

// Said is when a stretch of the text was spoken: the Chinese characters
// From to To (not counting other characters; To excluded) of line Line,
// between Start and End seconds of the recitation.
type Said struct {
	Line, From, To int
	Start, End     float64
}

// units cuts the recitation into what espeak-ng speaks at a time.
func (r *Recitation) units() ([]speechUnit, error) {
	var out []speechUnit
	read := hanzi.Pinyin
	if r.Verse {
		read = hanzi.ReadVerse
	}
	for li, line := range r.Lines {
		syl, err := read(line)
		if err != nil {
			return nil, err
		}
		last := li == len(r.Lines)-1
		var cur []string
		han := 0
		nHan := 0
		for _, s := range syl {
			if s.Pinyin != "" {
				nHan++
			}
		}
		flush := func(pause time.Duration) {
			if len(cur) > 0 {
				out = append(out, speechUnit{phonemes: strings.Join(cur, " "), pause: pause, slow: last && r.Verse,
					said: Said{Line: li, From: han - len(cur), To: han}})
				cur = cur[:0]
			} else if len(out) > 0 && pause > out[len(out)-1].pause {
				out[len(out)-1].pause = pause
			}
		}
		for _, s := range syl {
			if s.Pinyin == "" {
				if !r.Verse {
					flush(punctPause(s.Char))
				}
				continue
			}
			p, err := Phonemes(s.Pinyin, s.Spoken)
			if err != nil {
				return nil, err
			}
			cur = append(cur, p)
			han++
			if r.Verse && han < nHan && unitEnd(nHan, han-1) {
				flush(180 * time.Millisecond)
			}
		}
		end := 450 * time.Millisecond
		switch {
		case !r.Verse:
			end = 600 * time.Millisecond
		case last:
			end = 1500 * time.Millisecond
		case li%2 == 1:
			end = 900 * time.Millisecond
		}
		flush(end)
	}
	if len(out) == 0 {
		return nil, errors.New("sound: nothing to recite: the text has no Chinese characters")
	}
	return out, nil
}

// RecitationOf reads a text as 'miaobi recite' does: verse (two or more
// lines of one length, as 'miaobi poem' prints them) to be read in its
// rhythm, its title returned apart; anything else as prose, line by line,
// without Miaobi's own label line.
func RecitationOf(text string) (Recitation, string) {
	if p, err := prosody.ParsePoem(text); err == nil && IsVerse(p.Lines) {
		return Recitation{Lines: p.Lines, Verse: true}, p.Title
	}
	var r Recitation
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, "本内容由AI生成") {
			r.Lines = append(r.Lines, l)
		}
	}
	return r, ""
}

// IsVerse reports whether lines read as verse: two or more, all of one
// length.
func IsVerse(lines []string) bool {
	for _, l := range lines {
		if len([]rune(l)) != len([]rune(lines[0])) {
			return false
		}
	}
	return len(lines) >= 2
}

// punctPause is the pause after a punctuation mark in prose.
func punctPause(r rune) time.Duration {
	switch {
	case strings.ContainsRune("。！？!?.；;", r):
		return 600 * time.Millisecond
	case strings.ContainsRune("，,、：:", r):
		return 300 * time.Millisecond
	case unicode.IsSpace(r):
		return 0
	}
	return 150 * time.Millisecond
}

// Recite speaks the recitation with espeak-ng and returns it at Rate in
// stereo, normalised to TargetLUFS and CeilingTP, the music bed (if any)
// under it.
func Recite(ctx context.Context, r Recitation) (*pcm.Audio, error) {
	a, _, err := ReciteTimed(ctx, r)
	return a, err
}

// ReciteTimed is Recite that also says when each stretch of the text was
// spoken, in order, so that pictures can follow the voice (a film writes
// each character as it is read).
func ReciteTimed(ctx context.Context, r Recitation) (*pcm.Audio, []Said, error) {
	a, said, err := recite(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	return a, said, nil
}

func recite(ctx context.Context, r Recitation) (*pcm.Audio, []Said, error) {
	espeak, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, nil, ErrNoSpeech
	}
	if r.Speed == 0 {
		r.Speed = 130
	}
	if r.Pitch == 0 {
		r.Pitch = 40
	}
	if r.Speed < 60 || r.Speed > 300 || r.Pitch < 0 || r.Pitch > 99 {
		return nil, nil, fmt.Errorf("sound: recite: speed %d (60–300) or pitch %d (0–99) out of range", r.Speed, r.Pitch)
	}
	units, err := r.units()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "miaobi-recite-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	lead := 0.8 // seconds of silence (or music) before the voice
	voice := make([]float32, int(lead*Rate)*2)
	var said []Said
	// espeak-ng speaks every unit at once, as many at a time as there are
	// cores; the units are then laid out in order.
	spoken := make([][]byte, len(units))
	errs := make([]error, len(units))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, u := range units {
		speed := r.Speed
		if u.slow {
			speed = speed * 8 / 10
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			path := filepath.Join(dir, fmt.Sprintf("u%d.wav", i))
			cmd := exec.CommandContext(ctx, espeak, "-v", "cmn", "-s", fmt.Sprint(speed), "-p", fmt.Sprint(r.Pitch), "-w", path, "[["+u.phonemes+"]]")
			if msg, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("sound: espeak-ng: %v: %s", err, strings.TrimSpace(string(msg)))
				return
			}
			spoken[i], errs[i] = os.ReadFile(path)
		}()
	}
	wg.Wait()
	for i, u := range units {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		a, err := label.DecodeWAV(spoken[i])
		if err != nil {
			return nil, nil, fmt.Errorf("sound: espeak-ng's WAV: %w", err)
		}
		s, err := Play(trimSilence(a))
		if err != nil {
			return nil, nil, err
		}
		seg, err := Render(s)
		if err != nil {
			return nil, nil, err
		}
		u.said.Start = float64(len(voice)/2) / Rate
		u.said.End = u.said.Start + float64(seg.Frames())/Rate
		said = append(said, u.said)
		voice = append(voice, seg.Samples...)
		voice = append(voice, make([]float32, int(u.pause.Seconds()*Rate)*2)...)
		if len(voice)/2 > MaxSeconds*Rate {
			return nil, nil, ErrTooLong
		}
	}
	out := &pcm.Audio{Rate: Rate, Channels: 2, Samples: voice}
	addRoomTone(out)
	if r.Bed != nil {
		if out, err = underVoice(out, r.Bed); err != nil {
			return nil, nil, err
		}
	}
	norm, _, err := Normalize(out, TargetLUFS, CeilingTP)
	if err != nil {
		return nil, nil, err
	}
	return norm, said, nil
}

// roomTone is how far below the voice's loudness its room tone lies:
// 40 dB, about as quiet as a quiet room recorded with it (−56 LUFS once
// the voice is at −16).
const roomTone = 40.0

// addRoomTone lays a soft, steady, pink-ish noise under a voice. Between
// its words a voice is silence, and silence carries no watermark (the mark
// follows the sound's own spectrum); the room tone carries it through the
// pauses, so that a short recitation still holds its mark. Deterministic:
// the noise is seeded by the sound's length.
func addRoomTone(a *pcm.Audio) {
	li, err := integrated(a)
	if err != nil || math.IsInf(li, -1) {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(a.Frames()), 0x726f6f6d))
	// Pink-ish: the sum of three one-pole low-passes of white noise.
	var p1, p2, p3 float64
	noise := make([]float32, len(a.Samples))
	for i := range a.Frames() {
		w := rng.Float64()*2 - 1
		p1 = 0.99*p1 + 0.1*w
		p2 = 0.95*p2 + 0.3*w
		p3 = 0.6*p3 + 0.5*w
		v := float32(p1 + p2 + p3)
		noise[2*i], noise[2*i+1] = v, v
	}
	tone := &pcm.Audio{Rate: a.Rate, Channels: 2, Samples: noise}
	ln, err := integrated(tone)
	if err != nil || math.IsInf(ln, -1) {
		return
	}
	g := float32(math.Pow(10, (li-roomTone-ln)/20))
	for i := range a.Samples {
		a.Samples[i] += g * noise[i]
	}
}

// trimSilence cuts espeak-ng's leading and trailing near-silence.
func trimSilence(a *pcm.Audio) *pcm.Audio {
	c := a.Channels
	n := a.Frames()
	loud := func(i int) bool { return math.Abs(float64(a.Samples[i*c])) > 0.004 }
	s, e := 0, n
	for s < n && !loud(s) {
		s++
	}
	for e > s && !loud(e-1) {
		e--
	}
	pad := a.Rate / 50 // keep 20 ms either side
	s, e = max(0, s-pad), min(n, e+pad)
	return &pcm.Audio{Rate: a.Rate, Channels: c, Samples: a.Samples[s*c : e*c]}
}

// underVoice mixes the score's music under the voice (see Duck).
func underVoice(voice *pcm.Audio, bed *Score) (*pcm.Audio, error) {
	music, err := bed.Render()
	if err != nil {
		return nil, err
	}
	return Duck(voice, music, 14)
}

// Duck mixes bed under fore (both stereo at Rate): below fore's loudness
// by under dB where nothing is heard of fore, ducked a further 10 dB
// (80 ms attack, 400 ms release) where it is; the bed is cut to fore's
// length and faded out over its last 2 s.
func Duck(fore, bed *pcm.Audio, under float64) (*pcm.Audio, error) {
	if err := checkStereo(fore); err != nil {
		return nil, err
	}
	if err := checkStereo(bed); err != nil {
		return nil, err
	}
	n := fore.Frames()
	vl, err := integrated(fore)
	if err != nil {
		return nil, err
	}
	ml, err := integrated(bed)
	if err != nil {
		return nil, err
	}
	if math.IsInf(vl, -1) || math.IsInf(ml, -1) {
		return fore.Clone(), nil
	}
	base := math.Pow(10, (vl-under-ml)/20)
	// The foreground's envelope, 10 ms steps.
	step := Rate / 100
	env := make([]float64, n/step+1)
	for i := range n {
		v := math.Abs(float64(fore.Samples[2*i]))
		env[i/step] = math.Max(env[i/step], v)
	}
	gain := 1.0
	out := fore.Clone()
	fade := 2 * Rate
	release, attack := 1-math.Exp(-1/(0.4*Rate)), 1-math.Exp(-1/(0.08*Rate))
	for i := range n {
		target := 1.0
		if env[i/step] > 0.02 {
			target = math.Pow(10, -10.0/20)
		}
		k := release
		if target < gain {
			k = attack
		}
		gain += k * (target - gain)
		g := base * gain
		if i > n-fade {
			g *= float64(n-i) / float64(fade)
		}
		if i < bed.Frames() {
			out.Samples[2*i] += float32(g) * bed.Samples[2*i]
			out.Samples[2*i+1] += float32(g) * bed.Samples[2*i+1]
		}
	}
	return out, nil
}
