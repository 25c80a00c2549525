/**
 * Arrange: lays a graph out left to right. Each node goes in the column of its longest path from
 * a node without inputs (loaders in column 0, outputs on the right); within a column nodes are
 * ordered by where their inputs come from (fewer crossing links) and stacked; columns are as wide
 * as their widest node. A long chain wraps: at most 5 columns side by side, the next ones in a
 * band below, so a graph stays readable on a laptop screen. Nodes are sized to show all their
 * widgets and their titles. Used by the editor's Arrange button and to lay out the shipped
 * presets.
 */
import { LiteGraph, type LGraph, type LGraphNode } from '@comfyorg/litegraph'

const COLUMN_GAP = 60
const ROW_GAP = 24
const MARGIN = 40
const BAND_GAP = 60
/** Columns side by side before the layout wraps into a band below. */
export const BAND_COLUMNS = 5
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

/** Lays `graph` out left to right (positions; sizes that show widgets and titles). */
export function arrange(graph: LGraph): void {
  const columns = layoutColumns(graph)
  const count = Math.max(-1, ...columns.values()) + 1
  const title = LiteGraph.NODE_TITLE_HEIGHT
  const rowOf = new Map<LGraphNode, number>()
  for (const n of graph.nodes) {
    const [w = 0, h = 0] = n.computeSize()
    n.size[0] = Math.max(n.size[0] ?? 0, w, n.title.length * TITLE_CHAR + 40)
    n.size[1] = h
  }
  let x = MARGIN
  let top = MARGIN + title
  let bottom = top
  for (let c = 0; c < count; c++) {
    if (c > 0 && c % BAND_COLUMNS === 0) {
      x = MARGIN
      top = bottom + BAND_GAP
    }
    const members = graph.nodes.filter((n) => columns.get(n) === c)
    const key = (n: LGraphNode) => {
      const ys = parents(graph, n).map((p) => rowOf.get(p) ?? 0)
      return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : Number(n.id)
    }
    members.sort((a, b) => key(a) - key(b) || Number(a.id) - Number(b.id))
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
