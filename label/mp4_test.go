package label

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/label/internal/bmff"
	"miaobi/label/internal/mediatest"
)

func testAIGC(id string) AIGC {
	return New(DefaultProducer, ProduceID("mp4 test", id), "00ff")
}

// TestMP4AIGCSynthetic: the label goes in and reads back, in both
// layouts; chunk offsets still point at the same media bytes; a second
// label replaces the first; other tags stay.
func TestMP4AIGCSynthetic(t *testing.T) {
	for _, first := range []bool{true, false} {
		in := mediatest.SynthMP4(first, nil)
		want := mediatest.MP4Chunks(t, in, 100)
		a := testAIGC("one")
		out, err := EmbedAIGCMP4(in, a)
		if err != nil {
			t.Fatalf("moov first %v: %v", first, err)
		}
		if got := mediatest.MP4Chunks(t, out, 100); !mediatest.EqualChunks(got, want) {
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
		if got := mediatest.MP4Chunks(t, out2, 100); !mediatest.EqualChunks(got, want) {
			t.Fatal("chunk offsets wrong after replacing")
		}
	}
	// A file whose udta has an iTunes meta (what FFmpeg writes without
	// use_metadata_tags) keeps its tags under FFmpeg's names.
	item := bmff.Make("\xa9too", bmff.Make("data", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte("Lavf59.27.100")))
	cover := bmff.Make("covr", bmff.Make("data", []byte{0, 0, 0, 13, 0, 0, 0, 0}, []byte("\xff\xd8\xff")))
	mdir := bmff.Make("meta", make([]byte, 4), bmff.Make("hdlr", make([]byte, 8), []byte("mdirappl"), make([]byte, 9)),
		bmff.Make("ilst", item, cover))
	in := mediatest.SynthMP4(true, bmff.Make("udta", mdir, bmff.Make("\xa9xyz", []byte("\x00\x11\x00\x00+35.0+139.0/"))))
	out, err := EmbedAIGCMP4(in, testAIGC("x"))
	if err != nil {
		t.Fatal(err)
	}
	moov, _ := findMoov(out)
	kids, _ := bmff.Children(out, moov)
	udta, _ := bmff.First(kids, "udta")
	uk, _ := bmff.Children(out, udta)
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

// TestMP4AIGCErrors: files that are not MP4, or broken ones, give errors
// and no panic; a file without a label gives ErrNoLabel.
func TestMP4AIGCErrors(t *testing.T) {
	if _, err := EmbedAIGCMP4([]byte("not a movie at all"), testAIGC("e")); !errors.Is(err, ErrFormat) {
		t.Errorf("text: %v", err)
	}
	if _, _, err := ReadAIGCMP4(mediatest.SynthMP4(false, nil)); !errors.Is(err, ErrNoLabel) {
		t.Errorf("no label: %v", err)
	}
	bad := mediatest.SynthMP4(true, nil)
	binary.BigEndian.PutUint32(bad[32:], 0xfffffff0) // moov claims more than the file
	if _, err := EmbedAIGCMP4(bad, testAIGC("e")); !errors.Is(err, ErrDamaged) {
		t.Errorf("lying moov size: %v", err)
	}
	// Image items (HEIF's iloc) after a growing moov: refused, not broken.
	heif := append(mediatest.SynthMP4(true, nil), bmff.Make("meta", make([]byte, 4), bmff.Make("iloc", make([]byte, 8)))...)
	if _, err := EmbedAIGCMP4(heif, testAIGC("e")); !errors.Is(err, ErrFormat) {
		t.Errorf("iloc: %v", err)
	}
	if _, err := EmbedAIGCMP4(mediatest.SynthMP4(true, nil), AIGC{Label: "9"}); err == nil {
		t.Error("invalid label accepted")
	}
}

// TestMP4AIGCFFmpeg: the label written here is the tag ffprobe reports as
// AIGC, the movie still decodes without an error in both layouts, and
// the box bytes are what FFmpeg itself writes with use_metadata_tags.
func TestMP4AIGCFFmpeg(t *testing.T) {
	last, fast := mediatest.Videos(t)
	ff, _ := mediatest.NeedFFmpeg(t)
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
		tags := mediatest.FFprobeTags(t, path)
		t.Logf("%s: ffprobe format tags %v", name, tags)
		if tags["AIGC"] != a.JSON() {
			t.Errorf("%s: ffprobe AIGC tag %q, want %q", name, tags["AIGC"], a.JSON())
		}
		if !strings.HasPrefix(tags["encoder"], "Lavf") {
			t.Errorf("%s: the encoder tag was lost: %v", name, tags)
		}
		if msg := mediatest.FFmpegDecodes(t, path); msg != "" {
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
	before, after := mediatest.FFprobeTags(t, theirs), mediatest.FFprobeTags(t, path)
	if after["AIGC"] != b.JSON() || len(after) != len(before) {
		t.Errorf("replaced: tags %v, before %v", after, before)
	}
	for k, v := range before {
		if k != "AIGC" && after[k] != v {
			t.Errorf("tag %s: %q became %q", k, v, after[k])
		}
	}
	if msg := mediatest.FFmpegDecodes(t, path); msg != "" {
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
	box       bmff.Box
	raw, hdlr []byte
}

// udtaMeta returns moov/udta/meta of file.
func udtaMeta(t testing.TB, file []byte) metaParts {
	t.Helper()
	moov, err := findMoov(file)
	if err != nil {
		t.Fatal(err)
	}
	kids, _ := bmff.Children(file, moov)
	udta, ok := bmff.First(kids, "udta")
	if !ok {
		t.Fatal("no udta")
	}
	uk, _ := bmff.Children(file, udta)
	meta, ok := bmff.First(uk, "meta")
	if !ok {
		t.Fatal("no meta")
	}
	mk, _ := bmff.Children(file, meta)
	h, _ := bmff.First(mk, "hdlr")
	return metaParts{box: meta, raw: file[meta.Start:meta.End], hdlr: file[h.Start:h.End]}
}

// FuzzReadMP4AIGC: arbitrary bytes never panic the MP4 label reader and
// writer. (Named so that `go test -fuzz FuzzReadAIGC` still matches one
// target.)
func FuzzReadMP4AIGC(f *testing.F) {
	a := testAIGC("fuzz")
	for _, first := range []bool{true, false} {
		in := mediatest.SynthMP4(first, nil)
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
