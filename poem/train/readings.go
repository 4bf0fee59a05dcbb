package train

import (
	"fmt"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/prosody"
)

// ReadingsStats says what Readings counted.
type ReadingsStats struct {
	Poems        int // training-split regulated-shape poems read
	Regulated    int // of those, 合律 by the checker (metre counts taken)
	MetreUses    int // 多音字 uses at strict places of those poems
	AnnotateUses int // 多音字 uses with a one-tone annotation (平 or 仄, not ○)
	Chars, Words int // entries written
}

// Readings counts how poets use the readings of every character that
// 平水韵 lists both ways (see prosody.Usage), from the training split of the
// corpus at path: the tone the form demands at each strict place (characters
// 2, 4, 6 and the line's end) of regulated-shape poems that the checker
// finds 合律 reading every 多音字 freely, and the corpus's own one-tone
// annotations. Each use by metre is also counted for the two-character
// words the character sits in; words are kept only when they decide the
// reading.
func Readings(path string) (*prosody.Usage, ReadingsStats, error) {
	var st ReadingsStats
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		return nil, st, err
	}
	checkers := map[string]*prosody.Checker{}
	for _, f := range []string{"五绝", "七绝", "五律", "七律"} {
		// No Usage: every listed reading is read freely, since that is
		// what Usage is learned from.
		checkers[f] = &prosody.Checker{Book: book, CiBook: book, Form: f}
	}
	all := prosody.NewUsage()
	words := prosody.NewUsage()
	both := func(r rune) bool { p, z := book.CharTones(r); return p && z }
	count := func(lines [][]rune, i, k int, src prosody.Source, t prosody.Tone) {
		l := lines[i]
		all.Add(l[k], src, t, 1)
		if src != prosody.Metre {
			// Words are counted by metre alone: the annotator's dictionary
			// would teach them its own blind spots (唯 always 仄).
			return
		}
		if k > 0 {
			words.AddWord(l[k-1], l[k], 1, t, 1)
		}
		if k+1 < len(l) {
			words.AddWord(l[k], l[k+1], 0, t, 1)
		}
	}
	err = corpus.Read(path, func(p *corpus.Poem) error {
		if corpus.SplitOf(p.ID) != corpus.Train || checkers[p.Form] == nil {
			return nil
		}
		st.Poems++
		// Count in the script the poem was written in (traditional where
		// the corpus has it): simplification merges characters whose
		// readings differ (乾/幹 → 干).
		src := p.LinesT
		if len(src) != len(p.Lines) {
			src = p.Lines
		}
		lines := make([][]rune, len(src))
		for i, l := range src {
			lines[i] = []rune(l)
		}
		for i := range p.Strains {
			if i >= len(lines) {
				break
			}
			s := []rune(p.Strains[i])
			for k, r := range lines[i] {
				if k >= len(s) || !both(r) {
					continue
				}
				if t := judge.MarkTone(s[k]); t != prosody.Unknown {
					count(lines, i, k, prosody.Annotation, t)
					st.AnnotateUses++
				}
			}
		}
		res := checkers[p.Form].Check(&prosody.Poem{Index: 1, Lines: src})
		if res.Verdict != prosody.VerdictOK || len(res.Lines) != len(lines) {
			return nil
		}
		st.Regulated++
		for i, l := range lines {
			tones := []rune(res.Lines[i].Read)
			if len(tones) != len(l) {
				continue
			}
			for k, r := range l {
				strict := k%2 == 1 || k == len(l)-1
				if !strict || !both(r) {
					continue
				}
				if t := judge.MarkTone(tones[k]); t != prosody.Unknown {
					count(lines, i, k, prosody.Metre, t)
					st.MetreUses++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	out := prosody.NewUsage()
	for _, e := range all.Chars() {
		for src := range e.Uses {
			out.Add(e.Char, prosody.Source(src), prosody.Ping, e.Uses[src][0])
			out.Add(e.Char, prosody.Source(src), prosody.Ze, e.Uses[src][1])
		}
	}
	// A word is kept when it decides its character's reading: enough uses,
	// nearly all one way, and the character itself not already that one-sided.
	for _, w := range words.Words() {
		n := w.Ping + w.Ze
		if n < 12 {
			continue
		}
		wp := float64(w.Ping) / float64(n)
		if wp > 0.05 && wp < 0.95 {
			continue
		}
		c := w.Word[w.Pos]
		if !out.Common(c, prosody.Ze) && wp >= 0.95 || !out.Common(c, prosody.Ping) && wp <= 0.05 {
			continue // the character alone says as much
		}
		out.AddWord(w.Word[0], w.Word[1], w.Pos, prosody.Ping, w.Ping)
		out.AddWord(w.Word[0], w.Word[1], w.Pos, prosody.Ze, w.Ze)
	}
	st.Chars, st.Words = out.Len()
	if st.Chars == 0 {
		return nil, st, fmt.Errorf("poem: train readings: no annotated or regulated poems in the training split of %s", path)
	}
	return out, st, nil
}
