package c2pa

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// testTree is a store-shaped JUMBF tree using every description field.
func testTree() *jumbfBox {
	salt := plainBox("c2sh", bytes.Repeat([]byte{7}, 16))
	withSalt := superbox(uuidCBOR, "c2pa.actions.v2", plainBox("cbor", mustCBOR(cborMap{{"actions", []any{}}})))
	withSalt.Toggles |= jumdPrivate
	withSalt.Private = salt
	withID := superbox(uuidJSON, "with.id", plainBox("json", []byte(`{"a":1}`)))
	withID.Toggles |= jumdID | jumdSignature
	withID.ID = 0x01020304
	withID.Sig = bytes.Repeat([]byte{9}, 32)
	unlabelled := &jumbfBox{Type: "jumb", UUID: typeUUID("test"), Children: []*jumbfBox{plainBox("free", nil)}}
	return superbox(uuidStore, "c2pa",
		superbox(uuidManifest, "urn:c2pa:0000",
			superbox(uuidAssertions, "c2pa.assertions", withSalt, withID, unlabelled),
			superbox(uuidClaim, "c2pa.claim.v2", plainBox("cbor", []byte{0xa0})),
		))
}

// clearRaw forgets where parsed boxes came from, so encode rebuilds them
// from their fields.
func clearRaw(b *jumbfBox) {
	b.raw, b.hdr = nil, 0
	if b.Private != nil {
		clearRaw(b.Private)
	}
	for _, c := range b.Children {
		clearRaw(c)
	}
}

func TestJUMBFRoundTrip(t *testing.T) {
	tree := testTree()
	enc, err := tree.encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint32(enc); int(got) != len(enc) || string(enc[4:8]) != "jumb" || string(enc[12:16]) != "jumd" {
		t.Fatalf("header %x", enc[:16])
	}
	if !isStoreStart(enc) {
		t.Error("isStoreStart: false for a store")
	}
	boxes, err := parseJUMBF(enc)
	if err != nil || len(boxes) != 1 {
		t.Fatalf("parse: %v, %d boxes", err, len(boxes))
	}
	root := boxes[0]
	m := root.child("urn:c2pa:0000")
	as := m.child("c2pa.assertions")
	if root.Label != "c2pa" || root.UUID != uuidStore || m == nil || m.UUID != uuidManifest || as == nil {
		t.Fatalf("tree: %+v", root)
	}
	act := as.child("c2pa.actions.v2")
	if act.Toggles != 0x13 || act.Private == nil || act.Private.Type != "c2sh" || len(act.Private.Data) != 16 {
		t.Errorf("salted assertion: %+v", act)
	}
	if data, ok := act.content("cbor"); !ok || !bytes.Equal(data, mustCBOR(cborMap{{"actions", []any{}}})) {
		t.Errorf("cbor content %x", data)
	}
	id := as.child("with.id")
	if id.ID != 0x01020304 || !bytes.Equal(id.Sig, bytes.Repeat([]byte{9}, 32)) || id.Toggles != 0x0f {
		t.Errorf("ID/signature: %+v", id)
	}
	if u := as.Children[2]; u.Label != "" || u.Toggles != 0 || u.Children[0].Type != "free" {
		t.Errorf("unlabelled superbox: %+v", u)
	}
	// Parsed boxes write back byte for byte, from raw and from fields.
	again, _ := root.encode()
	if !bytes.Equal(again, enc) {
		t.Error("re-encoding a parsed tree changed it")
	}
	clearRaw(root)
	rebuilt, err := root.encode()
	if err != nil || !bytes.Equal(rebuilt, enc) {
		t.Errorf("rebuilding a parsed tree from its fields changed it: %v", err)
	}
	// A hashed URI hashes the payload: the box without its 8-byte header.
	p, _ := act.payload()
	e, _ := act.encode()
	if !bytes.Equal(p, e[8:]) {
		t.Error("payload is not the box without its header")
	}
}

func TestJUMBFLengthForms(t *testing.T) {
	// XLBox: LBox 1 then an 8-byte length.
	x := []byte{0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 19, 'a', 'b', 'c'}
	boxes, err := parseJUMBF(x)
	if err != nil || len(boxes) != 1 || string(boxes[0].Data) != "abc" {
		t.Fatalf("XLBox: %v %+v", err, boxes)
	}
	if p, _ := boxes[0].payload(); string(p) != "abc" {
		t.Errorf("XLBox payload %q", p)
	}
	// LBox 0: to the end.
	z := []byte{0, 0, 0, 8, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 'f', 'r', 'e', 'e', 'x', 'y'}
	boxes, err = parseJUMBF(z)
	if err != nil || len(boxes) != 2 || string(boxes[1].Data) != "xy" {
		t.Fatalf("LBox 0: %v %+v", err, boxes)
	}
}

func TestJUMBFErrors(t *testing.T) {
	good, _ := testTree().encode()
	deep := plainBox("free", nil)
	for range jumbfMaxDepth + 2 {
		deep = superbox(typeUUID("deep"), "d", deep)
	}
	if _, err := deep.encode(); err == nil {
		t.Error("encoding nesting deeper than the limit: no error")
	}
	// Build the deep tree by hand, since encode refuses it.
	nested := []byte{0, 0, 0, 8, 'f', 'r', 'e', 'e'}
	for range jumbfMaxDepth + 2 {
		jumd := append([]byte{0, 0, 0, 0, 'j', 'u', 'm', 'd'}, make([]byte, 17)...)
		binary.BigEndian.PutUint32(jumd, uint32(len(jumd)))
		body := append(jumd, nested...)
		nested = append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), append([]byte("jumb"), body...)...)
	}
	for name, b := range map[string][]byte{
		"truncated header": good[:5],
		"truncated box":    good[:len(good)-1],
		"LBox below 8":     {0, 0, 0, 4, 'f', 'r', 'e', 'e'},
		"XLBox truncated":  {0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0},
		"XLBox too large":  {0, 0, 0, 1, 'f', 'r', 'e', 'e', 0xff, 0, 0, 0, 0, 0, 0, 0},
		"no jumd":          {0, 0, 0, 16, 'j', 'u', 'm', 'b', 0, 0, 0, 8, 'f', 'r', 'e', 'e'},
		"short jumd":       {0, 0, 0, 20, 'j', 'u', 'm', 'b', 0, 0, 0, 12, 'j', 'u', 'm', 'd', 1, 2, 3, 4},
		"unterminated label": append(append([]byte{0, 0, 0, 0x24, 'j', 'u', 'm', 'b', 0, 0, 0, 0x1c, 'j', 'u', 'm', 'd'},
			make([]byte, 16)...), 0x02, 'a', 'b', 'c'),
		"too deep": nested,
	} {
		if _, err := parseJUMBF(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for name, b := range map[string]*jumbfBox{
		"bad type":        {Type: "toolong", Data: nil},
		"NUL in label":    superbox(uuidStore, "a\x00b"),
		"short sig":       {Type: "jumb", Toggles: jumdSignature, Sig: []byte{1}},
		"missing private": {Type: "jumb", Toggles: jumdPrivate},
	} {
		if _, err := b.encode(); err == nil {
			t.Errorf("encode %s: no error", name)
		}
	}
	if !strings.Contains(uuidString(uuidClaim), "6332636c-0011-0010-8000-00aa00389b71") {
		t.Errorf("claim UUID %s", uuidString(uuidClaim))
	}
}

// uuidString formats a UUID the usual way.
func uuidString(u [16]byte) string {
	const h = "0123456789abcdef"
	var sb strings.Builder
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			sb.WriteByte('-')
		}
		sb.WriteByte(h[c>>4])
		sb.WriteByte(h[c&15])
	}
	return sb.String()
}

// FuzzParseJUMBF: any input parses or fails without panicking; what
// parses writes back unchanged and can be rebuilt from its fields.
func FuzzParseJUMBF(f *testing.F) {
	good, _ := testTree().encode()
	f.Add(good)
	f.Add([]byte{0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 16})
	f.Add([]byte{0, 0, 0, 0, 'j', 'u', 'm', 'b'})
	f.Fuzz(func(t *testing.T, b []byte) {
		boxes, err := parseJUMBF(b)
		if err != nil {
			return
		}
		var out []byte
		for _, box := range boxes {
			e, err := box.encode()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e...)
			if _, err := box.payload(); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out, b) {
			t.Fatal("parsed boxes do not write back unchanged")
		}
		for _, box := range boxes {
			clearRaw(box)
			_, _ = box.encode() // may refuse, must not panic
		}
	})
}
