/**
 * Checks a graph against the node registry before anything runs: unknown types, links to missing
 * nodes or sockets, socket type mismatches, unconnected required inputs, cycles and widget values
 * (type, range, options). Returns every problem, not just the first, and the checked widget
 * values of the nodes that passed.
 */
import { showValue } from '../core/errors.js'
import type { NodeDefinition } from '../nodes/define.js'
import { canConnect } from '../nodes/sockets.js'
import { checkWidget } from '../nodes/widgets.js'
import type { Graph, GraphNode } from './graph.js'
import type { GraphErrorInfo } from './graph-errors.js'

/** Finds node types by id. */
export type NodeLookup = (type: string) => NodeDefinition | undefined

/** Validation result: the problems and, per valid node, its widget values (defaults filled). */
export interface Validation {
  readonly errors: GraphErrorInfo[]
  readonly widgets: Map<number, Record<string, unknown>>
}

/** Validates the nodes `ids` of `graph` (all when omitted). */
export function validateGraph(
  graph: Graph,
  lookup: NodeLookup,
  ids?: ReadonlySet<number>,
): Validation {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const errors: GraphErrorInfo[] = []
  const widgets = new Map<number, Record<string, unknown>>()
  const checked = graph.nodes.filter((n) => !ids || ids.has(n.id))
  for (const node of checked) {
    const def = lookup(node.type)
    const at = { nodeId: node.id, title: node.title }
    if (!def) {
      errors.push({
        ...at,
        kind: 'unknown-type',
        received: node.type,
        message: `unknown node type '${node.type}'`,
      })
      continue
    }
    for (const [name, link] of Object.entries(node.inputs)) {
      const spec = Object.hasOwn(def.inputs, name) ? def.inputs[name] : undefined
      if (!spec) {
        errors.push({
          ...at,
          kind: 'bad-link',
          input: name,
          message: `has no input '${name}' (inputs: ${Object.keys(def.inputs).join(', ') || 'none'})`,
        })
        continue
      }
      const origin = byId.get(link.node)
      const originDef = origin ? lookup(origin.type) : undefined
      if (!origin) {
        errors.push({
          ...at,
          kind: 'bad-link',
          input: name,
          received: `node ${link.node}`,
          message: `input '${name}' is linked to node ${link.node}, which does not exist`,
        })
        continue
      }
      if (!originDef) continue // reported as that node's unknown-type
      const from = Object.hasOwn(originDef.outputs, link.output)
        ? originDef.outputs[link.output]
        : undefined
      if (!from) {
        errors.push({
          ...at,
          kind: 'bad-link',
          input: name,
          received: `node ${origin.id}.${link.output}`,
          message: `input '${name}' is linked to output '${link.output}' of node ${origin.id} (${origin.title}), which has no such output`,
        })
        continue
      }
      if (!canConnect(from, spec.type))
        errors.push({
          ...at,
          kind: 'type-mismatch',
          input: name,
          received: from,
          message: `input '${name}': expected ${spec.type}, got ${from} from node ${origin.id} (${origin.title})`,
        })
    }
    for (const [name, spec] of Object.entries(def.inputs)) {
      if (!spec.optional && !Object.hasOwn(node.inputs, name))
        errors.push({
          ...at,
          kind: 'missing-input',
          input: name,
          message: `required input '${name}' (${spec.type}) is not connected`,
        })
    }
    const values = checkWidgets(node, def, errors)
    if (values) widgets.set(node.id, values)
  }
  for (const id of findCycle(checked, byId)) {
    const node = byId.get(id)
    errors.push({
      nodeId: id,
      title: node?.title ?? '',
      kind: 'cycle',
      message: 'is part of a cycle; graphs must be acyclic',
    })
  }
  return { errors, widgets }
}

function checkWidgets(
  node: GraphNode,
  def: NodeDefinition,
  errors: GraphErrorInfo[],
): Record<string, unknown> | null {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  let ok = true
  for (const [name, spec] of Object.entries(def.widgets)) {
    const raw = Object.hasOwn(node.widgets, name) ? node.widgets[name] : spec.default
    const r = checkWidget(spec, raw)
    if (r.ok) out[name] = r.value
    else {
      ok = false
      errors.push({
        nodeId: node.id,
        title: node.title,
        kind: r.problem.kind,
        widget: name,
        received: showValue(raw),
        message: `widget '${name}': ${r.problem.message}`,
      })
    }
  }
  return ok ? out : null
}

/** Ids of nodes on a cycle among `nodes` (empty when acyclic). */
function findCycle(nodes: readonly GraphNode[], byId: Map<number, GraphNode>): number[] {
  const state = new Map<number, 1 | 2>() // 1 visiting, 2 done
  const onCycle = new Set<number>()
  const visit = (id: number, path: number[]): void => {
    const s = state.get(id)
    if (s === 2) return
    if (s === 1) {
      for (const p of path.slice(path.indexOf(id))) onCycle.add(p)
      return
    }
    state.set(id, 1)
    for (const link of Object.values(byId.get(id)?.inputs ?? {}))
      if (byId.has(link.node)) visit(link.node, [...path, id])
    state.set(id, 2)
  }
  for (const n of nodes) visit(n.id, [])
  return [...onCycle].sort((a, b) => a - b)
}
