/**
 * Shading rules of the styled image: each region's colour (palette role, aerial perspective,
 * time-of-day tint and exposure) and the texture patterns. Everything that varies across a region
 * is a scalar factor (light x texture), so a pixel costs one multiply per channel.
 */
import { clamp, hsl, luma, mixRgb, type Rgb } from './colour.js'
import type { RegionRole, SceneRegion } from './shapes.js'
import type { SynthStyleParams } from './style.js'

/** How strongly the texture shows on each role. */
export const TEXTURE_WEIGHT: Readonly<Record<RegionRole, number>> = {
  sky: 0,
  celestial: 0,
  cloud: 0.3,
  mountain: 0.6,
  hill: 0.8,
  ground: 1,
  road: 0.7,
  water: 0.5,
  wall: 0.9,
  roof: 1,
  door: 0.5,
  window: 0,
  trunk: 0.6,
  foliage: 1,
  rock: 0.8,
  box: 1,
  tent: 1,
}

/** A region's colour under `style` before light and texture, and how self-lit it is (0..1). */
function roleColour(style: SynthStyleParams, r: SceneRegion): { colour: Rgb; emissive: number } {
  const { hue: h, saturation: s, lightness: l, hueSpread: sp } = style
  const t = r.tone - 0.5
  const aerial = (c: Rgb, k: number): Rgb => mixRgb(c, style.skyHorizon, k * r.depth)
  const night = clamp((0.62 - style.daylight) / 0.3)
  switch (r.role) {
    case 'sky':
      return { colour: style.skyHorizon, emissive: 1 }
    case 'celestial': {
      const d = style.daylight
      const moon: Rgb = [0.93, 0.94, 0.86]
      const dusk: Rgb = [1, 0.64, 0.32]
      const sun: Rgb = [1, 0.95, 0.72]
      return {
        colour: d < 0.5 ? mixRgb(moon, dusk, d * 2) : mixRgb(dusk, sun, d * 2 - 1),
        emissive: 1,
      }
    }
    case 'cloud':
      return { colour: mixRgb([0.97, 0.97, 0.97], style.skyHorizon, 0.3), emissive: 0.2 }
    case 'mountain':
      return { colour: aerial(hsl(h + sp * 0.5, s * 0.45, l + 0.08), 0.45), emissive: 0 }
    case 'hill':
      return { colour: aerial(hsl(h + sp * 0.3, s * 0.85, l + 0.02 + t * 0.08), 0.35), emissive: 0 }
    case 'ground':
      return { colour: hsl(h, s, l - 0.04 + t * 0.08), emissive: 0 }
    case 'road':
      return { colour: hsl(h + 0.5, s * 0.2, l + 0.2), emissive: 0 }
    case 'water':
      return { colour: mixRgb(style.skyTop, style.skyHorizon, 0.6), emissive: 0.5 }
    case 'wall':
      return { colour: hsl(h + sp, s * 0.55, l + 0.18 + t * 0.16), emissive: 0 }
    case 'roof':
      return { colour: hsl(h - sp, s * 1.1, l - 0.08 + t * 0.12), emissive: 0 }
    case 'door':
      return { colour: hsl(h - sp * 1.5, s * 0.6, l - 0.22), emissive: 0 }
    case 'window':
      return { colour: mixRgb(hsl(0.58, 0.3, 0.72), [1, 0.84, 0.42], night), emissive: night }
    case 'trunk':
      return { colour: hsl(h - sp * 2, s * 0.5, l - 0.2), emissive: 0 }
    case 'foliage':
      return { colour: hsl(h + sp * 1.6, s, l - 0.02 + t * 0.16), emissive: 0 }
    case 'rock':
      return { colour: hsl(h - sp * 0.6, s * 0.35, l + 0.05 + t * 0.2), emissive: 0 }
    case 'box':
      return { colour: hsl(h + sp * 2.4, s * 0.9, l + 0.06 + t * 0.1), emissive: 0 }
    case 'tent':
      return { colour: hsl(h - sp * 2.2, s, l + 0.04 + t * 0.1), emissive: 0 }
  }
}

/**
 * The final colour of a region's surface at unit light and texture: its role colour graded by the
 * time-of-day tint and exposure, except for the self-lit share.
 */
export function regionColour(style: SynthStyleParams, region: SceneRegion): Rgb {
  const { colour: c, emissive } = roleColour(style, region)
  const y = luma(c)
  const ts = style.tintStrength
  const lit = (k: number): number => {
    const channel = c[k] ?? 0
    const graded = style.exposure * ((1 - ts) * channel + ts * y * (style.tint[k] ?? 0))
    return graded + (channel - graded) * emissive
  }
  return [lit(0), lit(1), lit(2)]
}

function hash2(x: number, y: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1)
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  h ^= h >>> 13
  return (h >>> 0) / 4294967296
}

function valueNoise(x: number, y: number): number {
  const xi = Math.floor(x)
  const yi = Math.floor(y)
  const fx = x - xi
  const fy = y - yi
  const sx = fx * fx * (3 - 2 * fx)
  const sy = fy * fy * (3 - 2 * fy)
  const a = hash2(xi, yi)
  const b = hash2(xi + 1, yi)
  const c = hash2(xi, yi + 1)
  const d = hash2(xi + 1, yi + 1)
  return a + (b - a) * sx + (c - a + (a - b + d - c) * sx) * sy
}

/** A texture: value in [-1, 1] at pattern coordinates (p, q), measured in periods. */
export type TextureFn = (p: number, q: number) => number

/** A triangle wave with period 1 in [-1, 1] (a cheap stand-in for a sine). */
function wave(p: number): number {
  const f = p - Math.floor(p)
  return 4 * (f < 0.5 ? f : 1 - f) - 1
}

/** The pattern function of each texture kind. */
export const TEXTURES: Readonly<Record<SynthStyleParams['texture'], TextureFn>> = {
  stripes: (p) => clamp(3 * wave(p), -1, 1),
  checks: (p, q) => clamp(8 * wave(p) * wave(q), -1, 1),
  dots: (p, q) => {
    const a = p - Math.floor(p) - 0.5
    const b = q - Math.floor(q) - 0.5
    return clamp((a * a + b * b - 0.08) * 60, -1, 0.3)
  },
  noise: (p, q) => 2 * (0.65 * valueNoise(p, q) + 0.35 * valueNoise(2 * p + 5.3, 2 * q + 1.7)) - 1,
}
