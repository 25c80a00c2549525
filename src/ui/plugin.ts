/**
 * The StEP node set as a plugin for an EXISTING litegraph page: one call installs the nodes (from
 * the same registry as the editor and the headless runner) with their run overlays, and returns a
 * runner that executes the page's graph in a worker through the StEP runtime.
 *
 *   const step = installStepPlugin({ registerNodeType: (t, c) => LiteGraph.registerNodeType(t, c), LGraphNode })
 *   await step.run(graph)   // previews and progress are drawn on the nodes
 */
import type { LGraph } from '@comfyorg/litegraph'
import type { BackendChoice } from '../runtime/backend.js'
import type { RunEvent } from '../runtime/events.js'
import { graphToPreset, registerStepNodes, type LiteGraphLike } from './litegraph-nodes.js'
import { applyRunEvent, drawOverlay, overlayOf, resetOverlays } from './node-overlay.js'
import { WorkerRunner, type RunOutcome } from './runner.js'

export { definitionOf, graphToPreset, registerStepNodes } from './litegraph-nodes.js'
export type { LiteGraphLike, RegisterOptions } from './litegraph-nodes.js'
export { WorkerRunner } from './runner.js'

/** Options of installStepPlugin. */
export interface PluginOptions {
  readonly backend?: BackendChoice
  /** wasm threads (default every core, at most 8; more than 1 needs cross-origin isolation). */
  readonly threads?: number
  /** URL relative paths in graphs resolve against (default: the page). */
  readonly baseUrl?: string
  /** URL of the folder of the model named 'default'. */
  readonly defaultModelUrl?: string
  /** Origins besides the page's own that graphs may fetch from ('*': any; default none). */
  readonly allowOrigins?: readonly string[]
}

/** What installStepPlugin returns. */
export interface StepPlugin {
  /** The node type ids installed. */
  readonly types: readonly string[]
  /** The worker's backend, once started. */
  readonly ready: WorkerRunner['ready']
  /** Runs `graph` (or only `until` and its ancestors); redraws through `onRedraw`. */
  run(
    graph: LGraph,
    options?: { until?: number; onEvent?: (e: RunEvent) => void; onRedraw?: () => void },
  ): Promise<RunOutcome>
  cancel(): void
}

/** Installs the StEP nodes into `lite` and starts an execution worker. */
export function installStepPlugin(lite: LiteGraphLike, options: PluginOptions = {}): StepPlugin {
  const types = registerStepNodes(lite, {
    decorate: (node, ctx) => {
      const o = overlayOf(node)
      if (o) drawOverlay(node, o, ctx)
    },
  })
  const runner = new WorkerRunner(
    options.backend ?? 'auto',
    options.threads !== undefined ? { threads: options.threads } : {},
  )
  const base = options.baseUrl ?? document.baseURI
  return {
    types,
    ready: runner.ready,
    run(graph, o = {}) {
      resetOverlays(graph)
      return runner.run(graphToPreset(graph), {
        baseUrl: base,
        defaultModelUrl:
          options.defaultModelUrl ?? new URL('examples/models/default/', document.baseURI).href,
        ...(options.allowOrigins ? { allowOrigins: options.allowOrigins } : {}),
        ...(o.until !== undefined ? { until: o.until } : {}),
        onEvent: (e) => {
          applyRunEvent(graph, e)
          o.onEvent?.(e)
          o.onRedraw?.()
        },
      })
    },
    cancel: () => runner.cancel(),
  }
}
