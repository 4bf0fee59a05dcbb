// Package label marks everything Miaobi makes as AI-generated and lets
// anyone check it, in four layers: the explicit label a person sees or
// hears (GB 45438-2025 §5: text, image corner, audio rhythm, video
// opening), the implicit AIGC metadata (Appendix E, as XMP TC260:AIGC in
// PNG and JPEG), a C2PA manifest store signed with ES256 (claim v2,
// c2pa.actions.v2, trainedAlgorithmicMedia), and an invisible watermark
// carrying 64 bits of the ProduceID that survives re-encoding, resizing
// and cropping.
//
// Every layer has a writer and a reader; Verify reads them all back from a
// file. ProduceIDs are derived from what was asked for (command, inputs,
// seed), so the same request gives the same pixels, watermark included;
// only signatures and timestamps differ between runs.
//
// The watermarks live in their own room, package label/watermark, which
// knows nothing of this package or of C2PA; label calls it for that layer
// (the arrow goes one way). The C2PA code (manifests, CBOR, COSE, JUMBF and
// the containers) is still here and is to move to its own room next.
package label
