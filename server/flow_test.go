package server

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/sound"
	"miaobi/store"
	"miaobi/store/storetest"
	"miaobi/studio"
)

type workReply struct {
	Work studio.Work `json:"work"`
	Job  *store.Job  `json:"job"`
}

// TestWorkFlow takes a work through every stage over the API, on SQLite
// and on PostgreSQL: plan, create (a job), choose, edit with locks,
// regenerate, alternatives, rate, review and publish, then checks the
// bundle's labels and its record of who made what.
func TestWorkFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.program(e.admin, 100)
		var nw workReply
		c.do("POST", "/api/works", map[string]any{"keywords": []string{"灯", "跳舞", "翅膀"}, "form": "七绝"}, 201, &nw)
		id := nw.Work.ID
		if nw.Work.Stage != "plan" || nw.Work.Head != 1 {
			t.Fatalf("new work: %+v", nw.Work.Work)
		}
		var plan studio.Suggestions
		c.do("GET", "/api/works/"+id+"/plan", nil, 200, &plan)
		if len(plan.Keywords) != 3 || len(plan.Keywords[0].Images) == 0 || len(plan.Forms) == 0 {
			t.Fatalf("plan: %+v", plan)
		}
		img := plan.Keywords[0].Images[0]
		var w studio.Work
		c.do("POST", "/api/works/"+id+"/brief", map[string]any{"base": 1, "keywords": []string{"灯", "跳舞", "翅膀"}, "form": "七绝", "images": []string{img}}, 200, &w)
		if w.Head != 2 || len(w.Content.Brief.Images) != 1 {
			t.Fatalf("brief: %+v", w.Content.Brief)
		}
		var jr struct{ Job store.Job }
		c.do("POST", "/api/works/"+id+"/create", map[string]any{"n": 3, "seed": 7, "paint": true, "width": 640, "height": 320}, 202, &jr)
		if j := c.wait(jr.Job.ID); j.State != store.JobDone {
			t.Fatalf("create job: %+v", j)
		}
		c.do("GET", "/api/works/"+id, nil, 200, &w)
		if len(w.Content.Candidates) != 3 || len(w.Content.Lines) != 4 || w.Content.Painting == nil || w.Stage != "edit" {
			t.Fatalf("after create: %+v", w.Content)
		}
		if w.Share.Person != 0 || w.Share.AIChars != 28 {
			t.Fatalf("share after create: %+v", w.Share)
		}
		c.do("POST", "/api/works/"+id+"/choose", map[string]any{"base": w.Head, "candidate": 2}, 200, &w)
		if strings.Join(w.Content.Lines, "") != strings.Join(w.Content.Candidates[1].Lines, "") {
			t.Fatal("choose did not take candidate 2")
		}
		// The person rewrites line 1 and locks it; regenerating keeps it.
		lines := append([]string{}, w.Content.Lines...)
		lines[0] = "春风又绿江南岸"
		locks := []string{"1111111", "0000000", "0000000", "0000000"}
		c.do("POST", "/api/works/"+id+"/edit", map[string]any{"base": w.Head, "lines": lines, "locks": locks}, 200, &w)
		if w.Content.Hands[0] != "ppppppp" || w.Content.Locks[0] != "1111111" {
			t.Fatalf("edit: hands %v locks %v", w.Content.Hands, w.Content.Locks)
		}
		before := append([]string{}, w.Content.Lines...)
		c.do("POST", "/api/works/"+id+"/revise", map[string]any{"base": w.Head, "seed": 11}, 200, &w)
		if w.Content.Lines[0] != "春风又绿江南岸" || w.Content.Hands[0] != "ppppppp" {
			t.Fatalf("revise changed the locked line: %v", w.Content.Lines)
		}
		if strings.Join(w.Content.Lines[1:], "") == strings.Join(before[1:], "") {
			t.Fatalf("revise changed nothing: %v → %v", before, w.Content.Lines)
		}
		if w.Share.PersonChars != 7 || w.Share.AIChars != 21 {
			t.Fatalf("share: %+v", w.Share)
		}
		var alts struct{ Alternatives []struct{ Text string } }
		c.do("POST", "/api/works/"+id+"/alternatives", map[string]any{"line": 2, "col": 3, "k": 3}, 200, &alts)
		if len(alts.Alternatives) == 0 {
			t.Fatal("no alternatives")
		}
		c.do("POST", "/api/works/"+id+"/alternatives/use", map[string]any{"base": w.Head, "line": 2, "col": 3, "text": alts.Alternatives[0].Text}, 200, &w)
		if []rune(w.Content.Lines[1])[2] != []rune(alts.Alternatives[0].Text)[0] {
			t.Fatal("alternative not used")
		}
		c.do("POST", "/api/works/"+id+"/painting/adjust", map[string]any{"base": w.Head, "brightness": 0.1, "contrast": 0.2}, 200, &w)
		if w.Share.Painting != "ai+person" || w.Content.Painting.AdjustedBy != "person:admin" {
			t.Fatalf("adjust: %+v %+v", w.Share, w.Content.Painting)
		}
		if st, _ := c.raw("GET", "/api/works/"+id+"/assets/"+w.Content.Painting.Asset, "", nil, nil); st != 200 {
			t.Fatalf("adjusted preview: %d", st)
		}
		c.do("POST", "/api/works/"+id+"/painting/adjust", map[string]any{"brightness": 2}, 422, nil)
		// Sound: the person asks for the music in 商调 kept to 20 s, and a
		// recitation where espeak-ng is installed (make test installs it).
		_, speechErr := exec.LookPath("espeak-ng")
		recite := speechErr == nil
		c.do("POST", "/api/works/"+id+"/sound", map[string]any{"base": w.Head, "mode": "dorian", "music": true}, 422, nil)
		c.do("POST", "/api/works/"+id+"/sound", map[string]any{"base": w.Head, "tempo": 500, "music": true}, 422, nil)
		c.do("POST", "/api/works/"+id+"/sound", map[string]any{"base": w.Head, "music": true, "recite": recite, "mode": "商", "seed": 3, "trim": 20}, 200, &w)
		if w.Content.Sound == nil || !w.Content.Sound.Music || w.Content.Sound.Mode != "商" {
			t.Fatalf("sound: %+v", w.Content.Sound)
		}
		// The person hears the music before publishing: labelled, 20 s.
		st, heard := c.raw("GET", "/api/works/"+id+"/sound/music", "", nil, nil)
		if st != 200 {
			t.Fatalf("listen to the music: %d %s", st, heard)
		}
		if a, err := sound.Decode(heard); err != nil || a.Frames() < 19*a.Rate || a.Frames() > 23*a.Rate {
			t.Fatalf("listen to the music: %v, %d frames", err, a.Frames())
		}
		if rep, err := label.VerifyAudio(heard); err != nil || !rep.Watermark.Found || !rep.Implicit.Found {
			t.Errorf("the music heard is not labelled: %v %+v", err, rep)
		}
		c.do("GET", "/api/works/"+id+"/sound/film", nil, 404, nil)
		// Film: a tall 720p film of the work, recited where espeak-ng is.
		c.do("POST", "/api/works/"+id+"/film", map[string]any{"aspect": "4:3"}, 422, nil)
		c.do("POST", "/api/works/"+id+"/film", map[string]any{"no_voice": true, "no_music": true}, 422, nil)
		var fj struct{ Job store.Job }
		c.do("POST", "/api/works/"+id+"/film", map[string]any{"aspect": "9:16", "seed": 4, "no_voice": !recite}, 202, &fj)
		if j := c.wait(fj.Job.ID); j.State != store.JobDone {
			t.Fatalf("film job: %+v", j)
		}
		c.do("GET", "/api/works/"+id, nil, 200, &w)
		if f := w.Content.Film; f == nil || f.Width != 720 || f.Height != 1280 || len(f.Writing) < 5 || f.Recited != recite {
			t.Fatalf("film: %+v", w.Content.Film)
		}
		st, part := c.raw("GET", "/api/works/"+id+"/assets/"+w.Content.Film.Asset, "", nil, map[string]string{"Range": "bytes=0-99"})
		if st != http.StatusPartialContent || len(part) != 100 {
			t.Errorf("a player's range request for the film: %d, %d bytes", st, len(part))
		}
		c.do("GET", "/api/works/"+id+"/assets/"+w.Content.Film.Raw, nil, 404, nil)
		c.do("POST", "/api/works/"+id+"/ratings", map[string]any{"candidate": 1, "score": 9, "favourite": true}, 201, nil)
		c.do("POST", "/api/works/"+id+"/ratings", map[string]any{"score": 6}, 201, nil)
		var rs struct{ Ratings []store.Rating }
		c.do("GET", "/api/works/"+id+"/ratings", nil, 200, &rs)
		if len(rs.Ratings) != 2 {
			t.Fatalf("ratings: %+v", rs)
		}
		var rev studio.ReviewReport
		c.do("GET", "/api/works/"+id+"/review", nil, 200, &rev)
		if rev.Check.Verdict == "" || rev.Labels.ProduceID == "" || len(rev.Labels.Actions) < 4 {
			t.Fatalf("review: %+v", rev)
		}
		// 春风又绿江南岸 is 王安石's: the guard flags it, so publishing
		// needs the person's acknowledgement.
		if rev.Ready {
			t.Fatalf("a copied line passed the review: %+v", rev.Originality)
		}
		c.do("POST", "/api/works/"+id+"/publish", map[string]any{"base": w.Head}, 422, nil)
		c.do("POST", "/api/works/"+id+"/publish", map[string]any{"base": w.Head, "ack": true}, 200, &w)
		if w.Stage != "publish" || w.Content.Bundle == "" {
			t.Fatalf("publish: %+v", w.Work)
		}
		status, zb := c.raw("GET", "/api/works/"+id+"/bundle", "", nil, nil)
		if status != 200 {
			t.Fatalf("bundle: %d %s", status, zb)
		}
		checkBundle(t, e, zb, w.Content.Lines)
		checkSound(t, zb, recite)
		checkFilm(t, e, zb)
		var vs struct{ Versions []store.Version }
		c.do("GET", "/api/works/"+id+"/versions", nil, 200, &vs)
		var actions []string
		for _, v := range vs.Versions {
			actions = append(actions, v.Action)
		}
		if got := strings.Join(actions, ","); got != "plan,plan,create,choose,edit,revise,alternative,adjust,sound,film,publish" {
			t.Fatalf("history: %s", got)
		}
		c.do("DELETE", "/api/works/"+id, nil, 204, nil)
		c.do("GET", "/api/works/"+id, nil, 404, nil)
		c.do("GET", "/api/works/"+id+"/bundle", nil, 404, nil)
		if names, _ := e.st.Assets.List(id); len(names) != 0 {
			t.Fatalf("files left after delete: %v", names)
		}
	})
}

// unzip reads a bundle's files by name.
func unzip(t *testing.T, zb []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	return files
}

// checkBundle opens a published bundle and verifies its files.
func checkBundle(t *testing.T, e *env, zb []byte, lines []string) {
	t.Helper()
	files := unzip(t, zb)
	txt := string(files["poem.txt"])
	if !strings.Contains(txt, lines[0]) || !strings.Contains(txt, label.DefaultTextLabel) {
		t.Fatalf("poem.txt: %q", txt)
	}
	if _, err := label.ParseAIGC(strings.TrimSpace(string(files["poem.txt.aigc.json"]))); err != nil {
		t.Fatalf("sidecar: %v", err)
	}
	var md studio.Metadata
	if err := json.Unmarshal(files["metadata.json"], &md); err != nil {
		t.Fatal(err)
	}
	if md.Share.PersonChars != 7 || len(md.History) < 7 || md.Files["poem.txt"] == "" || md.Files["painting.png"] == "" {
		t.Fatalf("metadata: %+v", md)
	}
	ca, err := os.ReadFile(filepath.Join(e.keys, c2pa.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	rep, err := label.Verify(files["painting.png"], roots)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	s := string(b)
	for _, want := range []string{"humanEdits", "trainedAlgorithmicMedia", "org.miaobi.by", "person:admin", "miaobi-poem", "poem.txt"} {
		if !strings.Contains(s, want) && !strings.Contains(manifestText(t, files["painting.png"]), want) {
			t.Errorf("painting's provenance lacks %q", want)
		}
	}
	if !rep.C2PA.Valid || !rep.C2PA.Trusted || !rep.Watermark.Found || !rep.Explicit.Found {
		t.Fatalf("painting labels: %s", s)
	}
}

// checkFilm checks the bundle's film: every label layer (the watermark
// carrying the film's own ProduceID), a trusted manifest binding the poem
// and saying which frames show which line and who wrote it.
func checkFilm(t *testing.T, e *env, zb []byte) {
	t.Helper()
	files := unzip(t, zb)
	mp4 := files["film.mp4"]
	if len(mp4) == 0 {
		t.Fatal("the bundle has no film.mp4")
	}
	ca, err := os.ReadFile(filepath.Join(e.keys, c2pa.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	rep, err := label.Verify(mp4, roots)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.C2PA.Valid || !rep.C2PA.Trusted || !rep.Explicit.Found || !rep.Implicit.Found || !rep.Watermark.Found || rep.WatermarkMatches == nil || !*rep.WatermarkMatches {
		b, _ := json.Marshal(rep)
		t.Fatalf("film labels: %s", b)
	}
	m := manifestText(t, mp4)
	for _, want := range []string{"c2pa.placed", "org.miaobi.frames", "line 1", "poem.txt", "c2pa.hash.bmff.v3"} {
		if !strings.Contains(m, want) {
			t.Errorf("the film's manifest lacks %q", want)
		}
	}
	var md studio.Metadata
	if err := json.Unmarshal(files["metadata.json"], &md); err != nil || md.Files["film.mp4"] == "" {
		t.Errorf("metadata.json does not list film.mp4: %v", err)
	}
}

// checkSound checks the bundle's music (and recitation): every sound
// label layer, the metadata listing them, and the music kept to 20 s.
func checkSound(t *testing.T, zb []byte, recite bool) {
	t.Helper()
	files := unzip(t, zb)
	var md studio.Metadata
	if err := json.Unmarshal(files["metadata.json"], &md); err != nil {
		t.Fatal(err)
	}
	names := []string{"music"}
	if recite {
		names = append(names, "recitation")
	}
	for _, n := range names {
		var name string
		for _, ext := range []string{".mp3", ".wav"} {
			if files[n+ext] != nil {
				name = n + ext
			}
		}
		if name == "" || md.Files[name] == "" {
			t.Fatalf("the bundle has no %s (files %v)", n, md.Files)
		}
		r, err := label.VerifyAudio(files[name])
		if err != nil || !r.Explicit.Found || !r.Implicit.Found || !r.Watermark.Found || r.WatermarkMatches == nil || !*r.WatermarkMatches {
			t.Errorf("%s: %+v %v", name, r, err)
		}
		if n == "music" {
			a, err := sound.Decode(files[name])
			if err != nil {
				t.Fatal(err)
			}
			if secs := float64(a.Frames()) / float64(a.Rate); secs < 20 || secs > 24 {
				t.Errorf("music trimmed to 20 s is %.1f s (with its cue)", secs)
			}
		}
	}
}

// manifestText is the painting's C2PA store as text, for looking for
// the attribution's strings.
func manifestText(t *testing.T, png []byte) string {
	store, err := c2pa.Extract(png)
	if err != nil {
		t.Fatal(err)
	}
	return string(store)
}

var _ = context.Background

// TestDraftWork starts works from a person's drafts: their characters
// stay theirs and locked, placeholders are filled by the engine.
func TestDraftWork(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"draft": "窗前灯影乱\n风里舞衣轻\n□□□□□\n□□□□□", "seed": 2}, 201, &nw)
	ct := nw.Work.Content
	if len(ct.Lines) != 4 || ct.Lines[0] != "窗前灯影乱" || ct.Hands[0] != "ppppp" || ct.Hands[2] != "aaaaa" || ct.Locks[1] != "11111" || ct.Locks[3] != "00000" {
		t.Fatalf("draft work: %+v", ct)
	}
	if nw.Work.Share.Person != 0.5 || nw.Work.Stage != "edit" || ct.Brief.Form != "五绝" {
		t.Fatalf("share %+v, stage %s, form %s", nw.Work.Share, nw.Work.Stage, ct.Brief.Form)
	}
	c.do("POST", "/api/works", map[string]any{"draft": "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"}, 201, &nw)
	if nw.Work.Share.Person != 1 || nw.Work.Content.Lines[3] != "更上一层楼" || nw.Work.Content.Brief.Form != "五绝" {
		t.Fatalf("a finished draft: %+v", nw.Work.Content)
	}
	var rev studio.ReviewReport
	c.do("GET", "/api/works/"+nw.Work.ID+"/review", nil, 200, &rev)
	if rev.Check.Form != "五绝" || rev.Check.Verdict != "合律" {
		t.Fatalf("review of 登鹳雀楼: %s %s", rev.Check.Form, rev.Check.Verdict)
	}
	c.do("POST", "/api/works", map[string]any{"draft": "hello"}, 422, nil)
	c.do("POST", "/api/works", map[string]any{"draft": "白日依山尽", "autopilot": true}, 422, nil)
	var keys struct{ Keys []store.APIKey }
	c.do("GET", "/api/keys", nil, 200, &keys)
	if keys.Keys[0].UsedTotal != 2 {
		t.Fatalf("two drafts were written, the key counted %d", keys.Keys[0].UsedTotal)
	}
}

// TestReferences gives the studio a small corpus index: the plan offers
// poems holding the keywords, and the review names the poem a line was
// copied from.
func TestReferences(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.st.SetRefs(judge.NewRefs(slices.Values([]*corpus.Poem{
		{ID: "t1", Title: "静夜思", Author: "李白", Dynasty: "唐", Form: "五绝", Lines: []string{"床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"}},
		{ID: "t2", Title: "秋夕", Author: "杜牧", Dynasty: "唐", Form: "七绝", Lines: []string{"银烛秋光冷画屏", "轻罗小扇扑流萤", "天阶夜色凉如水", "卧看牵牛织女星"}},
		{ID: "t3", Title: "春晓", Author: "孟浩然", Dynasty: "唐", Form: "五绝", Lines: []string{"春眠不觉晓", "处处闻啼鸟", "夜来风雨声", "花落知多少"}},
	})), "")
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"秋", "灯"}}, 201, &nw)
	var plan studio.Suggestions
	c.do("GET", "/api/works/"+nw.Work.ID+"/plan", nil, 200, &plan)
	if len(plan.References) == 0 || plan.References[0].Author != "杜牧" {
		t.Fatalf("references: %+v", plan.References)
	}
	c.do("POST", "/api/works/"+nw.Work.ID+"/draft", map[string]any{"base": nw.Work.Head, "draft": "床前明月光\n夜静小窗凉\n□□□□□\n□□□□□"}, 200, nil)
	var rev studio.ReviewReport
	c.do("GET", "/api/works/"+nw.Work.ID+"/review", nil, 200, &rev)
	if len(rev.Originality.Closest) == 0 || rev.Originality.Closest[0].Title != "静夜思" || rev.Originality.Closest[0].Spans[0] != "床前明月光" {
		t.Fatalf("closest: %+v", rev.Originality.Closest)
	}
}

// TestPhotoWork uploads the person's photo (题画): it stays theirs, its
// scene feeds the poem, and the bundle's picture names the upload as its
// parent in C2PA.
func TestPhotoWork(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 100)
	var nw workReply
	c.do("POST", "/api/works", map[string]any{"keywords": []string{"夜"}}, 201, &nw)
	id := nw.Work.ID
	jpg, err := os.ReadFile(filepath.Join("..", "photo", "testdata", "rocket.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	status, b := c.raw("POST", "/api/works/"+id+"/photo?base=1", "image/jpeg", bytes.NewReader(jpg), nil)
	if status != 200 {
		t.Fatalf("upload: %d %s", status, b)
	}
	var w studio.Work
	json.Unmarshal(b, &w)
	if !w.Content.Painting.IsPhoto() || w.Share.Painting != "person" || len(w.Content.Brief.Images) == 0 {
		t.Fatalf("after upload: %+v, share %+v, images %v", w.Content.Painting, w.Share, w.Content.Brief.Images)
	}
	var jr struct{ Job struct{ ID string } }
	c.do("POST", "/api/works/"+id+"/create", map[string]any{"n": 2, "seed": 3, "paint": true}, 202, &jr)
	if j := c.wait(jr.Job.ID); j.State != store.JobDone {
		t.Fatalf("create: %+v", j)
	}
	c.do("GET", "/api/works/"+id, nil, 200, &w)
	if !w.Content.Painting.IsPhoto() {
		t.Fatal("the create step replaced the person's photo")
	}
	c.do("POST", "/api/works/"+id+"/publish", map[string]any{"ack": true}, 200, &w)
	_, zb := c.raw("GET", "/api/works/"+id+"/bundle", "", nil, nil)
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	var png []byte
	for _, f := range zr.File {
		if f.Name == "painting.png" {
			r, _ := f.Open()
			png, _ = io.ReadAll(r)
			r.Close()
		}
	}
	rep, err := label.Verify(png, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.C2PA.Valid || len(rep.C2PA.Actions) == 0 || rep.C2PA.Actions[0] != "c2pa.opened" || !rep.Explicit.Found {
		t.Fatalf("the photo's provenance: %+v", rep.C2PA)
	}

	// Uploads that cannot be used.
	big := bytes.Repeat([]byte{0}, 22<<20)
	for _, tc := range []struct {
		name, ct string
		body     []byte
		want     int
	}{
		{"text", "text/plain", jpg, 415},
		{"empty", "image/jpeg", nil, 400},
		{"not a picture", "image/png", []byte("hello, this is not a picture"), 422},
		{"truncated", "image/jpeg", jpg[:len(jpg)/3], 422},
		{"too large", "image/jpeg", big, 413},
		{"form without file", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n"), 400},
	} {
		status, b := c.raw("POST", "/api/works/"+id+"/photo", tc.ct, bytes.NewReader(tc.body), nil)
		if status != tc.want || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s: %d %s, want %d", tc.name, status, b, tc.want)
		}
	}
}
