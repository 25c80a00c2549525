/**
 * Rewrites a Keras / tfjs layers topology in memory so a pretrained trunk runs at the training
 * resolution and stops at its deepest tap: the input shape becomes [null, S, S, C], every layer
 * that no tap depends on is dropped (flatten / dense would need 224 px), and the taps become the
 * model's outputs in order.
 */
import { z } from 'zod'

// Functional models name a layer at the top level; Sequential ones only inside its config.
const layerSchema = z
  .looseObject({
    name: z.string().optional(),
    class_name: z.string(),
    config: z.looseObject({ name: z.string().optional() }),
    inbound_nodes: z.unknown().optional(),
  })
  .refine((l) => (l.name ?? l.config.name) !== undefined, 'layer without a name')

/** One layer entry of a Keras model_config. */
export type LayerJson = z.infer<typeof layerSchema>

/** The name of a layer entry (top-level name, else config.name). */
export function layerName(layer: LayerJson): string {
  return layer.name ?? layer.config.name ?? ''
}

const weightEntrySchema = z.looseObject({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.string(),
  quantization: z.looseObject({ dtype: z.string() }).optional(),
})

/** One weight of a weights manifest (name, shape, stored dtype). */
export type WeightEntry = z.infer<typeof weightEntrySchema>

const modelConfigSchema = z.looseObject({
  class_name: z.string(),
  config: z.looseObject({ layers: z.array(layerSchema) }),
})

/** The Keras model config: class name ('Model', 'Functional', 'Sequential') and layers. */
export type ModelConfig = z.infer<typeof modelConfigSchema>

const manifestSchema = z.array(
  z.looseObject({ paths: z.array(z.string()), weights: z.array(weightEntrySchema) }),
)

const modelJsonSchema = z.looseObject({
  modelTopology: z.looseObject({}),
  weightsManifest: manifestSchema,
})

/** A parsed tfjs layers model.json. */
export interface ModelJson {
  /** modelTopology as stored (the converter wraps the config in model_config; model.save() not). */
  readonly topology: Record<string, unknown>
  /** True when the config sits under modelTopology.model_config. */
  readonly wrapped: boolean
  /** The Keras model config: class name ('Model', 'Functional', 'Sequential') and layers. */
  readonly config: ModelConfig
  readonly weightsManifest: z.infer<typeof manifestSchema>
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? `${issue.message} at ${issue.path.join('.') || '(root)'}` : 'invalid'
}

/** Parses model.json text; `where` names the file in errors. */
export function parseModelJson(text: string, where: string): ModelJson {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new Error(`${where}: model.json is not valid JSON`, { cause: err })
  }
  const parsed = modelJsonSchema.safeParse(raw)
  if (!parsed.success) {
    throw new Error(
      `${where}: not a tfjs layers model.json (needs modelTopology and weightsManifest): ` +
        firstIssue(parsed.error),
    )
  }
  const topology = parsed.data.modelTopology
  const wrapped = topology['model_config'] !== undefined
  const config = modelConfigSchema.safeParse(wrapped ? topology['model_config'] : topology)
  if (!config.success) {
    throw new Error(
      `${where}: modelTopology is not a Keras model config (class_name, config.layers): ` +
        firstIssue(config.error),
    )
  }
  return { topology, wrapped, config: config.data, weightsManifest: parsed.data.weightsManifest }
}

/** Names of the layers feeding `layer` (Keras 2 list form; Keras 3 keras_history as fallback). */
function inboundNames(layer: LayerJson): string[] {
  const names: string[] = []
  const visit = (v: unknown): void => {
    if (!Array.isArray(v)) {
      if (v && typeof v === 'object') {
        const history = (v as Record<string, unknown>)['keras_history']
        if (Array.isArray(history) && typeof history[0] === 'string') names.push(history[0])
        else for (const child of Object.values(v)) visit(child)
      }
      return
    }
    if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0])
    else for (const child of v) visit(child)
  }
  visit(layer.inbound_nodes)
  return names
}

/** Marks the network's image input in a plan step's inputs. */
export const IMAGE_INPUT = ''

/** One layer to run: its name and the names of the layers feeding it (IMAGE_INPUT: the image). */
export interface PlanStep {
  readonly name: string
  readonly inputs: readonly string[]
}

/** Result of truncating a topology: the new topology, the layers kept, and how to run them. */
export interface Truncated {
  readonly modelTopology: Record<string, unknown>
  readonly kept: ReadonlySet<string>
  readonly allLayers: ReadonlySet<string>
  /** Kept layers in order, input layers left out (their output is the image itself). */
  readonly plan: readonly PlanStep[]
}

/** New topology with input [null, size, size, C], only the taps' ancestors, taps as outputs. */
export function truncateTopology(
  model: ModelJson,
  taps: readonly string[],
  size: number,
): Truncated {
  const mc = model.config
  const layers = mc.config.layers
  const byName = new Map(layers.map((l) => [layerName(l), l]))
  const unknown = taps.filter((t) => !byName.has(t))
  if (unknown.length > 0) throw new Error(`no layer(s) named ${unknown.join(', ')} in the model`)
  const sequential = mc.class_name === 'Sequential'
  const kept = new Set<string>()
  if (sequential) {
    const last = Math.max(...taps.map((t) => layers.findIndex((l) => layerName(l) === t)))
    for (const l of layers.slice(0, last + 1)) kept.add(layerName(l))
  } else {
    const stack = [...taps]
    while (stack.length > 0) {
      const name = stack.pop() as string
      if (kept.has(name)) continue
      kept.add(name)
      const layer = byName.get(name)
      if (layer) stack.push(...inboundNames(layer))
    }
  }
  const newLayers = layers
    .filter((l) => kept.has(layerName(l)))
    .map((l, i) => {
      const isInput = l.class_name === 'InputLayer' || (sequential && i === 0)
      return isInput ? withInputSize(l, size) : l
    })
  const config: Record<string, unknown> = { ...mc.config, layers: newLayers }
  if (!sequential) config['output_layers'] = taps.map((t) => [t, 0, 0])
  const plan = planOf(newLayers, sequential)
  const newConfig = { ...mc, config }
  return {
    modelTopology: model.wrapped ? { ...model.topology, model_config: newConfig } : newConfig,
    kept,
    allLayers: new Set(byName.keys()),
    plan,
  }
}

function planOf(layers: readonly LayerJson[], sequential: boolean): PlanStep[] {
  const inputs = new Set(layers.filter((l) => l.class_name === 'InputLayer').map(layerName))
  if (inputs.size > 1) throw new Error(`expected one input layer, found ${[...inputs].join(', ')}`)
  const plan: PlanStep[] = []
  let previous = IMAGE_INPUT
  for (const l of layers) {
    const name = layerName(l)
    if (!inputs.has(name)) {
      const from = sequential ? [previous] : inboundNames(l)
      plan.push({ name, inputs: from.map((n) => (inputs.has(n) ? IMAGE_INPUT : n)) })
    }
    previous = inputs.has(name) ? IMAGE_INPUT : name
  }
  return topologicalOrder(plan)
}

/** Stable topological sort: each step after the steps it reads. */
function topologicalOrder(steps: PlanStep[]): PlanStep[] {
  const done = new Set([IMAGE_INPUT])
  const out: PlanStep[] = []
  const pending = [...steps]
  while (pending.length > 0) {
    const i = pending.findIndex((s) => s.inputs.every((n) => done.has(n)))
    if (i < 0) {
      const names = pending
        .slice(0, 5)
        .map((s) => s.name)
        .join(', ')
      throw new Error(`layers with unresolvable inputs (a cycle or a missing layer): ${names}`)
    }
    const [step] = pending.splice(i, 1)
    if (step) {
      out.push(step)
      done.add(step.name)
    }
  }
  return out
}

function withInputSize(layer: LayerJson, size: number): LayerJson {
  const config: Record<string, unknown> = { ...layer.config }
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const shape = config[key]
    if (Array.isArray(shape)) {
      const channels: unknown = shape[shape.length - 1] ?? 3
      config[key] = [null, size, size, channels]
    }
  }
  return { ...layer, config }
}
