/**
 * Run state drawn on the editor's nodes: a progress bar under the title, the running node's
 * outline, the error message of a failed node, preview images in a grid below the widgets (the
 * node is sized to show them, preview-layout.ts) and, on training nodes, a panel with step,
 * loss, images/s, time left and the loss curve (training-panel.ts), inside the node. Overlays are kept per graph and node id, off the node objects (so
 * serialisation never sees them, and undo, which rebuilds the nodes, keeps them). A new run
 * clears the run state but keeps the previews: a cached node sends none, and its old ones are
 * still its output, as are those of nodes outside a partial run. While a node runs again, its
 * old previews are drawn dimmed until new ones arrive (they stay dimmed if it fails).
 */
import type { LGraph, LGraphNode } from '@comfyorg/litegraph'
import type { RunEvent } from '../runtime/events.js'
import type { RgbImage } from '../core/image/types.js'
import { lossFigure } from './loss-plot.js'
import { layoutPreviews, previewIndexAt, wantedPreviewWidth } from './preview-layout.js'
import { trackRate, type TrainingRate } from './train-rate.js'
import { drawTrainingPanel, TRAINING_PANEL_HEIGHT } from './training-panel.js'

/** What is shown on one node. */
export interface NodeOverlay {
  running: boolean
  cached: boolean
  progress: { value: number; max: number; figures?: Readonly<Record<string, number>> } | null
  error: string | null
  previews: HTMLCanvasElement[]
  /** The previews are from an earlier run of a node that is running again (or failed since). */
  stale: boolean
  /** Loss curve of a training node: [step, figure] per progress event that carried figures. */
  losses: [number, number][]
  /** Throughput of a training node (train-rate.ts); null for other nodes. */
  rate: TrainingRate | null
  /** The node trains: it shows the training panel (and keeps its room for it). */
  training: boolean
}

/** A fresh overlay. */
export function emptyOverlay(): NodeOverlay {
  return {
    running: false,
    cached: false,
    progress: null,
    error: null,
    previews: [],
    stale: false,
    losses: [],
    rate: null,
    training: false,
  }
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

const byGraph = new WeakMap<LGraph, Map<number, NodeOverlay>>()

function overlaysIn(graph: LGraph): Map<number, NodeOverlay> {
  let map = byGraph.get(graph)
  if (!map) byGraph.set(graph, (map = new Map<number, NodeOverlay>()))
  return map
}

/** The overlay of `node`, if it has one. */
export function overlayOf(node: LGraphNode): NodeOverlay | undefined {
  return node.graph ? byGraph.get(node.graph)?.get(Number(node.id)) : undefined
}

/** Forgets every overlay of `graph` (another graph was loaded into it; its ids mean other nodes). */
export function clearOverlays(graph: LGraph): void {
  byGraph.delete(graph)
}

/**
 * Before a new run: clears every node's run state; previews stay (and stay dimmed when the last
 * run failed before replacing them). Overlays of nodes no longer in the graph are dropped.
 */
export function resetOverlays(graph: LGraph): void {
  const map = overlaysIn(graph)
  const ids = new Set(graph.nodes.map((n) => Number(n.id)))
  for (const [id, o] of map) {
    if (!ids.has(id)) {
      map.delete(id)
      continue
    }
    map.set(id, { ...emptyOverlay(), previews: o.previews, stale: o.stale, training: o.training })
  }
}

/** The preview area of `node`: its layout and its top (node coordinates). */
function previewArea(node: LGraphNode, o: NodeOverlay) {
  const layout = layoutPreviews(o.previews, node.size[0] ?? 0)
  return { layout, top: (node.size[1] ?? 0) - layout.height }
}

/** The index of the preview image at `pos` (node coordinates), or -1. */
export function previewAt(node: LGraphNode, pos: readonly [number, number]): number {
  const o = overlayOf(node)
  if (!o || o.previews.length === 0) return -1
  const { layout, top } = previewArea(node, o)
  return previewIndexAt(layout, pos[0], pos[1] - top)
}

/**
 * Sizes `node` for what it shows below its widgets: the training panel, then the previews (wide
 * enough for them at 1:1, capped). Computed from the widgets each time, so re-runs never grow it.
 */
function fitNode(node: LGraphNode, o: NodeOverlay): void {
  const [x = 0, y = 0] = node.pos
  const before = node.size[1] ?? 0
  node.size[0] = Math.max(node.size[0] ?? 0, wantedPreviewWidth(o.previews))
  const base = node.computeSize()[1] ?? 0
  const panel = o.training ? TRAINING_PANEL_HEIGHT : 0
  node.size[1] = base + panel + layoutPreviews(o.previews, node.size[0]).height
  // a node that grew pushes the nodes right below it down by as much, so it covers none
  const grew = (node.size[1] ?? 0) - before
  const w = node.size[0] ?? 0
  if (grew <= 0) return
  for (const n of node.graph?.nodes ?? []) {
    const [nx = 0, ny = 0] = n.pos
    if (n !== node && ny >= y + before && nx < x + w && x < nx + (n.size[0] ?? 0))
      n.pos[1] = ny + grew
  }
}

/** Updates the overlays of `graph` from one run event. */
export function applyRunEvent(graph: LGraph, e: RunEvent): void {
  const at = (id: number | null) => {
    const node = id === null ? null : graph.getNodeById(id)
    if (!node) return null
    const map = overlaysIn(graph)
    let o = map.get(Number(node.id))
    if (!o) map.set(Number(node.id), (o = emptyOverlay()))
    return { node, o }
  }
  if (e.type === 'executing') {
    const t = at(e.node)
    if (t) {
      t.o.running = true
      t.o.stale = t.o.previews.length > 0
    }
  } else if (e.type === 'progress') {
    const t = at(e.node)
    if (t) {
      t.o.progress = { value: e.value, max: e.max, ...(e.figures ? { figures: e.figures } : {}) }
      const loss = lossFigure(e.figures)
      if (loss !== null) t.o.losses.push([e.value, loss])
      const widgets = t.node.properties as Readonly<Record<string, unknown>>
      t.o.rate = trackRate(t.o.rate, t.node.type, widgets, e, performance.now())
      if (t.o.rate && !t.o.training) {
        t.o.training = true
        fitNode(t.node, t.o)
      }
    }
  } else if (e.type === 'executed') {
    const t = at(e.node)
    if (t) {
      t.o.running = false
      // a training node keeps its last step count (the panel shows it); others show a full bar
      if (!t.o.training) t.o.progress = { value: 1, max: 1 }
    }
  } else if (e.type === 'cached') {
    for (const id of e.nodes) {
      const t = at(id)
      if (t) {
        t.o.cached = true
        t.o.stale = false
      }
    }
  } else if (e.type === 'preview') {
    const t = at(e.node)
    if (t) {
      t.o.previews = e.images.map(imageCanvas)
      t.o.stale = false
      fitNode(t.node, t.o)
    }
  } else if (e.type === 'error') {
    const t = at(e.error.nodeId)
    if (t) {
      t.o.error = e.error.message
      t.o.running = false
    }
  }
}

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
  const { layout, top } = previewArea(node, o)
  ctx.save()
  ctx.imageSmoothingEnabled = false
  if (o.stale) ctx.globalAlpha = 0.45
  layout.rects.forEach(([x, y, pw, ph], i) => {
    const p = o.previews[i]
    if (p) ctx.drawImage(p, x, top + y, pw, ph)
  })
  ctx.restore()
  if (o.training) drawTrainingPanel(ctx, o, top - TRAINING_PANEL_HEIGHT, w)
  if (o.error) drawError(ctx, o.error, w, h)
}

/** The error message under the node, wrapped to its width. */
function drawError(ctx: CanvasRenderingContext2D, message: string, w: number, h: number): void {
  ctx.fillStyle = '#f66'
  ctx.font = '12px sans-serif'
  let line = ''
  let ly = h + 16
  for (const word of message.split(' ')) {
    if (ctx.measureText(`${line} ${word}`).width > w - 8 && line) {
      ctx.fillText(line, 4, ly)
      ly += 14
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  ctx.fillText(line, 4, ly)
}
