package poem_test

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"

	"miaobi/models"
	"miaobi/poem"
)

func gz(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// roundTrip writes h and reads it back.
func roundTrip(t *testing.T, h *poem.Habits) *poem.Habits {
	t.Helper()
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := poem.ReadHabits(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestHabitsFile(t *testing.T) {
	runs := []poem.HabitRun{{Run: "今日重来", Poems: 17}, {Run: "白云深处", Poems: 6}, {Run: "太短", Poems: 9}}
	h := poem.NewHabits(runs)
	if len(h.Runs()) != 2 {
		t.Fatalf("runs %v: a run that is not four characters is kept", h.Runs())
	}
	back := roundTrip(t, h)
	if !reflect.DeepEqual(back.Runs(), h.Runs()) {
		t.Errorf("read back %v, wrote %v", back.Runs(), h.Runs())
	}
	bad := []struct {
		name string
		data []byte
		msg  string
	}{
		{"not gzip", []byte("今日重来\t3\n"), "habits"},
		{"wrong header", gz("# something else\n今日重来\t3\n"), "not a habits file"},
		{"no count", gz("# miaobi habits 1\n今日重来\n"), "line 2"},
		{"three characters", gz("# miaobi habits 1\n今日重\t3\n"), "line 2"},
		{"negative count", gz("# miaobi habits 1\n今日重来\t-1\n"), "line 2"},
	}
	for _, tc := range bad {
		if _, err := poem.ReadHabits(bytes.NewReader(tc.data)); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.msg)
		}
	}
}

// Runs the generator is charged for are (nearly) never written: every run
// of four characters of a set of poems, made habits, leaves few of them in
// the poems written again with the same seeds.
func TestHabitsSteer(t *testing.T) {
	e, err := poem.Load(models.Poem())
	if err != nil {
		t.Skip(err)
	}
	e.Habits = nil
	reqs := []poem.Request{
		{Form: "七绝", Keywords: []string{"秋风", "落叶"}, Seed: 1},
		{Form: "五律", Keywords: []string{"山", "寺"}, Seed: 2},
		{Form: "七律", Keywords: []string{"高铁", "故乡"}, Seed: 3},
	}
	var runs []poem.HabitRun
	var before [][]string
	for _, r := range reqs {
		ps, err := e.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, ps[0].Lines)
		for _, l := range ps[0].Lines {
			rs := []rune(l)
			for a := 0; a+4 <= len(rs); a++ {
				runs = append(runs, poem.HabitRun{Run: string(rs[a : a+4]), Poems: 1})
			}
		}
	}
	e.Habits = poem.NewHabits(runs)
	kept := 0
	for i, r := range reqs {
		ps, err := e.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(ps[0].Lines, "/")
		for _, l := range before[i] {
			rs := []rune(l)
			for a := 0; a+4 <= len(rs); a++ {
				if strings.Contains(text, string(rs[a:a+4])) {
					kept++
				}
			}
		}
		if ps[0].Check.Verdict != "合律" {
			t.Errorf("%v: %s", ps[0].Lines, ps[0].Check.Verdict)
		}
	}
	if kept*5 > len(runs) {
		t.Errorf("%d of %d charged runs written again", kept, len(runs))
	}
	t.Logf("%d of %d charged runs written again", kept, len(runs))
}

func TestMeasureRepeats(t *testing.T) {
	e, err := poem.Load(models.Poem())
	if err != nil {
		t.Skip(err)
	}
	rep, err := e.MeasureRepeats(poem.HabitSample{Poems: 24, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Poems != 24 || rep.PoemsWithRepeat > rep.Poems || rep.RepeatedLines > 0 && rep.TopCount < 2 {
		t.Errorf("%+v", rep)
	}
}
