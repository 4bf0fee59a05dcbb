package poem

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the poem as 'miaobi poem' prints it: the title, the
// lines punctuated by couplet, and a footer with the form, rhyme, verdict,
// seed and score (an engine's poem: its hands and repairs instead),
// ending with labelLine, the explicit AI label.
func (p *Poem) WriteText(w io.Writer, labelLine string) {
	fmt.Fprintf(w, "%s\n", p.Title)
	for i, l := range p.Lines {
		punct := "，"
		if i%2 == 1 || i == len(p.Lines)-1 {
			punct = "。"
		}
		fmt.Fprintf(w, "  %s%s\n", l, punct)
	}
	group := p.Check.RhymeGroup
	if group == "" {
		group = p.Check.Book
	}
	if src := p.Source; src != nil { // an engine's poem: no score of Miaobi's, but its hands
		fmt.Fprintf(w, "  — %s · %s · %s · %s · seed %d · %s\n", p.Form, p.Variant, group, p.Check.Verdict, p.Seed, labelLine)
		byEngine, byMiaobi := 0, 0
		for _, r := range src.Repairs {
			if r.By == HandMiaobi {
				byMiaobi++
			} else {
				byEngine++
			}
		}
		fmt.Fprintf(w, "  — written by %s (%s); %d character(s) repaired by the engine when asked, %d by Miaobi; %d request(s)\n", src.Engine, src.Model, byEngine, byMiaobi, src.Asks)
		for _, r := range src.Repairs {
			fmt.Fprintf(w, "    line %d col %d: %s → %s (%s): %s\n", r.Line, r.Col, r.From, r.To, r.By, r.Why)
		}
		return
	}
	fmt.Fprintf(w, "  — %s · %s · %s · %s · seed %d · score %.2f · %s\n", p.Form, p.Variant, group, p.Check.Verdict, p.Seed, p.Scores.Score, labelLine)
}

// StripFooter removes the footer lines WriteText writes under a poem
// (those starting with —), so that printed poems can be read back in.
func StripFooter(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "—") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// Identity is what makes the poem this poem, for its ProduceID: its form,
// title, lines and seed, and for an engine's poem the engine and model.
func (p *Poem) Identity() []string {
	parts := []string{"poem", p.Form, p.Title, strings.Join(p.Lines, "/"), fmt.Sprint(p.Seed)}
	if p.Source != nil {
		parts = append(parts, "engine", p.Source.Engine, p.Source.Model)
	}
	return parts
}
