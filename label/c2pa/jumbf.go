package c2pa

// JUMBF (ISO/IEC 19566-5), the box format a C2PA manifest store is made
// of. A box is a 4-byte big-endian length (LBox, counting the header), a
// 4-byte type (TBox), then its payload; LBox 1 means an 8-byte length
// (XLBox) follows the type, LBox 0 that the box runs to the end. A
// superbox has type "jumb"; its first child is a description box "jumd":
// a 16-byte content-type UUID, a toggles byte (bit 0 requestable, bit 1
// label present, bit 2 ID present, bit 3 signature present, bit 4
// private box present), then a NUL-terminated UTF-8 label, a 4-byte ID,
// a 32-byte signature and a private box, each only when its bit is set.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// jumbfMaxDepth bounds superbox nesting when parsing (a C2PA store
// needs 4 levels; ingredient data boxes a few more).
const jumbfMaxDepth = 16

var errJUMBF = errors.New("malformed JUMBF")

// jumbfBox is one JUMBF box: a superbox (Type "jumb", with the fields of
// its description box and its children) or a plain box with Data.
type jumbfBox struct {
	Type string // four ASCII characters
	Data []byte // a plain box's payload

	UUID     [16]byte    // superbox content type
	Toggles  byte        // superbox description toggles
	Label    string      // superbox label (toggles bit 1)
	ID       uint32      // superbox ID (toggles bit 2)
	Sig      []byte      // 32-byte description signature (toggles bit 3)
	Private  *jumbfBox   // private box, e.g. the C2PA salt box "c2sh" (toggles bit 4)
	Children []*jumbfBox // boxes after the description box

	// raw is the whole box as read from a file, header included; hdr is
	// its header length. Parsed boxes are written back from raw, byte for
	// byte, so a manifest copied from another store keeps its hashes.
	raw []byte
	hdr int
}

// JUMBF description toggles.
const (
	jumdRequestable = 0x01
	jumdLabel       = 0x02
	jumdID          = 0x04
	jumdSignature   = 0x08
	jumdPrivate     = 0x10
)

// typeUUID is a C2PA content-type UUID: four ASCII characters followed
// by the ISO base suffix 0011-0010-8000-00AA00389B71.
func typeUUID(tag string) [16]byte {
	var u [16]byte
	copy(u[:4], tag)
	copy(u[4:], "\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71")
	return u
}

// C2PA superbox content types (C2PA 2.x §11.1).
var (
	uuidStore      = typeUUID("c2pa") // manifest store
	uuidManifest   = typeUUID("c2ma") // standard manifest
	uuidUpdate     = typeUUID("c2um") // update manifest
	uuidAssertions = typeUUID("c2as") // assertion store
	uuidClaim      = typeUUID("c2cl") // claim
	uuidSignature  = typeUUID("c2cs") // claim signature
	uuidCBOR       = typeUUID("cbor") // CBOR assertion
	uuidJSON       = typeUUID("json") // JSON assertion
)

// superbox builds a labelled, requestable superbox.
func superbox(uuid [16]byte, label string, children ...*jumbfBox) *jumbfBox {
	return &jumbfBox{Type: "jumb", UUID: uuid, Toggles: jumdRequestable | jumdLabel, Label: label, Children: children}
}

// plainBox builds a box with a payload.
func plainBox(typ string, data []byte) *jumbfBox {
	return &jumbfBox{Type: typ, Data: data}
}

// isSuper reports whether b is a superbox.
func (b *jumbfBox) isSuper() bool { return b.Type == "jumb" }

// child returns the first child superbox labelled label, or nil.
func (b *jumbfBox) child(label string) *jumbfBox {
	for _, c := range b.Children {
		if c.isSuper() && c.Label == label {
			return c
		}
	}
	return nil
}

// content returns the payload of the first plain child of type typ.
func (b *jumbfBox) content(typ string) ([]byte, bool) {
	for _, c := range b.Children {
		if c.Type == typ {
			return c.Data, true
		}
	}
	return nil, false
}

// encode returns the box, header included.
func (b *jumbfBox) encode() ([]byte, error) {
	return b.appendTo(nil, 0)
}

// payload returns the box without its LBox/TBox(/XLBox) header: what a
// C2PA hashed URI hashes.
func (b *jumbfBox) payload() ([]byte, error) {
	if b.raw != nil {
		return b.raw[b.hdr:], nil
	}
	e, err := b.encode()
	if err != nil {
		return nil, err
	}
	return e[8:], nil
}

func (b *jumbfBox) appendTo(out []byte, depth int) ([]byte, error) {
	if b.raw != nil {
		return append(out, b.raw...), nil
	}
	if depth > jumbfMaxDepth {
		return nil, fmt.Errorf("JUMBF nesting deeper than %d", jumbfMaxDepth)
	}
	if len(b.Type) != 4 {
		return nil, fmt.Errorf("JUMBF box type %q is not four bytes", b.Type)
	}
	start := len(out)
	out = append(out, 0, 0, 0, 0)
	out = append(out, b.Type...)
	if !b.isSuper() {
		out = append(out, b.Data...)
	} else {
		// Description box.
		d := len(out)
		out = append(out, 0, 0, 0, 0, 'j', 'u', 'm', 'd')
		out = append(out, b.UUID[:]...)
		out = append(out, b.Toggles)
		if b.Toggles&jumdLabel != 0 {
			if bytes.IndexByte([]byte(b.Label), 0) >= 0 || !utf8.ValidString(b.Label) {
				return nil, fmt.Errorf("JUMBF label %q is not NUL-free UTF-8", b.Label)
			}
			out = append(append(out, b.Label...), 0)
		}
		if b.Toggles&jumdID != 0 {
			out = binary.BigEndian.AppendUint32(out, b.ID)
		}
		if b.Toggles&jumdSignature != 0 {
			if len(b.Sig) != 32 {
				return nil, errors.New("JUMBF description signature must be 32 bytes")
			}
			out = append(out, b.Sig...)
		}
		if b.Toggles&jumdPrivate != 0 {
			if b.Private == nil {
				return nil, errors.New("JUMBF private box toggled but missing")
			}
			var err error
			if out, err = b.Private.appendTo(out, depth+1); err != nil {
				return nil, err
			}
		}
		binary.BigEndian.PutUint32(out[d:], uint32(len(out)-d))
		for _, c := range b.Children {
			var err error
			if out, err = c.appendTo(out, depth+1); err != nil {
				return nil, err
			}
		}
	}
	n := len(out) - start
	if n > math.MaxUint32 {
		return nil, errors.New("JUMBF box larger than 4 GiB")
	}
	binary.BigEndian.PutUint32(out[start:], uint32(n))
	return out, nil
}

// parseJUMBF parses a sequence of boxes filling b. The boxes keep
// references into b.
func parseJUMBF(b []byte) ([]*jumbfBox, error) {
	return parseBoxes(b, 0)
}

func parseBoxes(b []byte, depth int) ([]*jumbfBox, error) {
	if depth > jumbfMaxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", errJUMBF, jumbfMaxDepth)
	}
	var boxes []*jumbfBox
	for off := 0; off < len(b); {
		box, n, err := parseBox(b[off:], depth)
		if err != nil {
			return nil, fmt.Errorf("%w (at byte %d)", err, off)
		}
		boxes = append(boxes, box)
		off += n
	}
	return boxes, nil
}

// boxHeader reads a box header: its type, total length and header length.
func boxHeader(b []byte) (typ string, size, hdr int, err error) {
	if len(b) < 8 {
		return "", 0, 0, fmt.Errorf("%w: truncated box header", errJUMBF)
	}
	l := uint64(binary.BigEndian.Uint32(b))
	typ = string(b[4:8])
	hdr = 8
	switch {
	case l == 0:
		l = uint64(len(b))
	case l == 1:
		if len(b) < 16 {
			return "", 0, 0, fmt.Errorf("%w: truncated XLBox", errJUMBF)
		}
		l, hdr = binary.BigEndian.Uint64(b[8:]), 16
	}
	if l < uint64(hdr) || l > uint64(len(b)) {
		return "", 0, 0, fmt.Errorf("%w: box %q claims %d bytes of %d", errJUMBF, typ, l, len(b))
	}
	return typ, int(l), hdr, nil
}

// parseBox parses the first box of b and returns it and its length.
func parseBox(b []byte, depth int) (*jumbfBox, int, error) {
	typ, size, hdr, err := boxHeader(b)
	if err != nil {
		return nil, 0, err
	}
	box := &jumbfBox{Type: typ, raw: b[:size:size], hdr: hdr}
	body := b[hdr:size]
	if typ != "jumb" {
		box.Data = body
		return box, size, nil
	}
	dtyp, dsize, dhdr, err := boxHeader(body)
	if err != nil {
		return nil, 0, err
	}
	if dtyp != "jumd" {
		return nil, 0, fmt.Errorf("%w: superbox starts with %q, not jumd", errJUMBF, dtyp)
	}
	d := body[dhdr:dsize]
	if len(d) < 17 {
		return nil, 0, fmt.Errorf("%w: description box of %d bytes", errJUMBF, len(d))
	}
	copy(box.UUID[:], d)
	box.Toggles = d[16]
	d = d[17:]
	if box.Toggles&jumdLabel != 0 {
		i := bytes.IndexByte(d, 0)
		if i < 0 || !utf8.Valid(d[:i]) {
			return nil, 0, fmt.Errorf("%w: bad superbox label", errJUMBF)
		}
		box.Label, d = string(d[:i]), d[i+1:]
	}
	if box.Toggles&jumdID != 0 {
		if len(d) < 4 {
			return nil, 0, fmt.Errorf("%w: truncated superbox ID", errJUMBF)
		}
		box.ID, d = binary.BigEndian.Uint32(d), d[4:]
	}
	if box.Toggles&jumdSignature != 0 {
		if len(d) < 32 {
			return nil, 0, fmt.Errorf("%w: truncated superbox signature", errJUMBF)
		}
		box.Sig, d = d[:32], d[32:]
	}
	if box.Toggles&jumdPrivate != 0 {
		p, _, err := parseBox(d, depth+1)
		if err != nil {
			return nil, 0, err
		}
		box.Private = p
	}
	if box.Children, err = parseBoxes(body[dsize:], depth+1); err != nil {
		return nil, 0, err
	}
	return box, size, nil
}
