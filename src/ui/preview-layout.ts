/**
 * Where a node's preview images go: a grid below its widgets (1 column for one image, 2 for up
 * to 4, 3 for up to 9, 4 beyond), each image scaled to its cell (at most 4x, so small samples
 * are enlarged but stay recognisable as pixels), and the node width that shows them at 1:1
 * (capped, so a large sheet does not make a huge node). Pure geometry, in node coordinates.
 */

/** A preview image's pixel size. */
export interface PixelSize {
  readonly width: number
  readonly height: number
}

/** Rectangles [x, y, w, h] from the top of the preview area, and the area's height. */
export interface PreviewLayout {
  readonly rects: readonly (readonly [number, number, number, number])[]
  readonly height: number
}

/** Images shown on one node at most (the lightbox shows all of them). */
export const MAX_PREVIEWS = 16
const PAD = 5
const GAP = 4
const MAX_UPSCALE = 4
const MAX_CELL_HEIGHT = 384
/** Widest a node grows to show its previews at 1:1. */
export const MAX_PREVIEW_NODE_WIDTH = 520

/** Grid columns for `n` images. */
export function previewColumns(n: number): number {
  return n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4
}

/** The node width that shows `images` at 1:1, at most MAX_PREVIEW_NODE_WIDTH. */
export function wantedPreviewWidth(images: readonly PixelSize[]): number {
  const shown = images.slice(0, MAX_PREVIEWS)
  if (shown.length === 0) return 0
  const cols = previewColumns(shown.length)
  const widest = Math.max(...shown.map((i) => i.width))
  return Math.min(MAX_PREVIEW_NODE_WIDTH, cols * widest + (cols - 1) * GAP + 2 * PAD)
}

/** The grid of `images` in a node `nodeWidth` wide. */
export function layoutPreviews(images: readonly PixelSize[], nodeWidth: number): PreviewLayout {
  const shown = images.slice(0, MAX_PREVIEWS)
  if (shown.length === 0) return { rects: [], height: 0 }
  const cols = previewColumns(shown.length)
  const cell = Math.max(8, (nodeWidth - 2 * PAD - (cols - 1) * GAP) / cols)
  const rects: [number, number, number, number][] = []
  let y = GAP
  for (let row = 0; row * cols < shown.length; row++) {
    let rowHeight = 0
    shown.slice(row * cols, row * cols + cols).forEach((im, col) => {
      const s = Math.min(cell / im.width, MAX_CELL_HEIGHT / im.height, MAX_UPSCALE)
      const [w, h] = [im.width * s, im.height * s]
      rects.push([PAD + col * (cell + GAP) + (cell - w) / 2, y, w, h])
      rowHeight = Math.max(rowHeight, h)
    })
    y += rowHeight + GAP
  }
  return { rects, height: y }
}

/** The index of the image under (x, y) (relative to the preview area's top), or -1. */
export function previewIndexAt(layout: PreviewLayout, x: number, y: number): number {
  return layout.rects.findIndex(
    ([rx, ry, w, h]) => x >= rx && x <= rx + w && y >= ry && y <= ry + h,
  )
}
