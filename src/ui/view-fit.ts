/** Fit-to-view: pan and zoom a litegraph canvas so a whole graph is visible. */
import { LiteGraph, type LGraph, type LGraphCanvas, type LGraphNode } from '@comfyorg/litegraph'

/** Never zoom in beyond 1:1 (a small graph stays at its natural size, centred). */
const MAX_SCALE = 1
/** Canvas units of margin around the nodes. */
const PADDING = 24

/**
 * [x, y, w, h] around `nodes`, title bars included, from their pos and size (litegraph's own
 * boundingRect is only brought up to date when a node is drawn); null for no nodes.
 */
export function nodesBounds(nodes: readonly LGraphNode[]): [number, number, number, number] | null {
  if (nodes.length === 0) return null
  const title = LiteGraph.NODE_TITLE_HEIGHT
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const n of nodes) {
    const [x = 0, y = 0] = n.pos
    const [w = 0, h = 0] = n.size
    x0 = Math.min(x0, x)
    y0 = Math.min(y0, y - title)
    x1 = Math.max(x1, x + w)
    y1 = Math.max(y1, y + h)
  }
  return [x0, y0, x1 - x0, y1 - y0]
}

/** Pans and zooms `view` so every node of `graph` is visible, centred; no-op on an empty graph. */
export function fitView(view: LGraphCanvas, graph: LGraph): void {
  const bounds = nodesBounds(graph.nodes)
  const el = view.canvas
  const cw = el.clientWidth || el.width
  const ch = el.clientHeight || el.height
  if (!bounds || cw <= 0 || ch <= 0) return
  const [x, y, w, h] = [
    bounds[0] - PADDING,
    bounds[1] - PADDING,
    bounds[2] + 2 * PADDING,
    bounds[3] + 2 * PADDING,
  ]
  const scale = Math.min(MAX_SCALE, cw / w, ch / h)
  view.ds.scale = scale
  view.ds.offset = [-x + (cw / scale - w) / 2, -y + (ch / scale - h) / 2]
  view.setDirty(true, true)
}

/**
 * A position near `start` where a node of `size` overlaps none of `nodes`: tried down and to the
 * right in steps, so nodes added one after another from the palette do not pile up on one spot.
 */
export function freeSpot(
  nodes: readonly LGraphNode[],
  start: readonly [number, number],
  size: readonly [number, number],
): [number, number] {
  const title = LiteGraph.NODE_TITLE_HEIGHT
  const hits = (x: number, y: number) =>
    nodes.some((n) => {
      const [nx = 0, ny = 0] = n.pos
      const [nw = 0, nh = 0] = n.size
      return x < nx + nw && nx < x + size[0] && y - title < ny + nh && ny - title < y + size[1]
    })
  for (let k = 0; k < 60; k++) {
    const [x, y] = [start[0] + (k % 6) * (size[0] + 20), start[1] + Math.floor(k / 6) * 60]
    if (!hits(x, y)) return [x, y]
  }
  return [start[0] + 30, start[1] + 30]
}
