package mediatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// NeedFFmpeg returns ffmpeg's and ffprobe's paths, skipping the test when
// they are missing (failing under CI).
func NeedFFmpeg(t testing.TB) (string, string) {
	t.Helper()
	ff, err1 := exec.LookPath("ffmpeg")
	fp, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg and ffprobe are needed (apt-get install ffmpeg)")
		}
		t.Skip("ffmpeg/ffprobe not installed")
	}
	return ff, fp
}

var ffmpegVideos struct {
	once       sync.Once
	dir        string
	last, fast []byte
	err        error
}

// Videos makes two 3-second H.264/AAC MP4s with FFmpeg (testsrc and a
// 440 Hz sine): moov after mdat, and moov first (+faststart).
func Videos(t testing.TB) (last, fast []byte) {
	ff, _ := NeedFFmpeg(t)
	v := &ffmpegVideos
	v.once.Do(func() {
		if v.dir, v.err = os.MkdirTemp("", "miaobi-mp4-"); v.err != nil {
			return
		}
		codec := "libx264"
		if out, _ := exec.Command(ff, "-hide_banner", "-encoders").Output(); !bytes.Contains(out, []byte("libx264")) {
			codec = "mpeg4"
		}
		for _, c := range []struct {
			name  string
			extra []string
			dst   *[]byte
		}{{"last.mp4", nil, &v.last}, {"fast.mp4", []string{"-movflags", "+faststart"}, &v.fast}} {
			path := filepath.Join(v.dir, c.name)
			args := []string{"-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
				"-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", codec, "-pix_fmt", "yuv420p", "-c:a", "aac"}
			args = append(append(args, c.extra...), path)
			if out, err := exec.Command(ff, args...).CombinedOutput(); err != nil {
				v.err = errors.New("ffmpeg: " + err.Error() + ": " + string(out))
				return
			}
			if *c.dst, v.err = os.ReadFile(path); v.err != nil {
				return
			}
		}
	})
	if v.err != nil {
		t.Fatal(v.err)
	}
	return v.last, v.fast
}

// FFprobeTags runs ffprobe -show_format -of json and returns the format
// tags.
func FFprobeTags(t testing.TB, path string) map[string]string {
	t.Helper()
	_, fp := NeedFFmpeg(t)
	out, err := exec.Command(fp, "-v", "error", "-show_format", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var v struct {
		Format struct {
			Tags map[string]string `json:"tags"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("ffprobe output %s: %v", out, err)
	}
	return v.Format.Tags
}

// FFmpegDecodes decodes every stream of path and returns FFmpeg's
// complaints ("" when there are none).
func FFmpegDecodes(t testing.TB, path string) string {
	t.Helper()
	ff, _ := NeedFFmpeg(t)
	out, err := exec.Command(ff, "-hide_banner", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil {
		return err.Error() + ": " + string(out)
	}
	return strings.TrimSpace(string(out))
}
