package judge

import (
	"testing"

	"miaobi/prosody"
)

func TestKeepsMetre(t *testing.T) {
	tests := []struct {
		name    string
		lines   []string
		strains []string
		want    bool
	}{
		{"登鹳雀楼", []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
			[]string{"仄仄平平仄", "平平仄仄平", "仄平平仄仄", "仄仄仄平平"}, true},
		{"either marks match both", []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
			[]string{"仄○平平仄", "平平仄○平", "仄平平仄仄", "仄仄仄平平"}, true},
		{"pivot broken", []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
			[]string{"仄仄平平仄", "平仄仄仄平", "仄平平仄仄", "仄仄仄平平"}, false},
		{"失粘", []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
			[]string{"仄仄平平仄", "平平仄仄平", "仄仄平平仄", "平平仄仄平"}, false},
		{"odd line ends 平", []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
			[]string{"仄仄平平仄", "平平仄仄平", "仄平平仄平", "仄仄仄平平"}, false},
		{"wrong shape", []string{"白日依山尽", "黄河入海流"}, []string{"仄仄平平仄", "平平仄仄平"}, false},
	}
	for _, tc := range tests {
		if got := KeepsMetre(tc.lines, AnnotatedTones(tc.strains)); got != tc.want {
			t.Errorf("%s: KeepsMetre = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAnnotationClass(t *testing.T) {
	tests := []struct {
		c        AnnotationClass
		ping, ze bool
	}{
		{AnnotationClass{Ping: 100}, true, false},
		{AnnotationClass{Ping: 100, Ze: 2}, true, false},  // a stray annotation
		{AnnotationClass{Ping: 100, Ze: 10}, true, true},  // both ways
		{AnnotationClass{Ze: 90, Either: 10}, true, true}, // often ○
		{AnnotationClass{}, true, true},                   // never annotated
	}
	for _, tc := range tests {
		if tc.c.Allows(prosody.Ping) != tc.ping || tc.c.Allows(prosody.Ze) != tc.ze {
			t.Errorf("%+v allows 平 %v 仄 %v, want %v %v", tc.c, tc.c.Allows(prosody.Ping), tc.c.Allows(prosody.Ze), tc.ping, tc.ze)
		}
	}
	a := Annotations{'白': {Ze: 50}, '日': {Ze: 50}, '山': {Ping: 50}}
	tones := a.ClassTones([]string{"白日山"})
	if tones(0, 0) != prosody.Ze || tones(0, 2) != prosody.Ping {
		t.Error("ClassTones misreads")
	}
}

func TestRhymesByBook(t *testing.T) {
	b, err := prosody.LoadBook("pingshui")
	if err != nil {
		t.Fatal(err)
	}
	st := AnnotatedTones([]string{"仄仄平平仄", "平平仄仄平", "仄平平仄仄", "仄仄仄平平"})
	if !RhymesByBook(b, []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"}, st) {
		t.Error("流/楼 do not rhyme")
	}
	if RhymesByBook(b, []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层山"}, st) {
		t.Error("流/山 rhyme")
	}
}
