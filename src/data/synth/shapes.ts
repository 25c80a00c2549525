/** Building blocks of scene geometry: region and shape types, shape helpers and the builder. */
import type { Rng } from '../../core/rng.js'

/** What a region depicts; the style's palette colours each role. */
export type RegionRole =
  | 'sky'
  | 'celestial'
  | 'cloud'
  | 'mountain'
  | 'hill'
  | 'ground'
  | 'road'
  | 'water'
  | 'wall'
  | 'roof'
  | 'door'
  | 'window'
  | 'trunk'
  | 'foliage'
  | 'rock'
  | 'box'
  | 'tent'

/** One surface of the scene; all of its parts share one label, so no lines run between them. */
export interface SceneRegion {
  readonly role: RegionRole
  /** Centre of the region's bounding box. */
  readonly cx: number
  readonly cy: number
  /** Half the bounding box's width and height. */
  readonly hw: number
  readonly hh: number
  /** Surface normal in the image plane (x right, y down); (0, 0) faces the viewer. */
  readonly nx: number
  readonly ny: number
  /** 0 = flat facet, 1 = rounded: the normal bends with the position across the region. */
  readonly curve: number
  /** 0 = near, 1 = far (aerial perspective). */
  readonly depth: number
  /** A content-side variation in [0, 1): which shade of its role's colour the region takes. */
  readonly tone: number
}

/** A shape in normalised coordinates. */
export type SceneShape =
  | { readonly kind: 'polygon'; readonly points: readonly number[] }
  | {
      readonly kind: 'ellipse'
      readonly cx: number
      readonly cy: number
      readonly rx: number
      readonly ry: number
    }

/** A shape painting one region. */
export interface ScenePart {
  readonly region: number
  readonly shape: SceneShape
}

/** Optional shading attributes of a new region. */
export interface RegionOptions {
  readonly nx?: number
  readonly ny?: number
  readonly curve?: number
  readonly depth?: number
}

/** Collects regions and parts while a scene is sampled. */
export class SceneBuilder {
  readonly regions: SceneRegion[] = []
  readonly parts: ScenePart[] = []

  constructor(readonly rng: Rng) {}

  /** Adds a region painted by `shapes` (in order) and returns its index. */
  add(role: RegionRole, shapes: readonly SceneShape[], options: RegionOptions = {}): number {
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -Infinity
    let y1 = -Infinity
    const extend = (x: number, y: number): void => {
      x0 = Math.min(x0, x)
      y0 = Math.min(y0, y)
      x1 = Math.max(x1, x)
      y1 = Math.max(y1, y)
    }
    for (const s of shapes) {
      if (s.kind === 'ellipse') {
        extend(s.cx - s.rx, s.cy - s.ry)
        extend(s.cx + s.rx, s.cy + s.ry)
      } else {
        for (let i = 0; i + 1 < s.points.length; i += 2)
          extend(s.points[i] ?? 0, s.points[i + 1] ?? 0)
      }
    }
    if (shapes.length === 0) [x0, y0, x1, y1] = [0, 0, 1, 1]
    const index = this.regions.length
    this.regions.push({
      role,
      cx: (x0 + x1) / 2,
      cy: (y0 + y1) / 2,
      hw: Math.max(1e-3, (x1 - x0) / 2),
      hh: Math.max(1e-3, (y1 - y0) / 2),
      nx: options.nx ?? 0,
      ny: options.ny ?? 0,
      curve: options.curve ?? 0,
      depth: options.depth ?? 0,
      tone: this.rng.next(),
    })
    for (const shape of shapes) this.parts.push({ region: index, shape })
    return index
  }
}

/** A polygon shape from flat [x0, y0, x1, y1, ...] points. */
export function poly(...points: number[]): SceneShape {
  return { kind: 'polygon', points }
}

/** An ellipse shape. */
export function ellipse(cx: number, cy: number, rx: number, ry = rx): SceneShape {
  return { kind: 'ellipse', cx, cy, rx, ry }
}
