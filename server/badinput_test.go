package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"miaobi/store"
	"miaobi/store/storetest"
)

// TestBadInput sends wrong requests of every kind: each gets a 4xx with a
// message, never a 5xx, and never someone else's data.
func TestBadInput(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 1000)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"月"}}, 201, &nw)
	id := nw.Work.ID
	other, err := e.st.DB.CreateUser(context.Background(), "other", "another long password", false)
	if err != nil {
		t.Fatal(err)
	}
	o := e.program(other, 10)

	big := `{"keywords":["` + strings.Repeat("月", MaxBody/3+10) + `"]}`
	tests := []struct {
		name         string
		c            *client
		method, path string
		ct, body     string
		want         int
		msg          string // part of the error message
	}{
		{"oversized body", c, "POST", "/api/works", "application/json", big, 413, "larger than"},
		{"malformed JSON", c, "POST", "/api/works", "application/json", `{"keywords": [`, 400, "malformed JSON"},
		{"syntax error", c, "POST", "/api/works", "application/json", `{"keywords": ]}`, 400, "malformed JSON at byte"},
		{"two objects", c, "POST", "/api/works", "application/json", `{} {}`, 400, "one object"},
		{"wrong type", c, "POST", "/api/works", "application/json", `{"keywords": "月"}`, 400, `field "keywords"`},
		{"unknown field", c, "POST", "/api/works", "application/json", `{"keyword": ["月"]}`, 400, "unknown field"},
		{"wrong content type", c, "POST", "/api/works", "text/plain", `{"keywords":["月"]}`, 415, "Content-Type"},
		{"form content type", c, "POST", "/api/works", "application/x-www-form-urlencoded", `keywords=月`, 415, "JSON"},
		{"no content type", c, "POST", "/api/works", "", `{}`, 415, "JSON"},
		{"bad keyword", c, "POST", "/api/works", "application/json", `{"keywords":["moon"]}`, 422, "Chinese"},
		{"bad form", c, "POST", "/api/works", "application/json", `{"form":"十四行诗"}`, 422, "form"},
		{"bad rhyme", c, "POST", "/api/works", "application/json", `{"rhyme":"guangyun"}`, 422, "rhyme"},
		{"too many keywords", c, "POST", "/api/works", "application/json", `{"keywords":["月","花","山","水","风","云","雨","雪","星"]}`, 422, "at most"},
		{"unknown work", c, "GET", "/api/works/w_0000000000000000", "", "", 404, "not found"},
		{"bad work id", c, "GET", "/api/works/..%2f..%2fetc", "", "", 404, ""},
		{"another's work", o, "GET", "/api/works/" + id, "", "", 404, "not found"},
		{"another's work edit", o, "POST", "/api/works/" + id + "/edit", "application/json", `{"lines":["明月松间照"]}`, 404, "not found"},
		{"another's work bundle", o, "GET", "/api/works/" + id + "/bundle", "", "", 404, "not found"},
		{"traversal in asset", c, "GET", "/api/works/" + id + "/assets/..%2f..%2fmiaobi.db", "", "", 400, "asset name"},
		{"dot asset", c, "GET", "/api/works/" + id + "/assets/.tmp-1", "", "", 400, "asset name"},
		{"raw asset", c, "GET", "/api/works/" + id + "/assets/raw-painting-1-10x10.png", "", "", 404, "not found"},
		{"missing asset", c, "GET", "/api/works/" + id + "/assets/painting.png", "", "", 404, "not found"},
		{"unknown job", c, "GET", "/api/jobs/j_0000000000000000", "", "", 404, "not found"},
		{"bad version", c, "GET", "/api/works/" + id + "/versions/abc", "", "", 400, "positive integer"},
		{"missing version", c, "GET", "/api/works/" + id + "/versions/99", "", "", 404, "not found"},
		{"nothing to revise", c, "POST", "/api/works/" + id + "/revise", "application/json", `{}`, 422, "no poem"},
		{"choose without candidates", c, "POST", "/api/works/" + id + "/choose", "application/json", `{"candidate":1}`, 422, "candidates"},
		{"edit punctuation", c, "POST", "/api/works/" + id + "/edit", "application/json", `{"lines":["明月，松间"]}`, 422, "not a Chinese character"},
		{"edit long line", c, "POST", "/api/works/" + id + "/edit", "application/json", `{"lines":["` + strings.Repeat("月", 16) + `"]}`, 422, "characters"},
		{"edit bad locks", c, "POST", "/api/works/" + id + "/edit", "application/json", `{"lines":["明月松间照"],"locks":["11"]}`, 422, "lock"},
		{"edit nothing", c, "POST", "/api/works/" + id + "/edit", "application/json", `{}`, 422, "nothing to change"},
		{"stale base", c, "POST", "/api/works/" + id + "/edit", "application/json", `{"base":99,"lines":["明月松间照"]}`, 409, "version"},
		{"rate out of range", c, "POST", "/api/works/" + id + "/ratings", "application/json", `{"score":11}`, 422, "1 to 10"},
		{"create n", c, "POST", "/api/works/" + id + "/create", "application/json", `{"n":500}`, 422, "1 to 10"},
		{"huge painting", c, "POST", "/api/works/" + id + "/paint", "application/json", `{"width":100000,"height":100000}`, 422, "painting size"},
		{"stage publish", c, "POST", "/api/works/" + id + "/stage", "application/json", `{"stage":"publish"}`, 422, "stage"},
		{"review with no poem", c, "GET", "/api/works/" + id + "/review", "", "", 422, "no poem"},
		{"unknown route", c, "GET", "/api/nothing", "", "", 404, "no API route"},
		{"wrong method", c, "PUT", "/api/works/" + id, "", "", 404, "no API route"},
		{"delete another's work", o, "DELETE", "/api/works/" + id, "", "", 404, "not found"},
		{"non-admin creates user", o, "POST", "/api/users", "application/json", `{"name":"x","password":"long enough pw"}`, 403, "administrator"},
		{"wrong old password", c, "POST", "/api/me/password", "application/json", `{"old":"nope","new":"a new long password"}`, 403, "old password"},
		{"short new password", c, "POST", "/api/me/password", "application/json", `{"old":"` + adminPassword + `","new":"short"}`, 422, "at least"},
		{"title with NUL", c, "POST", "/api/works", "application/json", `{"title":"a\u0000b"}`, 422, "title"},
		{"image not Chinese", c, "POST", "/api/works/" + id + "/brief", "application/json", `{"images":["a\u0000"]}`, 422, "image"},
		{"a key makes a key", c, "POST", "/api/keys", "application/json", `{"name":"k2"}`, 403, "cannot make keys"},
		{"photo to another's work", o, "POST", "/api/works/" + id + "/photo", "image/jpeg", "\xff\xd8\xff", 404, "not found"},
		{"photo to no work", c, "POST", "/api/works/w_doesnotexist123/photo", "image/jpeg", "\xff\xd8\xff", 404, "not found"},
		{"alternatives outside the form", c, "POST", "/api/works/" + id + "/alternatives", "application/json", `{"line":1,"col":2}`, 422, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			} else {
				body = strings.NewReader("")
			}
			status, b := tc.c.raw(tc.method, tc.path, tc.ct, body, nil)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, b)
			}
			var ae apiError
			if err := json.Unmarshal(b, &ae); err != nil || ae.Error == "" {
				t.Fatalf("no JSON error message: %s", b)
			}
			if !strings.Contains(ae.Error, tc.msg) {
				t.Fatalf("message %q lacks %q", ae.Error, tc.msg)
			}
			if strings.Contains(string(b), "/tmp/") || strings.Contains(string(b), "sql") {
				t.Fatalf("the error leaks internals: %s", b)
			}
		})
	}
}

// TestAuth checks who may call what: without credentials only /healthz,
// /metrics, /openapi.json and the login page answer; browser changes need
// the CSRF token; expired sessions and spent quotas are refused.
func TestAuth(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	anon := &client{e: e, http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, p := range []string{"/healthz", "/metrics", "/openapi.json", "/login", "/static/app.js"} {
		if status, b := anon.raw("GET", p, "", nil, nil); status != 200 {
			t.Errorf("GET %s without credentials: %d %s", p, status, b)
		}
	}
	srv := New(e.st)
	for _, pat := range srv.patterns {
		method, path, _ := strings.Cut(pat, " ")
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		path = strings.NewReplacer("{id}", "w_1", "{n}", "1", "{name}", "a.png").Replace(path)
		if status, b := anon.raw(method, path, "application/json", strings.NewReader("{}"), nil); status != 401 {
			t.Errorf("%s %s without credentials: %d %s", method, path, status, b)
		}
	}
	if status, _ := anon.raw("GET", "/", "", nil, nil); status != http.StatusSeeOther {
		t.Errorf("GET / without a session: %d, want a redirect to /login", status)
	}
	bad := &client{e: e, http: &http.Client{}, key: "mbk_not-a-key"}
	if status, b := bad.raw("GET", "/api/works", "", nil, nil); status != 401 || !strings.Contains(string(b), "API key") {
		t.Errorf("bad key: %d %s", status, b)
	}

	// A browser session: changes without the CSRF token are refused.
	br := e.browser("admin", adminPassword)
	tok := br.csrf
	br.csrf = ""
	if status, b := br.raw("POST", "/api/works", "application/json", strings.NewReader(`{"keywords":["月"]}`), nil); status != 403 || !strings.Contains(string(b), "CSRF") {
		t.Errorf("POST without CSRF: %d %s", status, b)
	}
	br.csrf = tok
	if status, b := br.raw("POST", "/api/works", "application/json", strings.NewReader(`{"keywords":["月"]}`), map[string]string{"Origin": "https://evil.example"}); status != 403 {
		t.Errorf("cross-site POST: %d %s", status, b)
	}
	br.do("POST", "/api/works", map[string]any{"keywords": []string{"月"}}, 201, nil)
	// An expired session is refused with a clear message.
	if _, err := e.st.DB.Session(context.Background(), ""); err == nil {
		t.Fatal("empty token accepted")
	}
	old, err := e.st.DB.NewSession(context.Background(), e.admin.ID, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	stale := &client{e: e, http: &http.Client{CheckRedirect: anon.http.CheckRedirect}}
	cookie := map[string]string{"Cookie": sessionCookie + "=" + old}
	if status, b := stale.raw("GET", "/api/works", "", nil, cookie); status != 401 || !strings.Contains(string(b), "expired") {
		t.Errorf("expired session: %d %s", status, b)
	}
	if status, _ := stale.raw("GET", "/", "", nil, cookie); status != http.StatusSeeOther {
		t.Errorf("expired session on a page: %d, want a redirect to /login", status)
	}

	// A key with a quota of 2 makes two generation requests, then 429.
	p := e.program(e.admin, 2)
	var nw workReply
	p.do("POST", "/api/works", map[string]any{"keywords": []string{"月"}}, 201, &nw)
	// A request refused for its input costs nothing.
	p.do("POST", "/api/works/"+nw.Work.ID+"/create", map[string]any{"n": 500}, 422, nil)
	p.do("POST", "/api/works/"+nw.Work.ID+"/revise", map[string]any{}, 422, nil)
	for i := 0; i < 2; i++ {
		p.do("POST", "/api/works/"+nw.Work.ID+"/create", map[string]any{"n": 1}, 202, nil)
	}
	status, b := p.raw("POST", "/api/works/"+nw.Work.ID+"/create", "application/json", strings.NewReader(`{"n":1}`), nil)
	if status != 429 || !strings.Contains(string(b), "quota") {
		t.Errorf("over quota: %d %s", status, b)
	}
	// A changed password is the one that signs in.
	p.do("POST", "/api/me/password", map[string]any{"old": adminPassword, "new": "a brand new password"}, 204, nil)
	e.browser("admin", "a brand new password")
	var keys struct{ Keys []store.APIKey }
	p.do("GET", "/api/keys", nil, 200, &keys)
	for _, k := range keys.Keys {
		if k.Quota == 2 && (k.UsedToday != 2 || k.UsedTotal != 2) {
			t.Errorf("usage counters: %+v", k)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/works/w_1":           "/works/w_1",
		"/works/w_1?job=j_1":   "/works/w_1?job=j_1",
		"//evil.example":       "/",
		"/\t/evil.example":     "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"":                     "/",
		"/\n/evil.example":     "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReviewFixes covers what a review of the studio found: files written
// for works that are not the caller's, uploads from a browser, quotas a
// person could raise, metrics labels anyone could add, and a proxy's
// Basic header hiding the session.
func TestReviewFixes(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	writer, err := e.st.DB.CreateUser(t.Context(), "writer", "a long enough password", false)
	if err != nil {
		t.Fatal(err)
	}
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"月"}}, 201, &nw)
	o := e.program(writer, 10)
	o.raw("POST", "/api/works/"+nw.Work.ID+"/photo", "image/jpeg", strings.NewReader("\xff\xd8\xff"), nil)
	o.raw("POST", "/api/works/w_doesnotexist123/photo", "image/jpeg", strings.NewReader("\xff\xd8\xff"), nil)
	if names, _ := e.st.Assets.List(nw.Work.ID); len(names) != 0 {
		t.Fatalf("another user's upload left files: %v", names)
	}
	if names, _ := e.st.Assets.List("w_doesnotexist123"); len(names) != 0 {
		t.Fatalf("an upload to no work left files: %v", names)
	}
	// A browser uploads a photo of more than 1 MiB through the API.
	b := e.browser("admin", adminPassword)
	jpg, err := os.ReadFile(filepath.Join("..", "photo", "testdata", "chelsea.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	big := append(bytes.Clone(jpg), make([]byte, 2<<20)...) // JPEG readers ignore what follows
	if status, body := b.raw("POST", "/api/works/"+nw.Work.ID+"/photo", "image/jpeg", bytes.NewReader(big), nil); status != 200 {
		t.Fatalf("browser upload of %d bytes: %d %s", len(big), status, body)
	}
	// A person who is not an administrator keeps to the default quota.
	wb := e.browser("writer", "a long enough password")
	if status, body := wb.raw("POST", "/api/keys", "application/json", strings.NewReader(`{"name":"big","quota":1000000000}`), nil); status != 403 {
		t.Fatalf("a large quota by a non-admin: %d %s", status, body)
	}
	wb.do("POST", "/api/keys", map[string]any{"name": "ok", "quota": 1000}, 201, nil)
	wb.do("POST", "/api/keys", map[string]any{"name": "negative", "quota": -1}, 422, nil)
	// Made-up methods all count as OTHER.
	for _, m := range []string{"FOO", "BAR"} {
		c.raw(m, "/healthz", "", nil, nil)
	}
	_, metrics := c.raw("GET", "/metrics", "", nil, nil)
	if strings.Contains(string(metrics), `method="FOO"`) || !strings.Contains(string(metrics), `method="OTHER"`) {
		t.Fatal("metrics keep made-up methods as labels")
	}
	// A Basic header from a proxy does not hide the session.
	if status, body := b.raw("GET", "/api/works", "", nil, map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}); status != 200 {
		t.Fatalf("session with a Basic header: %d %s", status, body)
	}
}
