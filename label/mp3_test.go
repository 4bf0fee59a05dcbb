package label

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"miaobi/label/internal/mediatest"
)

// auMP3Frames is n silent MPEG-1 layer III frames (128 kbit/s, 44.1 kHz).
func auMP3Frames(n int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		f := make([]byte, 417)
		copy(f, []byte{0xff, 0xfb, 0x90, 0x00})
		b = append(b, f...)
	}
	return b
}

// auID3 builds an ID3v2 tag of version major from frames (already
// encoded), padding and flags.
func auID3(major, flags byte, padding int, frames ...[]byte) []byte {
	body := bytes.Join(frames, nil)
	body = append(body, make([]byte, padding)...)
	return append(appendSyncsafe([]byte{'I', 'D', '3', major, 0, flags}, len(body)), body...)
}

// auFrame encodes one frame for a v2.3 (plain size) or v2.4 (syncsafe)
// tag.
func auFrame(major byte, id string, flags [2]byte, data []byte) []byte {
	b := []byte(id)
	if major == 3 {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	} else {
		b = appendSyncsafe(b, len(data))
	}
	return append(append(b, flags[:]...), data...)
}

// auUTF16 is s in UTF-16 with a little-endian BOM and terminator.
func auUTF16(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(b, 0, 0)
}

// auTagFrames lists a file's leading tag's version and frame IDs.
func auTagFrames(t *testing.T, b []byte) (byte, []string) {
	t.Helper()
	tags, err := id3Tags(b)
	if err != nil || len(tags) != 1 {
		t.Fatalf("%d tags: %v", len(tags), err)
	}
	frames, err := tags[0].frames()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range frames {
		ids = append(ids, f.id)
	}
	return tags[0].major, ids
}

func TestEmbedAIGCMP3(t *testing.T) {
	audio := auMP3Frames(3)
	old := auLabel("old")
	v23 := auID3(3, 0, 20,
		auFrame(3, "TIT2", [2]byte{}, []byte("\x00Title")),
		auFrame(3, "TYER", [2]byte{0x40, 0}, []byte("\x002024")),
		auFrame(3, "TXXX", [2]byte{}, append(append([]byte{1}, auUTF16("AIGC")...), auUTF16(old.JSON())...)),
		auFrame(3, "COMM", [2]byte{}, []byte("\x00engcomment")),
		auFrame(3, "GRP1", [2]byte{0, 0x20}, []byte("\x07\x00grouped")),
		auFrame(3, "TCOP", [2]byte{0, 0x80}, []byte("\x00\x00\x00\x10zlib")), // compressed: dropped
	)
	// A v2.4 tag with an extended header, tag-wide unsynchronisation, a
	// frame whose size was written plainly (as some writers do) and a footer.
	bin := bytes.Repeat([]byte{0xff, 0x00, 0xe0}, 50) // unsynchronised 0xff 0xe0 …
	ext := []byte{0, 0, 0, 6, 1, 0}
	plainSize := append([]byte("PRIV"), binary.BigEndian.AppendUint32(nil, uint32(len(bin)))...)
	v24body := append(append(ext, auFrame(4, "TIT2", [2]byte{}, []byte("\x03Titel"))...), append(append(plainSize, 0, 0), bin...)...)
	v24body = append(v24body, auFrame(4, "TXXX", [2]byte{}, []byte("\x03aigc\x00"+old.InnerJSON()))...)
	v24 := append(appendSyncsafe([]byte{'I', 'D', '3', 4, 0, 0xd0}, len(v24body)), v24body...)
	v24 = append(v24, "3DI\x04\x00\xd0\x00\x00\x00\x00"...)
	v24[len(v24)-4], v24[len(v24)-3], v24[len(v24)-2], v24[len(v24)-1] = v24[6], v24[7], v24[8], v24[9]
	for _, c := range []struct {
		name    string
		file    []byte
		before  string // where the old label is read
		frames  string // frames after embedding
		private []byte // PRIV content expected
	}{
		{"no tag", audio, "", "TXXX", nil},
		{"ID3v2.3", append(v23, audio...), "MP3 ID3v2.3 TXXX:AIGC", "TXXX,TIT2,TDRC,COMM,GRP1", nil},
		{"ID3v2.4", append(v24, audio...), "MP3 ID3v2.4 TXXX:AIGC", "TXXX,TIT2,PRIV", bytes.Repeat([]byte{0xff, 0xe0}, 50)},
		{"ID3v2.2", append(auID3(2, 0, 0, []byte("TT2\x00\x00\x06\x00Title")), audio...), "", "TXXX", nil},
		{"two tags", append(append(auID3(4, 0, 0, auFrame(4, "TIT2", [2]byte{}, []byte("\x03A"))), auID3(3, 0, 0, auFrame(3, "TPE1", [2]byte{}, []byte("\x00B")))...), audio...), "", "TXXX,TIT2,TPE1", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, where, err := ReadAIGCMP3(c.file)
			if c.before != "" && (err != nil || a != old || where != c.before) {
				t.Fatalf("old label read as %+v at %q: %v", a, where, err)
			}
			if c.before == "" && !errors.Is(err, ErrNoLabel) {
				t.Fatalf("unlabelled file: %v", err)
			}
			out, err := EmbedAIGCMP3(c.file, auLabel("new"))
			if err != nil {
				t.Fatal(err)
			}
			a, where, err = ReadAIGCMP3(out)
			if err != nil || a != auLabel("new") || where != "MP3 ID3v2.4 TXXX:AIGC" {
				t.Fatalf("read %+v at %q: %v", a, where, err)
			}
			major, ids := auTagFrames(t, out)
			if major != 4 || strings.Join(ids, ",") != c.frames {
				t.Errorf("ID3v2.%d frames %v, want %s", major, ids, c.frames)
			}
			if !bytes.HasSuffix(out, audio) {
				t.Error("audio frames changed")
			}
			if h0, _ := AudioHash(c.file); h0 == "" || func() string { h, _ := AudioHash(out); return h }() != h0 {
				t.Error("AudioHash changed")
			}
			if c.private != nil {
				tags, _ := id3Tags(out)
				frames, _ := tags[0].frames()
				d, ok := frames[2].content(tags[0])
				if !ok || !bytes.Equal(d, c.private) {
					t.Errorf("PRIV reads %x", d)
				}
			}
			again, err := EmbedAIGCMP3(out, auLabel("new"))
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("embedding twice changed the file: %v", err)
			}
		})
	}
}

func TestAIGCMP3Errors(t *testing.T) {
	for _, c := range []struct {
		name string
		file []byte
		want error
	}{
		{"not MP3", []byte("RIFF....WAVE"), ErrFormat},
		{"tag, no audio", auID3(4, 0, 10), ErrFormat},
		{"truncated tag", auID3(4, 0, 100)[:50], ErrDamaged},
		{"bad frame size", append(auID3(3, 0, 0, []byte("TIT2\x00\x00\x10\x00\x00\x00x")), auMP3Frames(1)...), ErrDamaged},
		{"bad frame ID", append(auID3(4, 0, 0, []byte("ti t\x00\x00\x00\x01\x00\x00x")), auMP3Frames(1)...), ErrDamaged},
		{"not syncsafe", append([]byte("ID3\x04\x00\x00\x80\x00\x00\x00"), auMP3Frames(1)...), ErrDamaged},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := EmbedAIGCMP3(c.file, auLabel("x")); !errors.Is(err, c.want) {
				t.Errorf("embed: %v, want %v", err, c.want)
			}
			if _, _, err := ReadAIGCMP3(c.file); err == nil {
				t.Error("read found a label")
			}
		})
	}
	if _, err := EmbedAIGCMP3(auMP3Frames(1), AIGC{Label: "1", ProduceID: "has space"}); err == nil {
		t.Error("an invalid label was written")
	}
	// A label in an ISO-8859-1 TXXX of a v2.4 tag (as ffmpeg writes ASCII).
	l := auLabel("latin")
	b := append(auID3(4, 0, 0, auFrame(4, "TXXX", [2]byte{}, []byte("\x00AIGC\x00"+l.JSON()+"\x00"))), auMP3Frames(1)...)
	if a, _, err := ReadAIGCMP3(b); err != nil || a != l {
		t.Errorf("ISO-8859-1 TXXX: %+v %v", a, err)
	}
	// UTF-16BE (encoding 2).
	be := []byte{2}
	for _, s := range []string{"AIGC", l.JSON()} {
		for _, u := range utf16.Encode([]rune(s)) {
			be = binary.BigEndian.AppendUint16(be, u)
		}
		be = append(be, 0, 0)
	}
	b = append(auID3(4, 0, 0, auFrame(4, "TXXX", [2]byte{}, be)), auMP3Frames(1)...)
	if a, _, err := ReadAIGCMP3(b); err != nil || a != l {
		t.Errorf("UTF-16BE TXXX: %+v %v", a, err)
	}
}

// TestAIGCMP3WithFFmpeg reads a label ffmpeg wrote into an ID3v2.3 tag,
// replaces it, and checks that ffprobe shows the new one (and the title
// kept) and that ffmpeg still decodes the file.
func TestAIGCMP3WithFFmpeg(t *testing.T) {
	mediatest.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	mp3 := mediatest.MP3(t, mediatest.Tone(1, 44100, 440), 128)
	in, tagged, out := filepath.Join(dir, "in.mp3"), filepath.Join(dir, "tagged.mp3"), filepath.Join(dir, "out.mp3")
	if err := os.WriteFile(in, mp3, 0o644); err != nil {
		t.Fatal(err)
	}
	old := auLabel("ffmpeg")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-i", in, "-c", "copy", "-metadata", "title=Tune", "-metadata", "AIGC="+old.InnerJSON(), "-id3v2_version", "3", tagged)
	b, err := os.ReadFile(tagged)
	if err != nil {
		t.Fatal(err)
	}
	a, where, err := ReadAIGCMP3(b)
	if err != nil || a != old || where != "MP3 ID3v2.3 TXXX:AIGC" {
		t.Fatalf("ffmpeg's label read as %+v at %q: %v", a, where, err)
	}
	labelled, err := EmbedAIGCMP3(b, auLabel("new"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, labelled, 0o644); err != nil {
		t.Fatal(err)
	}
	got := string(mediatest.Run(t, "ffprobe", "-v", "error", "-show_format", out))
	t.Logf("ffprobe -show_format:\n%s", got)
	for _, want := range []string{"TAG:AIGC=" + auLabel("new").JSON() + "\n", "TAG:title=Tune\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("ffprobe does not show %q", strings.TrimSpace(want))
		}
	}
	if strings.Count(got, "AIGC=") != 1 {
		t.Error("more than one AIGC tag")
	}
	dec := mediatest.DecodeMP3(t, labelled)
	if d := dec.Duration().Seconds(); d < 0.95 || d > 1.1 {
		t.Errorf("decoded %.3f s", d)
	}
}

func FuzzReadAIGCMP3(f *testing.F) {
	audio := auMP3Frames(1)
	labelled, _ := EmbedAIGCMP3(audio, auLabel("fuzz"))
	f.Add(audio)
	f.Add(labelled)
	f.Add(append(auID3(3, 0x80, 4, auFrame(3, "TXXX", [2]byte{}, []byte("\x01\xff\x00\xfeA\x00\x00\x00{"))), audio...))
	f.Add(append(auID3(4, 0x50, 0, []byte{0, 0, 0, 6, 1, 0}), audio...))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadAIGCMP3(b)
		AudioHash(b)
		if a, err := DecodeMP3(b, 2); err == nil && (a.Check() != nil || len(a.Samples)%2 != 0) {
			t.Fatalf("decoded MP3 is not sound: rate %d, %d channels, %d samples", a.Rate, a.Channels, len(a.Samples))
		}
		out, err := EmbedAIGCMP3(b, auLabel("fuzz"))
		if err != nil {
			return
		}
		if a, _, err := ReadAIGCMP3(out); err != nil || a != auLabel("fuzz") {
			t.Fatalf("labelled file reads %+v, %v", a, err)
		}
	})
}
