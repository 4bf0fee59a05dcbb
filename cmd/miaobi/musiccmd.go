package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/label"
	"miaobi/models"
	"miaobi/poem"
	"miaobi/prosody"
	"miaobi/sound"
	"miaobi/sound/pcm"
)

const musicHelp = `Usage: miaobi music (-k KEYWORDS | --poem FILE|- | --continue MELODY) -o OUT.wav|OUT.mp3 [flags]

Composes a short pentatonic piece on a poem and writes it labelled as
AI-generated: the 「短长短短」 cue at the start, the audio watermark, the
AIGC metadata and, for WAV, a signed C2PA manifest. With -k Miaobi first
writes a 七绝 on the keywords (as 'miaobi poem' would, same --seed) and
sets it; with --poem it sets the poem given (a title line is allowed).

The melody follows the words (依字行腔): 平 level or rising, 上 sliding up,
去 falling, 入 short; a breath at each caesura, held notes at line ends.
The poem's season picks the mode (春 角, 夏 徵, 秋 商, 冬 羽, none 宫) and
the tempo. A guzheng plays the melody, a guqin the bass, a dizi doubles
the second half, a drone holds the final; a bell closes poems of temples,
bells or winter. Output is normalised to −16 LUFS, true peak ≤ −1 dBTP.

Music from music: --continue takes a person's melody — a MIDI file, or
note text such as "宫=D4 tempo=66 宫 商 角:2 徵 羽 高宫:2 羽 徵:2" — finds
its pentatonic mode and answers it with a phrase in its own steps and
rhythm, closing on the final (--vary: the same rhythm, some notes moved a
step). The output is signed as an edit of the person's melody; --midi
FILE also writes the whole tune as MIDI.

Flags:
`

func runMusic(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("music", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keywords := fs.String("k", "", "keywords, comma-separated (Miaobi writes a 七绝 on them first)")
	poemFile := fs.String("poem", "", "a poem to set: a file, or - for standard input")
	out := fs.String("o", "", "output file: .wav (labelled and signed) or .mp3 (needs ffmpeg)")
	modeFlag := fs.String("mode", "", "the mode: 宫 商 角 徵 羽 (default: from the poem's season)")
	tempo := fs.Float64("tempo", 0, "beats a minute, 30–160 (default: from the season)")
	seed := fs.Int64("seed", 1, "seed: the same poem, flags and seed give the same music")
	notes := fs.Bool("notes", false, "also print the score, one note a line")
	melodyFile := fs.String("continue", "", "a melody to answer: a MIDI file or note text")
	vary := fs.Bool("vary", false, "with --continue: vary the melody instead of continuing it")
	midiOut := fs.String("midi", "", "also write the tune as a MIDI file here")
	fs.Usage = func() { fmt.Fprint(stderr, musicHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi music: %v\n", err)
		return code
	}
	if fs.NArg() > 0 {
		return fail(2, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	given := 0
	for _, f := range []string{*keywords, *poemFile, *melodyFile} {
		if f != "" {
			given++
		}
	}
	if given != 1 {
		return fail(2, errors.New("give keywords with -k, a poem with --poem or a melody with --continue (one of them)"))
	}
	if *out == "" {
		return fail(2, errors.New("give the output file with -o (.wav or .mp3)"))
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if format != "wav" && format != "mp3" {
		return fail(2, fmt.Errorf("-o %s: write .wav or .mp3", *out))
	}
	var opt sound.Options
	opt.Seed = uint64(*seed)
	opt.Tempo = *tempo
	if *modeFlag != "" {
		m, err := sound.ParseMode(*modeFlag)
		if err != nil {
			return fail(2, err)
		}
		opt.Mode = &m
	}
	if *melodyFile != "" {
		return musicFromMelody(*melodyFile, *out, *midiOut, opt, *vary, *notes, stdout, fail)
	}
	e, err := poem.Load(models.Poem())
	if err != nil {
		return fail(1, err)
	}
	var title string
	var lines []string
	words := *keywords
	if *keywords != "" {
		ps, err := e.Generate(poem.Request{Form: "七绝", Keywords: splitKeywords(*keywords), Seed: *seed})
		if err != nil {
			return fail(1, err)
		}
		title, lines = ps[0].Title, ps[0].Lines
	} else {
		text, err := readPoemFile(*poemFile, stdin)
		if err != nil {
			return fail(2, err)
		}
		p, err := prosody.ParsePoem(text)
		if err != nil {
			return fail(2, fmt.Errorf("--poem: %v", err))
		}
		title, lines = p.Title, p.Lines
	}
	var chars []rune
	for _, s := range append([]string{words, title}, lines...) {
		chars = append(chars, []rune(s)...)
	}
	v, err := sound.VerseOf(lines, e.Frame.SeasonOf(chars), words+title)
	if err != nil {
		return fail(2, err)
	}
	start := time.Now()
	score, err := sound.Compose(v, opt)
	if err != nil {
		return fail(2, err)
	}
	a, err := score.Render()
	if err != nil {
		return fail(1, err)
	}
	rendered := time.Since(start)
	id := label.ProduceID("music", strings.Join(lines, "/"), *modeFlag, fmt.Sprint(*tempo), fmt.Sprint(*seed))
	made := fmt.Sprintf("music composed by Miaobi on 「%s」 (%s调, %.0f beats a minute)", title, score.Mode, score.Tempo)
	if err := writeSound(a, *out, soundMeta{id: id, description: made}); err != nil {
		return fail(1, err)
	}
	if *notes {
		fmt.Fprint(stdout, score.Text())
	}
	if *midiOut != "" {
		if b, err := sound.WriteMIDI(score); err != nil || cli.WriteFileAtomic(*midiOut, b) != nil {
			return fail(1, fmt.Errorf("--midi %s: cannot write it (%v)", *midiOut, err))
		}
	}
	secs := float64(a.Frames()) / float64(a.Rate)
	fmt.Fprintf(stdout, "《%s》 %s\n", title, strings.Join(lines, "，"))
	fmt.Fprintf(stdout, "music %s: %s调, %.0f beats a minute, %.1f s (rendered in %.2f s, %.0f× real time)\n",
		*out, score.Mode, score.Tempo, secs, rendered.Seconds(), secs/rendered.Seconds())
	return 0
}

// readPoemFile reads a poem (at most 1 MiB) from a file, or standard
// input for "-", without the footer 'miaobi poem' prints under a poem
// (— 七绝 · …).
func readPoemFile(path string, stdin io.Reader) (string, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return "", err
	}
	return poem.StripFooter(string(b)), nil
}

// soundMeta says what a written sound is: its ProduceID, a description,
// the person's input file (the manifest's parentOf ingredient of a
// c2pa.edited action), and the engine that made it when not Miaobi.
type soundMeta struct {
	id, description string
	input           []byte
	agent           string
}

// writeSound labels a sound with every layer — the WAV signed with the
// local keys — and writes it to out (.wav or .mp3) through a temporary
// file.
func writeSound(a *pcm.Audio, out string, m soundMeta) error {
	prov := label.Provenance{
		ProduceID:   m.id,
		Title:       filepath.Base(out),
		Description: m.description,
		AIGenerated: true,
		Layers:      label.AllLayers,
		Agent:       m.agent,
	}
	if m.input != nil {
		prov.Action, prov.Ingredient = "c2pa.edited", m.input
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	if format == "wav" {
		var err error
		if prov.Signer, err = signer(); err != nil {
			return fmt.Errorf("signing keys: %w", err)
		}
	}
	b, err := sound.Encode(context.Background(), a, format, prov)
	if err != nil {
		return err
	}
	return cli.WriteFileAtomic(out, b)
}

// musicFromMelody answers (or varies) a person's melody and writes it.
func musicFromMelody(path, out, midiOut string, opt sound.Options, vary, notes bool, stdout io.Writer, fail func(int, error) int) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fail(2, err)
	}
	var m *sound.Melody
	if bytes.HasPrefix(raw, []byte("MThd")) {
		m, err = sound.ReadMIDI(raw)
	} else {
		m, err = sound.ParseNotes(string(raw))
	}
	if err != nil {
		return fail(2, fmt.Errorf("%s: %w", path, err))
	}
	start := time.Now()
	score, err := sound.FromMelody(m, opt, vary)
	if err != nil {
		return fail(2, err)
	}
	a, err := score.Render()
	if err != nil {
		return fail(1, err)
	}
	took := time.Since(start)
	how := "continued"
	if vary {
		how = "varied"
	}
	id := label.ProduceID("music continue", string(raw), fmt.Sprint(vary, opt.Seed, opt.Tempo))
	if err := writeSound(a, out, soundMeta{id: id, description: fmt.Sprintf("the person's melody %s by Miaobi (%s调)", how, score.Mode), input: raw}); err != nil {
		return fail(1, err)
	}
	if notes {
		fmt.Fprint(stdout, score.Text())
	}
	if midiOut != "" {
		if b, err := sound.WriteMIDI(score); err != nil || cli.WriteFileAtomic(midiOut, b) != nil {
			return fail(1, fmt.Errorf("--midi %s: cannot write it (%v)", midiOut, err))
		}
	}
	secs := float64(a.Frames()) / float64(a.Rate)
	fmt.Fprintf(stdout, "melody %s %s → %s: %s调, %.0f beats a minute, %.1f s (rendered in %.2f s)\n", path, how, out, score.Mode, score.Tempo, secs, took.Seconds())
	return 0
}
