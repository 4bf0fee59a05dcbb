package c2pa

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

func TestCOSESign1RoundTrip(t *testing.T) {
	s := testSigner(t)
	claim := mustCBOR(cborMap{{"dc:title", "x"}})
	sig, err := coseSign1(claim, s, false)
	if err != nil {
		t.Fatal(err)
	}
	dummy, err := coseSign1(claim, s, true)
	if err != nil || len(dummy) != len(sig) {
		t.Fatalf("dummy signature is %d bytes, real %d (%v)", len(dummy), len(sig), err)
	}
	// Shape: tag 18, [protected bstr {1: -7, 33: [leaf, CA]}, {}, null, 64 bytes].
	v, _ := cborDecode(sig)
	tag, ok := v.(cborTag)
	if !ok || tag.Num != 18 {
		t.Fatalf("not tag 18: %#v", v)
	}
	arr := tag.V.([]any)
	ph, _ := cborDecode(arr[0].([]byte))
	alg, _ := ph.(cborMap).getInt(1)
	x5, _ := ph.(cborMap).getInt(33)
	if alg != int64(-7) || len(x5.([]any)) != 2 || !bytes.Equal(x5.([]any)[0].([]byte), s.Chain[0].Raw) {
		t.Errorf("protected header %#v", ph)
	}
	if arr[2] != nil || len(arr[3].([]byte)) != 64 || len(arr[1].(cborMap)) != 0 {
		t.Errorf("payload %v, signature %d bytes, unprotected %v", arr[2], len(arr[3].([]byte)), arr[1])
	}
	chain, name, err := coseVerify1(sig, claim)
	if err != nil || name != "ES256" || len(chain) != 2 || !chain[0].Equal(s.Chain[0]) {
		t.Fatalf("verify: %v %s %d", err, name, len(chain))
	}
	// Another claim, or a flipped signature bit, fails.
	if _, _, err := coseVerify1(sig, mustCBOR(cborMap{{"dc:title", "y"}})); !errors.Is(err, errBadSignature) {
		t.Errorf("other claim: %v", err)
	}
	bad := bytes.Clone(sig)
	bad[len(bad)-1] ^= 1
	if _, _, err := coseVerify1(bad, claim); !errors.Is(err, errBadSignature) {
		t.Errorf("flipped signature: %v", err)
	}
	// A single certificate goes in as a byte string.
	one := &Signer{Key: s.Key, Chain: s.Chain[:1]}
	sig1, _ := coseSign1(claim, one, false)
	if chain, _, err := coseVerify1(sig1, claim); err != nil || len(chain) != 1 {
		t.Errorf("single certificate: %v", err)
	}
	// Signers that cannot sign ES256.
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, bad := range []*Signer{nil, {Key: s.Key}, {Key: p384, Chain: s.Chain}} {
		if _, err := coseSign1(claim, bad, false); err == nil {
			t.Errorf("signer %+v: no error", bad)
		}
	}
}

func TestCOSEVerifyMalformed(t *testing.T) {
	s := testSigner(t)
	claim := []byte{0xa0}
	good, _ := coseSign1(claim, s, false)
	v, _ := cborDecode(good)
	arr := v.(cborTag).V.([]any)
	noX5 := mustCBOR(cborMap{{int64(1), int64(-7)}})
	badAlg := mustCBOR(cborMap{{int64(1), int64(-999)}, {int64(33), s.Chain[0].Raw}})
	for name, in := range map[string]any{
		"not CBOR":        cborRaw{0xff},
		"wrong tag":       cborTag{98, arr},
		"three items":     cborTag{18, arr[:3]},
		"payload differs": cborTag{18, []any{arr[0], arr[1], []byte{1}, arr[3]}},
		"no x5chain":      cborTag{18, []any{noX5, cborMap{}, nil, arr[3]}},
		"unknown alg":     cborTag{18, []any{badAlg, cborMap{}, nil, arr[3]}},
		"bad cert":        cborTag{18, []any{mustCBOR(cborMap{{int64(1), int64(-7)}, {int64(33), []byte{1, 2}}}), cborMap{}, nil, arr[3]}},
		"short signature": cborTag{18, []any{arr[0], arr[1], nil, []byte{1}}},
	} {
		b, raw := in.(cborRaw)
		if !raw {
			b = mustCBOR(in)
		}
		if _, _, err := coseVerify1(b, claim); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The payload may be attached when it is the claim.
	if _, _, err := coseVerify1(mustCBOR(cborTag{18, []any{arr[0], arr[1], claim, arr[3]}}), claim); err != nil {
		t.Errorf("attached payload: %v", err)
	}
}
