/**
 * defineNode: a node type as data (type id, title, category, typed sockets, widgets, description)
 * plus one async execute function. Execute's argument and result types are inferred from the
 * spec; the registry and the executor see the erased NodeDefinition, and the executor checks
 * every link's socket types and every widget value before execute is called.
 */
import type { RgbImage } from '../core/image/types.js'
import type { NodeEnv } from './env.js'
import type { SocketType, SocketValues } from './sockets.js'
import type { WidgetSpec, WidgetValue } from './widgets.js'

/** An input socket: its type, whether it may stay unconnected, what it is for. */
export interface InputSpec {
  readonly type: SocketType
  readonly optional?: boolean
  readonly description?: string
}

/** What execute receives besides inputs and widgets. */
export interface ExecuteContext {
  /** The node's id and title in the graph (for messages). */
  readonly nodeId: number
  readonly title: string
  /** Aborted when the run is cancelled; long work must check it between steps. */
  readonly signal: AbortSignal
  /** Where files, datasets and checkpoints come from and go to. */
  readonly env: NodeEnv
  /** Reports progress: value of max, with optional figures (e.g. { loss }). */
  progress(value: number, max: number, figures?: Readonly<Record<string, number>>): void
  /** Shows images (previews) to whoever runs the graph. */
  preview(images: readonly RgbImage[]): void
  /** A line of information for the run's log. */
  log(message: string): void
  /** PNG text chunks that make a written image reproduce this run (preset + seeds used). */
  provenance(): Record<string, string>
}

type InputValues<I extends Readonly<Record<string, InputSpec>>> = {
  [K in keyof I]: I[K]['optional'] extends true
    ? SocketValues[I[K]['type']] | undefined
    : SocketValues[I[K]['type']]
}
type OutputValues<O extends Readonly<Record<string, SocketType>>> = {
  [K in keyof O]: SocketValues[O[K]]
}
type WidgetValues<W extends Readonly<Record<string, WidgetSpec>>> = {
  [K in keyof W]: WidgetValue<W[K]>
}

/** The typed spec given to defineNode. */
export interface NodeSpec<
  I extends Readonly<Record<string, InputSpec>>,
  O extends Readonly<Record<string, SocketType>>,
  W extends Readonly<Record<string, WidgetSpec>>,
> {
  /** Stable id stored in presets, e.g. 'step/generate'. */
  readonly type: string
  readonly title: string
  readonly category: string
  readonly description: string
  readonly inputs: I
  readonly outputs: O
  readonly widgets: W
  /** Whether execute writes files (outputs are still cached; re-runs with equal keys skip it). */
  readonly writes?: boolean
  /** Whether every run must execute it again (a live input such as a camera frame). */
  readonly volatile?: boolean
  execute(
    inputs: InputValues<I>,
    widgets: WidgetValues<W>,
    ctx: ExecuteContext,
  ): Promise<OutputValues<O>>
}

/** A node type as the registry and the executor see it. */
export interface NodeDefinition {
  readonly type: string
  readonly title: string
  readonly category: string
  readonly description: string
  readonly inputs: Readonly<Record<string, InputSpec>>
  readonly outputs: Readonly<Record<string, SocketType>>
  readonly widgets: Readonly<Record<string, WidgetSpec>>
  readonly writes: boolean
  readonly volatile: boolean
  /** Inputs and widgets already checked against the spec by the executor. */
  execute(
    inputs: Readonly<Record<string, unknown>>,
    widgets: Readonly<Record<string, unknown>>,
    ctx: ExecuteContext,
  ): Promise<Readonly<Record<string, unknown>>>
}

/** Declares a node type; the result is frozen. */
export function defineNode<
  const I extends Readonly<Record<string, InputSpec>>,
  const O extends Readonly<Record<string, SocketType>>,
  const W extends Readonly<Record<string, WidgetSpec>>,
>(spec: NodeSpec<I, O, W>): NodeDefinition {
  const definition: NodeDefinition = {
    type: spec.type,
    title: spec.title,
    category: spec.category,
    description: spec.description,
    inputs: Object.freeze({ ...spec.inputs }),
    outputs: Object.freeze({ ...spec.outputs }),
    widgets: Object.freeze({ ...spec.widgets }),
    writes: spec.writes ?? false,
    volatile: spec.volatile ?? false,
    // The executor validated every input's socket type and every widget value against this spec.
    execute: (inputs, widgets, ctx) =>
      spec.execute(inputs as InputValues<I>, widgets as WidgetValues<W>, ctx),
  }
  return Object.freeze(definition)
}
