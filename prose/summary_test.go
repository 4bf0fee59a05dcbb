package prose

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// news is a short report written for this test: its first and fourth
// sentences carry the story (AI labels take effect; platforms must check
// them); the rest are detail and colour.
const news = `国家网信办等四部门联合发布的《人工智能生成合成内容标识办法》于九月一日起正式施行。办法要求，人工智能生成的文字、图片、音频和视频都应当添加显式标识和隐式标识。
显式标识是用户能直接看到或听到的提示，比如文字开头或结尾的"本内容由AI生成"。
隐式标识写在文件的元数据里，包括内容生成者的名称和内容编号。传播平台应当核验文件元数据中的隐式标识，并在发布时向公众提示。
当天上午，记者走访了几家互联网公司。一位工程师说，他们已经为生成的图片加上了水印。
天气晴朗，园区里人来人往。
专家认为，标识办法有助于公众辨别人工智能生成的内容，也为平台核验标识提供了依据。`

func TestSentences(t *testing.T) {
	got := Sentences("第一句。第二句！\"第三句？\"第四\n\n新段落……还有 English. And more")
	var texts []string
	var paras []int
	for _, s := range got {
		texts = append(texts, s.Text)
		paras = append(paras, s.Para)
	}
	want := []string{"第一句。", "第二句！", "\"第三句？\"", "第四", "新段落……", "还有 English.", "And more"}
	if !slices.Equal(texts, want) || !slices.Equal(paras, []int{0, 0, 0, 0, 1, 1, 1}) {
		t.Errorf("got %q paras %v", texts, paras)
	}
}

func TestSummarize(t *testing.T) {
	s, err := Summarize(news, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Of != 9 || len(s.Sentences) != 2 {
		t.Fatalf("%d of %d: %+v", len(s.Sentences), s.Of, s.Sentences)
	}
	// Every kept sentence is the text's own, in the text's order.
	last := -1
	for _, k := range s.Sentences {
		if !strings.Contains(news, k.Text) || k.Index <= last {
			t.Errorf("sentence %+v", k)
		}
		last = k.Index
	}
	if strings.Contains(s.Text, "天气晴朗") || strings.Contains(s.Text, "走访") {
		t.Errorf("colour kept over the story: %s", s.Text)
	}
	t.Logf("summary: %s", s.Text)
	// A budget in characters.
	s2, err := Summarize(news, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Chars > 60 && len(s2.Sentences) > 1 {
		t.Errorf("%d characters over a budget of 60: %s", s2.Chars, s2.Text)
	}
	// Deterministic.
	s3, _ := Summarize(news, 2, 0)
	if s3.Text != s.Text {
		t.Error("two runs differ")
	}
	for _, bad := range []string{"", "。。。", "\xff\xfe"} {
		if _, err := Summarize(bad, 0, 0); err == nil {
			t.Errorf("%q summarised", bad)
		}
	}
	one, err := Summarize("只有一句话", 3, 0)
	if err != nil || one.Text != "只有一句话" {
		t.Errorf("one sentence: %+v %v", one, err)
	}
}

// FuzzSummarize: any text is summarised or refused; a summary holds only
// the text's own sentences.
func FuzzSummarize(f *testing.F) {
	f.Add(news, 2)
	f.Add("a. b. c", 1)
	f.Add("\n\n。\n", 0)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if utf8.RuneCountInString(s) > 4000 {
			return
		}
		sum, err := Summarize(s, n%10, 0)
		if err != nil {
			return
		}
		if len(sum.Sentences) == 0 || len(sum.Sentences) > sum.Of {
			t.Fatalf("%d of %d", len(sum.Sentences), sum.Of)
		}
	})
}
