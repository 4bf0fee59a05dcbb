package label

// The implicit AIGC label in MP4 (and MOV), written the way
//
//	ffmpeg -i in.mp4 -map 0 -c copy -metadata AIGC='<json>' -movflags +use_metadata_tags out.mp4
//
// writes it (FFmpeg movenc.c mov_write_meta_tag with FF_MOV_FLAG_USE_MDTA;
// shared/research/provenance.md §1.7):
//
//	moov
//	  udta
//	    meta                 FullBox, version 0
//	      hdlr               handler "mdta" (33 bytes, empty name)
//	      keys               FullBox; entry count; entries {size, "mdta", key}
//	      ilst               one item per key: type = the key's 1-based index
//	        <index>
//	          data           type 1 (UTF-8), locale 0, the value
//
// ffprobe and every FFmpeg-based reader show it as the format tag
// "AIGC". The value is the wrapped JSON {"AIGC":{…}} (AIGC.JSON).

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"miaobi/label/internal/bmff"
)

// mp4AIGCKey is the metadata key of the implicit label.
const mp4AIGCKey = "AIGC"

// mdtaEntry is one metadata key with the ilst items that hold its value
// (each the item's payload: its data atoms).
type mdtaEntry struct {
	NS    string // key namespace: "mdta", or "udta" for a kept non-text iTunes item
	Key   []byte
	Items [][]byte
}

func (e mdtaEntry) isAIGC() bool { return e.NS == "mdta" && string(e.Key) == mp4AIGCKey }

// mdirNames maps iTunes-style ilst item types to the names FFmpeg gives
// them, so a file with an iTunes "mdir" meta keeps its tags under the
// same names when the meta is rewritten as "mdta" (what FFmpeg does on
// remuxing with use_metadata_tags).
var mdirNames = map[string]string{
	"\xa9nam": "title", "\xa9ART": "artist", "aART": "album_artist", "\xa9alb": "album",
	"\xa9cmt": "comment", "\xa9day": "date", "\xa9gen": "genre", "\xa9too": "encoder",
	"\xa9enc": "encoder", "\xa9wrt": "composer", "cprt": "copyright", "\xa9cpy": "copyright",
	"desc": "description", "ldes": "synopsis", "\xa9grp": "grouping", "\xa9lyr": "lyrics",
	"\xa9xyz": "location", "tvsh": "show", "tven": "episode_id", "tvnn": "network",
}

// metaHandler returns the handler type of a meta box's hdlr ("mdta",
// "mdir", …), or "".
func metaHandler(file []byte, kids []bmff.Box) string {
	if h, ok := bmff.First(kids, "hdlr"); ok {
		if p := h.Payload(file); len(p) >= 12 {
			return string(p[8:12])
		}
	}
	return ""
}

// dataAtomText returns the value of the first data atom of an ilst item
// payload and whether it is UTF-8 text (well-known type 1).
func dataAtomText(file []byte, item bmff.Box) ([]byte, bool) {
	kids, err := bmff.Boxes(file, item.Start+item.Hdr, item.End, false)
	if err != nil {
		return nil, false
	}
	for _, k := range kids {
		if k.Type == "data" {
			p := k.Payload(file)
			if len(p) < 8 {
				return nil, false
			}
			return p[8:], binary.BigEndian.Uint32(p)&0xffffff == 1
		}
	}
	return nil, false
}

// readMetaEntries reads the keys and values of a meta box, mdta style,
// converting an iTunes (mdir) item list: text items become mdta keys
// under FFmpeg's names, other items are kept under "udta" keys (which
// FFmpeg ignores). It also returns the meta's other children (free
// space, …) to keep.
func readMetaEntries(file []byte, meta bmff.Box) (entries []mdtaEntry, others []bmff.Box, handler string, err error) {
	kids, err := bmff.Children(file, meta)
	if err != nil {
		return nil, nil, "", err
	}
	handler = metaHandler(file, kids)
	if handler != "mdta" && handler != "mdir" {
		return nil, kids, handler, nil // not a metadata item list
	}
	var ilst []bmff.Box
	for _, k := range kids {
		switch k.Type {
		case "hdlr":
		case "keys":
			if handler != "mdta" {
				others = append(others, k)
				continue
			}
			p := k.Payload(file)
			if len(p) < 8 {
				return nil, nil, "", bmff.Damaged("keys box at byte %d is too short", k.Start)
			}
			n := binary.BigEndian.Uint32(p[4:])
			p = p[8:]
			for i := uint32(0); i < n; i++ {
				if len(p) < 8 {
					return nil, nil, "", bmff.Damaged("keys box at byte %d lists %d keys but holds fewer", k.Start, n)
				}
				size := binary.BigEndian.Uint32(p)
				if size < 8 || uint64(size) > uint64(len(p)) {
					return nil, nil, "", bmff.Damaged("key %d in the keys box at byte %d claims %d bytes", i+1, k.Start, size)
				}
				entries = append(entries, mdtaEntry{NS: string(p[4:8]), Key: p[8:size]})
				p = p[size:]
			}
		case "ilst":
			items, err := bmff.Boxes(file, k.Start+k.Hdr, k.End, false)
			if err != nil {
				return nil, nil, "", err
			}
			ilst = append(ilst, items...)
		default:
			others = append(others, k)
		}
	}
	for _, it := range ilst {
		body := file[it.Start+it.Hdr : it.End]
		if handler == "mdta" {
			idx := binary.BigEndian.Uint32([]byte(it.Type))
			if idx >= 1 && uint64(idx) <= uint64(len(entries)) {
				entries[idx-1].Items = append(entries[idx-1].Items, body)
			}
			continue // an item without a key is dropped, as readers ignore it
		}
		// iTunes item list: the item's type names it.
		e := mdtaEntry{NS: "udta", Key: []byte(it.Type), Items: [][]byte{body}}
		if _, text := dataAtomText(file, it); text {
			if it.Type == "----" {
				if name, data, ok := freeformItem(file, it); ok {
					e = mdtaEntry{NS: "mdta", Key: name, Items: [][]byte{data}}
				}
			} else if name, ok := mdirNames[it.Type]; ok {
				e.NS, e.Key = "mdta", []byte(name)
			} else if k := latin1(it.Type); utf8.ValidString(k) {
				e.NS, e.Key = "mdta", []byte(k)
			}
		}
		entries = append(entries, e)
	}
	return entries, others, handler, nil
}

// freeformItem reads an iTunes "----" item: its name and its data atoms.
func freeformItem(file []byte, it bmff.Box) (name, data []byte, ok bool) {
	kids, err := bmff.Boxes(file, it.Start+it.Hdr, it.End, false)
	if err != nil {
		return nil, nil, false
	}
	for _, k := range kids {
		switch k.Type {
		case "name":
			if p := k.Payload(file); len(p) >= 4 {
				name = p[4:]
			}
		case "data":
			data = append(data, file[k.Start:k.End]...)
		}
	}
	return name, data, len(name) > 0 && data != nil
}

// latin1 reads a four-character code as ISO 8859-1 ("©nam").
func latin1(s string) string {
	var b []rune
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return "\xff" // not a name
		}
		b = append(b, rune(s[i]))
	}
	return string(b)
}

// mdtaHdlr is the handler box FFmpeg writes for an mdta meta.
var mdtaHdlr = bmff.Make("hdlr", make([]byte, 8), []byte("mdta"), make([]byte, 13))

// buildMdtaMeta writes a meta box with the entries as mdta keys.
func buildMdtaMeta(file []byte, entries []mdtaEntry, others []bmff.Box) []byte {
	keys := binary.BigEndian.AppendUint32(make([]byte, 4), uint32(len(entries)))
	var ilst []byte
	for i, e := range entries {
		keys = binary.BigEndian.AppendUint32(keys, uint32(8+len(e.Key)))
		keys = append(append(keys, e.NS...), e.Key...)
		idx := string(binary.BigEndian.AppendUint32(nil, uint32(i+1)))
		for _, it := range e.Items {
			ilst = append(ilst, bmff.Make(idx, it)...)
		}
	}
	parts := [][]byte{make([]byte, 4), mdtaHdlr, bmff.Make("keys", keys), bmff.Make("ilst", ilst)}
	for _, o := range others {
		parts = append(parts, file[o.Start:o.End])
	}
	return bmff.Make("meta", parts...)
}

// aigcDataAtom is the ilst item payload holding the label: one UTF-8
// data atom.
func aigcDataAtom(l AIGC) []byte {
	return bmff.Make("data", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte(l.JSON()))
}

// EmbedAIGCMP4 writes the implicit label into an MP4 (or MOV) as the
// metadata key AIGC of moov/udta/meta, the way FFmpeg's
// use_metadata_tags does (see the file comment), replacing an AIGC key
// already there and keeping the other tags. An iTunes-style (mdir) meta
// is rewritten as mdta, its text tags under FFmpeg's names. The media
// data is not touched; when moov comes before mdat (faststart) and
// grows, the chunk offsets (stco, co64, and tfhd/tfra of fragments) are
// shifted to match.
func EmbedAIGCMP4(b []byte, l AIGC) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	moov, err := findMoov(b)
	if err != nil {
		return nil, err
	}
	kids, err := bmff.Children(b, moov)
	if err != nil {
		return nil, err
	}
	var body [][]byte
	done := false
	for _, k := range kids {
		if k.Type != "udta" || done {
			body = append(body, b[k.Start:k.End])
			continue
		}
		udta, err := embedUdta(b, k, l)
		if err != nil {
			return nil, err
		}
		body = append(body, udta)
		done = true
	}
	if !done {
		body = append(body, bmff.Make("udta", buildMdtaMeta(nil, []mdtaEntry{{NS: "mdta", Key: []byte(mp4AIGCKey), Items: [][]byte{aigcDataAtom(l)}}}, nil)))
	}
	return bmff.Splice(b, moov.Start, moov.End, bmff.Make("moov", body...))
}

// findMoov returns the first top-level moov box of an MP4 or MOV.
func findMoov(b []byte) (bmff.Box, error) {
	if !bmff.Is(b) && !(len(b) >= 8 && (string(b[4:8]) == "moov" || string(b[4:8]) == "wide" || string(b[4:8]) == "mdat" || string(b[4:8]) == "free")) {
		return bmff.Box{}, fmt.Errorf("label: %w: not an MP4 or MOV file", ErrFormat)
	}
	top, err := bmff.Top(b)
	if err != nil {
		return bmff.Box{}, err
	}
	moov, ok := bmff.First(top, "moov")
	if !ok {
		return bmff.Box{}, bmff.Damaged("no moov box (an unfinished or fragment-only file)")
	}
	return moov, nil
}

// embedUdta returns udta with the label in its first mdta or mdir meta
// (or in a new meta at its end).
func embedUdta(b []byte, udta bmff.Box, l AIGC) ([]byte, error) {
	kids, err := bmff.Children(b, udta)
	if err != nil {
		return nil, err
	}
	var body [][]byte
	done := false
	for _, k := range kids {
		if k.Type == "meta" && !done {
			entries, others, handler, err := readMetaEntries(b, k)
			if err != nil {
				return nil, err
			}
			if handler == "mdta" || handler == "mdir" {
				body = append(body, buildMdtaMeta(b, withAIGC(entries, l), others))
				done = true
				continue
			}
		}
		body = append(body, b[k.Start:k.End])
	}
	if !done {
		body = append(body, buildMdtaMeta(nil, withAIGC(nil, l), nil))
	}
	return bmff.Make("udta", body...), nil
}

// withAIGC puts the label in the entries: in place of the first AIGC
// key (any other AIGC key is dropped), or as a new last key.
func withAIGC(entries []mdtaEntry, l AIGC) []mdtaEntry {
	v := mdtaEntry{NS: "mdta", Key: []byte(mp4AIGCKey), Items: [][]byte{aigcDataAtom(l)}}
	var out []mdtaEntry
	done := false
	for _, e := range entries {
		if e.isAIGC() {
			if !done {
				out = append(out, v)
				done = true
			}
			continue
		}
		out = append(out, e)
	}
	if !done {
		out = append(out, v)
	}
	return out
}

// ReadAIGCMP4 finds the implicit label of an MP4 or MOV: the metadata
// key AIGC of a meta in moov/udta or moov (mdta keys, or an iTunes
// freeform "----" item named AIGC), accepting both JSON shapes. It
// returns the label and where it was found; ErrNoLabel when there is
// none.
func ReadAIGCMP4(b []byte) (AIGC, string, error) {
	moov, err := findMoov(b)
	if err != nil {
		return AIGC{}, "", err
	}
	kids, err := bmff.Children(b, moov)
	if err != nil {
		return AIGC{}, "", err
	}
	type place struct {
		meta  bmff.Box
		where string
	}
	var metas, qt []place // udta's first: that is where the label is written
	for _, k := range kids {
		switch k.Type {
		case "meta":
			qt = append(qt, place{k, "moov/meta"})
		case "udta":
			uk, err := bmff.Children(b, k)
			if err != nil {
				return AIGC{}, "", err
			}
			for _, m := range uk {
				if m.Type == "meta" {
					metas = append(metas, place{m, "moov/udta/meta"})
				}
			}
		}
	}
	var firstErr error
	for _, p := range append(metas, qt...) {
		entries, _, _, err := readMetaEntries(b, p.meta)
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		for _, e := range entries {
			if !e.isAIGC() || len(e.Items) == 0 {
				continue
			}
			data := e.Items[0]
			atoms, err := bmff.Boxes(data, 0, len(data), false)
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				continue
			}
			d, ok := bmff.First(atoms, "data")
			if !ok || len(d.Payload(data)) < 8 {
				firstErr = cmpErr(firstErr, bmff.Damaged("the AIGC item has no data atom"))
				continue
			}
			a, err := ParseAIGC(string(d.Payload(data)[8:]))
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				continue
			}
			return a, p.where + " key AIGC", nil
		}
	}
	if firstErr != nil {
		return AIGC{}, "", firstErr
	}
	return AIGC{}, "", fmt.Errorf("label: MP4: %w", ErrNoLabel)
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
