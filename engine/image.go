package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// ImageRequest asks an image engine for one picture.
type ImageRequest struct {
	Model  string // empty: the engine's default
	Prompt string
	Width  int // pixels; 0: the engine's default
	Height int
}

// ImageReply is an image engine's picture, still encoded as the server
// sent it: callers decode it with limits (photo.Decode), never trusting
// its size.
type ImageReply struct {
	Engine string
	Model  string
	Data   []byte
	// Revised is the prompt as the server rewrote it, when it says.
	Revised string
}

// Image is an image engine.
type Image interface {
	Generate(ctx context.Context, r ImageRequest) (*ImageReply, error)
	Close() error
}

// MaxImageReply bounds the bytes of an image engine's answer (its JSON,
// the picture base64-encoded inside): a larger answer is cut off with an
// error rather than read into memory.
const MaxImageReply = 48 << 20

// OpenImage connects to a configured engine's image API: for kind openai,
// POST /images/generations with b64_json answers (OpenAI, LocalAI, another
// Miaobi's painter).
func OpenImage(c Config) (Image, error) {
	c = withDefaults(c)
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.Kind != "openai" {
		return nil, fmt.Errorf("%w: engine %q: kind %q has no image API here; use an OpenAI-compatible one (kind openai)", ErrConfig, c.Name, c.Kind)
	}
	tr, opts := clientOptions(c, option.WithMiddleware(limitBody(MaxImageReply)))
	return &openaiImage{openaiEngine: openaiEngine{cfg: c, sem: make(slots, c.Concurrency), tr: tr}, images: openai.NewImageService(opts...)}, nil
}

// limitBody cuts a response body off after n bytes, with an error.
func limitBody(n int64) option.Middleware {
	return func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		res, err := next(r)
		if err == nil && res.Body != nil {
			res.Body = &capped{rc: res.Body, left: n, max: n}
		}
		return res, err
	}
}

type capped struct {
	rc        io.ReadCloser
	left, max int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%w: the answer is larger than %d bytes", ErrReply, c.max)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }

type openaiImage struct {
	openaiEngine
	images openai.ImageService
}

func (e *openaiImage) Generate(ctx context.Context, r ImageRequest) (*ImageReply, error) {
	model, err := e.cfg.model(r.Model)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(r.Prompt) == "" {
		return nil, errors.New("engine: an image needs a prompt")
	}
	p := openai.ImageGenerateParams{Prompt: r.Prompt, Model: openai.ImageModel(model), N: openai.Int(1),
		ResponseFormat: openai.ImageGenerateParamsResponseFormatB64JSON}
	if r.Width > 0 && r.Height > 0 {
		p.Size = openai.ImageGenerateParamsSize(fmt.Sprintf("%dx%d", r.Width, r.Height))
	}
	release, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := e.images.Generate(ctx, p)
	if err != nil {
		return nil, e.wrap(err)
	}
	if len(res.Data) == 0 || res.Data[0].B64JSON == "" {
		what := "no picture"
		if len(res.Data) > 0 && res.Data[0].URL != "" {
			what = "a URL instead of the picture (Miaobi fetches nothing from elsewhere; use a server that answers b64_json)"
		}
		return nil, e.wrap(fmt.Errorf("%w: the server sent %s", ErrReply, what))
	}
	data, err := base64.StdEncoding.DecodeString(res.Data[0].B64JSON)
	if err != nil {
		return nil, e.wrap(fmt.Errorf("%w: the picture is not base64: %v", ErrReply, err))
	}
	return &ImageReply{Engine: e.cfg.Name, Model: model, Data: data, Revised: res.Data[0].RevisedPrompt}, nil
}
