package judge

import (
	"fmt"
	"sort"
	"strings"

	"miaobi/corpus"
	"miaobi/prosody"
)

// Measures of metre by the corpus's own 平仄 annotations (dist/strains of
// chinese-poetry), independent of Miaobi's rhyme book and checker.

// AnnotationClass is how the corpus annotates one character overall.
type AnnotationClass struct {
	Ping, Ze, Either uint32 // annotated 平, 仄, ○
}

// Allows reports whether the annotations let the character stand where
// tone t is required. A character annotated both ways — ○ in at least 5 %
// of its annotations, or its minority tone in at least 5 % — is either; a
// character never annotated cannot be judged and is allowed.
func (c AnnotationClass) Allows(t prosody.Tone) bool {
	n := c.Ping + c.Ze + c.Either
	if n == 0 || t == prosody.Either {
		return true
	}
	if float64(c.Either) >= 0.05*float64(n) {
		return true
	}
	switch t {
	case prosody.Ping:
		return float64(c.Ping) >= 0.05*float64(c.Ping+c.Ze)
	case prosody.Ze:
		return float64(c.Ze) >= 0.05*float64(c.Ping+c.Ze)
	}
	return true
}

// Annotations are every character's annotation counts.
type Annotations map[rune]AnnotationClass

// CountAnnotations reads every annotated poem of the corpus at path, keyed
// by the simplified character.
func CountAnnotations(path string) (Annotations, error) {
	a := Annotations{}
	err := corpus.Read(path, func(p *corpus.Poem) error {
		for i, s := range p.Strains {
			if i >= len(p.Lines) {
				break
			}
			st, l := []rune(s), []rune(p.Lines[i])
			for k, r := range l {
				if k >= len(st) {
					break
				}
				c := a[r]
				switch st[k] {
				case '平':
					c.Ping++
				case '仄':
					c.Ze++
				case '○':
					c.Either++
				default:
					continue
				}
				a[r] = c
			}
		}
		return nil
	})
	return a, err
}

// StrictTones gives the tone of character k of line i: Ping, Ze or Either.
type StrictTones func(i, k int) prosody.Tone

// KeepsMetre reports whether a regulated-shape poem (4 or 8 lines, all of 5
// or all of 7 characters) keeps every strict place by the given tones: 二四
// (六) 分明 within each line, 对 within each couplet, 粘 between couplets,
// 平 at the end of even lines and 仄 at the end of odd lines after the first.
// Either matches both tones; the poem passes when one choice of the first
// line's pivot fits every place. 特拗 and other 拗救 count as breaks here:
// this is the strict reading of the rules.
func KeepsMetre(lines []string, tone StrictTones) bool {
	if len(lines) != 4 && len(lines) != 8 {
		return false
	}
	n := len([]rune(lines[0]))
	if n != 5 && n != 7 {
		return false
	}
	for _, l := range lines {
		if len([]rune(l)) != n {
			return false
		}
	}
	opp := func(t prosody.Tone) prosody.Tone {
		if t == prosody.Ping {
			return prosody.Ze
		}
		return prosody.Ping
	}
	fits := func(have, want prosody.Tone) bool { return have == prosody.Either || have == want }
	for _, p0 := range []prosody.Tone{prosody.Ping, prosody.Ze} {
		ok := true
		for i := 0; i < len(lines) && ok; i++ {
			pivot := p0 // the core's second character: 2nd of 5, 4th of 7
			if ((i+1)/2)%2 == 1 {
				pivot = opp(p0)
			}
			want := map[int]prosody.Tone{n - 4: pivot, n - 2: opp(pivot)}
			if n == 7 {
				want[1] = opp(pivot)
			}
			switch {
			case i%2 == 1:
				want[n-1] = prosody.Ping
			case i > 0:
				want[n-1] = prosody.Ze
			}
			for k, t := range want {
				if !fits(tone(i, k), t) {
					ok = false
					break
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// AnnotatedTones reads a corpus poem's own annotations: 平, 仄, and ○ or
// anything else as either.
func AnnotatedTones(strains []string) StrictTones {
	rs := make([][]rune, len(strains))
	for i, s := range strains {
		rs[i] = []rune(s)
	}
	return func(i, k int) prosody.Tone {
		if i >= len(rs) || k >= len(rs[i]) {
			return prosody.Either
		}
		if t := MarkTone(rs[i][k]); t != prosody.Unknown {
			return t
		}
		return prosody.Either
	}
}

// MarkTone reads a tone mark of the annotations: 平 or 仄, else Unknown
// (○, ？ and punctuation).
func MarkTone(c rune) prosody.Tone {
	switch c {
	case '平':
		return prosody.Ping
	case '仄':
		return prosody.Ze
	}
	return prosody.Unknown
}

// ClassTones reads a poem's tones from the annotation classes of its
// characters (for poems the corpus does not annotate, such as generated ones).
func (a Annotations) ClassTones(lines []string) StrictTones {
	rs := make([][]rune, len(lines))
	for i, l := range lines {
		rs[i] = []rune(l)
	}
	return func(i, k int) prosody.Tone {
		c := a[rs[i][k]]
		p, z := c.Allows(prosody.Ping), c.Allows(prosody.Ze)
		switch {
		case p && !z:
			return prosody.Ping
		case z && !p:
			return prosody.Ze
		}
		return prosody.Either
	}
}

// RhymesByBook reports whether the even lines' last characters (and the
// first line's, when it ends 平 by tone) share one 平 group of book.
func RhymesByBook(book *prosody.Book, lines []string, tone StrictTones) bool {
	count := map[int]int{}
	need := 0
	for i, l := range lines {
		rs := []rune(l)
		if i%2 == 0 && !(i == 0 && tone(0, len(rs)-1) == prosody.Ping) {
			continue
		}
		need++
		seen := map[int]bool{}
		for _, x := range book.Readings(rs[len(rs)-1]) {
			if x.Tone == prosody.Ping && !seen[x.Group] {
				seen[x.Group] = true
				count[x.Group]++
			}
		}
	}
	for _, c := range count {
		if c == need {
			return true
		}
	}
	return false
}

// HeldOutRegular calls fn with every held-out (test split) poem of a
// regulated form (五绝, 七绝, 五律, 七律) in the corpus at path that keeps the
// metre by its own annotations and rhymes in one group of book: human
// poems that are regulated by an outside measure, for panels and
// benchmarks.
func HeldOutRegular(path string, book *prosody.Book, fn func(p *corpus.Poem)) error {
	return corpus.Read(path, func(p *corpus.Poem) error {
		if corpus.SplitOf(p.ID) != corpus.Test || !isRegulated(p.Form) || len(p.Strains) != len(p.Lines) {
			return nil
		}
		tones := AnnotatedTones(p.Strains)
		if KeepsMetre(p.Lines, tones) && RhymesByBook(book, p.Lines, tones) {
			fn(p)
		}
		return nil
	})
}

// HeldOutReport measures the checker on held-out human poems that keep the
// metre by the corpus's own annotations.
type HeldOutReport struct {
	// Poems are the test-split Tang regulated-shape poems that keep 二四分明,
	// 粘对 and line endings by their annotations and rhyme in one 平水韵
	// group; Passed of them the checker judges 合律 or 拗.
	Poems  int `json:"poems"`
	Passed int `json:"passed"`
	// PerForm counts poems and passes per form.
	PerForm map[string][2]int `json:"per_form"`
	// Rules counts the error rules of the poems the checker fails.
	Rules map[string]int `json:"rules"`
	// Broken are copies of those poems with the second character of one
	// line replaced by a character of the opposite tone (unambiguous by both
	// the book and the annotations); Caught of them the checker calls 出律.
	Broken int `json:"broken"`
	Caught int `json:"caught"`
	// Missed lists a few mutants the checker let through.
	Missed []string `json:"missed"`
}

// BreakPing and BreakZe are characters for breaking a tone on purpose (the
// checker's mutants, bench mend's injected faults): common, and of one tone
// in both the rhyme book and the annotations.
const (
	BreakPing = "山天人风云春秋烟声家前楼城舟"
	BreakZe   = "月水日雨雪树草叶路客梦酒鸟竹"
)

// MeasureHeldOut checks the held-out (test split) Tang regulated-shape poems
// of the corpus at path that keep the metre by their own annotations, and
// the tone-break mutants made from them.
func MeasureHeldOut(path string, c *prosody.Checker) (*HeldOutReport, error) {
	rep := &HeldOutReport{PerForm: map[string][2]int{}, Rules: map[string]int{}}
	err := corpus.Read(path, func(p *corpus.Poem) error {
		if p.Collection != "tang" || corpus.SplitOf(p.ID) != corpus.Test || !isRegulated(p.Form) || len(p.Strains) != len(p.LinesT) {
			return nil
		}
		tones := AnnotatedTones(p.Strains)
		if !KeepsMetre(p.LinesT, tones) || !RhymesByBook(c.Book, p.LinesT, tones) {
			return nil
		}
		rep.Poems++
		pf := rep.PerForm[p.Form]
		pf[0]++
		res := c.Check(&prosody.Poem{Index: 1, Lines: p.LinesT})
		if res.Verdict != prosody.VerdictFail {
			rep.Passed++
			pf[1]++
		} else {
			seen := map[string]bool{}
			for _, pr := range res.Problems {
				if pr.Level == prosody.LevelError && !seen[pr.Rule] {
					seen[pr.Rule] = true
					rep.Rules[pr.Rule]++
				}
			}
		}
		rep.PerForm[p.Form] = pf
		// One mutant per poem, on a line chosen by the poem's length.
		li := (len(p.ID) + rep.Poems) % len(p.LinesT)
		line := []rune(p.LinesT[li])
		var repl string
		switch tones(li, 1) {
		case prosody.Ping:
			repl = BreakZe
		case prosody.Ze:
			repl = BreakPing
		default:
			return nil
		}
		all := strings.Join(p.LinesT, "") + p.Lines[li]
		for _, r := range repl {
			if strings.ContainsRune(all, r) {
				continue
			}
			line[1] = r
			lines := append([]string(nil), p.LinesT...)
			lines[li] = string(line)
			rep.Broken++
			if c.Check(&prosody.Poem{Index: 1, Lines: lines}).Verdict == prosody.VerdictFail {
				rep.Caught++
			} else if len(rep.Missed) < 10 {
				rep.Missed = append(rep.Missed, strings.Join(lines, "，"))
			}
			break
		}
		return nil
	})
	return rep, err
}

// Markdown renders the report.
func (r *HeldOutReport) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Held-out Tang poems (test split) that keep 二四分明, 粘对, line endings and one rhyme by the corpus's annotations: %d; judged 合律 or 拗: %d (%.1f %%).\n\n", r.Poems, r.Passed, 100*ratio(r.Passed, r.Poems))
	b.WriteString("| form | poems | 合律 or 拗 |\n|---|---|---|\n")
	for _, f := range RegulatedForms {
		pf := r.PerForm[f]
		fmt.Fprintf(&b, "| %s | %d | %.1f %% |\n", f, pf[0], 100*ratio(pf[1], pf[0]))
	}
	var rules []string
	for k, v := range r.Rules {
		rules = append(rules, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(rules)
	fmt.Fprintf(&b, "\nErrors in the poems judged 出律 (poems): %s.\n\n", strings.Join(rules, ", "))
	fmt.Fprintf(&b, "Tone breaks: the second character of one line of each poem replaced by a common character of the opposite tone: %d mutants, %d caught as 出律 (%.1f %%).\n", r.Broken, r.Caught, 100*ratio(r.Caught, r.Broken))
	return b.String()
}
