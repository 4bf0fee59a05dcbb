// Package paint makes ink-wash landscapes (山水画) procedurally, after the
// published description of Lingdong Huang's {Shan, Shui}*: noise-shaped
// mountains built from nested contour layers, tapered brush strokes with
// ink alpha, 皴 texture strokes between the layers, trees, water, boats and
// distant ridges that pale with distance, all on a rice-paper ground. The
// code is Miaobi's own; nothing is translated from that program.
//
// A Scene says what to paint (read from a poem's imagery by SceneOf); Paint
// renders it deterministically from a seed onto an *image.RGBA. Shapes are
// filled as anti-aliased polygons (golang.org/x/image/vector) rasterised
// in their own bounding boxes, so thousands of small strokes stay cheap.
package paint
