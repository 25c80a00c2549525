/** Putting images side by side: A|B pairs (pix2pix format) and contact sheets / grids. */
import { crop, paste } from './resize.js'
import { createRgbImage, type RgbImage } from './types.js'

/** `left` and `right` side by side; both must have the same height. */
export function joinHorizontal(left: RgbImage, right: RgbImage): RgbImage {
  if (left.height !== right.height) {
    throw new RangeError(`joinHorizontal: heights differ (${left.height} vs ${right.height})`)
  }
  const out = createRgbImage(left.width + right.width, left.height)
  paste(out, left, 0, 0)
  return paste(out, right, left.width, 0)
}

/** Splits a side-by-side A|B image into its two halves (the width must be even). */
export function splitHorizontal(
  image: RgbImage,
  where = '<image>',
): { left: RgbImage; right: RgbImage } {
  if (image.width % 2 !== 0) {
    throw new RangeError(
      `${where}: a side-by-side A|B image needs an even width, got ${image.width}`,
    )
  }
  const half = image.width / 2
  return {
    left: crop(image, 0, 0, half, image.height),
    right: crop(image, half, 0, half, image.height),
  }
}

/** Images laid out row-major in a grid with `columns` columns and a `gap`-pixel border of `background`. */
export function grid(
  images: readonly RgbImage[],
  columns: number,
  gap = 2,
  background: readonly [number, number, number] = [255, 255, 255],
): RgbImage {
  const first = images[0]
  if (!first) throw new RangeError('grid: no images')
  const cellW = Math.max(...images.map((i) => i.width))
  const cellH = Math.max(...images.map((i) => i.height))
  const cols = Math.max(1, Math.min(columns, images.length))
  const rows = Math.ceil(images.length / cols)
  const out = createRgbImage(cols * cellW + (cols + 1) * gap, rows * cellH + (rows + 1) * gap)
  for (let i = 0; i < out.data.length; i += 3) {
    out.data[i] = background[0]
    out.data[i + 1] = background[1]
    out.data[i + 2] = background[2]
  }
  images.forEach((img, i) => {
    const x = gap + (i % cols) * (cellW + gap)
    const y = gap + Math.floor(i / cols) * (cellH + gap)
    paste(out, img, x, y)
  })
  return out
}
