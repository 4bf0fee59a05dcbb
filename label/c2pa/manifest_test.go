package c2pa

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"miaobi/label/internal/container"
	"miaobi/label/internal/mediatest"
)

// c2paRocketJPEG is a real photograph (photo/testdata/rocket.jpg).
func c2paRocketJPEG(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "photo", "testdata", "rocket.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// c2paRocketPNG is the same photograph encoded as PNG.
func c2paRocketPNG(t testing.TB) []byte {
	img, err := jpeg.Decode(bytes.NewReader(c2paRocketJPEG(t)))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, rgba); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testAIGC is a GB 45438 implicit label as package label writes it into
// the cn.tc260.aigc assertion (this package only carries the JSON).
const testAIGC = `{"AIGC":{"Label":"1","ContentProducer":"Miaobi","ProduceID":"test-0123","ReservedCode1":"0123abcd","ContentPropagator":"Miaobi","PropagateID":"test-0123","ReservedCode2":""}}`

// aiManifest is what Miaobi writes for a generated picture.
func aiManifest(title string) Manifest {
	return Manifest{
		Title: title,
		Actions: []Action{{Action: ActionCreated, DigitalSourceType: DigitalSourceTrainedAlgorithmicMedia,
			SoftwareAgent: "Miaobi", Description: "generated", Parameters: map[string]string{"org.miaobi.command": "paint"}}},
		AIGC: testAIGC,
	}
}

// pngChunkList lists a PNG's chunk types, checking every CRC.
func pngChunkList(t *testing.T, b []byte) []string {
	t.Helper()
	var types []string
	err := container.PNGChunks(b, func(typ string, data []byte, start, end int) error {
		if crc32.ChecksumIEEE(b[start+4:end-4]) != binary.BigEndian.Uint32(b[end-4:]) {
			t.Errorf("chunk %s at %d: bad CRC", typ, start)
		}
		types = append(types, typ)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return types
}

func checkReport(t *testing.T, r Report, trusted bool) {
	t.Helper()
	if !r.Present || !r.Valid || r.Trusted != trusted || len(r.Errors) > 0 {
		t.Fatalf("report: %+v", r)
	}
}

func TestSignPNG(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	in := c2paRocketPNG(t)
	out, err := SignPNG(in, aiManifest("rocket.png"), s)
	if err != nil {
		t.Fatal(err)
	}
	types := pngChunkList(t, out)
	if types[0] != "IHDR" || types[1] != pngStoreChunk || strings.Count(strings.Join(types, ","), pngStoreChunk) != 1 {
		t.Errorf("chunks %v", types)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("png.Decode of the signed file: %v", err)
	}
	orig, _ := png.Decode(bytes.NewReader(in))
	if !reflect.DeepEqual(img, orig) {
		t.Error("signing changed the pixels")
	}
	clean, _ := Remove(out)
	if !bytes.Equal(clean, in) {
		t.Error("removing the store does not give back the input")
	}
	r, err := Verify(out, roots)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, true)
	if r.Title != "rocket.png" || strings.Join(r.Actions, ",") != ActionCreated || r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia ||
		r.Signer != "Miaobi Test Miaobi Signer, Miaobi Test" || r.Manifests != 1 || r.Ingredients != 0 {
		t.Errorf("report: %+v", r)
	}
	if r.AIGC != testAIGC {
		t.Errorf("AIGC assertion %q, want %q", r.AIGC, testAIGC)
	}
	// The hard binding excludes exactly the caBX chunk.
	fs, _ := findStore(out)
	if fs.Ranges[0].Start != 33 || fs.Ranges[0].End != 33+12+len(fs.JUMBF) {
		t.Errorf("store at %v", fs.Ranges)
	}
}

func TestSignJPEG(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	in := c2paRocketJPEG(t)
	out, err := SignJPEG(in, aiManifest("rocket.jpg"), s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("jpeg.Decode of the signed file: %v", err)
	}
	r, err := Verify(out, roots)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, true)
	if r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia || r.Title != "rocket.jpg" {
		t.Errorf("report %+v", r)
	}
	// After SOI and the leading APP0.
	var order []byte
	container.JPEGSegments(out, func(m byte, _ []byte, _, _ int) error { order = append(order, m); return nil })
	if order[0] != 0xe0 || order[1] != 0xeb {
		t.Errorf("segments % x", order[:4])
	}
	if clean, _ := Remove(out); !bytes.Equal(clean, in) {
		t.Error("removing the store does not give back the input")
	}
	store, _ := Extract(out)
	if !isStoreStart(store) {
		t.Error("Extract")
	}
	if none, err := Extract(in); none != nil || err != nil {
		t.Errorf("Extract of an unsigned file: %v %v", none, err)
	}
}

func TestTamper(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	for _, format := range []string{"png", "jpeg"} {
		var out []byte
		var err error
		if format == "png" {
			out, err = SignPNG(c2paRocketPNG(t), aiManifest("tamper"), s)
		} else {
			out, err = SignJPEG(c2paRocketJPEG(t), aiManifest("tamper"), s)
		}
		if err != nil {
			t.Fatal(err)
		}
		// One byte of image data changed: hash mismatch.
		pix := bytes.Clone(out)
		pix[len(pix)-100] ^= 0x01
		r, err := Verify(pix, roots)
		if err != nil || !r.Present || r.Valid || r.Trusted || !strings.Contains(strings.Join(r.Errors, ";"), "hash mismatch") {
			t.Errorf("%s: pixel byte changed: %+v %v", format, r, err)
		}
		// One byte of the claim changed (its title): signature invalid.
		claim := bytes.Clone(out)
		i := bytes.Index(claim, []byte("dc:title"))
		j := bytes.Index(claim[i:], []byte("tamper"))
		if i < 0 || j < 0 {
			t.Fatal("claim title not found")
		}
		claim[i+j] = 'T'
		r, _ = Verify(claim, roots)
		if r.Valid || !strings.Contains(strings.Join(r.Errors, ";"), "signature does not verify") {
			t.Errorf("%s: claim byte changed: %+v", format, r)
		}
		// An assertion byte changed: its hash no longer matches the claim.
		as := bytes.Clone(out)
		k := bytes.Index(as, []byte("org.miaobi.command"))
		as[k+len("org.miaobi.command")+2] ^= 0x20
		r, _ = Verify(as, roots)
		if r.Valid || !strings.Contains(strings.Join(r.Errors, ";"), "c2pa.actions.v2: hash mismatch") {
			t.Errorf("%s: assertion byte changed: %+v", format, r)
		}
		// Another root: valid, not trusted; no roots: the same.
		otherDir := t.TempDir()
		if err := InitKeys(otherDir, "Other", false); err != nil {
			t.Fatal(err)
		}
		otherPEM, _ := os.ReadFile(filepath.Join(otherDir, CAFile))
		other := x509CertPool(t, otherPEM)
		r, _ = Verify(out, other)
		if !r.Valid || r.Trusted || len(r.Warnings) == 0 {
			t.Errorf("%s: other root: %+v", format, r)
		}
		if r, _ := Verify(out, nil); !r.Valid || r.Trusted {
			t.Errorf("%s: no roots: %+v", format, r)
		}
	}
}

func TestNoStore(t *testing.T) {
	for _, format := range []string{"png", "jpeg"} {
		r, err := Verify(mediatest.Picture(t, format), nil)
		if err != nil || r.Present || r.Valid {
			t.Errorf("%s without a store: %+v %v", format, r, err)
		}
	}
	broken := mediatest.Picture(t, "png")
	if _, err := Verify(broken[:40], nil); !errors.Is(err, container.ErrDamaged) || !strings.HasPrefix(err.Error(), "label: c2pa: ") {
		t.Errorf("truncated PNG: %v", err)
	}
	if _, err := Verify([]byte("GIF89a..."), nil); !errors.Is(err, container.ErrFormat) {
		t.Errorf("GIF: %v", err)
	}
	if _, err := SignPNG(mediatest.Picture(t, "jpeg"), Manifest{}, testSigner(t)); !errors.Is(err, container.ErrFormat) {
		t.Errorf("SignPNG of a JPEG: %v", err)
	}
	if _, err := SignJPEG(mediatest.Picture(t, "png"), Manifest{}, testSigner(t)); !errors.Is(err, container.ErrFormat) {
		t.Errorf("SignJPEG of a PNG: %v", err)
	}
	if _, err := Remove([]byte("plain text")); !errors.Is(err, container.ErrFormat) {
		t.Errorf("Remove of text: %v", err)
	}
}

func TestManifestErrors(t *testing.T) {
	s := testSigner(t)
	in := mediatest.Picture(t, "png")
	parent := Ingredient{Title: "p", Relationship: RelationParentOf}
	for name, m := range map[string]Manifest{
		"first action edited":   {Actions: []Action{{Action: ActionEdited}}},
		"created without type":  {Actions: []Action{{Action: ActionCreated}}},
		"unnamed action":        {Actions: []Action{{Action: ActionCreated, DigitalSourceType: "x"}, {}}},
		"opened without parent": {Actions: []Action{{Action: ActionOpened}}},
		"two parents":           {Actions: []Action{{Action: ActionOpened}}, Ingredients: []Ingredient{parent, parent}},
		"bad relationship":      {Ingredients: []Ingredient{{Relationship: "childOf"}}},
		"reserved parameter":    {Actions: []Action{{Action: ActionCreated, DigitalSourceType: "x", Parameters: map[string]string{"ingredients": "x"}}}},
		"AIGC not JSON":         {AIGC: "{"},
		"format mismatch":       {Format: "image/jpeg"},
		"unreadable store":      {Ingredients: []Ingredient{{Title: "bad", ManifestStore: []byte("junk")}}},
	} {
		if _, err := SignPNG(in, m, s); err == nil || !strings.HasPrefix(err.Error(), "label: c2pa: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, bad := range []*Signer{nil, {}, {Key: s.Key}} {
		if _, err := SignPNG(in, Manifest{}, bad); err == nil {
			t.Errorf("signer %+v: no error", bad)
		}
	}
	other := testSignerFrom(t, t.TempDir())
	if _, err := SignPNG(in, Manifest{}, &Signer{Key: other.Key, Chain: s.Chain}); err == nil {
		t.Error("key not matching the certificate: no error")
	}
	// The default manifest: created, trainedAlgorithmicMedia.
	out, err := SignPNG(in, Manifest{}, s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := Verify(out, nil)
	if !r.Valid || r.DigitalSourceType != DigitalSourceTrainedAlgorithmicMedia || r.Title != "" {
		t.Errorf("default manifest: %+v", r)
	}
}

// An edit of a person's file: c2pa.edited with the file as the parentOf
// ingredient gets a c2pa.opened of it first.
func TestEditOfPersonsFile(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	person := mediatest.Picture(t, "jpeg")
	h := sha256.Sum256(person)
	m := Manifest{Title: "edited.jpg", Actions: []Action{{Action: ActionEdited, DigitalSourceType: DigitalSourceCompositeWithTrainedAlgorithmicMedia, SoftwareAgent: "Miaobi"}},
		Ingredients: []Ingredient{{Title: "photo.jpg", Format: "image/jpeg", Relationship: RelationParentOf, Hash: h[:]}}}
	out, err := SignJPEG(c2paRocketJPEG(t), m, s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := Verify(out, roots)
	checkReport(t, r, true)
	if strings.Join(r.Actions, ",") != "c2pa.opened,c2pa.edited" || r.Ingredients != 1 || r.Manifests != 1 ||
		r.DigitalSourceType != DigitalSourceCompositeWithTrainedAlgorithmicMedia {
		t.Errorf("report %+v", r)
	}
	// The opened action points at the ingredient by hash.
	store, _ := Extract(out)
	st, _ := parseStore(store)
	acts, _ := st.manifests[0].child("c2pa.assertions").child("c2pa.actions.v2").content("cbor")
	if !bytes.Contains(acts, []byte("self#jumbf=c2pa.assertions/c2pa.ingredient.v3")) {
		t.Error("c2pa.opened does not reference the ingredient")
	}
	// Re-signing a signed file with only c2pa.edited chains it as parentOf.
	again, err := SignJPEG(out, Manifest{Actions: []Action{{Action: ActionEdited}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = Verify(again, roots)
	checkReport(t, r, true)
	if strings.Join(r.Actions, ",") != "c2pa.opened,c2pa.edited" || r.Manifests != 2 {
		t.Errorf("re-signed edit: %+v", r)
	}
}

// testSignerFrom makes a fresh signer in dir.
func testSignerFrom(t *testing.T, dir string) *Signer {
	if err := InitKeys(dir, "Fresh", true); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Re-signing a signed file chains the old store: its manifest goes into
// the new store byte for byte and still verifies there.
func TestResignChains(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	for _, format := range []string{"png", "jpeg"} {
		sign := SignPNG
		in := c2paRocketPNG(t)
		if format == "jpeg" {
			sign, in = SignJPEG, c2paRocketJPEG(t)
		}
		first, err := sign(in, aiManifest("first"), s)
		if err != nil {
			t.Fatal(err)
		}
		oldStore, _ := Extract(first)
		oldSt, _ := parseStore(oldStore)
		oldManifest := oldSt.manifests[0]
		edit := Manifest{Title: "second", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited, Description: "explicit label stamped"}}}
		second, err := sign(first, edit, s)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := Verify(second, roots)
		checkReport(t, r, true)
		if r.Manifests != 2 || r.Ingredients != 1 || r.Title != "second" || strings.Join(r.Actions, ",") != "c2pa.opened,c2pa.edited" || len(r.Warnings) != 0 {
			t.Errorf("%s: report %+v", format, r)
		}
		// The old manifest is inside, unchanged, and verifies.
		store, _ := Extract(second)
		if !bytes.Contains(store, oldManifest.raw) {
			t.Errorf("%s: old manifest not carried byte for byte", format)
		}
		st, _ := parseStore(store)
		old := st.manifestByLabel(oldManifest.Label)
		if res := verifyManifest(newVerifyCtx(st), old, nil, nil, nil, 0); len(res.errors) > 0 || res.title != "first" {
			t.Errorf("%s: old manifest inside: %v", format, res.errors)
		}
		// The ingredient records the old file's hash, parentOf, and the
		// old manifest by hash.
		active := st.manifests[len(st.manifests)-1]
		ing, _ := active.child("c2pa.assertions").child("c2pa.ingredient.v3").content("cbor")
		v, _ := cborDecode(ing)
		im := v.(cborMap)
		md, _ := im.get("metadata")
		h := sha256.Sum256(first)
		am, _ := im.get("activeManifest")
		if im.str("relationship") != RelationParentOf || md.(cborMap).str("org.miaobi.sha256") != hex.EncodeToString(h[:]) ||
			!strings.HasSuffix(am.(cborMap).str("url"), oldManifest.Label) {
			t.Errorf("%s: ingredient %v", format, im)
		}
		// The content binding is the new file's, not the old one's.
		if clean, _ := Remove(second); !bytes.Equal(clean, in) {
			t.Errorf("%s: content changed by re-signing", format)
		}
		// A third signature with c2pa.created (a new generation that
		// reuses the file) chains it as componentOf; the chain grows.
		third, err := sign(second, aiManifest("third"), s)
		if err != nil {
			t.Fatal(err)
		}
		r, _ = Verify(third, roots)
		checkReport(t, r, true)
		if r.Manifests != 3 || r.Ingredients != 1 {
			t.Errorf("%s: third: %+v", format, r)
		}
		// An ingredient that already carries the store is not added twice.
		again, err := sign(first, Manifest{Actions: edit.Actions, Ingredients: []Ingredient{{Title: "first", Relationship: RelationParentOf, ManifestStore: oldStore}}}, s)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := Verify(again, roots); r.Ingredients != 1 || r.Manifests != 2 || !r.Valid {
			t.Errorf("%s: explicit ingredient: %+v", format, r)
		}
		// Tampering with the carried manifest breaks the chain.
		k := bytes.Index(second, []byte("first"))
		bad := bytes.Clone(second)
		bad[k] = 'F'
		if r, _ := Verify(bad, roots); r.Valid {
			t.Errorf("%s: changed ingredient manifest still valid", format)
		}
	}
}

// A store larger than one JPEG segment (64 KB) is split over APP11
// segments with the same box instance number, packet sequence numbers
// from 1, and the superbox header repeated in each continuation.
func TestJPEGSplit(t *testing.T) {
	s, roots := testSigner(t), testRoots(t)
	// A large ingredient store: a signed PNG whose title is 150 KB.
	bigTitle := strings.Repeat("大", 50000)
	ingFile, err := SignPNG(mediatest.Picture(t, "png"), Manifest{Title: bigTitle}, s)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := Extract(ingFile)
	h := sha256.Sum256(ingFile)
	m := Manifest{
		Title:   "edited",
		Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited}},
		Ingredients: []Ingredient{{Title: "person.png", Format: "image/png", Relationship: RelationParentOf,
			Hash: h[:], ManifestStore: store}},
	}
	in := c2paRocketJPEG(t)
	out, err := SignJPEG(in, m, s)
	if err != nil {
		t.Fatal(err)
	}
	segs, err := jpegJUMBFSegments(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) < 3 {
		t.Fatalf("%d APP11 segments for a %d-byte store", len(segs), len(store))
	}
	full, _ := Extract(out)
	for i, sg := range segs {
		if sg.En != jpegStoreEn || sg.Z != uint32(i+1) || sg.R.End-sg.R.Start > 0xffff+2 {
			t.Errorf("segment %d: En %#x Z %d, %d bytes", i, sg.En, sg.Z, sg.R.End-sg.R.Start)
		}
		if i > 0 && (!bytes.Equal(sg.Data[:8], full[:8]) || segs[i-1].R.End != sg.R.Start) {
			t.Errorf("segment %d does not repeat the box header or is not contiguous", i)
		}
	}
	if segs[0].R.End-segs[0].R.Start != 0xffff+2 {
		t.Errorf("first segment is %d bytes, not full", segs[0].R.End-segs[0].R.Start)
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("jpeg.Decode: %v", err)
	}
	r, _ := Verify(out, roots)
	checkReport(t, r, true)
	if r.Manifests != 2 || r.Ingredients != 1 {
		t.Errorf("report %+v", r)
	}
	if clean, _ := Remove(out); !bytes.Equal(clean, in) {
		t.Error("removing the split store does not give back the input")
	}
	// A missing middle segment is damage, not a different store.
	cut := append(bytes.Clone(out[:segs[1].R.Start]), out[segs[1].R.End:]...)
	if _, err := Verify(cut, roots); !errors.Is(err, container.ErrDamaged) {
		t.Errorf("missing segment: %v", err)
	}
	// Segment sizes at the boundaries.
	for _, n := range []int{8, jpegMaxSegment - 8, jpegMaxSegment - 7, 2*jpegMaxSegment - 24, 2*jpegMaxSegment - 23} {
		st := make([]byte, n)
		binary.BigEndian.PutUint32(st, uint32(n))
		copy(st[4:], "jumb")
		u, err := containerUnits("jpeg", st, 7)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for i := 0; i < len(u); {
			l := int(binary.BigEndian.Uint16(u[i+2:]))
			p := u[i+4 : i+2+l]
			if i == 0 {
				got = append(got, p[8:]...)
			} else {
				got = append(got, p[16:]...)
			}
			i += 2 + l
		}
		if !bytes.Equal(got, st) {
			t.Errorf("store of %d bytes does not reassemble", n)
		}
	}
}

// FuzzVerify: arbitrary bytes never panic Verify.
func FuzzVerify(f *testing.F) {
	s := testSigner(f)
	for _, format := range []string{"png", "jpeg"} {
		in := mediatest.Picture(f, format)
		var out []byte
		var err error
		if format == "png" {
			out, err = SignPNG(in, Manifest{Title: "t"}, s)
		} else {
			out, err = SignJPEG(in, Manifest{Title: "t"}, s)
		}
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
		store, _ := Extract(out)
		f.Add(append(append([]byte{0xff, 0xd8, 0xff, 0xeb, 0, 0}, "JP\x02\x11\x00\x00\x00\x01"...), store[:64]...))
	}
	// MP4 (both layouts) and WAV.
	for _, in := range [][]byte{mediatest.SynthMP4(true, nil), mediatest.SynthMP4(false, nil)} {
		out, err := SignMP4(in, Manifest{Title: "t"}, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
		f.Add(out[:len(out)/2])
	}
	wav, err := SignWAV(testWAV(0.01), Manifest{Title: "t"}, s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(wav)
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEC2PA\xff\xff\xff\xff"))
	f.Add([]byte("\x00\x00\x00\x0cftypisom\x00\x00\x00\x01uuid\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{0xff, 0xd8, 0xff})
	roots := testRoots(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Verify(b, roots)
		if err == nil && r.Valid && !r.Present {
			t.Fatal("valid without a store")
		}
	})
}
