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

// Report measures a work's current version.
func (s *Studio) Report(ctx context.Context, a Actor, id string) (*WorkReport, error) {
	w, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, fmt.Errorf("%w: there is no poem to measure yet; create one first", ErrInput)
	}
	return s.report(ctx, w.ID, w.Head, c)
}

func (s *Studio) report(ctx context.Context, workID string, version int, c *Content) (*WorkReport, error) {
	refs, _ := s.Refs()
	m := report.Measurer{Poems: s.Poems, Refs: refs}
	traits, err := m.Traits(c.Brief.Form, c.Brief.Rhyme, c.Brief.Keywords, c.Lines)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	r := &WorkReport{Version: version, Traits: traits, Lovelace: m.Lovelace(c.Brief.Keywords, c.Lines, madeBy(c))}
	answers, err := s.DB.AnswersFor(ctx, "work "+workID)
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

// madeBy says in plain words how a work was made, from its parts.
func madeBy(c *Content) []string {
	var out []string
	if b := c.Brief; len(b.Keywords) > 0 {
		plan := fmt.Sprintf("plan: keywords %s, form %s", strings.Join(b.Keywords, "、"), b.Form)
		if len(b.Images) > 0 {
			plan += ", images the person chose " + strings.Join(b.Images, "、")
		}
		out = append(out, plan)
	}
	for _, p := range c.Parts {
		who := "the person (" + strings.TrimPrefix(p.By, "person:") + ")"
		if p.By == "ai" {
			who = p.Engine
			if p.Model != "" {
				who += " " + p.Model
			}
			if p.Seed != 0 {
				who += fmt.Sprintf(", seed %d", p.Seed)
			}
		}
		out = append(out, fmt.Sprintf("v%d %s: %s by %s", p.Version, p.Part, p.Action, who))
	}
	sh := c.Share()
	out = append(out, fmt.Sprintf("%d of %d characters are the person's", sh.PersonChars, sh.PersonChars+sh.AIChars))
	return out
}
