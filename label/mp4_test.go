package label

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// synthMP4 builds a small, structurally complete MP4 without FFmpeg: one
// track whose three chunks (distinct bytes) lie in mdat, with moov first
// (faststart) or last, and udta/meta as given (nil: no udta).
func synthMP4(moovFirst bool, udta []byte) []byte {
	ftyp := bmffMake("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	var chunks [][]byte
	for i := range 3 {
		chunks = append(chunks, bytes.Repeat([]byte{byte(0x41 + i)}, 100+10*i))
	}
	mdatBody := bytes.Join(chunks, nil)
	mdat := bmffMake("mdat", mdatBody)
	moov := func(mdatAt int) []byte {
		stco := binary.BigEndian.AppendUint32(make([]byte, 4), uint32(len(chunks)))
		off := mdatAt + 8
		for _, c := range chunks {
			stco = binary.BigEndian.AppendUint32(stco, uint32(off))
			off += len(c)
		}
		stbl := bmffMake("stbl",
			bmffMake("stsd", make([]byte, 8)),
			bmffMake("stts", make([]byte, 8)),
			bmffMake("stsc", make([]byte, 8)),
			bmffMake("stsz", make([]byte, 12)),
			bmffMake("stco", stco))
		trak := bmffMake("trak", bmffMake("tkhd", make([]byte, 84)),
			bmffMake("mdia", bmffMake("mdhd", make([]byte, 24)),
				bmffMake("hdlr", make([]byte, 8), []byte("vide"), make([]byte, 13)),
				bmffMake("minf", bmffMake("vmhd", make([]byte, 12)), stbl)))
		parts := [][]byte{bmffMake("mvhd", make([]byte, 100)), trak}
		if udta != nil {
			parts = append(parts, udta)
		}
		return bmffMake("moov", parts...)
	}
	if moovFirst {
		n := len(moov(0))
		return bytes.Join([][]byte{ftyp, moov(len(ftyp) + n), mdat}, nil)
	}
	return bytes.Join([][]byte{ftyp, mdat, moov(len(ftyp))}, nil)
}

// mp4Chunks returns the bytes each chunk offset (stco, co64) points at,
// n bytes each, checking every offset lies in an mdat.
func mp4Chunks(t testing.TB, file []byte, n int) [][]byte {
	t.Helper()
	top, err := bmffTop(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	inMdat := func(o int) bool {
		for _, bx := range top {
			if bx.Type == "mdat" && o >= bx.Start+bx.Hdr && o+n <= bx.End {
				return true
			}
		}
		return false
	}
	err = bmffFixOffsets(bytes.Clone(file), func(o int64) (int64, error) {
		if !inMdat(int(o)) {
			t.Errorf("chunk offset %d is not inside mdat", o)
			out = append(out, nil)
			return o, nil
		}
		out = append(out, file[o:int(o)+n])
		return o, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testAIGC(id string) AIGC {
	return New(DefaultProducer, ProduceID("mp4 test", id), "00ff")
}

// TestMP4AIGCSynthetic: the label goes in and reads back, in both
// layouts; chunk offsets still point at the same media bytes; a second
// label replaces the first; other tags stay.
func TestMP4AIGCSynthetic(t *testing.T) {
	for _, first := range []bool{true, false} {
		in := synthMP4(first, nil)
		want := mp4Chunks(t, in, 100)
		a := testAIGC("one")
		out, err := EmbedAIGCMP4(in, a)
		if err != nil {
			t.Fatalf("moov first %v: %v", first, err)
		}
		if got := mp4Chunks(t, out, 100); !equalChunks(got, want) {
			t.Fatalf("moov first %v: chunk offsets no longer point at the media", first)
		}
		got, where, err := ReadAIGCMP4(out)
		if err != nil || got != a || where != "moov/udta/meta key AIGC" {
			t.Fatalf("read back: %+v %q %v", got, where, err)
		}
		// Replace it, with another mdta tag next to it.
		b := testAIGC("two")
		out2, err := EmbedAIGCMP4(out, b)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := ReadAIGCMP4(out2); err != nil || got != b {
			t.Fatalf("replaced: %+v %v", got, err)
		}
		if n := bytes.Count(out2, []byte("mdtaAIGC")); n != 1 {
			t.Errorf("%d AIGC keys after replacing", n)
		}
		if got := mp4Chunks(t, out2, 100); !equalChunks(got, want) {
			t.Fatal("chunk offsets wrong after replacing")
		}
	}
	// A file whose udta has an iTunes meta (what FFmpeg writes without
	// use_metadata_tags) keeps its tags under FFmpeg's names.
	item := bmffMake("\xa9too", bmffMake("data", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte("Lavf59.27.100")))
	cover := bmffMake("covr", bmffMake("data", []byte{0, 0, 0, 13, 0, 0, 0, 0}, []byte("\xff\xd8\xff")))
	mdir := bmffMake("meta", make([]byte, 4), bmffMake("hdlr", make([]byte, 8), []byte("mdirappl"), make([]byte, 9)),
		bmffMake("ilst", item, cover))
	in := synthMP4(true, bmffMake("udta", mdir, bmffMake("\xa9xyz", []byte("\x00\x11\x00\x00+35.0+139.0/"))))
	out, err := EmbedAIGCMP4(in, testAIGC("x"))
	if err != nil {
		t.Fatal(err)
	}
	moov, _ := findMoov(out)
	kids, _ := bmffChildren(out, moov)
	udta, _ := bmffFirst(kids, "udta")
	uk, _ := bmffChildren(out, udta)
	if len(uk) != 2 || uk[0].Type != "meta" || uk[1].Type != "\xa9xyz" {
		t.Fatalf("udta children %+v", uk)
	}
	entries, _, handler, err := readMetaEntries(out, uk[0])
	if err != nil || handler != "mdta" || len(entries) != 3 {
		t.Fatalf("meta %q %+v %v", handler, entries, err)
	}
	if e := entries[0]; e.NS != "mdta" || string(e.Key) != "encoder" || !bytes.Contains(e.Items[0], []byte("Lavf59")) {
		t.Errorf("encoder tag: %+v", e)
	}
	if e := entries[1]; e.NS != "udta" || string(e.Key) != "covr" {
		t.Errorf("cover: %+v", e)
	}
	if !entries[2].isAIGC() {
		t.Errorf("AIGC key: %+v", entries[2])
	}
}

func equalChunks(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestMP4AIGCErrors: files that are not MP4, or broken ones, give errors
// and no panic; a file without a label gives ErrNoLabel.
func TestMP4AIGCErrors(t *testing.T) {
	if _, err := EmbedAIGCMP4([]byte("not a movie at all"), testAIGC("e")); !errors.Is(err, ErrFormat) {
		t.Errorf("text: %v", err)
	}
	if _, _, err := ReadAIGCMP4(synthMP4(false, nil)); !errors.Is(err, ErrNoLabel) {
		t.Errorf("no label: %v", err)
	}
	bad := synthMP4(true, nil)
	binary.BigEndian.PutUint32(bad[32:], 0xfffffff0) // moov claims more than the file
	if _, err := EmbedAIGCMP4(bad, testAIGC("e")); !errors.Is(err, ErrDamaged) {
		t.Errorf("lying moov size: %v", err)
	}
	// Image items (HEIF's iloc) after a growing moov: refused, not broken.
	heif := append(synthMP4(true, nil), bmffMake("meta", make([]byte, 4), bmffMake("iloc", make([]byte, 8)))...)
	if _, err := EmbedAIGCMP4(heif, testAIGC("e")); !errors.Is(err, ErrFormat) {
		t.Errorf("iloc: %v", err)
	}
	if _, err := EmbedAIGCMP4(synthMP4(true, nil), AIGC{Label: "9"}); err == nil {
		t.Error("invalid label accepted")
	}
}

// needFFmpeg returns ffmpeg's and ffprobe's paths, skipping the test when
// they are missing (failing under CI).
func needFFmpeg(t testing.TB) (string, string) {
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

// testVideos makes two 3-second H.264/AAC MP4s with FFmpeg (testsrc and a
// 440 Hz sine): moov after mdat, and moov first (+faststart).
func testVideos(t testing.TB) (last, fast []byte) {
	ff, _ := needFFmpeg(t)
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

// ffprobeTags runs ffprobe -show_format -of json and returns the format
// tags.
func ffprobeTags(t testing.TB, path string) map[string]string {
	t.Helper()
	_, fp := needFFmpeg(t)
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

// ffmpegDecodes decodes every stream of path and returns FFmpeg's
// complaints ("" when there are none).
func ffmpegDecodes(t testing.TB, path string) string {
	t.Helper()
	ff, _ := needFFmpeg(t)
	out, err := exec.Command(ff, "-hide_banner", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil {
		return err.Error() + ": " + string(out)
	}
	return strings.TrimSpace(string(out))
}

// TestMP4AIGCFFmpeg: the label written here is the tag ffprobe reports as
// AIGC, the movie still decodes without an error in both layouts, and
// the box bytes are what FFmpeg itself writes with use_metadata_tags.
func TestMP4AIGCFFmpeg(t *testing.T) {
	last, fast := testVideos(t)
	ff, _ := needFFmpeg(t)
	dir := t.TempDir()
	a := testAIGC("ffprobe")
	for name, in := range map[string][]byte{"last.mp4": last, "fast.mp4": fast} {
		out, err := EmbedAIGCMP4(in, a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		tags := ffprobeTags(t, path)
		t.Logf("%s: ffprobe format tags %v", name, tags)
		if tags["AIGC"] != a.JSON() {
			t.Errorf("%s: ffprobe AIGC tag %q, want %q", name, tags["AIGC"], a.JSON())
		}
		if !strings.HasPrefix(tags["encoder"], "Lavf") {
			t.Errorf("%s: the encoder tag was lost: %v", name, tags)
		}
		if msg := ffmpegDecodes(t, path); msg != "" {
			t.Errorf("%s: ffmpeg -f null: %s", name, msg)
		}
		if got, _, err := ReadAIGCMP4(out); err != nil || got != a {
			t.Errorf("%s: read back %+v %v", name, got, err)
		}
	}
	// FFmpeg's own label: read it (bare JSON shape too), then replace it.
	src := filepath.Join(dir, "src.mp4")
	if err := os.WriteFile(src, fast, 0o644); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "ffmpeg-label.mp4")
	if out, err := exec.Command(ff, "-hide_banner", "-v", "error", "-y", "-i", src, "-map", "0", "-c", "copy",
		"-metadata", "AIGC="+a.InnerJSON(), "-movflags", "+use_metadata_tags+faststart", theirs).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	labelled, err := os.ReadFile(theirs)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := ReadAIGCMP4(labelled); err != nil || got != a {
		t.Fatalf("FFmpeg's label: %+v %v", got, err)
	}
	// Same handler box and the same item bytes as FFmpeg writes.
	ours, _ := EmbedAIGCMP4(labelled, a)
	theirsMeta, oursMeta := udtaMeta(t, labelled), udtaMeta(t, ours)
	if !bytes.Equal(theirsMeta.hdlr, mdtaHdlr) || !bytes.Equal(oursMeta.hdlr, mdtaHdlr) {
		t.Errorf("hdlr: FFmpeg % x, ours % x", theirsMeta.hdlr, oursMeta.hdlr)
	}
	b := testAIGC("replaced")
	out, err := EmbedAIGCMP4(labelled, b)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "replaced.mp4")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	before, after := ffprobeTags(t, theirs), ffprobeTags(t, path)
	if after["AIGC"] != b.JSON() || len(after) != len(before) {
		t.Errorf("replaced: tags %v, before %v", after, before)
	}
	for k, v := range before {
		if k != "AIGC" && after[k] != v {
			t.Errorf("tag %s: %q became %q", k, v, after[k])
		}
	}
	if msg := ffmpegDecodes(t, path); msg != "" {
		t.Errorf("replaced: %s", msg)
	}
	// The whole meta box equals FFmpeg's for the same tags: relabel with
	// the JSON FFmpeg was given and compare.
	same := bytes.Clone(labelled)
	if got := udtaMeta(t, same); !bytes.Equal(got.raw, theirsMeta.raw) {
		t.Fatal("udtaMeta is not deterministic")
	}
	entries, _, _, err := readMetaEntries(labelled, theirsMeta.box)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := buildMdtaMeta(labelled, entries, nil)
	if !bytes.Equal(rebuilt, theirsMeta.raw) {
		t.Errorf("meta rebuilt from FFmpeg's keys differs:\n% x\n% x", rebuilt, theirsMeta.raw)
	}
}

type metaParts struct {
	box       bmffBox
	raw, hdlr []byte
}

// udtaMeta returns moov/udta/meta of file.
func udtaMeta(t testing.TB, file []byte) metaParts {
	t.Helper()
	moov, err := findMoov(file)
	if err != nil {
		t.Fatal(err)
	}
	kids, _ := bmffChildren(file, moov)
	udta, ok := bmffFirst(kids, "udta")
	if !ok {
		t.Fatal("no udta")
	}
	uk, _ := bmffChildren(file, udta)
	meta, ok := bmffFirst(uk, "meta")
	if !ok {
		t.Fatal("no meta")
	}
	mk, _ := bmffChildren(file, meta)
	h, _ := bmffFirst(mk, "hdlr")
	return metaParts{box: meta, raw: file[meta.Start:meta.End], hdlr: file[h.Start:h.End]}
}

// FuzzReadMP4AIGC: arbitrary bytes never panic the MP4 label reader and
// writer. (Named so that `go test -fuzz FuzzReadAIGC` still matches one
// target.)
func FuzzReadMP4AIGC(f *testing.F) {
	a := testAIGC("fuzz")
	for _, first := range []bool{true, false} {
		in := synthMP4(first, nil)
		f.Add(in)
		out, err := EmbedAIGCMP4(in, a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
	f.Add([]byte("\x00\x00\x00\x0cftypisom"))
	f.Add([]byte("\x00\x00\x00\x10ftypisom\x00\x00\x00\x00\x00\x00\x00\x01moov\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, _, err := ReadAIGCMP4(b); err == nil && got.Label == "" && got.ProduceID == "" && got.ContentProducer == "" {
			t.Fatal("empty label read without error")
		}
		out, err := EmbedAIGCMP4(b, a)
		if err != nil {
			return
		}
		if got, _, err := ReadAIGCMP4(out); err != nil || got != a {
			t.Fatalf("embedded label reads back as %+v, %v", got, err)
		}
	})
}
