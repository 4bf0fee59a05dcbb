package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"miaobi/judge"
	"miaobi/label/c2pa"
	"miaobi/models"
	"miaobi/poem"
	"miaobi/queue"
	"miaobi/store"
	"miaobi/studio"
)

var (
	engineOnce sync.Once
	engine     *poem.Engine
	engineErr  error
)

// env is a running studio over HTTP with real components: the database
// given, an embedded NATS JetStream server, the embedded poem model,
// signing keys, and two workers.
type env struct {
	t      *testing.T
	st     *studio.Studio
	srv    *httptest.Server
	admin  *store.User
	keys   string // the signing keys' directory
	cancel func()
}

const adminPassword = "correct horse battery"

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = poem.Load(models.Poem()) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	dir := t.TempDir()
	assets, err := store.NewAssets(filepath.Join(dir, "assets"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(context.Background(), queue.Config{Dir: dir, Listen: "none"})
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys")
	if err := c2pa.InitKeys(keys, "", false); err != nil {
		t.Fatal(err)
	}
	sg, err := c2pa.LoadSigner(keys)
	if err != nil {
		t.Fatal(err)
	}
	st := &studio.Studio{DB: db, Assets: assets, Queue: q, Poems: engine, Signer: sg, Lexicon: judge.DefaultLexicon(), Metrics: studio.NewMetrics()}
	st.SetRefs(nil, "no corpus in tests")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Work(ctx, 2, 5*time.Second, st.RunJob, st.Requeued)
	}()
	admin, err := db.CreateUser(context.Background(), "admin", adminPassword, true)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, srv: httptest.NewServer(New(st)), admin: admin, keys: keys}
	e.cancel = func() {
		e.srv.Close()
		cancel()
		<-done
		q.Close()
	}
	t.Cleanup(e.cancel)
	return e
}

// client is a caller: a browser with a session, or a program with a key.
type client struct {
	e    *env
	http *http.Client
	key  string
	csrf string
}

// browser signs in through the login form.
func (e *env) browser(name, password string) *client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.http.Get(e.srv.URL + "/login")
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		e.t.Fatalf("no csrf field in the login page:\n%s", body)
	}
	resp, err = c.http.PostForm(e.srv.URL+"/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {password}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login as %s: status %d", name, resp.StatusCode)
	}
	var me struct{ CSRF string }
	c.do("GET", "/api/me", nil, 200, &me)
	c.csrf = me.CSRF
	return c
}

// program is a caller with a new API key of the user's.
func (e *env) program(u *store.User, quota int64) *client {
	e.t.Helper()
	_, secret, err := e.st.DB.CreateKey(context.Background(), u.ID, "test", quota)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{e: e, http: &http.Client{}, key: secret}
}

// raw sends a request and returns the status and body.
func (c *client) raw(method, path, contentType string, body io.Reader, hdr map[string]string) (int, []byte) {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do sends v as JSON and decodes the answer into out, checking the status.
func (c *client) do(method, path string, v any, want int, out any) []byte {
	c.e.t.Helper()
	var body io.Reader
	ct := ""
	if v != nil {
		b, _ := json.Marshal(v)
		body, ct = strings.NewReader(string(b)), "application/json"
	}
	status, b := c.raw(method, path, ct, body, nil)
	if status != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return b
}

// wait polls a job until it finishes.
func (c *client) wait(jobID string) *store.Job {
	c.e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var j store.Job
		c.do("GET", "/api/jobs/"+jobID, nil, 200, &j)
		if j.State == store.JobDone || j.State == store.JobFailed {
			return &j
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.e.t.Fatalf("job %s did not finish in 2 minutes", jobID)
	return nil
}

func studioActor(e *env) studio.Actor { return studio.Actor{UserID: e.admin.ID, Name: e.admin.Name} }
