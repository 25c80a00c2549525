/**
 * Provenance for the images `step generate`, `sample` and `interpolate` write: the small graph
 * that computes the same thing from the same files (built from the node registry, so its sockets
 * are the nodes' own), with paths relative to the output's folder, the seeds, and the graph again
 * as 'workflow'. `step run OUT.png --out DIR` runs it; for `step sample` it re-creates the image
 * bit for bit (test/provenance.test.ts).
 */
import { dirname, relative, resolve, sep } from 'node:path'
import { NODE_TYPES } from '../nodes/index.js'
import type { SeedRecord } from '../runtime/executor.js'
import { presetText } from '../runtime/preset.js'
import { PROVENANCE_KEYS } from '../runtime/preset-source.js'

interface GraphNode {
  id: number
  type: string
  title?: string
  pos: [number, number]
  size: [number, number]
  flags: Record<string, never>
  order: number
  mode: 0
  inputs: { name: string; type: string; link: number | null }[]
  outputs: { name: string; type: string; links: number[] }[]
  properties: Record<string, unknown>
}

/** A litegraph-format graph assembled node by node from the registry's socket lists. */
export class SmallGraph {
  private readonly nodes: GraphNode[] = []
  private readonly links: [number, number, number, number, number, string][] = []

  /** Adds a node of `type` with widget values `properties`; returns its id. */
  add(type: string, properties: Record<string, unknown> = {}, title?: string): number {
    const def = NODE_TYPES[type]
    if (!def) throw new Error(`no node type '${type}'`)
    const id = this.nodes.length + 1
    this.nodes.push({
      id,
      type,
      ...(title ? { title } : {}),
      pos: [40 + 280 * Math.floor((id - 1) / 3), 70 + 140 * ((id - 1) % 3)],
      size: [220, 80],
      flags: {},
      order: id - 1,
      mode: 0,
      inputs: Object.entries(def.inputs).map(([name, spec]) => ({
        name,
        type: typeof spec === 'string' ? spec : spec.type,
        link: null,
      })),
      outputs: Object.entries(def.outputs).map(([name, type]) => ({ name, type, links: [] })),
      properties,
    })
    return id
  }

  /** Links output `output` of node `from` to input `input` of node `to`. */
  link(from: number, output: string, to: number, input: string): void {
    const a = this.nodes[from - 1]
    const b = this.nodes[to - 1]
    const o = a?.outputs.findIndex((s) => s.name === output) ?? -1
    const i = b?.inputs.findIndex((s) => s.name === input) ?? -1
    const out = a?.outputs[o]
    const inp = b?.inputs[i]
    if (!out || !inp) throw new Error(`no socket ${from}.${output} -> ${to}.${input}`)
    const id = this.links.length + 1
    this.links.push([id, from, o, to, i, out.type])
    out.links.push(id)
    inp.link = id
  }

  /** The graph as a preset (litegraph's serialisation + schemaVersion). */
  toJSON(): object {
    return {
      schemaVersion: 1,
      last_node_id: this.nodes.length,
      last_link_id: this.links.length,
      nodes: this.nodes,
      links: this.links,
      groups: [],
      extra: {},
      version: 0.4,
    }
  }
}

/** `path` as the graph in a PNG at `outFile` names it: relative to its folder, '/' separated. */
export function pathFrom(outFile: string, path: string): string {
  if (path === 'default') return path
  return relative(dirname(resolve(outFile)), resolve(path))
    .split(sep)
    .join('/')
}

/** The save name (Save Image prefix) of `outFile`: its base name without the extension. */
export function prefixOf(outFile: string): string {
  const base = resolve(outFile).split(sep).pop() ?? 'step'
  return base.replace(/\.[^.]+$/, '').replace(/[^\w.-]/g, '_') || 'step'
}

/** The text chunks of a CLI image: the graph, the seeds, base '.', and the graph as 'workflow'. */
export function cliProvenance(graph: SmallGraph, seeds: SeedRecord = {}): Record<string, string> {
  const text = presetText(graph.toJSON() as Parameters<typeof presetText>[0])
  return {
    [PROVENANCE_KEYS.preset]: text,
    [PROVENANCE_KEYS.seeds]: JSON.stringify(seeds),
    [PROVENANCE_KEYS.base]: '.',
    [PROVENANCE_KEYS.workflow]: text,
  }
}

/** The graph of `step sample`: content, model, noise, mapper, generate, grid (input first), save. */
export function sampleGraph(o: {
  model: string
  input: string
  out: string
  count: number
  seed: number
  zDim: number
  columns: number
}): { graph: SmallGraph; seeds: SeedRecord } {
  const g = new SmallGraph()
  const content = g.add('step/load-image', { path: pathFrom(o.out, o.input) }, 'Content')
  const model = g.add('step/load-model', { path: pathFrom(o.out, o.model) }, 'Model')
  const noise = g.add('step/gaussian-sample', { count: o.count, zDim: o.zDim, seed: o.seed })
  const mapper = g.add('step/mapper')
  g.link(noise, 'noise', mapper, 'noise')
  g.link(model, 'model', mapper, 'mapper')
  const gen = g.add('step/generate')
  g.link(content, 'image', gen, 'content')
  g.link(mapper, 'style', gen, 'style')
  g.link(model, 'model', gen, 'generator')
  const grid = g.add('step/image-grid', { columns: o.columns, gap: 2 })
  g.link(gen, 'images', grid, 'images')
  g.link(content, 'image', grid, 'first')
  const save = g.add('step/save-image', { prefix: prefixOf(o.out) })
  g.link(grid, 'image', save, 'images')
  return { graph: g, seeds: { [noise]: { seed: o.seed } } }
}

/** The graph of `step generate`: content, style, model, encode, strength, generate, save. */
export function generateGraph(o: {
  model: string
  input: string
  style: string
  out: string
  strength: number
}): SmallGraph {
  const g = new SmallGraph()
  const content = g.add('step/load-image', { path: pathFrom(o.out, o.input) }, 'Content')
  const style = g.add('step/load-image', { path: pathFrom(o.out, o.style) }, 'Style')
  const model = g.add('step/load-model', { path: pathFrom(o.out, o.model) }, 'Model')
  const enc = g.add('step/style-encode')
  g.link(style, 'image', enc, 'images')
  g.link(model, 'model', enc, 'encoder')
  const strength = g.add('step/style-strength', { strength: o.strength })
  g.link(enc, 'style', strength, 'style')
  g.link(model, 'model', strength, 'model')
  const gen = g.add('step/generate')
  g.link(content, 'image', gen, 'content')
  g.link(strength, 'style', gen, 'style')
  g.link(model, 'model', gen, 'generator')
  const save = g.add('step/save-image', { prefix: prefixOf(o.out) })
  g.link(gen, 'images', save, 'images')
  return g
}

/**
 * The graph of `step interpolate` (at most 6 styles, the Interpolate node's inputs): the same
 * codes and outputs G(A, z), laid out as one row after the content (the command's strip also
 * shows the style images above the outputs).
 */
export function interpolateGraph(o: {
  model: string
  input: string
  styles: readonly string[]
  out: string
  steps: number
  mode: string
}): SmallGraph | null {
  if (o.styles.length > 6) return null
  const g = new SmallGraph()
  const content = g.add('step/load-image', { path: pathFrom(o.out, o.input) }, 'Content')
  const model = g.add('step/load-model', { path: pathFrom(o.out, o.model) }, 'Model')
  const walk = g.add('step/interpolate', { mode: o.mode, steps: o.steps, weights: '' })
  o.styles.forEach((file, i) => {
    const image = g.add('step/load-image', { path: pathFrom(o.out, file) }, `Style ${i + 1}`)
    const enc = g.add('step/style-encode')
    g.link(image, 'image', enc, 'images')
    g.link(model, 'model', enc, 'encoder')
    g.link(enc, 'style', walk, 'abcdef'[i] ?? 'a')
  })
  const gen = g.add('step/generate')
  g.link(content, 'image', gen, 'content')
  g.link(walk, 'style', gen, 'style')
  g.link(model, 'model', gen, 'generator')
  const count = (o.steps - 1) * (o.styles.length - 1) + 1
  const grid = g.add('step/image-grid', { columns: count + 1, gap: 2 })
  g.link(gen, 'images', grid, 'images')
  g.link(content, 'image', grid, 'first')
  const save = g.add('step/save-image', { prefix: prefixOf(o.out) })
  g.link(grid, 'image', save, 'images')
  return g
}
