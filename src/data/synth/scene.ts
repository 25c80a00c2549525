/**
 * Random scene geometry (the CONTENT of a synthetic pair), independent of style and of the output
 * size: every coordinate is normalised to [0, 1] (x right, y down; shapes may reach past the
 * border). A scene is a list of regions (what a surface is, for shading) and the shapes that paint
 * them, back to front.
 */
import { createRng, type Rng } from '../../core/rng.js'
import { addObject } from './objects.js'
import {
  SceneBuilder,
  ellipse,
  poly,
  type SceneRegion,
  type ScenePart,
  type SceneShape,
} from './shapes.js'

/** Scene building blocks, re-exported for callers of sampleScene. */
export type { RegionRole, SceneRegion, ScenePart, SceneShape } from './shapes.js'

/** A whole scene: regions[0] is the sky (the background); parts are painted in order. */
export interface SceneSpec {
  readonly seed: number
  /** The y of the ground line where nothing stands in front of it. */
  readonly horizon: number
  readonly regions: readonly SceneRegion[]
  readonly parts: readonly ScenePart[]
}

/** A smooth random profile: `samples + 1` heights around `base` over x in [-0.02, 1.02]. */
function profile(rng: Rng, base: number, amp: number, samples: number): number[] {
  const waves = [1, 2, 3].map((k) => ({
    f: rng.uniform(0.4, 1.4) * k,
    a: (amp * rng.uniform(0.5, 1)) / k,
    p: rng.uniform(0, 2 * Math.PI),
  }))
  const out: number[] = []
  for (let i = 0; i <= samples; i++) {
    const x = -0.02 + (1.04 * i) / samples
    out.push(x, base + waves.reduce((y, w) => y + w.a * Math.sin(2 * Math.PI * w.f * x + w.p), 0))
  }
  return out
}

/** A filled band under a profile, down past the bottom edge. */
function band(points: readonly number[]): SceneShape {
  return poly(...points, 1.02, 1.05, -0.02, 1.05)
}

/** Height of a profile at x (linear interpolation). */
export function profileAt(points: readonly number[], x: number): number {
  const n = points.length / 2 - 1
  const t = Math.min(n, Math.max(0, ((x + 0.02) / 1.04) * n))
  const i = Math.min(n - 1, Math.floor(t))
  const a = points[2 * i + 1] ?? 0
  const b = points[2 * i + 3] ?? a
  return a + (b - a) * (t - i)
}

/** The scene for `sceneSeed`: sky, sun or moon, clouds, mountains, hills, ground and objects. */
export function sampleScene(sceneSeed: number): SceneSpec {
  const rng = createRng(sceneSeed)
  const b = new SceneBuilder(rng)
  const horizon = rng.uniform(0.44, 0.64)
  b.add('sky', [], { depth: 1 })
  if (rng.next() < 0.85) {
    const r = rng.uniform(0.045, 0.085)
    b.add('celestial', [ellipse(rng.uniform(0.12, 0.88), rng.uniform(0.1, horizon - 0.1), r)], {
      curve: 0.5,
      depth: 1,
    })
  }
  for (let c = rng.int(3); c > 0; c--) {
    const x = rng.uniform(0.1, 0.9)
    const y = rng.uniform(0.08, Math.max(0.1, horizon - 0.2))
    const w = rng.uniform(0.1, 0.2)
    const m = 3 + rng.int(2)
    const blobs = Array.from({ length: m }, (_, k) => {
      const t = k / (m - 1)
      const ry = w * (0.22 + 0.22 * Math.sin(Math.PI * t)) * rng.uniform(0.85, 1.15)
      return ellipse(x + (t - 0.5) * w, y - ry * 0.4, (w / (m - 1)) * 0.8, ry)
    })
    b.add('cloud', blobs, { curve: 0.4, depth: 1 })
  }
  if (rng.next() < 0.55) {
    const peaks = 3 + rng.int(4)
    const pts: number[] = []
    for (let k = 0; k <= 2 * peaks; k++) {
      const x = -0.1 + (1.2 * (k + rng.uniform(-0.3, 0.3))) / (2 * peaks)
      pts.push(x, horizon - (k % 2 === 1 ? rng.uniform(0.1, 0.26) : rng.uniform(0.01, 0.07)))
    }
    b.add('mountain', [poly(...pts, 1.1, 1.05, -0.1, 1.05)], { ny: -0.3, curve: 0.3, depth: 0.9 })
  }
  const layers = 1 + rng.int(2)
  for (let l = layers; l >= 1; l--) {
    const top = profile(rng, horizon - 0.045 * l, 0.035, 48)
    b.add('hill', [band(top)], { ny: -0.5, curve: 0.35, depth: 0.3 + 0.2 * l })
  }
  const ground = profile(rng, horizon, 0.012, 48)
  b.add('ground', [band(ground)], { ny: -1 })
  const extra = rng.next()
  if (extra < 0.3) {
    const cx = rng.uniform(0.2, 0.8)
    const rx = rng.uniform(0.14, 0.26)
    const cy = profileAt(ground, cx) + rng.uniform(0.08, 0.2) * (1 - horizon)
    b.add('water', [ellipse(cx, cy, rx, rx * rng.uniform(0.16, 0.28))])
  } else if (extra < 0.65) {
    const vx = rng.uniform(0.3, 0.7)
    const vy = profileAt(ground, vx) + 0.01
    const bx = vx + rng.uniform(-0.3, 0.3)
    const bw = rng.uniform(0.14, 0.26)
    b.add('road', [poly(vx - 0.012, vy, vx + 0.012, vy, bx + bw, 1.05, bx - bw, 1.05)], { ny: -1 })
  }
  const count = 3 + rng.int(4)
  const slots = rng.shuffled(Array.from({ length: count }, (_, i) => i))
  const placed = slots
    .map((slot) => {
      const x = 0.06 + (0.88 * (slot + rng.uniform(0.15, 0.85))) / count
      const top = profileAt(ground, x) + 0.03
      return { x, base: top + rng.uniform(0, 1) * (0.97 - top) }
    })
    .sort((p, q) => p.base - q.base)
  for (const { x, base } of placed)
    addObject(b, x, base, 0.6 + (0.8 * (base - horizon)) / (1 - horizon))
  return { seed: sceneSeed, horizon, regions: b.regions, parts: b.parts }
}
