package train

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"miaobi/poem"
)

// HabitConfig says how to find the generator's habits (see poem.Habits).
type HabitConfig struct {
	Poems    int // poems per round (default 1000)
	Rounds   int // default 3
	MinPoems int // a run is a habit when this many poems of a round hold it (default 3)
	Seed     int64
	Log      *slog.Logger
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
	e.Habits = nil
	eval := poem.HabitSample{Poems: cfg.Poems, Seed: habitEvalSeed}
	before, err := e.MeasureRepeats(eval)
	if err != nil {
		return nil, err
	}
	cfg.Log.Info("repeats without habits", "poems", before.Poems, "poems_with_a_repeated_line", before.PoemsWithRepeat, "top", before.Top, "top_poems", before.TopCount)
	h, err := e.HabitsFrom(poem.HabitSample{Poems: cfg.Poems, Seed: cfg.Seed}, cfg.Rounds, cfg.MinPoems)
	if err != nil {
		return nil, err
	}
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
	hb.Seconds = time.Since(start).Seconds()
	if err := writeManifest(dir, &m); err != nil {
		return nil, fmt.Errorf("poem: train habits: %w", err)
	}
	return &m, nil
}
