package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/lm"
	"miaobi/poem/train"
)

const trainHelp = `Usage: miaobi train poem [flags]
       miaobi train readings [flags]  (see 'miaobi train readings --help')

Trains the poem generator from the corpus ('miaobi corpus fetch' first): the
character language model (4-gram Kneser–Ney), the originality guard (every 4-
and 5-character run of every corpus line) and the imagery map, and writes
them with a manifest (corpus version, settings, time, held-out perplexity)
to --out. Rebuild the binary afterwards to embed them, or pass --models DIR
to 'miaobi poem'.

Flags:
`

const trainReadingsHelp = `Usage: miaobi train readings [flags]

Counts how poets use each reading of the characters 平水韵 lists both ways
(多音字), from the corpus's training split: the tone the form demands at the
strict places of regulated poems that are otherwise 合律, the corpus's own
one-tone 平仄 annotations, and the two-character words that decide a
reading (故鄉, 思量). Writes the counts that the checker and the generator
use to tell common readings from rare ones (prosody/data/readings.txt);
rebuild the binary afterwards to embed them.

Flags:
`

func runTrainReadings(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train readings", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	out := fs.String("out", "prosody/data/readings.txt", "where to write the counts")
	fs.Usage = func() { fmt.Fprint(stderr, trainReadingsHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train readings: %v\n", err)
		return 2
	}
	u, st, err := train.Readings(path)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train readings: %v\n", err)
		return 1
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# How poets use the readings of 平水韵's 多音字, counted by 'miaobi train readings' from the\n"+
		"# training split of %s@%s: %d regulated-shape poems, %d of them 合律 (%d uses at strict\n"+
		"# places), %d one-tone annotations. c CHAR PING ZE PING ZE: a character's uses by metre, then\n"+
		"# by annotation; w WORD POS PING ZE: uses by metre of the character at POS (0 or 1) of a\n"+
		"# two-character word that decides its reading.\n",
		corpus.Package, corpus.Version, st.Poems, st.Regulated, st.MetreUses, st.AnnotateUses)
	if _, err := u.WriteTo(&buf); err != nil {
		fmt.Fprintf(stderr, "miaobi train readings: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "miaobi train readings: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d characters and %d words from %d poems (%d 合律) → %s (%d bytes)\n", st.Chars, st.Words, st.Poems, st.Regulated, *out, buf.Len())
	return 0
}

func runTrain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "readings" {
		return runTrainReadings(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "poem" {
		fmt.Fprint(stderr, trainHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	cfg := train.DefaultTrainConfig()
	fs := flag.NewFlagSet("train poem", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	out := fs.String("out", "models/poem", "where to write the artefacts")
	order := fs.Int("order", cfg.KN.Order, "n-gram order (2–4)")
	fs.Float64Var(&cfg.GuardFPR, "guard-fpr", cfg.GuardFPR, "false-positive rate of the originality guard")
	nn := fs.Bool("nn", false, "also train the small neural model for comparison (about 20 minutes on 2 cores; not shipped)")
	nnTokens := fs.Int("nn-tokens", 0, "cap on the neural model's training tokens per epoch (0: its default)")
	fs.Usage = func() { fmt.Fprint(stderr, trainHelp); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return cli.ParseExit(err)
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train: %v\n", err)
		return 2
	}
	cfg.Corpus, cfg.Out, cfg.KN.Order = path, *out, *order
	if *nn {
		c := lm.NPLMConfig{MaxTokens: *nnTokens, Seed: 1}.WithDefaults()
		cfg.NN = &c
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, nil))
	m, err := train.Train(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train poem: %v\n", err)
		return 1
	}
	for _, f := range m.Comparison {
		fmt.Fprintf(stdout, "%-3s held-out perplexity %.1f (characters %.1f), %.1f MB, trained in %.0fs, %.0f µs per distribution — %s\n",
			f.Name, f.HeldOutPerplexity, f.HeldOutCharPerplexity, float64(f.Bytes)/1e6, f.TrainSeconds, f.NextMicros, f.Parameters)
	}
	fmt.Fprintf(stdout, "trained in %.0fs: model %.1f MB (held-out perplexity %.1f), guard %.1f MB (%d runs), imagery %.1f MB → %s\n",
		m.TrainingSeconds, float64(m.Model.Bytes)/1e6, m.Model.HeldOutPerplexity, float64(m.Guard.Bytes)/1e6, m.Guard.Items, float64(m.Imagery.Bytes)/1e6, *out)
	return 0
}
