package poem

import (
	"cmp"
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
	before := lineStrings(d)
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
	bestMiss, err := j.bestFit(d)
	if err != nil {
		return nil, err
	}
	free := make([][2]int, len(bestMiss))
	for i, m := range bestMiss {
		free[i] = [2]int{m.li, m.ci}
	}
	poems, err := e.rewrite(j, d, free)
	if err != nil {
		return nil, err
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
func (j *job) misfits(t prosody.Template, d [][]rune) []misfitAt {
	var out []misfitAt
	type pos struct{ li, ci int }
	rhymes := map[byte][]pos{}
	for li, row := range t.Lines {
		for ci, slot := range row {
			if slot.Rhyme != 0 {
				rhymes[slot.Rhyme] = append(rhymes[slot.Rhyme], pos{li, ci})
				continue
			}
			if why := j.misfit(d[li], li, ci, slot.Tone); why != "" {
				out = append(out, misfitAt{li, ci, why, slot.Tone.String()})
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
			need := fmt.Sprintf("%s声，押%s韵", tone, best)
			if best == "" {
				need = fmt.Sprintf("%s声韵脚", tone)
			}
			if best == "" || !b.Rhymes(r, best, tone) {
				out = append(out, misfitAt{p.li, p.ci, fmt.Sprintf("「%c」 at the end of line %d does not rhyme in %s", r, p.li+1, cmp.Or(best, "the form's rhyme")), need})
				continue
			}
			if rare, why := j.usage.Rare(d[p.li], p.ci, tone); rare {
				out = append(out, misfitAt{p.li, p.ci, fmt.Sprintf("「%c」 rhymes line %d only %s", r, p.li+1, why), need})
			}
		}
	}
	slices.SortFunc(out, func(a, c misfitAt) int {
		if a.li != c.li {
			return a.li - c.li
		}
		return a.ci - c.ci
	})
	return out
}

// misfitAt is a character a template cannot keep.
type misfitAt struct {
	li, ci int
	why    string // what is wrong, in words
	need   string // what the slot needs: 平, 仄, or a rhyme
}

// bestFit finds, of the form's templates of d's shape, the one d fits
// best, and the characters it cannot keep there.
func (j *job) bestFit(d [][]rune) ([]misfitAt, error) {
	var best []misfitAt
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
		miss := j.misfits(t, d)
		if !shaped || len(miss) < len(best) {
			best = miss
		}
		shaped = true
	}
	if !shaped {
		return nil, fmt.Errorf("%w: the poem's shape (%s) does not match %s", ErrMend, draftShape(d), j.form)
	}
	return best, nil
}

// rewrite gives the characters at free back to the decoder, every other
// one of d locked, and returns the best poem it writes around them.
func (e *Engine) rewrite(j *job, d [][]rune, free [][2]int) ([]*Poem, error) {
	draft := make([][]rune, len(d))
	for i := range d {
		draft[i] = slices.Clone(d[i])
	}
	for _, m := range free {
		draft[m[0]][m[1]] = 0
	}
	j.draft = draft
	poems, err := e.run(j, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMend, err)
	}
	return poems, nil
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
