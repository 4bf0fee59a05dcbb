package studio

import (
	"errors"
	"strings"
	"testing"
)

func TestEditAttribution(t *testing.T) {
	tests := []struct {
		name                string
		lines, locks        []string
		wantHands, wantLock []string
		changed             int
	}{
		{"unchanged", []string{"白日依山尽", "黄河入海流"}, nil, []string{"aaaaa", "aaaaa"}, []string{"10000", "00000"}, 0},
		{"one character", []string{"白月依山尽", "黄河入海流"}, nil, []string{"apaaa", "aaaaa"}, []string{"10000", "00000"}, 1},
		{"longer line", []string{"白日依山尽头", "黄河入海流"}, nil, []string{"aaaaap", "aaaaa"}, []string{"100000", "00000"}, 1},
		{"new line", []string{"白日依山尽", "黄河入海流", "欲穷千里目"}, nil, []string{"aaaaa", "aaaaa", "ppppp"}, []string{"10000", "00000", "00000"}, 5},
		{"locks given", []string{"白日依山尽", "黄河入海流"}, []string{"11111", "00001"}, []string{"aaaaa", "aaaaa"}, []string{"11111", "00001"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Content{}
			c.setLines([]string{"白日依山尽", "黄河入海流"}, HandAI)
			c.Locks[0] = "10000"
			if got := c.edit(tc.lines, tc.locks); got != tc.changed {
				t.Errorf("changed %d, want %d", got, tc.changed)
			}
			if strings.Join(c.Hands, "/") != strings.Join(tc.wantHands, "/") {
				t.Errorf("hands %v, want %v", c.Hands, tc.wantHands)
			}
			if strings.Join(c.Locks, "/") != strings.Join(tc.wantLock, "/") {
				t.Errorf("locks %v, want %v", c.Locks, tc.wantLock)
			}
		})
	}
}

func TestShareAndDraft(t *testing.T) {
	c := &Content{}
	c.setLines([]string{"白日依山尽", "黄河入海流"}, HandAI)
	c.edit([]string{"白月依山尽", "长河入海流"}, []string{"11111", "00000"})
	s := c.Share()
	if s.PersonChars != 2 || s.AIChars != 8 || s.Person != 0.2 || s.Painting != "" {
		t.Fatalf("share %+v", s)
	}
	draft, free := c.draft()
	if draft != "白月依山尽\n_____\n" || free != 5 {
		t.Fatalf("draft %q, %d free", draft, free)
	}
	c.setPainting(&Painting{Seed: 3}, 4)
	if c.Share().Painting != "ai" || c.Parts[len(c.Parts)-1].Seed != 3 {
		t.Fatalf("painting: %+v", c.Share())
	}
}

func TestCheckLinesAndLocks(t *testing.T) {
	for _, tc := range []struct {
		lines, locks []string
		ok           bool
	}{
		{[]string{"白日依山尽"}, []string{"10101"}, true},
		{[]string{"白日，依山"}, nil, false},
		{[]string{""}, nil, false},
		{[]string{strings.Repeat("月", MaxLineChars+1)}, nil, false},
		{make([]string, MaxLines+1), nil, false},
		{nil, nil, false},
		{[]string{"白日依山尽"}, []string{"1010"}, false},
		{[]string{"白日依山尽"}, []string{"10102"}, false},
		{[]string{"白日依山尽"}, []string{"10101", "1"}, false},
	} {
		err := checkLines(tc.lines)
		if err == nil && tc.locks != nil {
			err = checkLocks(tc.lines, tc.locks)
		}
		if (err == nil) != tc.ok {
			t.Errorf("%q %q: %v", tc.lines, tc.locks, err)
		}
		if err != nil && !errors.Is(err, ErrInput) {
			t.Errorf("%q: %v is not an input error", tc.lines, err)
		}
	}
}

func TestHistoryActions(t *testing.T) {
	parts := []Part{
		{Part: "poem", By: "ai", Action: "create", Engine: "miaobi-poem", Model: "kn4", Seed: 7, Version: 2},
		{Part: "2 characters", By: "person:李白", Action: "edit", Version: 3},
	}
	acts := historyActions(parts)
	if len(acts) != 2 {
		t.Fatal(len(acts))
	}
	if acts[0].DigitalSourceType == digitalSourceHuman || acts[0].SoftwareAgent != "miaobi-poem" || acts[0].Parameters["org.miaobi.seed"] != "7" {
		t.Errorf("AI part: %+v", acts[0])
	}
	if acts[1].DigitalSourceType != digitalSourceHuman || acts[1].Parameters["org.miaobi.by"] != "person:李白" || acts[1].SoftwareAgent != "" {
		t.Errorf("person's part: %+v", acts[1])
	}
}

func TestPoemText(t *testing.T) {
	if got := poemText([]string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"}); got != "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。" {
		t.Fatalf("%q", got)
	}
}
