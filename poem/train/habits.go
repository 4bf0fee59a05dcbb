package train

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"miaobi/corpus"
	"miaobi/poem"
)

// HabitConfig says how to find the generator's habits (see poem.Habits).
type HabitConfig struct {
	Poems    int // poems per round (default 1000)
	Rounds   int // default 3
	MinPoems int // a run is a habit when this many poems of a round hold it (default 3)
	Seed     int64
	// Corpus is the corpus file that gives poets' rates of the function
	// characters (see poem.FunctionChars). When it is "", the rates the
	// model directory's habits file records are kept, and DefaultCorpus is
	// read when it records none.
	Corpus, DefaultCorpus string
	Log                   *slog.Logger
}

func (c HabitConfig) withDefaults() HabitConfig {
	if c.Poems <= 0 {
		c.Poems = 1000
	}
	if c.Rounds <= 0 {
		c.Rounds = 3
	}
	if c.MinPoems <= 0 {
		c.MinPoems = 3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// habitEvalSeed draws the sample that measures the habits' effect: other
// keywords and seeds than the ones they were found with.
const habitEvalSeed = 777

// TrainHabits finds the habits of the engine in dir (its trained
// artefacts), writes them to dir/habits.txt.gz and records them, with the
// repeats of another sample before and after, in dir's manifest.
func TrainHabits(dir string, cfg HabitConfig) (*poem.Manifest, error) {
	cfg = cfg.withDefaults()
	start := time.Now()
	e, err := poem.Load(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	poets, err := poetsFunctionRates(cfg.Corpus, cfg.DefaultCorpus, e.Habits)
	if err != nil {
		return nil, err
	}
	e.Habits = nil
	eval := poem.HabitSample{Poems: cfg.Poems, Seed: habitEvalSeed}
	before, err := e.MeasureRepeats(eval)
	if err != nil {
		return nil, err
	}
	cfg.Log.Info("repeats without habits", "poems", before.Poems, "poems_with_a_repeated_line", before.PoemsWithRepeat, "top", before.Top, "top_poems", before.TopCount)
	h, err := e.HabitsFrom(poem.HabitSample{Poems: cfg.Poems, Seed: cfg.Seed}, cfg.Rounds, cfg.MinPoems, poets)
	if err != nil {
		return nil, err
	}
	cfg.Log.Info("function characters the generator overuses, charged", "chars", poem.ChargedFunction(h.Function()))
	size, err := writeFile(filepath.Join(dir, poem.HabitsFile), h.WriteTo)
	if err != nil {
		return nil, err
	}
	e.Habits = h
	after, err := e.MeasureRepeats(eval)
	if err != nil {
		return nil, err
	}
	cfg.Log.Info("repeats with habits", "runs", len(h.Runs()), "poems_with_a_repeated_line", after.PoemsWithRepeat, "top", after.Top, "top_poems", after.TopCount)
	// The manifest as Load read it, with the habits recorded.
	var m poem.Manifest
	if e.Manifest != nil {
		m = *e.Manifest
	}
	hb := &m.Habits
	hb.Runs, hb.Sample, hb.Rounds, hb.MinPoems = len(h.Runs()), cfg.Poems, cfg.Rounds, cfg.MinPoems
	hb.Penalty, hb.Bytes, hb.Before, hb.After = poem.HabitPenalty, size, before, after
	hb.Function = h.Function()
	hb.Seconds = time.Since(start).Seconds()
	if err := writeManifest(dir, &m); err != nil {
		return nil, fmt.Errorf("poem: train habits: %w", err)
	}
	return &m, nil
}

// poetsFunctionRates counts the function characters per 1,000 characters
// of the regulated-shape poems (五绝, 七绝, 五律, 七律) of the corpus's
// training split. With no corpus path, it takes the poets' rates that old
// (the habits being replaced) recorded, or counts them in fallback.
func poetsFunctionRates(path, fallback string, old *poem.Habits) (map[rune]float64, error) {
	if path == "" {
		if uses := old.Function(); len(uses) > 0 {
			rates := map[rune]float64{}
			for _, u := range uses {
				rates[[]rune(u.Char)[0]] = u.Poets
			}
			return rates, nil
		}
		path = fallback
	}
	if path == "" {
		return nil, fmt.Errorf("poets' rates of the function characters are needed: give the corpus ('miaobi corpus fetch' builds it) or a model directory whose habits.txt.gz records them")
	}
	var poems [][]string
	err := corpus.Read(path, func(p *corpus.Poem) error {
		if corpus.SplitOf(p.ID) == corpus.Train && poem.HeldOutForms[p.Form] {
			poems = append(poems, p.Lines)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(poems) == 0 {
		return nil, fmt.Errorf("corpus %s holds no regulated-shape poems in its training split", path)
	}
	return poem.FunctionRates(poems), nil
}
