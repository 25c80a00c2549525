/**
 * Run state drawn on the editor's nodes: a progress bar under the title, the running node's
 * outline, the error message of a failed node, preview images below the widgets (the node
 * grows to fit them) and, on training nodes, the loss curve and images/s below the node.
 * One NodeOverlay per node id; `draw` is litegraph's foreground hook.
 */
import type { LGraph, LGraphNode } from '@comfyorg/litegraph'
import type { RunEvent } from '../runtime/events.js'
import type { RgbImage } from '../core/image/types.js'
import { formatRate, trackRate, type TrainingRate } from './train-rate.js'

/** What is shown on one node. */
export interface NodeOverlay {
  running: boolean
  cached: boolean
  progress: { value: number; max: number; figures?: Readonly<Record<string, number>> } | null
  error: string | null
  previews: HTMLCanvasElement[]
  /** Loss curve of a training node: [step, figure] per progress event that carried figures. */
  losses: [number, number][]
  /** Throughput of a training node (train-rate.ts); null for other nodes. */
  rate: TrainingRate | null
}

/** A fresh overlay. */
export function emptyOverlay(): NodeOverlay {
  return {
    running: false,
    cached: false,
    progress: null,
    error: null,
    previews: [],
    losses: [],
    rate: null,
  }
}

/** The figure a loss curve plots: `loss`, else `g` (stages 2 and 3), else the first one. */
export function lossFigure(figures: Readonly<Record<string, number>> | undefined): number | null {
  if (!figures) return null
  const v =
    figures.loss ??
    figures.g ??
    Object.entries(figures).find(([k]) => k !== 'imagesPerSecond')?.[1] ??
    null
  return v !== null && Number.isFinite(v) ? v : null
}

/** An RGB image as a canvas (RGBA). */
export function imageCanvas(image: RgbImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.width = image.width
  canvas.height = image.height
  const ctx = canvas.getContext('2d')
  if (!ctx) return canvas
  const data = ctx.createImageData(image.width, image.height)
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    data.data[j] = image.data[i] ?? 0
    data.data[j + 1] = image.data[i + 1] ?? 0
    data.data[j + 2] = image.data[i + 2] ?? 0
    data.data[j + 3] = 255
  }
  ctx.putImageData(data, 0, 0)
  return canvas
}

const PREVIEW_MAX = 256

/** Draws `o` on `node` (coordinates are the node's, origin below the title). */
export function drawOverlay(node: LGraphNode, o: NodeOverlay, ctx: CanvasRenderingContext2D): void {
  const w = node.size[0] ?? 0
  const h = node.size[1] ?? 0
  if (o.progress && o.progress.max > 0) {
    const f = Math.min(1, Math.max(0, o.progress.value / o.progress.max))
    ctx.fillStyle = '#333'
    ctx.fillRect(0, 0, w, 4)
    ctx.fillStyle = o.error ? '#d33' : '#4c8'
    ctx.fillRect(0, 0, w * f, 4)
  }
  if (o.running) {
    ctx.strokeStyle = '#4c8'
    ctx.lineWidth = 2
    ctx.strokeRect(-2, -2 - 30, w + 4, h + 34)
  }
  let y = h - previewHeight(node, o)
  for (const p of o.previews.slice(0, 4)) {
    const s = Math.min((w - 10) / p.width, PREVIEW_MAX / p.height)
    ctx.imageSmoothingEnabled = false
    ctx.drawImage(p, 5, y, p.width * s, p.height * s)
    y += p.height * s + 4
  }
  if (o.losses.length > 1) drawLossPlot(ctx, o.losses, 4, h + 4, w - 8, 48)
  if (o.rate && o.rate.perSecond !== null && !o.error) {
    ctx.fillStyle = '#ccc'
    ctx.font = '11px sans-serif'
    ctx.fillText(formatRate(o.rate), 4, h + (o.losses.length > 1 ? 66 : 16))
  }
  if (o.error) {
    ctx.fillStyle = '#f66'
    ctx.font = '12px sans-serif'
    const words = o.error.split(' ')
    let line = ''
    let ly = h + 16
    for (const word of words) {
      if (ctx.measureText(`${line} ${word}`).width > w - 8 && line) {
        ctx.fillText(line, 4, ly)
        ly += 14
        line = word
      } else line = line ? `${line} ${word}` : word
    }
    ctx.fillText(line, 4, ly)
  }
}

/** Height the previews take (the node is grown by this much when they arrive). */
export function previewHeight(node: LGraphNode, o: NodeOverlay): number {
  const w = node.size[0] ?? 0
  return o.previews
    .slice(0, 4)
    .reduce((s, p) => s + p.height * Math.min((w - 10) / p.width, PREVIEW_MAX / p.height) + 4, 0)
}

/** Overlays by node (kept off the node objects so serialisation never sees them). */
export const overlays = new WeakMap<LGraphNode, NodeOverlay>()

/** Clears every node's run state (before a new run). */
export function resetOverlays(graph: LGraph): void {
  for (const node of graph.nodes) overlays.set(node, emptyOverlay())
}

/** Updates the overlays of `graph` from one run event. */
export function applyRunEvent(graph: LGraph, e: RunEvent): void {
  const at = (id: number | null) => {
    const node = id === null ? null : graph.getNodeById(id)
    if (!node) return null
    let o = overlays.get(node)
    if (!o) overlays.set(node, (o = emptyOverlay()))
    return { node, o }
  }
  if (e.type === 'executing') {
    const t = at(e.node)
    if (t) t.o.running = true
  } else if (e.type === 'progress') {
    const t = at(e.node)
    if (t) {
      t.o.progress = { value: e.value, max: e.max, ...(e.figures ? { figures: e.figures } : {}) }
      const loss = lossFigure(e.figures)
      if (loss !== null) t.o.losses.push([e.value, loss])
      const widgets = t.node.properties as Readonly<Record<string, unknown>>
      t.o.rate = trackRate(t.o.rate, t.node.type, widgets, e, performance.now())
    }
  } else if (e.type === 'executed') {
    const t = at(e.node)
    if (t) {
      t.o.running = false
      t.o.progress = { value: 1, max: 1 }
    }
  } else if (e.type === 'cached') {
    for (const id of e.nodes) {
      const t = at(id)
      if (t) t.o.cached = true
    }
  } else if (e.type === 'preview') {
    const t = at(e.node)
    if (t) {
      const before = previewHeight(t.node, t.o)
      t.o.previews = e.images.map(imageCanvas)
      t.node.size[1] = (t.node.size[1] ?? 0) + previewHeight(t.node, t.o) - before
    }
  } else if (e.type === 'error') {
    const t = at(e.error.nodeId)
    if (t) {
      t.o.error = e.error.message
      t.o.running = false
    }
  }
}

/** A loss curve in the box (x, y, w, h) under the node: line, min / last value labels. */
function drawLossPlot(
  ctx: CanvasRenderingContext2D,
  points: readonly [number, number][],
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  const xs = points.map((p) => p[0])
  const ys = points.map((p) => p[1])
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)]
  ctx.fillStyle = 'rgba(0, 0, 0, 0.5)'
  ctx.fillRect(x, y, w, h)
  ctx.strokeStyle = '#4c8'
  ctx.lineWidth = 1.5
  ctx.beginPath()
  points.forEach(([px, py], i) => {
    const sx = x + ((px - x0) / Math.max(1e-9, x1 - x0)) * w
    const sy = y + h - ((py - y0) / Math.max(1e-9, y1 - y0)) * (h - 4) - 2
    if (i === 0) ctx.moveTo(sx, sy)
    else ctx.lineTo(sx, sy)
  })
  ctx.stroke()
  ctx.fillStyle = '#ccc'
  ctx.font = '10px sans-serif'
  ctx.fillText(`loss ${ys.at(-1)?.toPrecision(4) ?? ''} (min ${y0.toPrecision(4)})`, x + 3, y + 11)
}
