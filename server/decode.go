package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// decodeJSON reads one JSON object from a request body into v: the
// content type must be JSON, the body at most MaxBody bytes, every field
// known, and nothing may follow the object. It returns the HTTP status
// for the error.
func decodeJSON(contentType string, body io.Reader, v any) (int, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return http.StatusUnsupportedMediaType, fmt.Errorf("send the body as JSON with 'Content-Type: application/json' (got %q)", contentType)
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return http.StatusRequestEntityTooLarge, fmt.Errorf("the body is larger than %d bytes", MaxBody)
		}
		return http.StatusBadRequest, fmt.Errorf("reading the body: %v", err)
	}
	if len(b) > MaxBody {
		return http.StatusRequestEntityTooLarge, fmt.Errorf("the body is larger than %d bytes", MaxBody)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return http.StatusBadRequest, fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return http.StatusBadRequest, fmt.Errorf("field %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return http.StatusBadRequest, errors.New("malformed JSON: the body ends early")
		}
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return http.StatusBadRequest, fmt.Errorf("unknown field %s; see /openapi.json", f)
		}
		return http.StatusBadRequest, fmt.Errorf("malformed JSON: %s", strings.TrimPrefix(msg, "json: "))
	}
	if dec.More() {
		return http.StatusBadRequest, errors.New("malformed JSON: send one object, with nothing after it")
	}
	return 0, nil
}

// readJSON decodes a request body, answering the error itself; it returns
// false when it did.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	status, err := decodeJSON(r.Header.Get("Content-Type"), body, v)
	if err != nil {
		writeError(w, r, status, err.Error())
		return false
	}
	return true
}
