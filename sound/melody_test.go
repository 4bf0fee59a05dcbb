package sound

import (
	"testing"
)

const testTune = "宫=D4 tempo=66 宫 商 角:2 徵 羽 高宫:2 羽 徵:2"

func TestParseNotesAndKey(t *testing.T) {
	m, err := ParseNotes(testTune)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Notes) != 8 || m.Tempo != 66 || m.Notes[0].Key != 62 || m.Notes[5].Key != 74 || m.Notes[2].Beats != 2 {
		t.Fatalf("parsed %+v", m)
	}
	gong, mode, fit := m.Key()
	if gong != 2 || mode != Zhi || fit != 1 {
		t.Errorf("key: 宫 pitch class %d, %s调, fit %.2f; want 2 (D), 徵调, 1", gong, mode, fit)
	}
	w, _ := ParseNotes("C4 D4 E4 G4 A4:2 0 G4 E4 C4:2")
	if g, md, _ := w.Key(); g != 0 || md != Gong {
		t.Errorf("C D E G A … C: 宫 %d, %s调", g, md)
	}
	for _, bad := range []string{"", "宫=X9 宫", "tempo=500 宫", "C9", "宫:0", "宫:1000", "foo", "key=3 宫"} {
		if _, err := ParseNotes(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// The person's notes open the score unchanged; the answer closes on the
// final; the same seed gives the same answer; a MIDI file written from a
// score reads back as its notes.
func TestFromMelody(t *testing.T) {
	m, _ := ParseNotes(testTune)
	for _, vary := range []bool{false, true} {
		s, err := FromMelody(m, Options{Seed: 4}, vary)
		if err != nil {
			t.Fatal(err)
		}
		var mel []Note
		for _, n := range s.Notes {
			if n.Inst == Guzheng {
				mel = append(mel, n)
			}
		}
		if len(mel) != 16 {
			t.Fatalf("vary %v: %d melody notes, want 8 + 8", vary, len(mel))
		}
		want := []int{0, 1, 2, 3, 4, 5, 4, 3}
		for i, d := range want {
			if mel[i].Degree != d {
				t.Fatalf("vary %v: the person's note %d became %s", vary, i, DegreeName(mel[i].Degree))
			}
		}
		if last := mel[15]; last.Degree != int(Zhi) || last.Len < 2 {
			t.Errorf("vary %v: ends on %s for %.1f beats", vary, DegreeName(last.Degree), last.Len)
		}
		again, _ := FromMelody(m, Options{Seed: 4}, vary)
		if again.Text() != s.Text() {
			t.Error("the same melody and seed gave another answer")
		}
		b, err := WriteMIDI(s)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ReadMIDI(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Notes) != 16 || r.Notes[0].Key != 62 || r.Notes[2].Beats != 2 || int(r.Tempo+0.5) != 66 {
			t.Errorf("MIDI round trip: %d notes, first %+v, tempo %.1f", len(r.Notes), r.Notes[0], r.Tempo)
		}
		if _, err := s.Render(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReadMIDI([]byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0")); err == nil {
		t.Error("a MIDI file without notes read")
	}
	if _, err := ReadMIDI([]byte("not midi")); err == nil {
		t.Error("garbage read as MIDI")
	}
}

func FuzzReadMIDI(f *testing.F) {
	m, _ := ParseNotes(testTune)
	s, _ := FromMelody(m, Options{Seed: 1}, false)
	b, _ := WriteMIDI(s)
	f.Add(b)
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadMIDI(b)
		if err != nil {
			return
		}
		if len(m.Notes) == 0 || len(m.Notes) > maxMelodyNotes {
			t.Fatalf("%d notes", len(m.Notes))
		}
		if _, err := FromMelody(m, Options{Seed: 1}, false); err != nil && len(m.Notes) > 0 {
			for _, n := range m.Notes {
				if n.Key >= 0 {
					t.Fatal(err)
				}
			}
		}
	})
}

func FuzzParseNotes(f *testing.F) {
	f.Add(testTune)
	f.Add("C4 D4:2 0 Bb3")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseNotes(s)
		if err != nil {
			return
		}
		if len(m.Notes) == 0 {
			t.Fatal("no notes and no error")
		}
		FromMelody(m, Options{Seed: 1}, true)
	})
}
