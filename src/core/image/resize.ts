/**
 * Cropping and resampling on 8-bit RGB images, in plain TypeScript so every backend and platform
 * sees identical pixels. Resampling is separable with a triangle (bilinear) kernel widened by the
 * scale factor when shrinking, so downscaling averages instead of aliasing.
 *
 * The fit policy is explicit: `cover` (default) scales the shorter side to the target and
 * centre-crops the longer one; `stretch` scales each axis independently; `contain` scales the longer
 * side to fit and pads with white.
 */
import { createRgbImage, type RgbImage } from './types.js'

/** How an image of another aspect ratio is fitted to a target size. */
export type FitPolicy = 'cover' | 'stretch' | 'contain'

/** The sub-rectangle [x, y, width, height] of `image`, copied. */
export function crop(
  image: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
): RgbImage {
  if (
    x < 0 ||
    y < 0 ||
    width <= 0 ||
    height <= 0 ||
    x + width > image.width ||
    y + height > image.height
  ) {
    throw new RangeError(
      `crop ${width}x${height}+${x}+${y} is outside the ${image.width}x${image.height} image`,
    )
  }
  const out = createRgbImage(width, height)
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * image.width + x) * 3
    out.data.set(image.data.subarray(start, start + width * 3), row * width * 3)
  }
  return out
}

/** The centred width x height window of `image`. */
export function centreCrop(image: RgbImage, width: number, height: number): RgbImage {
  return crop(image, (image.width - width) >> 1, (image.height - height) >> 1, width, height)
}

/** Mirror image left-right. */
export function flipHorizontal(image: RgbImage): RgbImage {
  const out = createRgbImage(image.width, image.height)
  const w = image.width
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3
      const d = (y * w + (w - 1 - x)) * 3
      out.data[d] = image.data[s] ?? 0
      out.data[d + 1] = image.data[s + 1] ?? 0
      out.data[d + 2] = image.data[s + 2] ?? 0
    }
  }
  return out
}

interface Taps {
  readonly start: Int32Array
  readonly count: Int32Array
  readonly weights: Float32Array
  readonly maxTaps: number
}

/** Per-output-pixel source indices and normalised weights along one axis. */
function computeTaps(srcLen: number, dstLen: number): Taps {
  const scale = srcLen / dstLen
  const support = Math.max(1, scale) // triangle half-width in source pixels
  const maxTaps = Math.ceil(support) * 2 + 1
  const start = new Int32Array(dstLen)
  const count = new Int32Array(dstLen)
  const weights = new Float32Array(dstLen * maxTaps)
  for (let i = 0; i < dstLen; i++) {
    const centre = (i + 0.5) * scale
    const lo = Math.max(0, Math.floor(centre - support))
    const hi = Math.min(srcLen, Math.ceil(centre + support))
    let total = 0
    let n = 0
    for (let j = lo; j < hi && n < maxTaps; j++, n++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - centre) / support))
      weights[i * maxTaps + n] = w
      total += w
    }
    for (let k = 0; k < n; k++)
      weights[i * maxTaps + k] = (weights[i * maxTaps + k] ?? 0) / (total || 1)
    start[i] = lo
    count[i] = n
  }
  return { start, count, weights, maxTaps }
}

/** Resamples `image` to exactly width x height (aspect ratio not preserved). */
export function resize(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) {
    return { width, height, data: image.data.slice() }
  }
  const tx = computeTaps(image.width, width)
  const ty = computeTaps(image.height, height)
  // Horizontal pass into a float buffer [image.height, width, 3].
  const tmp = new Float32Array(image.height * width * 3)
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0
      const s0 = tx.start[x] ?? 0
      for (let k = 0; k < (tx.count[x] ?? 0); k++) {
        const w = tx.weights[x * tx.maxTaps + k] ?? 0
        const s = (y * image.width + s0 + k) * 3
        r += w * (image.data[s] ?? 0)
        g += w * (image.data[s + 1] ?? 0)
        b += w * (image.data[s + 2] ?? 0)
      }
      const d = (y * width + x) * 3
      tmp[d] = r
      tmp[d + 1] = g
      tmp[d + 2] = b
    }
  }
  const out = createRgbImage(width, height)
  for (let y = 0; y < height; y++) {
    const s0 = ty.start[y] ?? 0
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0
      for (let k = 0; k < (ty.count[y] ?? 0); k++) {
        const w = ty.weights[y * ty.maxTaps + k] ?? 0
        const s = ((s0 + k) * width + x) * 3
        r += w * (tmp[s] ?? 0)
        g += w * (tmp[s + 1] ?? 0)
        b += w * (tmp[s + 2] ?? 0)
      }
      const d = (y * width + x) * 3
      out.data[d] = Math.min(255, Math.max(0, Math.round(r)))
      out.data[d + 1] = Math.min(255, Math.max(0, Math.round(g)))
      out.data[d + 2] = Math.min(255, Math.max(0, Math.round(b)))
    }
  }
  return out
}

/** Fits `image` into width x height following `policy` (see the module comment). */
export function fitImage(
  image: RgbImage,
  width: number,
  height: number,
  policy: FitPolicy = 'cover',
): RgbImage {
  if (policy === 'stretch') return resize(image, width, height)
  const sx = width / image.width
  const sy = height / image.height
  const s = policy === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy)
  const w = Math.max(1, Math.round(image.width * s))
  const h = Math.max(1, Math.round(image.height * s))
  const scaled = resize(image, w, h)
  if (policy === 'cover') return centreCrop(scaled, Math.min(w, width), Math.min(h, height))
  const out = createRgbImage(width, height)
  out.data.fill(255)
  return paste(out, scaled, (width - w) >> 1, (height - h) >> 1)
}

/** Copies `src` into `dst` at (x, y) in place and returns `dst`; `src` must fit. */
export function paste(dst: RgbImage, src: RgbImage, x: number, y: number): RgbImage {
  if (x < 0 || y < 0 || x + src.width > dst.width || y + src.height > dst.height) {
    throw new RangeError(
      `paste ${src.width}x${src.height} at ${x},${y} outside ${dst.width}x${dst.height}`,
    )
  }
  for (let row = 0; row < src.height; row++) {
    dst.data.set(
      src.data.subarray(row * src.width * 3, (row + 1) * src.width * 3),
      ((y + row) * dst.width + x) * 3,
    )
  }
  return dst
}
