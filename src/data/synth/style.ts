/**
 * The STYLE of a synthetic pair: a point in a continuous space (palette, texture, lighting, sky and
 * time-of-day tint) plus one categorical choice (texture kind). The discrete `cluster` is a
 * deterministic function of the parameters: time-of-day bucket x texture kind.
 */
import type { Rng } from '../../core/rng.js'
import { clamp, mixRgb, rotateHue, type Rgb } from './colour.js'

/** Texture patterns modulating the surfaces. */
export const TEXTURE_KINDS = ['stripes', 'dots', 'checks', 'noise'] as const
/** One of TEXTURE_KINDS. */
export type TextureKind = (typeof TEXTURE_KINDS)[number]

/** Time-of-day buckets of `daylight`, in order: [0, 1/3), [1/3, 2/3), [2/3, 1]. */
export const TIMES_OF_DAY = ['night', 'dusk', 'day'] as const
/** One of TIMES_OF_DAY. */
export type TimeOfDay = (typeof TIMES_OF_DAY)[number]

/** Number of style clusters: time-of-day buckets x texture kinds. */
export const STYLE_CLUSTER_COUNT = TIMES_OF_DAY.length * TEXTURE_KINDS.length

/** Every style parameter (what styles.json stores per sample); colours are RGB in [0, 1]. */
export interface SynthStyleParams {
  /** Base hue of the palette, [0, 1). */
  readonly hue: number
  /** Palette saturation, [0, 1]. */
  readonly saturation: number
  /** Palette lightness, [0, 1]. */
  readonly lightness: number
  /** Hue step between the palette's roles (walls, roofs, foliage...), [0, 0.5]. */
  readonly hueSpread: number
  /** Surface texture pattern. */
  readonly texture: TextureKind
  /** Texture period as a fraction of the image width. */
  readonly textureScale: number
  /** Texture orientation, radians. */
  readonly textureAngle: number
  /** Texture contrast, [0, 1]. */
  readonly textureStrength: number
  /** Direction towards the light in the image plane (x right, y down), radians. */
  readonly lightAngle: number
  /** Strength of the shading gradient across objects, [0, 1]. */
  readonly lightStrength: number
  /** 0 = deep night, 0.5 = dusk, 1 = noon. */
  readonly daylight: number
  /** Sky colour at the top of the image. */
  readonly skyTop: Rgb
  /** Sky colour at the horizon. */
  readonly skyHorizon: Rgb
  /** Time-of-day colour cast applied to every lit surface. */
  readonly tint: Rgb
  /** How strongly `tint` recolours surfaces, [0, 1]. */
  readonly tintStrength: number
  /** Brightness multiplier of lit surfaces. */
  readonly exposure: number
}

/** A style with its derived cluster id. */
export interface SynthStyle extends SynthStyleParams {
  /** styleCluster(this), in [0, STYLE_CLUSTER_COUNT). */
  readonly cluster: number
}

/** The time-of-day bucket of a daylight value. */
export function timeOfDay(daylight: number): TimeOfDay {
  return daylight < 1 / 3 ? 'night' : daylight < 2 / 3 ? 'dusk' : 'day'
}

/** The cluster id of a style: timeOfDayIndex * TEXTURE_KINDS.length + textureIndex. */
export function styleCluster(style: SynthStyleParams): number {
  const t = TIMES_OF_DAY.indexOf(timeOfDay(style.daylight))
  return t * TEXTURE_KINDS.length + TEXTURE_KINDS.indexOf(style.texture)
}

/** The two factors of a cluster id (styleCluster), as indexes into TIMES_OF_DAY / TEXTURE_KINDS. */
export const STYLE_CLUSTER_FACTORS = {
  time_of_day: (cluster: number): number => Math.floor(cluster / TEXTURE_KINDS.length),
  texture: (cluster: number): number => cluster % TEXTURE_KINDS.length,
} as const

/** Just the parameters of `style`, in canonical key order (no cluster), e.g. for JSON. */
export function styleParams(style: SynthStyleParams): SynthStyleParams {
  return {
    hue: style.hue,
    saturation: style.saturation,
    lightness: style.lightness,
    hueSpread: style.hueSpread,
    texture: style.texture,
    textureScale: style.textureScale,
    textureAngle: style.textureAngle,
    textureStrength: style.textureStrength,
    lightAngle: style.lightAngle,
    lightStrength: style.lightStrength,
    daylight: style.daylight,
    skyTop: [...style.skyTop],
    skyHorizon: [...style.skyHorizon],
    tint: [...style.tint],
    tintStrength: style.tintStrength,
    exposure: style.exposure,
  }
}

/** `params` with its cluster id attached. */
export function withCluster(params: SynthStyleParams): SynthStyle {
  return { ...styleParams(params), cluster: styleCluster(params) }
}

interface TimeKey {
  readonly skyTop: Rgb
  readonly skyHorizon: Rgb
  readonly tint: Rgb
  readonly tintStrength: number
  readonly exposure: number
}

/** Looks of night (daylight 1/6), dusk (1/2) and day (5/6); interpolated in between. */
const KEYS: readonly TimeKey[] = [
  {
    skyTop: [0.02, 0.03, 0.12],
    skyHorizon: [0.1, 0.14, 0.32],
    tint: [0.36, 0.48, 1],
    tintStrength: 0.5,
    exposure: 0.62,
  },
  {
    skyTop: [0.24, 0.16, 0.42],
    skyHorizon: [1, 0.56, 0.3],
    tint: [1, 0.55, 0.3],
    tintStrength: 0.38,
    exposure: 0.88,
  },
  {
    skyTop: [0.2, 0.46, 0.88],
    skyHorizon: [0.74, 0.87, 0.98],
    tint: [1, 0.97, 0.88],
    tintStrength: 0.06,
    exposure: 1.04,
  },
]

function timeKey(daylight: number): TimeKey {
  const t = clamp(daylight * 3 - 0.5, 0, 2)
  const i = Math.min(1, Math.floor(t))
  const a = KEYS[i] as TimeKey
  const b = KEYS[i + 1] as TimeKey
  const f = t - i
  return {
    skyTop: mixRgb(a.skyTop, b.skyTop, f),
    skyHorizon: mixRgb(a.skyHorizon, b.skyHorizon, f),
    tint: mixRgb(a.tint, b.tint, f),
    tintStrength: a.tintStrength + (b.tintStrength - a.tintStrength) * f,
    exposure: a.exposure + (b.exposure - a.exposure) * f,
  }
}

/** Draws a style: every parameter continuous except the texture kind. */
export function sampleStyle(rng: Rng): SynthStyle {
  // Daylight: pick a bucket, then a triangular draw around its centre (continuous overall).
  const bucket = rng.int(TIMES_OF_DAY.length)
  const daylight = clamp((bucket + 0.5 + 0.5 * (rng.next() + rng.next() - 1)) / 3)
  const key = timeKey(daylight)
  const skyShift = rng.uniform(-0.05, 0.05)
  return withCluster({
    hue: rng.next(),
    saturation: rng.uniform(0.25, 0.85),
    lightness: rng.uniform(0.4, 0.6),
    hueSpread: rng.uniform(0.04, 0.35),
    texture: rng.pick(TEXTURE_KINDS),
    textureScale: rng.uniform(0.04, 0.12),
    textureAngle: rng.uniform(0, Math.PI),
    textureStrength: rng.uniform(0.15, 0.45),
    lightAngle: rng.uniform(-Math.PI, 0),
    lightStrength: rng.uniform(0.15, 0.5),
    daylight,
    skyTop: rotateHue(key.skyTop, skyShift),
    skyHorizon: rotateHue(key.skyHorizon, skyShift + rng.uniform(-0.03, 0.03)),
    tint: rotateHue(key.tint, rng.uniform(-0.03, 0.03)),
    tintStrength: clamp(key.tintStrength * rng.uniform(0.8, 1.2)),
    exposure: key.exposure * rng.uniform(0.94, 1.06),
  })
}
