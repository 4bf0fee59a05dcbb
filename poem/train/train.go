// Package train builds the poem generator's shipped models from the
// corpus (`miaobi train poem`): the Kneser–Ney models both ways, the
// originality guard, the imagery map (imagery.go), the frame (frame.go)
// and the topic space, each measured on the held-out poems and recorded
// in the manifest that package poem reads; and the table of how poets
// read each 多音字 (readings.go, `miaobi train readings`). Package poem
// holds the models' types and readers; the counting lives here.
package train

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/lm"
	"miaobi/poem"
)

// TrainConfig says what `miaobi train poem` builds.
type TrainConfig struct {
	Corpus   string // path of the built corpus
	Out      string // model directory, e.g. models/poem
	KN       lm.KNConfig
	GuardFPR float64
	Imagery  ImageryConfig
	Topic    lm.TopicConfig
	// NN, when set, also trains the small neural model on the same split
	// for comparison; it is written as NNFile but not used by the engine
	// unless asked (see LoadModel).
	NN  *lm.NPLMConfig
	Log *slog.Logger
}

// DefaultTrainConfig is the configuration of the shipped model.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		KN:       lm.KNConfig{Order: 4, MinCount: []int{1, 2, 2, 2}},
		GuardFPR: 0.02,
		Imagery:  ImageryConfig{Chars: 6000, Keep: 24, MinCount: 8},
		Topic:    lm.TopicConfig{Chars: 6000, Dim: 48, Seed: 1},
	}
}

// measureModel fills the figures that need the model itself.
func measureModel(f *poem.ModelFigures, m lm.Model, test [][]lm.Token) {
	f.HeldOutPerplexity, _ = lm.Perplexity(m, test)
	f.HeldOutCharPerplexity, _ = lm.CharPerplexity(m, test)
	if math.IsNaN(f.HeldOutPerplexity) {
		f.HeldOutPerplexity, f.HeldOutCharPerplexity = 0, 0
	}
	out := make([]float32, m.Vocab().Size())
	n := 0
	start := time.Now()
	for _, s := range test {
		for i := 1; i < len(s) && n < 2000; i++ {
			m.Next(s[:i], out)
			n++
		}
	}
	if n > 0 {
		f.NextMicros = float64(time.Since(start).Microseconds()) / float64(n)
	}
}

// Data is the corpus split for training and evaluation.
type Data struct {
	Vocab      *lm.Vocab
	Train      [][]lm.Token
	Test       [][]lm.Token // held-out regulated poems
	TestPoems  []*corpus.Poem
	JudgePoems []*corpus.Poem
	Poems      int
}

// LoadData reads the corpus, builds the vocabulary from the training split
// (characters seen at least twice) and encodes the splits. fn, if not nil,
// sees every poem (for the guard and imagery counts).
func LoadData(path string, fn func(p *corpus.Poem, s corpus.Split)) (*Data, error) {
	counts := map[rune]int{}
	var train [][]string
	d := &Data{}
	err := corpus.Read(path, func(p *corpus.Poem) error {
		d.Poems++
		s := corpus.SplitOf(p.ID)
		if fn != nil {
			fn(p, s)
		}
		switch s {
		case corpus.Train:
			if !poem.TrainForms[p.Form] {
				return nil
			}
			train = append(train, p.Lines)
			for _, l := range p.Lines {
				for _, r := range l {
					counts[r]++
				}
			}
		case corpus.Test:
			if poem.HeldOutForms[p.Form] {
				d.TestPoems = append(d.TestPoems, p)
			}
		case corpus.Judge:
			d.JudgePoems = append(d.JudgePoems, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.Vocab = lm.NewVocab(counts, 2)
	for _, l := range train {
		d.Train = append(d.Train, d.Vocab.Encode(l))
	}
	for _, p := range d.TestPoems {
		d.Test = append(d.Test, d.Vocab.Encode(p.Lines))
	}
	return d, nil
}

// Train builds the shipped artefacts into cfg.Out and returns the manifest.
func Train(cfg TrainConfig) (*poem.Manifest, error) {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	start := time.Now()
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("poem: train: %w", err)
	}
	var gb judge.GuardBuilder
	var trainPoems []*corpus.Poem
	d, err := LoadData(cfg.Corpus, func(p *corpus.Poem, s corpus.Split) {
		for _, l := range p.Lines {
			gb.AddLine(l)
		}
		if s == corpus.Train && poem.TrainForms[p.Form] {
			trainPoems = append(trainPoems, &corpus.Poem{Title: p.Title, Form: p.Form, Lines: p.Lines, Strains: p.Strains})
		}
	})
	if err != nil {
		return nil, err
	}
	log.Info("corpus read", "poems", d.Poems, "train", len(d.Train), "vocab", d.Vocab.Size(), "seconds", time.Since(start).Seconds())

	m := &poem.Manifest{}
	m.Corpus.Package, m.Corpus.Version, m.Corpus.Integrity = corpus.Package, corpus.Version, corpus.Integrity
	m.Corpus.Poems, m.Corpus.TrainPoems, m.Corpus.TestPoems = d.Poems, len(d.Train), len(d.Test)
	m.Corpus.Split = "fnv32a(id) % 20: 0 test, 1–2 judge, else train"

	guard, err := gb.Build(cfg.GuardFPR)
	if err != nil {
		return nil, err
	}
	gsize, err := writeFile(filepath.Join(cfg.Out, poem.GuardFile), guard.WriteTo)
	if err != nil {
		return nil, err
	}
	m.Guard.Items, m.Guard.FalsePositive, m.Guard.Bytes = guard.Items(), guard.FalsePositive, gsize
	log.Info("guard built", "runs", guard.Items(), "bytes", gsize, "false_positive", guard.FalsePositive)

	t0 := time.Now()
	kn, err := lm.TrainKN(d.Vocab, d.Train, cfg.KN)
	if err != nil {
		return nil, err
	}
	m.Model.Kind, m.Model.Order, m.Model.MinCount = "interpolated modified Kneser–Ney, backoff form, 8-bit quantised", cfg.KN.Order, cfg.KN.MinCount
	m.Model.Vocab, m.Model.NGrams, m.Model.Discounts = d.Vocab.Size(), kn.Size(), kn.Discounts
	msize, err := writeFile(filepath.Join(cfg.Out, poem.ModelFile), gzipped(kn))
	if err != nil {
		return nil, err
	}
	m.Model.Bytes = msize
	// Perplexity is measured on the model as shipped (quantised).
	shipped, err := readKNFile(filepath.Join(cfg.Out, poem.ModelFile))
	if err != nil {
		return nil, err
	}
	knFig := poem.ModelFigures{Name: "kn", File: poem.ModelFile, Bytes: msize, TrainSeconds: time.Since(t0).Seconds(),
		Parameters: fmt.Sprintf("order %d, min counts %v, %v n-grams", cfg.KN.Order, cfg.KN.MinCount, kn.Size())}
	measureModel(&knFig, shipped, d.Test)
	m.Comparison = append(m.Comparison, knFig)
	m.Model.HeldOutPerplexity, m.Model.HeldOutTokens = lm.Perplexity(shipped, d.Test)
	m.Model.HeldOutCharPerplexity, _ = lm.CharPerplexity(shipped, d.Test)
	if m.Model.HeldOutTokens == 0 { // no held-out poems (a tiny corpus): nothing measured
		m.Model.HeldOutPerplexity, m.Model.HeldOutCharPerplexity = 0, 0
	}
	log.Info("model trained", "ngrams", kn.Size(), "bytes", msize, "held_out_ppl", m.Model.HeldOutPerplexity, "seconds", time.Since(t0).Seconds())

	// The backward model reads each poem right to left: it judges how well
	// a line leads into its last character (a rhyme word that fits), which
	// the forward model, choosing that character last, cannot.
	tb := time.Now()
	bwd, err := lm.TrainKN(d.Vocab, poem.Reversed(d.Train), cfg.KN)
	if err != nil {
		return nil, err
	}
	bsize, err := writeFile(filepath.Join(cfg.Out, poem.BackwardFile), gzipped(bwd))
	if err != nil {
		return nil, err
	}
	shippedBwd, err := readKNFile(filepath.Join(cfg.Out, poem.BackwardFile))
	if err != nil {
		return nil, err
	}
	bwdFig := poem.ModelFigures{Name: "kn-backward", File: poem.BackwardFile, Bytes: bsize, TrainSeconds: time.Since(tb).Seconds(),
		Parameters: fmt.Sprintf("right to left; order %d, min counts %v, %v n-grams", cfg.KN.Order, cfg.KN.MinCount, bwd.Size())}
	measureModel(&bwdFig, shippedBwd, poem.Reversed(d.Test))
	m.Comparison = append(m.Comparison, bwdFig)
	log.Info("backward model trained", "bytes", bsize, "held_out_ppl", bwdFig.HeldOutPerplexity, "seconds", bwdFig.TrainSeconds)

	ic := NewImageryCounter(frequentChars(d.Vocab), cfg.Imagery)
	for _, p := range trainPoems {
		ic.Add(p)
	}
	im := ic.Imagery()
	isize, err := writeFile(filepath.Join(cfg.Out, poem.ImageryFile), im.WriteTo)
	if err != nil {
		return nil, err
	}
	m.Imagery.Chars, m.Imagery.Related, m.Imagery.Pairs, m.Imagery.Bytes = ic.Chars(), len(im.Related), len(im.Pairs), isize
	log.Info("imagery counted", "related", len(im.Related), "pairs", len(im.Pairs), "bytes", isize)

	fc := NewFrameCounter()
	for _, p := range trainPoems {
		fc.Add(p)
	}
	fr := fc.Frame()
	fsize, err := writeFile(filepath.Join(cfg.Out, poem.FrameFile), fr.WriteTo)
	if err != nil {
		return nil, err
	}
	words := 0
	for _, m := range fr.Words {
		words += len(m)
	}
	swords := 0
	for _, m := range fr.SeasonWords {
		swords += len(m)
	}
	m.Frame.Season, m.Frame.SWords, m.Frame.Role, m.Frame.Words, m.Frame.Bytes = len(fr.Season), swords, len(fr.Role), words, fsize
	log.Info("frame counted", "season", len(fr.Season), "season_words", swords, "role", len(fr.Role), "words", words, "bytes", fsize)

	t2 := time.Now()
	tc := lm.NewTopicCounter(frequentChars(d.Vocab), cfg.Topic)
	for _, p := range trainPoems {
		tc.Add(p.Lines)
	}
	topic, err := tc.Topic()
	if err != nil {
		return nil, err
	}
	tsize, err := writeFile(filepath.Join(cfg.Out, poem.TopicFile), topic.WriteTo)
	if err != nil {
		return nil, err
	}
	m.Topic.Chars, m.Topic.Dim, m.Topic.Bytes, m.Topic.Seconds = topic.Chars(), topic.Dim, tsize, time.Since(t2).Seconds()
	log.Info("topic space factored", "chars", topic.Chars(), "dim", topic.Dim, "bytes", tsize, "seconds", m.Topic.Seconds)

	if cfg.NN != nil {
		t1 := time.Now()
		nn, err := lm.TrainNPLM(d.Vocab, d.Train, *cfg.NN, func(epoch, done int, loss float64) {
			log.Info("neural model", "epoch", epoch, "tokens", done, "loss", loss)
		})
		if err != nil {
			return nil, err
		}
		secs := time.Since(t1).Seconds()
		size, err := writeFile(filepath.Join(cfg.Out, poem.NNFile), gzipped(nn))
		if err != nil {
			return nil, err
		}
		c := nn.Config()
		f := poem.ModelFigures{Name: "nn", File: poem.NNFile, Bytes: size, TrainSeconds: secs,
			Parameters: fmt.Sprintf("feed-forward, context %d, embedding %d, hidden %d, %d parameters, %d epoch(s), %d tokens per epoch", c.Context, c.Embed, c.Hidden, nn.Params(), cfg.NN.Epochs, cfg.NN.MaxTokens)}
		measureModel(&f, nn, d.Test)
		m.Comparison = append(m.Comparison, f)
		log.Info("neural model trained", "held_out_ppl", f.HeldOutPerplexity, "seconds", secs, "bytes", size)
	}
	m.TrainingSeconds = time.Since(start).Seconds()
	m.Machine = fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	m.Created = time.Now().UTC().Format(time.RFC3339)
	if err := writeManifest(cfg.Out, m); err != nil {
		return nil, fmt.Errorf("poem: train: %w", err)
	}
	return m, nil
}

// writeManifest writes m as dir's manifest.json, indented.
func writeManifest(dir string, m *poem.Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, poem.ManifestFile), append(b, '\n'), 0o644)
}

// frequentChars lists the vocabulary's characters, most frequent first.
func frequentChars(v *lm.Vocab) []rune {
	var out []rune
	for t := 0; t < v.Size(); t++ {
		if r := v.Rune(lm.Token(t)); r != 0 {
			out = append(out, r)
		}
	}
	return out
}

// gzipped writes w's output gzip-compressed.
func gzipped(w io.WriterTo) func(io.Writer) (int64, error) {
	return func(out io.Writer) (int64, error) {
		zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
		if _, err := w.WriteTo(zw); err != nil {
			return 0, err
		}
		return 0, zw.Close()
	}
}

// writeFile writes through a temporary file and renames, so a failed
// training run never leaves a half-written artefact.
func writeFile(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("poem: %w", err)
	}
	if _, err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("poem: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("poem: write %s: %w", path, err)
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	return st.Size(), os.Rename(tmp, path)
}

func readKNFile(path string) (*lm.KN, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return poem.ReadKN(raw, filepath.Base(path))
}
