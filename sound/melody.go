package sound

// Music from music: a person gives a melody — a MIDI file (read by
// gitlab.com/gomidi/midi/v2) or Miaobi's note text — and Miaobi finds its
// pentatonic mode and continues it (an answering phrase after it) or varies
// it (the same rhythm, some notes moved a step), in the melody's own steps
// and rhythm, ending on the mode's final.
//
// Note text is notes separated by spaces: a degree (宫 商 角 徵 羽, with 低
// or 高 for the octave below or above, 倍低 and 倍高 two away) or a pitch
// (C4, D#4, Bb3), each with :BEATS (default 1); 0 is a rest. A first word
// 宫=D4 sets the pitch of 宫 (default D4), tempo=72 the tempo.
//
//	宫=D4 tempo=66 宫 商 角:2 徵 羽 高宫:2 羽 徵:2

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// MelodyNote is one note of a melody: a MIDI key (60 is middle C; −1 a
// rest) and its length in beats.
type MelodyNote struct {
	Key   int
	Beats float64
}

// Melody is a person's tune.
type Melody struct {
	Notes []MelodyNote
	Tempo float64 // beats a minute; 0 unknown
}

// Limits on a melody read from outside.
const (
	maxMelodyNotes = 2000
	maxNoteBeats   = 64
)

// ReadMIDI reads the melody of a standard MIDI file: the note-ons of the
// track with the most notes, the highest note where several start at once
// (the tune over its chords), each lasting until the next starts; its
// first tempo.
func ReadMIDI(b []byte) (m *Melody, err error) {
	defer func() { // a broken file is an error, not a crash
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("sound: MIDI: damaged file (%v)", r)
		}
	}()
	s, err := smf.ReadFrom(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sound: MIDI: %w", err)
	}
	ticks, ok := s.TimeFormat.(smf.MetricTicks)
	if !ok || ticks == 0 {
		return nil, errors.New("sound: MIDI: only files timed in ticks a beat are read (not SMPTE)")
	}
	m = &Melody{}
	type on struct {
		at  uint64
		key int
	}
	var best []on
	for _, tr := range s.Tracks {
		var at uint64
		var ons []on
		for _, ev := range tr {
			at += uint64(ev.Delta)
			var ch, key, vel uint8
			var bpm float64
			switch {
			case ev.Message.GetNoteStart(&ch, &key, &vel):
				if len(ons) > 0 && ons[len(ons)-1].at == at {
					if int(key) > ons[len(ons)-1].key {
						ons[len(ons)-1].key = int(key)
					}
					continue
				}
				ons = append(ons, on{at, int(key)})
			case ev.Message.GetMetaTempo(&bpm):
				if m.Tempo == 0 && bpm > 0 {
					m.Tempo = bpm
				}
			}
		}
		if len(ons) > len(best) {
			best = ons
		}
	}
	if len(best) == 0 {
		return nil, errors.New("sound: MIDI: the file has no notes")
	}
	if len(best) > maxMelodyNotes {
		return nil, fmt.Errorf("sound: MIDI: %d notes; at most %d are read", len(best), maxMelodyNotes)
	}
	for i, o := range best {
		beats := 1.0
		if i+1 < len(best) {
			beats = float64(best[i+1].at-o.at) / float64(ticks)
		}
		m.Notes = append(m.Notes, MelodyNote{Key: o.key, Beats: math.Min(beats, maxNoteBeats)})
	}
	return m, nil
}

// ParseNotes reads Miaobi's note text (see the package's melody.go).
func ParseNotes(text string) (*Melody, error) {
	gong := 62 // D4
	m := &Melody{}
	fields := strings.Fields(text)
	for i, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok && i < 2 {
			switch k {
			case "宫":
				key, err := pitchKey(v)
				if err != nil {
					return nil, fmt.Errorf("sound: notes: 宫=%s: %v", v, err)
				}
				gong = key
			case "tempo":
				t, err := strconv.ParseFloat(v, 64)
				if err != nil || t < 30 || t > 160 {
					return nil, fmt.Errorf("sound: notes: tempo=%s: use 30 to 160", v)
				}
				m.Tempo = t
			default:
				return nil, fmt.Errorf("sound: notes: unknown setting %q (宫=D4, tempo=72)", f)
			}
			continue
		}
		name, dur, _ := strings.Cut(f, ":")
		beats := 1.0
		if dur != "" {
			var err error
			if beats, err = strconv.ParseFloat(dur, 64); err != nil || beats <= 0 || beats > maxNoteBeats {
				return nil, fmt.Errorf("sound: notes: %q: a length of 0 to %d beats", f, maxNoteBeats)
			}
		}
		key := -1
		if name != "0" {
			var err error
			if key, err = degreeKey(name, gong); err != nil {
				if key, err = pitchKey(name); err != nil {
					return nil, fmt.Errorf("sound: notes: %q is not a note (宫 商 角 徵 羽 with 低/高, or C4, D#4, Bb3)", name)
				}
			}
		}
		m.Notes = append(m.Notes, MelodyNote{Key: key, Beats: beats})
		if len(m.Notes) > maxMelodyNotes {
			return nil, fmt.Errorf("sound: notes: more than %d notes", maxMelodyNotes)
		}
	}
	if len(m.Notes) == 0 {
		return nil, errors.New("sound: notes: no notes")
	}
	return m, nil
}

// degreeKey reads a degree name (高商, 低羽 …) as a MIDI key, 宫 at gong.
func degreeKey(name string, gong int) (int, error) {
	oct := 0
	for _, p := range []struct {
		prefix string
		oct    int
	}{{"倍低", -2}, {"倍高", 2}, {"低", -1}, {"高", 1}} {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok {
			name, oct = rest, p.oct
			break
		}
	}
	for i, n := range modeNames {
		if name == n {
			return gong + 12*oct + degreeSemis[i], nil
		}
	}
	return 0, fmt.Errorf("not a degree")
}

// pitchKey reads C4, D#4, Bb3 as a MIDI key.
func pitchKey(s string) (int, error) {
	if len(s) < 2 {
		return 0, errors.New("too short")
	}
	base := map[byte]int{'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}
	k, ok := base[s[0]&^0x20]
	if !ok {
		return 0, errors.New("not a pitch")
	}
	rest := s[1:]
	switch {
	case strings.HasPrefix(rest, "#"):
		k++
		rest = rest[1:]
	case strings.HasPrefix(rest, "b"):
		k--
		rest = rest[1:]
	}
	oct, err := strconv.Atoi(rest)
	if err != nil || oct < 0 || oct > 8 {
		return 0, errors.New("octave 0 to 8")
	}
	return 12*(oct+1) + k, nil
}

// Key finds the melody's pentatonic set: the 宫 pitch class whose five
// notes hold the most of the melody's sounding beats, and the mode, named
// by the last note's degree (else 宫); fit is the share of beats in the
// set.
func (m *Melody) Key() (gong int, mode Mode, fit float64) {
	var weight [12]float64
	var total float64
	for _, n := range m.Notes {
		if n.Key >= 0 {
			weight[n.Key%12] += n.Beats
			total += n.Beats
		}
	}
	best := -1.0
	for g := range 12 {
		var w float64
		for _, s := range degreeSemis {
			w += weight[(g+s)%12]
		}
		if w > best {
			best, gong = w, g
		}
	}
	if total > 0 {
		fit = best / total
	}
	for i := len(m.Notes) - 1; i >= 0; i-- {
		if k := m.Notes[i].Key; k >= 0 {
			for d, s := range degreeSemis {
				if (gong+s)%12 == k%12 {
					return gong, Mode(d), fit
				}
			}
			break
		}
	}
	return gong, Gong, fit
}

// FromMelody makes a score of the person's melody followed by Miaobi's
// answer: a continuation (vary false: as many notes again, in the
// melody's own steps and rhythm, closing on the final) or a variation
// (vary true: the melody again with some notes moved a step). The
// person's notes are kept as they are, snapped to the mode's scale only
// where they leave it.
func FromMelody(m *Melody, o Options, vary bool) (*Score, error) {
	if m == nil || len(m.Notes) == 0 {
		return nil, errors.New("sound: no melody")
	}
	gongPC, mode, _ := m.Key()
	if o.Mode != nil {
		mode = *o.Mode
	}
	// 宫 in the octave that puts the melody's first pitched note near the
	// middle degrees.
	first := 62
	for _, n := range m.Notes {
		if n.Key >= 0 {
			first = n.Key
			break
		}
	}
	gongKey := first - ((first-gongPC)%12+12)%12
	rng := rand.New(rand.NewPCG(o.Seed, 0x6d656c6f6479))
	s := &Score{Mode: mode, Tonic: 440 * math.Pow(2, float64(gongKey-69)/12), Tempo: m.Tempo, Seed: o.Seed, Season: -1}
	if o.Tempo != 0 {
		s.Tempo = o.Tempo
	}
	if s.Tempo < 30 || s.Tempo > 160 {
		s.Tempo = 72
	}
	degreeOf := func(key int) int { // nearest degree at or below
		rel := key - gongKey
		oct := int(math.Floor(float64(rel) / 12))
		st := rel - 12*oct
		d := 0
		for i, x := range degreeSemis {
			if x <= st {
				d = i
			}
		}
		return 5*oct + d
	}
	final := int(mode)
	beat := 0.0
	var degs []int
	var lens []float64
	for _, n := range m.Notes {
		if n.Key >= 0 {
			d := degreeOf(n.Key)
			s.Notes = append(s.Notes, Note{At: beat, Len: n.Beats, Degree: d, Inst: Guzheng, Vel: 0.8})
			degs = append(degs, d)
			lens = append(lens, n.Beats)
		}
		beat += n.Beats
	}
	if len(degs) == 0 {
		return nil, errors.New("sound: the melody has only rests")
	}
	s.Notes = append(s.Notes, Note{At: 0, Len: 2, Degree: final - 5, Inst: Guqin, Vel: 0.5})
	beat += 1 // a breath before the answer
	answerAt := beat
	s.Notes = append(s.Notes, Note{At: beat, Len: 2, Degree: final - 5, Inst: Guqin, Vel: 0.5})
	steps := map[int]int{}
	for i := 1; i < len(degs); i++ {
		steps[max(-3, min(3, degs[i]-degs[i-1]))]++
	}
	lo, hi := minMax(degs)
	lo, hi = min(lo, final-1), max(hi, final+2)
	n := len(degs)
	cur := degs[n-1]
	for i := range n {
		var d int
		if vary {
			d = degs[i]
			if i > 0 && i < n-1 && rng.Float64() < 0.35 {
				d += []int{-1, 1}[rng.IntN(2)]
			}
		} else {
			d = cur + sampleStep(steps, rng)
			if i >= n-2 { // close on the final, approached by step
				if i == n-1 {
					d = final
				} else if d == final {
					d = final + 1
				}
			}
		}
		d = clampDegree(d, lo, hi)
		if i == n-1 {
			d = final
		}
		l := lens[i%len(lens)]
		if i == n-1 {
			l = math.Max(l, 2)
		}
		s.Notes = append(s.Notes, Note{At: beat, Len: l, Degree: d, Inst: Guzheng, Vel: 0.75})
		if i%4 == 0 {
			s.Notes = append(s.Notes, Note{At: beat, Len: l, Degree: d + 5, Inst: Flute, Vel: 0.25})
		}
		cur = d
		beat += l
	}
	s.Beats = beat
	s.RitAt = answerAt + (beat-answerAt)*0.6
	return s, nil
}

// sampleStep draws a melodic step from the melody's own (add-one
// smoothed over −3…3).
func sampleStep(steps map[int]int, rng *rand.Rand) int {
	total := 0
	for d := -3; d <= 3; d++ {
		total += steps[d] + 1
	}
	x := rng.IntN(total)
	for d := -3; d <= 3; d++ {
		x -= steps[d] + 1
		if x < 0 {
			return d
		}
	}
	return 0
}

func minMax(xs []int) (int, int) {
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// WriteMIDI writes a score's guzheng line as a one-track MIDI file (for a
// person to take into other tools).
func WriteMIDI(s *Score) ([]byte, error) {
	f := smf.New()
	const ticks = 480
	f.TimeFormat = smf.MetricTicks(ticks)
	var tr smf.Track
	tr.Add(0, smf.MetaTempo(s.Tempo))
	gong := 69 + 12*math.Log2(s.Tonic/440)
	type ev struct {
		at  uint32
		on  bool
		key uint8
	}
	var evs []ev
	for _, n := range s.Notes {
		if n.Inst != Guzheng {
			continue
		}
		oct := int(math.Floor(float64(n.Degree) / 5))
		key := int(math.Round(gong)) + 12*oct + degreeSemis[n.Degree-5*oct]
		if key < 0 || key > 127 {
			continue
		}
		evs = append(evs, ev{uint32(n.At * ticks), true, uint8(key)}, ev{uint32((n.At + n.Len) * ticks), false, uint8(key)})
	}
	// In time order, note-offs before note-ons at the same tick.
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && (evs[j].at < evs[j-1].at || evs[j].at == evs[j-1].at && !evs[j].on && evs[j-1].on); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	var last uint32
	for _, e := range evs {
		msg := midi.NoteOff(0, e.key)
		if e.on {
			msg = midi.NoteOn(0, e.key, 90)
		}
		tr.Add(e.at-last, msg)
		last = e.at
	}
	tr.Close(0)
	if err := f.Add(tr); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
