package server

import "testing"

func TestAPIPath(t *testing.T) {
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"works", "w_1", "report"}, "/api/works/w_1/report"},
		{[]string{"works", "../admin/keys"}, "/api/works/..%2Fadmin%2Fkeys"},
		{[]string{"works", "..", "keys"}, "/api/works/%2E%2E/keys"},
		{[]string{"works", "a b?c#d"}, "/api/works/a%20b%3Fc%23d"},
		{[]string{"arena", "rounds", "春/秋"}, "/api/arena/rounds/%E6%98%A5%2F%E7%A7%8B"},
	} {
		if got := APIPath(c.parts...); got != c.want {
			t.Errorf("APIPath(%q) = %s, want %s", c.parts, got, c.want)
		}
	}
}
