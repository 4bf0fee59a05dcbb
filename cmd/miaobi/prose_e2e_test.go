package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const reportText = `国家网信办等四部门联合发布的《人工智能生成合成内容标识办法》于九月一日起正式施行。办法要求，人工智能生成的文字、图片、音频和视频都应当添加显式标识和隐式标识。
显式标识是用户能直接看到或听到的提示。
隐式标识写在文件的元数据里，包括内容生成者的名称和内容编号。传播平台应当核验文件元数据中的隐式标识。
天气晴朗，园区里人来人往。`

func TestSummarizeCommand(t *testing.T) {
	e := newEnv(t)
	r := e.runStdin(t, reportText, "summarize", "--sentences", "2", "--json")
	r.wantCode(t, 0)
	var s struct {
		Text      string
		Labelled  string
		Of        int
		Sentences []struct{ Text string }
		AIGC      struct{ Label string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if s.Of != 6 || len(s.Sentences) != 2 || s.AIGC.Label != "1" || !strings.HasSuffix(s.Labelled, "【本内容由AI生成】\n") || strings.Contains(s.Text, "天气") {
		t.Errorf("%+v", s)
	}
	for _, k := range s.Sentences {
		if !strings.Contains(reportText, k.Text) {
			t.Errorf("not the text's own sentence: %q", k.Text)
		}
	}
	for _, c := range []struct {
		in   string
		args []string
		want string
	}{
		{"\xff\xfe\x00", nil, "not UTF-8"},
		{"", nil, "no sentences"},
	} {
		r := e.runStdin(t, c.in, append([]string{"summarize"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, %q", c.in, r.code, r.stderr)
		}
	}
	r = e.run(t, nil, "polish", "--engine", "nope", "-")
	if r.code == 0 || !strings.Contains(r.stderr, "no engine named") {
		t.Errorf("polish with an unknown engine: %d %q", r.code, r.stderr)
	}
	r = e.run(t, nil, "story", "-k", "灯")
	if r.code != 2 || !strings.Contains(r.stderr, "configure an engine") {
		t.Errorf("story without an engine: %d %q", r.code, r.stderr)
	}
}
