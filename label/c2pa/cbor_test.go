package c2pa

import (
	"bytes"
	"encoding/hex"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

// RFC 8949 Appendix A examples (those in the deterministic encoding),
// both ways.
var cborVectors = []struct {
	v   any
	hex string
}{
	{int64(0), "00"},
	{int64(1), "01"},
	{int64(10), "0a"},
	{int64(23), "17"},
	{int64(24), "1818"},
	{int64(25), "1819"},
	{int64(100), "1864"},
	{int64(1000), "1903e8"},
	{int64(1000000), "1a000f4240"},
	{int64(1000000000000), "1b000000e8d4a51000"},
	{uint64(18446744073709551615), "1bffffffffffffffff"},
	{int64(math.MinInt64), "3b7fffffffffffffff"},
	{int64(-1), "20"},
	{int64(-10), "29"},
	{int64(-100), "3863"},
	{int64(-1000), "3903e7"},
	{0.0, "f90000"},
	{math.Copysign(0, -1), "f98000"},
	{1.0, "f93c00"},
	{1.1, "fb3ff199999999999a"},
	{1.5, "f93e00"},
	{65504.0, "f97bff"},
	{100000.0, "fa47c35000"},
	{3.4028234663852886e+38, "fa7f7fffff"},
	{1.0e+300, "fb7e37e43c8800759c"},
	{5.960464477539063e-8, "f90001"},
	{0.00006103515625, "f90400"},
	{-4.0, "f9c400"},
	{-4.1, "fbc010666666666666"},
	{math.Inf(1), "f97c00"},
	{math.Inf(-1), "f9fc00"},
	{false, "f4"},
	{true, "f5"},
	{nil, "f6"},
	{cborUndefined, "f7"},
	{cborSimple(16), "f0"},
	{cborSimple(255), "f8ff"},
	{cborTag{1, int64(1363896240)}, "c11a514b67b0"},
	{cborTag{18, []any{[]byte{}, cborMap{}, nil, []byte{1}}}, "d28440a0f64101"},
	{[]byte{}, "40"},
	{[]byte{1, 2, 3, 4}, "4401020304"},
	{"", "60"},
	{"a", "6161"},
	{"IETF", "6449455446"},
	{"\"\\", "62225c"},
	{"\u00fc", "62c3bc"},
	{"\u6c34", "63e6b0b4"},
	{"\U00010151", "64f0908591"},
	{[]any{}, "80"},
	{[]any{int64(1), int64(2), int64(3)}, "83010203"},
	{[]any{int64(1), []any{int64(2), int64(3)}, []any{int64(4), int64(5)}}, "8301820203820405"},
	{cborMap{}, "a0"},
	{cborMap{{int64(1), int64(2)}, {int64(3), int64(4)}}, "a201020304"},
	{cborMap{{"a", int64(1)}, {"b", []any{int64(2), int64(3)}}}, "a26161016162820203"},
	{[]any{"a", cborMap{{"b", "c"}}}, "826161a161626163"},
}

func TestCBORVectors(t *testing.T) {
	for _, c := range cborVectors {
		got, err := cborEncode(c.v)
		if err != nil {
			t.Errorf("encode %#v: %v", c.v, err)
			continue
		}
		if hex.EncodeToString(got) != c.hex {
			t.Errorf("encode %#v = %x, want %s", c.v, got, c.hex)
		}
		in, _ := hex.DecodeString(c.hex)
		v, err := cborDecode(in)
		if err != nil {
			t.Errorf("decode %s: %v", c.hex, err)
			continue
		}
		want := c.v
		// The library decodes undefined as nil and an epoch-time tag as
		// a time; both encode as written above.
		switch c.hex {
		case "f7":
			want = nil
		case "c11a514b67b0":
			want = time.Unix(1363896240, 0)
		}
		if tm, ok := v.(time.Time); ok {
			if !tm.Equal(want.(time.Time)) {
				t.Errorf("decode %s = %v, want %v", c.hex, tm, want)
			}
			continue
		}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("decode %s = %#v, want %#v", c.hex, v, want)
		}
	}
	// NaN does not equal itself: check it apart.
	if b, _ := cborEncode(math.NaN()); hex.EncodeToString(b) != "f97e00" {
		t.Errorf("NaN encodes as %x", b)
	}
	if v, err := cborDecode([]byte{0xf9, 0x7e, 0x00}); err != nil || !math.IsNaN(v.(float64)) {
		t.Errorf("decode NaN = %v, %v", v, err)
	}
}

func TestCBOREncoderTypes(t *testing.T) {
	for _, c := range []struct {
		v   any
		hex string
	}{
		{7, "07"},
		{uint32(500), "1901f4"},
		{[]string{"a", "b"}, "8261616162"},
		{[]cborMap{{{"a", 1}}}, "81a1616101"},
		{map[string]any{"b": 1, "a": 2}, "a2616102616201"},
		{cborRaw{0x83, 1, 2, 3}, "83010203"},
	} {
		got, err := cborEncode(c.v)
		if err != nil || hex.EncodeToString(got) != c.hex {
			t.Errorf("encode %#v = %x, %v; want %s", c.v, got, err, c.hex)
		}
	}
	for _, bad := range []any{struct{}{}, "\xff", cborSimple(21), cborSimple(25), cborMap{{"a", 1}, {"a", 2}}, []any{func() {}}} {
		if _, err := cborEncode(bad); err == nil {
			t.Errorf("encode %#v: no error", bad)
		}
	}
	deep := any(int64(0))
	for range cborMaxDepth + 1 {
		deep = []any{deep}
	}
	if _, err := cborEncode(deep); err == nil {
		t.Error("encoding nesting deeper than the limit: no error")
	}
}

// C2PA claims and COSE headers need core deterministic encoding: map
// keys sorted by their encoded bytes (RFC 8949 §4.2.1), whatever order
// they were given in.
func TestCBORCanonicalMapOrder(t *testing.T) {
	m := cborMap{{"bb", 1}, {int64(-1), 2}, {"a", 3}, {int64(100), 4}, {"aa", 5}, {int64(10), 6}, {false, 7}, {[]byte{0}, 8}}
	got, err := cborEncode(m)
	if err != nil {
		t.Fatal(err)
	}
	// 0a (10), 1864 (100), 20 (-1), 4100 (h'00'), 6161 ("a"),
	// 626161 ("aa"), 626262 ("bb"), f4 (false)
	want := "a8" + "0a06" + "186404" + "2002" + "410008" + "616103" + "62616105" + "62626201" + "f407"
	if hex.EncodeToString(got) != want {
		t.Errorf("map = %x\nwant  %s", got, want)
	}
	// The same pairs in another order encode to the same bytes.
	rev := append(cborMap(nil), m...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if again, _ := cborEncode(rev); !bytes.Equal(again, got) {
		t.Error("encoding depends on the pairs' order")
	}
	// The claim keys C2PA uses: shorter keys first, then bytewise.
	claim, _ := cborEncode(map[string]any{"instanceID": "x", "alg": "sha256", "signature": "s", "dc:title": "t", "created_assertions": []any{}})
	v, _ := cborDecode(claim)
	var keys []string
	for _, p := range v.(cborMap) {
		keys = append(keys, p.K.(string))
	}
	if strings.Join(keys, ",") != "alg,dc:title,signature,instanceID,created_assertions" {
		t.Errorf("claim keys in order %v", keys)
	}
}

func TestCBORIndefinite(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"5f42010243030405ff", "4501020304 05"},
		{"7f657374726561646d696e67ff", "6973747265616d696e67"},
		{"9fff", "80"},
		{"9f018202039f0405ffff", "8301820203820405"},
		{"bf61610161629f0203ffff", "a26161016162820203"},
		{"1800", "00"}, // non-shortest argument
		{"f93c00", "f93c00"},
		{"fa3fc00000", "f93e00"},
	} {
		in, _ := hex.DecodeString(c.in)
		v, err := cborDecode(in)
		if err != nil {
			t.Errorf("decode %s: %v", c.in, err)
			continue
		}
		got, _ := cborEncode(v)
		if hex.EncodeToString(got) != strings.ReplaceAll(c.out, " ", "") {
			t.Errorf("%s re-encodes as %x, want %s", c.in, got, c.out)
		}
	}
}

func TestCBORDecodeErrors(t *testing.T) {
	nest := strings.Repeat("81", cborMaxDepth+1) + "00"
	okNest := strings.Repeat("81", cborMaxDepth) + "00"
	for _, c := range []struct{ name, hex string }{
		{"empty", ""},
		{"truncated argument", "19 01"},
		{"truncated bytes", "44 0102"},
		{"reserved info", "1c"},
		{"huge byte length", "5b ffffffffffffffff"},
		{"huge array", "9b ffffffffffffffff"},
		{"array longer than input", "85 0102"},
		{"map longer than input", "a3 0102"},
		{"invalid UTF-8", "62 c328"},
		{"trailing bytes", "01 02"},
		{"duplicate key", "a2 6161 01 6161 02"},
		{"lone break", "ff"},
		{"break as map value", "bf 6161 ff"},
		{"mixed chunks", "5f 6161 ff"},
		{"nested indefinite chunk", "5f 5f ff ff"},
		{"unterminated indefinite", "9f 01"},
		{"indefinite integer", "1f"},
		{"indefinite tag", "df"},
		{"two-byte small simple", "f8 10"},
		{"too deep", nest},
	} {
		in, _ := hex.DecodeString(strings.ReplaceAll(c.hex, " ", ""))
		if v, err := cborDecode(in); err == nil {
			t.Errorf("%s: decoded %#v, want an error", c.name, v)
		}
	}
	// A negative integer below −2⁶³ decodes to a big.Int, as the
	// library does (C2PA never writes one).
	if v, err := cborDecode([]byte{0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Errorf("negative below −2⁶³: %v", err)
	} else if _, ok := v.(big.Int); !ok {
		t.Errorf("negative below −2⁶³ = %#v, want a big.Int", v)
	}
	in, _ := hex.DecodeString(okNest)
	if _, err := cborDecode(in); err != nil {
		t.Errorf("nesting of exactly %d: %v", cborMaxDepth, err)
	}
}

func TestCBORMapAccessors(t *testing.T) {
	m := cborMap{{"s", "x"}, {"b", []byte{1}}, {int64(33), "i"}}
	if m.str("s") != "x" || m.str("b") != "" || !bytes.Equal(m.bytesAt("b"), []byte{1}) || m.bytesAt("s") != nil {
		t.Error("str / bytesAt")
	}
	if v, ok := m.getInt(33); !ok || v != "i" {
		t.Error("getInt")
	}
	if _, ok := m.get("missing"); ok {
		t.Error("get missing")
	}
}

// FuzzDecodeCBOR: any input decodes or fails without panicking, and
// what decodes re-encodes to a fixed point.
func FuzzDecodeCBOR(f *testing.F) {
	for _, c := range cborVectors {
		b, _ := hex.DecodeString(c.hex)
		f.Add(b)
	}
	f.Add([]byte{0x9f, 0x01, 0xff})
	f.Add([]byte{0xbf, 0x61, 0x61, 0x01, 0xff})
	f.Add([]byte{0x5f, 0x41, 0x00, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := cborDecode(b)
		if err != nil {
			return
		}
		enc, err := cborEncode(v)
		if err != nil {
			t.Fatalf("decoded %#v does not encode: %v", v, err)
		}
		v2, err := cborDecode(enc)
		if err != nil {
			t.Fatalf("re-encoding %x does not decode: %v", enc, err)
		}
		enc2, err := cborEncode(v2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("not a fixed point: %x then %x (%v)", enc, enc2, err)
		}
	})
}
