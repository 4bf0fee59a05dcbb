package prose

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"miaobi/engine"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Styles a draft can be rewritten in; any other words are passed to the
// engine as they are (正式, 口语, 诗意 …).
var Styles = map[string]string{
	"":   "润色下面的文字：改正错别字、病句和标点，使语句通顺、简洁、生动，保持原意、人称和段落，不增删事实。",
	"文言": "把下面的白话文改写成典雅通顺的文言文，保持原意和段落，不增删事实。",
	"白话": "把下面的文言文翻译成准确流畅的现代白话文，保持原意和段落。",
}

// MaxDraft bounds a draft given to the engine (runes).
const MaxDraft = 20000

// PolishPrompt asks for the draft rewritten in a style ("" to polish).
func PolishPrompt(draft, style string) (string, error) {
	if err := checkDraft(draft); err != nil {
		return "", err
	}
	ask, ok := Styles[style]
	if !ok {
		ask = fmt.Sprintf("把下面的文字改写成%s的风格，保持原意、人称和段落，不增删事实。", style)
	}
	return ask + "只输出改写后的全文，不要解释。\n\n" + draft, nil
}

// SummaryPrompt asks for an abstractive summary of about chars characters.
func SummaryPrompt(text string, chars int) (string, error) {
	if err := checkDraft(text); err != nil {
		return "", err
	}
	if chars <= 0 {
		chars = 200
	}
	return fmt.Sprintf("用简体中文为下面的文字写一段约%d字的摘要，只写原文有的事实，不加评论，只输出摘要。\n\n%s", chars, text), nil
}

// StoryPrompt asks for a short story on the keywords, about chars long.
func StoryPrompt(keywords []string, chars int, style string) (string, error) {
	if len(keywords) == 0 {
		return "", fmt.Errorf("%w: give keywords for the story, e.g. -k 灯,跳舞,翅膀", ErrText)
	}
	if chars <= 0 {
		chars = 800
	}
	if chars > 5000 {
		return "", fmt.Errorf("%w: a story of at most 5000 characters", ErrText)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "用简体中文写一篇约%d字的短篇故事，关键词：%s。", chars, strings.Join(keywords, "、"))
	if style != "" {
		fmt.Fprintf(&sb, "风格：%s。", style)
	}
	sb.WriteString("要有人物、情节和结尾，关键词自然地融入故事。第一行写标题，然后是正文，不要解释。")
	return sb.String(), nil
}

func checkDraft(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: the text is not UTF-8; convert it first (e.g. iconv -f GB18030 -t UTF-8)", ErrText)
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: the text is empty", ErrText)
	}
	if n := utf8.RuneCountInString(s); n > MaxDraft {
		return fmt.Errorf("%w: %d characters; give at most %d at a time", ErrText, n, MaxDraft)
	}
	return nil
}

// Change is one run of a diff: kept, deleted from the draft, or inserted
// by the rewrite.
type Change struct {
	Op   string `json:"op"` // "=", "-" or "+"
	Text string `json:"text"`
}

// Diff compares a draft with its rewrite character by character (Myers'
// algorithm, cleaned up to whole phrases so that it reads).
func Diff(draft, rewrite string) []Change {
	dmp := diffmatchpatch.New()
	ds := dmp.DiffCleanupSemantic(dmp.DiffMain(draft, rewrite, false))
	out := make([]Change, 0, len(ds))
	for _, d := range ds {
		op := "="
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = "-"
		case diffmatchpatch.DiffInsert:
			op = "+"
		}
		out = append(out, Change{op, d.Text})
	}
	return out
}

// FormatDiff shows a diff as text: [-deleted-]{+inserted+}, with colour
// (red and green) when asked.
func FormatDiff(cs []Change, color bool) string {
	var sb strings.Builder
	for _, c := range cs {
		switch c.Op {
		case "=":
			sb.WriteString(c.Text)
		case "-":
			if color {
				sb.WriteString("\x1b[31m[-" + c.Text + "-]\x1b[0m")
			} else {
				sb.WriteString("[-" + c.Text + "-]")
			}
		case "+":
			if color {
				sb.WriteString("\x1b[32m{+" + c.Text + "+}\x1b[0m")
			} else {
				sb.WriteString("{+" + c.Text + "+}")
			}
		}
	}
	return sb.String()
}

// Changed counts the characters a diff deletes and inserts.
func Changed(cs []Change) (deleted, inserted int) {
	for _, c := range cs {
		switch c.Op {
		case "-":
			deleted += utf8.RuneCountInString(c.Text)
		case "+":
			inserted += utf8.RuneCountInString(c.Text)
		}
	}
	return
}

// Reply cleans an engine's reply to a prose task: a reasoning model's
// <think> block and Markdown code fences around the text are removed.
func Reply(s string) string {
	s = thinkBlock.ReplaceAllString(s, "")
	if i := strings.Index(s, "<think>"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "```") && strings.HasSuffix(s, "```") {
		s = strings.TrimSuffix(s, "```")
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		s = strings.TrimSpace(s)
	}
	return s
}

var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// Ask sends one prompt to a text engine (called name in messages) and
// returns its cleaned reply (Reply) and the model that answered.
func Ask(ctx context.Context, t engine.Text, name, model, prompt string, seed *int64) (string, string, error) {
	r, err := t.Chat(ctx, engine.Request{Model: model, Seed: seed, Messages: []engine.Message{{Role: "user", Content: prompt}}})
	if err != nil {
		return "", "", err
	}
	text := Reply(r.Content)
	if text == "" {
		return "", "", fmt.Errorf("engine %s answered only its reasoning, no text", name)
	}
	return text, r.Model, nil
}
