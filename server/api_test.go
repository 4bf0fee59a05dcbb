package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"miaobi/store/storetest"
)

// TestOpenAPIMatchesRoutes checks the document lists exactly the API's
// routes, so neither can drift from the other.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := &Server{mux: http.NewServeMux()}
	s.routes()
	var routes, documented []string
	for _, p := range s.patterns {
		if p != "/api/" && p != "/v1/" {
			routes = append(routes, p)
		}
	}
	for _, o := range operations {
		documented = append(documented, o.method+" "+o.path)
	}
	sort.Strings(routes)
	sort.Strings(documented)
	if strings.Join(routes, "\n") != strings.Join(documented, "\n") {
		t.Fatalf("routes:\n%s\n\ndocumented:\n%s", strings.Join(routes, "\n"), strings.Join(documented, "\n"))
	}
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) < 20 {
		t.Fatalf("document: openapi %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
	for _, m := range regexp.MustCompile(`#/components/schemas/(\w+)`).FindAllStringSubmatch(string(openAPIJSON()), -1) {
		if doc.Components.Schemas[m[1]] == nil {
			t.Errorf("schema %s is referenced but not defined", m[1])
		}
	}
}

// TestJobEventsAndMetrics follows a job's server-sent events to the end
// and reads the metrics that count it.
func TestJobEventsAndMetrics(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"雪"}}, 201, &nw)
	var jr struct{ Job struct{ ID string } }
	c.do("POST", "/api/works/"+nw.Work.ID+"/create", map[string]any{"n": 2, "seed": 1}, 202, &jr)
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/jobs/"+jr.Job.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	var events []string
	sc := bufio.NewScanner(resp.Body)
	deadline := time.AfterFunc(time.Minute, func() { resp.Body.Close() })
	defer deadline.Stop()
	var last string
	for sc.Scan() {
		line := sc.Text()
		if ev, ok := strings.CutPrefix(line, "event: "); ok {
			events = append(events, ev)
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			last = d
		}
	}
	if len(events) == 0 || events[len(events)-1] != "done" || !strings.Contains(last, `"state":"done"`) {
		t.Fatalf("events %v, last %s", events, last)
	}
	status, body := c.raw("GET", "/metrics", "", nil, nil)
	if status != 200 {
		t.Fatal(status)
	}
	for _, want := range []string{
		`miaobi_http_requests_total{method="POST",route="POST /api/works/{id}/create",status="202"} 1`,
		`miaobi_jobs_total{kind="create",outcome="done"} 1`,
		`miaobi_job_duration_seconds_count{kind="create"} 1`,
		`miaobi_queue_depth{state="waiting"} 0`,
		`miaobi_jobs{state="done"} 1`,
		`miaobi_http_request_duration_seconds_bucket{route="POST /api/works",le="+Inf"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	status, body = c.raw("GET", "/healthz", "", nil, nil)
	if status != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("healthz %d %s", status, body)
	}
}

// TestQuickPoems writes labelled poems without a work.
func TestQuickPoems(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 100)
	var out struct {
		Poems []struct {
			Lines []string
			Text  string
			AIGC  string
		}
	}
	c.do("POST", "/api/poems", map[string]any{"keywords": []string{"灯", "跳舞"}, "seed": 5, "n": 2}, 200, &out)
	if len(out.Poems) != 2 || !strings.Contains(out.Poems[0].Text, "本内容由AI生成") || !strings.Contains(out.Poems[0].AIGC, "ProduceID") {
		t.Fatalf("poems: %+v", out)
	}
	var again struct{ Poems []struct{ Lines []string } }
	c.do("POST", "/api/poems", map[string]any{"keywords": []string{"灯", "跳舞"}, "seed": 5, "n": 2}, 200, &again)
	if strings.Join(again.Poems[0].Lines, "") != strings.Join(out.Poems[0].Lines, "") {
		t.Fatal("the same seed gave another poem")
	}
	c.do("POST", "/api/poems", map[string]any{"n": 11}, 422, nil)
}

// TestWebPages drives the server-rendered pages with forms: sign in, a
// new work, its page, in both languages.
func TestWebPages(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.browser("admin", adminPassword)
	form := func(path string, v map[string]string) (int, string) {
		vals := []string{"csrf=" + b.csrf}
		for k, x := range v {
			vals = append(vals, k+"="+x)
		}
		status, body := b.raw("POST", path, "application/x-www-form-urlencoded", strings.NewReader(strings.Join(vals, "&")), nil)
		return status, string(body)
	}
	status, _ := form("/works", map[string]string{"keywords": "月、花", "form": "五绝", "rhyme": "pingshui"})
	if status != http.StatusSeeOther {
		t.Fatalf("new work form: %d", status)
	}
	ws, _ := e.st.Works(t.Context(), studioActor(e))
	if len(ws) != 1 {
		t.Fatalf("works %d", len(ws))
	}
	status, page := b.raw("GET", "/works/"+ws[0].ID+"?lang=en", "", nil, nil)
	if status != 200 || !strings.Contains(string(page), "Write candidates and paint") || !strings.Contains(string(page), "Sign out") {
		t.Fatalf("work page (en): %d\n%s", status, page)
	}
	status, page = b.raw("GET", "/works/"+ws[0].ID+"?lang=zh", "", nil, nil)
	if status != 200 || !strings.Contains(string(page), "生成候选与画作") {
		t.Fatalf("work page (zh): %d", status)
	}
	// A form without the CSRF token is refused.
	status, _ = b.raw("POST", "/works/"+ws[0].ID+"/create", "application/x-www-form-urlencoded", strings.NewReader("seed=1"), map[string]string{"X-CSRF-Token": "wrong"})
	if status != http.StatusForbidden {
		t.Fatalf("form without CSRF: %d", status)
	}
	// A bad keyword comes back as a message on the page, not an error page.
	status, _ = form("/works", map[string]string{"keywords": "moon"})
	if status != http.StatusSeeOther {
		t.Fatalf("bad keyword form: %d", status)
	}
	_, home := b.raw("GET", "/", "", nil, nil)
	if !strings.Contains(string(home), "Chinese") {
		t.Fatalf("the home page does not explain the bad keyword:\n%s", home)
	}
	// A photo through the page's multipart form.
	jpg, err := os.ReadFile(filepath.Join("..", "photo", "testdata", "coffee.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("photo", "coffee.jpg")
	fw.Write(jpg)
	mw.Close()
	status, body := b.raw("POST", "/works/"+ws[0].ID+"/photo", mw.FormDataContentType(), &mb, map[string]string{"X-CSRF-Token": ""})
	if status != http.StatusSeeOther {
		t.Fatalf("photo form: %d %s", status, body)
	}
	wk, err := e.st.Get(t.Context(), studioActor(e), ws[0].ID)
	if err != nil || !wk.Content.Painting.IsPhoto() {
		t.Fatalf("after the photo form: %+v %v", wk, err)
	}
	// The administrator creates a user on the keys page; the user signs in
	// and does not see the users section.
	status, _ = form("/users", map[string]string{"name": "writer", "password": "a long enough password"})
	if status != http.StatusSeeOther {
		t.Fatalf("create user form: %d", status)
	}
	_, keysPage := b.raw("GET", "/keys", "", nil, nil)
	if !strings.Contains(string(keysPage), "writer") {
		t.Fatal("the new user is not listed")
	}
	wr := e.browser("writer", "a long enough password")
	_, wp := wr.raw("GET", "/keys", "", nil, nil)
	if strings.Contains(string(wp), `id="users"`) {
		t.Fatal("a non-admin sees the users section")
	}
	if st, _ := wr.raw("POST", "/users", "application/x-www-form-urlencoded", strings.NewReader("csrf="+wr.csrf+"&name=x&password=long+enough+pw"), nil); st != http.StatusForbidden {
		t.Fatalf("a non-admin created a user: %d", st)
	}
	// The page's "use" button for an alternative changes the character.
	status, _ = form("/works", map[string]string{"draft": "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"})
	if status != http.StatusSeeOther {
		t.Fatalf("draft form: %d", status)
	}
	ws, _ = e.st.Works(t.Context(), studioActor(e))
	dw, _ := e.st.Get(t.Context(), studioActor(e), ws[0].ID)
	status, msg := form("/works/"+dw.ID+"/alternatives", map[string]string{"base": fmt.Sprint(dw.Head), "line": "1", "col": "2", "text": "月"})
	if status != http.StatusSeeOther {
		t.Fatalf("use an alternative: %d %s", status, msg)
	}
	dw, _ = e.st.Get(t.Context(), studioActor(e), dw.ID)
	if dw.Content.Lines[0] != "白月依山尽" {
		t.Fatalf("after the alternative: %v", dw.Content.Lines)
	}
	// Another user's work page is not found.
	if status, _ := b.raw("GET", "/works/w_0000000000000000", "", nil, nil); status != 404 {
		t.Fatalf("unknown work page: %d", status)
	}
}
