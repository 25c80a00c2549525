/** Objects standing on the ground of a synthetic scene: houses, trees, boxes, rocks and tents. */
import { ellipse, poly, type SceneBuilder, type SceneShape } from './shapes.js'

/** A house: wall, gable roof, optional chimney, a door and windows. */
function house(b: SceneBuilder, x: number, base: number, s: number): void {
  const { rng } = b
  const w = rng.uniform(0.2, 0.3) * s
  const h = w * rng.uniform(0.55, 0.8)
  const top = base - h
  const apex = top - w * rng.uniform(0.35, 0.55)
  const o = w * 0.08
  if (rng.next() < 0.5) {
    const cx = x + w * rng.uniform(0.15, 0.3) * (rng.next() < 0.5 ? -1 : 1)
    const cw = w * 0.09
    b.add('wall', [poly(cx - cw, apex, cx + cw, apex, cx + cw, top, cx - cw, top)])
  }
  b.add('wall', [poly(x - w / 2, top, x + w / 2, top, x + w / 2, base, x - w / 2, base)])
  b.add('roof', [poly(x - w / 2 - o, top, x + w / 2 + o, top, x, apex)], { ny: -0.5 })
  const side = rng.next() < 0.5 ? -1 : 1
  const dw = w * 0.11
  const dx = x + side * w * 0.2
  const dh = h * rng.uniform(0.5, 0.62)
  b.add('door', [poly(dx - dw, base - dh, dx + dw, base - dh, dx + dw, base, dx - dw, base)])
  const ws = w * 0.11
  const wx = x - side * w * 0.22
  const wy = base - h * 0.58
  b.add('window', [poly(wx - ws, wy - ws, wx + ws, wy - ws, wx + ws, wy + ws, wx - ws, wy + ws)])
  if (rng.next() < 0.5) b.add('window', [ellipse(x, top - (top - apex) * 0.38, w * 0.065)])
}

/** A tree: a tapering trunk under a round crown of blobs or a stack of pine tiers. */
function tree(b: SceneBuilder, x: number, base: number, s: number): void {
  const { rng } = b
  const h = rng.uniform(0.28, 0.44) * s
  const tw = h * 0.06
  const pine = rng.next() < 0.4
  const trunkTop = base - h * (pine ? 0.3 : 0.55)
  b.add(
    'trunk',
    [poly(x - tw, base, x + tw, base, x + tw * 0.6, trunkTop, x - tw * 0.6, trunkTop)],
    {
      curve: 0.6,
    },
  )
  const crown: SceneShape[] = []
  if (pine) {
    const tiers = 2 + rng.int(2)
    for (let k = 0; k < tiers; k++) {
      const y0 = base - h * (0.18 + (0.62 * k) / tiers)
      const hw = h * (0.28 - 0.06 * k)
      crown.push(poly(x - hw, y0, x + hw, y0, x, y0 - h * (0.5 - 0.05 * k)))
    }
  } else {
    const r = h * rng.uniform(0.24, 0.3)
    const cy = base - h + r
    crown.push(ellipse(x, cy, r * 1.05, r))
    for (const side of [-1, 1]) {
      crown.push(ellipse(x + side * r * 0.7, cy + r * 0.45, r * 0.72, r * 0.62))
    }
  }
  b.add('foliage', crown, { curve: 0.8 })
}

/** A box in oblique projection: front, top and one side facet. */
function box(b: SceneBuilder, x: number, base: number, s: number): void {
  const { rng } = b
  const a = rng.uniform(0.1, 0.16) * s
  const dir = rng.next() < 0.5 ? -1 : 1
  const ox = dir * a * 0.38
  const oy = -a * 0.3
  const l = x - a / 2
  const r = x + a / 2
  const t = base - a
  b.add('box', [poly(l, t, r, t, r + ox, t + oy, l + ox, t + oy)], { ny: -1 })
  const e = dir > 0 ? r : l
  b.add('box', [poly(e, base, e, t, e + ox, t + oy, e + ox, base + oy)], { nx: dir })
  b.add('box', [poly(l, t, r, t, r, base, l, base)])
}

/** A rock or ball: a rounded ellipse resting on the ground. */
function rock(b: SceneBuilder, x: number, base: number, s: number): void {
  const { rng } = b
  const r = rng.uniform(0.045, 0.08) * s
  const ry = r * rng.uniform(0.65, 1)
  b.add('rock', [ellipse(x, base - ry, r, ry)], { curve: 1 })
}

/** A tent or pyramid: a triangle split into two facets by a ridge line. */
function tent(b: SceneBuilder, x: number, base: number, s: number): void {
  const { rng } = b
  const w = rng.uniform(0.16, 0.26) * s
  const h = w * rng.uniform(0.6, 0.95)
  const ax = x + w * rng.uniform(-0.15, 0.15)
  const fx = x + w * rng.uniform(-0.2, 0.2)
  const fy = base + w * 0.04
  b.add('tent', [poly(x - w / 2, base, fx, fy, ax, base - h)], { nx: -0.8, ny: -0.3 })
  b.add('tent', [poly(fx, fy, x + w / 2, base, ax, base - h)], { nx: 0.8, ny: -0.3 })
}

const KINDS = [house, house, tree, tree, tree, box, rock, tent] as const

/** Adds a random object standing at (x, base), scaled by `scale` (perspective). */
export function addObject(b: SceneBuilder, x: number, base: number, scale: number): void {
  b.rng.pick(KINDS)(b, x, base, scale)
}
