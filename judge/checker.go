// Package judge measures quality against something independent rather than
// assuming it: the prosody checker against the corpus's own 平仄
// annotations (agreement, held-out regulated poems, tone-break mutants,
// speed); the metre of any poem by those annotations (KeepsMetre); the
// originality guard, references and the taste ranker; and poems against
// people, through the blind panel's files (MakePanel, ScorePanel).
package judge

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"

	"miaobi/corpus"
	"miaobi/prosody"
)

// RegulatedForms are the forms whose shapes the report covers.
var RegulatedForms = []string{"五绝", "七绝", "五律", "七律"}

// ToneAgreement counts characters whose annotation is 平 or 仄.
type ToneAgreement struct {
	Chars    int `json:"chars"`        // annotated 平 or 仄
	Agree    int `json:"agree"`        // our class equals the annotation
	Either   int `json:"either"`       // we list both readings (多音字)
	Disagree int `json:"disagree"`     // we say the opposite tone
	Unknown  int `json:"unknown"`      // not in the rhyme book
	Undeterm int `json:"undetermined"` // annotated ○ (either), not counted above
}

// Rate is Agree / Chars.
func (t ToneAgreement) Rate() float64 { return ratio(t.Agree, t.Chars) }

// Disagreement is one character whose class differs from the annotation.
type Disagreement struct {
	Char    string `json:"char"`
	Ours    string `json:"ours"`
	Corpus  string `json:"corpus"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// CheckerReport is what MeasureChecker found.
type CheckerReport struct {
	// AllPoems is every Tang poem, all checked for the speed figure; Poems is
	// the regulated-shape ones that the accuracy figures cover.
	AllPoems int `json:"all_poems"`
	Poems    int `json:"poems"`
	// Dictionary compares each character's tone class from the rhyme book.
	Dictionary ToneAgreement `json:"dictionary"`
	// Resolved compares the tone the checker settled on in context (a 多音字
	// read the way that fits the form).
	Resolved ToneAgreement `json:"resolved"`
	// Verdicts counts verdicts per form.
	Verdicts map[string]map[string]int `json:"verdicts"`
	// Rules counts poems per broken rule (error level) per form.
	Rules          map[string]map[string]int `json:"rules"`
	Disagreements  []Disagreement            `json:"disagreements"`
	CheckSeconds   float64                   `json:"check_seconds"`
	PoemsPerSecond float64                   `json:"poems_per_second"`
	GOMAXPROCS     int                       `json:"gomaxprocs"`
}

// MeasureChecker checks every regulated-shape Tang poem of the corpus at
// path and compares the checker's tones with the corpus annotations. Only
// the time spent in Checker.Check is counted as check time.
func MeasureChecker(path string, c *prosody.Checker) (*CheckerReport, error) {
	var poems []*corpus.Poem
	err := corpus.Read(path, func(p *corpus.Poem) error {
		if p.Collection == "tang" {
			poems = append(poems, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(poems) == 0 {
		return nil, fmt.Errorf("judge: the corpus at %s has no Tang poems", path)
	}
	parsed := make([]*prosody.Poem, len(poems))
	for i, p := range poems {
		parsed[i] = &prosody.Poem{Index: i + 1, Lines: p.LinesT}
	}
	results := make([]prosody.Result, len(poems))
	start := time.Now()
	for i, p := range parsed {
		results[i] = c.Check(p)
	}
	elapsed := max(time.Since(start), time.Microsecond) // a coarse clock can read 0

	rep := &CheckerReport{AllPoems: len(poems), Verdicts: map[string]map[string]int{}, Rules: map[string]map[string]int{},
		CheckSeconds: elapsed.Seconds(), PoemsPerSecond: float64(len(poems)) / elapsed.Seconds(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	// GOMAXPROCS only bounds the runtime; the loop above runs on one goroutine.
	type key struct{ char, ours, corpus string }
	dis := map[key]*Disagreement{}
	for i, p := range poems {
		if !isRegulated(p.Form) {
			continue
		}
		rep.Poems++
		res := results[i]
		if rep.Verdicts[p.Form] == nil {
			rep.Verdicts[p.Form] = map[string]int{}
			rep.Rules[p.Form] = map[string]int{}
		}
		rep.Verdicts[p.Form][res.Verdict]++
		seen := map[string]bool{}
		for _, pr := range res.Problems {
			if pr.Level == prosody.LevelError && !seen[pr.Rule] {
				seen[pr.Rule] = true
				rep.Rules[p.Form][pr.Rule]++
			}
		}
		if p.Strains == nil {
			continue
		}
		for li, line := range p.LinesT {
			chars := []rune(line)
			ann := []rune(p.Strains[li])
			var resolved []rune
			if li < len(res.Lines) {
				resolved = []rune(res.Lines[li].Read)
			}
			for j, r := range chars {
				a := ann[j]
				if a == '○' {
					rep.Dictionary.Undeterm++
					rep.Resolved.Undeterm++
					continue
				}
				if a != '平' && a != '仄' {
					continue
				}
				ours := c.Book.ToneOf(r)
				tally(&rep.Dictionary, ours, a)
				if ours != prosody.Unknown && ours.String() != string(a) && ours != prosody.Either {
					k := key{string(r), ours.String(), string(a)}
					d := dis[k]
					if d == nil {
						d = &Disagreement{Char: k.char, Ours: k.ours, Corpus: k.corpus, Example: line}
						dis[k] = d
					}
					d.Count++
				}
				rt := ours
				if j < len(resolved) {
					switch resolved[j] {
					case '平':
						rt = prosody.Ping
					case '仄':
						rt = prosody.Ze
					}
				}
				tally(&rep.Resolved, rt, a)
			}
		}
	}
	for _, d := range dis {
		rep.Disagreements = append(rep.Disagreements, *d)
	}
	sort.Slice(rep.Disagreements, func(i, j int) bool {
		a, b := rep.Disagreements[i], rep.Disagreements[j]
		return a.Count > b.Count || a.Count == b.Count && a.Char < b.Char
	})
	return rep, nil
}

func tally(t *ToneAgreement, ours prosody.Tone, ann rune) {
	t.Chars++
	switch {
	case ours == prosody.Unknown:
		t.Unknown++
	case ours == prosody.Either:
		t.Either++
	case ours.String() == string(ann):
		t.Agree++
	default:
		t.Disagree++
	}
}

func isRegulated(form string) bool {
	for _, f := range RegulatedForms {
		if f == form {
			return true
		}
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Markdown renders the report as the tables in docs/benchmarks.md.
func (r *CheckerReport) Markdown(top int) string {
	var b strings.Builder
	pct := func(a, n int) string { return fmt.Sprintf("%.2f %%", 100*ratio(a, n)) }
	fmt.Fprintf(&b, "Poems checked: %d Tang regulated-shape poems (五绝, 七绝, 五律, 七律 by shape).\n\n", r.Poems)
	fmt.Fprintf(&b, "| tones | characters (平/仄 annotated) | agree | both readings (中) | opposite | not in book | ○ in corpus (skipped) |\n|---|---|---|---|---|---|---|\n")
	for _, row := range []struct {
		name string
		t    ToneAgreement
	}{{"rhyme-book class", r.Dictionary}, {"resolved in context", r.Resolved}} {
		t := row.t
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %d |\n", row.name, t.Chars, pct(t.Agree, t.Chars), pct(t.Either, t.Chars), pct(t.Disagree, t.Chars), pct(t.Unknown, t.Chars), t.Undeterm)
	}
	fmt.Fprintf(&b, "\n| form | poems | 合律 | 拗 | 出律 | most common errors (poems) |\n|---|---|---|---|---|---|\n")
	for _, f := range RegulatedForms {
		v := r.Verdicts[f]
		n := v[prosody.VerdictOK] + v[prosody.VerdictAo] + v[prosody.VerdictFail]
		type kv struct {
			k string
			v int
		}
		var rules []kv
		for k, c := range r.Rules[f] {
			rules = append(rules, kv{k, c})
		}
		sort.Slice(rules, func(i, j int) bool {
			return rules[i].v > rules[j].v || rules[i].v == rules[j].v && rules[i].k < rules[j].k
		})
		var rs []string
		for i, x := range rules {
			if i == 4 {
				break
			}
			rs = append(rs, fmt.Sprintf("%s %d", x.k, x.v))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", f, n, pct(v[prosody.VerdictOK], n), pct(v[prosody.VerdictAo], n), pct(v[prosody.VerdictFail], n), strings.Join(rs, ", "))
	}
	if top > 0 && len(r.Disagreements) > 0 {
		fmt.Fprintf(&b, "\nMost frequent opposite readings (ours vs the corpus annotation):\n\n| char | ours | corpus | times | example line |\n|---|---|---|---|---|\n")
		for i, d := range r.Disagreements {
			if i == top {
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", d.Char, d.Ours, d.Corpus, d.Count, d.Example)
		}
	}
	fmt.Fprintf(&b, "\nSpeed: all %d Tang poems checked in %.3f s on one goroutine = %.0f poems/s per core (GOMAXPROCS=%d).\n", r.AllPoems, r.CheckSeconds, r.PoemsPerSecond, r.GOMAXPROCS)
	return b.String()
}
