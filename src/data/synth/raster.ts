/**
 * Rasterisation for the synthetic renderer. Shapes are filled into a LABEL MAP (one region id per
 * supersampled pixel, painter's order); the line drawing is ink traced along the boundaries between
 * different labels and the styled image is shaded per label, so the edges of A and the region
 * boundaries of B come from the very same pixels. Anti-aliasing: everything is drawn at `ss` times
 * the target resolution and box-filtered down.
 */

/** A grid of region ids, one per pixel; 0 is the background region. */
export interface LabelMap {
  readonly width: number
  readonly height: number
  readonly labels: Uint8Array
}

/** The largest region id a label map can hold. */
export const MAX_LABEL = 255

/** A label map of the given size, filled with region 0. */
export function createLabelMap(width: number, height: number): LabelMap {
  return { width, height, labels: new Uint8Array(width * height) }
}

function checkLabel(label: number): void {
  if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
    throw new RangeError(`label: expected an integer in [0, ${MAX_LABEL}], got ${label}`)
  }
}

/** Sets the pixels whose centres lie in [x0, x1) on row `y` to `label`. */
function fillSpan(map: LabelMap, y: number, x0: number, x1: number, label: number): void {
  const a = Math.max(0, Math.ceil(x0 - 0.5))
  const b = Math.min(map.width, Math.ceil(x1 - 0.5))
  if (b > a) map.labels.fill(label, y * map.width + a, y * map.width + b)
}

/** Rows whose pixel centres lie within [top, bottom], clipped to the map. */
function rowRange(map: LabelMap, top: number, bottom: number): [number, number] {
  return [Math.max(0, Math.ceil(top - 0.5)), Math.min(map.height - 1, Math.floor(bottom - 0.5))]
}

/**
 * Fills a polygon (flat [x0, y0, x1, y1, ...] in pixel units, even-odd rule) with `label`; a pixel
 * is inside when its centre is.
 */
export function fillPolygon(map: LabelMap, points: readonly number[], label: number): void {
  checkLabel(label)
  const n = points.length >> 1
  if (n < 3) return
  let top = Infinity
  let bottom = -Infinity
  for (let i = 0; i < n; i++) {
    const y = points[2 * i + 1] ?? 0
    top = Math.min(top, y)
    bottom = Math.max(bottom, y)
  }
  const xs = new Float64Array(n)
  const [r0, r1] = rowRange(map, top, bottom)
  for (let row = r0; row <= r1; row++) {
    const yc = row + 0.5
    let count = 0
    for (let i = 0; i < n; i++) {
      const j = i === n - 1 ? 0 : i + 1
      const xa = points[2 * i] ?? 0
      const ya = points[2 * i + 1] ?? 0
      const xb = points[2 * j] ?? 0
      const yb = points[2 * j + 1] ?? 0
      if (ya <= yc !== yb <= yc) xs[count++] = xa + ((yc - ya) * (xb - xa)) / (yb - ya)
    }
    const hits = xs.subarray(0, count).sort()
    for (let k = 0; k + 1 < count; k += 2) fillSpan(map, row, hits[k] ?? 0, hits[k + 1] ?? 0, label)
  }
}

/** Fills the axis-aligned ellipse centred at (cx, cy) with radii (rx, ry), pixel units. */
export function fillEllipse(
  map: LabelMap,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  label: number,
): void {
  checkLabel(label)
  if (rx <= 0 || ry <= 0) return
  const [r0, r1] = rowRange(map, cy - ry, cy + ry)
  for (let row = r0; row <= r1; row++) {
    const dy = (row + 0.5 - cy) / ry
    if (dy * dy >= 1) continue
    const half = rx * Math.sqrt(1 - dy * dy)
    fillSpan(map, row, cx - half, cx + half, label)
  }
}

/** Offsets (dx, dy, coverage) of a soft disc of diameter `width` at (ox, oy) from a pixel's corner. */
function discStamp(width: number, ox: number, oy: number): Float64Array {
  const r = width / 2
  const reach = Math.ceil(r + 1.5)
  const out: number[] = []
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) {
      const d = Math.hypot(dx + 0.5 - ox, dy + 0.5 - oy)
      const cover = Math.min(1, Math.max(0, r + 0.5 - d))
      if (cover > 0) out.push(dx, dy, cover)
    }
  }
  return Float64Array.from(out)
}

function stamp(ink: Float32Array, w: number, h: number, x: number, y: number, s: Float64Array) {
  for (let k = 0; k < s.length; k += 3) {
    const px = x + (s[k] ?? 0)
    const py = y + (s[k + 1] ?? 0)
    if (px < 0 || py < 0 || px >= w || py >= h) continue
    const i = py * w + px
    const c = s[k + 2] ?? 0
    if (c > (ink[i] ?? 0)) ink[i] = c
  }
}

/**
 * Ink coverage in [0, 1] per pixel: strokes of `lineWidth` pixels centred on every boundary between
 * two different labels (never along the map's border).
 */
export function traceBoundaries(map: LabelMap, lineWidth: number): Float32Array {
  const { width: w, height: h, labels } = map
  const ink = new Float32Array(w * h)
  // Boundary points sit half-way between two pixel centres: (x + 1, y + 0.5) between (x, y) and
  // its right neighbour, (x + 0.5, y + 1) between (x, y) and the pixel below.
  const right = discStamp(lineWidth, 1, 0.5)
  const below = discStamp(lineWidth, 0.5, 1)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const l = labels[i]
      if (x + 1 < w && labels[i + 1] !== l) stamp(ink, w, h, x, y, right)
      if (y + 1 < h && labels[i + w] !== l) stamp(ink, w, h, x, y, below)
    }
  }
  return ink
}

/**
 * Box-averages a buffer of `channels` interleaved floats, supersampled `factor` times, down to
 * (width / factor) x (height / factor).
 */
export function downsample(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  factor: number,
): Float32Array {
  const ow = Math.floor(width / factor)
  const oh = Math.floor(height / factor)
  const out = new Float32Array(ow * oh * channels)
  const norm = 1 / (factor * factor)
  const rowLen = width * channels
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const d = (y * ow + x) * channels
      for (let c = 0; c < channels; c++) {
        let sum = 0
        for (let sy = 0; sy < factor; sy++) {
          let s = (y * factor + sy) * rowLen + x * factor * channels + c
          for (let sx = 0; sx < factor; sx++, s += channels) sum += src[s] ?? 0
        }
        out[d + c] = sum * norm
      }
    }
  }
  return out
}
