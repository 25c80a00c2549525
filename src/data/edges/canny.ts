/**
 * Photo -> line drawing, for edges2photos-style inputs: the Canny edge detector (Canny 1986) in
 * plain, deterministic TypeScript. Luminance, Gaussian blur, Sobel gradients, non-maximum
 * suppression, double threshold chosen from the image's own gradient statistics, hysteresis, then
 * removal of short stray chains and optional thickening. Output: black lines on white.
 */
import { createRgbImage, type RgbImage } from '../../core/image/types.js'
import {
  estimateNoise,
  gaussianBlur,
  gradientNoiseGain,
  luminance,
  nonMaxSuppression,
  sobel,
} from './filters.js'
import { autoThresholds, hysteresis } from './threshold.js'

/** Tuning for detectEdges; every field is optional and has a size-aware default. */
export interface EdgeOptions {
  /** Gaussian blur in pixels (0 = none). Default 1.5 at a 256 px shorter side, scaled with it, >= 1. */
  sigma?: number
  /** Low threshold as a fraction of the high one, in (0, 1]. Default 0.4. */
  lowRatio?: number
  /** High threshold as a percentile (0, 100) of candidate edge strengths. Default 80. */
  highPercentile?: number
  /** Drop edge chains of fewer pixels than this (0 = keep all). Default 10 at 256 px, scaled. */
  minComponent?: number
  /** Line width in pixels, 1..16. Default 1. */
  thickness?: number
}

/** The options detectEdges uses for an image of this size when none are given. */
export function defaultEdgeOptions(width: number, height: number): Required<EdgeOptions> {
  const scale = Math.min(width, height) / 256
  return {
    sigma: Math.max(1, 1.5 * scale),
    lowRatio: 0.4,
    highPercentile: 80,
    minComponent: Math.max(2, Math.round(10 * scale)),
    thickness: 1,
  }
}

/** Throws a RangeError naming `name` and `value` unless `ok`. */
function check(ok: boolean, name: string, value: number, expected: string): void {
  if (!ok) throw new RangeError(`detectEdges: option ${name} must be ${expected}, got ${value}`)
}

/** Fills in defaults and validates the ranges of `options`. */
function resolveOptions(image: RgbImage, options: EdgeOptions): Required<EdgeOptions> {
  const d = defaultEdgeOptions(image.width, image.height)
  const o: Required<EdgeOptions> = {
    sigma: options.sigma ?? d.sigma,
    lowRatio: options.lowRatio ?? d.lowRatio,
    highPercentile: options.highPercentile ?? d.highPercentile,
    minComponent: options.minComponent ?? d.minComponent,
    thickness: options.thickness ?? d.thickness,
  }
  check(Number.isFinite(o.sigma) && o.sigma >= 0 && o.sigma <= 32, 'sigma', o.sigma, 'in [0, 32]')
  check(o.lowRatio > 0 && o.lowRatio <= 1, 'lowRatio', o.lowRatio, 'in (0, 1]')
  check(
    o.highPercentile > 0 && o.highPercentile < 100,
    'highPercentile',
    o.highPercentile,
    'in (0, 100)',
  )
  check(
    Number.isInteger(o.minComponent) && o.minComponent >= 0,
    'minComponent',
    o.minComponent,
    'an integer >= 0',
  )
  check(
    Number.isInteger(o.thickness) && o.thickness >= 1 && o.thickness <= 16,
    'thickness',
    o.thickness,
    'an integer in [1, 16]',
  )
  return o
}

/** `mask` grown to lines `thickness` pixels wide (a thickness x thickness square brush). */
function thicken(mask: Uint8Array, width: number, height: number, thickness: number): Uint8Array {
  if (thickness <= 1) return mask
  const out = new Uint8Array(mask.length)
  const before = (thickness - 1) >> 1
  const after = thickness - 1 - before
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== 1) continue
      for (let yy = Math.max(0, y - before); yy <= Math.min(height - 1, y + after); yy++) {
        const row = yy * width
        for (let xx = Math.max(0, x - before); xx <= Math.min(width - 1, x + after); xx++) {
          out[row + xx] = 1
        }
      }
    }
  }
  return out
}

/** The binary edge mask (1 = edge) of `image`, before rendering; same pipeline as detectEdges. */
export function edgeMask(image: RgbImage, options: EdgeOptions = {}): Uint8Array {
  const { width, height, data } = image
  if (data.length !== width * height * 3) {
    throw new RangeError(`detectEdges: ${data.length} bytes for ${width}x${height} RGB`)
  }
  const o = resolveOptions(image, options)
  const grey = luminance(image)
  const noise = estimateNoise(grey) * gradientNoiseGain(o.sigma)
  const gradients = sobel(gaussianBlur(grey, o.sigma))
  const suppressed = nonMaxSuppression(gradients)
  const { magnitude } = gradients
  const thresholds = autoThresholds(magnitude, suppressed, noise, o.highPercentile, o.lowRatio)
  const mask = hysteresis(suppressed, width, height, thresholds, o.minComponent)
  return thicken(mask, width, height, o.thickness)
}

/** A line drawing of `image`: black (0) edge lines on white (255), the same size as the input. */
export function detectEdges(image: RgbImage, options: EdgeOptions = {}): RgbImage {
  const mask = edgeMask(image, options)
  const out = createRgbImage(image.width, image.height)
  out.data.fill(255)
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 1) out.data.fill(0, i * 3, i * 3 + 3)
  }
  return out
}
