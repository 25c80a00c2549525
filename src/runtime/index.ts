/**
 * The graph runtime for any platform (browser, worker, Node): presets, validation, the executor
 * and its events. Node-only parts (folder environment, headless runner) are in ./node.ts.
 */
export * from './events.js'
export * from './executor.js'
export * from './graph.js'
export * from './graph-errors.js'
export * from './preset.js'
export * from './preset-schema.js'
export * from './preset-source.js'
export { validateGraph, type NodeLookup, type Validation } from './validate.js'
export { initBackend, activeBackend, type BackendChoice, type BackendInfo } from './backend.js'
