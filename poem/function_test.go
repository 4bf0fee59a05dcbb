package poem_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"miaobi/models"
	"miaobi/poem"
)

func TestFunctionRates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		poems [][]string
		want  map[rune]float64
	}{
		{"none", nil, map[rune]float64{'不': 0}},
		{"half 不", [][]string{{"不见", "不知"}}, map[rune]float64{'不': 500, '何': 0}},
		{"across poems", [][]string{{"何处"}, nil, {"春风花月"}}, map[rune]float64{'何': 1000.0 / 6, '不': 0}},
	} {
		got := poem.FunctionRates(tc.poems)
		if len(got) != len([]rune(poem.FunctionChars)) {
			t.Errorf("%s: %d characters, want every one of FunctionChars", tc.name, len(got))
		}
		for r, want := range tc.want {
			if math.Abs(got[r]-want) > 1e-9 {
				t.Errorf("%s: %c %.3f per 1,000, want %.3f", tc.name, r, got[r], want)
			}
		}
	}
	if s := poem.FunctionShare([][]string{{"不见何处", "春风花月"}}); s != 0.25 {
		t.Errorf("FunctionShare = %v, want 0.25", s)
	}
}

func TestFunctionCharge(t *testing.T) {
	for _, tc := range []struct {
		u    poem.FunctionUse
		want float64
	}{
		{poem.FunctionUse{Char: "不", Poets: 10, Miaobi: 20}, 1.5 * math.Ln2},
		{poem.FunctionUse{Char: "不", Poets: 10, Miaobi: 10}, 0},
		{poem.FunctionUse{Char: "空", Poets: 2.6, Miaobi: 1.8}, 0},
		{poem.FunctionUse{Char: "即", Poets: 0, Miaobi: 1}, 0},
	} {
		if got := tc.u.Charge(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%+v: charge %.4f, want %.4f", tc.u, got, tc.want)
		}
	}
}

func TestChargedFunction(t *testing.T) {
	uses := []poem.FunctionUse{
		{Char: "不", Poets: 10, Miaobi: 20},   // 1.04 nats
		{Char: "无", Poets: 10, Miaobi: 10.2}, // 0.03 nats: too small to report
		{Char: "空", Poets: 2.6, Miaobi: 1.8}, // not overused
		{Char: "何", Poets: 2, Miaobi: 5.6},   // 1.54 nats
	}
	if got, want := poem.ChargedFunction(uses), "不 2.0× (1.0 nats), 何 2.8× (1.5 nats)"; got != want {
		t.Errorf("ChargedFunction = %q, want %q", got, want)
	}
	if got := poem.ChargedFunction(uses[1:3]); got != "" {
		t.Errorf("ChargedFunction of none charged = %q, want \"\"", got)
	}
}

func TestHabitsFunctionFile(t *testing.T) {
	uses := []poem.FunctionUse{{Char: "不", Poets: 10.087, Miaobi: 20.333}, {Char: "空", Poets: 2.581, Miaobi: 1.833}}
	h := poem.NewHabits([]poem.HabitRun{{Run: "千里江山", Poems: 21}}).WithFunction(uses)
	back := roundTrip(t, h)
	if got := back.Function(); len(got) != 2 || got[0] != uses[0] || got[1] != uses[1] {
		t.Errorf("read back %+v, wrote %+v", got, uses)
	}
	if len(back.Runs()) != 1 {
		t.Errorf("runs %v", back.Runs())
	}
	// A version 1 file (runs only) still reads, with no function rates.
	v1, err := poem.ReadHabits(bytes.NewReader(gz("# miaobi habits 1\n千里江山\t21\n")))
	if err != nil || len(v1.Runs()) != 1 || v1.Function() != nil {
		t.Errorf("version 1: %v, %v", v1, err)
	}
	for _, bad := range []string{"F\t花\t1\t2", "F\t不\t1", "F\t不\tx\t2", "F\t不\t1\t-2", "F\t不不\t1\t2", "F\t不\t1\t2000"} {
		if _, err := poem.ReadHabits(bytes.NewReader(gz("# miaobi habits 2\n" + bad + "\n"))); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: error %v, want one naming line 2", bad, err)
		}
	}
	var nilHabits *poem.Habits
	if nilHabits.Function() != nil || len(nilHabits.WithFunction(uses).Function()) != 2 {
		t.Error("nil habits: Function and WithFunction must work")
	}
}

// The shipped habits record the function characters, and charging for
// them brings the generator's share of function characters towards poets'
// (5.6 % of the characters of the corpus's regulated-shape poems).
func TestFunctionSteer(t *testing.T) {
	e, err := poem.Load(models.Poem())
	if err != nil {
		t.Skip(err)
	}
	charged := e.Habits
	if len(charged.Function()) != len([]rune(poem.FunctionChars)) {
		t.Fatalf("the shipped habits record %d function characters, want %d: retrain with 'miaobi train habits'", len(charged.Function()), len([]rune(poem.FunctionChars)))
	}
	sets := [][]string{{"秋风", "落叶", "思念"}, {"灯", "跳舞", "翅膀"}, {"高铁", "故乡"}, {"梅", "雪"}, {"送别", "柳"}, {"月夜", "思乡"}}
	share := func() float64 {
		var poems [][]string
		for i, kw := range sets {
			for _, form := range []string{"五绝", "七律"} {
				ps, err := e.Generate(poem.Request{Form: form, Keywords: kw, Seed: int64(50 + i)})
				if err != nil {
					t.Fatal(err)
				}
				poems = append(poems, ps[0].Lines)
			}
		}
		return poem.FunctionShare(poems)
	}
	with := share()
	e.Habits = charged.WithFunction(nil)
	without := share()
	e.Habits = charged
	t.Logf("function characters: %.1f %% of the characters charged, %.1f %% not", 100*with, 100*without)
	if with >= without {
		t.Errorf("function characters %.1f %% with the charge, %.1f %% without: the charge does nothing", 100*with, 100*without)
	}
}
