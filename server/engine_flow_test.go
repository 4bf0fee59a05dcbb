package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mbengine "miaobi/engine"
	"miaobi/store"
	"miaobi/store/storetest"
	"miaobi/studio"
)

// TestEngineWork creates a work with an engine — a second real Miaobi
// server, reached through its OpenAI-compatible /v1 — takes it to a
// published bundle, and checks that the metadata and the painting's C2PA
// manifest name the engine and its model as the poem's maker.
func TestEngineWork(t *testing.T) {
	other := newEnv(t, storetest.SQLite(t))
	_, secret, err := other.st.DB.CreateKey(t.Context(), other.admin.ID, "engine", 100)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.SQLite(t))
	e.st.Engines = map[string]mbengine.Config{"m2": {Name: "m2", Kind: "openai", URL: other.srv.URL + "/v1", Key: secret, Model: "miaobi-poet", Timeout: 30 * time.Second}}
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"秋风", "落叶"}, "form": "七绝"}, 201, &nw)
	id := nw.Work.ID
	c.do("POST", "/api/works/"+id+"/create", map[string]any{"n": 5, "seed": 3, "engine": "nope"}, 422, nil)
	var jr struct{ Job store.Job }
	c.do("POST", "/api/works/"+id+"/create", map[string]any{"n": 5, "seed": 3, "paint": true, "width": 512, "height": 256, "engine": "m2"}, 202, &jr)
	if j := c.wait(jr.Job.ID); j.State != store.JobDone {
		t.Fatalf("create job: %+v", j)
	}
	var w studio.Work
	c.do("GET", "/api/works/"+id, nil, 200, &w)
	// An engine that is down: the job fails and says why; the work is
	// as it was.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	e.st.Engines["down"] = mbengine.Config{Name: "down", Kind: "openai", URL: down.URL + "/v1", Model: "x", Timeout: 5 * time.Second, Retries: -1}
	c.do("POST", "/api/works/"+id+"/create", map[string]any{"n": 2, "seed": 3, "engine": "down"}, 202, &jr)
	if j := c.wait(jr.Job.ID); j.State != store.JobFailed || !strings.Contains(j.Error, "engine down") {
		t.Fatalf("create with an engine that is down: %+v", j)
	}
	var after studio.Work
	c.do("GET", "/api/works/"+id, nil, 200, &after)
	if after.Head != w.Head || strings.Join(after.Content.Lines, "") != strings.Join(w.Content.Lines, "") {
		t.Fatalf("a failed engine changed the work: head %d → %d", w.Head, after.Head)
	}
	if len(w.Content.Candidates) != studio.MaxEngineCandidates || w.Content.Candidates[0].Source == nil || w.Content.Candidates[0].Source.Engine != "m2" {
		t.Fatalf("candidates: %+v", w.Content.Candidates)
	}
	found := false
	for _, p := range w.Content.Parts {
		found = found || (p.Engine == "m2" && p.Model == "miaobi-poet" && p.Action == "create")
	}
	if !found {
		t.Fatalf("parts: %+v", w.Content.Parts)
	}
	c.do("POST", "/api/works/"+id+"/choose", map[string]any{"base": w.Head, "candidate": 2}, 200, &w)
	c.do("POST", "/api/works/"+id+"/publish", map[string]any{"base": w.Head, "ack": true}, 200, &w)
	status, zb := c.raw("GET", "/api/works/"+id+"/bundle", "", nil, nil)
	if status != 200 {
		t.Fatalf("bundle: %d %s", status, zb)
	}
	files := unzip(t, zb)
	var md studio.Metadata
	if err := json.Unmarshal(files["metadata.json"], &md); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(md.Parts)
	if !strings.Contains(string(b), `"engine":"m2"`) {
		t.Errorf("metadata parts: %s", b)
	}
	if m := manifestText(t, files["painting.png"]); !strings.Contains(m, "m2") || !strings.Contains(m, "miaobi-poet") {
		t.Errorf("the painting's C2PA manifest does not name the engine and model")
	}
}
