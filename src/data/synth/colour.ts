/** Small colour helpers for the synthetic renderer: RGB triples in [0, 1], HSL, mixing. */

/** An RGB colour with channels in [0, 1]. */
export type Rgb = readonly [number, number, number]

/** `x` clamped to [lo, hi]. */
export function clamp(x: number, lo = 0, hi = 1): number {
  return x < lo ? lo : x > hi ? hi : x
}

/** Linear interpolation between `a` and `b` by `t`. */
export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t
}

/** The colour `t` of the way from `a` to `b`. */
export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)]
}

/** `c` scaled by `k` per channel and clamped to [0, 1]. */
export function scaleRgb(c: Rgb, k: number): Rgb {
  return [clamp(c[0] * k), clamp(c[1] * k), clamp(c[2] * k)]
}

/** Fractional part in [0, 1), also for negative numbers. */
export function fract(x: number): number {
  return x - Math.floor(x)
}

function hueChannel(p: number, q: number, t: number): number {
  const h = fract(t)
  if (h < 1 / 6) return p + (q - p) * 6 * h
  if (h < 1 / 2) return q
  if (h < 2 / 3) return p + (q - p) * (2 / 3 - h) * 6
  return p
}

/** HSL to RGB; hue wraps around [0, 1), saturation and lightness are clamped to [0, 1]. */
export function hsl(h: number, s: number, l: number): Rgb {
  const sat = clamp(s)
  const lig = clamp(l)
  if (sat === 0) return [lig, lig, lig]
  const q = lig < 0.5 ? lig * (1 + sat) : lig + sat - lig * sat
  const p = 2 * lig - q
  return [hueChannel(p, q, h + 1 / 3), hueChannel(p, q, h), hueChannel(p, q, h - 1 / 3)]
}

/** RGB to HSL, each in [0, 1]. */
export function toHsl(c: Rgb): [number, number, number] {
  const [r, g, b] = c
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  const l = (max + min) / 2
  if (max === min) return [0, 0, l]
  const d = max - min
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min)
  let h: number
  if (max === r) h = (g - b) / d + (g < b ? 6 : 0)
  else if (max === g) h = (b - r) / d + 2
  else h = (r - g) / d + 4
  return [h / 6, s, l]
}

/** `c` with its hue rotated by `dh` (a fraction of the colour wheel). */
export function rotateHue(c: Rgb, dh: number): Rgb {
  const [h, s, l] = toHsl(c)
  return hsl(h + dh, s, l)
}

/** Rec. 601 luma of `c`. */
export function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
}
