/**
 * The node registry: every StEP node type, frozen, keyed by its type id (BUILT_IN_NODES). The
 * headless runner, the CLI's `step nodes` and the editor read node types from here unless they
 * are given another registry: `createRegistry()` starts one from the built-ins that plugins
 * extend with `register` (registry.ts).
 */
import type { NodeDefinition } from './define.js'
import { edgesNode } from './edges.js'
import { evaluateNode } from './evaluate.js'
import { fitImageNode } from './fit-image.js'
import { gaussianSample } from './gaussian-sample.js'
import { generateNode } from './generate.js'
import { imageGrid } from './image-grid.js'
import { interpolateNode } from './interpolate.js'
import { loadDataset } from './load-dataset.js'
import { loadImage } from './load-image.js'
import { loadModel } from './load-model.js'
import { mapperNode } from './mapper.js'
import { previewImage } from './preview-image.js'
import { saveImage } from './save-image.js'
import { saveModel } from './save-model.js'
import { styleEncode } from './style-encode.js'
import { styleStrengthNode } from './style-strength.js'
import { synthDataset } from './synth-dataset.js'
import { trainEncoderNode } from './train-encoder.js'
import { fineTuneNode, trainGeneratorNode } from './train-generator.js'
import { trainMapperNode } from './train-mapper.js'
import { nodeRegistry, type NodeRegistry } from './registry.js'
import { trainBicycleGanNode, trainMunitNode } from './train-baseline.js'
import { webcamNode } from './webcam.js'

export { defineNode } from './define.js'
export type { ExecuteContext, InputSpec, NodeDefinition } from './define.js'
export type { NodeEnv, SynthRequest } from './env.js'
export * from './sockets.js'
export * from './widgets.js'
export type { NodeRegistry } from './registry.js'

/** All node types in palette order. */
export const NODE_LIST: readonly NodeDefinition[] = Object.freeze([
  loadImage,
  webcamNode,
  loadDataset,
  synthDataset,
  loadModel,
  saveModel,
  edgesNode,
  fitImageNode,
  styleEncode,
  gaussianSample,
  mapperNode,
  generateNode,
  interpolateNode,
  styleStrengthNode,
  imageGrid,
  previewImage,
  saveImage,
  trainEncoderNode,
  trainGeneratorNode,
  fineTuneNode,
  trainMapperNode,
  trainBicycleGanNode,
  trainMunitNode,
  evaluateNode,
])

/** Node types by type id (a null-prototype, frozen table: preset content cannot reach Object's). */
export const NODE_TYPES: Readonly<Record<string, NodeDefinition>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, NodeDefinition>,
    Object.fromEntries(NODE_LIST.map((n) => [n.type, n])),
  ),
)

/** The built-in node types as a registry (frozen: `register` on it throws). */
export const BUILT_IN_NODES: NodeRegistry = nodeRegistry(NODE_LIST, true)

/** The node type with id `type` among the built-ins, or undefined. */
export function nodeType(type: string): NodeDefinition | undefined {
  return BUILT_IN_NODES.get(type)
}

/**
 * A new registry to extend with `register`: the built-in node types (or `nodes` instead), so an
 * extension's node types load, validate and run wherever the registry is passed.
 */
export function createRegistry(options: { nodes?: readonly NodeDefinition[] } = {}): NodeRegistry {
  return nodeRegistry(options.nodes ?? NODE_LIST)
}
