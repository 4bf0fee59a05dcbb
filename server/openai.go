package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"miaobi/store"
	"miaobi/studio"
)

// Miaobi as an engine: the OpenAI-compatible routes /v1/models and
// /v1/chat/completions, so that programs that already speak that API —
// the official openai clients, chat front ends, another Miaobi — can use
// Miaobi's poet. They sit behind the studio's API keys and quotas and
// answer errors in OpenAI's shape ({"error": {"message", "type", "param",
// "code"}}), which those clients read.

// PoetModel is the model name of Miaobi's poet; PainterModel of its
// ink-wash painter; VoiceModel of its reading voice.
const (
	PoetModel    = "miaobi-poet"
	PainterModel = "miaobi-painter"
	VoiceModel   = "miaobi-voice"
)

// oaError writes an error as OpenAI's API does.
func oaError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	e := map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}
	if param != "" {
		e["param"] = param
	}
	if code != "" {
		e["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// oaFail maps a studio error to OpenAI's shape.
func oaFail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	switch {
	case status == 500:
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		oaError(w, status, "server_error", "", "", msg)
	case status == 499:
		oaError(w, status, "invalid_request_error", "", "cancelled", msg)
	default:
		oaError(w, http.StatusBadRequest, "invalid_request_error", "messages", "", msg)
	}
}

// openaiAPI wraps a /v1 handler: the caller needs an API key (or a
// signed-in session) and a generation counts against the key's quota.
func (s *Server) openaiAPI(generates bool, h func(w http.ResponseWriter, r *http.Request, c *who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.identify(r)
		if err != nil {
			if isInternal(err) && !errors.Is(err, store.ErrExpired) {
				oaFail(w, r, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="miaobi"`)
			oaError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key", err.Error())
			return
		}
		if c.session != nil && unsafe(r.Method) && !csrfOK(r, c.session) {
			oaError(w, http.StatusForbidden, "invalid_request_error", "", "csrf", "missing or wrong CSRF token: programs send an API key instead")
			return
		}
		if generates {
			switch spent, err := s.useQuota(r, c); {
			case spent:
				w.Header().Set("Retry-After", "3600")
				oaError(w, http.StatusTooManyRequests, "insufficient_quota", "", "insufficient_quota", quotaSpent)
				return
			case err != nil:
				oaFail(w, r, err)
				return
			}
		}
		h(w, r, c)
	}
}

func (s *Server) v1Models(w http.ResponseWriter, r *http.Request, c *who) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
		map[string]any{"id": PoetModel, "object": "model", "created": 1764547200, "owned_by": "miaobi"},
		map[string]any{"id": PainterModel, "object": "model", "created": 1764547200, "owned_by": "miaobi"},
		map[string]any{"id": VoiceModel, "object": "model", "created": 1764547200, "owned_by": "miaobi"},
	}})
}

// chatRequest is the part of OpenAI's chat-completion request Miaobi
// reads; other fields (top_p, user, …) are accepted and ignored.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	Seed          *int64        `json:"seed"`
	N             *int          `json:"n"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// chatMessage's content is a string or an array of parts.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// text reads a message's content: a string, or the text of its parts.
func (m chatMessage) text() (string, error) {
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return "", errors.New("content: want a string or an array of {type, text} parts")
	}
	var sb strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q: Miaobi's poet reads text only", p.Type)
		}
		sb.WriteString(p.Text)
	}
	return sb.String(), nil
}

func (s *Server) v1Chat(w http.ResponseWriter, r *http.Request, c *who) {
	var in chatRequest
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.refundKey(r, c)
		oaError(w, http.StatusUnsupportedMediaType, "invalid_request_error", "", "", "send the body as JSON with 'Content-Type: application/json'")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err == nil {
		err = json.Unmarshal(b, &in)
	}
	if err != nil {
		s.refundKey(r, c)
		oaError(w, http.StatusBadRequest, "invalid_request_error", "", "", "malformed JSON body: "+err.Error())
		return
	}
	bad := func(param, msg string) {
		s.refundKey(r, c)
		oaError(w, http.StatusBadRequest, "invalid_request_error", param, "", msg)
	}
	switch {
	case in.Model == "":
		bad("model", "you must give a model: "+PoetModel)
		return
	case in.Model != PoetModel:
		s.refundKey(r, c)
		oaError(w, http.StatusNotFound, "invalid_request_error", "model", "model_not_found", fmt.Sprintf("the model %q does not exist; this server offers %s", in.Model, PoetModel))
		return
	case in.N != nil && *in.N != 1:
		bad("n", "Miaobi's poet writes one choice per request (n = 1)")
		return
	case len(in.Messages) == 0:
		bad("messages", "send at least one message, e.g. {\"role\": \"user\", \"content\": \"写一首七绝，关键词：秋风、落叶\"}")
		return
	}
	turns := make([]studio.ChatTurn, 0, len(in.Messages))
	promptChars := 0
	for i, m := range in.Messages {
		t, err := m.text()
		if err != nil {
			bad(fmt.Sprintf("messages[%d].content", i), err.Error())
			return
		}
		switch m.Role {
		case "system", "developer", "user", "assistant":
		default:
			bad(fmt.Sprintf("messages[%d].role", i), fmt.Sprintf("role %q: want system, developer, user or assistant", m.Role))
			return
		}
		promptChars += utf8.RuneCountInString(t)
		turns = append(turns, studio.ChatTurn{Role: m.Role, Content: t})
	}
	seed := conversationSeed(turns)
	if in.Seed != nil {
		seed = *in.Seed
	}
	id := fmt.Sprintf("chatcmpl-%016x", uint64(seed)^uint64(time.Now().UnixNano()))
	created := time.Now().Unix()
	if !in.Stream {
		a, err := s.Studio.Chat(r.Context(), turns, seed)
		if err != nil {
			s.refund(r, c, err)
			oaFail(w, r, err)
			return
		}
		n := utf8.RuneCountInString(a.Text)
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": PoetModel,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "logprobs": nil,
				"message": map[string]any{"role": "assistant", "content": a.Text, "refusal": nil}}},
			"usage":              map[string]any{"prompt_tokens": promptChars, "completion_tokens": n, "total_tokens": promptChars + n},
			"miaobi":             a,
			"system_fingerprint": "miaobi",
		})
		return
	}
	// Streaming: the role goes out at once, then the poem line by line.
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	chunk := func(delta map[string]any, finish any, extra map[string]any) bool {
		m := map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": PoetModel,
			"system_fingerprint": "miaobi",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}}
		for k, v := range extra {
			m[k] = v
		}
		var buf bytes.Buffer
		buf.WriteString("data: ")
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(m)
		buf.WriteString("\n")
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.WriteHeader(http.StatusOK)
	if !chunk(map[string]any{"role": "assistant", "content": ""}, nil, nil) {
		return
	}
	a, err := s.Studio.Chat(r.Context(), turns, seed)
	if err != nil {
		s.refund(r, c, err)
		status, msg := statusOf(err)
		typ := "invalid_request_error"
		if status == 500 {
			slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			typ = "server_error"
		}
		fmt.Fprintf(w, "data: %s\n\n", mustJSON(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}}))
		rc.Flush()
		return
	}
	for _, piece := range strings.SplitAfter(a.Text, "\n") {
		if piece != "" && !chunk(map[string]any{"content": piece}, nil, nil) {
			return
		}
	}
	var extra map[string]any
	if in.StreamOptions != nil && in.StreamOptions.IncludeUsage {
		n := utf8.RuneCountInString(a.Text)
		extra = map[string]any{"usage": map[string]any{"prompt_tokens": promptChars, "completion_tokens": n, "total_tokens": promptChars + n}}
	}
	if !chunk(map[string]any{}, "stop", extra) {
		return
	}
	io.WriteString(w, "data: [DONE]\n\n")
	rc.Flush()
}

// imageRequest is the part of OpenAI's image request Miaobi reads.
type imageRequest struct {
	Model          string `json:"model"`
	Prompt         string `json:"prompt"`
	N              *int   `json:"n"`
	Size           string `json:"size"`
	ResponseFormat string `json:"response_format"`
	Seed           *int64 `json:"seed"` // Miaobi's own: the painting's seed
}

func (s *Server) v1Images(w http.ResponseWriter, r *http.Request, c *who) {
	var in imageRequest
	bad, ok := s.oaDecode(w, r, c, &in)
	if !ok {
		return
	}
	switch {
	case in.Model != "" && in.Model != PainterModel:
		s.refundKey(r, c)
		oaError(w, http.StatusNotFound, "invalid_request_error", "model", "model_not_found", fmt.Sprintf("the model %q does not exist; this server paints with %s", in.Model, PainterModel))
		return
	case in.N != nil && *in.N != 1:
		bad("n", "Miaobi's painter makes one picture per request (n = 1)")
		return
	case in.ResponseFormat != "" && in.ResponseFormat != "b64_json":
		bad("response_format", "Miaobi answers the picture itself (b64_json); it serves no URLs")
		return
	}
	width, height := 0, 0
	if in.Size != "" && in.Size != "auto" {
		if _, err := fmt.Sscanf(in.Size, "%dx%d", &width, &height); err != nil || width <= 0 || height <= 0 {
			bad("size", fmt.Sprintf("size %q: give WIDTHxHEIGHT, e.g. 1024x512", in.Size))
			return
		}
	}
	seed := uint64(conversationSeed([]studio.ChatTurn{{Role: "prompt", Content: in.Prompt}}))
	if in.Seed != nil {
		seed = uint64(*in.Seed)
	}
	png, err := s.Studio.PaintPrompt(r.Context(), in.Prompt, width, height, seed)
	if err != nil {
		s.refund(r, c, err)
		if errors.Is(err, studio.ErrInput) {
			_, msg := statusOf(err)
			bad("prompt", msg)
			return
		}
		oaFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": time.Now().Unix(), "output_format": "png",
		"data": []any{map[string]any{"b64_json": base64.StdEncoding.EncodeToString(png)}}})
}

// speechRequest is the part of OpenAI's speech request Miaobi reads;
// voice and instructions are accepted and ignored (Miaobi has one voice).
type speechRequest struct {
	Model          string   `json:"model"`
	Input          string   `json:"input"`
	Voice          any      `json:"voice"`
	ResponseFormat string   `json:"response_format"`
	Speed          *float64 `json:"speed"`
}

// v1Speech reads a text aloud with Miaobi's voice (model miaobi-voice):
// the sound itself, labelled, as MP3 (the default) or WAV.
func (s *Server) v1Speech(w http.ResponseWriter, r *http.Request, c *who) {
	var in speechRequest
	bad, ok := s.oaDecode(w, r, c, &in)
	if !ok {
		return
	}
	if in.Model != "" && in.Model != VoiceModel {
		s.refundKey(r, c)
		oaError(w, http.StatusNotFound, "invalid_request_error", "model", "model_not_found", fmt.Sprintf("the model %q does not exist; this server reads aloud with %s", in.Model, VoiceModel))
		return
	}
	format := in.ResponseFormat
	if format == "" {
		format = "mp3"
	}
	if format != "mp3" && format != "wav" {
		bad("response_format", fmt.Sprintf("response_format %q: Miaobi's voice answers mp3 or wav", format))
		return
	}
	speed := 1.0
	if in.Speed != nil {
		speed = *in.Speed
	}
	audio, err := s.Studio.Speak(r.Context(), in.Input, format, speed)
	if err != nil {
		s.refund(r, c, err)
		if errors.Is(err, studio.ErrInput) {
			_, msg := statusOf(err)
			bad("input", msg)
			return
		}
		oaFail(w, r, err)
		return
	}
	ct := "audio/mpeg"
	if format == "wav" {
		ct = "audio/wav"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(audio)
}

// oaDecode reads an OpenAI-style JSON request body into in. bad answers
// a 400 in OpenAI's shape for a parameter and gives the key's quota back;
// a body that does not parse has been answered so already (ok false).
func (s *Server) oaDecode(w http.ResponseWriter, r *http.Request, c *who, in any) (bad func(param, msg string), ok bool) {
	bad = func(param, msg string) {
		s.refundKey(r, c)
		oaError(w, http.StatusBadRequest, "invalid_request_error", param, "", msg)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err == nil {
		err = json.Unmarshal(b, in)
	}
	if err != nil {
		bad("", "malformed JSON body: "+err.Error())
		return bad, false
	}
	return bad, true
}

// refundKey gives back the quota a request took before it was refused.
func (s *Server) refundKey(r *http.Request, c *who) {
	if c.key != nil {
		if err := s.DB.RefundKey(r.Context(), c.key.ID); err != nil {
			slog.Error("refund a key's quota", "key", c.key.ID, "err", err)
		}
	}
}

// conversationSeed is the seed of a request that gives none: from the
// conversation, so the same words get the same poem.
func conversationSeed(turns []studio.ChatTurn) int64 {
	h := sha256.New()
	for _, t := range turns {
		h.Write([]byte(t.Role))
		h.Write([]byte{0})
		h.Write([]byte(t.Content))
		h.Write([]byte{0})
	}
	return int64(binary.BigEndian.Uint64(h.Sum(nil)) >> 1)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
