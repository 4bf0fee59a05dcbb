// Package server is the studio over HTTP: a JSON API under /api/
// (described by /openapi.json) for programs, and server-rendered pages
// with a little JavaScript for people, in Chinese and English. It signs
// people in with passwords (argon2id) and sessions with CSRF tokens, and
// programs with API keys that carry daily quotas; it serves /healthz and
// Prometheus /metrics, and logs every request with log/slog.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"miaobi/store"
	"miaobi/studio"
)

// Server serves the studio.
type Server struct {
	Studio *studio.Studio
	DB     *store.DB
	// Secure marks cookies Secure (set when served over HTTPS).
	Secure bool
	mux    *http.ServeMux
	// closing ends the event streams when shutdown begins.
	closing   chan struct{}
	closeOnce sync.Once
	// patterns are the API routes registered.
	patterns []string
	// limits pace each reader's arena answers.
	limits answerLimits
}

// Limits on what a request may carry.
const (
	MaxBody = 1 << 20 // JSON and form bodies
)

// New builds the server's routes.
func New(st *studio.Studio) *Server {
	s := &Server{Studio: st, DB: st.DB, mux: http.NewServeMux(), closing: make(chan struct{})}
	s.routes()
	return s
}

// CloseStreams ends the open event streams (at shutdown, so that
// http.Server.Shutdown need not wait for them); other requests finish.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.closing) }) }

// ServeHTTP logs, times and counts each request, and recovers from a
// handler's panic with a 500 that leaks nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, status: 200}
	defer func() {
		if p := recover(); p != nil {
			slog.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
			if !rw.wrote {
				writeError(rw, r, http.StatusInternalServerError, "internal error; it has been logged")
			}
		}
		route := r.Pattern // set by the mux when it chose the handler
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		method := r.Method
		switch method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			method = "OTHER" // any token is a method: keep the label set small
		}
		s.Studio.Metrics.ObserveRequest(method, route, rw.status, d)
		lvl := slog.LevelInfo
		if rw.status >= 500 {
			lvl = slog.LevelError
		}
		slog.Log(r.Context(), lvl, "request", "method", r.Method, "path", r.URL.Path, "status", rw.status, "ms", d.Milliseconds())
	}()
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	rw.Header().Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(rw, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Flush lets server-sent events through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		w.wrote = true
		f.Flush()
	}
}

// apiError is the JSON body of every error.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg, Status: status})
}

// fail maps an error to a status: the studio's input errors to 400 (or
// 422), missing records to 404, conflicts to 409; anything else is logged
// and answered 500 without detail.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status == 500 {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, r, status, msg)
}

func statusOf(err error) (int, string) {
	msg := err.Error()
	switch {
	case errors.Is(err, studio.ErrInput):
		return http.StatusUnprocessableEntity, strings.TrimPrefix(msg, studio.ErrInput.Error()+": ")
	case errors.Is(err, studio.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, msg
	case errors.Is(err, studio.ErrConflict), errors.Is(err, store.ErrStale):
		return http.StatusConflict, strings.TrimPrefix(msg, studio.ErrConflict.Error()+": ")
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, msg
	case errors.Is(err, store.ErrBadName):
		return http.StatusBadRequest, msg
	case errors.Is(err, context.Canceled):
		return 499, "the request was cancelled"
	}
	return http.StatusInternalServerError, "internal error; it has been logged"
}
