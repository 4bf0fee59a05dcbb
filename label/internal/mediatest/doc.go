// Package mediatest gives the tests of label and label/c2pa the media and
// the outside tools they share: a synthetic MP4 and its chunk map, real
// H.264/AAC MP4s made by FFmpeg with ffprobe and a decode check, and
// c2pa-node (c2pa-rs), the independent verifier and signer the C2PA
// interop tests read every signed file with.
//
// Only tests import it. It imports nothing of label or label/c2pa, so the
// tests of both can use it.
package mediatest
