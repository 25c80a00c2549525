/**
 * Renders a scene as a line drawing (A, black on white, style-free) or in a style (B). Both come
 * from one supersampled label map, so A's lines lie exactly on B's region boundaries.
 */
import { createRgbImage, type RgbImage } from '../../core/image/types.js'
import { clamp } from './colour.js'
import { createLabelMap, downsample, fillEllipse, fillPolygon, traceBoundaries } from './raster.js'
import { MAX_LABEL, type LabelMap } from './raster.js'
import type { SceneSpec } from './scene.js'
import { TEXTURES, TEXTURE_WEIGHT, regionColour } from './shade.js'
import type { SynthStyleParams } from './style.js'

/** Supersampling factor used for an output of `size` pixels (more for small images). */
export function supersampleFactor(size: number): number {
  return size <= 96 ? 4 : size <= 192 ? 3 : 2
}

/** Width of A's lines in output pixels. */
export function lineWidthPx(size: number): number {
  return Math.max(1.25, size / 160)
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 8192) {
    throw new RangeError(`size: expected an integer in [1, 8192], got ${size}`)
  }
}

/** The scene's label map at `size * ss` pixels: region i painted with label i. */
export function rasteriseScene(scene: SceneSpec, size: number, ss: number): LabelMap {
  checkSize(size)
  if (scene.regions.length > MAX_LABEL + 1) {
    throw new RangeError(
      `scene ${scene.seed}: ${scene.regions.length} regions, at most ${MAX_LABEL + 1}`,
    )
  }
  const n = size * ss
  const map = createLabelMap(n, n)
  for (const { region, shape } of scene.parts) {
    if (shape.kind === 'ellipse') {
      fillEllipse(map, shape.cx * n, shape.cy * n, shape.rx * n, shape.ry * n, region)
    } else {
      fillPolygon(
        map,
        shape.points.map((v) => v * n),
        region,
      )
    }
  }
  return map
}

function toImage(values: Float32Array, size: number, channels: 1 | 3): RgbImage {
  const out = createRgbImage(size, size)
  const d = out.data
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) {
      d[i * 3 + c] = Math.round(clamp(values[i * channels + (channels === 3 ? c : 0)] ?? 0) * 255)
    }
  }
  return out
}

/** A from a label map: black lines on white along every region boundary. */
function contentFromLabels(map: LabelMap, size: number, ss: number): RgbImage {
  const ink = traceBoundaries(map, lineWidthPx(size) * ss)
  for (let i = 0; i < ink.length; i++) ink[i] = 1 - (ink[i] ?? 0)
  return toImage(downsample(ink, map.width, map.height, 1, ss), size, 1)
}

/** Per-region shading constants, packed for the pixel loop. */
const STRIDE = 8

/** B from a label map: every region shaded with the style. */
function styledFromLabels(
  scene: SceneSpec,
  style: SynthStyleParams,
  map: LabelMap,
  size: number,
  ss: number,
): RgbImage {
  const n = map.width
  const labels = map.labels
  const regions = scene.regions
  const lx = Math.cos(style.lightAngle)
  const ly = Math.sin(style.lightAngle)
  const ls = style.lightStrength
  const table = new Float64Array(regions.length * STRIDE)
  regions.forEach((r, i) => {
    const c = regionColour(style, r)
    const curve = r.curve + 0.3
    // light = nx*lx + ny*ly with the normal bent linearly across the region: a + b*u + c*v.
    const bu = (curve / r.hw) * lx
    const bv = (curve / r.hh) * ly
    table.set([c[0], c[1], c[2], r.nx * lx + r.ny * ly - bu * r.cx - bv * r.cy, bu, bv], i * STRIDE)
    table.set([TEXTURE_WEIGHT[r.role] * style.textureStrength, r.tone], i * STRIDE + 6)
  })
  const texture = TEXTURES[style.texture]
  const ca = Math.cos(style.textureAngle) / style.textureScale
  const sa = Math.sin(style.textureAngle) / style.textureScale
  const sun = regions.find((r) => r.role === 'celestial')
  const glow = sun ? regionColour(style, sun) : style.skyHorizon
  const [t0, t1, t2] = style.skyTop
  const [h0, h1, h2] = style.skyHorizon
  const out = new Float32Array(n * n * 3)
  for (let y = 0; y < n; y++) {
    const v = (y + 0.5) / n
    const f = Math.min(1, v / Math.max(0.05, scene.horizon))
    const s0 = t0 + (h0 - t0) * f
    const s1 = t1 + (h1 - t1) * f
    const s2 = t2 + (h2 - t2) * f
    const gy = sun ? (v - sun.cy) / (sun.hh * 2.6) : 0
    for (let x = 0, o = y * n * 3; x < n; x++, o += 3) {
      const u = (x + 0.5) / n
      const label = labels[y * n + x] ?? 0
      if (label === 0) {
        let g = 0
        if (sun) {
          const gx = (u - sun.cx) / (sun.hw * 2.6)
          g = 0.45 * Math.exp(-(gx * gx + gy * gy))
        }
        out[o] = s0 + (glow[0] - s0) * g
        out[o + 1] = s1 + (glow[1] - s1) * g
        out[o + 2] = s2 + (glow[2] - s2) * g
        continue
      }
      const b = label * STRIDE
      const light = (table[b + 3] ?? 0) + (table[b + 4] ?? 0) * u + (table[b + 5] ?? 0) * v
      let k = 1 + ls * (light < -1 ? -1 : light > 1 ? 1 : light)
      const tw = table[b + 6] ?? 0
      if (tw > 0) {
        const phase = table[b + 7] ?? 0
        k *= 1 + tw * texture(u * ca + v * sa + phase, v * ca - u * sa + phase)
      }
      out[o] = (table[b] ?? 0) * k
      out[o + 1] = (table[b + 1] ?? 0) * k
      out[o + 2] = (table[b + 2] ?? 0) * k
    }
  }
  return toImage(downsample(out, n, n, 3, ss), size, 3)
}

/** A: the scene's line drawing, black lines on white, `size` x `size` (independent of any style). */
export function renderContent(scene: SceneSpec, size: number): RgbImage {
  const ss = supersampleFactor(size)
  return contentFromLabels(rasteriseScene(scene, size, ss), size, ss)
}

/** B: the scene rendered in `style`, `size` x `size`; same geometry as renderContent. */
export function renderStyled(scene: SceneSpec, style: SynthStyleParams, size: number): RgbImage {
  const ss = supersampleFactor(size)
  return styledFromLabels(scene, style, rasteriseScene(scene, size, ss), size, ss)
}

/** A and B together, rasterising the scene once (same pixels as the two calls separately). */
export function renderPair(
  scene: SceneSpec,
  style: SynthStyleParams,
  size: number,
): { a: RgbImage; b: RgbImage } {
  const ss = supersampleFactor(size)
  const map = rasteriseScene(scene, size, ss)
  return { a: contentFromLabels(map, size, ss), b: styledFromLabels(scene, style, map, size, ss) }
}
