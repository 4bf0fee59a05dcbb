package studio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"miaobi/label"
	"miaobi/paint"
	"miaobi/poem"
)

// ChatTurn is one message of a conversation with Miaobi's poet (the chat
// model behind /v1/chat/completions).
type ChatTurn struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatAnswer is the poet's answer to a conversation.
type ChatAnswer struct {
	Poem *poem.Poem `json:"poem"`
	// Text is the answer as shown: title, lines and the explicit label.
	Text string     `json:"text"`
	Ask  Ask        `json:"ask"`
	AIGC label.AIGC `json:"aigc"`
	// Revised is true when the answer rewrote lines of the poem before.
	Revised bool `json:"revised"`
}

// MaxChatTurns bounds a conversation.
const MaxChatTurns = 64

// shapes are the regulated forms a poem earlier in a chat may have, the
// longest first.
var shapes = []struct {
	form  string
	shape []int
}{{"七律", []int{7, 7, 7, 7, 7, 7, 7, 7}}, {"五律", []int{5, 5, 5, 5, 5, 5, 5, 5}}, {"七绝", []int{7, 7, 7, 7}}, {"五绝", []int{5, 5, 5, 5}}}

// Chat answers the last message of a conversation: a new poem, or a
// revision of the poem Miaobi gave last (「第三句再凄凉些」), the rest kept.
func (s *Studio) Chat(ctx context.Context, turns []ChatTurn, seed int64) (*ChatAnswer, error) {
	if len(turns) == 0 || len(turns) > MaxChatTurns {
		return nil, fmt.Errorf("%w: send 1 to %d messages", ErrInput, MaxChatTurns)
	}
	last := turns[len(turns)-1]
	if last.Role != "user" {
		return nil, fmt.Errorf("%w: the last message must be the user's (role user), not %q", ErrInput, last.Role)
	}
	if strings.TrimSpace(last.Content) == "" {
		return nil, fmt.Errorf("%w: the last message is empty; ask for a poem, e.g. 写一首七绝，关键词：秋风、落叶", ErrInput)
	}
	// The poem before, and what was first asked of it.
	var prev [][]rune
	var prevForm string
	var first Ask
	for i := len(turns) - 2; i >= 0 && prev == nil; i-- {
		if turns[i].Role != "assistant" {
			continue
		}
		for _, sh := range shapes {
			if lines, _, err := poem.ExtractPoem(turns[i].Content, sh.shape); err == nil {
				prev, prevForm = lines, sh.form
				break
			}
		}
	}
	for _, t := range turns[:len(turns)-1] {
		if t.Role == "user" {
			if a, err := Understand(t.Content, 0); err == nil {
				first = a
				break
			}
		}
	}
	ask, err := Understand(last.Content, len(prev))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	out := &ChatAnswer{Ask: ask}
	if len(ask.Redo) > 0 {
		draft := make([]string, len(prev))
		for i, l := range prev {
			draft[i] = string(l)
		}
		// The engine never hands back a line asked to be rewritten as it
		// was.
		req := poem.ReviseRequest{Request: poem.Request{Form: prevForm, Keywords: first.Keywords, Rhyme: first.Rhyme, Seed: seed, N: 1},
			Draft: strings.Join(draft, "\n"), Redo: ask.Redo}
		if ask.Mood != "" {
			req.Keywords = append(append([]string{}, first.Keywords...), ask.Mood)
		}
		rs, err := s.Poems.Revise(req)
		if errors.Is(err, poem.ErrBadKeyword) && ask.Mood != "" {
			req.Keywords = first.Keywords // a mood the lexicon cannot place
			rs, err = s.Poems.Revise(req)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		out.Poem, out.Revised = rs[0].Poem, true
		out.Poem.Keywords = req.Keywords
	} else {
		ask.N = 1
		ask.Seed = seed
		ps, err := s.Poems.Generate(ask.Request)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		out.Poem = ps[0]
	}
	p := out.Poem
	if out.Text, err = label.Text(p.Title+"\n"+poemText(p.Lines)+"\n", label.DefaultTextLabel, false); err != nil {
		return nil, err
	}
	id := label.ProduceID("poem", p.Form, p.Title, strings.Join(p.Lines, "/"), fmt.Sprint(p.Seed))
	out.AIGC = label.New(label.DefaultProducer, id, "")
	return out, nil
}

// MaxPrompt bounds an image prompt (characters).
const MaxPrompt = 4000

// PaintPrompt paints a picture for a prompt in words (the ink-wash painter
// reads its images from them), labelled in every layer and signed — what
// /v1/images/generations answers. The size is checked as for a work's
// painting (0×0: the default).
func (s *Studio) PaintPrompt(ctx context.Context, prompt string, w, h int, seed uint64) ([]byte, error) {
	if strings.TrimSpace(prompt) == "" || utf8.RuneCountInString(prompt) > MaxPrompt || !utf8.ValidString(prompt) {
		return nil, fmt.Errorf("%w: give a prompt of 1 to %d characters", ErrInput, MaxPrompt)
	}
	if err := checkSize(&w, &h); err != nil {
		return nil, err
	}
	img, err := paint.Paint(paint.SceneOf(prompt), w, h, seed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID("images/generations", prompt, fmt.Sprint(w, "x", h), fmt.Sprint(seed)),
		Title:       "painting.png",
		Description: "ink-wash landscape painted by Miaobi's painter for a prompt",
		AIGenerated: true,
		Layers:      label.AllLayers,
		Signer:      s.Signer,
	}
	return label.Encode(img, "png", prov)
}
