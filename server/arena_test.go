package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"miaobi/arena"
	"miaobi/corpus"
	mbengine "miaobi/engine"
	"miaobi/judge"
	"miaobi/store"
	"miaobi/store/storetest"
	"miaobi/studio"
)

// arenaCorpus reads the arena's fixture of real Tang poems under held-out
// IDs (arena/testdata/tang.jsonl) and the words that would give their
// source away: the authors, and the corpus's and sources' names.
func arenaCorpus(t *testing.T) (*judge.Refs, []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "arena", "testdata", "tang.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []*corpus.Poem
	leaks := []string{"human", "miaobi", "engine", "source", "version", "origin", "chinese-poetry", "held-out", "p_", "seed"}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var p corpus.Poem
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		if corpus.SplitOf(p.ID) != corpus.Test {
			t.Fatalf("fixture poem %s is not in the held-out split", p.ID)
		}
		ps = append(ps, &p)
		if !slices.Contains(leaks, p.Author) {
			leaks = append(leaks, p.Author)
		}
	}
	return judge.NewRefs(slices.Values(ps)), leaks
}

func TestArenaRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.program(e.admin, 100)
		ctx := context.Background()
		u, err := db.CreateUser(ctx, "reader", "a long enough password", false)
		if err != nil {
			t.Fatal(err)
		}
		reader := e.program(u, 100)
		in := map[string]any{"name": "第一轮", "size": 6, "per_form": 2, "sources": []string{"human", "miaobi"}, "seed": 7}

		// Without the corpus there are no human poems: say how to get them.
		e.st.SetRefs(nil, "reference poems and the closest-poem search need the corpus: run 'miaobi corpus fetch' and restart the studio")
		b := admin.do("POST", "/api/arena/rounds", in, 422, nil)
		if !strings.Contains(string(b), "miaobi corpus fetch") {
			t.Errorf("no corpus: %s", b)
		}
		refs, leaks := arenaCorpus(t)
		e.st.SetRefs(refs, "")
		reader.do("POST", "/api/arena/rounds", in, 403, nil)
		for _, bad := range []map[string]any{
			{"name": ""}, {"name": "x", "size": 1000}, {"name": "x", "sources": []string{"robot"}},
			{"name": "x", "sources": []string{"engine:none"}}, {"name": "x", "forms": []string{"词"}},
		} {
			admin.do("POST", "/api/arena/rounds", bad, 422, nil)
		}

		var made struct {
			Round store.Round
			Job   store.Job
		}
		admin.do("POST", "/api/arena/rounds", in, 202, &made)
		if j := admin.wait(made.Job.ID); j.State != store.JobDone {
			t.Fatalf("round job: %+v", j)
		}
		var rd store.Round
		admin.do("GET", "/api/arena/rounds/"+made.Round.ID, nil, 200, &rd)
		// Up to two prompts of each form (a person's poem with a character
		// Miaobi never writes is left out), each with the human poem and
		// Miaobi's.
		if rd.State != store.RoundOpen || rd.Poems < 12 || rd.Poems%2 != 0 || !strings.Contains(rd.Note, fmt.Sprintf("%d poems on %d prompts", rd.Poems, rd.Poems/2)) {
			t.Fatalf("round %+v", rd)
		}

		// Play: every item shows lines only.
		var st studio.Sitting
		b = reader.do("GET", "/api/arena/rounds/"+rd.ID+"/play", nil, 200, &st)
		if st.Total != 6 || st.Answered != 0 || st.Item == nil || st.Item.Kind != "pair" || len(st.Item.Poems) != 2 {
			t.Fatalf("sitting %s", b)
		}
		reader.do("GET", "/api/arena/rounds/"+rd.ID+"/mine", nil, 409, nil)
		seenText := map[string]bool{}
		first := st.Item.ID
		for !st.Done {
			for _, w := range leaks {
				if strings.Contains(string(b), w) {
					t.Fatalf("an unanswered item shows %q: %s", w, b)
				}
			}
			ans := studio.AnswerInput{Human: []bool{true}, Scores: []int{7}}
			if st.Item.Kind == "pair" {
				ans = studio.AnswerInput{Human: []bool{true, false}, Scores: []int{8, 3}, Better: "A"}
				reader.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", studio.AnswerInput{Human: ans.Human, Scores: ans.Scores}, 422, nil)
				reader.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", studio.AnswerInput{Human: ans.Human, Scores: []int{11, 3}, Better: "A"}, 422, nil)
			}
			for _, p := range st.Item.Poems {
				k := strings.Join(p.Lines, "")
				if seenText[k] {
					t.Fatalf("poem %s shown twice", k)
				}
				seenText[k] = true
			}
			admin.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", ans, 404, nil) // not the admin's item
			b = reader.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", ans, 200, &st)
		}
		// An answer cannot be changed or given twice.
		reader.do("POST", "/api/arena/items/"+first+"/answer", studio.AnswerInput{Human: []bool{false, false}, Scores: []int{1, 1}, Better: "B"}, 409, nil)
		if st.Answered != 6 || len(seenText) != 9 { // pairs at 0, 2, 4
			t.Fatalf("finished with %d answered, %d poems seen", st.Answered, len(seenText))
		}
		var mine struct {
			Items []studio.RevealItem
			Right int
			Poems int
		}
		reader.do("GET", "/api/arena/rounds/"+rd.ID+"/mine", nil, 200, &mine)
		if len(mine.Items) != 6 || mine.Poems != 9 || mine.Items[0].Poems[0].Source == "" || mine.Items[0].Better != "A" {
			t.Fatalf("reveal %+v", mine)
		}

		// Results: both sources, with intervals and strengths.
		var res arena.Results
		reader.do("GET", "/api/arena/results?round="+rd.ID, nil, 200, &res)
		if res.Answers != 6 || res.Readers != 1 || len(res.Sources) != 2 || res.Sources[0].Source != "human" || res.Sources[0].Strength == nil {
			t.Fatalf("results %+v", res)
		}
		for _, s := range res.Sources {
			if s.Human.Lo > s.Human.P || s.Human.Hi < s.Human.P || s.Human.N == 0 || s.Score.N == 0 {
				t.Errorf("source %+v", s)
			}
		}
		status, body := reader.raw("GET", "/api/arena/results?format=csv", "", nil, nil)
		if rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll(); status != 200 || err != nil || len(rows) < 3 {
			t.Errorf("results CSV %d %v: %s", status, err, body)
		}
		reader.do("GET", "/api/arena/rounds/"+rd.ID+"/export", nil, 403, nil)
		status, body = admin.raw("GET", "/api/arena/rounds/"+rd.ID+"/export?format=csv", "", nil, nil)
		if rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll(); status != 200 || err != nil || len(rows) != 1+9 {
			t.Errorf("export %d %v: %d rows", status, err, len(rows))
		}

		// Closed to new readers: a latecomer is refused, the reader who
		// played still sees their answers; opened again, the latecomer plays.
		late, _ := db.CreateUser(ctx, "latecomer", "a long enough password", false)
		latecomer := e.program(late, 100)
		reader.do("POST", "/api/arena/rounds/"+rd.ID+"/close", nil, 403, nil)
		admin.do("POST", "/api/arena/rounds/"+rd.ID+"/close", nil, 200, &rd)
		if rd.State != store.RoundClosed {
			t.Fatalf("closed round: %+v", rd)
		}
		b = latecomer.do("GET", "/api/arena/rounds/"+rd.ID+"/play", nil, 422, nil)
		if !strings.Contains(string(b), "closed") {
			t.Errorf("a latecomer to a closed round: %s", b)
		}
		reader.do("GET", "/api/arena/rounds/"+rd.ID+"/mine", nil, 200, nil)
		admin.do("POST", "/api/arena/rounds/"+rd.ID+"/open", nil, 200, &rd)
		// Four tabs at once are dealt one hand.
		var wg sync.WaitGroup
		firsts := make([]string, 4)
		for i := range firsts {
			wg.Go(func() {
				var st studio.Sitting
				status, b := latecomer.raw("GET", "/api/arena/rounds/"+rd.ID+"/play", "", nil, nil)
				if status == 200 && json.Unmarshal(b, &st) == nil && st.Item != nil {
					firsts[i] = st.Item.ID
				}
			})
		}
		wg.Wait()
		if firsts[0] == "" || firsts[1] != firsts[0] || firsts[2] != firsts[0] || firsts[3] != firsts[0] {
			t.Fatalf("four tabs at once were dealt %v", firsts)
		}
		admin.do("POST", "/api/arena/rounds/r_nope/close", nil, 404, nil)

		// The same poems in a second round: the reader has seen them all.
		var again struct {
			Round store.Round
			Job   store.Job
		}
		in["name"] = "第二轮"
		admin.do("POST", "/api/arena/rounds", in, 202, &again)
		admin.wait(again.Job.ID)
		b = reader.do("GET", "/api/arena/rounds/"+again.Round.ID+"/play", nil, 200, &st)
		for _, p := range st.Item.Poems {
			if seenText[strings.Join(p.Lines, "")] {
				t.Fatalf("round two shows a poem the reader saw in round one: %s", b)
			}
		}

		// Reset: the answers go, the pool stays.
		reader.do("POST", "/api/arena/rounds/"+rd.ID+"/reset", nil, 403, nil)
		var reset struct {
			DeletedAnswers int `json:"deleted_answers"`
		}
		admin.do("POST", "/api/arena/rounds/"+rd.ID+"/reset", nil, 200, &reset)
		reader.do("GET", "/api/arena/results?round="+rd.ID, nil, 200, &res)
		if reset.DeletedAnswers != 6 || res.Answers != 0 {
			t.Fatalf("reset: %+v, then %d answers", reset, res.Answers)
		}
		reader.do("GET", "/api/arena/rounds/r_nope/play", nil, 404, nil)
		reader.do("POST", "/api/arena/items/d_nope/answer", studio.AnswerInput{Human: []bool{true}, Scores: []int{5}}, 404, nil)
	})
}

func TestAnswerLimits(t *testing.T) {
	var l answerLimits
	for i := range answerBurst {
		ok, _, spend := l.allow("u")
		if !ok {
			t.Fatalf("answer %d refused within the burst", i+1)
		}
		if i > 0 { // the first was refused by the studio: it spends nothing
			spend()
		}
	}
	if ok, _, spend := l.allow("u"); !ok {
		t.Fatal("the refused answer's allowance is gone")
	} else {
		spend()
	}
	ok, wait, _ := l.allow("u")
	if ok || wait <= 0 || wait > answerEvery {
		t.Fatalf("answer past the burst: ok=%v wait=%v", ok, wait)
	}
	if ok, _, _ := l.allow("v"); !ok {
		t.Fatal("another reader was refused")
	}
}

// TestArenaPublished puts a published work in a round against Miaobi's
// poems on the panel's keyword sets; once readers have rated it, its report
// shows their figures beside its value traits and Lovelace report, and the
// bundle carries the report.
func TestArenaPublished(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.program(e.admin, 100)
	var nw workReply
	admin.do("POST", "/api/works", map[string]any{"keywords": []string{"秋风", "落叶"}, "form": "五绝", "autopilot": true, "seed": 5}, 202, &nw)
	if j := admin.wait(nw.Job.ID); j.State != store.JobDone {
		t.Fatalf("autopilot: %+v", j)
	}
	var rep studio.WorkReport
	admin.do("GET", "/api/works/"+nw.Work.ID+"/report", nil, 200, &rep)
	if len(rep.Traits) != 7 || rep.Panel != nil || !strings.Contains(rep.Lovelace.Corpus, "not installed") || len(rep.Lovelace.Made) < 2 {
		t.Fatalf("report before any round: %+v", rep)
	}
	var made struct {
		Round store.Round
		Job   store.Job
	}
	admin.do("POST", "/api/arena/rounds", map[string]any{"name": "作品轮", "size": 100, "per_form": 1, "sources": []string{"miaobi", "published"}}, 202, &made)
	if j := admin.wait(made.Job.ID); j.State != store.JobDone {
		t.Fatalf("round job: %+v", j)
	}
	var st studio.Sitting
	admin.do("GET", "/api/arena/rounds/"+made.Round.ID+"/play", nil, 200, &st)
	// 4 forms × 1 panel set + the work's keywords, each with Miaobi's poem;
	// the work's prompt also has the work: 6 poems, all dealt.
	poems := 0
	for !st.Done {
		n := len(st.Item.Poems)
		poems += n
		ans := studio.AnswerInput{Human: make([]bool, n), Scores: slices.Repeat([]int{6}, n)}
		if n == 2 {
			ans.Better = "B"
			ans.Human[0] = true
		}
		admin.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", ans, 200, &st)
	}
	if poems != 6 {
		t.Fatalf("%d poems dealt, want 6", poems)
	}
	admin.do("GET", "/api/works/"+nw.Work.ID+"/report", nil, 200, &rep)
	if rep.Panel == nil || rep.Panel.Rated != 1 || rep.Panel.Score.Mean != 6 {
		t.Fatalf("the work's panel figures: %+v", rep.Panel)
	}
	// Published again, the bundle holds the report.
	var wk studio.Work
	admin.do("GET", "/api/works/"+nw.Work.ID, nil, 200, &wk)
	admin.do("POST", "/api/works/"+nw.Work.ID+"/publish", map[string]any{"base": wk.Head, "ack": true}, 200, nil)
	status, zipped := admin.raw("GET", "/api/works/"+nw.Work.ID+"/bundle", "", nil, nil)
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if status != 200 || err != nil {
		t.Fatalf("bundle: %d %v", status, err)
	}
	var inBundle studio.WorkReport
	for _, f := range zr.File {
		if f.Name == "report.json" {
			rc, _ := f.Open()
			err = json.NewDecoder(rc).Decode(&inBundle)
			rc.Close()
		}
	}
	if err != nil || len(inBundle.Traits) != 7 || inBundle.Panel == nil {
		t.Fatalf("report.json in the bundle: %+v %v", inBundle, err)
	}
}

// TestArenaEngine draws a round from Miaobi and a configured engine — a
// second real Miaobi server behind its OpenAI-compatible /v1 — whose
// poems carry the engine and model as their version; a round whose engine
// is down fails and says why.
func TestArenaEngine(t *testing.T) {
	other := newEnv(t, storetest.SQLite(t))
	_, secret, err := other.st.DB.CreateKey(t.Context(), other.admin.ID, "engine", 100)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.SQLite(t))
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	e.st.Engines = map[string]mbengine.Config{
		"m2":   {Name: "m2", Kind: "openai", URL: other.srv.URL + "/v1", Key: secret, Model: "miaobi-poet", Timeout: 30 * time.Second},
		"down": {Name: "down", Kind: "openai", URL: down.URL + "/v1", Model: "x", Timeout: 5 * time.Second, Retries: -1},
	}
	admin := e.program(e.admin, 100)
	var made struct {
		Round store.Round
		Job   store.Job
	}
	admin.do("POST", "/api/arena/rounds", map[string]any{"name": "引擎轮", "size": 4, "per_form": 1, "forms": []string{"七绝"}, "sources": []string{"miaobi", "engine:m2"}, "seed": 2}, 202, &made)
	if j := admin.wait(made.Job.ID); j.State != store.JobDone {
		t.Fatalf("round job: %+v", j)
	}
	pool, err := e.st.DB.Pool(t.Context(), made.Round.ID)
	if err != nil || len(pool) != 2 {
		t.Fatalf("pool %+v %v", pool, err)
	}
	versions := map[string]string{}
	for _, p := range pool {
		versions[p.Source] = p.Version
	}
	if versions["engine:m2"] != "m2/miaobi-poet" || !strings.HasPrefix(versions["miaobi"], "kn") {
		t.Fatalf("versions %v", versions)
	}
	var st studio.Sitting
	admin.do("GET", "/api/arena/rounds/"+made.Round.ID+"/play", nil, 200, &st)
	admin.do("POST", "/api/arena/items/"+st.Item.ID+"/answer", studio.AnswerInput{Human: []bool{true, false}, Scores: []int{7, 4}, Better: "A"}, 200, &st)
	var res arena.Results
	admin.do("GET", "/api/arena/results?round="+made.Round.ID, nil, 200, &res)
	if len(res.Versions) != 2 || res.Versions[1].Source != "engine:m2" || res.Versions[1].Strength == nil {
		t.Fatalf("versions %+v", res.Versions)
	}

	// Every poem of the engine fails: the round is made of Miaobi's alone,
	// and its note says what failed.
	admin.do("POST", "/api/arena/rounds", map[string]any{"name": "坏引擎", "per_form": 1, "forms": []string{"五绝"}, "sources": []string{"miaobi", "engine:down"}}, 202, &made)
	admin.wait(made.Job.ID)
	var rd store.Round
	admin.do("GET", "/api/arena/rounds/"+made.Round.ID, nil, 200, &rd)
	if rd.State != store.RoundOpen || rd.Poems != 1 || !strings.Contains(rd.Note, "engine:down") {
		t.Fatalf("round with a down engine: %+v", rd)
	}
}
