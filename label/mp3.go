package label

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/hajimehoshi/go-mp3"
)

// The implicit label of an MP3 file is an ID3v2.4 TXXX frame described
// "AIGC" holding the wrapped JSON, in UTF-8 (text encoding 3) — what
// gtkit/aigc writes and what `ffmpeg -metadata AIGC=…` writes, and what
// ffprobe shows as the format tag AIGC. The tag sits at the start of the
// file. EmbedAIGCMP3 rewrites the leading ID3v2.3 or ID3v2.4 tag as
// ID3v2.4, keeping its other frames.

// Limits of the ID3 reader.
const (
	id3MaxTags   = 8         // consecutive leading tags read
	id3MaxFrames = 4096      // frames read per tag
	mp3SyncScan  = 64 << 10  // bytes after the tags searched for an MPEG frame header
	id3MaxSize   = 1<<28 - 1 // largest syncsafe size
)

// mp3FrameHeader reports whether b starts with a plausible MPEG audio
// frame header (layer I, II or III of MPEG 1, 2 or 2.5).
func mp3FrameHeader(b []byte) bool {
	return len(b) >= 4 && b[0] == 0xff && b[1]&0xe0 == 0xe0 &&
		(b[1]>>3)&3 != 1 && (b[1]>>1)&3 != 0 && b[2]>>4 != 15 && (b[2]>>2)&3 != 3
}

// syncsafe decodes a 28-bit syncsafe integer; ok is false when a byte has
// its top bit set.
func syncsafe(b []byte) (n int, ok bool) {
	for _, c := range b[:4] {
		if c&0x80 != 0 {
			return 0, false
		}
		n = n<<7 | int(c)
	}
	return n, true
}

func appendSyncsafe(out []byte, n int) []byte {
	return append(out, byte(n>>21&0x7f), byte(n>>14&0x7f), byte(n>>7&0x7f), byte(n&0x7f))
}

// id3Tag is one ID3v2 tag.
type id3Tag struct {
	major byte // 2, 3 or 4
	flags byte
	body  []byte // after the header and extended header, unsynchronisation undone for v2.2/2.3
	end   int    // offset after the tag (footer included)
}

// id3Tags reads the consecutive ID3v2 tags at the start of b.
func id3Tags(b []byte) ([]id3Tag, error) {
	var tags []id3Tag
	off := 0
	for len(tags) < id3MaxTags && len(b)-off >= 10 && string(b[off:off+3]) == "ID3" {
		h := b[off : off+10]
		major, flags := h[3], h[5]
		size, ok := syncsafe(h[6:10])
		if !ok || h[4] == 0xff || major == 0xff {
			return tags, fmt.Errorf("label: mp3: %w: ID3v2 header at offset %d is malformed", ErrDamaged, off)
		}
		if major < 2 || major > 4 {
			return tags, fmt.Errorf("label: mp3: ID3v2.%d tag at offset %d: only versions 2.2 to 2.4 are read", major, off)
		}
		end := off + 10 + size
		if major == 4 && flags&0x10 != 0 {
			end += 10 // footer
		}
		if end > len(b) {
			return tags, fmt.Errorf("label: mp3: %w: ID3v2 tag at offset %d declares %d bytes, but only %d follow (truncated file)", ErrDamaged, off, size, len(b)-off-10)
		}
		body := b[off+10 : off+10+size]
		if major < 4 && flags&0x80 != 0 {
			body = id3Resync(body)
		}
		if flags&0x40 != 0 && major >= 3 { // extended header
			if len(body) < 4 {
				return tags, fmt.Errorf("label: mp3: %w: ID3v2 extended header cut short", ErrDamaged)
			}
			var n int
			if major == 3 {
				n = 4 + int(binary.BigEndian.Uint32(body))
			} else if n, ok = syncsafe(body); !ok {
				return tags, fmt.Errorf("label: mp3: %w: ID3v2.4 extended header size is not syncsafe", ErrDamaged)
			}
			if n < 4 || n > len(body) {
				return tags, fmt.Errorf("label: mp3: %w: ID3v2 extended header of %d bytes in a tag of %d", ErrDamaged, n, len(body))
			}
			body = body[n:]
		}
		tags = append(tags, id3Tag{major: major, flags: flags, body: body, end: end})
		off = end
	}
	return tags, nil
}

// id3Size is the length of the ID3v2 tags at the start of b (0 if none).
func id3Size(b []byte) (int, error) {
	tags, err := id3Tags(b)
	if err != nil {
		return 0, err
	}
	if len(tags) == 0 {
		return 0, nil
	}
	return tags[len(tags)-1].end, nil
}

// id3Resync undoes unsynchronisation: every 0xFF 0x00 becomes 0xFF.
func id3Resync(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xff, 0x00}) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		out = append(out, b[i])
		if b[i] == 0xff && i+1 < len(b) && b[i+1] == 0 {
			i++
		}
	}
	return out
}

// id3Frame is one frame of a tag.
type id3Frame struct {
	id    string
	flags [2]byte // as stored in the tag's version
	data  []byte
}

func id3ValidID(id []byte) bool {
	for _, c := range id {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// frames lists a tag's frames, stopping at padding.
func (t id3Tag) frames() ([]id3Frame, error) {
	var out []id3Frame
	b := t.body
	idLen, hdrLen := 4, 10
	if t.major == 2 {
		idLen, hdrLen = 3, 6
	}
	for off := 0; off+hdrLen <= len(b) && len(out) < id3MaxFrames; {
		id := b[off : off+idLen]
		if id[0] == 0 {
			break // padding
		}
		if !id3ValidID(id) {
			return out, fmt.Errorf("label: mp3: %w: ID3v2.%d frame ID %q at offset %d", ErrDamaged, t.major, id, off)
		}
		var size int
		switch t.major {
		case 2:
			size = int(b[off+3])<<16 | int(b[off+4])<<8 | int(b[off+5])
		case 3:
			size = int(binary.BigEndian.Uint32(b[off+4:]))
		default:
			plain := int(binary.BigEndian.Uint32(b[off+4:]))
			ss, ok := syncsafe(b[off+4:])
			size = ss
			// Some writers put plain sizes in v2.4 tags: take the plain
			// size when the syncsafe one does not land on a frame.
			if !ok || (ss != plain && !t.frameAt(off+hdrLen+ss) && t.frameAt(off+hdrLen+plain)) {
				size = plain
			}
		}
		if size < 0 || off+hdrLen+size > len(b) {
			return out, fmt.Errorf("label: mp3: %w: ID3v2.%d frame %s at offset %d declares %d bytes, past the tag's end", ErrDamaged, t.major, id, off, size)
		}
		f := id3Frame{id: string(id), data: b[off+hdrLen : off+hdrLen+size]}
		if t.major > 2 {
			f.flags = [2]byte{b[off+8], b[off+9]}
		}
		out = append(out, f)
		off += hdrLen + size
	}
	return out, nil
}

// frameAt reports whether a v2.4 frame (or padding, or the end) starts at
// off.
func (t id3Tag) frameAt(off int) bool {
	switch {
	case off == len(t.body):
		return true
	case off < 0 || off > len(t.body):
		return false
	case t.body[off] == 0:
		return true
	case off+10 > len(t.body):
		return false
	}
	return id3ValidID(t.body[off : off+4])
}

// content gives a frame's data with unsynchronisation undone and the data
// length indicator and group byte skipped; ok is false for compressed or
// encrypted frames, which are not read.
func (f id3Frame) content(t id3Tag) ([]byte, bool) {
	d := f.data
	switch t.major {
	case 3:
		if f.flags[1]&0xc0 != 0 { // compressed or encrypted
			return nil, false
		}
		if f.flags[1]&0x20 != 0 && len(d) > 0 { // group byte
			d = d[1:]
		}
	case 4:
		if f.flags[1]&0x0c != 0 {
			return nil, false
		}
		if f.flags[1]&0x40 != 0 && len(d) > 0 {
			d = d[1:]
		}
		if f.flags[1]&0x01 != 0 {
			if len(d) < 4 {
				return nil, false
			}
			d = d[4:]
		}
		if f.flags[1]&0x02 != 0 || t.flags&0x80 != 0 {
			d = id3Resync(d)
		}
	}
	return d, true
}

// id3Text decodes an ID3 text in the given encoding (0 ISO-8859-1,
// 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8) up to its terminator, and
// returns the bytes after the terminator.
func id3Text(enc byte, b []byte) (string, []byte) {
	if enc == 1 || enc == 2 {
		end := len(b) &^ 1
		rest := b[end:]
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				end, rest = i, b[i+2:]
				break
			}
		}
		u := b[:end]
		big := enc == 2
		if len(u) >= 2 && enc == 1 {
			switch {
			case u[0] == 0xfe && u[1] == 0xff:
				big, u = true, u[2:]
			case u[0] == 0xff && u[1] == 0xfe:
				u = u[2:]
			}
		}
		units := make([]uint16, len(u)/2)
		for i := range units {
			if big {
				units[i] = binary.BigEndian.Uint16(u[2*i:])
			} else {
				units[i] = binary.LittleEndian.Uint16(u[2*i:])
			}
		}
		return string(utf16.Decode(units)), rest
	}
	s, rest := b, []byte(nil)
	if i := bytes.IndexByte(b, 0); i >= 0 {
		s, rest = b[:i], b[i+1:]
	}
	if enc == 0 {
		r := make([]rune, len(s))
		for i, c := range s {
			r[i] = rune(c)
		}
		return string(r), rest
	}
	return strings.ToValidUTF8(string(s), "\uFFFD"), rest
}

// txxx splits a TXXX (v2.3/2.4) or TXX (v2.2) frame into its description
// and value.
func txxx(d []byte) (desc, value string, ok bool) {
	if len(d) < 2 || d[0] > 3 {
		return "", "", false
	}
	desc, rest := id3Text(d[0], d[1:])
	value, _ = id3Text(d[0], rest)
	return desc, value, true
}

// isAIGCFrame reports whether a frame is a TXXX frame described AIGC.
func isAIGCFrame(t id3Tag, f id3Frame) (string, bool) {
	if f.id != "TXXX" && f.id != "TXX" {
		return "", false
	}
	d, ok := f.content(t)
	if !ok {
		return "", false
	}
	desc, value, ok := txxx(d)
	if !ok || !strings.EqualFold(desc, "AIGC") {
		return "", false
	}
	return value, true
}

// ReadAIGCMP3 finds the implicit label in an MP3 file: a TXXX frame
// described AIGC in an ID3v2.2, 2.3 or 2.4 tag at the start, in either
// JSON shape. It returns the label and where it was found; ErrNoLabel
// when there is none.
func ReadAIGCMP3(b []byte) (AIGC, string, error) {
	if AudioFormat(b) != "mp3" {
		return AIGC{}, "", fmt.Errorf("label: mp3: %w: not an MP3 file", ErrFormat)
	}
	tags, err := id3Tags(b)
	var firstErr error
	for _, t := range tags {
		frames, ferr := t.frames()
		for _, f := range frames {
			v, ok := isAIGCFrame(t, f)
			if !ok {
				continue
			}
			a, perr := ParseAIGC(v)
			if perr == nil {
				return a, fmt.Sprintf("MP3 ID3v2.%d TXXX:AIGC", t.major), nil
			}
			if firstErr == nil {
				firstErr = perr
			}
		}
		if ferr != nil && err == nil {
			err = ferr
		}
	}
	if firstErr != nil {
		return AIGC{}, "", firstErr
	}
	if err != nil {
		return AIGC{}, "", err
	}
	return AIGC{}, "", ErrNoLabel
}

// EmbedAIGCMP3 writes the implicit label into an MP3 file as an ID3v2.4
// TXXX frame described AIGC (UTF-8, the wrapped JSON). An ID3v2.3 or
// ID3v2.4 tag at the start is rewritten as ID3v2.4 with its other frames
// kept (v2.3 TYER becomes TDRC; compressed or encrypted v2.3 frames and
// the extended header are dropped); an ID3v2.2 tag is replaced. Any AIGC
// frame already there is replaced (GB 45438 §6.1 c: one implicit label
// per file).
func EmbedAIGCMP3(b []byte, l AIGC) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if AudioFormat(b) != "mp3" {
		return nil, fmt.Errorf("label: mp3: %w: not an MP3 file", ErrFormat)
	}
	tags, err := id3Tags(b)
	if err != nil {
		return nil, err
	}
	audioAt := 0
	if len(tags) > 0 {
		audioAt = tags[len(tags)-1].end
	}
	if !mp3HasFrame(b[audioAt:]) {
		return nil, fmt.Errorf("label: mp3: %w: no MPEG audio frame after the ID3 tag", ErrFormat)
	}
	var body []byte
	frame := func(id string, flags [2]byte, data []byte) {
		body = append(body, id...)
		body = appendSyncsafe(body, len(data))
		body = append(body, flags[:]...)
		body = append(body, data...)
	}
	value := append([]byte{3}, "AIGC\x00"...)
	frame("TXXX", [2]byte{}, append(value, l.JSON()...))
	seen := map[string]bool{}
	for _, t := range tags {
		if t.major == 2 {
			continue
		}
		frames, err := t.frames()
		if err != nil {
			return nil, err
		}
		for _, f := range frames {
			if _, ok := isAIGCFrame(t, f); ok {
				continue
			}
			if t.major == 4 {
				fl := f.flags
				if t.flags&0x80 != 0 {
					fl[1] |= 0x02 // the tag-wide unsynchronisation now marked per frame
				}
				frame(f.id, fl, f.data)
				seen[f.id] = true
				continue
			}
			// ID3v2.3 → 2.4: status flags move one bit right; grouping
			// keeps its byte; compressed or encrypted frames are dropped.
			if f.flags[1]&0xc0 != 0 {
				continue
			}
			id := f.id
			if id == "TYER" && !seen["TDRC"] {
				id = "TDRC"
			}
			fl := [2]byte{f.flags[0] >> 1 & 0x70, 0}
			if f.flags[1]&0x20 != 0 {
				fl[1] = 0x40
			}
			frame(id, fl, f.data)
			seen[id] = true
		}
	}
	if len(body) > id3MaxSize {
		return nil, fmt.Errorf("label: mp3: ID3 tag of %d bytes: at most %d", len(body), id3MaxSize)
	}
	out := make([]byte, 0, 10+len(body)+len(b)-audioAt)
	out = append(out, "ID3\x04\x00\x00"...)
	out = appendSyncsafe(out, len(body))
	out = append(out, body...)
	return append(out, b[audioAt:]...), nil
}

// mp3HasFrame reports whether an MPEG audio frame header starts within
// the first mp3SyncScan bytes of b.
func mp3HasFrame(b []byte) bool {
	b = b[:min(len(b), mp3SyncScan)]
	for i := 0; i+4 <= len(b); i++ {
		if b[i] == 0xff && mp3FrameHeader(b[i:]) {
			return true
		}
	}
	return false
}

// DecodeMP3 decodes an MP3 file (MPEG-1/2 Layer III) with
// github.com/hajimehoshi/go-mp3, to stereo at the file's rate; more than
// maxSeconds of sound is an error (0: an hour).
func DecodeMP3(file []byte, maxSeconds int) (a *Audio, err error) {
	if maxSeconds <= 0 {
		maxSeconds = 3600
	}
	defer func() { // the decoder is not fuzzed upstream: a panic is a damaged file
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("label: mp3: %w (%v)", ErrDamaged, r)
		}
	}()
	d, err := mp3.NewDecoder(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("label: mp3: %w", err)
	}
	if d.SampleRate() <= 0 || d.SampleRate() > AudioMaxRate {
		return nil, fmt.Errorf("label: mp3: sample rate %d", d.SampleRate())
	}
	limit := int64(maxSeconds) * int64(d.SampleRate()) * 4
	raw, err := io.ReadAll(io.LimitReader(d, limit+4))
	if err != nil && len(raw) == 0 {
		return nil, fmt.Errorf("label: mp3: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("label: mp3: longer than %d s", maxSeconds)
	}
	n := len(raw) / 4
	a = &Audio{Rate: d.SampleRate(), Channels: 2, Samples: make([]float32, 2*n)}
	for i := range 2 * n {
		a.Samples[i] = float32(int16(uint16(raw[2*i])|uint16(raw[2*i+1])<<8)) / 32768
	}
	return a, nil
}
