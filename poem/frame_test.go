package poem

import (
	"bytes"
	"testing"
)

func TestUnitBreak(t *testing.T) {
	for _, tc := range []struct {
		n, j int
		want bool
	}{{5, 2, true}, {5, 1, false}, {5, 3, false}, {7, 2, true}, {7, 4, true}, {7, 3, false}, {7, 5, false}} {
		if got := UnitBreak(tc.n, tc.j); got != tc.want {
			t.Errorf("UnitBreak(%d, %d) = %v", tc.n, tc.j, got)
		}
	}
}

func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	(&Frame{Season: map[rune][4]float32{'秋': {-1, 0, 1, 0}}, Role: map[rune][4]float32{'何': {0, 0, 0.4, 0}},
		Words: map[rune]map[rune]float32{'夕': {'阳': 6}}}).WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ReadFrame(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if _, err := fr.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
	})
}
