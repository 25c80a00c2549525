/**
 * Arrange: lays a graph out left to right. Each node goes in the column of its longest path from
 * a node without inputs (loaders in column 0, outputs on the right); within a column nodes are
 * ordered by where their inputs come from (fewer crossing links) and stacked; columns are as wide
 * as their widest node. A chain deeper than 5 columns wraps into bands (the next columns below
 * the first ones) when that shows it larger on a laptop-sized view (about 1120 x 700 pixels). Nodes are sized to show all their
 * widgets and their titles, training nodes with room for their training panel; Preview Image
 * nodes go last in their column, so the previews they grow for push into free space. Used by the
 * editor's Arrange button and to lay out the shipped presets.
 */
import { LiteGraph, type LGraph, type LGraphNode } from '@comfyorg/litegraph'
import { rateUnit } from './train-rate.js'
import { TRAINING_PANEL_HEIGHT } from './training-panel.js'
import { nodesBounds } from './view-fit.js'

const COLUMN_GAP = 60
const ROW_GAP = 24
const MARGIN = 40
const BAND_GAP = 60
/** The canvas area a layout is fitted to when choosing whether to wrap (1280 x 800 window). */
const VIEW: readonly [number, number] = [1120, 700]
/** Graphs this many columns deep or less are never wrapped. */
const MAX_UNWRAPPED = 5
/** Roughly the width of one title character at litegraph's title font (14 px sans-serif). */
const TITLE_CHAR = 8

/** The nodes whose outputs feed `node`. */
function parents(graph: LGraph, node: LGraphNode): LGraphNode[] {
  return (node.inputs ?? [])
    .map((i) => (i.link == null ? undefined : graph.getLink(i.link)))
    .map((l) => (l ? graph.getNodeById(l.origin_id) : null))
    .filter((n): n is LGraphNode => n != null)
}

/** Column of each node: the length of the longest path to it from a node without inputs. */
export function layoutColumns(graph: LGraph): Map<LGraphNode, number> {
  const column = new Map<LGraphNode, number>()
  const visiting = new Set<LGraphNode>()
  const depth = (n: LGraphNode): number => {
    const known = column.get(n)
    if (known !== undefined) return known
    if (visiting.has(n)) return 0 // a cycle (invalid graph): break it here
    visiting.add(n)
    const d = Math.max(-1, ...parents(graph, n).map(depth)) + 1
    visiting.delete(n)
    column.set(n, d)
    return d
  }
  for (const n of graph.nodes) depth(n)
  return column
}

/**
 * Lays `graph` out left to right (positions; sizes that show widgets and titles); returns the
 * columns per band chosen (the column count when it does not wrap).
 */
export function arrange(graph: LGraph): number {
  const columns = layoutColumns(graph)
  const count = Math.max(0, ...columns.values()) + 1
  let best = { band: count, scale: -1 }
  // up to 5 columns stay side by side; a longer chain wraps when that shows it larger
  const bands = count <= MAX_UNWRAPPED ? [count] : [count, 5, 4, 3]
  for (const band of bands) {
    place(graph, columns, count, band)
    const [, , w = 1, h = 1] = nodesBounds(graph.nodes) ?? []
    const scale = Math.min(VIEW[0] / w, VIEW[1] / h)
    if (scale > best.scale * 1.05) best = { band, scale } // wrap only for a clear gain
  }
  place(graph, columns, count, best.band)
  return best.band
}

/** Places the nodes in `count` columns, `band` of them side by side per band. */
function place(graph: LGraph, columns: Map<LGraphNode, number>, count: number, band: number) {
  const title = LiteGraph.NODE_TITLE_HEIGHT
  const rowOf = new Map<LGraphNode, number>()
  for (const n of graph.nodes) {
    const [w = 0, h = 0] = n.computeSize()
    const trains = rateUnit(n.type, n.properties) !== null
    n.size[0] = Math.max(n.size[0] ?? 0, w, n.title.length * TITLE_CHAR + 40)
    n.size[1] = h + (trains ? TRAINING_PANEL_HEIGHT : 0)
  }
  let x = MARGIN
  let top = MARGIN + title
  let bottom = top
  for (let c = 0; c < count; c++) {
    if (c > 0 && c % band === 0) {
      x = MARGIN
      top = bottom + BAND_GAP
    }
    const members = graph.nodes.filter((n) => columns.get(n) === c)
    const key = (n: LGraphNode) => {
      const ys = parents(graph, n).map((p) => rowOf.get(p) ?? 0)
      return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : Number(n.id)
    }
    const last = (n: LGraphNode) => Number(n.type === 'step/preview-image')
    members.sort((a, b) => last(a) - last(b) || key(a) - key(b) || Number(a.id) - Number(b.id))
    let y = top
    let width = 0
    for (const n of members) {
      n.pos[0] = x
      n.pos[1] = y
      rowOf.set(n, y)
      bottom = Math.max(bottom, y + (n.size[1] ?? 0))
      y += (n.size[1] ?? 0) + title + ROW_GAP
      width = Math.max(width, n.size[0] ?? 0)
    }
    x += width + COLUMN_GAP
  }
}
