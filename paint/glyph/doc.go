// Package glyph writes Chinese characters in a brush hand onto pictures:
// the brush font (Ma Shan Zheng), a fallback glyph set of LXGW WenKai for
// what it lacks (all of GB 2312, its traditional forms and ASCII), both
// embedded, and the drawing of one character (Draw) or of a label caption
// on a plate (Caption, CaptionBox, Writable).
//
// It is the narrow seam between the painter and the labels: package paint
// writes poems and seals with it, and package label draws the visible AI
// label with it, so that label needs nothing of the painter.
package glyph
