package label

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"miaobi/label/watermark"
)

func testLabel() AIGC {
	return New(DefaultProducer, ProduceID("paint", "山水", "42"), "")
}

func TestAIGCJSON(t *testing.T) {
	a := testLabel()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{a.JSON(), a.InnerJSON()} {
		got, err := ParseAIGC(s)
		if err != nil || got != a {
			t.Errorf("ParseAIGC(%s) = %+v, %v", s, got, err)
		}
	}
	if !strings.HasPrefix(a.JSON(), `{"AIGC":{"Label":"1","ContentProducer":"Miaobi","ProduceID":"`) {
		t.Errorf("wrapped JSON %s", a.JSON())
	}
	if a.PropagateID != a.ProduceID || a.ContentPropagator != a.ContentProducer {
		t.Error("first write must repeat the producer in the propagator fields")
	}
	if ProduceID("a", "bc") == ProduceID("ab", "c") || len(ProduceID("x")) != 16 {
		t.Error("ProduceID parts are not length-delimited or not 16 hex digits")
	}
	for _, bad := range []AIGC{
		{Label: "4"},
		{Label: "1", ContentProducer: "妙笔"},
		{Label: "1", ProduceID: "has space"},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	for _, bad := range []string{"", "{", `{"Other":1}`, "[]"} {
		if _, err := ParseAIGC(bad); err == nil {
			t.Errorf("ParseAIGC(%q) accepted", bad)
		}
	}
}

func picture() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

func encode(t testing.TB, format string, img image.Image) []byte {
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEmbedAIGC(t *testing.T) {
	a := testLabel()
	photo, err := os.ReadFile("../photo/testdata/rocket.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"png", encode(t, "png", picture())},
		{"jpeg", encode(t, "jpeg", picture())},
		{"jfif photo", photo},
	} {
		out, err := EmbedAIGC(tc.file, a)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, where, err := ReadAIGC(out)
		if err != nil || got != a {
			t.Fatalf("%s: read %+v from %q, %v", tc.name, got, where, err)
		}
		// Still a picture, with the same pixels.
		before, _, err1 := image.Decode(bytes.NewReader(tc.file))
		after, _, err2 := image.Decode(bytes.NewReader(out))
		if err1 != nil || err2 != nil || before.Bounds() != after.Bounds() || before.At(10, 10) != after.At(10, 10) {
			t.Fatalf("%s: decoding changed: %v %v", tc.name, err1, err2)
		}
		// Relabelling replaces: one label, the new one.
		b := a
		b.ProduceID, b.PropagateID = "0123456789abcdef", "0123456789abcdef"
		again, err := EmbedAIGC(out, b)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(again, []byte("</TC260:AIGC>")); n != 1 {
			t.Errorf("%s: %d AIGC tags after relabelling", tc.name, n)
		}
		if got, _, _ := ReadAIGC(again); got.ProduceID != b.ProduceID {
			t.Errorf("%s: relabelled ProduceID %q", tc.name, got.ProduceID)
		}
		if _, _, err := ReadAIGC(tc.file); !errors.Is(err, ErrNoLabel) {
			t.Errorf("%s: unlabelled file: %v", tc.name, err)
		}
	}
	if _, err := EmbedAIGC([]byte("GIF89a"), a); !errors.Is(err, ErrFormat) {
		t.Errorf("GIF: %v", err)
	}
	good := encode(t, "png", picture())
	if _, err := EmbedAIGC(good[:40], a); !errors.Is(err, ErrDamaged) {
		t.Errorf("truncated PNG: %v", err)
	}
}

func TestMergeXMP(t *testing.T) {
	other := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" TC260:AIGC="{&quot;Label&quot;:&quot;3&quot;}"><dc:creator>Li Bai</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	a := testLabel()
	merged := MergeXMP([]byte(other), a)
	if !bytes.Contains(merged, []byte("Li Bai")) {
		t.Error("merging lost the other XMP")
	}
	_, got, err := parseXMP(merged)
	if err != nil || got != a {
		t.Errorf("merged packet reads %+v, %v:\n%s", got, err, merged)
	}
	if bytes.Contains(merged, []byte(`&quot;3&quot;`)) {
		t.Error("the old label survived")
	}
}

// FuzzReadAIGC: arbitrary files never panic the reader.
func FuzzReadAIGC(f *testing.F) {
	a := testLabel()
	p, _ := EmbedAIGC(encode(f, "png", picture()), a)
	j, _ := EmbedAIGC(encode(f, "jpeg", picture()), a)
	f.Add(p[:200])
	f.Add(j[:300])
	f.Add([]byte(XMPPacket(a)))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadAIGC(b)
		parseXMP(b)
		if out, err := EmbedAIGC(b, a); err == nil {
			if got, _, err := ReadAIGC(out); err != nil || got != a {
				t.Fatalf("embedded into a fuzzed file, read back %+v, %v", got, err)
			}
		}
	})
}

func TestPayloadJSON(t *testing.T) {
	p := watermark.PayloadOf("json")
	b, err := json.Marshal(watermark.Detection{Found: true, Payload: p})
	if err != nil || !strings.Contains(string(b), `"payload":"`+p.String()+`"`) {
		t.Fatalf("%s, %v", b, err)
	}
	var d watermark.Detection
	if err := json.Unmarshal(b, &d); err != nil || d.Payload != p {
		t.Errorf("read back %v, %v", d.Payload, err)
	}
}

// TestEncodeOpaquePNGHash checks the shortcut Encode takes for opaque PNG:
// the integrity code it writes is the one a reader computes from the file.
func TestEncodeOpaquePNGHash(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 120))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	out, err := Encode(img, "png", Provenance{ProduceID: "opaque-png", AIGenerated: true, Layers: Layers{Metadata: true}})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := ReadAIGC(out)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := PixelHash(out)
	if err != nil {
		t.Fatal(err)
	}
	if a.ReservedCode1 != sum {
		t.Fatalf("ReservedCode1 %s, the file's pixels hash to %s", a.ReservedCode1, sum)
	}
}
