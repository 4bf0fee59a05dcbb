package server

import (
	"encoding/json"
	"strings"
	"testing"

	"miaobi/store/storetest"
)

// FuzzChatRequest: any body is read or refused without a panic, and a
// message's content is read as a string or text parts only.
func FuzzChatRequest(f *testing.F) {
	f.Add(`{"model":"miaobi-poet","messages":[{"role":"user","content":"写一首七绝"}]}`)
	f.Add(`{"model":"miaobi-poet","messages":[{"role":"user","content":[{"type":"text","text":"写"},{"type":"image_url"}]}],"stream":true}`)
	f.Add(`{"messages":[{"role":"user","content":null}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in chatRequest
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		for _, m := range in.Messages {
			m.text()
		}
	})
}

// TestV1Quota: a key's daily quota holds on /v1 too, answered in OpenAI's
// error shape; a refused request gives its unit back.
func TestV1Quota(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.program(e.admin, 1)
	body := `{"model":"miaobi-poet","messages":[{"role":"user","content":"写一首五绝"}]}`
	if status, b := c.raw("POST", "/v1/chat/completions", "application/json", strings.NewReader(`{"model":"nope","messages":[{"role":"user","content":"写"}]}`), nil); status != 404 {
		t.Fatalf("unknown model: %d %s", status, b)
	}
	if status, b := c.raw("POST", "/v1/chat/completions", "application/json", strings.NewReader(body), nil); status != 200 {
		t.Fatalf("first poem (the refused request gave its unit back): %d %s", status, b)
	}
	status, b := c.raw("POST", "/v1/chat/completions", "application/json", strings.NewReader(body), nil)
	if status != 429 || !strings.Contains(string(b), `"insufficient_quota"`) || !strings.Contains(string(b), "daily quota") {
		t.Fatalf("over the quota: %d %s", status, b)
	}
}
