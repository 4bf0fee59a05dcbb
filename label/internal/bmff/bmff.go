// Package bmff reads and edits the ISO base media file format (ISO/IEC
// 14496-12: MP4, MOV, M4A): the box reader that the MP4 AIGC label
// (label/mp4.go) and C2PA for MP4 (label/c2pa) share, and the fix-up of
// absolute file offsets when boxes are inserted, removed or change size.
//
// A box is a 4-byte big-endian size (counting the header), a 4-byte
// type, then its payload; size 1 means a 64-bit size follows the type,
// size 0 that the box runs to the end of the file (top level only). A
// "uuid" box carries a 16-byte user type after the header. Offsets into
// the file live in stco and co64 (chunk offsets of each track's sample
// table), tfhd (base_data_offset of a movie fragment, when flagged) and
// tfra (moof_offset in the random-access index mfra); moving mdat or a
// moof means rewriting them, as ffmpeg's faststart and c2pa-rs do.
//
// Errors say "label: MP4: …" and wrap container.ErrDamaged or
// container.ErrFormat.
package bmff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"miaobi/label/internal/container"
)

// MaxDepth bounds box nesting when descending (a movie's sample
// table sits at depth 5: moov/trak/mdia/minf/stbl).
const MaxDepth = 12

// Box is one box of a file: file[Start:End], its header Hdr bytes
// long (8, or 16 with a 64-bit size).
type Box struct {
	Type       string
	Start, End int
	Hdr        int
}

// Payload is the box without its header.
func (bx Box) Payload(file []byte) []byte { return file[bx.Start+bx.Hdr : bx.End] }

// Damaged is the error for a box structure that does not hold together.
func Damaged(format string, args ...any) error {
	return fmt.Errorf("label: MP4: "+format+": %w", append(args, container.ErrDamaged)...)
}

// Boxes reads the boxes filling file[start:end]. At the top level a
// box of size 0 runs to end; below it a run of fewer than 8 zero bytes
// (QuickTime's udta terminator) ends the list.
func Boxes(file []byte, start, end int, top bool) ([]Box, error) {
	var boxes []Box
	for pos := start; pos < end; {
		rest := end - pos
		if rest < 8 {
			if !top && bytes.Count(file[pos:end], []byte{0}) == rest {
				break
			}
			return nil, Damaged("%d stray bytes at byte %d", rest, pos)
		}
		size := uint64(binary.BigEndian.Uint32(file[pos:]))
		typ := string(file[pos+4 : pos+8])
		hdr := 8
		switch size {
		case 0:
			if !top {
				return nil, Damaged("box %q at byte %d has size 0 inside another box", typ, pos)
			}
			size = uint64(rest)
		case 1:
			if rest < 16 {
				return nil, Damaged("box %q at byte %d: truncated 64-bit size", typ, pos)
			}
			size, hdr = binary.BigEndian.Uint64(file[pos+8:]), 16
		}
		if size < uint64(hdr) || size > uint64(rest) {
			return nil, Damaged("box %q at byte %d claims %d bytes, %d are left", typ, pos, size, rest)
		}
		boxes = append(boxes, Box{Type: typ, Start: pos, End: pos + int(size), Hdr: hdr})
		pos += int(size)
	}
	return boxes, nil
}

// Top reads a file's top-level boxes.
func Top(file []byte) ([]Box, error) { return Boxes(file, 0, len(file), true) }

// containers are the box types whose payload is a list of boxes,
// with the bytes before the list (a FullBox's version and flags).
var containers = map[string]int{
	"moov": 0, "trak": 0, "mdia": 0, "minf": 0, "stbl": 0, "udta": 0, "edts": 0, "dinf": 0,
	"mvex": 0, "moof": 0, "traf": 0, "mfra": 0, "tref": 0, "sinf": 0, "schi": 0, "ipro": 4,
	"meta": 4, "iprp": 0, "ipco": 0, "grpl": 0,
}

// Children reads the boxes inside a container box, or returns nil
// for a box that is not one. A meta box is a FullBox in MP4 but not in
// QuickTime; both are read.
func Children(file []byte, bx Box) ([]Box, error) {
	skip, ok := containers[bx.Type]
	if !ok {
		return nil, nil
	}
	p := bx.Payload(file)
	if bx.Type == "meta" && len(p) >= 8 && string(p[4:8]) == "hdlr" {
		skip = 0 // QuickTime meta: no version and flags
	}
	if len(p) < skip {
		return nil, Damaged("box %q at byte %d is too short", bx.Type, bx.Start)
	}
	return Boxes(file, bx.Start+bx.Hdr+skip, bx.End, false)
}

// First returns the first box of type typ in boxes.
func First(boxes []Box, typ string) (Box, bool) {
	for _, bx := range boxes {
		if bx.Type == typ {
			return bx, true
		}
	}
	return Box{}, false
}

// FixOffsets rewrites every absolute file offset the file's boxes
// hold (stco, co64, tfhd base_data_offset, tfra moof_offset) with move,
// which maps an offset of the file before an edit to the edited file.
// file is changed in place.
func FixOffsets(file []byte, move func(int64) (int64, error)) error {
	top, err := Top(file)
	if err != nil {
		return err
	}
	var walk func(boxes []Box, depth int) error
	walk = func(boxes []Box, depth int) error {
		if depth > MaxDepth {
			return Damaged("boxes nested deeper than %d", MaxDepth)
		}
		for _, bx := range boxes {
			var err error
			switch bx.Type {
			case "stco", "co64":
				err = fixChunkOffsets(file, bx, move)
			case "tfhd":
				err = fixTfhd(file, bx, move)
			case "tfra":
				err = fixTfra(file, bx, move)
			case "iloc":
				err = fmt.Errorf("label: MP4: %w: the file has image items (iloc) whose offsets are not rewritten here (HEIF/AVIF)", container.ErrFormat)
			case "mdat", "free", "skip", "uuid", "ftyp":
				continue
			default:
				var kids []Box
				if kids, err = Children(file, bx); err == nil && kids != nil {
					err = walk(kids, depth+1)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(top, 0)
}

func fixChunkOffsets(file []byte, bx Box, move func(int64) (int64, error)) error {
	p := bx.Payload(file)
	width := 4
	if bx.Type == "co64" {
		width = 8
	}
	if len(p) < 8 {
		return Damaged("%s at byte %d is too short", bx.Type, bx.Start)
	}
	n := uint64(binary.BigEndian.Uint32(p[4:]))
	if n > uint64(len(p)-8)/uint64(width) {
		return Damaged("%s at byte %d lists %d offsets in %d bytes", bx.Type, bx.Start, n, len(p)-8)
	}
	for i := range int(n) {
		e := p[8+i*width:]
		var o int64
		if width == 4 {
			o = int64(binary.BigEndian.Uint32(e))
		} else {
			u := binary.BigEndian.Uint64(e)
			if u > math.MaxInt64 {
				return Damaged("co64 offset %d", u)
			}
			o = int64(u)
		}
		m, err := move(o)
		if err != nil {
			return err
		}
		if width == 4 {
			if m < 0 || m > math.MaxUint32 {
				return fmt.Errorf("label: MP4: chunk offset %d does not fit stco's 32 bits", m)
			}
			binary.BigEndian.PutUint32(e, uint32(m))
		} else {
			binary.BigEndian.PutUint64(e, uint64(m))
		}
	}
	return nil
}

func fixTfhd(file []byte, bx Box, move func(int64) (int64, error)) error {
	p := bx.Payload(file)
	if len(p) < 8 {
		return Damaged("tfhd at byte %d is too short", bx.Start)
	}
	if p[3]&1 == 0 { // no base_data_offset: offsets are relative to the moof
		return nil
	}
	if len(p) < 16 {
		return Damaged("tfhd at byte %d is too short for its base_data_offset", bx.Start)
	}
	return move64(p[8:], move)
}

func move64(b []byte, move func(int64) (int64, error)) error {
	u := binary.BigEndian.Uint64(b)
	if u > math.MaxInt64 {
		return Damaged("offset %d", u)
	}
	m, err := move(int64(u))
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint64(b, uint64(m))
	return nil
}

func fixTfra(file []byte, bx Box, move func(int64) (int64, error)) error {
	p := bx.Payload(file)
	if len(p) < 16 {
		return Damaged("tfra at byte %d is too short", bx.Start)
	}
	v1 := p[0] == 1
	sizes := binary.BigEndian.Uint32(p[8:])
	tail := int((sizes>>4)&3+1) + int((sizes>>2)&3+1) + int(sizes&3+1)
	field := 4
	if v1 {
		field = 8
	}
	entry := 2*field + tail
	n := uint64(binary.BigEndian.Uint32(p[12:]))
	if n > uint64(len(p)-16)/uint64(entry) {
		return Damaged("tfra at byte %d lists %d entries in %d bytes", bx.Start, n, len(p)-16)
	}
	for i := range int(n) {
		e := p[16+i*entry+field:]
		if v1 {
			if err := move64(e, move); err != nil {
				return err
			}
			continue
		}
		m, err := move(int64(binary.BigEndian.Uint32(e)))
		if err != nil {
			return err
		}
		if m < 0 || m > math.MaxUint32 {
			return fmt.Errorf("label: MP4: moof offset %d does not fit tfra's 32 bits", m)
		}
		binary.BigEndian.PutUint32(e, uint32(m))
	}
	return nil
}

// Splice returns file with file[start:end] (whole top-level boxes,
// or nothing for an insertion) replaced by repl, and every absolute
// offset in the result moved to match: offsets before start stay,
// offsets at or after end shift by the change in length. An offset into
// the replaced bytes is an error.
func Splice(file []byte, start, end int, repl []byte) ([]byte, error) {
	if start < 0 || end < start || end > len(file) {
		return nil, errors.New("label: MP4: splice outside the file")
	}
	out := make([]byte, 0, len(file)-(end-start)+len(repl))
	out = append(append(append(out, file[:start]...), repl...), file[end:]...)
	delta := int64(len(repl) - (end - start))
	if delta == 0 {
		return out, nil
	}
	err := FixOffsets(out, func(o int64) (int64, error) {
		switch {
		case o < int64(start):
			return o, nil
		case o >= int64(end):
			return o + delta, nil
		}
		return 0, Damaged("a sample offset (%d) points into the rewritten box at bytes %d–%d", o, start, end)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Header returns the header of a box of the given type whose payload
// is n bytes long (a 64-bit size when it does not fit 32 bits).
func Header(typ string, n int) []byte {
	if uint64(n)+8 <= math.MaxUint32 {
		return append(binary.BigEndian.AppendUint32(nil, uint32(n+8)), typ...)
	}
	h := append(binary.BigEndian.AppendUint32(nil, 1), typ...)
	return binary.BigEndian.AppendUint64(h, uint64(n+16))
}

// Make returns a box of type typ holding the payload parts.
func Make(typ string, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := Header(typ, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Is reports whether b starts like an ISO BMFF file with an ftyp box.
func Is(b []byte) bool {
	return len(b) >= 12 && string(b[4:8]) == "ftyp" && binary.BigEndian.Uint32(b) >= 12
}
