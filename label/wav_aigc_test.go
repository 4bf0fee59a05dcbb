package label

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/label/internal/container"
	"miaobi/label/internal/mediatest"
)

func auLabel(id string) AIGC { return New("Miaobi", id, "00112233") }

// auChunkCount counts the top-level chunks and LIST/INFO entries with an ID.
func auChunkCount(t *testing.T, b []byte, id string) (top, info int) {
	t.Helper()
	chunks, _, err := container.RIFFChunks(b, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if c.ID == id {
			top++
		}
		if isInfoList(c) {
			entries, err := riffInfo(c.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.id == id {
					info++
				}
			}
		}
	}
	return top, info
}

func TestEmbedAIGCWAV(t *testing.T) {
	src := &Audio{Rate: 8000, Channels: 1, Samples: []float32{0, 0.25, -0.25}}
	plain := EncodeWAV(src)
	info := appendRIFFChunk(appendRIFFChunk([]byte("INFO"), "INAM", []byte("Song\x00")), "AIGC", []byte(auLabel("old").JSON()+"\x00"))
	rich := auWAVFile(auWAVFmt(1, 1, 8000, 16), EncodeWAV(src)[44:], appendRIFFChunk(nil, "LIST", info), appendRIFFChunk(nil, "AIGC", []byte(auLabel("old").InnerJSON())), appendRIFFChunk(nil, "odd ", []byte("x")))
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"plain", plain},
		{"with labels and INFO", rich},
		{"with trailing bytes", append(append([]byte(nil), plain...), "ID3 junk"...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := EmbedAIGCWAV(c.file, auLabel("new"))
			if err != nil {
				t.Fatal(err)
			}
			a, where, err := ReadAIGCWAV(out)
			if err != nil || a != auLabel("new") || where != "WAV RIFF chunk AIGC" {
				t.Fatalf("read %+v at %q: %v", a, where, err)
			}
			if top, inInfo := auChunkCount(t, out, "AIGC"); top != 1 || inInfo != 1 {
				t.Fatalf("%d AIGC chunks and %d INFO entries; want one each", top, inInfo)
			}
			chunks, end, _ := container.RIFFChunks(out, false)
			if int(binary.LittleEndian.Uint32(out[4:8]))+8 != end || !bytes.Equal(out[end:], c.file[len(c.file)-len(out[end:]):]) {
				t.Fatal("RIFF size not fixed or trailing bytes lost")
			}
			if c.name == "with labels and INFO" {
				var ids []string
				for _, ch := range chunks {
					ids = append(ids, ch.ID)
				}
				if got := strings.Join(ids, ","); got != "fmt ,LIST,odd ,data,AIGC" {
					t.Errorf("chunks %s", got)
				}
				if _, n := auChunkCount(t, out, "INAM"); n != 1 {
					t.Error("INFO INAM lost")
				}
			}
			got, err := DecodeWAV(out)
			if err != nil || len(got.Samples) != 3 || got.Samples[1] != 0.25 {
				t.Fatalf("samples after embedding: %v %v", got, err)
			}
			h0, _ := AudioHash(c.file)
			h1, _ := AudioHash(out)
			if h0 != h1 || h0 == "" {
				t.Errorf("AudioHash changed: %s → %s", h0, h1)
			}
			again, err := EmbedAIGCWAV(out, auLabel("new"))
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("embedding twice changed the file: %v", err)
			}
		})
	}
	if _, err := EmbedAIGCWAV(plain, AIGC{Label: "4"}); err == nil {
		t.Error("an invalid label was written")
	}
	if _, err := EmbedAIGCWAV([]byte("RIFF\x04\x00\x00\x00WAVE"), auLabel("x")); err == nil {
		t.Error("a WAV file without data was labelled")
	}
}

func TestReadAIGCWAV(t *testing.T) {
	data := appendRIFFChunk(nil, "data", []byte{0, 0})
	fmtc := appendRIFFChunk(nil, "fmt ", auWAVFmt(1, 1, 8000, 16))
	info := func(id, text string) []byte {
		return appendRIFFChunk(nil, "LIST", appendRIFFChunk([]byte("INFO"), id, []byte(text)))
	}
	want := auLabel("id1")
	for _, c := range []struct {
		name, where string
		file        []byte
		err         error
	}{
		{"INFO entry, inner JSON", "WAV LIST/INFO AIGC", auRIFF(fmtc, info("AIGC", want.InnerJSON()+"\x00"), data), nil},
		{"ICMT", "WAV LIST/INFO ICMT", auRIFF(fmtc, data, info("ICMT", want.JSON())), nil},
		{"chunk first", "WAV RIFF chunk AIGC", auRIFF(fmtc, info("AIGC", "{bad"), data, appendRIFFChunk(nil, "AIGC", []byte(want.JSON()))), nil},
		{"bad chunk, good INFO", "WAV LIST/INFO AIGC", auRIFF(fmtc, appendRIFFChunk(nil, "AIGC", []byte("{")), data, info("AIGC", want.JSON())), nil},
		{"none", "", auRIFF(fmtc, data, info("ICMT", "a comment")), ErrNoLabel},
		{"not WAV", "", []byte("ID3"), ErrFormat},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, where, err := ReadAIGCWAV(c.file)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || a != want || where != c.where {
				t.Fatalf("read %+v at %q: %v", a, where, err)
			}
		})
	}
	if _, _, err := ReadAIGCWAV(auRIFF(fmtc, data, appendRIFFChunk(nil, "AIGC", []byte("{")))); err == nil || errors.Is(err, ErrNoLabel) {
		t.Errorf("a broken label read as %v", err)
	}
}

// TestAIGCWAVffprobe checks what ffprobe shows of the label: the INFO
// entry becomes the format tag AIGC.
func TestAIGCWAVffprobe(t *testing.T) {
	mediatest.NeedTools(t, "ffprobe")
	out, err := EmbedAIGCWAV(EncodeWAV(mediatest.Tone(0.2, 8000, 440)), auLabel("ffprobe"))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "label.wav")
	if err := os.WriteFile(name, out, 0o644); err != nil {
		t.Fatal(err)
	}
	got := string(mediatest.Run(t, "ffprobe", "-v", "error", "-show_format", name))
	t.Logf("ffprobe -show_format:\n%s", got)
	if !strings.Contains(got, "TAG:AIGC="+auLabel("ffprobe").JSON()+"\n") {
		t.Error("ffprobe does not show the AIGC tag")
	}
}

func FuzzReadAIGCWAV(f *testing.F) {
	plain := EncodeWAV(&Audio{Rate: 8000, Channels: 1, Samples: []float32{0, 0.5}})
	labelled, _ := EmbedAIGCWAV(plain, auLabel("fuzz"))
	f.Add(plain)
	f.Add(labelled)
	f.Add(auRIFF(appendRIFFChunk(nil, "LIST", []byte("INFOAIGC\xff\x00\x00\x00{"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadAIGCWAV(b)
		out, err := EmbedAIGCWAV(b, auLabel("fuzz"))
		if err != nil {
			return
		}
		if a, _, err := ReadAIGCWAV(out); err != nil || a != auLabel("fuzz") {
			t.Fatalf("labelled file reads %+v, %v", a, err)
		}
	})
}
