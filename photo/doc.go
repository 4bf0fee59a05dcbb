// Package photo works on people's own pictures: it decodes them safely
// (JPEG, PNG, GIF, WebP, refusing decompression bombs above a pixel limit),
// adjusts them for the editing stage (crop, resize, rotate, brightness,
// contrast, saturation), restyles them without neural networks (ink,
// sketch, watercolour, oil) and reads imagery cues from them (sky, water,
// vegetation, season, time of day) so a poem can be written for a picture.
//
// Every function takes an image.Image and returns a fresh *image.RGBA;
// inputs are never modified. Everything is deterministic: the same picture,
// arguments and seed give the same pixels.
package photo
