/**
 * What the executor does with a graph before running a node: the order of the plan's nodes, a
 * node's inputs from its origins' outputs, and the stable text of widget values in cache keys.
 */
import type { NodeDefinition } from '../nodes/define.js'
import { adaptValue } from '../nodes/sockets.js'
import type { Graph, GraphNode } from './graph.js'
import type { NodeLookup } from './validate.js'

/** The plan's nodes in dependency order (ties by id). */
export function topological(graph: Graph, plan: ReadonlySet<number>): GraphNode[] {
  const nodes = graph.nodes.filter((n) => plan.has(n.id)).sort((a, b) => a.id - b.id)
  const done = new Set<number>()
  const out: GraphNode[] = []
  while (out.length < nodes.length) {
    const next = nodes.find(
      (n) =>
        !done.has(n.id) &&
        Object.values(n.inputs).every((l) => done.has(l.node) || !plan.has(l.node)),
    )
    if (!next) break // cycles were rejected by validation
    done.add(next.id)
    out.push(next)
  }
  return out
}

/** The inputs of `node` from its origins' outputs, adapted to the input socket types. */
export function gatherInputs(
  node: GraphNode,
  def: NodeDefinition,
  byId: Map<number, GraphNode>,
  outputs: Map<number, Readonly<Record<string, unknown>>>,
  lookup: NodeLookup,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {}
  for (const [name, link] of Object.entries(node.inputs)) {
    const spec = def.inputs[name]
    const origin = byId.get(link.node)
    const from = origin ? lookup(origin.type)?.outputs[link.output] : undefined
    const values = outputs.get(link.node)
    if (!spec || !from || !values)
      throw new RangeError(`input '${name}': node ${link.node} produced no '${link.output}'`)
    inputs[name] = adaptValue(from, spec.type, values[link.output])
  }
  return inputs
}

/** JSON with object keys sorted (equal values -> equal text). */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined'
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`
}
