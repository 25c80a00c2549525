/**
 * The image-processing stages of the Canny edge detector, on single-channel Float32 planes in
 * row-major order: luminance, separable Gaussian blur, Sobel gradients and non-maximum
 * suppression. Borders replicate the nearest pixel, so the image frame itself is never an edge.
 */
import type { RgbImage } from '../../core/image/types.js'

/** A single-channel float image, row-major. */
export interface Plane {
  readonly width: number
  readonly height: number
  readonly data: Float32Array
}

/** Rec. 601 luma (0.299 R + 0.587 G + 0.114 B) of `image`, in grey levels 0..255. */
export function luminance(image: RgbImage): Plane {
  const n = image.width * image.height
  const out = new Float32Array(n)
  const src = image.data
  for (let i = 0, s = 0; i < n; i++, s += 3) {
    out[i] = 0.299 * (src[s] ?? 0) + 0.587 * (src[s + 1] ?? 0) + 0.114 * (src[s + 2] ?? 0)
  }
  return { width: image.width, height: image.height, data: out }
}

/** Normalised 1-D Gaussian taps for `sigma`, radius ceil(3 sigma); [1] when sigma is 0. */
export function gaussianKernel(sigma: number): Float32Array {
  if (sigma <= 0) return Float32Array.of(1)
  const radius = Math.max(1, Math.ceil(3 * sigma))
  const taps = new Float64Array(2 * radius + 1)
  let total = 0
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma))
    taps[i + radius] = w
    total += w
  }
  return Float32Array.from(taps, (w) => w / total)
}

/** One separable convolution pass with `kernel`, along x when `horizontal`, else along y. */
function convolve1d(src: Plane, kernel: Float32Array, horizontal: boolean): Plane {
  const { width: w, height: h, data } = src
  const out = new Float32Array(w * h)
  const taps = kernel.length
  const r = (taps - 1) >> 1
  const len = horizontal ? w : h
  const step = horizontal ? 1 : w
  const lines = horizontal ? h : w
  const lineStep = horizontal ? w : 1
  // Each line is copied into a buffer padded by replicating its end pixels.
  const line = new Float32Array(len + 2 * r)
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep
    for (let i = 0; i < len; i++) line[r + i] = data[base + i * step] ?? 0
    line.fill(line[r] ?? 0, 0, r)
    line.fill(line[r + len - 1] ?? 0, r + len)
    for (let i = 0; i < len; i++) {
      let acc = 0
      for (let k = 0; k < taps; k++) acc += (kernel[k] ?? 0) * (line[i + k] ?? 0)
      out[base + i * step] = acc
    }
  }
  return { width: w, height: h, data: out }
}

/** `plane` blurred by an isotropic Gaussian of standard deviation `sigma` pixels. */
export function gaussianBlur(plane: Plane, sigma: number): Plane {
  if (sigma <= 0) return { width: plane.width, height: plane.height, data: plane.data.slice() }
  const kernel = gaussianKernel(sigma)
  return convolve1d(convolve1d(plane, kernel, true), kernel, false)
}

/** Sobel derivatives of a plane, scaled by 1/8 so a ramp of g levels per pixel reads g. */
export interface Gradients {
  readonly width: number
  readonly height: number
  /** d/dx (positive when brighter to the right). */
  readonly gx: Float32Array
  /** d/dy (positive when brighter further down). */
  readonly gy: Float32Array
  /** Euclidean magnitude sqrt(gx^2 + gy^2). */
  readonly magnitude: Float32Array
}

/** The Sobel gradients of `plane` (3x3 kernels, replicated borders). */
export function sobel(plane: Plane): Gradients {
  const { width: w, height: h, data: p } = plane
  const gx = new Float32Array(w * h)
  const gy = new Float32Array(w * h)
  const magnitude = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w
    const mid = y * w
    const down = (y < h - 1 ? y + 1 : y) * w
    for (let x = 0; x < w; x++) {
      const l = x > 0 ? x - 1 : 0
      const r = x < w - 1 ? x + 1 : x
      const tl = p[up + l] ?? 0
      const tc = p[up + x] ?? 0
      const tr = p[up + r] ?? 0
      const ml = p[mid + l] ?? 0
      const mr = p[mid + r] ?? 0
      const bl = p[down + l] ?? 0
      const bc = p[down + x] ?? 0
      const br = p[down + r] ?? 0
      const dx = (tr + 2 * mr + br - tl - 2 * ml - bl) / 8
      const dy = (bl + 2 * bc + br - tl - 2 * tc - tr) / 8
      gx[mid + x] = dx
      gy[mid + x] = dy
      magnitude[mid + x] = Math.sqrt(dx * dx + dy * dy)
    }
  }
  return { width: w, height: h, gx, gy, magnitude }
}

const TAN_22_5 = Math.tan(Math.PI / 8)

/**
 * Thins ridges of gradient magnitude to 1 pixel: a pixel survives only if it is a local maximum
 * along its gradient direction (quantised to 0, 45, 90 or 135 degrees). Ties are broken towards
 * one side (strictly greater than the backward neighbour, at least the forward one), so a step
 * edge whose ridge is two equal pixels wide still gives a single line. Suppressed pixels are 0.
 */
export function nonMaxSuppression(g: Gradients): Float32Array {
  const { width: w, height: h, gx, gy, magnitude: m } = g
  const out = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const mag = m[i] ?? 0
      if (mag === 0) continue
      const ax = Math.abs(gx[i] ?? 0)
      const ay = Math.abs(gy[i] ?? 0)
      let dx = 1
      let dy = 0
      if (ax <= TAN_22_5 * ay) {
        dx = 0
        dy = 1
      } else if (ay > TAN_22_5 * ax) {
        dy = (gx[i] ?? 0) * (gy[i] ?? 0) > 0 ? 1 : -1
      }
      const fx = Math.min(w - 1, Math.max(0, x + dx))
      const fy = Math.min(h - 1, Math.max(0, y + dy))
      const bx = Math.min(w - 1, Math.max(0, x - dx))
      const by = Math.min(h - 1, Math.max(0, y - dy))
      const forward = m[fy * w + fx] ?? 0
      const backward = m[by * w + bx] ?? 0
      if (mag > backward && mag >= forward) out[i] = mag
    }
  }
  return out
}

/**
 * Standard deviation of additive white noise in `plane`, by Immerkær's estimator ("Fast noise
 * variance estimation", CVIU 1996): the mean absolute response to a 3x3 operator that cancels
 * linear intensity, so smooth shading and straight edges contribute little.
 */
export function estimateNoise(plane: Plane): number {
  const { width: w, height: h, data: d } = plane
  if (w < 3 || h < 3) return 0
  let sum = 0
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x
      const corners =
        (d[i - w - 1] ?? 0) + (d[i - w + 1] ?? 0) + (d[i + w - 1] ?? 0) + (d[i + w + 1] ?? 0)
      const sides = (d[i - w] ?? 0) + (d[i - 1] ?? 0) + (d[i + 1] ?? 0) + (d[i + w] ?? 0)
      sum += Math.abs(corners - 2 * sides + 4 * (d[i] ?? 0))
    }
  }
  return (Math.sqrt(Math.PI / 2) * sum) / (6 * (w - 2) * (h - 2))
}

/** How much gaussianBlur(sigma) then sobel scale white noise: the sd of gx per unit input sd. */
export function gradientNoiseGain(sigma: number): number {
  const n = 2 * Math.ceil(3 * sigma) + 5
  const impulse = new Float32Array(n * n)
  impulse[(n >> 1) * n + (n >> 1)] = 1
  const { gx } = sobel(gaussianBlur({ width: n, height: n, data: impulse }, sigma))
  let sum = 0
  for (const v of gx) sum += v * v
  return Math.sqrt(sum)
}
