package server

import (
	"encoding/json"
	"testing"
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
