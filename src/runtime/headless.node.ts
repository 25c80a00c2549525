/**
 * The headless runner (`step run`, CI, scripts): loads a preset file — or the preset embedded in
 * a PNG this runner wrote — applies `--set` overrides, runs it with a folder environment and
 * writes the previews as PNGs. Every PNG written carries the preset with the seeds actually used
 * (tEXt 'step-preset'), those seeds ('step-seeds') and the folder relative paths came from
 * ('step-base'), so `step run image.png` reproduces the image.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { errorMessage, InputError } from '../core/errors.js'
import { encodePng } from '../core/image/encode.js'
import type { RgbImage } from '../core/image/types.js'
import { nodeType, type NodeRegistry } from '../nodes/index.js'
import { folderEnv, isInside } from './env.node.js'
import type { RunListener } from './events.js'
import { GraphExecutor, type RunResult, type SeedRecord } from './executor.js'
import type { Graph } from './graph.js'
import { applySet, loadPreset, presetText, withWidgets, type LoadedPreset } from './preset.js'
import type { Preset } from './preset-schema.js'
import { presetFromBytes, PROVENANCE_KEYS } from './preset-source.js'

export { PROVENANCE_KEYS } from './preset-source.js'

/** Options of runHeadless. */
export interface HeadlessOptions {
  /** A preset .json file or a PNG written by a graph. */
  readonly source: string
  readonly outDir: string
  /** 'Node Title.widget=value' overrides, applied in order. */
  readonly sets?: readonly string[]
  /** Run only this node (title, '#id' or id) and its ancestors. */
  readonly until?: string
  readonly signal?: AbortSignal
  readonly onEvent?: RunListener
  /** Neighbour-list cache folder (default: the user cache); null: none. */
  readonly cacheDir?: string | null
  /**
   * More folders the preset may read inputs from; always allowed: its own folder, outDir and
   * the current working folder. `--set` values are read as typed (never written outside outDir).
   */
  readonly allowRead?: readonly string[]
  /** The node types the preset may use (default: the built-in registry). */
  readonly registry?: NodeRegistry
}

/** What a headless run did. */
export interface HeadlessResult {
  readonly result: RunResult
  readonly loaded: LoadedPreset
  /** Preview PNGs written. */
  readonly previews: readonly string[]
}

/** Reads a preset file or a provenance PNG: the JSON and the folder its relative paths use. */
export async function readPresetSource(
  source: string,
): Promise<{ json: unknown; baseDir: string }> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(source))
  } catch (err) {
    throw new InputError('preset/unreadable', `cannot read (${errorMessage(err)})`, source)
  }
  const { json, base } = presetFromBytes(bytes, source)
  // a PNG's recorded base folder is honoured only inside the working folder (it is untrusted)
  const usable = base !== undefined && existsSync(base) && isInside(base, process.cwd())
  return { json, baseDir: usable ? base : dirname(resolve(source)) }
}

/** The node id `until` names (a title, '#id' or a number) in `graph`. */
export function resolveNodeRef(graph: Graph, ref: string): number {
  const id = /^#?(\d+)$/.exec(ref.trim())
  if (id && graph.nodes.some((n) => n.id === Number(id[1]))) return Number(id[1])
  const hits = graph.nodes.filter((n) => n.title === ref)
  if (hits.length === 1 && hits[0]) return hits[0].id
  throw new InputError(
    'preset/node',
    hits.length === 0
      ? 'no node with this title or id'
      : `${hits.length} nodes have this title; use #id`,
    ref,
  )
}

/** Provenance text chunks for a run of `preset` that used `seeds`. */
export function provenanceText(
  preset: Preset,
  seeds: SeedRecord,
  baseDir: string,
): Record<string, string> {
  const values = new Map(Object.entries(seeds).map(([id, w]) => [Number(id), w]))
  return {
    [PROVENANCE_KEYS.preset]: presetText(withWidgets(preset, values)),
    [PROVENANCE_KEYS.seeds]: JSON.stringify(seeds),
    [PROVENANCE_KEYS.base]: baseDir,
  }
}

/** Loads and runs a preset headless; see the module comment. */
export async function runHeadless(o: HeadlessOptions): Promise<HeadlessResult> {
  const { json, baseDir } = await readPresetSource(o.source)
  const lookup = o.registry?.get ?? nodeType
  let loaded = loadPreset(json, o.source, lookup)
  if (o.sets && o.sets.length > 0) {
    let preset = loaded.preset
    for (const s of o.sets) preset = applySet(preset, s, lookup)
    loaded = loadPreset(preset, o.source, lookup)
  }
  const until = o.until === undefined ? undefined : resolveNodeRef(loaded.graph, o.until)
  // --set values may be read from anywhere (outputs stay inside --out); 'vgg16:' names a path too
  const trusted = new Set(
    (o.sets ?? []).map((s) => s.slice(s.indexOf('=') + 1).replace(/^vgg16:/, '')),
  )
  const env = folderEnv({
    inputDir: baseDir,
    outputDir: o.outDir,
    readRoots: [process.cwd(), ...(o.allowRead ?? [])],
    trusted,
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
  })
  const executor = new GraphExecutor({ env, lookup })
  const shown: { node: number; images: readonly RgbImage[] }[] = []
  try {
    const result = await executor.run(loaded.graph, {
      ...(o.signal ? { signal: o.signal } : {}),
      ...(until !== undefined ? { until } : {}),
      onEvent: (e) => {
        if (e.type === 'preview') shown.push({ node: e.node, images: e.images })
        o.onEvent?.(e)
      },
      provenance: (seeds) => provenanceText(loaded.preset, seeds, baseDir),
    })
    const text = provenanceText(loaded.preset, result.seeds, baseDir)
    const previews: string[] = []
    for (const { node, images } of shown) {
      for (const [i, image] of images.entries()) {
        const name = images.length === 1 ? `preview-${node}.png` : `preview-${node}-${i + 1}.png`
        previews.push(await env.writeOutput(name, encodePng(image, text)))
      }
    }
    return { result, loaded, previews }
  } finally {
    executor.dispose()
  }
}
