package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/label"
	"miaobi/sound"
	"miaobi/sound/pcm"
)

const soundEditHelp = `Usage: miaobi sound edit IN -o OUT.wav|OUT.mp3 [edits]

Edits a sound (WAV and MP3 read in Go; any other format through ffmpeg)
and writes it labelled (c2pa.edited, the input as its ingredient) and
normalised to −16 LUFS, true peak ≤ −1 dBTP. The edits run in this
order, each only when asked for:

  --cut 1.5-10      keep 1.5 s to 10 s (10 may be left out: to the end)
  --append FILE     then FILE after it, --crossfade S seconds (default 0.5)
  --tempo 1.2       faster (or < 1 slower) without changing the pitch
  --pitch -3        semitones up or down without changing the length
  --eq 3,0,-2       low shelf (120 Hz), mid (1 kHz), high shelf (8 kHz), dB
  --gate -45        silence what stays under -45 dBFS
  --gain -3         decibels
  --fade-in 0.5 --fade-out 2
  --reverb 0.5      a hall, 0 (dry) to 1 (wet), with its tail
  --under FILE      FILE under the sound, 14 dB down, ducked while it plays
  --loudnorm        normalise to −16 LUFS, true peak ≤ −1 dBTP: always done,
                    the flag is accepted for scripts that ask for it

  miaobi sound edit voice.mp3 --pitch -2 --reverb 0.3 -o voice-low.wav

Flags:
`

func runSoundEdit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sound edit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file: .wav (labelled and signed) or .mp3 (needs ffmpeg)")
	cut := fs.String("cut", "", "keep FROM-TO seconds")
	appendFile := fs.String("append", "", "a sound to put after this one")
	crossfade := fs.Float64("crossfade", 0.5, "seconds of crossfade into --append")
	tempo := fs.Float64("tempo", 1, "speed factor, 0.25–4, pitch kept")
	pitch := fs.Float64("pitch", 0, "semitones, −24 to 24, length kept")
	eq := fs.String("eq", "", "LOW,MID,HIGH gains in dB")
	gate := fs.Float64("gate", 0, "noise gate threshold in dBFS (0: none)")
	gain := fs.Float64("gain", 0, "gain in dB")
	fadeIn := fs.Float64("fade-in", 0, "seconds of fade-in")
	fadeOut := fs.Float64("fade-out", 0, "seconds of fade-out")
	reverb := fs.Float64("reverb", 0, "reverb amount 0–1")
	under := fs.String("under", "", "a sound to lay under this one, ducked")
	loudnorm := fs.Bool("loudnorm", true, "normalise to −16 LUFS, true peak ≤ −1 dBTP (always on)")
	fs.Usage = func() { fmt.Fprint(stderr, soundEditHelp); fs.PrintDefaults() }
	files, args := leadingFiles(args)
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi sound edit: %v\n", err)
		return code
	}
	files = append(files, fs.Args()...)
	if !*loudnorm {
		return fail(2, errors.New("--loudnorm=false: every sound Miaobi writes is normalised to −16 LUFS with a true peak of at most −1 dBTP, so that labelled sounds play at one level; it cannot be turned off"))
	}
	if len(files) > 1 {
		return fail(2, fmt.Errorf("unexpected argument %q", files[1]))
	}
	var in string
	if len(files) == 1 {
		in = files[0]
	}
	if in == "" {
		return fail(2, errors.New("give the sound to edit"))
	}
	if *out == "" {
		return fail(2, errors.New("give the output file with -o (.wav or .mp3)"))
	}
	if ext := strings.ToLower(filepath.Ext(*out)); ext != ".wav" && ext != ".mp3" {
		return fail(2, fmt.Errorf("-o %s: write .wav or .mp3", *out))
	}
	raw, a, err := readSound(in)
	if err != nil {
		return fail(2, err)
	}
	plan := sound.Plan{Cut: *cut, Crossfade: *crossfade, Tempo: *tempo, Pitch: *pitch, EQ: *eq, Gate: *gate,
		Gain: *gain, FadeIn: *fadeIn, FadeOut: *fadeOut, Reverb: *reverb}
	if *appendFile != "" {
		if _, plan.Append, err = readSound(*appendFile); err != nil {
			return fail(2, err)
		}
		plan.AppendName = filepath.Base(*appendFile)
	}
	if *under != "" {
		if _, plan.Under, err = readSound(*under); err != nil {
			return fail(2, err)
		}
		plan.UnderName = filepath.Base(*under)
	}
	a, done, err := plan.Apply(a)
	if err != nil {
		return fail(2, err)
	}
	id := label.ProduceID("sound edit", string(raw), strings.Join(done, ";"))
	if err := writeSound(a, *out, soundMeta{id: id, description: "edited by Miaobi: " + strings.Join(done, ", "), input: raw}); err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "%s → %s: %s; %.1f s\n", in, *out, strings.Join(done, ", "), float64(a.Frames())/float64(a.Rate))
	return 0
}

// readSound reads a sound file (WAV, MP3; others through ffmpeg) as
// stereo at sound.Rate, and returns the file's bytes too.
func readSound(path string) ([]byte, *pcm.Audio, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	a, err := sound.Load(context.Background(), raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return raw, a, nil
}
