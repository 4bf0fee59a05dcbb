package label

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"miaobi/label/c2pa"
	"miaobi/label/internal/container"
	"miaobi/label/internal/mediatest"
)

// The implicit label and the C2PA manifest live side by side in one file:
// these tests write both, in either order, and read both back — with
// Miaobi's readers and with the independent ones (c2pa-node, ffprobe).

var layerKeys struct {
	once   sync.Once
	signer *c2pa.Signer
	caPEM  []byte
	err    error
}

// layerSigner makes a local CA and signer once per test binary and
// returns the signer, a pool with the CA, and the CA's PEM file in dir.
func layerSigner(t testing.TB, dir string) (*c2pa.Signer, *x509.CertPool, string) {
	t.Helper()
	k := &layerKeys
	k.once.Do(func() {
		tmp, err := os.MkdirTemp("", "miaobi-label-keys-")
		if err != nil {
			k.err = err
			return
		}
		defer os.RemoveAll(tmp)
		if k.err = c2pa.InitKeys(tmp, "Miaobi Test", false); k.err != nil {
			return
		}
		if k.signer, k.err = c2pa.LoadSigner(tmp); k.err != nil {
			return
		}
		k.caPEM, k.err = os.ReadFile(filepath.Join(tmp, c2pa.CAFile))
	})
	if k.err != nil {
		t.Fatal(k.err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(k.caPEM)
	anchor := filepath.Join(dir, c2pa.CAFile)
	if err := os.WriteFile(anchor, k.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return k.signer, roots, anchor
}

// checkSigned fails unless c2pa.Verify finds a valid, trusted manifest
// carrying a's label.
func checkSigned(t *testing.T, what string, file []byte, roots *x509.CertPool, a AIGC) {
	t.Helper()
	r, err := c2pa.Verify(file, roots)
	if err != nil || !r.Valid || !r.Trusted || len(r.Errors) > 0 {
		t.Errorf("%s: C2PA %+v %v", what, r, err)
	}
	if r.AIGC != a.JSON() {
		t.Errorf("%s: cn.tc260.aigc assertion %q, want %q", what, r.AIGC, a.JSON())
	}
}

// TestImplicitLabelThenC2PA: with the implicit label (XMP in APP1 or
// iTXt) written first, the store goes after it, and both labels read
// back.
func TestImplicitLabelThenC2PA(t *testing.T) {
	s, roots, _ := layerSigner(t, t.TempDir())
	a := New(DefaultProducer, "abc123", "00ff")
	for _, format := range []string{"jpeg", "png"} {
		withXMP, err := EmbedAIGC(mediatest.Picture(t, format), a)
		if err != nil {
			t.Fatal(err)
		}
		m := c2pa.Manifest{Title: "x", AIGC: a.JSON()}
		var out []byte
		if format == "png" {
			out, err = c2pa.SignPNG(withXMP, m, s)
		} else {
			out, err = c2pa.SignJPEG(withXMP, m, s)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := ReadAIGC(out); err != nil || got != a {
			t.Errorf("%s: implicit label after signing: %+v %v", format, got, err)
		}
		checkSigned(t, format, out, roots, a)
		if format == "jpeg" {
			var order []byte
			container.JPEGSegments(out, func(m byte, _ []byte, _, _ int) error { order = append(order, m); return nil })
			// image/jpeg writes no APP0: APP1 (XMP), then the store.
			if len(order) < 2 || order[0] != 0xe1 || order[1] != 0xeb {
				t.Errorf("segments % x", order)
			}
		}
	}
}

// TestMP4LabelAndC2PA: on a synthetic MP4 in both layouts, the AIGC
// label written before signing survives it and the signature verifies;
// a label can still be written into a signed, re-signed file.
func TestMP4LabelAndC2PA(t *testing.T) {
	s, roots, _ := layerSigner(t, t.TempDir())
	for _, first := range []bool{true, false} {
		in := mediatest.SynthMP4(first, nil)
		a := testAIGC("c2pa")
		labelled, err := EmbedAIGCMP4(in, a)
		if err != nil {
			t.Fatal(err)
		}
		both, err := c2pa.SignMP4(labelled, c2pa.Manifest{Title: "clip.mp4", Format: "video/mp4", AIGC: a.JSON()}, s)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := ReadAIGCMP4(both); err != nil || got != a {
			t.Errorf("moov first %v: label after signing %+v %v", first, got, err)
		}
		checkSigned(t, "labelled, then signed", both, roots, a)
		again, err := c2pa.SignMP4(both, c2pa.Manifest{Title: "edited", AIGC: a.JSON(),
			Actions: []c2pa.Action{{Action: c2pa.ActionOpened}, {Action: c2pa.ActionEdited}}}, s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := EmbedAIGCMP4(again, testAIGC("again")); err != nil {
			t.Errorf("moov first %v: a label into a re-signed file: %v", first, err)
		}
	}
}

// TestMP4LabelAndC2PAInterop: FFmpeg's MP4s, labelled and then signed,
// read Trusted in c2pa-node, still carry the AIGC tag for ffprobe, and
// still decode without an error.
func TestMP4LabelAndC2PAInterop(t *testing.T) {
	cn := mediatest.NeedC2PANode(t)
	last, fast := mediatest.Videos(t)
	s, roots, anchor := layerSigner(t, t.TempDir())
	for name, in := range map[string][]byte{"last.mp4": last, "fast.mp4": fast} {
		a := testAIGC(name)
		labelled, err := EmbedAIGCMP4(in, a)
		if err != nil {
			t.Fatal(err)
		}
		both, err := c2pa.SignMP4(labelled, c2pa.Manifest{Title: name, Format: "video/mp4", AIGC: a.JSON(),
			Actions: []c2pa.Action{{Action: c2pa.ActionCreated, DigitalSourceType: c2pa.DigitalSourceTrainedAlgorithmicMedia}}}, s)
		if err != nil {
			t.Fatal(err)
		}
		checkSigned(t, name, both, roots, a)
		v := cn.Verify(t, "labelled-"+name, both, "video/mp4", anchor)
		if v.State != "Trusted" || !v.Created() {
			t.Errorf("labelled and signed %s: %q %v %+v", name, v.State, v.Failure, v.Actions)
		}
		path := cn.Path("labelled-" + name)
		if tags := mediatest.FFprobeTags(t, path); tags["AIGC"] != a.JSON() {
			t.Errorf("labelled and signed %s: ffprobe tags %v", name, tags)
		}
		if msg := mediatest.FFmpegDecodes(t, path); msg != "" {
			t.Errorf("labelled and signed %s: ffmpeg: %s", name, msg)
		}
	}
}
