package label

import (
	"math"
	"time"
)

// The explicit label of audio (GB 45438 §5.3 c): the rhythm 「短长短短」,
// "AI" in Morse code (·− ··). Miaobi plays it as an 800 Hz tone at the
// start: short beats of 120 ms, a long one of 360 ms, gaps of 120 ms
// within a letter and 360 ms between the letters (Morse timing: one unit,
// three units), each beat shaped by 5 ms raised-cosine ramps, amplitude
// 0.5; 300 ms of silence then separate it from the content. The standard
// fixes only the pattern; the tone and timing follow gtkit/aigc, with
// the letter gap of proper Morse.

const (
	rhythmHz    = 800
	rhythmAmp   = 0.5
	rhythmRamp  = 5 * time.Millisecond
	rhythmFrame = 10 * time.Millisecond // the detector's frame
	// rhythmMinScore is the share of frames of every beat and gap that
	// must match the pattern.
	rhythmMinScore = 0.8
)

// rhythmRun is a beat or a gap of the cue, in 10 ms steps.
type rhythmRun struct {
	start, n int
	on       bool
}

// rhythmRuns splits rhythmPattern into its beats and gaps.
var rhythmRuns = func() []rhythmRun {
	var runs []rhythmRun
	for i, on := range rhythmPattern {
		if i == 0 || on != rhythmPattern[i-1] {
			runs = append(runs, rhythmRun{start: i, on: on})
		}
		runs[len(runs)-1].n++
	}
	return runs
}()

// rhythmPattern is the cue in 10 ms steps: tone on or off.
var rhythmPattern = func() []bool {
	var p []bool
	add := func(on bool, ms int) {
		for i := 0; i < ms/10; i++ {
			p = append(p, on)
		}
	}
	add(true, 120)  // ·
	add(false, 120) //
	add(true, 360)  // −
	add(false, 360) // letter gap
	add(true, 120)  // ·
	add(false, 120) //
	add(true, 120)  // ·
	add(false, 300) // silence before the content
	return p
}()

// RhythmDuration is the length of the cue PrependRhythm adds, silence
// included.
var RhythmDuration = time.Duration(len(rhythmPattern)) * rhythmFrame

// PrependRhythm returns a new Audio that plays the 「短长短短」 cue, then
// a. The cue is the same on every channel. a is not changed.
func PrependRhythm(a *Audio) *Audio {
	if a == nil {
		return nil
	}
	rate, ch := a.Rate, max(1, a.Channels)
	if rate <= 0 {
		return a.Clone()
	}
	// stepAt is the first sample of 10 ms step i.
	stepAt := func(i int) int { return int(int64(i) * int64(rate) * int64(rhythmFrame/time.Millisecond) / 1000) }
	n := stepAt(len(rhythmPattern))
	out := &Audio{Rate: rate, Channels: ch, Samples: make([]float32, (n+a.Frames())*ch)}
	ramp := float64(rate) * rhythmRamp.Seconds()
	for i := 0; i < len(rhythmPattern); {
		if !rhythmPattern[i] {
			i++
			continue
		}
		j := i
		for j < len(rhythmPattern) && rhythmPattern[j] {
			j++
		}
		start, end := stepAt(i), stepAt(j)
		for k := start; k < end; k++ {
			t := float64(k - start)
			g := 1.0
			if r := math.Min(t+0.5, float64(end-k)-0.5); r < ramp {
				g = 0.5 - 0.5*math.Cos(math.Pi*r/ramp)
			}
			v := float32(rhythmAmp * g * math.Sin(2*math.Pi*rhythmHz*t/float64(rate)))
			for c := 0; c < ch; c++ {
				out.Samples[k*ch+c] = v
			}
		}
		i = j
	}
	copy(out.Samples[n*ch:], a.Samples[:a.Frames()*ch])
	return out
}

// FindRhythm looks for the 「短长短短」 cue anywhere in a. It splits the
// sound into 10 ms frames and calls a frame "on" when its energy is
// mostly an 800 Hz tone (Goertzel) and not too faint. At each start it
// takes, for each beat and gap of the cue (the closing silence included
// as far as the sound goes), the share of its frames that agree, leaving
// out its first and last frame (which allows timing errors of a frame);
// score is the worst of those shares at the best start. It reports found
// when the score is at least 0.8. It survives MP3 coding, noise and a
// change of volume.
func FindRhythm(a *Audio) (found bool, score float64) {
	score, _ = findRhythm(a)
	return score >= rhythmMinScore, score
}

// findRhythm gives the best score and where the cue starts.
func findRhythm(a *Audio) (float64, time.Duration) {
	if a == nil || a.Rate < 2*rhythmHz+1 || a.Channels < 1 {
		return 0, 0
	}
	x := a.Mono()
	frame := max(1, int(math.Round(float64(a.Rate)*rhythmFrame.Seconds())))
	nf := len(x) / frame
	if nf < len(rhythmPattern)-30 { // the closing silence may be cut
		return 0, 0
	}
	on := make([]bool, nf)
	w := 2 * math.Pi * rhythmHz / float64(a.Rate)
	coef := 2 * math.Cos(w)
	for f := range on {
		var s1, s2, e float64
		for _, v := range x[f*frame : (f+1)*frame] {
			s := float64(v) + coef*s1 - s2
			s2, s1 = s1, s
			e += float64(v) * float64(v)
		}
		power := s1*s1 + s2*s2 - coef*s1*s2
		rms := math.Sqrt(e / float64(frame))
		on[f] = rms > 0.005 && power > 0.6*e*float64(frame)/2
	}
	best, at := 0.0, 0
	for p := 0; p < nf; p++ {
		if !on[p] && !(p+1 < nf && on[p+1]) {
			continue // the cue starts with a beat
		}
		// The score is that of the worst beat or gap: the share of its
		// frames, less the first and the last, that agree.
		worst := 1.0
		for _, r := range rhythmRuns {
			match, total := 0, 0
			for i := r.start + 1; i < r.start+r.n-1; i++ {
				if p+i >= nf {
					break
				}
				total++
				if on[p+i] == r.on {
					match++
				}
			}
			if total == 0 {
				if r.start+r.n < len(rhythmPattern) {
					worst = 0 // only the closing silence may run past the end
				}
				continue
			}
			worst = min(worst, float64(match)/float64(total))
		}
		if worst > best {
			best, at = worst, p
		}
	}
	return best, time.Duration(at) * rhythmFrame
}
