package label

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/label/internal/mediatest"
)

// auWAVFile builds a WAV file from a fmt chunk body, sample data and
// extra chunks placed before the data chunk.
func auWAVFile(fmtBody, data []byte, before ...[]byte) []byte {
	chunks := [][]byte{appendRIFFChunk(nil, "fmt ", fmtBody)}
	chunks = append(chunks, before...)
	return auRIFF(append(chunks, appendRIFFChunk(nil, "data", data))...)
}

// auRIFF wraps chunks in a RIFF WAVE form.
func auRIFF(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// auWAVFmt is a fmt chunk body.
func auWAVFmt(tag, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	align := channels * bits / 8
	b := le.AppendUint16(nil, uint16(tag))
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*align))
	b = le.AppendUint16(b, uint16(align))
	return le.AppendUint16(b, uint16(bits))
}

// auWAVFmtExt is a WAVE_FORMAT_EXTENSIBLE fmt chunk body.
func auWAVFmtExt(sub, channels, rate, bits int) []byte {
	b := auWAVFmt(wavExtensible, channels, rate, bits)
	le := binary.LittleEndian
	b = le.AppendUint16(b, 22)
	b = le.AppendUint16(b, uint16(bits))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint16(b, uint16(sub))
	return append(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"...)
}

func TestWAVRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name           string
		rate, channels int
		frames         int
	}{
		{"mono 44.1k", 44100, 1, 4410},
		{"stereo 48k", 48000, 2, 4801},
		{"mono 8k odd", 8000, 1, 333},
		{"6ch 96k", 96000, 6, 960},
		{"empty", 22050, 2, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Audio{Rate: c.rate, Channels: c.channels, Samples: make([]float32, c.frames*c.channels)}
			for i := range a.Samples {
				a.Samples[i] = float32(math.Sin(float64(i)*0.01)) * 0.9
			}
			a.Samples = append(a.Samples, 0.5) // a partial frame is dropped (when channels > 1)
			b := EncodeWAV(a)
			got, err := DecodeWAV(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rate != c.rate || got.Channels != c.channels || got.Frames() != c.frames+1/c.channels {
				t.Fatalf("got %d Hz × %d, %d frames", got.Rate, got.Channels, got.Frames())
			}
			for i, v := range got.Samples {
				if d := math.Abs(float64(v - a.Samples[i])); d > 1.0/32768 {
					t.Fatalf("sample %d: %v, want %v", i, v, a.Samples[i])
				}
			}
			if !bytes.Equal(EncodeWAV(got), b) {
				t.Fatal("re-encoding changed the file")
			}
		})
	}
}

func TestEncodeWAVClips(t *testing.T) {
	a := &Audio{Rate: 8000, Channels: 1, Samples: []float32{2, -2, 1, -1, float32(math.NaN())}}
	got, err := DecodeWAV(EncodeWAV(a))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{32767.0 / 32768, -1, 32767.0 / 32768, -1, 0}
	for i, v := range got.Samples {
		if v != want[i] {
			t.Errorf("sample %d = %v, want %v", i, v, want[i])
		}
	}
}

func TestDecodeWAVFormats(t *testing.T) {
	le := binary.LittleEndian
	want := []float32{0, 0.5, -0.5, -1}
	f32 := func(v float32) []byte { return le.AppendUint32(nil, math.Float32bits(v)) }
	var fl32, fl64, i32, i24, i16, u8 []byte
	for _, v := range want {
		fl32 = append(fl32, f32(v)...)
		fl64 = le.AppendUint64(fl64, math.Float64bits(float64(v)))
		i32 = le.AppendUint32(i32, uint32(int32(float64(v)*(1<<31))))
		x := int32(float64(v) * (1 << 23))
		i24 = append(i24, byte(x), byte(x>>8), byte(x>>16))
		i16 = le.AppendUint16(i16, uint16(int16(float64(v)*(1<<15))))
		u8 = append(u8, byte(int(float64(v)*128)+128))
	}
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"u8", auWAVFile(auWAVFmt(1, 2, 8000, 8), u8)},
		{"s16", auWAVFile(auWAVFmt(1, 2, 8000, 16), i16)},
		{"s24", auWAVFile(auWAVFmt(1, 2, 8000, 24), i24)},
		{"s32", auWAVFile(auWAVFmt(1, 2, 8000, 32), i32)},
		{"f32", auWAVFile(auWAVFmt(3, 2, 8000, 32), fl32)},
		{"f64", auWAVFile(auWAVFmt(3, 2, 8000, 64), fl64)},
		{"extensible s24", auWAVFile(auWAVFmtExt(1, 2, 8000, 24), i24)},
		{"extensible f32", auWAVFile(auWAVFmtExt(3, 2, 8000, 32), fl32)},
		{"odd chunk before data", auWAVFile(auWAVFmt(1, 2, 8000, 16), i16, appendRIFFChunk(nil, "junk", []byte("odd")))},
		{"fact and LIST", auWAVFile(auWAVFmt(3, 2, 8000, 32), fl32, appendRIFFChunk(nil, "fact", []byte{2, 0, 0, 0}), appendRIFFChunk(nil, "LIST", []byte("INFOINAM\x03\x00\x00\x00ab\x00\x00")))},
		{"trailing partial frame", auWAVFile(auWAVFmt(1, 2, 8000, 16), append(i16, 1, 2, 3))},
		{"streamed (sizes 0xFFFFFFFF)", func() []byte {
			b := auWAVFile(auWAVFmt(1, 2, 8000, 16), i16)
			copy(b[4:8], "\xff\xff\xff\xff")
			copy(b[40:44], "\xff\xff\xff\xff")
			return b
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := DecodeWAV(c.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != 8000 || a.Channels != 2 || len(a.Samples) != len(want) {
				t.Fatalf("got %d Hz × %d, %d samples", a.Rate, a.Channels, len(a.Samples))
			}
			for i, v := range a.Samples {
				if math.Abs(float64(v-want[i])) > 1.0/128 {
					t.Errorf("sample %d = %v, want %v", i, v, want[i])
				}
			}
		})
	}
}

func TestDecodeWAVErrors(t *testing.T) {
	good := EncodeWAV(&Audio{Rate: 8000, Channels: 1, Samples: make([]float32, 10)})
	set32 := func(b []byte, at int, v uint32) []byte {
		b = append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a RIFF WAVE"},
		{"AVI", append([]byte("RIFF\x04\x00\x00\x00AVI "), good[12:]...), "not a RIFF WAVE"},
		{"no fmt", auRIFF(appendRIFFChunk(nil, "data", []byte{0, 0})), "no fmt chunk"},
		{"no data", auRIFF(appendRIFFChunk(nil, "fmt ", auWAVFmt(1, 1, 8000, 16))), "no data chunk"},
		{"truncated data", good[:len(good)-4], "truncated"},
		{"truncated header", good[:40], "stray bytes"},
		{"9 channels", auWAVFile(auWAVFmt(1, 9, 8000, 16), make([]byte, 18)), "9 channels"},
		{"zero rate", auWAVFile(auWAVFmt(1, 1, 0, 16), make([]byte, 2)), "sample rate 0"},
		{"huge rate", auWAVFile(auWAVFmt(1, 1, 1<<30, 16), make([]byte, 2)), "sample rate"},
		{"12 bits", auWAVFile(auWAVFmt(1, 1, 8000, 12), make([]byte, 2)), "12-bit"},
		{"16-bit float", auWAVFile(auWAVFmt(3, 1, 8000, 16), make([]byte, 2)), "16-bit float"},
		{"ADPCM", auWAVFile(auWAVFmt(2, 1, 8000, 4), make([]byte, 2)), "sample format 0x0002"},
		{"bad align", set32(auWAVFile(auWAVFmt(1, 2, 8000, 16), make([]byte, 4)), 32, 16<<16|3), "block align"},
		{"short fmt", auRIFF(appendRIFFChunk(nil, "fmt ", []byte{1, 0}), appendRIFFChunk(nil, "data", nil)), "fmt chunk of 2 bytes"},
		{"over 2 GiB", set32(good, 40, 3<<30), "at most"},
		{"garbage ID", set32(append(append([]byte(nil), good...), 0xff, 1, 2, 3, 0, 0, 0, 0), 4, uint32(len(good))), "not four printable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeWAV(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	if _, err := DecodeWAV(good[:len(good)-4]); !errors.Is(err, ErrDamaged) {
		t.Errorf("truncated file: %v is not ErrDamaged", err)
	}
}

// TestWAVWithFFmpeg decodes WAV files ffmpeg wrote in every sample format
// and has ffmpeg read one written here.
func TestWAVWithFFmpeg(t *testing.T) {
	mediatest.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	src := mediatest.Music(5, 1, 44100, 2)
	in := filepath.Join(dir, "in.wav")
	if err := os.WriteFile(in, EncodeWAV(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mediatest.Run(t, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels,duration_ts", "-of", "compact", in)
	if !strings.Contains(string(out), "codec_name=pcm_s16le|sample_rate=44100|channels=2|duration_ts=44100") {
		t.Errorf("ffprobe read %s", out)
	}
	for _, codec := range []string{"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le"} {
		name := filepath.Join(dir, codec+".wav")
		mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-i", in, "-c:a", codec, name)
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		a, err := DecodeWAV(b)
		if err != nil {
			t.Errorf("%s: %v", codec, err)
			continue
		}
		tol := 1.0 / 16384
		if codec == "pcm_u8" {
			tol = 1.0 / 64
		}
		if a.Rate != 44100 || a.Channels != 2 || a.Frames() != 44100 {
			t.Errorf("%s: %d Hz × %d, %d frames", codec, a.Rate, a.Channels, a.Frames())
			continue
		}
		for i, v := range a.Samples {
			if math.Abs(float64(v-src.Samples[i])) > tol {
				t.Errorf("%s: sample %d = %v, want %v", codec, i, v, src.Samples[i])
				break
			}
		}
	}
	// Six channels: ffmpeg writes WAVE_FORMAT_EXTENSIBLE.
	name := filepath.Join(dir, "6ch.wav")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=0.1:r=48000", "-af", "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", "-c:a", "pcm_s24le", name)
	b, _ := os.ReadFile(name)
	if a, err := DecodeWAV(b); err != nil || a.Channels != 6 || a.Rate != 48000 {
		t.Errorf("5.1 WAV: %v", err)
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(EncodeWAV(&Audio{Rate: 8000, Channels: 2, Samples: []float32{0, 0.5, -0.5, 1}}))
	f.Add(auWAVFile(auWAVFmtExt(3, 1, 8000, 32), make([]byte, 8), appendRIFFChunk(nil, "LIST", []byte("INFOAIGC\x01\x00\x00\x00{\x00"))))
	f.Add(auWAVFile(auWAVFmt(1, 1, 8000, 24), make([]byte, 7)))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeWAV(b)
		if err != nil {
			return
		}
		if a.Channels < 1 || a.Channels > 8 || a.Rate < 1 || len(a.Samples)%a.Channels != 0 {
			t.Fatalf("accepted %d Hz × %d, %d samples", a.Rate, a.Channels, len(a.Samples))
		}
		if _, err := DecodeWAV(EncodeWAV(a)); err != nil {
			t.Fatalf("re-encoded file: %v", err)
		}
	})
}
