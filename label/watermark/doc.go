// Package watermark hides a 64-bit payload in pictures and in sound, where
// people cannot see or hear it, and finds it again with a confidence after
// the file has been re-encoded, resized, cropped, resampled or made noisy.
//
// The API is small: Embed and Detect for pictures (*image.RGBA in,
// image.Image to read), EmbedAudio and DetectAudio for sound (Audio:
// interleaved float samples), PayloadOf to derive a payload from a
// content ID, and Detection for what was read. The attacks (AttackJPEG,
// AttackResize …), PSNR and BitAccuracy measure robustness for the tests
// and 'miaobi bench label'.
//
// It knows nothing of C2PA or of the GB 45438 labels that use it: package
// label calls it for the watermark layer and reports its Detection in
// Verify. How each watermark works, and its limits, are written at the top
// of image.go and audio.go.
package watermark
