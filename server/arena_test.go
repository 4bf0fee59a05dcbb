package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"miaobi/arena"
	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/store"
	"miaobi/store/storetest"
	"miaobi/studio"
)

// heldOutID returns the n-th ID that falls in the corpus's test split, so
// that the arena takes the poem as held out.
func heldOutID(n int) string {
	for i := 0; ; i++ {
		id := fmt.Sprintf("arena-%d", i)
		if corpus.SplitOf(id) == corpus.Test {
			if n == 0 {
				return id
			}
			n--
		}
	}
}

// arenaCorpus is a small index of real Tang poems under held-out IDs.
func arenaCorpus() *judge.Refs {
	ps := []*corpus.Poem{
		{Title: "江雪", Author: "柳宗元", Form: "五绝", Lines: []string{"千山鸟飞绝", "万径人踪灭", "孤舟蓑笠翁", "独钓寒江雪"}},
		{Title: "春晓", Author: "孟浩然", Form: "五绝", Lines: []string{"春眠不觉晓", "处处闻啼鸟", "夜来风雨声", "花落知多少"}},
		{Title: "枫桥夜泊", Author: "张继", Form: "七绝", Lines: []string{"月落乌啼霜满天", "江枫渔火对愁眠", "姑苏城外寒山寺", "夜半钟声到客船"}},
		{Title: "早发白帝城", Author: "李白", Form: "七绝", Lines: []string{"朝辞白帝彩云间", "千里江陵一日还", "两岸猿声啼不住", "轻舟已过万重山"}},
		{Title: "春望", Author: "杜甫", Form: "五律", Lines: []string{"国破山河在", "城春草木深", "感时花溅泪", "恨别鸟惊心", "烽火连三月", "家书抵万金", "白头搔更短", "浑欲不胜簪"}},
		{Title: "山居秋暝", Author: "王维", Form: "五律", Lines: []string{"空山新雨后", "天气晚来秋", "明月松间照", "清泉石上流", "竹喧归浣女", "莲动下渔舟", "随意春芳歇", "王孙自可留"}},
		{Title: "黄鹤楼", Author: "崔颢", Form: "七律", Lines: []string{"昔人已乘黄鹤去", "此地空余黄鹤楼", "黄鹤一去不复返", "白云千载空悠悠", "晴川历历汉阳树", "芳草萋萋鹦鹉洲", "日暮乡关何处是", "烟波江上使人愁"}},
		// One keyword only from its title: no prompt.
		{Title: "登高", Author: "杜甫", Form: "七律", Lines: []string{"风急天高猿啸哀", "渚清沙白鸟飞回", "无边落木萧萧下", "不尽长江滚滚来", "万里悲秋常作客", "百年多病独登台", "艰难苦恨繁霜鬓", "潦倒新停浊酒杯"}},
	}
	for i, p := range ps {
		p.ID, p.Dynasty = heldOutID(i), "唐"
	}
	return judge.NewRefs(slices.Values(ps))
}

// leaks lists words that would tell a reader where a poem came from.
var leaks = []string{"human", "miaobi", "engine", "source", "version", "origin", "chinese-poetry", "柳宗元", "孟浩然", "张继", "李白", "杜甫", "王维", "崔颢", "p_", "seed", "枫桥夜泊", "早发白帝城", "山居秋暝", "春望"}

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
		e.st.SetRefs(arenaCorpus(), "")
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
		// 7 titles give two keywords or more; each prompt has the human
		// poem and Miaobi's.
		if rd.State != store.RoundOpen || rd.Poems != 14 {
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
		var reset struct{ DeletedAnswers int `json:"deleted_answers"` }
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
		if ok, _ := l.allow("u"); !ok {
			t.Fatalf("answer %d refused within the burst", i+1)
		}
	}
	ok, wait := l.allow("u")
	if ok || wait <= 0 || wait > answerEvery {
		t.Fatalf("answer past the burst: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.allow("v"); !ok {
		t.Fatal("another reader was refused")
	}
}
