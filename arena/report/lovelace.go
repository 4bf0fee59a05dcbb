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
	return m.lovelace(keywords, lines, made, m.gather(lines))
}

func (m Measurer) lovelace(keywords, lines, made []string, ev evidence) Lovelace {
	rep := Lovelace{Made: made, Copied: ev.copied}
	if rep.Copied == nil {
		rep.Copied = []string{}
	}
	if m.hasCorpus() {
		rep.Corpus = m.Say("%d poems of chinese-poetry 2.0.1", "语料库 chinese-poetry 2.0.1 的 %d 首诗", m.Refs.Len())
		for _, mt := range ev.nearest {
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
		rep.Corpus = m.Say("the corpus is not installed ('miaobi corpus fetch'): only the copy guard's runs are known", "语料库未安装（miaobi corpus fetch）：只知道抄袭守卫找到的字串")
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
	switch {
	case rep.LongestLen > 0:
		b.WriteString(m.Say("Its longest run shared with %s is %d characters, 「%s」 (%s). ", "与%s最长的共有字串为 %d 字：「%s」（%s）。",
			strings.TrimSuffix(rep.Corpus, "."), rep.LongestLen, rep.Longest, rep.LongestFrom))
	case m.hasCorpus():
		b.WriteString(m.Say("It shares no run of two characters or more with %s. ", "与%s没有两字以上的共有字串。", rep.Corpus))
	}
	if len(rep.Copied) > 0 {
		b.WriteString(m.Say("The copy guard finds %d run(s) shared with a corpus line: %s. ", "抄袭守卫找到 %d 处与古诗句相同：%s。", len(rep.Copied), strings.Join(rep.Copied, "、")))
	} else {
		b.WriteString(m.Say("The copy guard finds no run shared with a corpus line. ", "抄袭守卫未找到与古诗句相同的字串。"))
	}
	if len(rep.Images) > 0 {
		b.WriteString(m.Say("%d of its %d images (%.0f%%) are not among those its keywords usually bring", "%[2]d 个意象中有 %[1]d 个（%.0[3]f%%）不在关键词通常带出的意象之列", len(rep.Novel), len(rep.Images), 100*rep.Novelty))
		if len(rep.Novel) > 0 {
			b.WriteString(m.Say(": %s", "：%s", strings.Join(rep.Novel, " ")))
		}
		b.WriteString(m.Say(". ", "。"))
	}
	if len(made) > 0 {
		b.WriteString(m.Say("How it was made: %s.", "做法：%s。", strings.Join(made, m.Say("; ", "；"))))
	}
	rep.Summary = strings.TrimSpace(b.String())
	return rep
}

func poemName(p judge.RefPoem) string {
	return strings.TrimSpace(fmt.Sprintf("%s %s《%s》", p.Dynasty, p.Author, p.Title))
}
