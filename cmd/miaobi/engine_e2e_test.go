package main

import (
	"bytes"
	"context"
	"encoding/base64"
	ebin "encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"miaobi/engine"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/poem"
)

// Miaobi's engine client against a real second Miaobi ('miaobi serve'),
// directly and through a proxy that injects the faults a real server
// shows: 429s, 500s, malformed JSON, a stream cut half-way, a reply too
// large, a server too slow.

// faultProxy forwards to a real server, doing harm as mode says.
type faultProxy struct {
	*httptest.Server
	mode  atomic.Value // string
	calls atomic.Int64
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{}
	p.mode.Store("pass")
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.calls.Add(1)
		switch p.mode.Load().(string) {
		case "429x2":
			if n <= 2 {
				w.Header().Set("Retry-After-Ms", "50")
				http.Error(w, `{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":null}}`, http.StatusTooManyRequests)
				return
			}
		case "500":
			http.Error(w, `{"error":{"message":"boom","type":"server_error","param":null,"code":null}}`, 500)
			return
		case "malformed":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id": "x", "choices": [ {"message": `)
			return
		case "huge":
			w.Header().Set("Content-Type", "application/json")
			b, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion", "model": "m",
				"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": strings.Repeat("月", engine.MaxReply)}}}})
			w.Write(b)
			return
		case "slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			return
		case "bomb":
			// A picture that claims 100000×100000 pixels in a few bytes.
			w.Header().Set("Content-Type", "application/json")
			b, _ := json.Marshal(map[string]any{"created": 1, "data": []any{map[string]any{"b64_json": base64.StdEncoding.EncodeToString(pngBomb())}}})
			w.Write(b)
			return
		case "cut":
			// Forward, but stop after the first event of a stream.
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			body := rec.Body.String()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			if i := strings.Index(body, "\n\n"); i > 0 {
				body = body[:i+2]
			}
			io.WriteString(w, body)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// pngBomb is a valid PNG header that declares 100000×100000 pixels.
func pngBomb() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	ebin.BigEndian.PutUint32(b[16:], 100000)
	ebin.BigEndian.PutUint32(b[20:], 100000)
	ebin.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestEngineAgainstMiaobi(t *testing.T) {
	srv := startStudio(t, t.TempDir())
	key := apiKey(t, srv.URL)
	e := newEnv(t)
	e.extra = []string{"MIAOBI_URL=" + srv.URL, "MIAOBI_KEY=" + key, "OPENAI_API_KEY=sk-must-not-leak-0001"}

	r := e.run(t, nil, "engines", "--json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"name":"miaobi"`) || !strings.Contains(r.stdout, `"answers":true`) || !strings.Contains(r.stdout, "miaobi-poet") {
		t.Errorf("engines: %s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, key) || strings.Contains(r.stdout+r.stderr, "sk-must-not-leak") {
		t.Errorf("a key was printed: %s %s", r.stdout, r.stderr)
	}

	// A poem through the engine, guarded, with its hands.
	r = e.run(t, nil, "poem", "-k", "秋风,落叶", "--form", "七律", "--engine", "miaobi", "--json", "--seed", "5")
	r.wantCode(t, 0)
	var g struct {
		Lines   []string
		Form    string
		Engine  string
		Model   string
		Hands   [][]string
		Written []string
		Asks    int
		Check   struct{ Verdict string }
		Label   string
		AIGC    struct{ Label string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if g.Engine != "miaobi" || g.Model != "miaobi-poet" || g.Form != "七律" || g.Check.Verdict != "合律" || len(g.Hands) != 8 || len(g.Hands[0]) != 7 || g.AIGC.Label != "1" {
		t.Errorf("engine poem: %+v", g)
	}

	// Written to a file: the poem with its label and hands, the implicit
	// label beside it.
	out := filepath.Join(e.home, "engine-poem.txt")
	r = e.run(t, nil, "poem", "-k", "秋风,落叶", "--engine", "miaobi", "-o", out)
	r.wantCode(t, 0)
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "written by miaobi (miaobi-poet)") || !strings.Contains(string(b), "本内容由AI生成") {
		t.Errorf("-o: %v %q", err, b)
	}
	if _, err := os.Stat(out + ".aigc.json"); err != nil {
		t.Errorf("-o: no implicit label: %v", err)
	}

	// Faults, through the proxy: the engine is named by variables.
	p := newFaultProxy(t, srv.URL)
	e.extra = append(e.extra, "MIAOBI_ENGINE_FLAKY_URL="+p.URL+"/v1", "MIAOBI_ENGINE_FLAKY_KEY="+key,
		"MIAOBI_ENGINE_FLAKY_MODEL=miaobi-poet", "MIAOBI_ENGINE_FLAKY_TIMEOUT=1s", "MIAOBI_ENGINE_FLAKY_RETRIES=2")
	for _, c := range []struct {
		mode, want string
		code       int
		calls      int64
	}{
		{"429x2", "", 0, 3},     // retried with backoff, then answered
		{"500", "500", 1, 3},    // retried twice, then a clear error
		{"malformed", "", 1, 1}, // a clear error
		{"huge", "engine reply", 1, 1},
		{"slow", "no answer within 1s", 1, 1}, // a timeout is not retried (the SDK's rule)
	} {
		p.mode.Store(c.mode)
		p.calls.Store(0)
		r := e.run(t, nil, "poem", "-k", "秋风", "--engine", "flaky", "--seed", "1")
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || p.calls.Load() != c.calls {
			t.Errorf("%s: exit %d (want %d), %d calls (want %d), stderr %q", c.mode, r.code, c.code, p.calls.Load(), c.calls, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, key) {
			t.Errorf("%s: the key was printed: %s", c.mode, r.stderr)
		}
	}

	// A picture from the engine's painter: decoded within limits,
	// inscribed, labelled and signed, the engine named as its maker.
	pic := filepath.Join(e.home, "engine.png")
	r = e.run(t, nil, "paint", "-k", "孤舟,月,江", "--engine", "miaobi", "--model", "miaobi-painter", "--size", "512x256", "-o", pic)
	r.wantCode(t, 0)
	r = e.run(t, nil, "verify", "--json", pic)
	if !strings.Contains(r.stdout, `"Valid": true`) || !strings.Contains(r.stdout, `"c2pa.edited"`) || strings.Count(r.stdout, `"found": true`) != 3 {
		t.Errorf("verify the engine's picture: %s %s", r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(pic); !bytes.Contains(b, []byte("miaobi/miaobi-painter")) {
		t.Error("the picture's C2PA manifest does not name the engine and model as its software agent")
	}
	p.mode.Store("bomb")
	r = e.run(t, nil, "paint", "-k", "月", "--engine", "flaky", "--model", "miaobi-painter", "--size", "512x256", "-o", filepath.Join(e.home, "bomb.png"))
	if r.code == 0 || !strings.Contains(r.stderr, "will not read") {
		t.Errorf("a decompression bomb: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.home, "bomb.png")); err == nil {
		t.Error("a refused picture was written")
	}

	// The client in-process: streaming, a cut stream, cancellation, and no
	// goroutine left behind.
	before := runtime.NumGoroutine()
	func() {
		direct, err := engine.Open(engine.Config{Name: "m2", URL: srv.URL + "/v1", Key: key, Model: "miaobi-poet", Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer direct.Close()
		ctx := context.Background()
		req := engine.Request{Messages: []engine.Message{{Role: "user", Content: "写一首五绝，关键词：灯、跳舞、翅膀"}}}
		var pieces []string
		rep, err := direct.Stream(ctx, req, func(s string) error { pieces = append(pieces, s); return nil })
		if err != nil || len(pieces) < 3 || rep.Content != strings.Join(pieces, "") || !strings.Contains(rep.Content, "AI生成") || rep.Finish != "stop" {
			t.Fatalf("stream: %v %+v %q", err, rep, pieces)
		}
		whole, err := direct.Chat(ctx, req)
		if err != nil || whole.Content != rep.Content {
			t.Errorf("chat %v: %q, stream gave %q", err, whole, rep.Content)
		}
		// A follow-up revises the poem before.
		req.Messages = append(req.Messages, engine.Message{Role: "assistant", Content: whole.Content}, engine.Message{Role: "user", Content: "第三句再凄凉些"})
		rev, err := direct.Chat(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		a, _, errA := poem.ExtractPoem(whole.Content, []int{5, 5, 5, 5})
		b, _, errB := poem.ExtractPoem(rev.Content, []int{5, 5, 5, 5})
		if errA != nil || errB != nil || string(a[2]) == string(b[2]) || string(a[0]) != string(b[0]) || string(a[1]) != string(b[1]) {
			t.Errorf("revision of line 3:\n%s\n→\n%s", whole.Content, rev.Content)
		}
		// An error from the callback stops the stream.
		stop := errors.New("enough")
		if _, err := direct.Stream(ctx, req, func(string) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("stopped stream: %v", err)
		}
		// Cancelled before it starts.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := direct.Chat(cctx, req); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
		// A stream cut half-way is an error, not a short poem.
		p.mode.Store("cut")
		cut, _ := engine.Open(engine.Config{Name: "cut", URL: p.URL + "/v1", Key: key, Model: "miaobi-poet", Timeout: 10 * time.Second})
		defer cut.Close()
		if rep, err := cut.Stream(ctx, req, func(string) error { return nil }); !errors.Is(err, engine.ErrReply) {
			t.Errorf("cut stream: %v %+v", err, rep)
		}
		// Bad model: the server's error reaches the caller.
		if _, err := direct.Chat(ctx, engine.Request{Model: "gpt-nothing", Messages: req.Messages}); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("unknown model: %v", err)
		}
		if ms, err := direct.Models(ctx); err != nil || len(ms) != 3 || ms[0] != "miaobi-poet" || ms[1] != "miaobi-painter" || ms[2] != "miaobi-voice" {
			t.Errorf("models: %v %v", ms, err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left behind (%d before):\n%s", n-before, before, buf[:runtime.Stack(buf, true)])
	}
}

// TestOpenAINodeClient runs the official openai npm client, unchanged,
// against 'miaobi serve' (e2e/openai.mjs). It needs Node.js and 'npm ci'
// in e2e/; it is skipped without them, except under CI.
func TestOpenAINodeClient(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(root, "e2e", "node_modules", "openai")); err != nil || serr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or e2e/node_modules/openai is missing (CI is set): cd e2e && npm ci --ignore-scripts")
		}
		t.Skip("node or e2e/node_modules/openai is missing: cd e2e && npm ci --ignore-scripts")
	}
	srv := startStudio(t, t.TempDir())
	key := apiKey(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "e2e", "openai.mjs"), srv.URL, key)
	cmd.Dir = filepath.Join(root, "e2e")
	out, err := cmd.CombinedOutput()
	t.Logf("node e2e/openai.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("node e2e/openai.mjs: %v\nserver log:\n%s", err, tail(srv.stderr.String()))
	}
}

// TestSpeechEngineAgainstMiaobi: Miaobi's /v1/audio/speech reads a poem
// (labelled MP3 and WAV, OpenAI's errors for a wrong model or format), and
// 'miaobi recite --engine' takes another Miaobi as its speech engine, then
// labels and signs what it sent as the engine's work.
func TestSpeechEngineAgainstMiaobi(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("espeak-ng is needed (apt-get install espeak-ng)")
		}
		t.Skip("espeak-ng is not installed")
	}
	srv := startStudio(t, t.TempDir())
	key := apiKey(t, srv.URL)
	post := func(body string) (int, string, []byte) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/audio/speech", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), b
	}
	for _, format := range []string{"mp3", "wav"} {
		st, ct, b := post(`{"model":"miaobi-voice","input":"床前明月光，疑是地上霜。举头望明月，低头思故乡。","voice":"alloy","response_format":"` + format + `"}`)
		if st != 200 || !strings.HasPrefix(ct, "audio/") {
			t.Fatalf("%s: %d %s %.200s", format, st, ct, b)
		}
		r, err := label.VerifyAudio(b)
		if err != nil || r.Format != format || !r.Explicit.Found || !r.Implicit.Found || !r.Watermark.Found {
			t.Errorf("%s: %+v %v", format, r, err)
		}
	}
	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{`{"model":"tts-1","input":"你好"}`, 404, "model_not_found"},
		{`{"model":"miaobi-voice","input":"你好","response_format":"flac"}`, 400, "response_format"},
		{`{"model":"miaobi-voice","input":"","response_format":"mp3"}`, 400, "input"},
		{`{"model":"miaobi-voice","input":"你好","speed":9}`, 400, "speed"},
	} {
		if st, _, b := post(c.body); st != c.code || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %s", c.body, st, b)
		}
	}
	e := newEnv(t)
	e.extra = []string{"MIAOBI_URL=" + srv.URL, "MIAOBI_KEY=" + key}
	out := filepath.Join(t.TempDir(), "r.wav")
	r := e.runStdin(t, "静夜思\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n", "recite", "-", "--engine", "miaobi", "--model", "miaobi-voice", "-o", out)
	r.wantCode(t, 0)
	v := e.run(t, nil, "verify", "--json", out)
	v.wantCode(t, 0)
	if !strings.Contains(v.stdout, "miaobi/miaobi-voice") && !strings.Contains(manifestOfFile(t, out), "miaobi/miaobi-voice") {
		t.Errorf("the engine is not named as the maker: %s", v.stdout)
	}
}

// manifestOfFile is a file's C2PA store as text.
func manifestOfFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	store, err := c2pa.Extract(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(store)
}
