/**
 * The graph as the executor sees it: nodes with their type, title, widget values BY NAME and
 * inputs linked to (node id, output name). Presets (preset.ts) convert to and from this shape.
 */

/** Where an input's value comes from. */
export interface GraphLink {
  readonly node: number
  readonly output: string
}

/** One node of a graph. */
export interface GraphNode {
  readonly id: number
  readonly type: string
  /** The title shown (the type's title unless renamed); `--set` and errors use it. */
  readonly title: string
  /** Widget values by widget name, as stored (checked against the spec before a run). */
  readonly widgets: Readonly<Record<string, unknown>>
  /** Linked inputs by input name. */
  readonly inputs: Readonly<Record<string, GraphLink>>
  /** Muted nodes (litegraph mode 2 or 4) are not run. */
  readonly muted: boolean
}

/** A graph: its nodes (ids unique). */
export interface Graph {
  readonly nodes: readonly GraphNode[]
}

/** Nodes by id. */
export function nodesById(graph: Graph): Map<number, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.id, n]))
}

/** `target` and every node it depends on, through inputs (ids of nodes that exist). */
export function ancestorsOf(graph: Graph, target: number): Set<number> {
  const byId = nodesById(graph)
  const seen = new Set<number>()
  const stack = [target]
  while (stack.length > 0) {
    const id = stack.pop() as number
    if (seen.has(id) || !byId.has(id)) continue
    seen.add(id)
    for (const link of Object.values(byId.get(id)?.inputs ?? {})) stack.push(link.node)
  }
  return seen
}

/** `ids` and every node depending on any of them. */
export function descendantsOf(graph: Graph, ids: Iterable<number>): Set<number> {
  const out = new Set(ids)
  let grew = true
  while (grew) {
    grew = false
    for (const n of graph.nodes) {
      if (out.has(n.id)) continue
      if (Object.values(n.inputs).some((l) => out.has(l.node))) {
        out.add(n.id)
        grew = true
      }
    }
  }
  return out
}
