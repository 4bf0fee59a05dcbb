// Package engine connects Miaobi to model servers a person already runs —
// a hosted API (OpenAI, DeepSeek, Qwen's compatible mode) or a local one
// (Ollama, llama.cpp's llama-server, vLLM, LocalAI, another Miaobi) — behind
// one small interface per kind of work.
//
// Text is the only kind so far: Chat asks for one reply, Stream hands the
// reply over piece by piece as the server writes it, Models lists what the
// server offers. Every call takes a context, so a caller can cancel it.
//
// Engines are named (see Config and Load): a config file, MIAOBI_ENGINE_*
// variables and flags give each its kind, address, key, default model,
// timeout, retries and concurrency. The "openai" kind speaks the OpenAI
// chat-completions API through the official Go SDK (openai-go), which
// retries 408/409/429/5xx answers with exponential backoff and honours
// Retry-After; Limit bounds how many calls run at once. Keys are kept out of
// logs, errors and metrics: Config's String and LogValue redact them, and
// errors pass through Redact before they leave the package.
//
// What an engine writes is not trusted: package poem's guard reads it,
// repairs its metre and checks its originality (poem.Engine.FromPoet), and
// Poet adapts any Text engine to the poem.Poet interface that guard uses.
package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Message is one turn of a chat.
type Message struct {
	Role    string `json:"role"` // system, user or assistant
	Content string `json:"content"`
}

// Request asks a text engine for one reply.
type Request struct {
	// Model names the server's model; empty: the engine's default.
	Model    string
	Messages []Message
	// Temperature and Seed are sent when set; servers that ignore a seed
	// are not deterministic, which the reply cannot change.
	Temperature *float64
	Seed        *int64
	// MaxTokens bounds the reply; 0: the engine's default (MaxReply).
	MaxTokens int
}

// Reply is a text engine's answer.
type Reply struct {
	Engine  string `json:"engine"`
	Model   string `json:"model"`
	Content string `json:"content"`
	// Finish is the server's reason for stopping (stop, length, …).
	Finish string `json:"finish"`
}

// Text is a text (chat) engine.
type Text interface {
	// Chat asks for one reply.
	Chat(ctx context.Context, r Request) (*Reply, error)
	// Stream asks for one reply and calls each with every piece as it
	// arrives; an error from each stops the stream and is returned. The
	// reply holds the whole text.
	Stream(ctx context.Context, r Request, each func(piece string) error) (*Reply, error)
	// Models lists the models the server offers.
	Models(ctx context.Context) ([]string, error)
	// Close lets go of the engine's idle connections.
	Close() error
}

// MaxReply bounds the characters kept from one reply: a poem, a story or a
// summary is far shorter, and a server that sends more is cut off rather
// than allowed to fill memory.
const MaxReply = 64 << 10

// ErrConfig marks an engine configuration that cannot be used.
var ErrConfig = errors.New("engine config")

// ErrReply marks a reply that cannot be used (empty, too long, cut off).
var ErrReply = errors.New("engine reply")

// Redact replaces every occurrence of the secrets in s with "***". Errors
// from an HTTP client may quote a URL or a server's echo of a header;
// nothing that leaves this package carries a key.
func Redact(s string, secrets ...string) string {
	for _, k := range secrets {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "***")
		}
	}
	return s
}

// redactedError is an error whose text has had the secrets removed; it
// still unwraps to the original so that errors.Is and errors.As work.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact wraps err so that its text carries none of the secrets.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: Redact(err.Error(), secrets...), err: err}
}

// wrapFor gives an error engine c's name, says which timeout ran out, and
// removes c's key from its text.
func wrapFor(c Config, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s (the engine's timeout; raise it with timeout = … in its config): %w", c.Timeout, err)
	}
	return redact(fmt.Errorf("engine %s: %w", c.Name, err), c.Key)
}

// slots bounds the calls an engine has in flight.
type slots chan struct{}

// take waits for a free slot, or for ctx; release gives it back.
func (s slots) take(ctx context.Context) (release func(), err error) {
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
