/**
 * Presets <-> graphs: upgrade a parsed JSON preset through the migration chain, check it, and
 * turn it into the executor's Graph (widget values by name, links resolved to input and output
 * NAMES via the slots' names, so adding a socket never rewires a saved graph). Malformed nodes
 * and unknown node types are reported and the rest still loads. Also: `--set` overrides,
 * writing the seeds used back into a preset, and building presets in code.
 */
import { InputError } from '../core/errors.js'
import { nodeType } from '../nodes/index.js'
import type { NodeLookup } from './validate.js'
import { checkWidget } from '../nodes/widgets.js'
import type { Graph, GraphLink, GraphNode } from './graph.js'
import type { GraphErrorInfo } from './graph-errors.js'
import { migratePreset } from './preset-migrate.js'
import {
  linkFields,
  presetNodeSchema,
  presetSchema,
  PRESET_SCHEMA_VERSION,
  type Preset,
  type PresetNode,
} from './preset-schema.js'

/** A loaded preset: the (migrated) document, its graph and what could not be loaded. */
export interface LoadedPreset {
  readonly preset: Preset
  readonly graph: Graph
  readonly problems: readonly GraphErrorInfo[]
}

/** Keys never copied from a preset into an object (prototype pollution). */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Parses, migrates and checks a preset (`where` names the file in errors) against the node types
 * `lookup` knows (default: the built-in registry).
 */
export function loadPreset(
  json: unknown,
  where: string,
  lookup: NodeLookup = nodeType,
): LoadedPreset {
  checkShape(json, where)
  const migrated = migratePreset(json, where, lookup)
  const parsed = presetSchema.safeParse(migrated)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InputError(
      'preset/invalid',
      `not a StEP preset: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      where,
    )
  }
  const preset = parsed.data
  const problems: GraphErrorInfo[] = []
  const nodes: PresetNode[] = []
  const seen = new Set<number>()
  preset.nodes.forEach((raw, i) => {
    const r = presetNodeSchema.safeParse(raw)
    if (!r.success) {
      const issue = r.error.issues[0]
      problems.push({
        kind: 'invalid-node',
        nodeId: null,
        title: `nodes[${i}]`,
        message: `skipped: ${issue?.path.join('.') || 'node'}: ${issue?.message ?? 'invalid'}`,
      })
    } else if (seen.has(r.data.id)) {
      problems.push({
        kind: 'invalid-node',
        nodeId: r.data.id,
        title: r.data.title ?? r.data.type,
        message: `skipped: a second node with id ${r.data.id}`,
      })
    } else {
      seen.add(r.data.id)
      nodes.push(r.data)
      if (!lookup(r.data.type))
        problems.push({
          kind: 'unknown-type',
          nodeId: r.data.id,
          title: r.data.title ?? r.data.type,
          received: r.data.type,
          message: `unknown node type '${r.data.type}' (loaded; it cannot run)`,
        })
    }
  })
  return { preset, graph: toGraph(preset, nodes, problems, lookup), problems }
}

/** Deepest nesting a preset may hold (litegraph's own data needs about 6 levels). */
export const MAX_PRESET_DEPTH = 64
/** Most values (objects, arrays, scalars) a preset may hold. */
export const MAX_PRESET_VALUES = 2_000_000

/**
 * Bounds the nesting and size of `json` without recursion, so a hostile value (deeply nested
 * arrays, or an object graph with a cycle from a caller) is refused before anything walks it
 * recursively (zod, JSON.stringify when saving or writing PNG provenance).
 */
function checkShape(json: unknown, where: string): void {
  const stack: [unknown, number, string][] = [[json, 0, '']]
  let count = 0
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop() as [unknown, number, string]
    if (++count > MAX_PRESET_VALUES)
      throw new InputError('preset/too-large', `more than ${MAX_PRESET_VALUES} values`, where)
    if (v === null || typeof v !== 'object') continue
    if (depth >= MAX_PRESET_DEPTH)
      throw new InputError(
        'preset/too-deep',
        `${path || '(top level)'}: nested more than ${MAX_PRESET_DEPTH} levels deep`,
        where,
      )
    const entries = Array.isArray(v) ? v.entries() : Object.entries(v)
    for (const [k, c] of entries) stack.push([c, depth + 1, path ? `${path}.${k}` : String(k)])
  }
}

function toGraph(
  preset: Preset,
  nodes: PresetNode[],
  problems: GraphErrorInfo[],
  lookup: NodeLookup,
): Graph {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const inputs = new Map<number, Record<string, GraphLink>>()
  for (const raw of preset.links) {
    const l = linkFields(raw)
    const target = byId.get(l.targetId)
    if (!target) {
      problems.push({
        kind: 'bad-link',
        nodeId: null,
        title: `link ${l.id}`,
        received: `node ${l.targetId}`,
        message: `link ${l.id} ends at node ${l.targetId}, which does not exist (ignored)`,
      })
      continue
    }
    const origin = byId.get(l.originId)
    const input =
      target.inputs?.find((s) => s.link === l.id)?.name ??
      target.inputs?.[l.targetSlot]?.name ??
      Object.keys(lookup(target.type)?.inputs ?? {})[l.targetSlot] ??
      `slot ${l.targetSlot}`
    const output =
      origin?.outputs?.[l.originSlot]?.name ??
      Object.keys(lookup(origin?.type ?? '')?.outputs ?? {})[l.originSlot] ??
      `slot ${l.originSlot}`
    const map = inputs.get(target.id) ?? (Object.create(null) as Record<string, GraphLink>)
    if (!UNSAFE_KEYS.has(input)) map[input] = { node: l.originId, output }
    inputs.set(target.id, map)
  }
  return {
    nodes: nodes.map((n): GraphNode => ({
      id: n.id,
      type: n.type,
      title: n.title ?? lookup(n.type)?.title ?? n.type,
      widgets: safeCopy(n.properties ?? {}),
      inputs: inputs.get(n.id) ?? {},
      muted: n.mode === 2 || n.mode === 4,
    })),
  }
}

function safeCopy(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>
  for (const [k, v] of Object.entries(o)) if (!UNSAFE_KEYS.has(k)) out[k] = v
  return out
}

/** A `--set` override: 'Node Title.widget=value' (or '#7.widget=value' by node id). */
export function applySet(
  preset: Preset,
  assignment: string,
  lookup: NodeLookup = nodeType,
): Preset {
  const m = /^(.+)\.([A-Za-z_]\w*)=(.*)$/s.exec(assignment)
  if (!m) throw new InputError('preset/set', "expected 'Node Title.widget=value'", assignment)
  const [, who = '', widget = '', text = ''] = m
  const matches = preset.nodes.filter((raw) => {
    const n = presetNodeSchema.safeParse(raw)
    if (!n.success) return false
    const title = n.data.title ?? lookup(n.data.type)?.title ?? n.data.type
    return who.startsWith('#') ? `#${n.data.id}` === who : title === who
  })
  if (matches.length !== 1)
    throw new InputError(
      'preset/set',
      matches.length === 0
        ? `no node titled '${who}'`
        : `${matches.length} nodes are titled '${who}'; use #id`,
      assignment,
    )
  const node = presetNodeSchema.parse(matches[0])
  const spec = lookup(node.type)?.widgets[widget]
  if (!spec || !Object.hasOwn(lookup(node.type)?.widgets ?? {}, widget))
    throw new InputError(
      'preset/set',
      `node ${node.id} (${who}) has no widget '${widget}' (widgets: ${Object.keys(lookup(node.type)?.widgets ?? {}).join(', ') || 'none'})`,
      assignment,
    )
  const r = checkWidget(spec, spec.kind === 'text' || spec.kind === 'combo' ? text : text.trim())
  if (!r.ok)
    throw new InputError('preset/set', `widget '${widget}': ${r.problem.message}`, assignment)
  return withWidgets(preset, new Map([[node.id, { [widget]: r.value }]]))
}

/** The preset with widget values replaced (e.g. the seeds a run used). */
export function withWidgets(
  preset: Preset,
  values: ReadonlyMap<number, Readonly<Record<string, unknown>>>,
): Preset {
  return {
    ...preset,
    nodes: preset.nodes.map((raw) => {
      const n = presetNodeSchema.safeParse(raw)
      const v = n.success ? values.get(n.data.id) : undefined
      if (!n.success || !v) return raw
      return { ...n.data, properties: { ...(n.data.properties ?? {}), ...v } }
    }),
  }
}

/** Preset JSON with every non-ASCII character escaped (safe in a PNG tEXt chunk). */
export function presetText(preset: Preset): string {
  return JSON.stringify(preset).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** A node for buildPreset: widgets by name, inputs as [origin node id, output name]. */
export interface NodeDraft {
  readonly id: number
  readonly type: string
  readonly title?: string
  readonly widgets?: Readonly<Record<string, unknown>>
  readonly inputs?: Readonly<Record<string, readonly [number, string]>>
  readonly pos?: readonly [number, number]
}

/** A preset in litegraph's layout from node drafts (sockets listed in spec order). */
export function buildPreset(
  drafts: readonly NodeDraft[],
  extra: Record<string, unknown> = {},
  lookup: NodeLookup = nodeType,
): Preset {
  let linkId = 0
  const links: [number, number, number, number, number, string][] = []
  const outLinks = new Map<string, number[]>()
  const nodes = drafts.map((d, i) => {
    const def = lookup(d.type)
    const inputNames = Object.keys(def?.inputs ?? d.inputs ?? {})
    const inputs = inputNames.map((name, slot) => {
      const src = d.inputs?.[name]
      let link: number | null = null
      if (src) {
        const origin = drafts.find((o) => o.id === src[0])
        const outNames = Object.keys(lookup(origin?.type ?? '')?.outputs ?? {})
        const type = lookup(origin?.type ?? '')?.outputs[src[1]] ?? '*'
        link = ++linkId
        links.push([link, src[0], Math.max(0, outNames.indexOf(src[1])), d.id, slot, type])
        const k = `${src[0]}:${src[1]}`
        outLinks.set(k, [...(outLinks.get(k) ?? []), link])
      }
      return { name, type: def?.inputs[name]?.type ?? '*', link }
    })
    return { d, def, inputs, i }
  })
  return {
    schemaVersion: PRESET_SCHEMA_VERSION,
    last_node_id: Math.max(0, ...drafts.map((d) => d.id)),
    last_link_id: linkId,
    nodes: nodes.map(({ d, def, inputs, i }) => ({
      id: d.id,
      type: d.type,
      ...(d.title ? { title: d.title } : {}),
      pos: d.pos ? [...d.pos] : [40 + 260 * (i % 5), 60 + 220 * Math.floor(i / 5)],
      size: [220, 120],
      flags: {},
      order: i,
      mode: 0,
      inputs,
      outputs: Object.entries(def?.outputs ?? {}).map(([name, type]) => ({
        name,
        type,
        links: outLinks.get(`${d.id}:${name}`) ?? [],
      })),
      properties: { ...(d.widgets ?? {}) },
    })),
    links,
    groups: [],
    extra,
    version: 0.4,
  }
}
