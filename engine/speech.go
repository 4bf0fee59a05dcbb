package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// SpeechRequest asks an engine to read a text aloud.
type SpeechRequest struct {
	Model  string  // empty: the engine's default
	Voice  string  // empty: "alloy"
	Input  string  // the text
	Format string  // "mp3" (default) or "wav"
	Speed  float64 // 0.25–4; 0: the server's default
}

// SpeechReply is the sound an engine sent, still encoded: callers decode
// it with Miaobi's limits and label it themselves.
type SpeechReply struct {
	Engine, Model string
	Format        string
	Data          []byte
}

// Speech is a text-to-speech engine.
type Speech interface {
	Speak(ctx context.Context, r SpeechRequest) (*SpeechReply, error)
	Close() error
}

// MaxSpeechReply bounds the bytes of a speech engine's answer.
const MaxSpeechReply = 64 << 20

// OpenSpeech connects to a configured engine's speech API: for kind
// openai, POST /audio/speech (OpenAI, LocalAI, another Miaobi's voice).
func OpenSpeech(c Config) (Speech, error) {
	c = withDefaults(c)
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.Kind != "openai" {
		return nil, fmt.Errorf("%w: engine %q: kind %q has no speech API here; use an OpenAI-compatible one (kind openai)", ErrConfig, c.Name, c.Kind)
	}
	tr, opts := clientOptions(c, option.WithMiddleware(limitBody(MaxSpeechReply)))
	return &openaiSpeech{openaiEngine: openaiEngine{cfg: c, sem: make(slots, c.Concurrency), tr: tr}, speech: openai.NewAudioSpeechService(opts...)}, nil
}

type openaiSpeech struct {
	openaiEngine
	speech openai.AudioSpeechService
}

func (e *openaiSpeech) Speak(ctx context.Context, r SpeechRequest) (*SpeechReply, error) {
	model, err := e.cfg.model(r.Model)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(r.Input) == "" {
		return nil, errors.New("engine: speech needs a text")
	}
	format := r.Format
	if format == "" {
		format = "mp3"
	}
	if format != "mp3" && format != "wav" {
		return nil, fmt.Errorf("engine: speech as %q: ask for mp3 or wav", format)
	}
	voice := r.Voice
	if voice == "" {
		voice = "alloy"
	}
	p := openai.AudioSpeechNewParams{Input: r.Input, Model: openai.SpeechModel(model),
		Voice:          openai.AudioSpeechNewParamsVoiceUnion{OfString: openai.String(voice)},
		ResponseFormat: openai.AudioSpeechNewParamsResponseFormat(format)}
	if r.Speed != 0 {
		p.Speed = openai.Float(r.Speed)
	}
	release, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := e.speech.New(ctx, p)
	if err != nil {
		return nil, e.wrap(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, e.wrap(fmt.Errorf("%w: reading the sound: %v", ErrReply, err))
	}
	if len(data) == 0 {
		return nil, e.wrap(fmt.Errorf("%w: the server sent no sound", ErrReply))
	}
	return &SpeechReply{Engine: e.cfg.Name, Model: model, Format: format, Data: data}, nil
}
