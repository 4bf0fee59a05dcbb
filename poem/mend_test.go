package poem_test

import (
	"errors"
	"slices"
	"testing"

	"miaobi/poem"
	"miaobi/prosody"
)

func TestMend(t *testing.T) {
	e := load(t)
	tests := []struct {
		name, text string
		breaks     int // characters broken on purpose
	}{
		{"合律 already", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", 0},
		// 杜牧《山行》 with 寒 → 冷 (仄 where 平 is due, 2nd character of line 2)
		{"one tone", "远上寒山石径斜，白云生处有人家。停车坐爱枫林晚，霜叶红于二月花。", 0},
		{"one tone broken", "远上寒山石径斜，白冷生处有人家。停车坐爱枫林晚，霜叶红于二月花。", 1},
		// a rhyme out of its group, and a tone
		{"rhyme and tone", "远上寒山石径斜，白云生处有人家。停车坐爱枫林晚，霜叶红于二月月。", 1},
		{"出韵", "月落乌啼霜满天，江枫渔火对愁眠。姑苏城外寒山寺，夜半钟声到客舟。", 1},
		{"three breaks", "月落乌啼霜满地，江枫渔火对愁眠。姑苏城外寒山寺，夜半钟鸣到客舟。", 3},
		// 花 as 仄 at the pivot: 合律 only by a reading nobody hears
		{"rare reading", "梅花开寒夜，孤灯照客心。高楼风雨急，独坐到如今。", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := e.Mend(poem.MendRequest{Poem: tc.text, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Check("", m.Poem.Form, m.Poem.Lines)
			if err != nil || res.Verdict != prosody.VerdictOK {
				t.Fatalf("mended poem %v is %s: %v", m.Poem.Lines, res.Verdict, res.Problems)
			}
			if m.Changes > tc.breaks+1 {
				t.Errorf("changed %d characters for %d breaks: %s", m.Changes, tc.breaks, m)
			}
			if tc.breaks > 0 && m.Changes == 0 {
				t.Errorf("nothing changed: %v", m.Poem.Lines)
			}
			n := 0
			for i, ld := range m.Diff {
				n += len(ld.Changed)
				b, a := []rune(m.Before[i]), []rune(m.Poem.Lines[i])
				for c := range b {
					if (b[c] != a[c]) != slices.Contains(ld.Changed, c+1) {
						t.Errorf("line %d column %d: the diff does not say what changed", i+1, c+1)
					}
				}
			}
			if n != m.Changes {
				t.Errorf("diff counts %d changes, Changes %d", n, m.Changes)
			}
		})
	}
	if _, err := e.Mend(poem.MendRequest{Poem: "白日依山尽，黄河入海流。"}); !errors.Is(err, poem.ErrMend) {
		t.Errorf("a two-line poem: %v", err)
	}
	if _, err := e.Mend(poem.MendRequest{Poem: "白日依山□，黄河入海流。欲穷千里目，更上一层楼。"}); !errors.Is(err, poem.ErrMend) {
		t.Errorf("placeholders: %v", err)
	}
}
