package studio

import (
	"context"
	"fmt"
	"strings"

	"miaobi/judge"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/poem"
	"miaobi/prosody"
)

// ReviewReport is what the review step shows before publishing.
type ReviewReport struct {
	Version int `json:"version"`
	// Check is the prosody checker's report.
	Check prosody.Result `json:"check"`
	// Originality is the copy guard's verdict and the closest corpus
	// poems with the spans they share.
	Originality Originality `json:"originality"`
	// Sensitive lists lexicon words found in the title and lines.
	Sensitive []judge.Hit `json:"sensitive"`
	// Labels are the labels publishing will write.
	Labels Labels `json:"labels"`
	Share  Share  `json:"share"`
	// Ready is false when something must be looked at first; Blocking
	// says what.
	Ready    bool     `json:"ready"`
	Blocking []string `json:"blocking"`
}

// Originality combines the guard and the corpus search.
type Originality struct {
	Guard   poem.Originality `json:"guard"`
	Closest []Close          `json:"closest"`
	Note    string           `json:"note,omitempty"`
}

// Close is a corpus poem sharing text with the work.
type Close struct {
	Reference
	Spans []string `json:"spans"` // the shared runs
	Share float64  `json:"share"` // the share of the work's characters in them
}

// Labels describes the labels of a published bundle.
type Labels struct {
	Text      string   `json:"text"`       // the explicit label closing the poem text
	Image     string   `json:"image"`      // the visible label on the painting
	Layers    []string `json:"layers"`     // the painting's label layers
	ProduceID string   `json:"produce_id"` // the AIGC label's ProduceID
	Producer  string   `json:"producer"`
	Actions   []string `json:"actions"` // the C2PA actions, from the attribution
}

// Review checks the current version before it is published.
func (s *Studio) Review(ctx context.Context, a Actor, id string) (*ReviewReport, error) {
	w, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, fmt.Errorf("%w: there is no poem to review yet; create one first", ErrInput)
	}
	r := &ReviewReport{Version: w.Head, Share: c.Share(), Blocking: []string{}}
	form := c.Brief.Form
	if !shapeFits(form, c.Lines) {
		form = "" // edited into another shape: the checker detects it
	}
	if r.Check, err = s.Poems.Check(c.Brief.Rhyme, form, c.Lines); err != nil {
		return nil, err
	}
	r.Originality.Guard = s.Poems.Originality(c.Lines)
	r.Originality.Closest = []Close{}
	if refs, note := s.Refs(); refs != nil {
		for _, m := range refs.Closest(c.Lines, 3) {
			cl := Close{Reference: Reference{Title: m.Poem.Title, Author: m.Poem.Author, Dynasty: m.Poem.Dynasty, Form: m.Poem.Form, Lines: m.Poem.Lines}, Share: m.Share, Spans: []string{}}
			for _, sp := range m.Spans {
				cl.Spans = append(cl.Spans, sp.Text)
			}
			r.Originality.Closest = append(r.Originality.Closest, cl)
		}
	} else {
		r.Originality.Note = note
	}
	r.Sensitive = s.Lexicon.Find(append([]string{c.Title}, c.Lines...)...)
	r.Labels = s.labels(id, w.Head, c)
	if len(r.Sensitive) > 0 {
		var ws []string
		for _, h := range r.Sensitive {
			ws = append(ws, h.Word+"("+h.Category+")")
		}
		r.Blocking = append(r.Blocking, "review these words: "+strings.Join(ws, "、"))
	}
	if n := len(r.Originality.Guard.CopiedRuns); n > 0 {
		r.Blocking = append(r.Blocking, fmt.Sprintf("%d runs are shared with corpus poems: %s", n, strings.Join(r.Originality.Guard.CopiedRuns, "、")))
	}
	r.Ready = len(r.Blocking) == 0
	return r, nil
}

// produceID identifies a published version.
func produceID(workID string, version int, c *Content) string {
	return label.ProduceID("studio", workID, fmt.Sprint(version), c.Title, strings.Join(c.Lines, "/"))
}

// labels describes what publishing writes.
func (s *Studio) labels(workID string, version int, c *Content) Labels {
	l := Labels{Text: label.DefaultTextLabel, ProduceID: produceID(workID, version, c), Producer: label.DefaultProducer, Actions: []string{}}
	if c.Painting != nil {
		l.Image = label.DefaultImageLabel
		l.Layers = []string{"visible", "metadata", "watermark", "c2pa"}
	}
	for _, a := range historyActions(c.Parts) {
		l.Actions = append(l.Actions, a.Action+": "+a.Description)
	}
	return l
}

// IPTC digital source type of a person's edits.
const digitalSourceHuman = "http://cv.iptc.org/newscodes/digitalsourcetype/humanEdits"

// historyActions turns the attribution into C2PA actions: AI parts as
// c2pa.created (the first) or c2pa.edited with trainedAlgorithmicMedia and
// the engine as software agent; the person's parts as c2pa.edited with
// humanEdits.
func historyActions(parts []Part) []c2pa.Action {
	var out []c2pa.Action
	for _, p := range parts {
		a := c2pa.Action{Action: "c2pa.edited", Parameters: map[string]string{"org.miaobi.part": p.Part, "org.miaobi.by": p.By, "org.miaobi.version": fmt.Sprint(p.Version)}}
		if p.By == "ai" {
			a.DigitalSourceType = label.DigitalSourceTrained
			a.SoftwareAgent = p.Engine
			a.Description = fmt.Sprintf("%s %s by %s", p.Action, p.Part, p.Engine)
			if p.Model != "" {
				a.Parameters["org.miaobi.model"] = p.Model
				a.Parameters["org.miaobi.seed"] = fmt.Sprint(p.Seed)
				a.Description += fmt.Sprintf(" (model %s, seed %d)", p.Model, p.Seed)
			}
		} else {
			a.DigitalSourceType = digitalSourceHuman
			a.Description = fmt.Sprintf("%s %s by %s", p.Action, p.Part, p.By)
		}
		out = append(out, a)
	}
	return out
}
