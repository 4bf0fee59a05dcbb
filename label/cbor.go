package label

// A small CBOR (RFC 8949) encoder and decoder: enough for C2PA claims,
// assertions and COSE_Sign1 signatures, written by hand so the package
// needs nothing outside the standard library.
//
// Go values map to CBOR like this, both ways:
//
//	nil                      null
//	bool                     true / false
//	int64 (uint64 if large)  unsigned and negative integers
//	[]byte                   byte string
//	string                   text string (valid UTF-8)
//	[]any                    array
//	cborMap                  map (ordered pairs; duplicate keys are errors)
//	cborTag                  tagged item
//	float64                  float (shortest exact width when encoding)
//	cborSimple               other simple values (undefined = 23)
//
// The encoder also takes int, uint32, uint64, map[string]any, []string,
// []cborMap and cborRaw (already-encoded bytes, copied as they are). It
// writes definite lengths, the shortest argument encoding, and map keys
// in the bytewise order of their encodings: the core deterministic
// encoding of RFC 8949 §4.2.1, which C2PA asks of claims and
// assertions. The decoder also accepts indefinite lengths and
// non-shortest arguments, but not duplicate map keys, invalid UTF-8,
// nesting deeper than cborMaxDepth, or lengths beyond the input.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"
)

// cborMaxDepth bounds the nesting of arrays, maps and tags the decoder
// accepts (and the encoder writes).
const cborMaxDepth = 64

// cborMap is a CBOR map as ordered key/value pairs. The encoder sorts
// them; the decoder keeps the file's order.
type cborMap []cborPair

// cborPair is one key/value pair of a cborMap.
type cborPair struct {
	K, V any
}

// cborTag is a tagged data item (major type 6).
type cborTag struct {
	Num uint64
	V   any
}

// cborSimple is a simple value other than false, true and null
// (major type 7): 23 is undefined.
type cborSimple uint8

// cborUndefined is the simple value undefined.
const cborUndefined = cborSimple(23)

// cborRaw is an already-encoded CBOR item the encoder copies verbatim.
type cborRaw []byte

var errCBOR = errors.New("malformed CBOR")

// get returns the value of the first pair whose key is the text string k.
func (m cborMap) get(k string) (any, bool) {
	for _, p := range m {
		if s, ok := p.K.(string); ok && s == k {
			return p.V, true
		}
	}
	return nil, false
}

// getInt returns the value of the first pair whose key is the integer k.
func (m cborMap) getInt(k int64) (any, bool) {
	for _, p := range m {
		if i, ok := p.K.(int64); ok && i == k {
			return p.V, true
		}
	}
	return nil, false
}

// str returns the text value under k, or "".
func (m cborMap) str(k string) string {
	v, _ := m.get(k)
	s, _ := v.(string)
	return s
}

// bytesAt returns the byte-string value under k, or nil.
func (m cborMap) bytesAt(k string) []byte {
	v, _ := m.get(k)
	b, _ := v.([]byte)
	return b
}

// cborEncode encodes v deterministically.
func cborEncode(v any) ([]byte, error) {
	return cborAppend(nil, v, 0)
}

// mustCBOR encodes v, which the caller built from supported types only.
func mustCBOR(v any) []byte {
	b, err := cborEncode(v)
	if err != nil {
		panic("label: c2pa: " + err.Error())
	}
	return b
}

// cborHead appends a major type and argument in the shortest form.
func cborHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func cborAppend(b []byte, v any, depth int) ([]byte, error) {
	if depth > cborMaxDepth {
		return nil, fmt.Errorf("CBOR nesting deeper than %d", cborMaxDepth)
	}
	switch x := v.(type) {
	case nil:
		return append(b, 0xf6), nil
	case bool:
		if x {
			return append(b, 0xf5), nil
		}
		return append(b, 0xf4), nil
	case int:
		return cborAppend(b, int64(x), depth)
	case uint32:
		return cborHead(b, 0, uint64(x)), nil
	case int64:
		if x >= 0 {
			return cborHead(b, 0, uint64(x)), nil
		}
		return cborHead(b, 1, uint64(-(x + 1))), nil
	case uint64:
		return cborHead(b, 0, x), nil
	case []byte:
		return append(cborHead(b, 2, uint64(len(x))), x...), nil
	case string:
		if !utf8.ValidString(x) {
			return nil, errors.New("CBOR text is not valid UTF-8")
		}
		return append(cborHead(b, 3, uint64(len(x))), x...), nil
	case []string:
		return cborAppendList(b, x, depth)
	case []any:
		return cborAppendList(b, x, depth)
	case []cborMap:
		return cborAppendList(b, x, depth)
	case map[string]any:
		m := make(cborMap, 0, len(x))
		for k, e := range x {
			m = append(m, cborPair{k, e})
		}
		return cborAppend(b, m, depth)
	case cborMap:
		type kv struct{ k, v []byte }
		kvs := make([]kv, len(x))
		for i, p := range x {
			k, err := cborAppend(nil, p.K, depth+1)
			if err != nil {
				return nil, err
			}
			e, err := cborAppend(nil, p.V, depth+1)
			if err != nil {
				return nil, err
			}
			kvs[i] = kv{k, e}
		}
		sort.Slice(kvs, func(i, j int) bool { return bytes.Compare(kvs[i].k, kvs[j].k) < 0 })
		b = cborHead(b, 5, uint64(len(kvs)))
		for i, p := range kvs {
			if i > 0 && bytes.Equal(kvs[i-1].k, p.k) {
				return nil, errors.New("duplicate CBOR map key")
			}
			b = append(append(b, p.k...), p.v...)
		}
		return b, nil
	case cborTag:
		return cborAppend(cborHead(b, 6, x.Num), x.V, depth+1)
	case cborSimple:
		if x >= 20 && x <= 22 || x >= 24 && x < 32 {
			return nil, fmt.Errorf("CBOR simple value %d must be written another way", x)
		}
		if x < 24 {
			return append(b, 0xe0|byte(x)), nil
		}
		return append(b, 0xf8, byte(x)), nil
	case float64:
		return cborAppendFloat(b, x), nil
	case cborRaw:
		return append(b, x...), nil
	}
	return nil, fmt.Errorf("cannot encode %T as CBOR", v)
}

// cborAppendFloat writes f in the shortest of half, single and double
// precision that holds it exactly (NaN as the canonical half 0x7e00).
func cborAppendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) {
		return append(b, 0xf9, 0x7e, 0x00)
	}
	if f32 := float32(f); float64(f32) == f {
		if h, ok := float16Exact(f32); ok {
			return binary.BigEndian.AppendUint16(append(b, 0xf9), h)
		}
		return binary.BigEndian.AppendUint32(append(b, 0xfa), math.Float32bits(f32))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(f))
}

// float16Exact returns f as IEEE half-precision bits when that is exact.
func float16Exact(f float32) (uint16, bool) {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23&0xff) - 127
	mant := bits & 0x7fffff
	switch {
	case bits&0x7fffffff == 0:
		return sign, true
	case exp == 128: // infinity (NaN handled by the caller)
		return sign | 0x7c00, true
	case exp >= -14 && exp <= 15: // normal half
		if mant&0x1fff != 0 {
			return 0, false
		}
		return sign | uint16(exp+15)<<10 | uint16(mant>>13), true
	case exp >= -24 && exp < -14: // subnormal half
		full := mant | 0x800000 // 24 significant bits
		shift := uint(-exp - 14 + 13)
		if full&(1<<shift-1) != 0 {
			return 0, false
		}
		return sign | uint16(full>>shift), true
	}
	return 0, false
}

// float16Value converts half-precision bits to a float64.
func float16Value(h uint16) float64 {
	exp := int(h >> 10 & 0x1f)
	mant := float64(h & 0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(mant, -24)
	case 31:
		if mant == 0 {
			v = math.Inf(1)
		} else {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -v
	}
	return v
}

// cborDecode decodes exactly one data item filling b.
func cborDecode(b []byte) (any, error) {
	v, rest, err := cborDecodeFirst(b)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the data item", errCBOR, len(rest))
	}
	return v, nil
}

// cborDecodeFirst decodes the first data item of b and returns the rest.
func cborDecodeFirst(b []byte) (any, []byte, error) {
	d := cborDecoder{b: b}
	v, err := d.item(0)
	if err != nil {
		return nil, nil, err
	}
	return v, b[d.i:], nil
}

type cborDecoder struct {
	b []byte
	i int
}

func (d *cborDecoder) fail(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", errCBOR, d.i, fmt.Sprintf(format, args...))
}

// head reads an initial byte and its argument. For additional information
// 31 (indefinite length or break) it returns indefinite true.
func (d *cborDecoder) head() (major byte, info byte, arg uint64, indefinite bool, err error) {
	if d.i >= len(d.b) {
		return 0, 0, 0, false, d.fail("unexpected end")
	}
	ib := d.b[d.i]
	d.i++
	major, info = ib>>5, ib&0x1f
	var n int
	switch {
	case info < 24:
		return major, info, uint64(info), false, nil
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	case info == 31:
		return major, info, 0, true, nil
	default:
		return 0, 0, 0, false, d.fail("reserved additional information %d", info)
	}
	if len(d.b)-d.i < n {
		return 0, 0, 0, false, d.fail("truncated argument")
	}
	for _, c := range d.b[d.i : d.i+n] {
		arg = arg<<8 | uint64(c)
	}
	d.i += n
	return major, info, arg, false, nil
}

// take returns the next n bytes.
func (d *cborDecoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.b)-d.i) {
		return nil, d.fail("length %d exceeds the %d bytes left", n, len(d.b)-d.i)
	}
	s := d.b[d.i : d.i+int(n)]
	d.i += int(n)
	return s, nil
}

func (d *cborDecoder) item(depth int) (any, error) {
	if depth > cborMaxDepth {
		return nil, d.fail("nesting deeper than %d", cborMaxDepth)
	}
	major, info, arg, indef, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		if indef {
			return nil, d.fail("indefinite integer")
		}
		if arg > math.MaxInt64 {
			return arg, nil
		}
		return int64(arg), nil
	case 1:
		if indef {
			return nil, d.fail("indefinite integer")
		}
		if arg > math.MaxInt64 {
			return nil, d.fail("negative integer out of range")
		}
		return -1 - int64(arg), nil
	case 2, 3:
		var s []byte
		if indef {
			// Concatenate definite chunks of the same major type.
			s = []byte{}
			for {
				if d.i < len(d.b) && d.b[d.i] == 0xff {
					d.i++
					break
				}
				m, _, n, ind, err := d.head()
				if err != nil {
					return nil, err
				}
				if m != major || ind {
					return nil, d.fail("bad chunk in an indefinite-length string")
				}
				c, err := d.take(n)
				if err != nil {
					return nil, err
				}
				s = append(s, c...)
			}
		} else {
			c, err := d.take(arg)
			if err != nil {
				return nil, err
			}
			s = append([]byte{}, c...)
		}
		if major == 2 {
			return s, nil
		}
		if !utf8.Valid(s) {
			return nil, d.fail("text is not valid UTF-8")
		}
		return string(s), nil
	case 4:
		if !indef && arg > uint64(len(d.b)-d.i) { // every item takes a byte
			return nil, d.fail("array of %d items in %d bytes", arg, len(d.b)-d.i)
		}
		a := make([]any, 0, min(arg, 1024))
		for n := uint64(0); indef || n < arg; n++ {
			if indef && d.i < len(d.b) && d.b[d.i] == 0xff {
				d.i++
				break
			}
			e, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, e)
		}
		return a, nil
	case 5:
		if !indef && arg > uint64(len(d.b)-d.i)/2 {
			return nil, d.fail("map of %d pairs in %d bytes", arg, len(d.b)-d.i)
		}
		m := make(cborMap, 0, min(arg, 1024))
		seen := map[string]bool{}
		for n := uint64(0); indef || n < arg; n++ {
			if indef && d.i < len(d.b) && d.b[d.i] == 0xff {
				d.i++
				break
			}
			k, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			// Keys are compared in their deterministic encoding, so 0 and
			// a non-shortest 0 are the same key.
			kb, err := cborAppend(nil, k, depth+1)
			if err != nil {
				return nil, d.fail("map key: %v", err)
			}
			key := string(kb)
			if seen[key] {
				return nil, d.fail("duplicate map key")
			}
			seen[key] = true
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			m = append(m, cborPair{k, v})
		}
		return m, nil
	case 6:
		if indef {
			return nil, d.fail("indefinite tag")
		}
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		return cborTag{arg, v}, nil
	}
	// Major type 7: simple values and floats.
	switch {
	case indef:
		return nil, d.fail("unexpected break")
	case info < 24 || info == 24:
		switch arg {
		case 20:
			return false, nil
		case 21:
			return true, nil
		case 22:
			return nil, nil
		}
		if info == 24 && arg < 32 {
			return nil, d.fail("simple value %d in two bytes", arg)
		}
		return cborSimple(arg), nil
	case info == 25:
		return float16Value(uint16(arg)), nil
	case info == 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	}
	return math.Float64frombits(arg), nil
}

// cborAppendList encodes a CBOR array of xs.
func cborAppendList[T any](b []byte, xs []T, depth int) ([]byte, error) {
	b = cborHead(b, 4, uint64(len(xs)))
	for _, e := range xs {
		var err error
		if b, err = cborAppend(b, e, depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}
