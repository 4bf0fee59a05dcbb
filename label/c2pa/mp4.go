package c2pa

// C2PA Content Credentials in MP4 (ISO BMFF), as c2pa-rs 0.82.1 writes
// and checks them (C2PA 2.x §A.4, measured on c2pa-node 0.5.5 output):
//
//   - The manifest store is a top-level "uuid" box right after ftyp
//     (before moov or mdat, whichever comes first): user type
//     D8FEC3D6-1B0E-483C-9297-5828877EC481, a FullBox version and flags
//     (0), the NUL-terminated purpose "manifest", an 8-byte offset of a
//     Merkle-tree box (0: none), then the store's JUMBF bytes.
//   - Inserting it moves what follows, so the chunk offsets in moov
//     (stco/co64) are shifted by its size (bmff.Splice).
//   - The hard binding is c2pa.hash.bmff.v3: {exclusions, alg, hash,
//     name}. Exclusions are xpath-style box paths: the C2PA uuid box
//     (matched by its user type at byte 8), /ftyp, /mfra, /free and
//     /skip. The hash runs over the file in order without the excluded
//     boxes; before each top-level box that is not excluded whole it
//     takes the box's file offset as an 8-byte big-endian number (the
//     v2/v3 rule that binds the box layout, so boxes cannot be moved
//     around unnoticed).

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"

	"miaobi/label/internal/bmff"
	"miaobi/label/internal/container"
)

// boxUUIDOf is the user type of the uuid box holding a C2PA store.
var boxUUIDOf = [16]byte{0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81}

// bmffHashLabel is the hard-binding assertion written for MP4.
const bmffHashLabel = "c2pa.hash.bmff.v3"

// SignMP4 returns an MP4 (or MOV) with a signed C2PA manifest store
// describing m, in a uuid box after ftyp, bound to the file by
// c2pa.hash.bmff.v3 (see the file comment); chunk offsets are shifted to
// match. A store already in the file is taken out and chained as an
// ingredient, as SignJPEG does. Fragmented files (moof) are hashed as a
// whole, like unfragmented ones; Merkle trees are not written.
func SignMP4(b []byte, m Manifest, s *Signer) ([]byte, error) {
	if format(b) != "mp4" {
		return nil, fmt.Errorf("label: c2pa: SignMP4: %w: not an MP4 (no ftyp box first)", container.ErrFormat)
	}
	return sign(b, "mp4", m, s)
}

// findStoreBMFF returns the store of a top-level C2PA uuid box with the
// purpose "manifest", or nil.
func findStoreBMFF(file []byte) (*foundStore, error) {
	top, err := bmff.Top(file)
	if err != nil {
		return nil, err
	}
	var fs *foundStore
	for _, bx := range top {
		if bx.Type != "uuid" {
			continue
		}
		p := bx.Payload(file)
		if len(p) < 16 || !bytes.Equal(p[:16], boxUUIDOf[:]) {
			continue
		}
		p = p[16:]
		if len(p) < 5 {
			return nil, fmt.Errorf("label: c2pa: the C2PA uuid box at byte %d is truncated: %w", bx.Start, container.ErrDamaged)
		}
		purpose, rest, ok := bytes.Cut(p[4:], []byte{0})
		if !ok {
			return nil, fmt.Errorf("label: c2pa: the C2PA uuid box at byte %d has no purpose: %w", bx.Start, container.ErrDamaged)
		}
		if string(purpose) != "manifest" {
			continue // "merkle": hashes of fragments
		}
		if len(rest) < 8 {
			return nil, fmt.Errorf("label: c2pa: the C2PA uuid box at byte %d is truncated: %w", bx.Start, container.ErrDamaged)
		}
		if fs != nil {
			return nil, fmt.Errorf("label: c2pa: more than one C2PA manifest box: %w", container.ErrDamaged)
		}
		fs = &foundStore{JUMBF: rest[8:], Ranges: []byteRange{{bx.Start, bx.End}}}
	}
	return fs, nil
}

// bmffStoreBox wraps a store's JUMBF bytes in the C2PA uuid box.
func bmffStoreBox(store []byte) []byte {
	return bmff.Make("uuid", boxUUIDOf[:], []byte{0, 0, 0, 0}, []byte("manifest\x00"), make([]byte, 8), store)
}

// bmffExclusion is one exclusions-map entry of a BMFF hash: the boxes at
// XPath that match every given condition are left out of the hash (or,
// with Subset, parts of them).
type bmffExclusion struct {
	XPath   string
	Length  *int64 // the box's size
	Data    []bmffDataMatch
	Subset  []bmffSubset
	Version *int64 // FullBox version
	Flags   []byte // FullBox flags (3 bytes)
	Exact   *bool  // flags must be equal (default) or only include Flags
}

type bmffDataMatch struct {
	Offset int64 // from the start of the box
	Value  []byte
}

type bmffSubset struct{ Offset, Length int64 }

// defaultBMFFExclusions are the exclusions c2pa-rs 0.82.1 writes.
func defaultBMFFExclusions() []bmffExclusion {
	return []bmffExclusion{
		{XPath: "/uuid", Data: []bmffDataMatch{{Offset: 8, Value: boxUUIDOf[:]}}},
		{XPath: "/ftyp"}, {XPath: "/mfra"}, {XPath: "/free"}, {XPath: "/skip"},
	}
}

// cbor is the exclusion as a CBOR map (absent conditions left out).
func (e bmffExclusion) cbor() cborMap {
	m := cborMap{{"xpath", e.XPath}}
	if e.Length != nil {
		m = append(m, cborPair{"length", *e.Length})
	}
	if e.Data != nil {
		var d []any
		for _, x := range e.Data {
			d = append(d, cborMap{{"offset", x.Offset}, {"value", x.Value}})
		}
		m = append(m, cborPair{"data", d})
	}
	if e.Subset != nil {
		var d []any
		for _, x := range e.Subset {
			d = append(d, cborMap{{"offset", x.Offset}, {"length", x.Length}})
		}
		m = append(m, cborPair{"subset", d})
	}
	if e.Version != nil {
		m = append(m, cborPair{"version", *e.Version})
	}
	if e.Flags != nil {
		m = append(m, cborPair{"flags", e.Flags})
	}
	if e.Exact != nil {
		m = append(m, cborPair{"exact", *e.Exact})
	}
	return m
}

// parseBMFFExclusions reads the exclusions of a BMFF hash assertion.
func parseBMFFExclusions(v any) ([]bmffExclusion, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, errors.New("exclusions is not an array")
	}
	optInt := func(m cborMap, k string) (*int64, error) {
		x, ok := m.get(k)
		if !ok || x == nil {
			return nil, nil
		}
		n, ok := x.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%s is not a non-negative integer", k)
		}
		return &n, nil
	}
	pairs := func(m cborMap, k, a, b string) ([][2]any, error) {
		x, ok := m.get(k)
		if !ok || x == nil {
			return nil, nil
		}
		list, ok := x.([]any)
		if !ok {
			return nil, fmt.Errorf("%s is not an array", k)
		}
		var out [][2]any
		for _, e := range list {
			em, ok := e.(cborMap)
			if !ok {
				return nil, fmt.Errorf("%s entry is not a map", k)
			}
			av, _ := em.get(a)
			bv, _ := em.get(b)
			out = append(out, [2]any{av, bv})
		}
		return out, nil
	}
	var out []bmffExclusion
	for _, x := range arr {
		m, ok := x.(cborMap)
		if !ok {
			return nil, errors.New("exclusion is not a map")
		}
		e := bmffExclusion{XPath: m.str("xpath")}
		if e.XPath == "" {
			return nil, errors.New("exclusion without xpath")
		}
		var err error
		if e.Length, err = optInt(m, "length"); err != nil {
			return nil, err
		}
		if e.Version, err = optInt(m, "version"); err != nil {
			return nil, err
		}
		data, err := pairs(m, "data", "offset", "value")
		if err != nil {
			return nil, err
		}
		for _, p := range data {
			off, ok1 := p[0].(int64)
			val, ok2 := p[1].([]byte)
			if !ok1 || !ok2 || off < 0 {
				return nil, errors.New("bad data entry")
			}
			e.Data = append(e.Data, bmffDataMatch{off, val})
		}
		sub, err := pairs(m, "subset", "offset", "length")
		if err != nil {
			return nil, err
		}
		for _, p := range sub {
			off, ok1 := p[0].(int64)
			l, ok2 := p[1].(int64)
			if !ok1 || !ok2 || off < 0 || l < 0 {
				return nil, errors.New("bad subset entry")
			}
			e.Subset = append(e.Subset, bmffSubset{off, l})
		}
		if f, ok := m.get("flags"); ok && f != nil {
			fb, ok := f.([]byte)
			if !ok || len(fb) != 3 {
				return nil, errors.New("flags is not 3 bytes")
			}
			e.Flags = fb
		}
		if x, ok := m.get("exact"); ok && x != nil {
			b, ok := x.(bool)
			if !ok {
				return nil, errors.New("exact is not a boolean")
			}
			e.Exact = &b
		}
		out = append(out, e)
	}
	return out, nil
}

// bmffFullBoxes are the FullBox types (ISO/IEC 14496-12:2022) whose
// version and flags an exclusion may test.
var bmffFullBoxes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields("pdin mvhd tkhd mdhd hdlr nmhd elng stsd stdp stts ctts cslg stss stsh elst dref stsz stz2 stsc stco co64 padb subs saiz saio mehd trex mfhd tfhd trun tfra mfro tfdt leva trep assp sbgp sgpd csgp cprt tsel kind meta iloc pitm ipro infe iinf iref ipma schm fiin fpar fecr gitn fire stri stsg stvi csch sidx ssix prft srpp vmhd smhd srat chnl dmix txtC mime hmhd sthd vvhd medc") {
		m[t] = true
	}
	m["xml "], m["uri "] = true, true
	return m
}()

// bmffSelect returns the boxes an xpath names ("/moov/trak[2]/…": box
// types, each optionally with a 1-based index among its siblings of
// that type).
func bmffSelect(file []byte, top []bmff.Box, xpath string) ([]bmff.Box, error) {
	if !strings.HasPrefix(xpath, "/") {
		return nil, fmt.Errorf("xpath %q is not absolute", xpath)
	}
	cur := [][]bmff.Box{top}
	segs := strings.Split(xpath[1:], "/")
	if len(segs) > bmff.MaxDepth {
		return nil, fmt.Errorf("xpath %q is too deep", xpath)
	}
	var found []bmff.Box
	for i, seg := range segs {
		typ, idx := seg, 0
		if j := strings.IndexByte(seg, '['); j >= 0 && strings.HasSuffix(seg, "]") {
			n, err := strconv.Atoi(seg[j+1 : len(seg)-1])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("xpath %q: bad index", xpath)
			}
			typ, idx = seg[:j], n
		}
		if len(typ) != 4 {
			return nil, fmt.Errorf("xpath %q: %q is not a box type", xpath, typ)
		}
		var next []bmff.Box
		for _, list := range cur {
			n := 0
			for _, bx := range list {
				if bx.Type != typ {
					continue
				}
				n++
				if idx == 0 || n == idx {
					next = append(next, bx)
				}
			}
		}
		if i == len(segs)-1 {
			found = next
			break
		}
		cur = nil
		for _, bx := range next {
			kids, err := bmff.Children(file, bx)
			if err != nil {
				return nil, err
			}
			cur = append(cur, kids)
		}
	}
	return found, nil
}

// matches reports whether box bx meets the exclusion's conditions.
func (e bmffExclusion) matches(file []byte, bx bmff.Box) bool {
	size := int64(bx.End - bx.Start)
	if e.Length != nil && *e.Length != size {
		return false
	}
	if e.Version != nil || e.Flags != nil {
		p := bx.Payload(file)
		if bx.Type == "uuid" {
			if len(p) < 16 {
				return false
			}
			p = p[16:]
		}
		if !bmffFullBoxes[bx.Type] && bx.Type != "uuid" || len(p) < 4 {
			return false
		}
		if e.Version != nil && int64(p[0]) != *e.Version {
			return false
		}
		if e.Flags != nil {
			exact := e.Exact == nil || *e.Exact
			for i := range 3 {
				if exact && p[1+i] != e.Flags[i] || !exact && p[1+i]&e.Flags[i] != e.Flags[i] {
					return false
				}
			}
		}
	}
	for _, d := range e.Data {
		if d.Offset > size || int64(len(d.Value)) > size-d.Offset {
			return false
		}
		at := bx.Start + int(d.Offset)
		if !bytes.Equal(file[at:at+len(d.Value)], d.Value) {
			return false
		}
	}
	return true
}

// bmffHashOf hashes a BMFF file under the exclusions; with markers (the
// v2 and v3 assertions), each top-level box not excluded whole
// contributes its offset first. It also returns the excluded ranges.
func bmffHashOf(h hash.Hash, file []byte, excl []bmffExclusion, markers bool) ([]byte, []byteRange, error) {
	top, err := bmff.Top(file)
	if err != nil {
		return nil, nil, err
	}
	var ranges []byteRange
	whole := map[int]bool{}
	for _, e := range excl {
		boxes, err := bmffSelect(file, top, e.XPath)
		if err != nil {
			return nil, nil, err
		}
		for _, bx := range boxes {
			if !e.matches(file, bx) {
				continue
			}
			if e.Subset == nil {
				ranges = append(ranges, byteRange{bx.Start, bx.End})
				whole[bx.Start] = true
				continue
			}
			size := int64(bx.End - bx.Start)
			for _, s := range e.Subset {
				if s.Offset > size {
					continue
				}
				l := size - s.Offset
				if s.Length != 0 && s.Length < l {
					l = s.Length
				}
				ranges = append(ranges, byteRange{bx.Start + int(s.Offset), bx.Start + int(s.Offset+l)})
			}
		}
	}
	// Merge the exclusions.
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].Start < ranges[j].Start })
	var merged []byteRange
	for _, r := range ranges {
		if n := len(merged); n > 0 && r.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, r.End)
			continue
		}
		merged = append(merged, r)
	}
	var marks []int
	if markers {
		for _, bx := range top {
			if !whole[bx.Start] {
				marks = append(marks, bx.Start)
			}
		}
	}
	// Hash the included bytes in order, each marker where its box starts.
	mark := func(m int) { h.Write(binary.BigEndian.AppendUint64(nil, uint64(m))) }
	mi := 0
	include := func(a, b int) {
		for ; mi < len(marks) && marks[mi] < b; mi++ {
			if marks[mi] > a {
				h.Write(file[a:marks[mi]])
				a = marks[mi]
			}
			mark(marks[mi])
		}
		h.Write(file[a:b])
	}
	pos := 0
	for _, r := range merged {
		include(pos, r.Start)
		pos = r.End
	}
	include(pos, len(file))
	for ; mi < len(marks); mi++ {
		mark(marks[mi])
	}
	return h.Sum(nil), merged, nil
}

// bmffSafeExclusions are the box types an exclusion may leave out: the
// store itself, the file type, the fragment index and free space, none
// of which carries media. Anything else would leave content unsigned.
var bmffSafeExclusions = map[string]bool{"uuid": true, "ftyp": true, "mfra": true, "free": true, "skip": true, "iloc": true}

// checkBMFFHash checks a c2pa.hash.bmff(.v2/.v3) assertion against the
// file.
func (res *manifestResult) checkBMFFHash(box *jumbfBox, file []byte, ranges []byteRange, url string) {
	data, _ := box.content("cbor")
	v, err := cborDecode(data)
	m, ok := v.(cborMap)
	if err != nil || !ok {
		res.fail("assertion.bmffHash.malformed", url, "%s is not a CBOR map", box.Label)
		return
	}
	if mk, ok := m.get("merkle"); ok && mk != nil {
		res.fail("algorithm.unsupported", url, "%s: Merkle-tree hashes (fragmented media) are not checked", box.Label)
		return
	}
	want := m.bytesAt("hash")
	if want == nil {
		res.fail("assertion.bmffHash.malformed", url, "%s has no hash", box.Label)
		return
	}
	ev, _ := m.get("exclusions")
	excl, err := parseBMFFExclusions(ev)
	if err != nil {
		res.fail("assertion.bmffHash.malformed", url, "%s: %v", box.Label, err)
		return
	}
	for _, e := range excl {
		segs := strings.Split(e.XPath, "/")
		last, _, _ := strings.Cut(segs[len(segs)-1], "[")
		if !bmffSafeExclusions[last] {
			// Refuse only what actually leaves something out.
			if top, err := bmff.Top(file); err == nil {
				if boxes, err := bmffSelect(file, top, e.XPath); err == nil {
					for _, bx := range boxes {
						if e.matches(file, bx) {
							res.fail("assertion.bmffHash.mismatch", url, "hash mismatch: exclusion %s leaves content unsigned", e.XPath)
							return
						}
					}
				}
			}
		}
	}
	h, err := hashFor(m.str("alg"))
	if err != nil {
		res.fail("algorithm.unsupported", url, "%s: %v", box.Label, err)
		return
	}
	got, excluded, err := bmffHashOf(h, file, excl, box.Label != "c2pa.hash.bmff")
	if err != nil {
		res.fail("assertion.bmffHash.mismatch", url, "hash mismatch: %v", err)
		return
	}
	// The store's own box must be among the exclusions.
	for _, r := range ranges {
		if !coveredBy(r, excluded) {
			res.fail("assertion.bmffHash.mismatch", url, "hash mismatch: the manifest box is not excluded")
			return
		}
	}
	if !bytes.Equal(got, want) {
		res.fail("assertion.bmffHash.mismatch", url, "hash mismatch: the file's content changed after signing")
		return
	}
	res.ok("assertion.bmffHash.match", url, "BMFF hash valid")
}

// bmffHashAssertion is the c2pa.hash.bmff.v3 assertion with digest.
func bmffHashAssertion(excl []bmffExclusion, digest []byte) (*jumbfBox, error) {
	var list []any
	for _, e := range excl {
		list = append(list, e.cbor())
	}
	return cborAssertion(bmffHashLabel, cborMap{
		{"exclusions", list},
		{"alg", "sha256"},
		{"hash", digest},
		{"name", "jumbf manifest"},
	})
}

// signBMFF puts the store after ftyp and binds it with a BMFF hash: lay
// out the file with an unsigned store of the final size, hash it, sign,
// write the signed store in its place.
func signBMFF(clean []byte, b *manifestBuilder) ([]byte, error) {
	top, err := bmff.Top(clean)
	if err != nil {
		return nil, wrapErr(err)
	}
	if len(top) == 0 || top[0].Type != "ftyp" {
		return nil, fmt.Errorf("label: c2pa: %w: the MP4 does not start with ftyp", container.ErrFormat)
	}
	if _, ok := bmff.First(top, "moov"); !ok {
		return nil, fmt.Errorf("label: c2pa: the MP4 has no moov box: %w", container.ErrDamaged)
	}
	if meta, ok := bmff.First(top, "meta"); ok {
		if kids, _ := bmff.Children(clean, meta); kids != nil {
			if _, ok := bmff.First(kids, "iloc"); ok {
				return nil, fmt.Errorf("label: c2pa: %w: HEIF/AVIF images (top-level meta with iloc) are not signed here", container.ErrFormat)
			}
		}
	}
	at := top[0].End
	excl := defaultBMFFExclusions()
	build := func(digest []byte, dummy bool) ([]byte, error) {
		hb, err := bmffHashAssertion(excl, digest)
		if err != nil {
			return nil, err
		}
		store, err := b.store(hb, dummy)
		if err != nil {
			return nil, err
		}
		return bmffStoreBox(store), nil
	}
	placeholder, err := build(make([]byte, sha256.Size), true)
	if err != nil {
		return nil, err
	}
	out, err := bmff.Splice(clean, at, at, placeholder)
	if err != nil {
		return nil, wrapErr(err)
	}
	digest, _, err := bmffHashOf(sha256.New(), out, excl, true)
	if err != nil {
		return nil, wrapErr(err)
	}
	box, err := build(digest, false)
	if err != nil {
		return nil, err
	}
	if len(box) != len(placeholder) {
		return nil, fmt.Errorf("label: c2pa: signed store box is %d bytes, laid out for %d", len(box), len(placeholder))
	}
	copy(out[at:], box)
	return out, nil
}
