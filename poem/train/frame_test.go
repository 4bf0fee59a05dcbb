package train

import (
	"bytes"
	"math"
	"testing"

	"miaobi/corpus"
	"miaobi/poem"
)

func TestFrameCounts(t *testing.T) {
	c := NewFrameCounter()
	autumn := &corpus.Poem{Title: "秋夜", Form: "五绝", Lines: []string{"夕阳明月照", "秋风落叶深", "孤雁夕阳外", "寒蛩夕阳吟"}}
	spring := &corpus.Poem{Title: "春日", Form: "五绝", Lines: []string{"桃花春水暖", "燕子夕阳归", "柳絮随风起", "桃花夕阳飞"}}
	for i := 0; i < 40; i++ {
		c.Add(autumn)
		c.Add(spring)
	}
	f := c.Frame()
	if f.Season['秋'][2] <= f.Season['秋'][0] || f.Season['桃'][0] <= f.Season['桃'][2] {
		t.Errorf("seasons: 秋 %v 桃 %v", f.Season['秋'], f.Season['桃'])
	}
	// 寒食 titles count as spring (a festival of spring).
	if seasonOf("寒食日作") != 0 || seasonOf("重阳") != 2 || seasonOf("春秋") != -1 {
		t.Error("seasonOf misreads festival titles")
	}
	// 夕阳 sits inside a unit every time: a word. 阳明 spans the caesura.
	if f.Words['夕']['阳'] < float32(math.Log(8)) {
		t.Errorf("夕阳 not a word: %v", f.Words['夕'])
	}
	if _, ok := f.Words['阳']['明']; ok {
		t.Error("阳明 (across the caesura) taken for a word")
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := poem.ReadFrame(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(g.Season['秋'][2]-f.Season['秋'][2])) > 0.006 || len(g.Words) != len(f.Words) || len(g.Role) != len(f.Role) {
		t.Error("round trip lost data")
	}
	var again bytes.Buffer
	g.WriteTo(&again)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("write, read, write is not byte-identical")
	}
}
