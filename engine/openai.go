package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// openaiEngine speaks the OpenAI chat-completions API through the official
// SDK. The services are built from this engine's own options alone, not
// from openai.NewClient, which would add the OPENAI_* variables: a key meant
// for OpenAI must never be sent to another engine's server.
type openaiEngine struct {
	cfg    Config
	chat   openai.ChatService
	models openai.ModelService
	sem    slots
	tr     *http.Transport
}

// Close drops the engine's idle connections (io.Closer).
func (e *openaiEngine) Close() error {
	e.tr.CloseIdleConnections()
	return nil
}

// Open connects to a configured engine (no request is made until used).
func Open(c Config) (Text, error) {
	c = withDefaults(c)
	if err := c.validate(); err != nil {
		return nil, err
	}
	switch c.Kind {
	case "openai":
		tr, opts := clientOptions(c)
		return &openaiEngine{cfg: c, chat: openai.NewChatService(opts...), models: openai.NewModelService(opts...),
			sem: make(slots, c.Concurrency), tr: tr}, nil
	case "ollama":
		return openOllama(c)
	}
	return nil, fmt.Errorf("%w: engine %q: kind %q", ErrConfig, c.Name, c.Kind)
}

// clientOptions are the SDK's options for engine c alone: its own
// transport, address, key, retries and per-attempt timeout, and more.
func clientOptions(c Config, more ...option.RequestOption) (*http.Transport, []option.RequestOption) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	opts := []option.RequestOption{
		option.WithHTTPClient(&http.Client{Transport: tr}),
		option.WithBaseURL(strings.TrimRight(c.URL, "/") + "/"),
		option.WithMaxRetries(c.Retries),
		option.WithRequestTimeout(c.Timeout),
	}
	if c.Key != "" {
		opts = append(opts, option.WithAPIKey(c.Key))
	}
	return tr, append(opts, more...)
}

// begin checks a request and takes a slot of the engine's concurrency;
// release gives the slot back.
func (e *openaiEngine) begin(ctx context.Context, r Request) (p openai.ChatCompletionNewParams, release func(), err error) {
	if p, err = e.params(r); err != nil {
		return p, nil, err
	}
	release, err = e.acquire(ctx)
	return p, release, err
}

// acquire waits for a free slot of the engine's concurrency, or for ctx.
func (e *openaiEngine) acquire(ctx context.Context) (func(), error) {
	release, err := e.sem.take(ctx)
	return release, e.wrap(err)
}

// wrap gives an error the engine's name and removes the key from its
// text. The SDK's error text is only the status; the server's own message
// says what was wrong (an unknown model, a bad key), so it is added.
func (e *openaiEngine) wrap(err error) error {
	var ae *openai.Error
	if errors.As(err, &ae) && ae.Message != "" {
		err = fmt.Errorf("%w: %s", err, ae.Message)
	}
	return wrapFor(e.cfg, err)
}

func (e *openaiEngine) params(r Request) (openai.ChatCompletionNewParams, error) {
	model, err := e.cfg.model(r.Model)
	if err != nil {
		return openai.ChatCompletionNewParams{}, err
	}
	p := openai.ChatCompletionNewParams{Model: model}
	for _, m := range r.Messages {
		switch m.Role {
		case "system":
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case "assistant":
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		case "user":
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		default:
			return p, fmt.Errorf("engine %s: message role %q: want system, user or assistant", e.cfg.Name, m.Role)
		}
	}
	if r.Temperature != nil {
		p.Temperature = openai.Float(*r.Temperature)
	}
	if r.Seed != nil {
		p.Seed = openai.Int(*r.Seed)
	}
	if r.MaxTokens > 0 {
		p.MaxTokens = openai.Int(int64(r.MaxTokens))
	}
	return p, nil
}

func (e *openaiEngine) Chat(ctx context.Context, r Request) (*Reply, error) {
	p, release, err := e.begin(ctx, r)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := e.chat.Completions.New(ctx, p)
	if err != nil {
		return nil, e.wrap(err)
	}
	if len(res.Choices) == 0 {
		return nil, e.wrap(fmt.Errorf("%w: the server sent no choices", ErrReply))
	}
	c := res.Choices[0]
	out := &Reply{Engine: e.cfg.Name, Model: res.Model, Content: c.Message.Content, Finish: c.FinishReason}
	if out.Model == "" {
		out.Model = p.Model
	}
	return out, checkReply(out, e.wrap)
}

// checkReply refuses replies that cannot hold a usable answer.
func checkReply(r *Reply, wrap func(error) error) error {
	switch {
	case len(r.Content) > MaxReply:
		return wrap(fmt.Errorf("%w: %d bytes, more than the %d kept", ErrReply, len(r.Content), MaxReply))
	case !utf8.ValidString(r.Content):
		return wrap(fmt.Errorf("%w: the text is not UTF-8", ErrReply))
	case strings.TrimSpace(r.Content) == "":
		return wrap(fmt.Errorf("%w: the server sent an empty reply (finish reason %q)", ErrReply, r.Finish))
	}
	return nil
}

func (e *openaiEngine) Stream(ctx context.Context, r Request, each func(string) error) (*Reply, error) {
	p, release, err := e.begin(ctx, r)
	if err != nil {
		return nil, err
	}
	defer release()
	// A stream is cancelled with its context: leaving early closes the
	// connection and ends the SDK's reader.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := e.chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	out := &Reply{Engine: e.cfg.Name, Model: p.Model}
	var sb strings.Builder
	for s.Next() {
		ch := s.Current()
		if ch.Model != "" {
			out.Model = ch.Model
		}
		for _, c := range ch.Choices {
			if c.Index != 0 {
				continue
			}
			if c.FinishReason != "" {
				out.Finish = c.FinishReason
			}
			if c.Delta.Content == "" {
				continue
			}
			if sb.Len()+len(c.Delta.Content) > MaxReply {
				return nil, e.wrap(fmt.Errorf("%w: more than the %d bytes kept", ErrReply, MaxReply))
			}
			sb.WriteString(c.Delta.Content)
			if err := each(c.Delta.Content); err != nil {
				return nil, err
			}
		}
	}
	if err := s.Err(); err != nil {
		return nil, e.wrap(err)
	}
	if out.Finish == "" {
		return nil, e.wrap(fmt.Errorf("%w: the stream ended before the server said it had finished", ErrReply))
	}
	out.Content = sb.String()
	return out, checkReply(out, e.wrap)
}

func (e *openaiEngine) Models(ctx context.Context) ([]string, error) {
	release, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	page, err := e.models.List(ctx)
	if err != nil {
		return nil, e.wrap(err)
	}
	var out []string
	for _, m := range page.Data {
		out = append(out, m.ID)
	}
	return out, nil
}
