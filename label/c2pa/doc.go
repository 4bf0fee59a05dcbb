// Package c2pa writes and verifies C2PA Content Credentials for PNG,
// JPEG, MP4 and WAV files, in pure Go: manifests (claim v2, assertions,
// actions, ingredients), their signing with an ES256 key and a local CA
// (InitKeys, LoadSigner), and validation (Verify) as c2pa-rs does it. It
// knows nothing of GB 45438 or watermarks: package label carries its
// implicit label into a manifest as the JSON of the cn.tc260.aigc
// assertion (Manifest.AIGC) and calls this package for the C2PA layer.
//
// What is hand-written and why: CBOR goes through github.com/fxamacker/cbor
// (cbor.go only maps values onto it) and COSE_Sign1 through
// github.com/veraison/go-cose (cose.go); JUMBF (jumbf.go) and the
// placement of a store in each container (container.go, mp4.go, wav.go)
// are written here because no maintained Go library does either. The
// container walkers it shares with package label live in
// label/internal/container and label/internal/bmff. Every format is
// checked against c2pa-rs (c2pa-node 0.5.5) in interop_test.go and
// mp4_test.go: Trusted with the local CA as anchor, Invalid after one
// byte of the content changes.
//
// A manifest store Miaobi writes is this JUMBF tree (C2PA 2.x; layout and
// hashing rules measured against c2pa-rs 0.82.1, see
// shared/research/provenance.md §2):
//
//	jumb "c2pa"                              store (UUID c2pa…)
//	  jumb "urn:c2pa:<uuid>" …               manifests of ingredients, copied byte for byte
//	  jumb "urn:c2pa:<uuid>"                 this manifest (c2ma…), the last: the active one
//	    jumb "c2pa.assertions"               assertion store (c2as…)
//	      jumb "c2pa.ingredient.v3"[__N]     one per ingredient (cbor)
//	      jumb "c2pa.actions.v2"             what was done (cbor)
//	      jumb "cn.tc260.aigc"               the GB 45438 AIGC label, when given (json)
//	      jumb "c2pa.hash.data"              hard binding (cbor)
//	    jumb "c2pa.claim.v2"                 claim (c2cl…): cbor box
//	    jumb "c2pa.signature"                COSE_Sign1 ES256 over the claim (c2cs…): cbor box
//
// The claim lists every assertion in created_assertions as a hashed URI
// {url, hash}: SHA-256 over the assertion superbox without its 8-byte
// header. c2pa.hash.data holds the SHA-256 of the file without the
// container units carrying the store, and that exclusion as {start,
// length}; MP4 takes c2pa.hash.bmff.v3 in its place (mp4.go).
// Signing lays the file out with a placeholder store of the final size,
// hashes it, then writes the real store in its place.
//
// Errors start "label: c2pa: " and wrap ErrFormat or ErrDamaged (the
// same values as label's) where the file is of another format or does
// not hold together.
package c2pa
