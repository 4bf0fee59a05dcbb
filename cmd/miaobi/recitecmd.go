package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/engine"
	"miaobi/label"
	"miaobi/models"
	"miaobi/poem"
	"miaobi/sound"
	"miaobi/sound/pcm"
)

const reciteHelp = `Usage: miaobi recite [FILE | -] -o OUT.wav|OUT.mp3 [flags]

Reads a poem (or any Chinese text) aloud and writes it labelled as
AI-generated: the 「短长短短」 cue, the watermark, the AIGC metadata and,
for WAV, a signed C2PA manifest. The voice is espeak-ng's Mandarin (apt
install espeak-ng), speaking Miaobi's own readings ('miaobi pinyin
--sandhi' shows them): polyphones by word, 一/不 and third-tone sandhi.
Verse is read in its rhythm — a breath at the caesura (2+3, 2+2+3), a pause
at each line's end, a longer one at each couplet's, the last line slower;
other text is read by its punctuation. --music lays the poem's own music
(as 'miaobi music' composes it) under the voice, ducked while it speaks.
Output is normalised to −16 LUFS, true peak ≤ −1 dBTP.

  miaobi poem -k 秋,雨 | miaobi recite - -o r.mp3

Flags:
`

func runRecite(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("recite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file: .wav (labelled and signed) or .mp3 (needs ffmpeg)")
	music := fs.Bool("music", false, "the poem's music under the voice")
	speed := fs.Int("speed", 130, "syllables a minute, 60–300")
	pitch := fs.Int("pitch", 40, "voice pitch, 0–99")
	seed := fs.Int64("seed", 1, "seed of the music bed")
	engineName := fs.String("engine", "", "have a configured speech engine read instead (see 'miaobi engines'); Miaobi labels and signs what it sends")
	model := fs.String("model", "", "with --engine: the speech model (default: the engine's)")
	voice := fs.String("voice", "", "with --engine: the voice (default alloy)")
	enginesFile := fs.String("engines", "", "with --engine: the engines file (default $MIAOBI_HOME/engines.conf)")
	fs.Usage = func() { fmt.Fprint(stderr, reciteHelp); fs.PrintDefaults() }
	// The file may come before the flags: miaobi recite poem.txt -o r.wav.
	var input string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") || len(args) > 0 && args[0] == "-" {
		input, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi recite: %v\n", err)
		return code
	}
	if fs.NArg() > 1 || input != "" && fs.NArg() > 0 {
		return fail(2, errors.New("give one text file, or - for standard input"))
	}
	if input == "" {
		input = "-"
		if fs.NArg() == 1 {
			input = fs.Arg(0)
		}
	}
	if *out == "" {
		return fail(2, errors.New("give the output file with -o (.wav or .mp3)"))
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if format != "wav" && format != "mp3" {
		return fail(2, fmt.Errorf("-o %s: write .wav or .mp3", *out))
	}
	text, err := readPoemFile(input, stdin)
	if err != nil {
		return fail(2, err)
	}
	rec, title := sound.RecitationOf(text)
	rec.Speed, rec.Pitch = *speed, *pitch
	if *music {
		v, err := sound.VerseOf(rec.Lines, seasonOf(rec.Lines), title)
		if err != nil {
			return fail(2, err)
		}
		if rec.Bed, err = sound.Compose(v, sound.Options{Seed: uint64(*seed)}); err != nil {
			return fail(2, err)
		}
	}
	start := time.Now()
	meta := soundMeta{description: "recitation by Miaobi (espeak-ng Mandarin, Miaobi's readings and rhythm)"}
	var a *pcm.Audio
	if *engineName != "" {
		if a, meta.agent, err = engineSpeech(*engineName, *model, *voice, *enginesFile, strings.Join(rec.Lines, "\n")); err != nil {
			return fail(1, err)
		}
		meta.description = "recitation by the speech engine " + meta.agent + "; labelled and signed by Miaobi"
		if rec.Bed != nil {
			music, err := rec.Bed.Render()
			if err == nil {
				a, err = sound.Duck(a, music, 14)
			}
			if err != nil {
				return fail(1, err)
			}
		}
	} else {
		a, err = sound.Recite(context.Background(), rec)
		if errors.Is(err, sound.ErrNoSpeech) {
			return fail(1, err)
		}
		if err != nil {
			return fail(2, err)
		}
	}
	took := time.Since(start)
	meta.id = label.ProduceID("recite", strings.Join(rec.Lines, "/"), fmt.Sprint(*music, *speed, *pitch, *seed, *engineName, *model, *voice))
	if err := writeSound(a, *out, meta); err != nil {
		return fail(1, err)
	}
	secs := float64(a.Frames()) / float64(a.Rate)
	fmt.Fprintf(stdout, "recited %d lines → %s: %.1f s (made in %.2f s, %.0f× real time)\n", len(rec.Lines), *out, secs, took.Seconds(), secs/took.Seconds())
	return 0
}

// seasonOf is the season the lines speak of by the poem models' frame.
func seasonOf(lines []string) int {
	e, err := poem.Load(models.Poem())
	if err != nil {
		return -1
	}
	return e.Frame.SeasonOf([]rune(strings.Join(lines, "")))
}

// engineSpeech has a speech engine read text and brings what it sends to
// stereo at sound.Rate, decoded within Miaobi's limits; it returns the
// sound and "engine/model".
func engineSpeech(name, model, voice, file, text string) (*pcm.Audio, string, error) {
	c, err := engineConfig(name, file)
	if err != nil {
		return nil, "", err
	}
	se, err := engine.OpenSpeech(c)
	if err != nil {
		return nil, "", err
	}
	defer se.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := se.Speak(ctx, engine.SpeechRequest{Model: model, Voice: voice, Input: text, Format: "wav"})
	if err != nil {
		return nil, "", err
	}
	st, err := sound.Load(ctx, r.Data)
	if err != nil {
		return nil, "", fmt.Errorf("engine %s sent a sound Miaobi will not read: %w", name, err)
	}
	return st, r.Engine + "/" + r.Model, err
}
