/**
 * Runs graphs. Validates first (nothing runs when a node is wrong), resolves random seeds (-1)
 * and records the ones used, orders the nodes topologically and executes each one whose cache key
 * (type + widget values + the keys of its inputs) is not cached. Emits the run events, honours an
 * AbortSignal between and inside nodes, runs only a target's ancestors on request, and releases
 * cached values that the current graph no longer produces. When the backend fails mid-run (device
 * lost, missing kernel) it continues on the next backend (fallback.ts) and emits
 * 'backend-fallback'.
 */
import type { StepError } from '../core/errors.js'
import { errorMessage } from '../core/errors.js'
import { fingerprintOf } from '../core/fingerprint.js'
import type { RgbImage } from '../core/image/types.js'
import type { ExecuteContext, NodeDefinition } from '../nodes/define.js'
import type { NodeEnv } from '../nodes/env.js'
import { nodeType } from '../nodes/index.js'
import type * as tf from '@tensorflow/tfjs'
import { describeValue, valueResources, valueTensors, type Releasable } from '../nodes/sockets.js'
import { MAX_SEED } from '../nodes/widgets.js'
import { OutputCache } from './cache.js'
import type { RunEvent, RunListener, RunStatus } from './events.js'
import { recoverFromPoison } from './backend-rebuild.js'
import { recoverFromFault } from './fallback.js'
import { gatherInputs, stableJson, topological } from './plan.js'
import { ancestorsOf, nodesById, type Graph, type GraphNode } from './graph.js'
import { GraphError, GraphValidationError, type GraphErrorInfo } from './graph-errors.js'
import { validateGraph, type NodeLookup } from './validate.js'

/** Seeds actually used, by node id and widget name. */
export type SeedRecord = Record<number, Record<string, number>>

/** Options of GraphExecutor.run. */
export interface RunOptions {
  readonly signal?: AbortSignal
  /** Run only this node and its ancestors. */
  readonly until?: number
  readonly onEvent?: RunListener
  /** PNG text chunks for images written in this run, given the seeds used. */
  readonly provenance?: (seeds: SeedRecord) => Record<string, string>
  /** Source of random seeds for seed widgets set to -1 (default Math.random). */
  readonly randomSeed?: () => number
}

/** What a run did. */
export interface RunResult {
  readonly status: RunStatus
  readonly executed: readonly number[]
  readonly cached: readonly number[]
  readonly seeds: SeedRecord
  /** The failure (status 'failed'), else null. */
  readonly error: StepError | null
  /** Outputs of the plan's nodes (owned by the executor's cache; valid until the next run). */
  readonly outputs: ReadonlyMap<number, Readonly<Record<string, unknown>>>
}

/** Options of the executor. */
export interface ExecutorOptions {
  readonly env: NodeEnv
  /** Cache bound in bytes (default 1 GiB). */
  readonly cacheBytes?: number
  /** Node types (default: the registry). */
  readonly lookup?: NodeLookup
  /** Continue on the next backend when the active one fails mid-run (default true). */
  readonly backendFallback?: boolean
}

/** Backend switches one run may make (one per backend there is). */
const MAX_FALLBACKS = 4

/** Executes graphs, keeping a cache of outputs between runs. */
export class GraphExecutor {
  private readonly cache: OutputCache
  private readonly lookup: NodeLookup
  private runs = 0

  constructor(private readonly options: ExecutorOptions) {
    this.cache = new OutputCache(options.cacheBytes ?? 2 ** 30)
    this.lookup = options.lookup ?? nodeType
  }

  /** Validates the whole graph without running it. */
  validate(graph: Graph): GraphErrorInfo[] {
    return validateGraph(graph, this.lookup).errors
  }

  /** Runs `graph`; throws GraphValidationError (after emitting each error) when it is invalid. */
  async run(graph: Graph, options: RunOptions = {}): Promise<RunResult> {
    const emit = (e: RunEvent) => options.onEvent?.(e)
    const t0 = Date.now()
    const byId = nodesById(graph)
    if (options.until !== undefined && !byId.has(options.until)) {
      const error: GraphErrorInfo = {
        kind: 'unknown-node',
        nodeId: options.until,
        title: '',
        message: `no node ${options.until} to run to`,
      }
      emit({ type: 'error', error })
      throw new GraphValidationError([error])
    }
    const plan =
      options.until !== undefined
        ? ancestorsOf(graph, options.until)
        : new Set(graph.nodes.filter((n) => !n.muted).map((n) => n.id))
    const { errors, widgets } = validateGraph(graph, this.lookup, plan)
    if (errors.length > 0) {
      for (const error of errors) emit({ type: 'error', error })
      throw new GraphValidationError(errors)
    }
    this.cache.trim() // the previous run's outputs are no longer promised to anyone
    const seeds = this.resolveSeeds(graph, plan, widgets, options.randomSeed)
    const order = topological(graph, plan)
    const keys = this.keysOf(graph, widgets)
    const runId = ++this.runs
    emit({ type: 'start', runId, nodes: order.map((n) => n.id) })
    const cached = order.filter((n) => this.cache.has(keys.get(n.id) ?? '')).map((n) => n.id)
    if (cached.length > 0) emit({ type: 'cached', nodes: cached })
    const executed: number[] = []
    const outputs = new Map<number, Readonly<Record<string, unknown>>>()
    let status: RunStatus = 'done'
    let failure: StepError | null = null
    const signal = options.signal ?? new AbortController().signal
    let fallbacks = 0
    for (let i = 0; i < order.length; i++) {
      const node = order[i] as GraphNode
      const key = keys.get(node.id) ?? ''
      const hit = this.cache.get(key)
      if (hit) {
        outputs.set(node.id, hit)
        continue
      }
      if (signal.aborted) {
        status = 'cancelled'
        emit({ type: 'interrupted', node: null })
        break
      }
      const def = this.lookup(node.type) as NodeDefinition
      emit({ type: 'executing', node: node.id, title: node.title })
      const started = Date.now()
      try {
        const inputs = gatherInputs(node, def, byId, outputs, this.lookup)
        const ctx = this.context(node, signal, emit, seeds, options.provenance)
        const result = await def.execute(inputs, widgets.get(node.id) ?? {}, ctx)
        this.store(key, def, result)
        outputs.set(node.id, result)
        if (!executed.includes(node.id)) executed.push(node.id)
        const summary: Record<string, string> = {}
        for (const [name, v] of Object.entries(result)) summary[name] = describeValue(v)
        emit({ type: 'executed', node: node.id, outputs: summary, ms: Date.now() - started })
      } catch (err) {
        if (!signal.aborted && (await this.fallBack(err, node, fallbacks++, emit))) {
          // outputs of this run that could not move were dropped: start over; cached ones hit
          outputs.clear()
          i = -1
          continue
        }
        if (signal.aborted) {
          status = 'cancelled'
          emit({ type: 'interrupted', node: node.id })
        } else {
          status = 'failed'
          const info: GraphErrorInfo = {
            kind: 'execution',
            nodeId: node.id,
            title: node.title,
            message: errorMessage(err),
          }
          failure = new GraphError(info, { cause: err })
          emit({ type: 'error', error: info })
          await this.restartIfPoisoned(err, node, emit)
        }
        break
      }
    }
    this.cache.retainOnly(new Set(keys.values()))
    // over the bound, older entries go now; this run's outputs stay until the next run starts
    this.cache.trim(new Set(order.map((n) => keys.get(n.id) ?? '')))
    // after a fallback dropped a cached entry its node ran again: it was executed, not a hit
    const hits = cached.filter((id) => !executed.includes(id))
    emit({ type: 'done', status, executed, cached: hits, ms: Date.now() - t0 })
    return { status, executed, cached: hits, seeds, error: failure, outputs }
  }

  /** Releases every cached value. */
  dispose(): void {
    this.cache.clear()
  }

  /** Cached entries and their bytes (for tests and status displays). */
  cacheStats(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes() }
  }

  private store(key: string, def: NodeDefinition, result: Readonly<Record<string, unknown>>) {
    const resources: Releasable[] = []
    const tensors: tf.Tensor[] = []
    let bytes = 0
    for (const [name, type] of Object.entries(def.outputs)) {
      const r = valueResources(type, result[name])
      resources.push(...r.resources)
      tensors.push(...valueTensors(type, result[name]))
      bytes += r.bytes
    }
    this.cache.put(key, result, resources, bytes, tensors)
  }

  /** Switches backend after a fault of `node` (see fallback.ts); whether the run may go on. */
  private async fallBack(
    err: unknown,
    node: GraphNode,
    previous: number,
    emit: (e: RunEvent) => void,
  ): Promise<boolean> {
    if (this.options.backendFallback === false || previous >= MAX_FALLBACKS) return false
    const done = await recoverFromFault(err, this.cache)
    if (!done) return false
    const { fault, from, to, kept, dropped } = done
    emit({
      type: 'backend-fallback',
      node: node.id,
      title: node.title,
      from,
      to,
      kind: fault.kind,
      reason: fault.message,
      kept,
      dropped,
    })
    return true
  }

  /** Restarts a backend that ran out of memory or aborted, so the next run starts clean. */
  private async restartIfPoisoned(err: unknown, node: GraphNode, emit: (e: RunEvent) => void) {
    try {
      const done = await recoverFromPoison(err, this.cache)
      if (done) emit({ type: 'log', node: node.id, message: done })
    } catch (restart) {
      emit({ type: 'log', node: node.id, message: errorMessage(restart) })
    }
  }

  private context(
    node: GraphNode,
    signal: AbortSignal,
    emit: (e: RunEvent) => void,
    seeds: SeedRecord,
    provenance: RunOptions['provenance'],
  ): ExecuteContext {
    return {
      nodeId: node.id,
      title: node.title,
      signal,
      env: this.options.env,
      progress: (value, max, figures) =>
        emit({ type: 'progress', node: node.id, value, max, ...(figures ? { figures } : {}) }),
      preview: (images: readonly RgbImage[]) => emit({ type: 'preview', node: node.id, images }),
      log: (message) => emit({ type: 'log', node: node.id, message }),
      provenance: () => provenance?.(seeds) ?? {},
    }
  }

  /** Replaces -1 seeds in `widgets` by fresh ones and records every seed of the run. */
  private resolveSeeds(
    graph: Graph,
    plan: ReadonlySet<number>,
    widgets: Map<number, Record<string, unknown>>,
    random: (() => number) | undefined,
  ): SeedRecord {
    const draw = random ?? (() => Math.floor(Math.random() * (MAX_SEED + 1)))
    const seeds: SeedRecord = {}
    for (const node of graph.nodes) {
      if (!plan.has(node.id)) continue
      const def = this.lookup(node.type)
      const values = widgets.get(node.id)
      if (!def || !values) continue
      for (const [name, spec] of Object.entries(def.widgets)) {
        if (spec.kind !== 'seed') continue
        if (values[name] === -1) values[name] = draw()
        ;(seeds[node.id] ??= {})[name] = values[name] as number
      }
    }
    return seeds
  }

  /** Cache key of every node: type + widget values + input keys, recursively. */
  private keysOf(graph: Graph, widgets: Map<number, Record<string, unknown>>): Map<number, string> {
    const byId = nodesById(graph)
    const keys = new Map<number, string>()
    const keyOf = (id: number, depth: number): string => {
      const known = keys.get(id)
      if (known !== undefined) return known
      const node = byId.get(id)
      if (!node || depth > graph.nodes.length) return `missing:${id}`
      const values = widgets.get(id) ?? node.widgets
      const inputs = Object.entries(node.inputs)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, l]) => `${name}=${keyOf(l.node, depth + 1)}.${l.output}`)
      const fresh = this.lookup(node.type)?.volatile ? [`run ${this.runs + 1}`] : []
      const key = fingerprintOf(node.type, stableJson(values), ...inputs, ...fresh)
      keys.set(id, key)
      return key
    }
    for (const n of graph.nodes) keyOf(n.id, 0)
    return keys
  }
}
