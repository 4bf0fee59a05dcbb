package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A request the server leaves hanging past the engine's timeout is tried
// again while the caller still waits; once the retries are spent, the
// error names the timeout.
func TestOllamaRetriesAHungRequest(t *testing.T) {
	var calls atomic.Int32
	hangFor := int32(1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/chat" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) <= atomic.LoadInt32(&hangFor) {
			select { // hang until the client gives up, or the test ends
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		json.NewEncoder(w).Encode(map[string]any{"model": "m", "message": map[string]string{"role": "assistant", "content": "秋风"}, "done": true, "done_reason": "stop"})
	}))
	defer srv.Close()
	defer close(release)
	e, err := Open(Config{Name: "o", Kind: "ollama", URL: srv.URL, Model: "m", Timeout: 300 * time.Millisecond, Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	req := Request{Messages: []Message{{Role: "user", Content: "写诗"}}}
	rep, err := e.Chat(context.Background(), req)
	if err != nil || rep.Content != "秋风" || calls.Load() != 2 {
		t.Fatalf("reply %+v, err %v after %d calls: want the second attempt's answer", rep, err, calls.Load())
	}
	calls.Store(0)
	atomic.StoreInt32(&hangFor, 10)
	_, err = e.Chat(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "timeout") || calls.Load() != 3 {
		t.Errorf("err %v after %d calls: want a timeout after 3", err, calls.Load())
	}
	// The caller's own deadline is not retried.
	calls.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.Chat(ctx, req); err == nil || calls.Load() != 1 {
		t.Errorf("err %v after %d calls: want one call when the caller gives up", err, calls.Load())
	}
}
