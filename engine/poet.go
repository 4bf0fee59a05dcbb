package engine

import (
	"context"

	"miaobi/poem"
)

// PoetSystem is the system message sent with every poem prompt.
const PoetSystem = "你是一位精通格律的古典诗人，用简体中文写作，只输出所要的诗。"

// Poet adapts a text engine to poem.Poet: each prompt is one chat with the
// poet's system message.
type Poet struct {
	Name  string // the engine's configured name, for attribution
	Text  Text
	Model string // empty: the engine's default
	// Seed and Temperature are passed on when set.
	Seed        *int64
	Temperature *float64
}

// Write implements poem.Poet.
func (p Poet) Write(ctx context.Context, prompt string) (poem.Writing, error) {
	r, err := p.Text.Chat(ctx, Request{Model: p.Model, Seed: p.Seed, Temperature: p.Temperature,
		Messages: []Message{{Role: "system", Content: PoetSystem}, {Role: "user", Content: prompt}}})
	if err != nil {
		return poem.Writing{}, err
	}
	return poem.Writing{Text: r.Content, Engine: p.Name, Model: r.Model}, nil
}
