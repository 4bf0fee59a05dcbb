package poem

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"miaobi/hanzi"
	"miaobi/prosody"
)

// Mending: a poem written elsewhere — by a person, or by a language model
// that keeps structure better than tones — is brought to 合律 by changing
// as few characters as possible. Of the form's templates (平起/仄起, first
// line rhyming or not) the one that the poem already fits best is chosen:
// the fewest characters that cannot take their slot's tone (a reading poets
// rarely give counts as cannot), and of the rhyme positions, those outside
// the rhyme family most of them share. Those characters alone are given
// back to the decoder, every other one locked, and it writes tone-correct
// replacements ranked by the model and the poem around them, as Revise
// does; the checker confirms the result.

// MendRequest asks to mend a poem.
type MendRequest struct {
	Poem  string // the poem's text: lines separated by punctuation or newlines
	Form  string // 五绝, 七绝, 五律, 七律 or 词:TUNE; empty: from the shape
	Rhyme string // pingshui (default) or xinyun
	Seed  int64
}

// Mended is a poem after mending.
type Mended struct {
	Poem   *Poem      `json:"poem"`
	Before []string   `json:"before"`
	Diff   []LineDiff `json:"diff"` // Changed lists the columns Miaobi rewrote
	// Changes is how many characters were rewritten (0: it was 合律).
	Changes int `json:"changes"`
}

// ErrMend marks a poem that cannot be mended.
var ErrMend = errors.New("mend")

// Mend brings a poem to 合律 with as few changed characters as it can.
func (e *Engine) Mend(req MendRequest) (*Mended, error) {
	d, err := ParseDraft(hanzi.ToSimplified(req.Poem))
	if err != nil {
		return nil, err
	}
	for _, l := range d {
		if slices.Contains(l, 0) {
			return nil, fmt.Errorf("%w: the poem has placeholders (%s); to fill them use revise", ErrMend, Placeholders)
		}
	}
	if req.Form == "" {
		if req.Form = formOfShape(d); req.Form == "" {
			return nil, fmt.Errorf("%w: its shape (%s) is not a regulated form; give the form, e.g. --form 词:浣溪沙", ErrMend, draftShape(d))
		}
	}
	j, err := e.newJob(Request{Form: req.Form, Rhyme: req.Rhyme, Seed: req.Seed, N: 1})
	if err != nil {
		return nil, err
	}
	before := make([]string, len(d))
	for i, l := range d {
		before[i] = string(l)
	}
	out := &Mended{Before: before}
	if res, err := e.check(j.rhymeName, j.form, before); err == nil && res.Verdict == prosody.VerdictOK {
		p := &Poem{Form: j.form, Variant: res.Variant, Lines: before, Seed: req.Seed, Check: res, Keywords: []string{}, Imagery: []Keyword{}, Plan: []PlanLine{}}
		p.Originality = e.originality(before)
		out.Poem = p
		for i, l := range before {
			out.Diff = append(out.Diff, LineDiff{Line: i + 1, Before: l, After: l, Changed: []int{}})
		}
		return out, nil
	}
	var bestMiss [][2]int
	shaped := false
	for _, t := range j.templates {
		if len(t.Lines) != len(d) {
			continue
		}
		ok := true
		for i, row := range t.Lines {
			ok = ok && len(row) == len(d[i])
		}
		if !ok {
			continue
		}
		shaped = true
		if miss := j.misfits(t, d); bestMiss == nil || len(miss) < len(bestMiss) {
			bestMiss = miss
		}
	}
	if !shaped {
		return nil, fmt.Errorf("%w: the poem's shape (%s) does not match %s", ErrMend, draftShape(d), j.form)
	}
	draft := make([][]rune, len(d))
	for i := range d {
		draft[i] = slices.Clone(d[i])
	}
	for _, m := range bestMiss {
		draft[m[0]][m[1]] = 0
	}
	j.draft = draft
	poems, err := e.run(j, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMend, err)
	}
	out.Poem = poems[0]
	for i, l := range out.Poem.Lines {
		ld := LineDiff{Line: i + 1, Before: before[i], After: l, Changed: []int{}}
		rs := []rune(l)
		for c, r := range d[i] {
			if c < len(rs) && rs[c] != r {
				ld.Changed = append(ld.Changed, c+1)
				out.Changes++
			}
		}
		out.Diff = append(out.Diff, ld)
	}
	return out, nil
}

// misfits lists the characters (line, column, 0-based) of d that template
// t cannot keep: a strict slot whose tone the character cannot take, or
// takes only by a reading poets rarely give it; and a rhyme position whose
// character is outside the family that most of its set share.
func (j *job) misfits(t prosody.Template, d [][]rune) [][2]int {
	var out [][2]int
	type pos struct{ li, ci int }
	rhymes := map[byte][]pos{}
	for li, row := range t.Lines {
		for ci, slot := range row {
			if slot.Rhyme != 0 {
				rhymes[slot.Rhyme] = append(rhymes[slot.Rhyme], pos{li, ci})
				continue
			}
			if j.misfit(d[li], li, ci, slot.Tone) != "" {
				out = append(out, [2]int{li, ci})
			}
		}
	}
	b := j.rhymeBook
	for letter, ps := range rhymes {
		tone := t.RhymeTone[letter]
		count := map[string]int{}
		for _, p := range ps {
			for _, f := range b.Families(d[p.li][p.ci], tone) {
				count[f]++
			}
		}
		best := prosody.MajorityFamily(count)
		for _, p := range ps {
			r := d[p.li][p.ci]
			if best == "" || !b.Rhymes(r, best, tone) {
				out = append(out, [2]int{p.li, p.ci})
				continue
			}
			if rare, _ := j.usage.Rare(d[p.li], p.ci, tone); rare {
				out = append(out, [2]int{p.li, p.ci})
			}
		}
	}
	slices.SortFunc(out, func(a, c [2]int) int {
		if a[0] != c[0] {
			return a[0] - c[0]
		}
		return a[1] - c[1]
	})
	return out
}

// String shows the mended poem with the rewritten characters in 【】.
func (m *Mended) String() string {
	var sb strings.Builder
	for _, ld := range m.Diff {
		rs := []rune(ld.After)
		for c, r := range rs {
			if slices.Contains(ld.Changed, c+1) {
				sb.WriteString("【" + string(r) + "】")
			} else {
				sb.WriteRune(r)
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
