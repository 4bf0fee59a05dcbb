package server

import (
	"strings"
	"testing"

	"miaobi/studio"
)

// FuzzDecodeJSON feeds arbitrary bodies and content types to the API's
// request decoder for each body type: it must answer with a 4xx status
// and a message, or decode, and never panic.
func FuzzDecodeJSON(f *testing.F) {
	f.Add("application/json", `{"keywords":["灯"],"form":"七绝","seed":3}`)
	f.Add("application/json; charset=utf-8", `{"lines":["明月松间照"],"locks":["10101"],"base":2}`)
	f.Add("application/json", `{"n":1e400}`)
	f.Add("application/json", `[1,2,3]`)
	f.Add("text/plain", `{}`)
	f.Add("application/merge-patch+json", `{"a":`)
	f.Add("application/json", "{\"title\":\"\xff\"}")
	f.Fuzz(func(t *testing.T, ct, body string) {
		targets := []func() any{
			func() any { return &newWork{} },
			func() any { return &studio.CreateInput{} },
			func() any { return &studio.RateInput{} },
			func() any { return &studio.PoemRequest{} },
			func() any {
				return &struct {
					Base  int      `json:"base"`
					Title *string  `json:"title"`
					Lines []string `json:"lines"`
					Locks []string `json:"locks"`
				}{}
			},
		}
		for _, newT := range targets {
			status, err := decodeJSON(ct, strings.NewReader(body), newT())
			if err == nil {
				if status != 0 {
					t.Fatalf("status %d without an error", status)
				}
				continue
			}
			if status < 400 || status > 499 || err.Error() == "" {
				t.Fatalf("status %d, error %q", status, err)
			}
		}
	})
}
