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
// Three rooms, with arrows one way: this package keeps what GB 45438 asks
// (the explicit and implicit labels, the audio cue, Verify's report, and
// File and Encode, which apply every layer to a file); package label/c2pa
// writes and verifies C2PA manifests and knows nothing of GB 45438 (the
// AIGC label rides in it as an assertion's JSON); package label/watermark
// embeds and detects the image and audio watermarks and knows nothing of
// either. The container walkers that the implicit label and C2PA both
// need (PNG chunks, JPEG segments, RIFF chunks, ISO BMFF boxes) live in
// label/internal/container and label/internal/bmff.
package label
