package arena

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rated is one poem of an answered item: what the reader guessed and the
// score they gave.
type Rated struct {
	Poem  Poem `json:"poem"`
	Human bool `json:"human"` // the reader took it for a person's
	Score int  `json:"score"` // 1–10
}

// Answer is one answered item.
type Answer struct {
	Round  string    `json:"round"`
	Reader string    `json:"reader"`
	At     time.Time `json:"at"`
	A      Rated     `json:"a"`
	B      *Rated    `json:"b,omitempty"` // nil for a single poem
	// Better is 0 when the reader preferred A, 1 for B; -1 for a single.
	Better int `json:"better"`
}

// SourceRow is what readers made of one source.
type SourceRow struct {
	Source  string `json:"source"`
	Version string `json:"version,omitempty"` // in the per-version table
	// First is when a poem of this row was first answered.
	First time.Time `json:"first"`
	Rated int       `json:"rated"` // poem answers
	// Human is the share of answers taking its poems for a person's.
	Human Share `json:"human"`
	Score Mean  `json:"score"`
	// Strength is its Bradley–Terry strength from the pairwise
	// preferences; nil when it was in no pair.
	Strength *Strength `json:"strength,omitempty"`
}

// FormRow is one source's figures on one form.
type FormRow struct {
	Form   string `json:"form"`
	Source string `json:"source"`
	Human  Share  `json:"human"`
	Score  Mean   `json:"score"`
}

// DayPoint is one source's share taken for human on one day.
type DayPoint struct {
	Day    string `json:"day"` // YYYY-MM-DD, UTC
	Source string `json:"source"`
	Human  Share  `json:"human"`
	Score  Mean   `json:"score"`
}

// Results summarise answers.
type Results struct {
	Answers int `json:"answers"` // items answered
	Readers int `json:"readers"`
	// Told is the Turing test proper: in pairs of a person's poem and a
	// machine's, the share where the reader took the person's for a
	// person's and the machine's for a machine's.
	Told     Share       `json:"told"`
	Sources  []SourceRow `json:"sources"`
	Versions []SourceRow `json:"versions"`
	Forms    []FormRow   `json:"forms"`
	Days     []DayPoint  `json:"days"`
}

// rowAcc gathers one row's figures.
type rowAcc struct {
	first    time.Time
	human, n int
	score    meanAcc
}

func (r *rowAcc) add(x Rated, at time.Time) {
	if r.first.IsZero() || at.Before(r.first) {
		r.first = at
	}
	r.n++
	if x.Human {
		r.human++
	}
	r.score.add(float64(x.Score))
}

// Summarise computes the figures of the results page from answers.
func Summarise(answers []Answer) (*Results, error) {
	res := &Results{Answers: len(answers)}
	readers := map[string]bool{}
	src := map[string]*rowAcc{}
	ver := map[[2]string]*rowAcc{}
	form := map[[2]string]*rowAcc{}
	day := map[[2]string]*rowAcc{}
	get := func(m map[[2]string]*rowAcc, k [2]string) *rowAcc {
		r := m[k]
		if r == nil {
			r = &rowAcc{}
			m[k] = r
		}
		return r
	}
	srcWins := newWins()
	verWins := newWins()
	told, mixed := 0, 0
	for _, a := range answers {
		readers[a.Reader] = true
		rated := []Rated{a.A}
		if a.B != nil {
			rated = append(rated, *a.B)
		}
		for _, x := range rated {
			p := x.Poem
			if src[p.Source] == nil {
				src[p.Source] = &rowAcc{}
			}
			src[p.Source].add(x, a.At)
			get(ver, [2]string{p.Source, p.Version}).add(x, a.At)
			get(form, [2]string{p.Form, p.Source}).add(x, a.At)
			get(day, [2]string{a.At.UTC().Format(time.DateOnly), p.Source}).add(x, a.At)
		}
		if a.B == nil || a.Better < 0 || a.Better > 1 {
			continue
		}
		w, l := a.A, *a.B
		if a.Better == 1 {
			w, l = l, w
		}
		if w.Poem.Source != l.Poem.Source {
			srcWins.add(w.Poem.Source, l.Poem.Source)
		}
		if vw, vl := w.Poem.Source+" "+w.Poem.Version, l.Poem.Source+" "+l.Poem.Version; vw != vl {
			verWins.add(vw, vl)
		}
		if ha, hb := a.A.Poem.Source == "human", a.B.Poem.Source == "human"; ha != hb {
			mixed++
			if a.A.Human == ha && a.B.Human == hb {
				told++
			}
		}
	}
	res.Readers = len(readers)
	res.Told = Wilson(told, mixed)
	srcStrength, err := srcWins.fit()
	if err != nil {
		return nil, err
	}
	verStrength, err := verWins.fit()
	if err != nil {
		return nil, err
	}
	for s, r := range src {
		res.Sources = append(res.Sources, r.row(s, "", srcStrength[s]))
	}
	slices.SortFunc(res.Sources, func(a, b SourceRow) int { return cmp.Compare(sourceOrder(a.Source), sourceOrder(b.Source)) })
	for k, r := range ver {
		res.Versions = append(res.Versions, r.row(k[0], k[1], verStrength[k[0]+" "+k[1]]))
	}
	slices.SortFunc(res.Versions, func(a, b SourceRow) int {
		return cmp.Or(cmp.Compare(sourceOrder(a.Source), sourceOrder(b.Source)), a.First.Compare(b.First), cmp.Compare(a.Version, b.Version))
	})
	for k, r := range form {
		res.Forms = append(res.Forms, FormRow{Form: k[0], Source: k[1], Human: Wilson(r.human, r.n), Score: r.scoreMean()})
	}
	slices.SortFunc(res.Forms, func(a, b FormRow) int {
		return cmp.Or(cmp.Compare(formOrder(a.Form), formOrder(b.Form)), cmp.Compare(sourceOrder(a.Source), sourceOrder(b.Source)))
	})
	for k, r := range day {
		res.Days = append(res.Days, DayPoint{Day: k[0], Source: k[1], Human: Wilson(r.human, r.n), Score: r.scoreMean()})
	}
	slices.SortFunc(res.Days, func(a, b DayPoint) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(sourceOrder(a.Source), sourceOrder(b.Source)))
	})
	return res, nil
}

func (r *rowAcc) row(source, version string, s *Strength) SourceRow {
	return SourceRow{Source: source, Version: version, First: r.first, Rated: r.n, Human: Wilson(r.human, r.n), Score: r.scoreMean(), Strength: s}
}

// scoreMean is the mean score with its interval cut to the 1–10 scale:
// with few answers the t interval runs past what a score can be.
func (r *rowAcc) scoreMean() Mean {
	m := r.score.result()
	m.Lo, m.Hi = math.Max(m.Lo, 1), math.Min(m.Hi, 10)
	return m
}

// sourceOrder puts people first, then Miaobi, published works and the
// engines by name.
func sourceOrder(s string) string {
	switch s {
	case "human":
		return "0"
	case "miaobi":
		return "1"
	case "published":
		return "2"
	}
	return "3" + s
}

// formOrder puts the regulated forms in their usual order.
func formOrder(f string) string {
	if i := slices.Index([]string{"五绝", "七绝", "五律", "七律"}, f); i >= 0 {
		return strconv.Itoa(i)
	}
	return "9" + f
}

// winTable counts pairwise preferences between named players.
type winTable struct {
	index map[string]int
	names []string
	w     map[[2]int]float64
}

func newWins() *winTable { return &winTable{index: map[string]int{}, w: map[[2]int]float64{}} }

func (t *winTable) id(n string) int {
	i, ok := t.index[n]
	if !ok {
		i = len(t.names)
		t.index[n] = i
		t.names = append(t.names, n)
	}
	return i
}

func (t *winTable) add(winner, loser string) { t.w[[2]int{t.id(winner), t.id(loser)}]++ }

// fit returns the strengths by name; none when there were no games.
func (t *winTable) fit() (map[string]*Strength, error) {
	out := map[string]*Strength{}
	if len(t.w) == 0 {
		return out, nil
	}
	m := make([][]float64, len(t.names))
	for i := range m {
		m[i] = make([]float64, len(t.names))
	}
	for k, v := range t.w {
		m[k[0]][k[1]] = v
	}
	s, err := BradleyTerry(t.names, m)
	if err != nil {
		return nil, err
	}
	for i := range s {
		out[s[i].Name] = &s[i]
	}
	return out, nil
}

// WriteCSV writes answers one poem per row: an item of two poems gives
// two rows sharing its item number. Readers' names are written as given;
// the export is for the round's administrators.
func WriteCSV(w io.Writer, answers []Answer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"item", "round", "reader", "answered_at", "kind", "slot", "poem_id", "source", "version", "form", "prompt", "lines", "guessed_human", "score", "preferred"})
	for i, a := range answers {
		kind := "single"
		if a.B != nil {
			kind = "pair"
		}
		rows := []Rated{a.A}
		if a.B != nil {
			rows = append(rows, *a.B)
		}
		for slot, x := range rows {
			pref := ""
			if a.B != nil {
				pref = strconv.FormatBool(a.Better == slot)
			}
			if err := cw.Write([]string{strconv.Itoa(i + 1), a.Round, a.Reader, a.At.UTC().Format(time.RFC3339), kind, string(rune('A' + slot)),
				x.Poem.ID, x.Poem.Source, x.Poem.Version, x.Poem.Form, x.Poem.Prompt, strings.Join(x.Poem.Lines, "/"),
				strconv.FormatBool(x.Human), strconv.Itoa(x.Score), pref}); err != nil {
				return fmt.Errorf("arena: write CSV: %w", err)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes the results as one table: a row per source, per source
// and form, and per source and version, with the share taken for a
// person's, the mean score and the strength, each with its interval.
func (r *Results) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"by", "source", "form", "version", "rated", "taken_human", "human_lo", "human_hi", "mean_score", "score_lo", "score_hi", "strength", "strength_lo", "strength_hi"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	row := func(by, source, form, version string, h Share, m Mean, s *Strength) {
		rec := []string{by, source, form, version, strconv.Itoa(h.N), f(h.P), f(h.Lo), f(h.Hi), f(m.Mean), f(m.Lo), f(m.Hi), "", "", ""}
		if s != nil {
			rec[11], rec[12], rec[13] = f(s.Theta), f(s.Lo), f(s.Hi)
		}
		cw.Write(rec)
	}
	for _, s := range r.Sources {
		row("source", s.Source, "", "", s.Human, s.Score, s.Strength)
	}
	for _, s := range r.Forms {
		row("form", s.Source, s.Form, "", s.Human, s.Score, nil)
	}
	for _, s := range r.Versions {
		row("version", s.Source, "", s.Version, s.Human, s.Score, s.Strength)
	}
	cw.Flush()
	return cw.Error()
}
