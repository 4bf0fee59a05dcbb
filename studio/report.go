package studio

import (
	"context"
	"fmt"
	"strings"

	"miaobi/arena"
	"miaobi/arena/report"
)

// WorkReport is a work's value traits and Lovelace report, with how the
// arena's readers took it when it was in a round.
type WorkReport struct {
	Version  int             `json:"version"`
	Traits   []report.Trait  `json:"traits"`
	Lovelace report.Lovelace `json:"lovelace"`
	// Panel is the work's own figures from the arena (rounds drawing
	// published works); nil when no reader has rated it yet.
	Panel *arena.SourceRow `json:"panel,omitempty"`
}

// Report measures a work's current version; chinese writes its labels,
// evidence and summary in Chinese.
func (s *Studio) Report(ctx context.Context, a Actor, id string, chinese bool) (*WorkReport, error) {
	w, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, fmt.Errorf("%w: there is no poem to measure yet; create one first", ErrInput)
	}
	return s.report(ctx, w.ID, w.Head, c, chinese)
}

func (s *Studio) report(ctx context.Context, workID string, version int, c *Content, chinese bool) (*WorkReport, error) {
	refs, _ := s.Refs()
	m := report.Measurer{Poems: s.Poems, Refs: refs, Chinese: chinese}
	traits, lovelace, err := m.Measure(c.Brief.Form, c.Brief.Rhyme, c.Brief.Keywords, c.Lines, madeBy(c, m.Say))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	r := &WorkReport{Version: version, Traits: traits, Lovelace: lovelace}
	answers, err := s.DB.FiguresFor(ctx, "work "+workID)
	if err != nil {
		return nil, err
	}
	if len(answers) > 0 {
		res, err := arena.Summarise(answers)
		if err != nil {
			return nil, err
		}
		for i := range res.Sources {
			if res.Sources[i].Source == "published" {
				r.Panel = &res.Sources[i]
			}
		}
	}
	return r, nil
}

// madeBy says in plain words how a work was made, from its parts, in the
// language of say (report.Measurer.Say).
func madeBy(c *Content, say func(en, zh string, args ...any) string) []string {
	var out []string
	if b := c.Brief; len(b.Keywords) > 0 {
		plan := say("plan: keywords %s, form %s", "构思：关键词 %s，体裁 %s", strings.Join(b.Keywords, "、"), b.Form)
		if len(b.Images) > 0 {
			plan += say(", images the person chose %s", "，作者选的意象 %s", strings.Join(b.Images, "、"))
		}
		out = append(out, plan)
	}
	for _, p := range c.Parts {
		who := say("the person (%s)", "作者本人（%s）", strings.TrimPrefix(p.By, "person:"))
		if p.By == "ai" {
			who = p.Engine
			if p.Model != "" {
				who += " " + p.Model
			}
			if p.Seed != 0 {
				who += say(", seed %d", "，种子 %d", p.Seed)
			}
		}
		out = append(out, say("v%d %s: %s by %s", "第 %d 版 %s：%s，由 %s", p.Version, p.Part, p.Action, who))
	}
	sh := c.Share()
	out = append(out, say("%d of %d characters are the person's", "%[2]d 个字中 %[1]d 个是作者写的", sh.PersonChars, sh.PersonChars+sh.AIChars))
	return out
}
