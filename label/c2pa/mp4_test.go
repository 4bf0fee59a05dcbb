package c2pa

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"miaobi/label/internal/bmff"
	"miaobi/label/internal/container"
	"miaobi/label/internal/mediatest"
)

// testWAV is a PCM16 WAV of a 440 Hz sine (mono, 16 kHz, seconds long),
// with a LIST/INFO chunk before data, written by hand.
func testWAV(seconds float64) []byte {
	const rate = 16000
	n := int(seconds * rate)
	data := make([]byte, 0, 2*n)
	for i := range n {
		v := int16(12000 * math.Sin(2*math.Pi*440*float64(i)/rate))
		data = binary.LittleEndian.AppendUint16(data, uint16(v))
	}
	chunk := func(id string, b []byte) []byte {
		c := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(b)))
		c = append(c, b...)
		if len(b)&1 == 1 {
			c = append(c, 0)
		}
		return c
	}
	fmtc := binary.LittleEndian.AppendUint16(nil, 1) // PCM
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 1)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, rate)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, 2*rate)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 2)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 16)
	body := append([]byte("WAVE"), chunk("fmt ", fmtc)...)
	body = append(body, chunk("LIST", append([]byte("INFO"), chunk("ISFT", []byte("Miaobi\x00"))...))...)
	body = append(body, chunk("data", data)...)
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

// mediaManifest is what Miaobi writes for a generated video or audio.
func mediaManifest(title, format string) Manifest {
	m := aiManifest(title)
	m.Format = format
	return m
}

// TestSignMP4: a signed MP4 verifies (Trusted with the test root) in
// both layouts, the chunk offsets still point at the media, a changed
// mdat byte or moved box breaks it, Remove gives back the input byte
// for byte, and re-signing chains the old store.
func TestSignMP4(t *testing.T) {
	s := testSigner(t)
	roots := testRoots(t)
	for _, first := range []bool{true, false} {
		in := mediatest.SynthMP4(first, nil)
		want := mediatest.MP4Chunks(t, in, 100)
		out, err := SignMP4(in, mediaManifest("clip.mp4", "video/mp4"), s)
		if err != nil {
			t.Fatalf("moov first %v: %v", first, err)
		}
		top, _ := bmff.Top(out)
		if len(top) != 4 || top[0].Type != "ftyp" || top[1].Type != "uuid" {
			t.Fatalf("boxes %+v", top)
		}
		if got := mediatest.MP4Chunks(t, out, 100); !mediatest.EqualChunks(got, want) {
			t.Fatal("chunk offsets no longer point at the media")
		}
		r, err := Verify(out, roots)
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, r, true)
		if r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia || r.Title != "clip.mp4" || r.AIGC == "" {
			t.Errorf("report %+v", r)
		}
		// One byte of media changed.
		mdat, _ := bmff.First(top, "mdat")
		bad := bytes.Clone(out)
		bad[mdat.Start+20] ^= 1
		if r, _ := Verify(bad, roots); r.Valid || !strings.Contains(strings.Join(r.Errors, ";"), "hash mismatch") {
			t.Errorf("tampered mdat: %+v", r)
		}
		// The same bytes, boxes in another order: the offsets are hashed.
		var moved []byte
		for _, bx := range []string{"ftyp", "uuid", "free", "moov", "mdat"} {
			for _, b := range top {
				if b.Type == bx {
					moved = append(moved, out[b.Start:b.End]...)
				}
			}
		}
		if !first {
			if r, _ := Verify(moved, roots); r.Valid {
				t.Error("moving moov before mdat kept the hash valid")
			}
		}
		// Without the store: the input exactly.
		clean, err := Remove(out)
		if err != nil || !bytes.Equal(clean, in) {
			t.Fatalf("Remove: %v (equal %v)", err, bytes.Equal(clean, in))
		}
		store, _ := Extract(out)
		if len(store) == 0 || !isStoreStart(store) {
			t.Fatal("Extract found no store")
		}
		// Re-signing chains the old store as an ingredient.
		again, err := SignMP4(out, Manifest{Title: "edited", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited}}}, s)
		if err != nil {
			t.Fatal(err)
		}
		r, _ = Verify(again, roots)
		checkReport(t, r, true)
		if r.Manifests != 2 || r.Ingredients != 1 || len(r.Warnings) != 0 {
			t.Errorf("re-signed: %+v", r)
		}
		if got := mediatest.MP4Chunks(t, again, 100); !mediatest.EqualChunks(got, want) {
			t.Fatal("chunk offsets wrong after re-signing")
		}
	}
	if _, err := SignMP4(mediatest.SynthMP4(true, nil), Manifest{Format: "image/png"}, s); err == nil {
		t.Error("a PNG manifest format was accepted for an MP4")
	}
	if _, err := SignMP4(testWAV(0.1), Manifest{}, s); !errors.Is(err, container.ErrFormat) {
		t.Errorf("SignMP4 of a WAV: %v", err)
	}
}

// TestBMFFExclusions: the exclusion matching rules and the verifier's
// refusal of exclusions that leave media unsigned.
func TestBMFFExclusions(t *testing.T) {
	file := mediatest.SynthMP4(false, nil)
	top, err := bmff.Top(file)
	if err != nil {
		t.Fatal(err)
	}
	sel := func(xpath string) int {
		boxes, err := bmffSelect(file, top, xpath)
		if err != nil {
			t.Fatalf("%s: %v", xpath, err)
		}
		return len(boxes)
	}
	if sel("/ftyp") != 1 || sel("/moov/trak/mdia/minf/stbl/stco") != 1 || sel("/moov[1]/trak[1]/tkhd") != 1 || sel("/moov[2]") != 0 || sel("/uuid") != 0 {
		t.Error("xpath selection")
	}
	for _, bad := range []string{"moov", "/mo", "/moov[0]", "/moov[x]"} {
		if _, err := bmffSelect(file, top, bad); err == nil {
			t.Errorf("xpath %q accepted", bad)
		}
	}
	stco, _ := bmffSelect(file, top, "/moov/trak/mdia/minf/stbl/stco")
	v0, v1 := int64(0), int64(1)
	exact := false
	for _, c := range []struct {
		e    bmffExclusion
		want bool
	}{
		{bmffExclusion{Version: &v0}, true},
		{bmffExclusion{Version: &v1}, false},
		{bmffExclusion{Flags: []byte{0, 0, 0}}, true},
		{bmffExclusion{Flags: []byte{0, 0, 1}}, false},
		{bmffExclusion{Flags: []byte{0, 0, 0}, Exact: &exact}, true},
		{bmffExclusion{Data: []bmffDataMatch{{4, []byte("stco")}}}, true},
		{bmffExclusion{Data: []bmffDataMatch{{4, []byte("stcx")}}}, false},
		{bmffExclusion{Data: []bmffDataMatch{{1 << 40, []byte("x")}}}, false},
	} {
		if got := c.e.matches(file, stco[0]); got != c.want {
			t.Errorf("%+v: matches %v", c.e, got)
		}
	}
	// The CBOR form reads back.
	all := []bmffExclusion{{XPath: "/moov", Length: &v1, Version: &v0, Flags: []byte{0, 0, 1}, Exact: &exact,
		Data: []bmffDataMatch{{8, []byte("x")}}, Subset: []bmffSubset{{8, 0}}}}
	var list []any
	for _, e := range all {
		list = append(list, e.cbor())
	}
	enc, _ := cborEncode(list)
	dec, _ := cborDecode(enc)
	back, err := parseBMFFExclusions(dec)
	if err != nil || len(back) != 1 || back[0].XPath != "/moov" || *back[0].Length != 1 || back[0].Subset[0] != (bmffSubset{8, 0}) {
		t.Errorf("round trip: %+v %v", back, err)
	}
	// A signed file whose hash assertion excludes mdat is refused even
	// though its hash is right.
	s := testSigner(t)
	b, err := newManifestBuilder(Manifest{}, s)
	if err != nil {
		t.Fatal(err)
	}
	excl := append(defaultBMFFExclusions(), bmffExclusion{XPath: "/mdat"})
	hb, _ := bmffHashAssertion(excl, make([]byte, 32))
	store, _ := b.store(hb, true)
	out, err := bmff.Splice(file, top[0].End, top[0].End, bmffStoreBox(store))
	if err != nil {
		t.Fatal(err)
	}
	digest, _, _ := bmffHashOf(sha256.New(), out, excl, true)
	hb, _ = bmffHashAssertion(excl, digest)
	store, _ = b.store(hb, false)
	copy(out[top[0].End:], bmffStoreBox(store))
	r, err := Verify(out, testRoots(t))
	if err != nil || r.Valid || !strings.Contains(strings.Join(r.Errors, ";"), "/mdat leaves content unsigned") {
		t.Errorf("mdat excluded: %+v %v", r, err)
	}
}

// TestSignWAV: a signed WAV verifies, the chunk is last and the RIFF
// size right, a changed sample breaks it, Remove gives back the
// input, and re-signing chains.
func TestSignWAV(t *testing.T) {
	s := testSigner(t)
	roots := testRoots(t)
	in := testWAV(0.5)
	out, err := SignWAV(in, mediaManifest("tone.wav", "audio/wav"), s)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := riffChunks(out)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range chunks {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"fmt ", "LIST", "data", "C2PA"}) || int(binary.LittleEndian.Uint32(out[4:])) != len(out)-8 || len(out)%2 != 0 {
		t.Fatalf("chunks %v, RIFF size %d of %d", ids, binary.LittleEndian.Uint32(out[4:]), len(out))
	}
	r, err := Verify(out, roots)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, true)
	if r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia || r.Title != "tone.wav" {
		t.Errorf("report %+v", r)
	}
	bad := bytes.Clone(out)
	bad[len(in)-100] ^= 1
	if r, _ := Verify(bad, roots); r.Valid || !strings.Contains(strings.Join(r.Errors, ";"), "hash mismatch") {
		t.Errorf("tampered sample: %+v", r)
	}
	clean, err := Remove(out)
	if err != nil || !bytes.Equal(clean, in) {
		t.Fatalf("Remove: %v", err)
	}
	again, err := SignWAV(out, Manifest{Title: "edited", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = Verify(again, roots)
	checkReport(t, r, true)
	if r.Manifests != 2 || r.Ingredients != 1 {
		t.Errorf("re-signed: %+v", r)
	}
	// Titles of every length: the store is always even, so no pad byte.
	for n := range 4 {
		out, err := SignWAV(in, Manifest{Title: strings.Repeat("x", n)}, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(out)%2 != 0 {
			t.Errorf("title of %d: odd file", n)
		}
		r, _ := Verify(out, roots)
		checkReport(t, r, true)
	}
	// A last chunk of odd size without its pad byte.
	odd := testWAV(0.01)
	odd = append(odd, "junk\x03\x00\x00\x00abc"...)
	binary.LittleEndian.PutUint32(odd[4:], uint32(len(odd)-8))
	out, err = SignWAV(odd, Manifest{}, s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = Verify(out, roots)
	checkReport(t, r, true)
	// Broken files.
	for _, b := range [][]byte{[]byte("RIFF\x04\x00\x00\x00WAVE"), append(testWAV(0.01), "data\xff\xff\xff\x7f"...)} {
		if _, err := SignWAV(b, Manifest{}, s); err == nil {
			t.Errorf("broken WAV %q signed", b[:12])
		}
	}
}

// TestMediaInterop checks MP4 and WAV files signed here with c2pa-rs
// (c2pa-node 0.5.5): Trusted with the local CA as anchor, c2pa.created
// with trainedAlgorithmicMedia, and Invalid once one byte of the media
// changes; the signed MP4 still plays in FFmpeg; and Verify accepts
// the MP4 and WAV that c2pa-rs itself signs.
func TestMediaInterop(t *testing.T) {
	cn := mediatest.NeedC2PANode(t)
	s := testSigner(t)
	anchor := testCAFile(t, t.TempDir())
	type media struct {
		name, mime string
		in         []byte
		sign       func([]byte, Manifest, *Signer) ([]byte, error)
	}
	cases := []media{{"tone.wav", "audio/wav", testWAV(1), SignWAV}}
	_, err1 := exec.LookPath("ffmpeg")
	_, err2 := exec.LookPath("ffprobe")
	if err1 == nil && err2 == nil || os.Getenv("CI") != "" {
		last, fast := mediatest.Videos(t)
		cases = append(cases, media{"last.mp4", "video/mp4", last, SignMP4}, media{"fast.mp4", "video/mp4", fast, SignMP4})
	} else {
		t.Log("ffmpeg/ffprobe not installed: the MP4 cases are skipped")
	}
	for _, c := range cases {
		out, err := c.sign(c.in, mediaManifest(c.name, c.mime), s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		v := cn.Verify(t, "signed-"+c.name, out, c.mime, anchor)
		if v.State != "Trusted" || len(v.Failure) > 0 {
			t.Errorf("%s: state %q, failures %v; want Trusted without failures", c.name, v.State, v.Failure)
		}
		if !v.Created() {
			t.Errorf("%s: no c2pa.created with trainedAlgorithmicMedia in %+v", c.name, v.Actions)
		}
		if c.name != "fast.mp4" {
			// Without the anchor the only finding is the untrusted local CA.
			v = cn.Verify(t, "untrusted-"+c.name, out, c.mime, "")
			if v.State != "Valid" || !slices.Equal(v.Failure, []string{"signingCredential.untrusted"}) {
				t.Errorf("%s without anchor: state %q, failures %v; want Valid with only signingCredential.untrusted", c.name, v.State, v.Failure)
			}
		}
		// One byte of media changed: in mdat, or in the samples.
		bad := bytes.Clone(out)
		at := len(c.in) - 100
		if c.mime == "video/mp4" {
			top, _ := bmff.Top(out)
			mdat, _ := bmff.First(top, "mdat")
			at = mdat.Start + (mdat.End-mdat.Start)/2
		}
		bad[at] ^= 1
		v = cn.Verify(t, "tampered-"+c.name, bad, c.mime, anchor)
		if v.State != "Invalid" || !slices.ContainsFunc(v.Failure, func(f string) bool { return strings.HasSuffix(f, "Hash.mismatch") }) {
			t.Errorf("tampered %s: state %q, failures %v; want Invalid with a hash mismatch", c.name, v.State, v.Failure)
		}
		if r, _ := Verify(bad, testRoots(t)); r.Valid {
			t.Errorf("tampered %s: Verify says valid", c.name)
		}
		if c.mime == "video/mp4" {
			path := cn.Path("signed-" + c.name)
			if msg := mediatest.FFmpegDecodes(t, path); msg != "" {
				t.Errorf("signed %s: ffmpeg: %s", c.name, msg)
			}
		}
		// What c2pa-rs signs, Verify reads.
		rs := cn.Sign(t, c.name, c.in, c.mime, s.Key, s.Chain)
		r, err := Verify(rs, testRoots(t))
		if err != nil || !r.Valid || !r.Trusted || r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia {
			t.Errorf("%s signed by c2pa-rs: Verify %+v %v", c.name, r, err)
		}
		// And re-signing it here chains c2pa-rs's manifest.
		again, err := c.sign(rs, Manifest{Title: "re-signed", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited}}}, s)
		if err != nil {
			t.Fatal(err)
		}
		v = cn.Verify(t, "resigned-"+c.name, again, c.mime, anchor)
		if v.State != "Trusted" || len(v.Failure) > 0 || v.Manifests != 2 || v.Ingredients != 1 {
			t.Errorf("re-signed %s: %+v", c.name, v)
		}
		if f := v.IngredientFailures(); len(f) > 0 {
			t.Errorf("re-signed %s: ingredient failures %v", c.name, f)
		}
	}
}
