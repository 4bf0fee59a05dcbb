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
	"miaobi/poem"
	"miaobi/poem/train"
)

const trainHelp = `Usage: miaobi train poem [flags]
       miaobi train readings [flags]  (see 'miaobi train readings --help')
       miaobi train habits [flags]    (see 'miaobi train habits --help')

Trains the poem generator from the corpus ('miaobi corpus fetch' first): the
character language model (4-gram Kneser–Ney), the originality guard (every 4-
and 5-character run of every corpus line) and the imagery map, and writes
them with a manifest (corpus version, settings, time, held-out perplexity)
to --out; then it finds the generator's habits (as 'miaobi train habits').
Rebuild the binary afterwards to embed them, or pass --models DIR to
'miaobi poem'.

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

const trainHabitsHelp = `Usage: miaobi train habits [flags]

Finds the generator's own stock phrases: writes --poems poems on random
lexicon keywords (the four regulated forms in turn) with the trained model
in --models, counts the runs of four characters that recur across them,
and repeats --rounds times with the runs found so far charged for (avoiding
one stock phrase can lead to the next). Every run that --min poems of a
round hold is a habit; the decoder charges for writing one. Writes
habits.txt.gz into --models and records, in its manifest.json, how often
another sample of poems shared a whole line before and after.

The first sample also measures how often the generator writes each
function character (不 无 何 谁 自 …) against poets (the regulated-shape
poems of the corpus's training split); the decoder charges for the ones it
overuses. Poets' rates are kept from --models' habits.txt.gz when it
records them, else counted in the corpus. About 2 minutes on 2 cores with
the defaults.

Flags:
`

func runTrainHabits(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train habits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("models", "models/poem", "model directory to read and to write habits.txt.gz into")
	var cfg train.HabitConfig
	fs.IntVar(&cfg.Poems, "poems", 1000, "poems per round")
	fs.IntVar(&cfg.Rounds, "rounds", 3, "rounds")
	fs.IntVar(&cfg.MinPoems, "min", 3, "a run is a habit when this many poems of a round hold it")
	fs.StringVar(&cfg.Corpus, "corpus", "", "count poets' rates of the function characters in this corpus file (default: keep the ones --models' habits record, else read the data dir's corpus)")
	fs.Usage = func() { fmt.Fprint(stderr, trainHabitsHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "miaobi train habits: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if cfg.Poems < 1 || cfg.Rounds < 1 || cfg.MinPoems < 2 {
		fmt.Fprintln(stderr, "miaobi train habits: --poems and --rounds must be at least 1, --min at least 2")
		return 2
	}
	if dataDir, err := corpus.DataDir(); err == nil {
		cfg.DefaultCorpus = corpus.DefaultPath(dataDir)
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, nil))
	m, err := train.TrainHabits(*dir, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train habits: %v\n", err)
		return 1
	}
	h := m.Habits
	fmt.Fprintf(stdout, "%d habitual runs → %s/%s (%d bytes) in %.0fs; of %d other poems, %d shared a whole line with another before, %d after (most: 「%s」 in %d, then 「%s」 in %d)\n",
		h.Runs, *dir, "habits.txt.gz", h.Bytes, h.Seconds, h.After.Poems, h.Before.PoemsWithRepeat, h.After.PoemsWithRepeat, h.Before.Top, h.Before.TopCount, h.After.Top, h.After.TopCount)
	if over := poem.ChargedFunction(h.Function); over != "" {
		fmt.Fprintf(stdout, "function characters written more often than poets write them, charged: %s\n", over)
	}
	return 0
}

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
	if len(args) > 0 && args[0] == "habits" {
		return runTrainHabits(args[1:], stdout, stderr)
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
	hm, err := train.TrainHabits(*out, train.HabitConfig{Corpus: path, Log: cfg.Log})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi train poem: habits: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "habits: %d runs; poems sharing a whole line with another, of %d: %d before, %d after\n",
		hm.Habits.Runs, hm.Habits.After.Poems, hm.Habits.Before.PoemsWithRepeat, hm.Habits.After.PoemsWithRepeat)
	fmt.Fprintf(stdout, "trained in %.0fs: model %.1f MB (held-out perplexity %.1f), guard %.1f MB (%d runs), imagery %.1f MB → %s\n",
		m.TrainingSeconds, float64(m.Model.Bytes)/1e6, m.Model.HeldOutPerplexity, float64(m.Guard.Bytes)/1e6, m.Guard.Items, float64(m.Imagery.Bytes)/1e6, *out)
	return 0
}
