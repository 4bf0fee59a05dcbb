package label

// COSE_Sign1 (RFC 9052) as C2PA uses it for the claim signature: CBOR
// tag 18 around [protected, unprotected, payload, signature], where
//
//   - protected is a byte string holding the map {1: alg, 33: x5chain};
//     x5chain is one DER certificate as a byte string, or an array of
//     them, leaf first;
//   - unprotected is a map (C2PA puts the RFC 3161 timestamp "sigTst2"
//     and a "pad" there; Miaobi writes an empty map — there is no
//     timestamp authority offline);
//   - payload is null: the claim is detached, it lives in the claim box;
//   - signature is computed over Sig_structure = ["Signature1",
//     protected, h'' (external_aad), claim bytes]; for ECDSA it is r‖s,
//     each the curve's size (64 bytes for ES256).

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
)

// COSE algorithm identifiers (IANA COSE Algorithms registry) C2PA allows.
const (
	coseES256 = -7
	coseES384 = -35
	coseES512 = -36
	cosePS256 = -37
	cosePS384 = -38
	cosePS512 = -39
	coseEdDSA = -8
)

// COSE header labels.
const (
	coseHeaderAlg     = 1
	coseHeaderX5Chain = 33
	coseTagSign1      = 18
)

// coseSign1 signs claim with the signer's P-256 key (ES256), the chain in
// the protected header. With dummy set it returns a structure of the same
// size with a zero signature, for laying out the file before signing.
func coseSign1(claim []byte, s *Signer, dummy bool) ([]byte, error) {
	if s == nil || s.Key == nil || len(s.Chain) == 0 {
		return nil, errors.New("signer needs a key and a certificate chain")
	}
	if s.Key.Curve.Params().BitSize != 256 {
		return nil, errors.New("signer key must be ECDSA P-256 (ES256)")
	}
	var x5 any
	if len(s.Chain) == 1 {
		x5 = s.Chain[0].Raw
	} else {
		a := make([]any, len(s.Chain))
		for i, c := range s.Chain {
			a[i] = c.Raw
		}
		x5 = a
	}
	protected, err := cborEncode(cborMap{{int64(coseHeaderAlg), int64(coseES256)}, {int64(coseHeaderX5Chain), x5}})
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	if !dummy {
		digest := sha256.Sum256(sigStructure(protected, claim))
		r, ss, err := ecdsa.Sign(rand.Reader, s.Key, digest[:])
		if err != nil {
			return nil, err
		}
		r.FillBytes(sig[:32])
		ss.FillBytes(sig[32:])
	}
	return cborEncode(cborTag{coseTagSign1, []any{protected, cborMap{}, nil, sig}})
}

// sigStructure is the COSE Sig_structure for a Sign1 with a detached
// payload and no external data.
func sigStructure(protected, payload []byte) []byte {
	return mustCBOR([]any{"Signature1", protected, []byte{}, payload})
}

// coseVerify1 checks a COSE_Sign1 over the detached claim and returns the
// certificate chain from its x5chain header (leaf first) and the
// algorithm's name. It checks the signature only, not the certificates.
func coseVerify1(sign1, claim []byte) ([]*x509.Certificate, string, error) {
	v, err := cborDecode(sign1)
	if err != nil {
		return nil, "", err
	}
	if t, ok := v.(cborTag); ok {
		if t.Num != coseTagSign1 {
			return nil, "", fmt.Errorf("COSE tag %d, not COSE_Sign1 (18)", t.Num)
		}
		v = t.V
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 4 {
		return nil, "", errors.New("COSE_Sign1 is not an array of four")
	}
	protected, ok1 := arr[0].([]byte)
	unprotected, ok2 := arr[1].(cborMap)
	sig, ok3 := arr[3].([]byte)
	if !ok1 || !ok2 || !ok3 {
		return nil, "", errors.New("COSE_Sign1 fields have the wrong types")
	}
	payload := claim
	switch p := arr[2].(type) {
	case nil:
	case []byte:
		if string(p) != string(claim) {
			return nil, "", errors.New("COSE_Sign1 payload is not the claim")
		}
	default:
		return nil, "", errors.New("COSE_Sign1 payload is neither null nor bytes")
	}
	var ph cborMap
	if len(protected) > 0 {
		d, err := cborDecode(protected)
		if err != nil {
			return nil, "", fmt.Errorf("protected header: %w", err)
		}
		if ph, ok = d.(cborMap); !ok {
			return nil, "", errors.New("protected header is not a map")
		}
	}
	algV, _ := ph.getInt(coseHeaderAlg)
	alg, ok := algV.(int64)
	if !ok {
		return nil, "", errors.New("no algorithm in the protected header")
	}
	x5, ok := ph.getInt(coseHeaderX5Chain)
	if !ok {
		if x5, ok = unprotected.getInt(coseHeaderX5Chain); !ok {
			x5, ok = unprotected.get("x5chain")
		}
	}
	if !ok {
		return nil, "", errors.New("no x5chain header")
	}
	var ders [][]byte
	switch c := x5.(type) {
	case []byte:
		ders = [][]byte{c}
	case []any:
		for _, e := range c {
			b, ok := e.([]byte)
			if !ok {
				return nil, "", errors.New("x5chain entry is not a byte string")
			}
			ders = append(ders, b)
		}
	}
	if len(ders) == 0 {
		return nil, "", errors.New("empty x5chain")
	}
	chain := make([]*x509.Certificate, len(ders))
	for i, d := range ders {
		if chain[i], err = x509.ParseCertificate(d); err != nil {
			return nil, "", fmt.Errorf("x5chain certificate %d: %w", i, err)
		}
	}
	tbs := sigStructure(protected, payload)
	name, err := coseCheck(alg, chain[0].PublicKey, tbs, sig)
	return chain, name, err
}

// errBadSignature reports a signature that does not verify.
var errBadSignature = errors.New("claim signature does not verify")

// coseCheck verifies sig over tbs with pub under COSE algorithm alg.
func coseCheck(alg int64, pub any, tbs, sig []byte) (string, error) {
	digest := func(h crypto.Hash) []byte {
		switch h {
		case crypto.SHA384:
			d := sha512.Sum384(tbs)
			return d[:]
		case crypto.SHA512:
			d := sha512.Sum512(tbs)
			return d[:]
		}
		d := sha256.Sum256(tbs)
		return d[:]
	}
	switch alg {
	case coseES256, coseES384, coseES512:
		h, name := map[int64]crypto.Hash{coseES256: crypto.SHA256, coseES384: crypto.SHA384, coseES512: crypto.SHA512}[alg],
			map[int64]string{coseES256: "ES256", coseES384: "ES384", coseES512: "ES512"}[alg]
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return name, fmt.Errorf("%s needs an ECDSA key, the certificate has %T", name, pub)
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return name, fmt.Errorf("%w: %d-byte %s signature", errBadSignature, len(sig), name)
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		if !ecdsa.Verify(k, digest(h), r, s) {
			return name, errBadSignature
		}
		return name, nil
	case cosePS256, cosePS384, cosePS512:
		h, name := map[int64]crypto.Hash{cosePS256: crypto.SHA256, cosePS384: crypto.SHA384, cosePS512: crypto.SHA512}[alg],
			map[int64]string{cosePS256: "PS256", cosePS384: "PS384", cosePS512: "PS512"}[alg]
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return name, fmt.Errorf("%s needs an RSA key, the certificate has %T", name, pub)
		}
		if rsa.VerifyPSS(k, h, digest(h), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
			return name, errBadSignature
		}
		return name, nil
	case coseEdDSA:
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return "Ed25519", fmt.Errorf("EdDSA needs an Ed25519 key, the certificate has %T", pub)
		}
		if !ed25519.Verify(k, tbs, sig) {
			return "Ed25519", errBadSignature
		}
		return "Ed25519", nil
	}
	return "", fmt.Errorf("unsupported COSE algorithm %d", alg)
}
