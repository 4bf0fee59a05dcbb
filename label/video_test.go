package label

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// testVideo makes a 5 s 320×240 MP4 with sound with ffmpeg, or skips
// (fails under CI, where make test installs ffmpeg).
func testVideo(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg is missing; make test installs it")
		}
		t.Skip("ffmpeg not installed")
	}
	out := filepath.Join(t.TempDir(), "in.mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "5", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "aac", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVideoLabel(t *testing.T) {
	in := testVideo(t)
	before, err := FindVideoLabel(in, DefaultImageLabel, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Video(in, DefaultImageLabel)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   float64
		want bool
	}{{0.1, true}, {1, true}, {2.5, true}, {4, false}} {
		score, err := FindVideoLabel(out, DefaultImageLabel, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if (score > 0.5) != tc.want {
			t.Errorf("label at %.1f s: score %.2f, want present %v (unlabelled video: %.2f)", tc.at, score, tc.want, before)
		}
	}
	// The labelled video takes the metadata and a signature as usual.
	a := New(DefaultProducer, ProduceID("video-test"), "")
	tagged, err := EmbedAIGCMP4(out, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := ReadAIGCMP4(tagged); err != nil || got != a {
		t.Errorf("metadata after labelling: %+v, %v", got, err)
	}
	if _, err := Video([]byte("not a video"), DefaultImageLabel); err == nil {
		t.Error("a non-video was labelled")
	}
	if _, err := Video(in, "机器做的"); err == nil {
		t.Error("a wording without the elements was accepted")
	}
}
