package c2pa

// CBOR (RFC 8949) for C2PA claims, assertions and COSE_Sign1 signatures,
// through github.com/fxamacker/cbor (fuzzed and security-reviewed) with its
// core deterministic encoding options. This file only maps Miaobi's small
// vocabulary of values onto the library's and back:
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
// nesting deeper than cborMaxDepth, or lengths beyond the input. Maps
// come back with their pairs in the bytewise order of their keys'
// encodings; tags 0 and 1 (times) and 2 and 3 (bignums) as the library
// decodes them (time.Time, big.Int), which nothing here reads.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// cborMaxDepth bounds the nesting of arrays, maps and tags the decoder
// accepts (and the encoder writes).
const cborMaxDepth = 64

// cborMap is a CBOR map as key/value pairs. The encoder sorts them; the
// decoder gives them in the sorted order.
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

// The library's modes: core deterministic encoding (RFC 8949 §4.2.1);
// decoding that refuses duplicate keys, invalid UTF-8 and deep nesting.
var (
	cborEnc = func() cbor.EncMode {
		o := cbor.CoreDetEncOptions()
		// A time the decoder read from tag 0 or 1 goes back as tag 1, to
		// the fraction of a second, so that it stays a distinct map key.
		o.Time, o.TimeTag = cbor.TimeUnixDynamic, cbor.EncTagRequired
		m, err := o.EncMode()
		if err != nil {
			panic("label: cbor: " + err.Error())
		}
		return m
	}()
	cborDec = func() cbor.DecMode {
		m, err := cbor.DecOptions{
			DupMapKey:       cbor.DupMapKeyEnforcedAPF,
			MaxNestedLevels: cborMaxDepth,
			UTF8:            cbor.UTF8RejectInvalid,
			IntDec:          cbor.IntDecConvertNone,
			DefaultMapType:  reflect.TypeOf(map[any]any(nil)),
		}.DecMode()
		if err != nil {
			panic("label: cbor: " + err.Error())
		}
		return m
	}()
)

// cborEncode encodes v deterministically.
func cborEncode(v any) ([]byte, error) {
	lv, err := toCBOR(v, 0)
	if err != nil {
		return nil, err
	}
	b, err := cborEnc.Marshal(lv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCBOR, err)
	}
	return b, nil
}

// mustCBOR encodes v, which the caller built from supported types only.
func mustCBOR(v any) []byte {
	b, err := cborEncode(v)
	if err != nil {
		panic("label: c2pa: " + err.Error())
	}
	return b
}

// toCBOR turns Miaobi's values into the library's.
func toCBOR(v any, depth int) (any, error) {
	if depth > cborMaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errCBOR, cborMaxDepth)
	}
	switch x := v.(type) {
	case nil, bool, int, uint32, int64, uint64, []byte, float64,
		time.Time, big.Int, cbor.ByteString: // the last three as the decoder gives them
		return x, nil
	case string:
		if !utf8.ValidString(x) {
			return nil, fmt.Errorf("%w: text string is not UTF-8", errCBOR)
		}
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return toCBOR(out, depth)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = toCBOR(e, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []cborMap:
		out := make([]any, len(x))
		for i, m := range x {
			var err error
			if out[i], err = toCBOR(m, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		m := make(cborMap, 0, len(x))
		for k, e := range x {
			m = append(m, cborPair{k, e})
		}
		return toCBOR(m, depth)
	case cborMap:
		out := make(map[any]any, len(x))
		for _, p := range x {
			k, err := toCBOR(p.K, depth+1)
			if err != nil {
				return nil, err
			}
			switch kk := k.(type) {
			case int:
				k = int64(kk)
			case []byte:
				k = cbor.ByteString(kk)
			}
			if k != nil && !reflect.TypeOf(k).Comparable() {
				return nil, fmt.Errorf("%w: map key of type %T", errCBOR, p.K)
			}
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("%w: duplicate map key %v", errCBOR, p.K)
			}
			if out[k], err = toCBOR(p.V, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case cborTag:
		c, err := toCBOR(x.V, depth+1)
		if err != nil {
			return nil, err
		}
		return cbor.Tag{Number: x.Num, Content: c}, nil
	case cborSimple:
		// false, true and null are Go values; 24 to 31 are reserved.
		if (x >= 20 && x <= 22) || (x >= 24 && x <= 31) {
			return nil, fmt.Errorf("%w: simple value %d: write false, true and null as Go values; 24–31 are reserved", errCBOR, x)
		}
		return cbor.SimpleValue(x), nil
	case cborRaw:
		return cbor.RawMessage(x), nil
	}
	return nil, fmt.Errorf("%w: cannot encode %T", errCBOR, v)
}

// cborDecode decodes exactly one data item.
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
	var v any
	rest, err := cborDec.UnmarshalFirst(b, &v)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errCBOR, err)
	}
	out, err := fromCBOR(v)
	if err != nil {
		return nil, nil, err
	}
	return out, rest, nil
}

// fromCBOR turns the library's decoded values into Miaobi's.
func fromCBOR(v any) (any, error) {
	switch x := v.(type) {
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
		return x, nil
	case []any:
		for i, e := range x {
			var err error
			if x[i], err = fromCBOR(e); err != nil {
				return nil, err
			}
		}
		return x, nil
	case map[any]any:
		type kv struct {
			enc []byte
			p   cborPair
		}
		pairs := make([]kv, 0, len(x))
		for k, e := range x {
			enc, err := cborEnc.Marshal(k)
			if err != nil {
				return nil, fmt.Errorf("%w: map key: %v", errCBOR, err)
			}
			kk, err := fromCBOR(k)
			if err != nil {
				return nil, err
			}
			ee, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, kv{enc, cborPair{kk, ee}})
		}
		sort.Slice(pairs, func(i, j int) bool { return bytes.Compare(pairs[i].enc, pairs[j].enc) < 0 })
		m := make(cborMap, len(pairs))
		for i, p := range pairs {
			m[i] = p.p
		}
		return m, nil
	case cbor.Tag:
		c, err := fromCBOR(x.Content)
		if err != nil {
			return nil, err
		}
		return cborTag{Num: x.Number, V: c}, nil
	case cbor.SimpleValue:
		return cborSimple(x), nil
	}
	return v, nil
}
