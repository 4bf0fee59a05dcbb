package hanzi

import (
	"testing"
	"unicode/utf8"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		name, in, want string
		conv           func(string) string
	}{
		{"t2s chars", "登鸛雀樓 白日依山盡", "登鹳雀楼 白日依山尽", ToSimplified},
		{"t2s phrase", "一目瞭然", "一目了然", ToSimplified},
		{"t2s keeps punctuation and latin", "黃河，入海流。ABC 123", "黄河，入海流。ABC 123", ToSimplified},
		{"s2t chars", "黄河入海流", "黃河入海流", ToTraditional},
		{"s2t phrase picks 髮 for hair", "头发", "頭髮", ToTraditional},
		{"s2t phrase picks 發 for issue", "发现", "發現", ToTraditional},
		{"invalid utf8 passes through", "山\xff水", "山\xff水", ToSimplified},
		{"empty", "", "", ToTraditional},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.conv(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	if c := T2S().Candidates('乾'); len(c) < 2 {
		t.Errorf("乾 candidates %q, want 干 and 乾", string(c))
	}
	if c := T2S().Candidates('山'); c != nil {
		t.Errorf("山 has candidates %q", string(c))
	}
}

func TestClasses(t *testing.T) {
	for _, r := range "山水𪩘" {
		if !IsHan(r) {
			t.Errorf("IsHan(%c) = false", r)
		}
	}
	for _, r := range "a1，" {
		if IsHan(r) {
			t.Errorf("IsHan(%c) = true", r)
		}
	}
	for _, r := range "，。？！；：、,.?!;:" {
		if !IsSentencePunct(r) {
			t.Errorf("IsSentencePunct(%c) = false", r)
		}
	}
}

func FuzzConvert(f *testing.F) {
	for _, s := range []string{"一目瞭然", "头发", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ToSimplified(ToTraditional(s))
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("valid %q became invalid %q", s, out)
		}
	})
}

func BenchmarkToSimplified(b *testing.B) {
	s := "風急天高猿嘯哀，渚清沙白鳥飛回。無邊落木蕭蕭下，不盡長江滾滾來。"
	T2S()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ToSimplified(s)
	}
}
