// Package report measures a work for a reader who must judge whether it is
// creative: its value traits (metre, rhyme, readability, uniqueness,
// imagery, tone, form), each with how it was measured and the evidence,
// from Miaobi's checker and the corpus's own statistics; and its Lovelace
// report — the longest runs it shares with the corpus, the nearest corpus
// poems, the images its keywords do not usually bring, and how it was made
// — so that a reader can tell whether it is more than recombination. The
// studio shows both beside the arena's figures and puts them in the bundle.
package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"miaobi/judge"
	"miaobi/poem"
	"miaobi/prosody"
)

// Trait is one measured value trait of a work, with how it was measured
// and the evidence, so a reader can check it rather than trust it.
type Trait struct {
	Name string `json:"name"` // metre, rhyme, readability, uniqueness, imagery, tone, form
	// Value is on a 0–1 scale where higher is more of the trait (more
	// regular, more readable, more unique, denser, more joyful); Label
	// says it in words.
	Value  float64  `json:"value"`
	Label  string   `json:"label"`
	How    string   `json:"how"`
	Detail []string `json:"detail,omitempty"`
}

// Measurer measures traits with Miaobi's checker and the corpus's own
// statistics; Refs (the corpus index) may be nil, and uniqueness then
// rests on the copy guard alone.
type Measurer struct {
	Poems *poem.Engine
	Refs  *judge.Refs
	// Chinese writes the labels, evidence and summaries in Chinese; the
	// explanations of how each trait is measured stay in English (the
	// studio's pages carry their translations).
	Chinese bool
}

// Say picks the English or the Chinese format, as the Measurer writes, and
// fills it.
func (m Measurer) Say(en, zh string, args ...any) string {
	if m.Chinese {
		return fmt.Sprintf(zh, args...)
	}
	return fmt.Sprintf(en, args...)
}

// Readability grades, by a character's rank in how often the annotated
// corpus uses it.
var gradeRanks = []int{500, 1500, 3000, 6000}

// Tone seeds: characters whose feeling is plain. Every other character's
// tone is learned from the company it keeps in the corpus (Imagery.Related,
// normalised PMI of sharing a couplet).
const (
	joySeeds    = "喜欢乐笑悦欣畅"
	sorrowSeeds = "悲愁哀伤泪恨怨凄怅惆"
)

// evidence is what both the traits and the Lovelace report read — the
// copy guard's runs and the nearest corpus poems (up to 3, none without
// the corpus) — found once for both.
type evidence struct {
	copied  []string
	nearest []judge.Match
}

func (m Measurer) hasCorpus() bool { return m.Refs != nil && m.Refs.Len() > 0 }

func (m Measurer) gather(lines []string) evidence {
	ev := evidence{copied: m.Poems.Originality(lines).CopiedRuns}
	if m.hasCorpus() {
		ev.nearest = m.Refs.Closest(lines, 3)
	}
	return ev
}

// Measure returns a poem's traits and its Lovelace report, finding what
// they share once; made is how it was made.
func (m Measurer) Measure(form, rhyme string, keywords, lines, made []string) ([]Trait, Lovelace, error) {
	if len(lines) == 0 {
		return nil, Lovelace{}, errEmpty
	}
	ev := m.gather(lines)
	ts, err := m.traits(form, rhyme, lines, ev)
	if err != nil {
		return nil, Lovelace{}, err
	}
	return ts, m.lovelace(keywords, lines, made, ev), nil
}

var errEmpty = fmt.Errorf("arena: traits of an empty poem")

// Traits measures a poem. form may be empty (the checker detects it).
func (m Measurer) Traits(form, rhyme string, lines []string) ([]Trait, error) {
	if len(lines) == 0 {
		return nil, errEmpty
	}
	return m.traits(form, rhyme, lines, m.gather(lines))
}

func (m Measurer) traits(form, rhyme string, lines []string, ev evidence) ([]Trait, error) {
	// As the studio's review does: a regulated form the lines no longer
	// fit (edited into another shape) is left to the checker to detect;
	// any other form, a 词 tune among them, is checked as given.
	if poem.HeldOutForms[form] && prosody.ShapeForm(lines) != form {
		form = ""
	}
	check, err := m.Poems.Check(rhyme, form, lines)
	if err != nil {
		return nil, fmt.Errorf("arena: traits: %w", err)
	}
	var out []Trait
	out = append(out, m.metreTrait(check), m.rhymeTrait(check))
	chars := hanOf(lines)
	out = append(out, m.readability(chars), m.uniqueness(lines, ev), m.imagery(chars, len(lines)), m.tone(chars))
	out = append(out, Trait{Name: "form", Value: 1, Label: m.Say("%s, %d lines, %d characters", "%s，%d 行，%d 字", cmp.Or(check.Form, m.Say("free", "不拘")), len(lines), len(chars)),
		How: "the checker's reading of the shape (lines × characters) and the form asked for"})
	return out, nil
}

func hanOf(lines []string) []rune {
	var out []rune
	for _, l := range lines {
		for _, r := range l {
			if unicode.Is(unicode.Han, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

func (m Measurer) metreTrait(c prosody.Result) Trait {
	t := Trait{Name: "metre", Label: c.Verdict, How: "Miaobi's checker (平水韵 or 中华新韵 by the rhyme book; rules and their authorities in docs/prosody.md): 合律 1, 拗 0.5, 出律 0"}
	switch c.Verdict {
	case prosody.VerdictOK:
		t.Value = 1
	case prosody.VerdictAo:
		t.Value = 0.5
	}
	for _, p := range c.Problems {
		if p.Level == prosody.LevelWarn || isRhymeRule(p.Rule) {
			continue
		}
		t.Detail = append(t.Detail, m.Say("line %d: %s (%s, %s)", "第 %d 行：%s（%s，%s）", p.Line, p.Message, p.Rule, p.Level))
	}
	return t
}

func isRhymeRule(r string) bool {
	return r == prosody.RuleChuyun || r == prosody.RuleYunjiao || r == prosody.RuleLinyun
}

func (m Measurer) rhymeTrait(c prosody.Result) Trait {
	t := Trait{Name: "rhyme", Value: 1, Label: cmp.Or(c.RhymeGroup, "—") + " (" + c.Book + ")", How: "the rhyme words' group in the rhyme book; 出韵 or a bad rhyme word 0, a neighbouring group (邻韵) 0.5"}
	for _, p := range c.Problems {
		if !isRhymeRule(p.Rule) {
			continue
		}
		if p.Rule == prosody.RuleLinyun {
			t.Value = math.Min(t.Value, 0.5)
		} else {
			t.Value = 0
		}
		t.Detail = append(t.Detail, m.Say("line %d: %s (%s)", "第 %d 行：%s（%s）", p.Line, p.Message, p.Rule))
	}
	return t
}

// ranks holds, per imagery table (one per loaded poem engine), the
// characters ranked by how often the annotated corpus uses them (1: the
// commonest), made on first use.
var ranks sync.Map // *poem.Imagery → map[rune]int

func (m Measurer) rank(r rune) int {
	im := m.Poems.Imagery
	if v, ok := ranks.Load(im); ok {
		return v.(map[rune]int)[r]
	}
	type cu struct {
		r rune
		n uint32
	}
	var all []cu
	for r, u := range im.Usage {
		all = append(all, cu{r, u.Ping + u.Ze})
	}
	slices.SortFunc(all, func(a, b cu) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.r, b.r)) })
	rk := make(map[rune]int, len(all))
	for i, c := range all {
		if c.n > 0 {
			rk[c.r] = i + 1
		}
	}
	v, _ := ranks.LoadOrStore(im, rk)
	return v.(map[rune]int)[r]
}

// grade is 1 (among the 500 commonest) to 5 (past the 6,000th, or unseen).
func (m Measurer) grade(r rune) int {
	k := m.rank(r)
	if k == 0 {
		return 5
	}
	for i, g := range gradeRanks {
		if k <= g {
			return i + 1
		}
	}
	return 5
}

func (m Measurer) readability(chars []rune) Trait {
	sum, rare := 0, 0
	var rares []string
	for _, r := range chars {
		g := m.grade(r)
		sum += g
		if g >= 4 {
			rare++
			if !slices.Contains(rares, string(r)) {
				rares = append(rares, string(r))
			}
		}
	}
	mean := float64(sum) / float64(max(len(chars), 1))
	share := float64(rare) / float64(max(len(chars), 1))
	t := Trait{Name: "readability", Value: 1 - (mean-1)/4,
		Label: m.Say("grade %.1f of 5; %.0f%% rare characters", "难度 %.1f 级（共 5 级）；生僻字 %.0f%%", mean, 100*share),
		How:   "each character graded by its rank in how often the annotated corpus uses it (1: among the 500 commonest, 2: 1,500, 3: 3,000, 4: 6,000, 5: rarer or unseen); rare means grade 4 or 5"}
	if len(rares) > 0 {
		t.Detail = []string{m.Say("rare: %s", "生僻字：%s", strings.Join(rares, " "))}
	}
	return t
}

func (m Measurer) uniqueness(lines []string, ev evidence) Trait {
	t := Trait{Name: "uniqueness", Value: 1, How: "the longest run of characters shared with any corpus poem (the corpus index) and the copy guard's runs shared with a corpus line; 1 − the share of the poem's characters inside runs of 3 or more"}
	for _, r := range ev.copied {
		t.Detail = append(t.Detail, m.Say("copied run (guard): %s", "与古诗句相同（守卫）：%s", r))
	}
	if !m.hasCorpus() {
		t.Label = m.Say("the corpus is not installed: the guard's verdict only", "语料库未安装：仅有抄袭守卫的判断")
		if len(ev.copied) > 0 {
			t.Value = 0
		}
		return t
	}
	ms := ev.nearest
	longest := 0
	covered := map[[2]int]bool{}
	if len(ms) > 0 {
		for _, sp := range ms[0].Spans {
			longest = max(longest, sp.Len)
			if sp.Len >= 3 {
				for k := range sp.Len {
					covered[[2]int{sp.Line, sp.At + k}] = true
				}
			}
		}
		p := ms[0].Poem
		t.Detail = append(t.Detail, m.Say("nearest: %s %s《%s》, sharing %.0f%% of the characters", "最相近：%s %s《%s》，共有 %.0f%% 的字", p.Dynasty, p.Author, p.Title, 100*ms[0].Share))
	}
	n := len(hanOf(lines))
	t.Value = 1 - float64(len(covered))/float64(max(n, 1))
	t.Label = m.Say("longest shared run %d characters", "与古诗最长共有 %d 字", longest)
	return t
}

func (m Measurer) imagery(chars []rune, lines int) Trait {
	var imgs []string
	for _, r := range chars {
		if m.Poems.Lexicon.Imageable(r) {
			imgs = append(imgs, string(r))
		}
	}
	per := float64(len(imgs)) / float64(max(lines, 1))
	t := Trait{Name: "imagery", Value: float64(len(imgs)) / float64(max(len(chars), 1)),
		Label: m.Say("%.1f images a line", "每行 %.1f 个意象", per),
		How:   "characters that are images (things or feelings a poem can show) in Miaobi's imagery lexicon, per line; the value is their share of the characters"}
	if len(imgs) > 0 {
		t.Detail = []string{strings.Join(imgs, " ")}
	}
	return t
}

// toneOf is a character's tone from the corpus: +1 or −1 for the seeds,
// else the PMI-weighted balance of joyful and sorrowful seeds among the
// characters it shares couplets with, in [−1, 1].
func (m Measurer) toneOf(r rune) float64 {
	switch {
	case strings.ContainsRune(joySeeds, r):
		return 1
	case strings.ContainsRune(sorrowSeeds, r):
		return -1
	}
	var j, s, all float64
	for _, rel := range m.Poems.Imagery.Related[r] {
		w := float64(rel.Score)
		all += w
		switch {
		case strings.ContainsRune(joySeeds, rel.R):
			j += w
		case strings.ContainsRune(sorrowSeeds, rel.R):
			s += w
		}
	}
	if all == 0 {
		return 0
	}
	return (j - s) / all
}

// Tone is a poem's tone in [−1, 1] and the characters that carry it.
func (m Measurer) Tone(chars []rune) (float64, []string) {
	var sum float64
	var carriers []string
	for _, r := range chars {
		v := m.toneOf(r)
		sum += v
		if math.Abs(v) >= 0.1 {
			carriers = append(carriers, fmt.Sprintf("%c%+.2f", r, v))
		}
	}
	return math.Tanh(4 * sum / float64(max(len(chars), 1))), carriers
}

func (m Measurer) tone(chars []rune) Trait {
	v, carriers := m.Tone(chars)
	label := m.Say("even", "平")
	switch {
	case v <= -0.05:
		label = m.Say("sorrowful 悲", "悲")
	case v >= 0.05:
		label = m.Say("joyful 喜", "喜")
	}
	t := Trait{Name: "tone", Value: (v + 1) / 2, Label: fmt.Sprintf("%s (%+.2f)", label, v),
		How: "each character's tone from the company it keeps in the corpus: the weighted balance of joyful (" + joySeeds + ") and sorrowful (" + sorrowSeeds + ") characters among those it shares couplets with most (normalised PMI); the poem's is tanh(4 × the mean)"}
	if len(carriers) > 0 {
		t.Detail = []string{strings.Join(carriers, " ")}
	}
	return t
}
