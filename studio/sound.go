package studio

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/sound"
	"miaobi/store"
)

// SoundSpec is what the person chose for a work's sound: a recitation of
// the poem, its music, or both; the music's mode and tempo (empty and 0:
// from the poem's season), its seed (a new seed regenerates it) and how
// many seconds of it to keep (0: all).
type SoundSpec struct {
	Recite bool    `json:"recite"`
	Music  bool    `json:"music"`
	Mode   string  `json:"mode,omitempty"`
	Tempo  float64 `json:"tempo,omitempty"`
	Seed   int64   `json:"seed"`
	Trim   float64 `json:"trim,omitempty"`
}

// SetSound sets the work's sound. The recitation and the music are made
// when the work is published (the bundle's recitation and music files);
// the choice is recorded now, with who made what.
func (s *Studio) SetSound(ctx context.Context, a Actor, id string, base int, spec SoundSpec) (*Work, error) {
	if spec.Mode != "" {
		if _, err := sound.ParseMode(spec.Mode); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, strings.TrimPrefix(err.Error(), "sound: "))
		}
	}
	if spec.Tempo != 0 && (spec.Tempo < 30 || spec.Tempo > 160) {
		return nil, fmt.Errorf("%w: tempo %g: use 30 to 160 beats a minute, or 0 for the season's", ErrInput, spec.Tempo)
	}
	if spec.Trim < 0 || spec.Trim > sound.MaxSeconds {
		return nil, fmt.Errorf("%w: trim %g s: use 0 (all) to %d", ErrInput, spec.Trim, sound.MaxSeconds)
	}
	if spec.Recite {
		if _, err := exec.LookPath("espeak-ng"); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, sound.ErrNoSpeech)
		}
	}
	what := []string{}
	if spec.Recite {
		what = append(what, "recitation")
	}
	if spec.Music {
		what = append(what, "music")
	}
	note := "no sound"
	if len(what) > 0 {
		note = strings.Join(what, " and ")
	}
	return s.update(ctx, a, id, base, a.UserID, "sound", note, "", func(w *store.Work, c *Content) error {
		if len(c.Lines) == 0 {
			return fmt.Errorf("%w: there is no poem yet to read or set to music", ErrInput)
		}
		v := w.Head + 1
		if spec.Recite {
			c.Parts = append(c.Parts, Part{Part: "recitation", By: "ai", Action: "recite", Engine: "miaobi-voice (espeak-ng)", Version: v})
		}
		if spec.Music {
			c.Parts = append(c.Parts, Part{Part: "music", By: "ai", Action: "compose", Engine: "miaobi-music", Model: "pentatonic", Seed: spec.Seed, Version: v})
			if spec.Mode != "" || spec.Tempo != 0 || spec.Trim != 0 {
				c.Parts = append(c.Parts, Part{Part: "music mode, tempo and length", By: a.by(), Action: "choose", Version: v})
			}
		}
		if spec.Recite || spec.Music {
			sp := spec
			c.Sound = &sp
		} else {
			c.Sound = nil
		}
		return nil
	})
}

// Listen makes one sound of a work — "recitation" or "music" — as the next
// published bundle will hold it (labelled and signed), so the person can
// hear it before publishing. It returns the file's name and contents.
func (s *Studio) Listen(ctx context.Context, a Actor, id, part string) (string, []byte, error) {
	w, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return "", nil, err
	}
	if c.Sound == nil || part == "recitation" && !c.Sound.Recite || part == "music" && !c.Sound.Music {
		return "", nil, fmt.Errorf("%w: the work has no %s: choose it under Sound first", ErrNotFound, part)
	}
	if part != "recitation" && part != "music" {
		return "", nil, fmt.Errorf("%w: no sound %q: ask for recitation or music", ErrNotFound, part)
	}
	one := *c.Sound
	one.Recite, one.Music = part == "recitation", part == "music"
	c.Sound = &one
	labelled, err := labelledPoem(c)
	if err != nil {
		return "", nil, err
	}
	files, order, err := s.soundFiles(ctx, c, produceID(w.ID, w.Head+1, c), []byte(labelled))
	if err != nil {
		return "", nil, err
	}
	if len(order) != 1 {
		return "", nil, fmt.Errorf("studio: listen: made %d files for %s", len(order), part)
	}
	return order[0], files[order[0]], nil
}

// soundFiles makes the bundle's sound: the recitation and the music, as
// MP3 when ffmpeg is there (else WAV), each labelled and signed with
// the poem text bound as a component.
func (s *Studio) soundFiles(ctx context.Context, c *Content, pid string, poemTxt []byte) (map[string][]byte, []string, error) {
	if c.Sound == nil {
		return nil, nil, nil
	}
	format := "wav"
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		format = "mp3"
	}
	h := sha256.Sum256(poemTxt)
	prov := func(title, desc string) label.Provenance {
		return label.Provenance{
			ProduceID:   pid,
			Title:       title,
			Description: desc,
			AIGenerated: true,
			Layers:      label.AllLayers,
			Signer:      s.Signer,
			History:     historyActions(c.Parts),
			Components:  []c2pa.Ingredient{{Title: "poem.txt", Format: "text/plain", Relationship: c2pa.RelationComponentOf, Hash: h[:]}},
		}
	}
	var chars []rune
	for _, l := range c.Lines {
		chars = append(chars, []rune(l)...)
	}
	season := -1
	if s.Poems != nil {
		season = s.Poems.Frame.SeasonOf(append([]rune(c.Title), chars...))
	}
	files := map[string][]byte{}
	var order []string
	var bed *sound.Score
	if c.Sound.Music {
		v, err := sound.VerseOf(c.Lines, season, c.Title)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		opt := sound.Options{Seed: uint64(c.Sound.Seed), Tempo: c.Sound.Tempo}
		if c.Sound.Mode != "" {
			m, _ := sound.ParseMode(c.Sound.Mode)
			opt.Mode = &m
		}
		if bed, err = sound.Compose(v, opt); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
	}
	if c.Sound.Recite {
		a, err := sound.Recite(ctx, sound.Recitation{Lines: c.Lines, Verse: sound.IsVerse(c.Lines)})
		if errors.Is(err, sound.ErrNoSpeech) {
			return nil, nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		if err != nil {
			return nil, nil, err
		}
		name := "recitation." + format
		b, err := sound.Encode(ctx, a, format, prov(name, fmt.Sprintf("「%s」 read aloud by Miaobi (espeak-ng, Miaobi's readings and rhythm)", c.Title)))
		if err != nil {
			return nil, nil, err
		}
		files[name] = b
		order = append(order, name)
	}
	if c.Sound.Music {
		a, err := bed.Render()
		if err != nil {
			return nil, nil, err
		}
		if c.Sound.Trim > 0 && c.Sound.Trim < float64(a.Frames())/sound.Rate {
			if a, err = sound.Cut(a, 0, c.Sound.Trim); err == nil {
				a, err = sound.Fade(a, 0, 2)
			}
			if err != nil {
				return nil, nil, err
			}
		}
		name := "music." + format
		b, err := sound.Encode(ctx, a, format, prov(name, fmt.Sprintf("music composed by Miaobi on 「%s」 (%s调, %.0f beats a minute)", c.Title, bed.Mode, bed.Tempo)))
		if err != nil {
			return nil, nil, err
		}
		files[name] = b
		order = append(order, name)
	}
	return files, order, nil
}

// MaxSpeech bounds the characters one speech request may read.
const MaxSpeech = 4096

// Speak reads a text aloud with Miaobi's voice (espeak-ng, Miaobi's
// readings and rhythm: verse of equal lines in its metre, anything else by
// its punctuation) and returns it labelled — the cue, the watermark, the
// AIGC metadata and, for WAV, a signed manifest — as "mp3" or "wav". speed
// scales the reading (0.25–4; 0 or 1: Miaobi's pace).
func (s *Studio) Speak(ctx context.Context, text, format string, speed float64) ([]byte, error) {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > MaxSpeech {
		return nil, fmt.Errorf("%w: give a text of 1 to %d characters", ErrInput, MaxSpeech)
	}
	if format != "mp3" && format != "wav" {
		return nil, fmt.Errorf("%w: Miaobi's voice answers mp3 or wav, not %q", ErrInput, format)
	}
	if speed == 0 {
		speed = 1
	}
	if speed < 0.25 || speed > 4 {
		return nil, fmt.Errorf("%w: speed %g: use 0.25 to 4", ErrInput, speed)
	}
	rec := sound.Recitation{Speed: min(300, max(60, int(130*speed)))}
	var lines []string
	for _, l := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("，。！？；\n,.!?;", r) }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if sound.IsVerse(lines) && len([]rune(lines[0])) >= 4 && len([]rune(lines[0])) <= 7 {
		rec.Lines, rec.Verse = lines, true
	} else {
		rec.Lines = strings.Split(text, "\n")
	}
	a, err := sound.Recite(ctx, rec)
	if errors.Is(err, sound.ErrNoSpeech) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, strings.TrimPrefix(err.Error(), "sound: "))
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID("audio/speech", text, format, fmt.Sprint(speed)),
		Title:       "speech." + format,
		Description: "read aloud by Miaobi's voice (espeak-ng, Miaobi's readings and rhythm)",
		AIGenerated: true,
		Layers:      label.AllLayers,
		Signer:      s.Signer,
	}
	return sound.Encode(ctx, a, format, prov)
}
