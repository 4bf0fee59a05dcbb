package report

import (
	"fmt"
	"slices"
	"strings"

	"miaobi/judge"
)

// Lovelace is the report that lets a reader judge whether a work is more
// than recombination (after the Lovelace test: can its makers explain it
// as copying?): what it shares with the corpus, how far its images stray
// from the ones its keywords usually bring, and how it was made.
type Lovelace struct {
	// Longest is the longest run of characters the poem shares with any
	// corpus poem, and where.
	Longest     string `json:"longest"`
	LongestLen  int    `json:"longest_len"`
	LongestFrom string `json:"longest_from,omitempty"`
	// Copied are the runs the copy guard finds shared with a corpus line.
	Copied []string `json:"copied"`
	// Nearest are the closest corpus poems with the runs they share.
	Nearest []Near `json:"nearest"`
	// Images are the poem's image characters; Usual those the keywords
	// usually bring (the lexicon's images for each keyword and the
	// characters the corpus most often sets beside the keywords' own);
	// Novel the images outside Usual, and Novelty their share.
	Images  []string `json:"images"`
	Usual   []string `json:"usual"`
	Novel   []string `json:"novel"`
	Novelty float64  `json:"novelty"`
	// Made says, step by step, how the work was made; the studio fills it.
	Made []string `json:"made"`
	// Corpus says what the comparison was made against.
	Corpus string `json:"corpus"`
	// Summary is the report in one paragraph.
	Summary string `json:"summary"`
}

// Near is a corpus poem close to the work.
type Near struct {
	Poem  string   `json:"poem"` // dynasty, author, title
	Lines []string `json:"lines"`
	Spans []string `json:"spans"`
	Share float64  `json:"share"`
}

// usualPerKeyword is how many of each keyword character's companions count
// as its usual images.
const usualPerKeyword = 24

// Lovelace reports on a poem written for keywords; made is how it was made.
func (m Measurer) Lovelace(keywords, lines, made []string) Lovelace {
	rep := Lovelace{Made: made, Copied: m.Poems.Originality(lines).CopiedRuns}
	if rep.Copied == nil {
		rep.Copied = []string{}
	}
	if m.Refs != nil && m.Refs.Len() > 0 {
		rep.Corpus = fmt.Sprintf("%d poems of chinese-poetry 2.0.1", m.Refs.Len())
		for _, mt := range m.Refs.Closest(lines, 3) {
			n := Near{Poem: poemName(mt.Poem), Lines: mt.Poem.Lines, Share: mt.Share}
			for _, sp := range mt.Spans {
				n.Spans = append(n.Spans, sp.Text)
				if sp.Len > rep.LongestLen {
					rep.Longest, rep.LongestLen, rep.LongestFrom = sp.Text, sp.Len, n.Poem
				}
			}
			rep.Nearest = append(rep.Nearest, n)
		}
	} else {
		rep.Corpus = "the corpus is not installed ('miaobi corpus fetch'): only the copy guard's runs are known"
	}
	if rep.Nearest == nil {
		rep.Nearest = []Near{}
	}
	usual := map[rune]bool{}
	for _, k := range keywords {
		for _, img := range m.Poems.Lexicon.Images(k) {
			for _, r := range img {
				usual[r] = true
			}
		}
		for _, r := range k {
			usual[r] = true
			rel := m.Poems.Imagery.Related[r]
			for _, x := range rel[:min(len(rel), usualPerKeyword)] {
				usual[x.R] = true
			}
		}
	}
	for _, r := range hanOf(lines) {
		if !m.Poems.Lexicon.Imageable(r) || slices.Contains(rep.Images, string(r)) {
			continue
		}
		rep.Images = append(rep.Images, string(r))
		if usual[r] {
			rep.Usual = append(rep.Usual, string(r))
		} else {
			rep.Novel = append(rep.Novel, string(r))
		}
	}
	if len(rep.Images) > 0 {
		rep.Novelty = float64(len(rep.Novel)) / float64(len(rep.Images))
	}
	for _, p := range []*[]string{&rep.Images, &rep.Usual, &rep.Novel} {
		if *p == nil {
			*p = []string{}
		}
	}
	var b strings.Builder
	if rep.LongestLen > 0 {
		fmt.Fprintf(&b, "Its longest run shared with %s is %d characters, 「%s」 (%s). ", strings.TrimSuffix(rep.Corpus, "."), rep.LongestLen, rep.Longest, rep.LongestFrom)
	} else if m.Refs != nil && m.Refs.Len() > 0 {
		fmt.Fprintf(&b, "It shares no run of two characters or more with %s. ", rep.Corpus)
	}
	if len(rep.Copied) > 0 {
		fmt.Fprintf(&b, "The copy guard finds %d run(s) shared with a corpus line: %s. ", len(rep.Copied), strings.Join(rep.Copied, "、"))
	} else {
		b.WriteString("The copy guard finds no run shared with a corpus line. ")
	}
	if len(rep.Images) > 0 {
		fmt.Fprintf(&b, "%d of its %d images (%.0f%%) are not among those its keywords usually bring", len(rep.Novel), len(rep.Images), 100*rep.Novelty)
		if len(rep.Novel) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(rep.Novel, " "))
		}
		b.WriteString(". ")
	}
	if len(made) > 0 {
		b.WriteString("How it was made: " + strings.Join(made, "; ") + ".")
	}
	rep.Summary = strings.TrimSpace(b.String())
	return rep
}

func poemName(p judge.RefPoem) string {
	return strings.TrimSpace(fmt.Sprintf("%s %s《%s》", p.Dynasty, p.Author, p.Title))
}
