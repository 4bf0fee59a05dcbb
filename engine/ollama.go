package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// ollamaEngine speaks Ollama's own API (/api/chat, /api/tags) through its
// client package. That client neither retries nor times out, so this
// adapter does both: each attempt has the engine's timeout, and 429 and
// 5xx answers, dropped connections and attempts that ran out of time are
// retried with exponential
// backoff (0.5 s doubling, with jitter) — but never once a stream has
// started handing text over, which would repeat it.
type ollamaEngine struct {
	cfg    Config
	client *api.Client
	tr     *http.Transport
	sem    slots
}

func openOllama(c Config) (Text, error) {
	u, err := url.Parse(strings.TrimRight(c.URL, "/"))
	if err != nil {
		return nil, fmt.Errorf("%w: engine %q: url: %v", ErrConfig, c.Name, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = tr
	if c.Key != "" { // an Ollama behind a proxy that wants a key
		rt = bearer{key: c.Key, next: tr}
	}
	return &ollamaEngine{cfg: c, client: api.NewClient(u, &http.Client{Transport: rt}), tr: tr, sem: make(slots, c.Concurrency)}, nil
}

// bearer adds the engine's key to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

func (e *ollamaEngine) Close() error {
	e.tr.CloseIdleConnections()
	return nil
}

func (e *ollamaEngine) wrap(err error) error { return wrapFor(e.cfg, err) }

// retryable tells the errors worth another attempt.
func retryable(err error) bool {
	var se api.StatusError
	if errors.As(err, &se) {
		return se.StatusCode == 408 || se.StatusCode == 409 || se.StatusCode == 429 || se.StatusCode >= 500
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue) // the connection failed or dropped
}

// attempt runs call with the engine's slot, timeout and retries; call
// reports whether it handed anything over (then no retry).
func (e *ollamaEngine) attempt(ctx context.Context, call func(ctx context.Context) (started bool, err error)) error {
	release, err := e.sem.take(ctx)
	if err != nil {
		return e.wrap(err)
	}
	defer release()
	delay := 500 * time.Millisecond
	for try := 0; ; try++ {
		actx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
		started, err := call(actx)
		// An attempt that ran out of the engine's time while the caller
		// still waits is tried again (unlike the OpenAI SDK, which takes
		// its deadline as final): Ollama has been seen to leave one
		// request hanging for minutes and answer the next at once.
		timedOut := err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		if err == nil || started || try >= e.cfg.Retries || ctx.Err() != nil || !(timedOut || retryable(err)) {
			return e.wrap(err)
		}
		wait := delay/2 + time.Duration(rand.Int64N(int64(delay)))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return e.wrap(ctx.Err())
		}
		delay *= 2
	}
}

func (e *ollamaEngine) request(r Request, stream bool) (*api.ChatRequest, error) {
	model, err := e.cfg.model(r.Model)
	if err != nil {
		return nil, err
	}
	req := &api.ChatRequest{Model: model, Stream: &stream, Options: map[string]any{}}
	for _, m := range r.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return nil, fmt.Errorf("engine %s: message role %q: want system, user or assistant", e.cfg.Name, m.Role)
		}
		req.Messages = append(req.Messages, api.Message{Role: m.Role, Content: m.Content})
	}
	if r.Temperature != nil {
		req.Options["temperature"] = *r.Temperature
	}
	if r.Seed != nil {
		req.Options["seed"] = *r.Seed
	}
	if r.MaxTokens > 0 {
		req.Options["num_predict"] = r.MaxTokens
	}
	return req, nil
}

func (e *ollamaEngine) Chat(ctx context.Context, r Request) (*Reply, error) {
	return e.run(ctx, r, false, nil)
}

func (e *ollamaEngine) Stream(ctx context.Context, r Request, each func(string) error) (*Reply, error) {
	return e.run(ctx, r, true, each)
}

// callbackError marks an error from the caller's function, which is
// returned as it is.
type callbackError struct{ err error }

func (c callbackError) Error() string { return c.err.Error() }
func (c callbackError) Unwrap() error { return c.err }

func (e *ollamaEngine) run(ctx context.Context, r Request, stream bool, each func(string) error) (*Reply, error) {
	req, err := e.request(r, stream)
	if err != nil {
		return nil, err
	}
	var out *Reply
	err = e.attempt(ctx, func(ctx context.Context) (bool, error) {
		out = &Reply{Engine: e.cfg.Name, Model: req.Model}
		var sb strings.Builder
		started, done := false, false
		err := e.client.Chat(ctx, req, func(c api.ChatResponse) error {
			if c.Model != "" {
				out.Model = c.Model
			}
			if sb.Len()+len(c.Message.Content) > MaxReply {
				return fmt.Errorf("%w: more than the %d bytes kept", ErrReply, MaxReply)
			}
			sb.WriteString(c.Message.Content)
			if each != nil && c.Message.Content != "" {
				started = true
				if err := each(c.Message.Content); err != nil {
					return callbackError{err}
				}
			}
			if c.Done {
				done, out.Finish = true, c.DoneReason
			}
			return nil
		})
		if err == nil && ctx.Err() != nil {
			err = ctx.Err() // cancelled: the client's reader stops quietly
		}
		if err != nil {
			return started, err
		}
		if !done {
			return started, fmt.Errorf("%w: the stream ended before the server said it had finished", ErrReply)
		}
		out.Content = sb.String()
		return started, nil
	})
	var cb callbackError
	if errors.As(err, &cb) {
		return nil, cb.err
	}
	if err != nil {
		return nil, err
	}
	return out, checkReply(out, e.wrap)
}

func (e *ollamaEngine) Models(ctx context.Context) ([]string, error) {
	var out []string
	err := e.attempt(ctx, func(ctx context.Context) (bool, error) {
		l, err := e.client.List(ctx)
		if err != nil {
			return false, err
		}
		out = out[:0]
		for _, m := range l.Models {
			out = append(out, m.Name)
		}
		return false, nil
	})
	return out, err
}
