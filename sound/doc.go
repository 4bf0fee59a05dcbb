// Package sound makes and edits sound: recitation, music, scenes and the
// edits a person asks for, every piece labelled by package label.
//
// Sound is composed as beep Streamers (github.com/gopxl/beep/v2: stereo
// float64 frames at Rate, 48 kHz) where it flows, and held as pcm.Audio
// (interleaved float32) where it is measured, labelled or written. Render
// drains a Streamer into an Audio; Play streams an Audio.
//
// Loudness follows ITU-R BS.1770-4 (Measure), and everything Miaobi
// writes is normalised to −16 LUFS integrated with a −1 dBTP true-peak
// ceiling (Normalize); the tests check both against FFmpeg's ebur128.
package sound
