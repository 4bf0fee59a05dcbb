package c2pa

// COSE_Sign1 (RFC 9052) as C2PA uses it for the claim signature, through
// github.com/veraison/go-cose: CBOR tag 18 around [protected, unprotected,
// payload, signature], where
//
//   - protected is a byte string holding the map {1: alg, 33: x5chain};
//     x5chain is one DER certificate as a byte string, or an array of
//     them, leaf first;
//   - unprotected is a map (C2PA puts the RFC 3161 timestamp "sigTst2"
//     and a "pad" there; Miaobi writes an empty map — there is no
//     timestamp authority offline);
//   - payload is null: the claim is detached, it lives in the claim box;
//   - signature is over Sig_structure = ["Signature1", protected, h''
//     (external_aad), claim bytes]; for ECDSA it is r‖s, each the curve's
//     size (64 bytes for ES256).
//
// The library signs and verifies (ES256/384/512, PS256/384/512, EdDSA);
// this file chooses the headers C2PA asks for and reads the certificate
// chain, which the library leaves to the caller.

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/veraison/go-cose"
)

// coseAlgNames names the algorithms C2PA allows, as reports show them.
var coseAlgNames = map[cose.Algorithm]string{
	cose.AlgorithmES256: "ES256", cose.AlgorithmES384: "ES384", cose.AlgorithmES512: "ES512",
	cose.AlgorithmPS256: "PS256", cose.AlgorithmPS384: "PS384", cose.AlgorithmPS512: "PS512",
	cose.AlgorithmEdDSA: "Ed25519",
}

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
	msg := cose.Sign1Message{Headers: cose.Headers{
		Protected:   cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelX5Chain: x5},
		Unprotected: cose.UnprotectedHeader{},
	}}
	if dummy {
		msg.Signature = make([]byte, 64)
	} else {
		signer, err := cose.NewSigner(cose.AlgorithmES256, s.Key)
		if err != nil {
			return nil, err
		}
		msg.Payload = claim
		if err := msg.Sign(rand.Reader, nil, signer); err != nil {
			return nil, err
		}
	}
	msg.Payload = nil // detached: the claim lives in its own box
	return msg.MarshalCBOR()
}

// errBadSignature reports a signature that does not verify.
var errBadSignature = errors.New("claim signature does not verify")

// coseVerify1 checks a COSE_Sign1 over the detached claim and returns the
// certificate chain from its x5chain header (leaf first) and the
// algorithm's name. It checks the signature only, not the certificates.
func coseVerify1(sign1, claim []byte) ([]*x509.Certificate, string, error) {
	if len(sign1) > 0 && sign1[0]>>5 == 4 { // an untagged array: tag it
		sign1 = append([]byte{0xd2}, sign1...)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(sign1); err != nil {
		return nil, "", fmt.Errorf("COSE_Sign1: %w", err)
	}
	if msg.Payload != nil && string(msg.Payload) != string(claim) {
		return nil, "", errors.New("COSE_Sign1 payload is not the claim")
	}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil {
		return nil, "", fmt.Errorf("no algorithm in the protected header: %w", err)
	}
	name, ok := coseAlgNames[alg]
	if !ok {
		return nil, "", fmt.Errorf("unsupported COSE algorithm %d", alg)
	}
	x5, ok := msg.Headers.Protected[cose.HeaderLabelX5Chain]
	if !ok {
		if x5, ok = msg.Headers.Unprotected[cose.HeaderLabelX5Chain]; !ok {
			x5, ok = msg.Headers.Unprotected["x5chain"]
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
	verifier, err := cose.NewVerifier(alg, chain[0].PublicKey)
	if err != nil {
		return chain, name, fmt.Errorf("%s: the certificate's key: %w", name, err)
	}
	msg.Payload = claim
	if err := msg.Verify(nil, verifier); err != nil {
		if errors.Is(err, cose.ErrVerification) {
			return chain, name, errBadSignature
		}
		return chain, name, fmt.Errorf("%w: %v", errBadSignature, err)
	}
	return chain, name, nil
}
