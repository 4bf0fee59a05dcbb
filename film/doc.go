// Package film makes Miaobi's films: a poem film from a poem — its
// painting under a slow camera, weather drawn from its images, the lines
// written in brush hand as the voice reads them, the music under the
// voice — labelled as AI-generated like every other output.
//
// Frames are drawn in Go into RGBA buffers and piped raw to ffmpeg (the
// field's standard encoder, found at start: ErrNoFFmpeg says how to get
// it), which encodes H.264 (or H.265, VP9) with AAC sound into MP4. No
// picture sequence ever touches the disk; the MP4 is written in a private
// temporary folder that is always removed, and reaches the caller only
// when whole, so a cancelled render leaves nothing half-written.
//
// A film is a Frames (Len, and Frame(i, dst) drawing frame i) plus a
// sound: poemFrames composes a camera Move over the painting (a
// Handscroll pan for wide frames, a KenBurns move for tall ones), the sky
// (mist from a tileable noise texture drifting in two layers, snow,
// petals or rain as seeded particles, lamplight flicker), the writing
// (each character's sprite wiped on top to bottom over the time the voice
// takes to say it, from sound.ReciteTimed) and the GB 45438 label — the
// full plate for label.VideoLabelSeconds, then a corner mark. The sound
// carries the audio watermark; label.File adds the AIGC metadata and a
// C2PA manifest (c2pa.hash.bmff.v3).
//
// Every film is deterministic per seed: the same poem, size and seed give
// the same frames and sound (the encoder, ffmpeg, is itself deterministic
// for the same input and options).
package film
