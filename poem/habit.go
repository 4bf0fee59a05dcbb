package poem

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Habits are the generator's own stock phrases. A beam search is drawn to
// the most probable paths, and for different keywords it keeps arriving at
// the same ones: of 1,000 poems on random lexicon keywords, 「今日重来寻旧约」
// closed 17 and 196 whole lines appeared in more than one poem, where poets
// almost never repeat a line across poems. Readers notice at once (every
// rater of the 2026-12-06 panel named the repeated lines). The habits are
// found by writing many poems with the trained model and counting the runs
// of four characters that recur across them (HabitsFrom); the decoder then
// charges habitPenalty for writing one, so a poem reaches for them only when
// nothing else fits.
//
// Habits also carry how often the generator writes each function character
// against poets (see FunctionChars): the decoder charges for the ones it
// overuses.
type Habits struct {
	// next maps a run's first three characters to its fourth ones.
	next     map[[3]rune][]rune
	runs     []HabitRun
	function []FunctionUse
}

// HabitRun is one habitual run and in how many of the sample's poems it
// was found.
type HabitRun struct {
	Run   string
	Poems int
}

// HabitsFile is the artefact name inside a model directory.
const HabitsFile = "habits.txt.gz"

// HabitPenalty is what writing a habitual run costs (nats), charged on its
// last character.
const HabitPenalty = 3.0

const habitPenalty float32 = HabitPenalty

// NewHabits indexes runs of four characters (others are ignored).
func NewHabits(runs []HabitRun) *Habits {
	h := &Habits{next: map[[3]rune][]rune{}}
	for _, r := range runs {
		rs := []rune(r.Run)
		if len(rs) != 4 {
			continue
		}
		k := [3]rune{rs[0], rs[1], rs[2]}
		h.next[k] = append(h.next[k], rs[3])
		h.runs = append(h.runs, r)
	}
	return h
}

// Runs returns the habitual runs, most frequent first.
func (h *Habits) Runs() []HabitRun { return h.runs }

// Function returns the function characters' rates (nil when unmeasured).
func (h *Habits) Function() []FunctionUse {
	if h == nil {
		return nil
	}
	return h.function
}

// WithFunction returns the habits with the function characters' rates
// set (h itself is not changed).
func (h *Habits) WithFunction(uses []FunctionUse) *Habits {
	if h == nil {
		h = NewHabits(nil)
	}
	c := *h
	c.function = uses
	return &c
}

// after returns the characters that would complete a habitual run after
// the three characters ending prev (nil if prev is shorter).
func (h *Habits) after(prev []rune) []rune {
	if h == nil || len(prev) < 3 {
		return nil
	}
	n := len(prev)
	return h.next[[3]rune{prev[n-3], prev[n-2], prev[n-1]}]
}

// count is how many habitual runs line holds that include position j.
func (h *Habits) count(line []rune, j int) int {
	if h == nil {
		return 0
	}
	c := 0
	for a := max(0, j-3); a <= j && a+4 <= len(line); a++ {
		for _, r := range h.next[[3]rune{line[a], line[a+1], line[a+2]}] {
			if r == line[a+3] {
				c++
			}
		}
	}
	return c
}

// WriteTo writes the habits as gzip-compressed text: the function
// characters, "F<TAB>char<TAB>poets<TAB>Miaobi" (per 1,000 characters),
// then the runs, "run<TAB>poems" per line, most frequent first.
func (h *Habits) WriteTo(w io.Writer) (int64, error) {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString("# miaobi habits 2\n")
	for _, u := range h.function {
		fmt.Fprintf(bw, "F\t%s\t%g\t%g\n", u.Char, u.Poets, u.Miaobi)
	}
	for _, r := range h.runs {
		fmt.Fprintf(bw, "%s\t%d\n", r.Run, r.Poems)
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return 0, zw.Close()
}

// ReadHabits reads what WriteTo wrote, or a file of version 1 (runs only).
func ReadHabits(r io.Reader) (*Habits, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("habits: %w", err)
	}
	sc := bufio.NewScanner(zr)
	var runs []HabitRun
	var uses []FunctionUse
	n := 0
	for sc.Scan() {
		n++
		t := sc.Text()
		if n == 1 {
			if t != "# miaobi habits 1" && t != "# miaobi habits 2" {
				return nil, fmt.Errorf("habits: not a habits file (header %q)", t)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(t, "F\t"); ok {
			u, err := parseFunctionUse(rest)
			if err != nil {
				return nil, fmt.Errorf("habits: line %d: %w", n, err)
			}
			uses = append(uses, u)
			continue
		}
		run, count, ok := strings.Cut(t, "\t")
		c, err := strconv.Atoi(count)
		if !ok || err != nil || len([]rune(run)) != 4 || c < 0 {
			return nil, fmt.Errorf("habits: line %d: want a run of four characters, a tab and a count", n)
		}
		runs = append(runs, HabitRun{Run: run, Poems: c})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("habits: %w", err)
	}
	h := NewHabits(runs)
	h.function = uses
	return h, nil
}

// parseFunctionUse reads "char<TAB>poets<TAB>Miaobi".
func parseFunctionUse(t string) (FunctionUse, error) {
	f := strings.Split(t, "\t")
	bad := errors.New("want F, a function character, and its rates per 1,000 characters by poets and by Miaobi")
	if len(f) != 3 || len([]rune(f[0])) != 1 || !strings.Contains(FunctionChars, f[0]) {
		return FunctionUse{}, bad
	}
	poets, err1 := strconv.ParseFloat(f[1], 64)
	miaobi, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil || !(poets >= 0 && poets <= 1000) || !(miaobi >= 0 && miaobi <= 1000) {
		return FunctionUse{}, bad
	}
	return FunctionUse{Char: f[0], Poets: poets, Miaobi: miaobi}, nil
}

// HabitSample says which poems to write to find (or measure) habits:
// Poems poems on keyword sets of one to three lexicon keywords drawn with
// Seed, the four regulated forms in turn.
type HabitSample struct {
	Poems int
	Seed  int64
}

// writeSample writes the sample's poems (nil for one that failed).
func (e *Engine) writeSample(smp HabitSample) ([][]string, error) {
	lx := e.Lexicon
	if lx == nil {
		return nil, fmt.Errorf("habits: the engine has no lexicon")
	}
	keys := lx.Keywords()
	rng := rand.New(rand.NewSource(smp.Seed))
	forms := []string{"五绝", "七绝", "五律", "七律"}
	reqs := make([]Request, smp.Poems)
	for i := range reqs {
		var kw []string
		for range 1 + rng.Intn(3) {
			kw = append(kw, keys[rng.Intn(len(keys))])
		}
		reqs[i] = Request{Form: forms[i%len(forms)], Keywords: kw, Seed: smp.Seed + int64(i)}
	}
	out := make([][]string, len(reqs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ps, err := e.Generate(reqs[i]); err == nil {
					out[i] = ps[0].Lines
				}
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

// runCounts counts, for every run of four characters within a line, how
// many of the poems hold it.
func runCounts(poems [][]string) map[string]int {
	runs := map[string]int{}
	for _, ls := range poems {
		seen := map[string]bool{}
		for _, l := range ls {
			rs := []rune(l)
			for a := 0; a+4 <= len(rs); a++ {
				s := string(rs[a : a+4])
				if !seen[s] {
					seen[s] = true
					runs[s]++
				}
			}
		}
	}
	return runs
}

// HabitsFrom finds the engine's habits: rounds times, it writes the sample
// (with the habits found so far in force, since avoiding one stock phrase
// can lead to the next) and adds every run found in at least minPoems of
// its poems. With poets' rates of the function characters (per 1,000
// characters; nil: none), the first sample, written with nothing charged,
// measures the generator's, and the charge for those it overuses is in
// force from the second round on. The engine's own Habits are left as they
// were.
func (e *Engine) HabitsFrom(smp HabitSample, rounds, minPoems int, poets map[rune]float64) (*Habits, error) {
	saved := e.Habits
	defer func() { e.Habits = saved }()
	found := map[string]int{}
	var uses []FunctionUse
	e.Habits = nil
	for round := range rounds {
		s := smp
		s.Seed += int64(round) * 1_000_003
		poems, err := e.writeSample(s)
		if err != nil {
			return nil, err
		}
		if round == 0 && poets != nil {
			uses = functionUses(poets, FunctionRates(poems))
		}
		for r, c := range runCounts(poems) {
			if c >= minPoems && c > found[r] {
				found[r] = c
			}
		}
		e.Habits = habitsOf(found).WithFunction(uses)
	}
	return habitsOf(found).WithFunction(uses), nil
}

func habitsOf(found map[string]int) *Habits {
	runs := make([]HabitRun, 0, len(found))
	for r, c := range found {
		runs = append(runs, HabitRun{Run: r, Poems: c})
	}
	sort.Slice(runs, func(a, b int) bool {
		if runs[a].Poems != runs[b].Poems {
			return runs[a].Poems > runs[b].Poems
		}
		return runs[a].Run < runs[b].Run
	})
	return NewHabits(runs)
}

// Repeats summarises how much a sample of poems repeats itself: lines
// found in more than one poem, and runs of four characters found in at
// least 0.5 % of them.
type Repeats struct {
	Poems         int `json:"poems"`
	RepeatedLines int `json:"repeated_lines"`
	// PoemsWithRepeat counts poems holding a line that another poem holds.
	PoemsWithRepeat int `json:"poems_with_a_repeated_line"`
	FrequentRuns    int `json:"runs_in_half_a_percent"`
	// Top is the most repeated line and its count.
	Top      string `json:"top_line"`
	TopCount int    `json:"top_line_poems"`
}

// MeasureRepeats writes the sample and measures its repeats.
func (e *Engine) MeasureRepeats(smp HabitSample) (Repeats, error) {
	poems, err := e.writeSample(smp)
	if err != nil {
		return Repeats{}, err
	}
	var rep Repeats
	lines := map[string]int{}
	for _, ls := range poems {
		if ls == nil {
			continue
		}
		rep.Poems++
		seen := map[string]bool{}
		for _, l := range ls {
			if !seen[l] {
				seen[l] = true
				lines[l]++
			}
		}
	}
	for l, c := range lines {
		if c > 1 {
			rep.RepeatedLines++
			if c > rep.TopCount || c == rep.TopCount && l < rep.Top {
				rep.Top, rep.TopCount = l, c
			}
		}
	}
	for _, ls := range poems {
		for _, l := range ls {
			if lines[l] > 1 {
				rep.PoemsWithRepeat++
				break
			}
		}
	}
	least := max(2, (rep.Poems+199)/200)
	for _, c := range runCounts(poems) {
		if c >= least {
			rep.FrequentRuns++
		}
	}
	return rep, nil
}
